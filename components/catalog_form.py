"""Catalog page blocks: source choice, validation report, column mapping form."""

from __future__ import annotations

import re
from typing import BinaryIO

import streamlit as st

from components import state
from core.catalog.language import LANGUAGE_SETTINGS
from core.catalog.limits import current_limits, describe
from core.catalog.table import (
    DUPLICATE_POLICIES,
    ColumnMapping,
    RawTable,
    build_catalog,
    field_defaults,
    read_table,
)
from core.errors import CatalogSimilarityError

_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#!|~$&]")
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"]
# The id choice that means "no id column: use row numbers" (Config.id_column "@row").
ROW_NUMBERS_LABEL = "(row numbers)"
NONE = "(none)"


def source_picker() -> None:
    """Demo button and uploader; a bad file leaves the loaded catalog in place."""
    left, right = st.columns([1, 3])
    if left.button("Use demo catalog", key="catalog.use_demo", type="primary",
                   icon=":material/storefront:"):
        state.load_demo()
    upload = right.file_uploader("Upload a catalog (CSV, TSV, Excel or Parquet)",
                                 type=UPLOAD_TYPES, key="catalog.upload",
                                 help=describe(current_limits()))
    if upload is None:
        return
    marker = f"{upload.name}:{upload.size}:{getattr(upload, 'file_id', '')}"
    if st.session_state.get("catalog.loaded_upload") == marker:
        return
    raw = load_upload(upload)
    if raw is None:
        return
    st.session_state["catalog.loaded_upload"] = marker
    state.set_table(raw)
    _try_auto_map(raw)


def load_upload(upload: BinaryIO, *, sheet: str | None = None) -> RawTable | None:
    """Read an upload (size checked before it is read); on a problem show it and keep
    the catalog loaded before. Returns the table or None."""
    upload.seek(0)  # the same upload is read again when another sheet is picked
    try:
        return read_table(upload, getattr(upload, "name", None), sheet=sheet)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        if state.catalog() is not None:
            st.caption(f"The catalog loaded before ({md_text(state.catalog().name)}) "
                       "is still in use.")
        return None


def sheet_picker(raw: RawTable) -> None:
    """For workbooks with several sheets: pick one and re-read."""
    if len(raw.sheets) < 2:
        return
    sheet = st.selectbox(f"Sheet ({len(raw.sheets)} in this workbook)", raw.sheets,
                         index=raw.sheets.index(raw.sheet), key="catalog.sheet")
    if sheet == raw.sheet:
        return
    upload = st.session_state.get("catalog.upload")
    if upload is None:
        return
    new = load_upload(upload, sheet=sheet)
    if new is not None:
        state.set_table(new)
        _try_auto_map(new)
        st.rerun()


def _try_auto_map(raw: RawTable) -> None:
    try:
        mapping = field_defaults(raw.frame)
        cat = build_catalog(raw, mapping, on_duplicate_ids="suffix")
    except CatalogSimilarityError as exc:
        st.warning(f"Choose the columns below: {exc}")
        return
    if cat.report.duplicate_ids:
        st.warning("Duplicate ids found: review the mapping below and choose how to handle them.")
        return
    state.set_catalog(cat, state.config_from_mapping(mapping))


def md_text(text: object) -> str:
    """Catalog text made literal for st.markdown: every markdown/HTML character escaped."""
    return _MD_SPECIAL.sub(r"\\\g<0>", str(text)).replace("\n", " ")


def file_facts(raw: RawTable) -> None:
    facts = [f"**{md_text(raw.source)}**", f"{len(raw.frame):,} rows",
             f"{raw.frame.shape[1]} columns"]
    if raw.encoding:
        facts.append(f"encoding {raw.encoding}")
    if raw.delimiter:
        facts.append(f"delimiter {md_text(repr(raw.delimiter))}")
    if raw.sheet:
        facts.append(f"sheet '{md_text(raw.sheet)}'")
    st.markdown(" · ".join(facts))
    for warning in raw.warnings:
        st.warning(md_text(warning))


def mapping_form(raw: RawTable) -> None:
    """Column mapping; applying it builds the catalog (or shows why not)."""
    cols = [str(c) for c in raw.frame.columns]
    current = _current_mapping(raw)
    with st.form("catalog.mapping"):
        st.markdown("**Column mapping**")
        a, b = st.columns(2)
        id_opts = [ROW_NUMBERS_LABEL, *cols]
        id_col = a.selectbox("Id column", id_opts,
                             index=id_opts.index(current.id_column or ROW_NUMBERS_LABEL))
        texts = b.multiselect("Text columns, in order", cols,
                              default=[c for c in current.text_columns if c in cols])
        roles = {}
        for col, role in zip(st.columns(4), ("category", "brand", "price", "image")):
            opts = [NONE, *cols]
            value = getattr(current, role) or NONE
            roles[role] = col.selectbox(role.capitalize(), opts, index=opts.index(value))
        policy = st.radio("Duplicate ids", DUPLICATE_POLICIES, horizontal=True,
                          index=DUPLICATE_POLICIES.index(state.config().on_duplicate_ids))
        submitted = st.form_submit_button("Apply mapping", type="primary")
    if not submitted:
        return
    mapping = ColumnMapping(text_columns=tuple(texts),
                            id_column=None if id_col == ROW_NUMBERS_LABEL else id_col,
                            **{r: (None if v == NONE else v) for r, v in roles.items()})
    try:
        cat = build_catalog(raw, mapping, on_duplicate_ids=policy)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return
    state.set_catalog(cat, state.config_from_mapping(mapping).with_changes(
        on_duplicate_ids=policy))
    st.success(f"Mapped {len(cat):,} products.")


def _current_mapping(raw: RawTable) -> ColumnMapping:
    cat = state.catalog()
    if cat is not None and list(cat.frame.columns) == list(raw.frame.columns):
        return cat.mapping
    try:
        return field_defaults(raw.frame)
    except CatalogSimilarityError:
        return ColumnMapping(text_columns=())


LANGUAGE_LABELS = {"auto": "Automatic (from the texts)", "en": "English", "zh": "Chinese"}


def language_panel() -> None:
    """The catalog's language, what it chose (model, hybrid weight), and the override."""
    lang, cfg = state.catalog_language(), state.config()
    if lang is None:
        return
    choice = st.selectbox("Catalog language", LANGUAGE_SETTINGS,
                          index=LANGUAGE_SETTINGS.index(cfg.language),
                          format_func=LANGUAGE_LABELS.__getitem__, key="catalog.language_setting",
                          help="Chooses the model and hybrid weight, unless you set them in "
                               "the sidebar")
    if choice != cfg.language:
        state.set_language_setting(choice)
        st.rerun()
    detected = "detected" if cfg.language == "auto" else "set"
    st.caption(f"Language {detected}: {lang.describe()}")
    changes = state.language_changes()
    if changes:
        st.info(f"Chosen for a catalog in {lang.name}: model {cfg.model}, hybrid weight "
                f"{cfg.hybrid_weight:g}. Change them in the sidebar.", icon=":material/translate:")
