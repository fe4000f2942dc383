"""Search: a free-text query returns the top-k products."""

import streamlit as st

from components import resources, state
from components.embedding import ensure_results
from components.widgets import settings_sidebar
from core.pipeline import search
from core.views import rows_table

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title("Search")
res = ensure_results(cat, cfg)
query = st.text_input("Describe what you are looking for", key="search.query",
                      placeholder="e.g. wireless noise cancelling headphones")
if query.strip():
    encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    hits = search(query, encoder, res.vectors, k=cfg.k, metric=cfg.metric, ids=cat.ids)
    rows = [h.index for h in hits]
    st.dataframe(rows_table(cat, rows, [h.score for h in hits]), hide_index=True,
                 key="search.results")
    if st.button("Show these results on the heatmap", key="search.to_heatmap"):
        state.send_to_heatmap(rows, f"search: {query[:60]}")
        st.switch_page("pages/heatmap.py")
else:
    st.caption(f"Searches {len(cat):,} products with {cfg.model} ({cfg.metric}).")
