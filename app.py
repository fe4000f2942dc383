"""catalog-similarity: page config + navigation. Nothing else."""

import streamlit as st

st.set_page_config(page_title="Catalog similarity", page_icon=":material/hub:", layout="wide")

# The main path first (Catalog -> Neighbours -> Review -> Export), then the rest.
pages = {
    "Your lists": [
        st.Page("pages/catalog.py", title="Catalog", icon=":material/table:", default=True),
        st.Page("pages/neighbors.py", title="Neighbours", icon=":material/group_work:"),
        st.Page("pages/review.py", title="Review", icon=":material/rule:"),
        st.Page("pages/export.py", title="Export", icon=":material/download:"),
    ],
    "Explore": [
        st.Page("pages/search.py", title="Search", icon=":material/search:"),
        st.Page("pages/map.py", title="Map", icon=":material/scatter_plot:"),
        st.Page("pages/heatmap.py", title="Heatmap", icon=":material/grid_on:"),
        st.Page("pages/groups.py", title="Groups", icon=":material/workspaces:"),
        st.Page("pages/open_results.py", title="Open results", icon=":material/folder_open:"),
    ],
    "Check quality": [
        st.Page("pages/health.py", title="List health", icon=":material/monitor_heart:"),
        st.Page("pages/prices.py", title="Price check", icon=":material/sell:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/explain.py", title="Explain a match", icon=":material/psychology:"),
        st.Page("pages/threshold.py", title="Duplicate threshold", icon=":material/tune:"),
        st.Page("pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
    ],
    "Model": [
        st.Page("pages/finetune.py", title="Fine-tune", icon=":material/model_training:"),
    ],
}
# expanded: all 16 pages listed (the default folds the sidebar after 10, hiding the last sections).
st.navigation({section: items for section, items in pages.items() if items}, expanded=True).run()
