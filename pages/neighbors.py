"""Neighbours: the rules panel, one product's list, every product's list."""

import streamlit as st

from components import photos, resources, state
from components.embedding import ensure_results
from components.guide import next_step, words_used_here
from components.i18n import t, tr
from components.i18n_core import tr_core
from components.tables import CELL_HINT, paged_lists, show_table
from components.text import md
from components.tuning_rules import (
    empty_lists_reason,
    product_list,
    ruled,
    rules_panel,
    rules_summary,
    short_lists_table,
    variant_hint,
)
from components.widgets import product_action, product_picker, settings_sidebar
from core.catalog.views import product_label
from core.export.tables import score_meaning
from core.search.fusion import SCALE_TEXT

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Neighbours"))
st.caption(t("Each product's most similar products, most similar first. Pick a product to see "
           "its list; rules below decide which products may appear."))
res = ensure_results(cat, cfg)
index = resources.neighbor_index(cat, res.key, res.vectors, cfg)
cfg = rules_panel(cat, cfg)
result = ruled(res, cfg)
nb = result.neighbors
st.caption(t("{n:,} products · up to {k} neighbours each · score: {meaning}", n=len(cat), k=nb.k,
             meaning=tr_core(score_meaning(cfg.image_weight, res.images))),
           help=t("How the score is made: {how}", how=index.describe(tr)) + f". {t(SCALE_TEXT)}"
                + t(" Model: {model}. Change this under Advanced.", model=md(cfg.model)))
rules_summary(result, cfg)
variant_hint(cat, result, cfg)

row = product_picker(cat, "neighbors")
if row is not None:
    st.markdown(f"**{md(product_label(cat, row).strip())}**")  # "** x **" would not bold
    if (nb.indices[row] >= 0).any():
        # the id last: after a wide title it hid the category, brand and price the rules
        # compare (at 1280 px as well as 1024)
        listed = product_list(cat, nb, row, cfg.bands)
        show_table(listed[[c for c in listed.columns if c != "id"] + ["id"]],
                   key="neighbors.product_table")
        st.caption(t(CELL_HINT))
        other = product_action(cat, [int(i) for i in nb.indices[row] if i >= 0],
                               label=t("Why is this product in the list?"),
                               key="neighbors.explain_row", button=t("Explain its score"),
                               button_key="neighbors.to_explain", icon=":material/help:")
        if other is not None:
            state.explain_pair_next(cat, row, other)
            st.switch_page("pages/explain.py")
    else:
        st.info(t("No product passes the rules for this product's list. Loosen them under "
                  "Rules for the lists above.") if len(cat) > 1 else empty_lists_reason(cat),
                icon=":material/rule:")
    kept = nb.indices[row] >= 0
    photos.photo_grid(cat, cfg, [row, *(int(i) for i in nb.indices[row][kept])],
                      scores=[None, *(float(s) for s in nb.scores[row][kept])],
                      key="neighbors.photos")
    if st.button(t("Show this product and its neighbours on the heatmap"), key="neighbors.to_heatmap"):
        shown = [int(i) for i in nb.indices[row] if i >= 0]
        state.send_to_heatmap([row, *shown], t("{product} + neighbours",
                                                product=product_label(cat, row)))
        st.switch_page("pages/heatmap.py")

st.subheader(t("Every product's list"))
paged_lists(cat, nb, bands=cfg.bands, key="neighbors.all")
if cfg.rules or cfg.bands:
    short_lists_table(cat, result)
words_used_here("neighbour", "list", "score", "rule", "short list", "band", "advanced")
next_step("pages/export.py", t("Next: export the lists"),
          also=(("pages/review.py", t("Or first check some pairs side by side (Review)")),))
