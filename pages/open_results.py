"""Open results: lists, vectors and map written by the CLI or by Ray, read from disk page by page."""

import streamlit as st

from components import state
from components.i18n import t
from components.results_view import (
    results_export,
    results_map,
    results_picker,
    results_summary,
    results_table,
)

state.init_state()
st.title(t("Open results"))
st.caption(t("Neighbour lists to look through, filter and export again: a lists file downloaded "
             "from Export, or lists computed elsewhere (a nightly job, a Ray cluster), of which "
             "only the rows shown are read."))
folder = results_picker()
if folder is not None:
    results_summary(folder)
    query = results_table(folder)
    results_export(folder, query)
    results_map(folder)
