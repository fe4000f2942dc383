"""Search: a free-text query returns the top-k products (hybrid, like the neighbours)."""

import streamlit as st

from components import photos, resources, state
from components.embedding import ensure_results
from components.widgets import settings_sidebar
from core.catalog.views import rows_table
from core.pipeline import search
from core.search.fusion import SCALE_TEXT, mix_text

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title("Search")
res = ensure_results(cat, cfg)
index = resources.neighbor_index(cat, res.key, res.vectors, cfg)
hybrid = index.fused
how = (f"hybrid: {mix_text(cfg.hybrid_weight, f'{cfg.model}, {cfg.metric}')} (hybrid weight "
       f"{cfg.hybrid_weight:g}, set in the sidebar)" if hybrid else
       f"meaning only ({cfg.model}, {cfg.metric}; hybrid weight 0 in the sidebar)")
photos.search_note(index, cfg)
query = st.text_input("Describe what you are looking for", key="search.query",
                      placeholder="e.g. wireless noise cancelling headphones, or a model number")
if query.strip():
    encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    hits = search(query, encoder, index, k=cfg.k, ids=cat.ids,
                  image_encoder=photos.get_image_encoder(cfg.image_model)
                  if index.has("image") else None)
    rows = [h.index for h in hits]
    table = rows_table(cat, rows, [h.score for h in hits])
    at = table.columns.get_loc("score") + 1
    for name in reversed(index.names if hybrid else ()):
        if any(h.parts[name] == h.parts[name] for h in hits):  # NaN: photos can't read words
            table.insert(at, name, [round(h.parts[name], 4) for h in hits])
    st.dataframe(table, hide_index=True, key="search.results",
                 column_config=photos.with_photos(table, cat, cfg, rows))
    st.caption(f"Ranked by {how}. " + (
        f"score = fused score ({SCALE_TEXT}); dense = raw "
        f"{cfg.metric} of the embeddings; lexical = raw word/model-number match "
        "(0 = nothing shared, 1 = the same tokens)." if hybrid else
        f"score = {cfg.metric} similarity of the embeddings."))
    if st.button("Show these results on the heatmap", key="search.to_heatmap"):
        state.send_to_heatmap(rows, f"search: {query[:60]}")
        st.switch_page("pages/heatmap.py")
else:
    st.caption(f"Searches {len(cat):,} products by {how}.")
