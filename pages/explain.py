"""Explain: why two products match — per field, dense vs lexical, shared tokens."""

import streamlit as st

from components import resources, state
from components.embedding import ensure_results
from components.i18n import N_, labels, t
from components.quality_explain import show_explanation
from components.tuning_rules import ruled
from components.widgets import product_picker, settings_sidebar
from core.catalog.views import product_label
from core.quality.explain import explain_pair

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Explain a match"))
res = ensure_results(cat, cfg)
st.markdown(t("**First product**"))
a = product_picker(cat, "explain.left")
if a is not None:
    modes = (N_("Its best neighbour"), N_("Pick another"))
    second = st.radio(t("Second product"), modes, horizontal=True, key="explain.mode",
                      format_func=labels(modes))
    if second == "Its best neighbour":
        # The first of its list as the Neighbours page and the exports show it (rules applied).
        listed = ruled(res, cfg).neighbors.indices[a]
        listed = listed[listed >= 0]
        b = int(listed[0]) if len(listed) else None
        if b is None:
            st.info(t("This product's list is empty under your rules (Neighbours page): "
                      "pick the second product yourself."))
        else:
            st.text(t("Best neighbour: {product}", product=product_label(cat, b)))
    else:
        st.markdown(t("**Second product**"))
        b = product_picker(cat, "explain.right")
    if b is not None and b != a:
        encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
        space = resources.scored_index(cat, res.key, res.vectors, cfg)
        lexical = resources.lexical_index(cat, res.key, res.vectors, cfg)
        show_explanation(cat, explain_pair(cat, res.vectors, cfg, a, b, encoder=encoder,
                                           index=lexical, space=space))
    elif b == a:
        st.info(t("Choose two different products."))
