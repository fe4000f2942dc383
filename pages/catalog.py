"""Catalog: the first-run guide; load a file or the demo, check it, map its columns."""

import streamlit as st

from components import photos, state
from components.catalog_form import (
    file_facts,
    language_panel,
    mapping_form,
    md_text,
    sheet_picker,
    source_picker,
)
from components.embedding import ensure_results, ready_text, truncated_count
from components.guide import first_run_guide, next_step, words_used_here
from components.widgets import settings_sidebar

state.init_state()
cfg = settings_sidebar()
st.title("Catalog")
first_run_guide()
source_picker()
raw = state.table()
if raw is not None:
    sheet_picker(raw)
    file_facts(raw)
    st.dataframe(raw.frame.head(200), hide_index=True, height=260)
    mapping_form(raw)
cat = state.catalog()
if cat is not None:
    st.subheader(f"Mapped catalog: {md_text(cat.name)}")
    st.caption(f"Text compared: {md_text(' + '.join(cat.mapping.text_columns))}"
               f" · id: {md_text(cat.mapping.id_column or 'row numbers')}")
    language_panel()
    for line in cat.report.lines():
        st.markdown(f"- {md_text(line)}")
    long_texts = truncated_count(cat, cfg)
    if long_texts:
        st.markdown(f"- {long_texts:,} texts are longer than the model reads; only their "
                    "beginning is compared")
    photos.photo_source_form(cat)
    res = state.results()
    photos.issues_report(res.images if res is not None else None)
    if res is None and st.button("Prepare the lists now", key="catalog.embed",
                                 icon=":material/bolt:",
                                 help="The model reads every product once (the Neighbours "
                                      "page does this by itself). Texts read before are "
                                      "reused."):
        res = ensure_results(cat, cfg)
    if res is not None:
        st.success(ready_text(res))
    words_used_here("mapping", "neighbour", "model")
    next_step("pages/neighbors.py", "Next: see each product's neighbours")
