"""Catalog: load a file or the demo, check it, map its columns."""

import streamlit as st

from components import state
from components.catalog_form import (
    file_facts,
    language_panel,
    mapping_form,
    md_text,
    sheet_picker,
    source_picker,
)
from components.embedding import ensure_results, truncated_count
from components.widgets import settings_sidebar

state.init_state()
cfg = settings_sidebar()
st.title("Catalog")
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
    st.caption(f"Text embedded from: {md_text(' + '.join(cat.mapping.text_columns))}"
               f" · id: {md_text(cat.mapping.id_column or 'row numbers')}")
    language_panel()
    for line in cat.report.lines():
        st.markdown(f"- {md_text(line)}")
    long_texts = truncated_count(cat, cfg)
    if long_texts:
        st.markdown(f"- {long_texts:,} texts are longer than the model reads "
                    "and will be truncated")
    res = state.results()
    if res is not None:
        st.success(f"Embedded: {res.embedded:,} new, {res.reused:,} reused from the store "
                   f"({res.seconds:.1f} s).")
    elif st.button("Embed catalog now", key="catalog.embed", icon=":material/bolt:"):
        res = ensure_results(cat, cfg)
        st.success(f"Embedded: {res.embedded:,} new, {res.reused:,} reused from the store "
                   f"({res.seconds:.1f} s).")
    st.page_link("pages/neighbors.py", label="See neighbour lists",
                 icon=":material/arrow_forward:")
