"""Heatmap: similarity of a chosen subset, ordered by hierarchical clustering.

Cells show the duplicate score (default), the dense score or the lexical score;
the caption says what the colour means.
"""

import streamlit as st

from components import photos, resources, search_box, state
from components.embedding import ensure_results, neighbors
from components.guide import words_used_here
from components.heatmap_view import cell_caption
from components.i18n import N_, chart, labels, t
from components.text import md
from components.widgets import product_picker, query_start, settings_sidebar
from core.catalog.views import product_label
from core.figures import MAX_HEATMAP_ITEMS, build_heatmap
from core.search.subset import CELL_KINDS, default_cell, lexical_matrix, match_matrix

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Heatmap"))
res = ensure_results(cat, cfg)
sent, sent_label = state.heatmap_rows()
SOURCES = (N_("A product and its neighbours"), N_("A category"), N_("A search result"),
           N_("Map selection"))
SENT = "Sent here"  # the option of rows sent from another page, shown with their label
sources = [SENT, *SOURCES] if sent else list(SOURCES)
shown = labels(SOURCES)
source = st.radio(t("Products to compare"), sources, horizontal=True, key="heatmap.source_choice",
                  format_func=lambda s: t("Sent here: {label}", label=md(sent_label))
                  if s == SENT else shown(s))
rows: list[int] = []
if source == SENT:
    rows = sent
elif source == "A product and its neighbours":
    row = product_picker(cat, "heatmap")
    if row is not None:
        nb = neighbors(res, cfg, k=max(cfg.k, 20), rows=[row])  # this product's list only
        rows = [row, *[int(i) for i in nb.indices[row] if i >= 0]]  # -1: short list
elif source == "A category":
    col = cat.mapping.category
    if col is None:
        st.info(t("Map a category column on the Catalog page to use this."))
    else:
        values = cat.frame[col].astype(str)
        counts = values.value_counts()
        value = st.selectbox(t("Category"), counts.index.tolist(), key="heatmap.category",
                             format_func=lambda v: f"{v} ({counts[v]})")
        rows = [int(i) for i in (values == value).to_numpy().nonzero()[0]]
elif source == "A search result":
    query = query_start(st.text_input(t("Query"), key="heatmap.query"))
    if query.strip():
        index = resources.neighbor_index(cat, res.key, res.vectors, cfg)
        rows = [h.index for h in search_box.searched(query, cat, cfg, index, k=50,
                                                     key="heatmap")[0]]
else:
    rows = state.selection()
    if not rows:
        st.info(t("Select products on the Map page (lasso or box) first."))

if len(rows) > MAX_HEATMAP_ITEMS:
    st.warning(t('{n:,} products chosen; the heatmap shows the first {MAX_HEATMAP_ITEMS} (cap '
                 '{MAX_HEATMAP_ITEMS}).', n=len(rows), MAX_HEATMAP_ITEMS=MAX_HEATMAP_ITEMS))
    rows = rows[:MAX_HEATMAP_ITEMS]
KIND_NAMES = {"match": N_("Overall score"), "dense": N_("Meaning only"),
              "lexical": N_("Shared words and model numbers only")}
# The colour bar says what a cell holds in the caption's words (it read "match" and
# "lexical", core's names); meaning-only cells keep the metric's name ("cosine").
BAR_TITLES = {"match": N_("duplicate score"), "lexical": N_("shared words")}
if len(rows) >= 2:
    index = resources.neighbor_index(cat, res.key, res.vectors, cfg)
    kind = st.radio(t("Cells show"), CELL_KINDS, horizontal=True, key="heatmap.cells",
                    index=CELL_KINDS.index(default_cell(index.fused)),
                    format_func=labels(KIND_NAMES))
    if kind == "match":
        scores = match_matrix(resources.scored_index(cat, res.key, res.vectors, cfg), rows)
    elif kind == "lexical":
        scores = lexical_matrix(resources.lexical_index(cat, res.key, res.vectors, cfg), rows)
    else:
        scores = resources.cached_pairwise(res.key, tuple(rows), res.vectors, cfg.metric)
    labels = [product_label(cat, r, 60) for r in rows]
    bar = t(BAR_TITLES[kind]) if kind in BAR_TITLES else cfg.metric
    st.plotly_chart(chart(build_heatmap(scores, labels, metric=bar)), key="heatmap.chart")
    st.caption(t("{n} products, rows ordered by average-linkage clustering; hover a cell for "
                 "both titles and the score. ", n=len(rows))
               + cell_caption(kind, index))
    photos.photo_grid(cat, cfg, rows, key="heatmap.photos")
elif rows and source == "A product and its neighbours":  # rules left its list empty
    st.info(t("The list of '{product}' is empty: the rules for the lists (Neighbours page) "
              "left no neighbour. Choose another product, or loosen the rules.",
              product=md(product_label(cat, rows[0], 60))))
elif rows:
    st.info(t("Choose at least two products."))
words_used_here("heatmap", "score")
