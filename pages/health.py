"""List health: coverage, orphans, hubs, category agreement, brand concentration,
before and after the rules. No labels needed."""

import numpy as np
import pandas as pd
import streamlit as st

from components import state
from components.embedding import ensure_results, pool
from components.tuning_rules import ruled
from components.widgets import settings_sidebar
from core.lists.health import health_table, in_degree_figure, list_health, top_hubs
from core.lists.spec import column_codes

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title("List health")
res = ensure_results(cat, cfg)
result = ruled(res, cfg)
roles = cat.mapping.roles()
codes = {r: column_codes(cat.frame[roles[r]]) if r in roles else None
         for r in ("category", "brand")}
kw = {"categories": codes["category"], "brands": codes["brand"]}
before = list_health(pool(res, cfg).head(cfg.k), k=cfg.k, **kw)
after = list_health(result.neighbors, k=cfg.k, **kw)
st.caption(f"Before = the plain top {cfg.k}; after = the lists with the rules set on the "
           "Neighbours page. Category / brand figures need those columns mapped.")
st.dataframe(health_table(before, after), hide_index=True, key="health.table")
st.plotly_chart(in_degree_figure(before, after), key="health.in_degree")
a, b = st.columns(2)
with a:
    st.subheader("Hubs (after rules)")
    st.dataframe(top_hubs(cat.ids, cat.titles(), after), hide_index=True, key="health.hubs")
with b:
    st.subheader(f"Orphans (after rules): {after.orphans:,}")
    rows = np.nonzero(after.in_degree == 0)[0][:1000]
    titles = cat.titles()
    st.dataframe(pd.DataFrame({"product_id": cat.ids[rows], "title": [titles[r] for r in rows]}),
                 hide_index=True, key="health.orphans")
