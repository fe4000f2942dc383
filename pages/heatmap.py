"""Heatmap: similarity of a chosen subset, ordered by hierarchical clustering."""

import streamlit as st

from components import resources, state
from components.embedding import ensure_results, neighbors
from components.widgets import product_picker, settings_sidebar
from core.figures import MAX_HEATMAP_ITEMS, build_heatmap
from core.pipeline import search
from core.views import product_label

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title("Heatmap")
res = ensure_results(cat, cfg)
sent, sent_label = state.heatmap_rows()
sources = ["A product and its neighbours", "A category", "A search result", "Map selection"]
if sent:
    sources.insert(0, f"Sent here: {sent_label}")
source = st.radio("Subset", sources, horizontal=True, key="heatmap.source_choice")
rows: list[int] = []
if source.startswith("Sent here"):
    rows = sent
elif source == "A product and its neighbours":
    row = product_picker(cat, "heatmap")
    if row is not None:
        nb = neighbors(res, cfg, k=max(cfg.k, 20))
        rows = [row, *[int(i) for i in nb.indices[row] if i >= 0]]  # -1: short list
elif source == "A category":
    col = cat.mapping.category
    if col is None:
        st.info("Map a category column on the Catalog page to use this.")
    else:
        values = cat.frame[col].astype(str)
        counts = values.value_counts()
        value = st.selectbox("Category", counts.index.tolist(), key="heatmap.category",
                             format_func=lambda v: f"{v} ({counts[v]})")
        rows = [int(i) for i in (values == value).to_numpy().nonzero()[0]]
elif source == "A search result":
    query = st.text_input("Query", key="heatmap.query")
    if query.strip():
        encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
        rows = [h.index for h in search(query, encoder, res.vectors, k=50, metric=cfg.metric)]
else:
    rows = state.selection()
    if not rows:
        st.info("Select products on the Map page (lasso or box) first.")

if len(rows) > MAX_HEATMAP_ITEMS:
    st.warning(f"{len(rows):,} products chosen; the heatmap shows the first "
               f"{MAX_HEATMAP_ITEMS} (cap {MAX_HEATMAP_ITEMS}).")
    rows = rows[:MAX_HEATMAP_ITEMS]
if len(rows) >= 2:
    scores = resources.cached_pairwise(res.key, tuple(rows), res.vectors, cfg.metric)
    labels = [product_label(cat, r, 60) for r in rows]
    st.plotly_chart(build_heatmap(scores, labels, metric=cfg.metric), key="heatmap.chart")
    st.caption(f"{len(rows)} products, {cfg.metric} scores, rows ordered by average-linkage "
               f"clustering; hover a cell for both titles and the score.")
elif rows:
    st.info("Choose at least two products.")
