"""catalog-similarity: page config + navigation. Nothing else."""

import streamlit as st

st.set_page_config(page_title="Catalog similarity", page_icon=":material/hub:", layout="wide")

pages = {
    "Explore": [
        st.Page("pages/catalog.py", title="Catalog", icon=":material/table:", default=True),
        st.Page("pages/neighbors.py", title="Neighbours", icon=":material/group_work:"),
        st.Page("pages/search.py", title="Search", icon=":material/search:"),
        st.Page("pages/map.py", title="Map", icon=":material/scatter_plot:"),
        st.Page("pages/heatmap.py", title="Heatmap", icon=":material/grid_on:"),
        st.Page("pages/open_results.py", title="Open results", icon=":material/folder_open:"),
    ],
    "Quality": [
        st.Page("pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
        st.Page("pages/threshold.py", title="Duplicate threshold", icon=":material/tune:"),
        st.Page("pages/explain.py", title="Explain a match", icon=":material/psychology:"),
    ],
    "Tune": [
        st.Page("pages/groups.py", title="Groups", icon=":material/workspaces:"),
        st.Page("pages/review.py", title="Review", icon=":material/rule:"),
        st.Page("pages/health.py", title="List health", icon=":material/monitor_heart:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/prices.py", title="Price check", icon=":material/sell:"),
    ],
    "Model": [
        st.Page("pages/finetune.py", title="Fine-tune", icon=":material/model_training:"),
    ],
}
# expanded: all 15 pages listed (the default folds the sidebar after 10, hiding Tune/Model).
st.navigation({section: items for section, items in pages.items() if items}, expanded=True).run()
