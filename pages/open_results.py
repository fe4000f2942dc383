"""Open results: lists, vectors and map written by the CLI or by Ray, read from disk page by page."""

import streamlit as st

from components import state
from components.results_view import (
    results_export,
    results_map,
    results_picker,
    results_summary,
    results_table,
)

state.init_state()
st.title("Open results")
st.caption("Neighbour lists computed elsewhere (a nightly job, a Ray cluster): only the rows "
           "shown are read from the folder.")
folder = results_picker()
if folder is not None:
    results_summary(folder)
    query = results_table(folder)
    results_export(folder, query)
    results_map(folder)
