"""catalog-similarity: page config + navigation. Nothing else."""

import streamlit as st

from components.i18n import t
from components.state import restore_ui_language

restore_ui_language()  # a reloaded Chinese session's page names are Chinese from the first run
st.set_page_config(page_title=t("Catalog similarity"), page_icon=":material/hub:", layout="wide")

# The main path first (Catalog -> Neighbours -> Review -> Export), then the rest.
pages = {
    t("Your lists"): [
        st.Page("pages/catalog.py", title=t("Catalog"), icon=":material/table:", default=True),
        st.Page("pages/neighbors.py", title=t("Neighbours"), icon=":material/group_work:"),
        st.Page("pages/review.py", title=t("Review"), icon=":material/rule:"),
        st.Page("pages/export.py", title=t("Export"), icon=":material/download:"),
    ],
    t("Explore"): [
        st.Page("pages/search.py", title=t("Search"), icon=":material/search:"),
        st.Page("pages/map.py", title=t("Map"), icon=":material/scatter_plot:"),
        st.Page("pages/heatmap.py", title=t("Heatmap"), icon=":material/grid_on:"),
        st.Page("pages/groups.py", title=t("Groups"), icon=":material/workspaces:"),
        st.Page("pages/open_results.py", title=t("Open results"), icon=":material/folder_open:"),
    ],
    t("Check quality"): [
        st.Page("pages/health.py", title=t("List health"), icon=":material/monitor_heart:"),
        st.Page("pages/prices.py", title=t("Price check"), icon=":material/sell:"),
        st.Page("pages/compare.py", title=t("Compare"), icon=":material/compare_arrows:"),
        st.Page("pages/explain.py", title=t("Explain a match"), icon=":material/psychology:"),
        st.Page("pages/threshold.py", title=t("Duplicate threshold"), icon=":material/tune:"),
        st.Page("pages/evaluate.py", title=t("Evaluate"), icon=":material/analytics:"),
    ],
    t("Model"): [
        st.Page("pages/finetune.py", title=t("Fine-tune"), icon=":material/model_training:"),
    ],
}
# expanded: all 16 pages listed (the default folds the sidebar after 10, hiding the last sections).
st.navigation({section: items for section, items in pages.items() if items}, expanded=True).run()
