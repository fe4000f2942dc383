"""Export: every product's list as a file for the shop, and the settings file for nightly runs."""

import streamlit as st

from components import state
from components.catalog_form import row_numbers_note
from components.embedding import ensure_results
from components.guide import next_step, words_used_here
from components.i18n import N_, labels, t
from components.i18n_core import tr_core
from components.tables import show_table
from components.tuning_rules import (
    empty_lists_reason,
    other_version_warning,
    review_decisions,
    ruled,
    short_lists_text,
)
from components.widgets import (
    config_file_widgets,
    excel_id_warning,
    export_buttons,
    file_stem,
    settings_sidebar,
)
from core.export.tables import LAYOUTS, score_meaning
from core.lists.rules import lists_frame, product_lists_frame

LAYOUT_NAMES = {"pairs": N_("A row per product and neighbour"),
                "products": N_("A row per product, its neighbours in one cell")}

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Export"))
res = ensure_results(cat, cfg)
result = ruled(res, cfg)
nb = result.neighbors
entries = int((nb.indices >= 0).sum())
decided = review_decisions()
counts = decided["decision"].value_counts() if len(decided) else {}
used = cfg.rules.use_review
layout = st.radio(
    t("File layout"), LAYOUTS, horizontal=True, key="export.layout",
    format_func=labels(LAYOUT_NAMES),
    help=t("A row per product and neighbour suits a recommender or a spreadsheet: each row says "
           "the rank and the score. A row per product puts its neighbours' ids in one cell, in "
           "rank order, joined by commas (or '|' when an id holds a comma), as a shop's import "
           "of related products or cross-sells reads them (WooCommerce's Cross-sells column "
           "reads SKUs: make the SKU column the id on the Catalog page)."))
rows_in_file = len(cat) if layout == "products" else entries
st.markdown(t('**{n:,} products** · up to **{k}** neighbours each · **{entries:,}** rows in the file',
              n=len(cat), k=nb.k, entries=rows_in_file))
facts = [short_lists_text(result) if result.n_short else t("every list is full"),
         (t("rules in force") if cfg.rules else t("no rules")),
         (t("review decisions used: {accepted:,} accepted, {rejected:,} rejected",
            accepted=counts.get("accept", 0), rejected=counts.get("reject", 0))
          if used else t("review decisions not used"))]
st.caption(" · ".join(facts))
if used:
    other_version_warning(cat)
if not entries:
    st.warning(t("The file would hold no rows. {why}", why=empty_lists_reason(cat)),
               icon=":material/rule:")
meaning = tr_core(score_meaning(cfg.image_weight, res.images))
if layout == "products":
    st.markdown(t("**What the file holds**: one row per product: its id and title, how many "
                  "neighbours it has, their ids in rank order (most similar first) and their "
                  "scores in the same order ({meaning}).", meaning=meaning))
else:
    st.markdown(t("**What the file holds**: one row per product and neighbour: the product's id "
                  "and title, the neighbour's rank (1 = most similar), id and title, and the "
                  "score ({meaning})", meaning=meaning)
                + (t(", and the score range's name") if cfg.bands else "") + t("."))
row_numbers_note(state.table(), cat.mapping, export=True)
st.caption(t("The first rows of the file:"))
first = range(min(3, len(cat)))
if layout == "products":
    preview = product_lists_frame(cat, nb, rows=first)
    make = lambda: product_lists_frame(cat, nb)  # built on click only
else:
    preview = lists_frame(cat, nb, bands=cfg.bands, rows=first)
    make = lambda: lists_frame(cat, nb, bands=cfg.bands)
show_table(preview, key="export.preview", file_headers=True)
export_buttons(make, f"{file_stem(cat.name)}_neighbors_k{nb.k}"
               + ("_per_product" if layout == "products" else ""), key="neighbors.export",
               csv_warning=excel_id_warning(cat))

st.subheader(t("Settings file for nightly runs"))
st.caption(t("Save every setting and rule to a small file; a scheduled job on the server "
           "makes the same lists from a fresh catalog without the app. Load one here to "
           "reuse a saved setup."))
config_file_widgets()
words_used_here("list", "score", "rule", "short list", "review")
next_step("pages/health.py", t("Check your lists: who is never recommended, who is everywhere"),
          also=(("pages/prices.py", t("Check prices against similar products")),))
