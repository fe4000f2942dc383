"""Neighbours: the rules panel, one product's list, every product's list, export."""

import streamlit as st

from components import photos, resources, state
from components.embedding import ensure_results
from components.tables import paged_lists
from components.tuning_rules import (
    product_list,
    ruled,
    rules_panel,
    rules_summary,
    short_lists_table,
)
from components.widgets import (
    config_file_widgets,
    export_buttons,
    file_stem,
    product_picker,
    settings_sidebar,
)
from core.catalog.views import product_label
from core.lists.rules import lists_frame
from core.search.fusion import SCALE_TEXT

state.init_state()
cfg = settings_sidebar()
with st.sidebar:
    config_file_widgets()
cat = state.require_catalog()
st.title("Neighbours")
res = ensure_results(cat, cfg)
index = resources.neighbor_index(cat, res.key, res.vectors, cfg)
cfg = rules_panel(cat, cfg)
result = ruled(res, cfg)
nb = result.neighbors
st.caption(f"{len(cat):,} products · {cfg.metric} · top {nb.k} · model {cfg.model} · "
           f"{res.embedded:,} embedded, {res.reused:,} reused from the store · score: "
           + (f"{index.describe()}; {SCALE_TEXT}" if index.fused else index.describe()))
rules_summary(result, cfg)

row = product_picker(cat, "neighbors")
if row is not None:
    st.markdown(f"**{product_label(cat, row)}**")
    st.dataframe(product_list(cat, nb, row, cfg.bands), hide_index=True,
                 key="neighbors.product_table")
    photos.photo_grid(cat, cfg, [row, *(int(i) for i in nb.indices[row] if i >= 0)],
                      key="neighbors.photos")
    if st.button("Show this product and its neighbours on the heatmap", key="neighbors.to_heatmap"):
        shown = [int(i) for i in nb.indices[row] if i >= 0]
        state.send_to_heatmap([row, *shown], f"{product_label(cat, row)} + neighbours")
        st.switch_page("pages/heatmap.py")

st.subheader("Every product's list")
paged_lists(cat, nb, bands=cfg.bands, key="neighbors.all")
st.markdown("**Export every product's list** (long format: source_id, rank, neighbor_id, score)")
export_buttons(lambda: lists_frame(cat, nb, bands=cfg.bands),  # built on click only
               f"{file_stem(cat.name)}_neighbors_k{nb.k}", key="neighbors.export")
if cfg.rules or cfg.bands:
    short_lists_table(cat, result)
