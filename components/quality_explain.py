"""Explain page blocks: scores, contribution bar, highlighted texts (as text), tables."""

from __future__ import annotations

import streamlit as st

from core.catalog.table import Catalog
from core.quality.explain import (
    PairExplanation,
    contribution_figure,
    field_frame,
    plain_highlight,
    token_frame,
)
from core.search.fusion import SCALE_TEXT

OPEN, CLOSE = "⟦", "⟧"


def show_explanation(catalog: Catalog, e: PairExplanation) -> None:
    """Render an explanation; catalog text is only ever shown as plain text."""
    cols = st.columns(4)
    for col, (name, value) in zip(cols, (("score", e.score), ("duplicate score", e.match),
                                         ("dense part", e.dense_part),
                                         ("lexical part", e.lexical_part))):
        col.metric(name, f"{value:.3f}")
    st.caption(f"Score: the second product in the first one's list, as the lists and exports "
               f"show it. {SCALE_TEXT} Duplicate score: what duplicate thresholds apply to, "
               f"high only when the two are very similar both ways and each is the other's "
               f"best candidate. Technical: fused score {e.fused:.3f} = dense "
               f"part + lexical part (hybrid weight {e.weight:g}, each channel rescaled for the "
               f"first product), mapped to the score; raw dense similarity {e.dense:.3f}, raw "
               f"lexical similarity {e.lexical:.3f}.")
    st.plotly_chart(contribution_figure(e), key="explain.contribution")
    st.markdown(f"**Shared words and model numbers** are marked {OPEN} {CLOSE}:")
    st.text(f"{catalog.ids[e.left]}: {plain_highlight(e.left_spans, left=OPEN, right=CLOSE)}")
    st.text(f"{catalog.ids[e.right]}: {plain_highlight(e.right_spans, left=OPEN, right=CLOSE)}")
    left, right = st.columns(2)
    left.markdown("**Per field**")
    left.dataframe(field_frame(e), hide_index=True, key="explain.fields")
    right.markdown("**Tokens that matter most**")
    if e.tokens:
        right.dataframe(token_frame(e), hide_index=True, key="explain.tokens")
    else:
        right.info("No shared token: the match rests on meaning (the dense model) alone.")
