"""List health: coverage, orphans, hubs, category agreement, brand concentration,
before and after the rules. No labels needed."""

import numpy as np
import pandas as pd
import streamlit as st

from components import state
from components.embedding import ensure_results, pool
from components.guide import next_step, words_used_here
from components.health_view import plain_health_table
from components.i18n import chart, t
from components.tables import show_table
from components.text import md
from components.tuning_rules import ruled
from components.widgets import settings_sidebar
from core.lists.health import in_degree_figure, list_health, top_hubs
from core.lists.spec import column_codes

SHOWN = 1000  # rows of the orphans' table

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("List health"))
res = ensure_results(cat, cfg)
result = ruled(res, cfg)
roles = cat.mapping.roles()
codes = {r: column_codes(cat.frame[roles[r]]) if r in roles else None
         for r in ("category", "brand")}
kw = {"categories": codes["category"], "brands": codes["brand"]}
before = list_health(pool(res, cfg).head(cfg.k), k=cfg.k, **kw)
after = list_health(result.neighbors, k=cfg.k, **kw)
st.caption(t("Is every product served, and fairly? 'Without rules' = each product's {k} most similar "
             "products; 'with your rules' = the lists as exported: the rules set on the Neighbours "
             "page, with unrelated products hidden (so the two differ "
             "even with no rule set). Category and brand figures need those columns chosen on the "
             "Catalog page.", k=cfg.k))
# a static table that wraps its words to the page: as a grid, the long measure names left
# "with your r" of the last column at 1024 px. Its cells are the page's own words (no
# catalog text), escaped all the same as st.table reads Markdown.
figures = plain_health_table(before, after).rename(columns={"measure": t("measure")})
st.table(figures.map(md).rename(columns=md), hide_index=True)
st.plotly_chart(chart(in_degree_figure(before, after)), key="health.in_degree")
st.caption(t("How many products (up) appear in how many other products' lists (across). "
           "Products at 0 are never recommended; products far to the right are everywhere."))
# one under the other: side by side at 1024 px each table was cut after its title (the
# ids and, in Chinese, the count's header out of sight) and the headers wrapped unevenly
st.subheader(t("Recommended most often"))
hubs = top_hubs(cat.ids, cat.titles(), after).rename(columns={"in_degree": "in lists"})[
    ["in lists", "title", "product_id"]]
if hubs.empty:  # a table reading 'empty' says nothing
    st.caption(t("No product is in another product's list."))
else:
    # the count right after the title (show_table leads with it), narrow: a long header
    # (Chinese) widened it and pushed its numbers out
    show_table(hubs, key="health.hubs", column_config={
        "in lists": st.column_config.NumberColumn(t("in lists"), width=100)})
st.subheader(t("In nobody's list: {orphans:,}", orphans=after.orphans))
orphans = np.nonzero(after.in_degree == 0)[0]
rows = orphans[:SHOWN]
titles = cat.titles()
if not len(rows):
    st.caption(t("Every product is in at least one other product's list."))
else:
    show_table(pd.DataFrame({"product_id": cat.ids[rows], "title": [titles[r] for r in rows]}),
               key="health.orphans")
    if len(orphans) > SHOWN:
        st.caption(t('First {limit:,} of {n:,} shown.', limit=SHOWN, n=len(orphans)))
words_used_here("orphan", "hub", "rule", "short list")
next_step("pages/neighbors.py", t("Back to the lists and their rules"))
