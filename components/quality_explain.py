"""Explain page blocks: scores, contribution bar, highlighted texts (as text), tables."""

from __future__ import annotations

import streamlit as st

from components.i18n import N_, chart, t
from core.catalog.table import Catalog
from core.quality.explain import (
    PairExplanation,
    contribution_figure,
    evidence_frame,
    field_frame,
    plain_highlight,
    token_frame,
)
from core.search.fusion import SCALE_TEXT

OPEN, CLOSE = "⟦", "⟧"
# core.search.evidence_weights.EVIDENCE_WORDS, marked for translation (shown through t()).
EVIDENCE_TEXTS = (N_("how far the two are from being each other's best match "
                     "(a pair unrelated in meaning counts as far)"),
                  N_("how far ahead of (or behind) the first product's other candidates "
                     "(a pair unrelated in meaning counts as behind)"),
                  N_("the same model code"),
                  N_("different model codes of one series (cs3 against cs4), or different "
                     "model numbers"),
                  N_("different sizes or capacities, or other parts of a series (season 3 "
                     "against season 4)"), N_("different colours"),
                  N_("one is remanufactured, compatible or used, the other is not"),
                  N_("different years, versions or editions (Home against Professional, an "
                     "upgrade against the full product, Spanish against French, a Wii game "
                     "against a PS3 one, men's against women's), or Mac against Windows"),
                  N_("prices far apart (one more than twice the other)"),
                  N_("the same text (scores 1)"),
                  # core.quality.explain.HELD_BACK, NOTHING_HELD
                  N_("held back what the rest of the evidence added"),
                  N_("nothing to hold back: the rest of the evidence did not raise the score, so "
                     "it cannot read as the same product anyway"))


def show_explanation(catalog: Catalog, e: PairExplanation) -> None:
    """Render an explanation; catalog text is only ever shown as plain text."""
    cols = st.columns(4)
    helps = (None, None,
             t("How much the two products' meaning adds to the score, before the score is put "
               "on its 0 to 1 scale (the bar below)."),
             t("How much the words and model numbers the two share add to the score, before the "
               "score is put on its 0 to 1 scale (the bar below)."))
    for col, (name, value), help_text in zip(cols, ((t("score"), e.score),
                                                    (t("duplicate score"), e.match),
                                                    (t("meaning part"), e.dense_part),
                                                    (t("words part"), e.lexical_part)), helps):
        col.metric(name, f"{value:.3f}", help=help_text)
    st.caption(t("Score: the second product in the first one's list, as the lists and exports show it. "
                 "{SCALE_TEXT} Duplicate score: what duplicate thresholds apply to, high only when the two "
                 "are very similar both ways and each is the other's best candidate.",
                 SCALE_TEXT=t(SCALE_TEXT)))
    with st.expander(t("Technical details (for analysts)")):
        st.caption(t("Fused score {fused:.3f} = meaning part (dense) + words part (lexical) + "
                     "same-product evidence (hybrid weight {weight:g}, each channel rescaled for the "
                     "first product), mapped to the score; raw meaning similarity {dense:.3f}, raw "
                     "words similarity {lexical:.3f}.", fused=e.fused, weight=e.weight,
                     dense=e.dense, lexical=e.lexical))
    if e.image is not None:
        st.caption(t("Photos: {part:.3f} of the total (the bar below; photo weight {weight:g}); "
                     "the two photos' similarity is {image:.3f}.", part=e.image_part,
                     weight=e.image_weight, image=e.image))
    elif e.image_weight:
        st.caption(t("Photos: one of the two has no usable photo, so this pair is scored by "
                     "its text alone."))
    st.plotly_chart(chart(contribution_figure(e)), key="explain.contribution")
    if e.evidence:
        st.markdown(t("**Same-product evidence**: what the two texts (and prices) say about being "
                      "the very same product (a shared model code raises the score; different "
                      "models of one series, sizes, colours, years, editions (a language, a "
                      "console, men's or women's) or platforms, a remanufactured copy, or prices "
                      "more than twice apart, keep it from reading as the same product)."))
        frame = evidence_frame(e)
        frame["evidence"] = [t(x) for x in frame["evidence"]]
        notes = [x for x in frame.pop("what it did") if x]
        # the evidence's words take the width they need up to "large": its number stays in
        # sight at 1024 px (the long first line pushed it out of the table)
        st.dataframe(frame, hide_index=True, key="explain.evidence", column_config={
            "evidence": st.column_config.TextColumn(t("evidence"), width="large"),
            "effect on the score": st.column_config.NumberColumn(t("effect on the score"),
                                                                 width="small")})
        if notes:  # a conflict's 0 read as "ignored": say what it did, under the table
            st.caption(t("What the differences did: {note}.", note=t(notes[0])))
        if catalog.mapping.price and catalog.price_evidence() is None:
            st.caption(t("Prices are not compared in this catalog: its price column prices "
                         "products with one model number far apart (the Catalog page says "
                         "more)."))
    st.markdown(t('**Shared words and model numbers** are marked {OPEN} {CLOSE}:', OPEN=OPEN, CLOSE=CLOSE))
    st.text(f"{catalog.ids[e.left]}: {plain_highlight(e.left_spans, left=OPEN, right=CLOSE)}")
    st.text(f"{catalog.ids[e.right]}: {plain_highlight(e.right_spans, left=OPEN, right=CLOSE)}")
    # one under the other, the scores first: side by side, each half hid the per-field scores
    # to the right of the two texts (at 1280 px too)
    st.markdown(t("**Per field**"))
    text = {"width": "medium"}
    st.dataframe(field_frame(e), hide_index=True, key="explain.fields",
                 column_order=("field", "dense", "lexical", "first", "second"), column_config={
                     "field": st.column_config.TextColumn(t("field"), width="small"),
                     "dense": st.column_config.NumberColumn(t("meaning"), width="small"),
                     "lexical": st.column_config.NumberColumn(t("words"), width="small"),
                     "first": st.column_config.TextColumn(t("first"), **text),
                     "second": st.column_config.TextColumn(t("second"), **text)})
    st.markdown(t("**Shared words that matter most**"))
    if e.tokens:
        st.dataframe(token_frame(e).rename(columns={
            "shared token": t("shared word"),
            "share of lexical similarity": t("share of the words similarity")}),
            hide_index=True, key="explain.tokens")
    else:
        st.info(t("No shared word: the match rests on meaning alone."))
