"""Map: UMAP in 2-D or 3-D, coloured by a column; lasso selection to the heatmap."""

import streamlit as st

from components import photos, state
from components.embedding import ensure_results, projection
from components.guide import words_used_here
from components.i18n import NO_COLUMN, column_option, map_legend, t
from components.tables import headed
from components.widgets import neighbours_link, settings_sidebar
from core.catalog.views import color_columns, rows_table
from core.figures import build_map
from core.projection import DEFAULT_MAX_POINTS

SHOWN = 1000  # rows of the selection's table

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Map"))
res = ensure_results(cat, cfg)
a, b, c = st.columns(3)
dim = a.radio(t("Dimensions"), (2, 3), horizontal=True, key="map.dim",
              format_func=lambda d: f"{d}-D")
options = [NO_COLUMN, *color_columns(cat)]
color_col = b.selectbox(t("Colour by"), options, index=min(1, len(options) - 1), key="map.color",
                         format_func=column_option())
max_points = int(c.number_input(t("Products shown (a random sample above this)"),
                                min_value=min(100, len(cat)),
                                max_value=max(100, len(cat)),
                                value=min(len(cat), DEFAULT_MAX_POINTS), step=1000,
                                key="map.sample"))
proj = projection(res, cfg, dim=dim, max_points=max_points)
if proj.sampled:
    st.info(t('Showing a random sample of {n:,} of {total:,} products.', n=len(proj.rows), total=proj.total))
rows = proj.rows.tolist()
titles = cat.titles()
color = None if color_col == NO_COLUMN else cat.frame[color_col].to_numpy()[proj.rows].tolist()
fig = map_legend(build_map(proj.coords, [titles[r] for r in rows], color=color,
                           color_name=color_col, ids=[str(r) for r in rows]))
if dim == 2:
    event = st.plotly_chart(fig, key="map.chart", on_select="rerun",
                            selection_mode=("lasso", "box", "points"))
    picked = sorted({int(p["customdata"]) for p in event.selection.get("points", [])
                     if p.get("customdata") is not None})
    if picked:
        state.set_selection(picked)
else:
    st.plotly_chart(fig, key="map.chart3d")
    st.caption(t("Selection works on the 2-D map."))
sel = state.selection()
if sel:
    st.subheader(t('Selected: {n:,} products', n=len(sel)))
    st.dataframe(headed(rows_table(cat, sel[:SHOWN])), hide_index=True, key="map.selected")
    if len(sel) > SHOWN:  # say so: the table alone reads as the whole selection
        st.caption(t('First {limit:,} of {n:,} shown.', limit=SHOWN, n=len(sel)))
    photos.photo_grid(cat, cfg, sel, key="map.photos")
    neighbours_link(cat, sel[:SHOWN], "map")
    if st.button(t("Send the selection to the heatmap"), key="map.to_heatmap"):
        state.send_to_heatmap(sel, t("map selection ({n:,} products)", n=len(sel)))
        st.switch_page("pages/heatmap.py")
else:
    st.caption(t("Draw a lasso or box on the 2-D map to select products."))
words_used_here("map", "neighbour")
