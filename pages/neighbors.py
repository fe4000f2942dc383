"""Neighbours: one product's top-k, the catalog-wide table, export."""

import streamlit as st

from components import state
from components.embedding import ensure_results, neighbors
from components.tables import paged_table
from components.widgets import export_buttons, file_stem, product_picker, settings_sidebar
from core.export import catalog_neighbors_frame
from core.views import product_label, rows_table

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title("Neighbours")
res = ensure_results(cat, cfg)
nb = neighbors(res, cfg)
st.caption(f"{len(cat):,} products · {cfg.metric} · top {nb.k} · model {cfg.model} · "
           f"{res.embedded:,} embedded, {res.reused:,} reused from the store")

row = product_picker(cat, "neighbors")
if row is not None:
    st.markdown(f"**{product_label(cat, row)}**")
    table = rows_table(cat, nb.indices[row], nb.scores[row])
    st.dataframe(table, hide_index=True, key="neighbors.product_table")
    if st.button("Show this product and its neighbours on the heatmap", key="neighbors.to_heatmap"):
        state.send_to_heatmap([row, *nb.indices[row].tolist()], f"{product_label(cat, row)} + neighbours")
        st.switch_page("pages/heatmap.py")

st.subheader("Every product's list")
frame = catalog_neighbors_frame(cat, nb)
paged_table(frame, key="neighbors.all", filter_columns=("source_id", "source_title"))
st.markdown("**Export every product's list** (long format: source_id, rank, neighbor_id, score)")
export_buttons(lambda: catalog_neighbors_frame(cat, nb), f"{file_stem(cat.name)}_neighbors_k{nb.k}",
               key="neighbors.export")
