"""Catalog: the first-run guide; load a file or the demo, check it, map its columns."""

import streamlit as st

from components import photos, state
from components.catalog_form import (
    file_facts,
    language_panel,
    mapping_form,
    md_text,
    preview,
    row_numbers_note,
    sheet_picker,
    source_picker,
    unnamed_roles_note,
)
from components.embedding import ensure_results, pool, ready_text, truncated_count
from components.guide import first_run_guide, next_step, words_used_here
from components.i18n import t
from components.i18n_core import tr_core
from components.widgets import settings_sidebar

state.init_state()
cfg = settings_sidebar()
drawn_for = state.catalog()  # the catalog the sidebar was drawn for
st.title(t("Catalog"))
first_run_guide()
source_picker()
raw = state.table()
if raw is not None:
    sheet_picker(raw)
    file_facts(raw)
    preview(raw.frame)
    mapping_form(raw)
cat = state.catalog()
if cat is not drawn_for:  # a new file or mapping: the sidebar (column weights, language)
    st.rerun()            # and the settings below are drawn again for it
if cat is not None:
    st.subheader(t('Mapped catalog: {md_text}', md_text=md_text(state.shown_name(cat))))
    st.caption(t('Text compared: {md_text} · id: {md_text2}',
                 md_text=md_text(' + '.join(cat.mapping.text_columns)),
                 md_text2=md_text(cat.mapping.id_column or t('row numbers')))
               + (t(' · model numbers compared: {md_text}', md_text=md_text(
                   cat.mapping.model_number)) if cat.mapping.model_number else ""))
    row_numbers_note(raw, cat.mapping)
    unnamed_roles_note(cat)
    language_panel()
    st.markdown("- " + t("{rows:,} rows", rows=cat.report.rows))
    for line in cat.report.lines()[1:]:  # after its "2,554 rows": the report's notes
        st.markdown(f"- {md_text(tr_core(line))}")
    with st.spinner(t("Comparing the prices of products with the same model number…")):
        price_note = cat.price_note()  # a price column that prices one product far apart
    if price_note:
        st.warning(md_text(tr_core(price_note)), icon=":material/payments:")
    long_texts = truncated_count(cat, cfg)
    if long_texts:
        st.markdown(t('- {long_texts:,} texts are longer than the model reads; only their beginning is '
                      'compared', long_texts=long_texts))
    photos.photo_source_form(cat)
    res = state.results()
    if res is None and st.button(t("Prepare the lists now"), key="catalog.embed",
                                 icon=":material/bolt:",
                                 help=t("The model reads every product once, then each "
                                        "product's most similar products are found (the "
                                        "Neighbours page does this by itself). Texts read "
                                        "before are reused.")):
        res = ensure_results(cat, cfg)
        pool(res, cfg)  # the lists too: 24,628 products took 55 s more on Neighbours after it
    photos.issues_report(res.images if res is not None else None)  # after the lists are made
    if res is not None:
        st.success(ready_text(res))
    words_used_here("mapping", "neighbour", "model")
    next_step("pages/neighbors.py", t("Next: see each product's neighbours"))
