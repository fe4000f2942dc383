"""Catalog page blocks: source choice, validation report, column mapping form."""

from __future__ import annotations

import io
from typing import BinaryIO

import streamlit as st

from components import state, text
from components.i18n import N_, NO_COLUMN, column_option, describe_language, labels, language_name, t
from components.i18n_core import tr_core
from components.text import md as md_text
from core.catalog.fetch import download_catalog
from core.catalog.language import LANGUAGE_SETTINGS
from core.catalog.limits import current_limits, describe
from core.catalog.table import (
    DUPLICATE_POLICIES,
    ColumnMapping,
    RawTable,
    build_catalog,
    field_defaults,
    passed_over_id_column,
    read_table,
    unnamed_role_columns,
)
from core.errors import CatalogSimilarityError, ParseCheckError

# Any file name: the reader tells a file by its bytes (a "products.xls" that is a web page,
# a feed saved as .txt) and says what to do with one it cannot read; a list of fourteen
# extensions ran past the uploader's width at 1024 px, and shop exports carry many more
UPLOAD_TYPES = None
# The id choice that means "no id column: use row numbers" (Config.id_column "@row").
ROW_NUMBERS_LABEL = N_("(row numbers)")
NONE = NO_COLUMN
DUPLICATE_NAMES = {"error": N_("Stop and show them"), "keep-first": N_("Keep the first"),
                   "suffix": N_("Keep all, numbering the copies")}


ROLE_LABELS = {"category": N_("Category"), "brand": N_("Brand"), "price": N_("Price"),
               "image": N_("Image"), "model_number": N_("Model number")}
ROLE_HELP = {"model_number": N_(
    "The maker's model number or part number (MPN), or a barcode (EAN, UPC, GTIN, ISBN), not "
    "your own SKU. Two products whose numbers differ are never scored as the same product (a "
    "colour or size of one model usually has its own number), and equal ones count as the "
    "same product.")}

def source_picker() -> None:
    """Demo button and uploader; a bad file leaves the loaded catalog in place."""
    # One above the other: side by side, a narrow column cut the button's label and the
    # uploader's list of file types short ("Back to the demo catal…") at 1280 px and less.
    upload = st.file_uploader(t("Upload your catalog (CSV, Excel, LibreOffice, Parquet, or a "
                                "product feed: XML or JSON)"),
                              type=UPLOAD_TYPES, key="catalog.upload",
                              help=tr_core(describe(current_limits())))
    web = st.container()  # filled last: a new upload or the demo lets go of a held download
    on_demo = state.catalog() is not None and state.catalog().name == state.DEMO_NAME
    if st.button(t("Back to the demo catalog"), key="catalog.use_demo", disabled=on_demo,
                 icon=":material/storefront:",
                 help=t("The demo shop is open now.") if on_demo else
                      t("Leave your catalog and open the demo shop (2,554 products).")):
        st.session_state.pop(WEB_FILE, None)
        state.load_demo()
    if upload is not None:
        _read_upload(upload)
    with web:
        web_address_picker()


def _read_upload(upload) -> None:
    """Read an upload once (again only after read_form's choices, while it reads wrongly)."""
    marker = f"{upload.name}:{upload.size}:{getattr(upload, 'file_id', '')}"
    if st.session_state.get("catalog.loaded_upload") == marker:
        return
    st.session_state.pop(WEB_FILE, None)  # the newest file is the one read
    if st.session_state.get("catalog.read.for") != marker:  # a new file: detect again
        state.forget_widgets(("catalog.read.",))
        st.session_state["catalog.read.for"] = marker
    raw = load_upload(upload)
    if raw is None:
        return
    st.session_state["catalog.loaded_upload"] = marker
    _adopt(upload.name, upload.getvalue(), raw)


def _adopt(name: str, data: bytes, raw: RawTable) -> None:
    """A file read well becomes the catalog: kept for reloads, mapped when it can be."""
    state.keep_upload(name, data, raw.sheet, read_choices())
    state.set_table(raw)
    _try_auto_map(raw)


WEB_FILE = "catalog.url.file"  # (name, bytes) downloaded, until it reads well
EXAMPLE_ADDRESS = "https://shop.example.com/feed.xml"  # an address, in every language


def web_address_picker() -> None:
    """A catalog from a web address: the shop's product feed or an export it publishes,
    downloaded by the server now (core.catalog.fetch.download_catalog: public addresses
    only, the upload size limit), then read and kept as an uploaded file is."""
    with st.form("catalog.url.form", border=False, enter_to_submit=True):
        a, b = st.columns([5, 1], vertical_alignment="bottom")
        url = a.text_input(
            t("…or the web address of your product feed or catalog file"),
            key="catalog.url", placeholder=EXAMPLE_ADDRESS,
            help=t("The file at this address is downloaded once, now (public web addresses "
                   "only, up to the upload size limit); load it again to read a newer "
                   "version. A Google Sheet's link (shared with anyone who has the link) loads "
                   "the sheet, a Dropbox link the file. Nightly: python -m core neighbors "
                   "ADDRESS --config ..."))
        go = b.form_submit_button(t("Load"), icon=":material/link:")
    address = url.strip()
    if go and address:
        try:
            with st.spinner(t("Downloading {url}…", url=md_text(address))):
                data, name = download_catalog(address, max_bytes=current_limits().max_bytes)
        except CatalogSimilarityError as exc:
            state.show_error(exc)
            return
        if st.session_state.get("catalog.read.for") != f"url:{address}":
            state.forget_widgets(("catalog.read.",))  # another file: detect again
            st.session_state["catalog.read.for"] = f"url:{address}"
        st.session_state[WEB_FILE] = (name, data)
    held = st.session_state.get(WEB_FILE)
    if held is None:
        return
    name, data = held
    upload = io.BytesIO(data)
    upload.name = name
    raw = load_upload(upload)  # a file that reads wrongly stays held for read_form's choices
    if raw is None:
        return
    st.session_state.pop(WEB_FILE, None)
    _adopt(name, data, raw)


def load_upload(upload: BinaryIO, *, sheet: str | None = None) -> RawTable | None:
    """Read an upload (size checked before it is read); on a problem show it and keep
    the catalog loaded before. Returns the table or None."""
    upload.seek(0)  # the same upload is read again when another sheet is picked
    name = getattr(upload, "name", None)
    try:
        with st.spinner(t("Reading {name}…", name=md_text(name or ""))):  # 50k-row workbook: ~15 s
            return read_table(upload, name, sheet=sheet, **read_choices())
    except ParseCheckError as exc:  # read, but it looks wrong: show the lines, ask
        state.show_error(exc)
        read_form(exc)
        return None
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        if state.catalog() is not None:
            st.caption(t('The catalog loaded before ({md_text}) is still in use.',
                         md_text=md_text(state.shown_name(state.catalog()))))
        return None


DETECT = N_("(detect)")
DELIMITERS = {DETECT: None, N_(", comma"): ",", N_("; semicolon"): ";", N_("tab"): "\t",
              N_("| pipe"): "|", N_(": colon"): ":", N_("# hash"): "#", N_("space"): " "}
ENCODINGS = (DETECT, "utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252", "latin-1", "cp932", "cp949",
             "cp1251")


def preview(frame) -> None:
    """The file's first 200 rows, each column as wide as its widest cell in the first 50
    (up to 400 px; a Chinese character counts twice). Set here, not measured by the table:
    a table measures its columns once, so an uploaded file with the demo's column names
    ("id") kept the demo's narrow widths and an 8-digit id showed as its first 6 digits."""
    head = frame.head(200)
    config = {}
    for col in head.columns:
        cells = [str(col), *head[col].head(50).astype(str)]
        chars = max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in cell) for cell in cells)
        config[str(col)] = st.column_config.Column(width=min(400, max(50, 7 * chars + 20)))
    st.dataframe(head, hide_index=True, height=260, column_config=config)


def read_choices() -> dict:
    """The delimiter, header and encoding the user chose in read_form (default: detect)."""
    get = st.session_state.get
    encoding = get("catalog.read.encoding", DETECT)
    return {"delimiter": DELIMITERS.get(get("catalog.read.delimiter", DETECT)),
            "encoding": None if encoding == DETECT else encoding,
            "header": bool(get("catalog.read.header", True)),
            "allow_ragged": bool(get("catalog.read.anyway", False))}


def read_form(exc: ParseCheckError) -> None:
    """The file's first lines as they are, and how to read it instead of going ahead."""
    st.markdown(t("**The first lines of the file, exactly as they are:**"))
    st.code("\n".join(exc.first_lines) or t("(no lines)"), language=None, wrap_lines=True)
    with st.form("catalog.read"):
        a, b, c = st.columns(3)
        a.selectbox(t("Delimiter"), list(DELIMITERS), key="catalog.read.delimiter",
                    format_func=labels(list(DELIMITERS)))
        b.selectbox(t("Encoding"), ENCODINGS, key="catalog.read.encoding",
                    format_func=labels((DETECT,)))
        c.checkbox(t("First line is column names"), value=True, key="catalog.read.header")
        st.checkbox(t("Read anyway (rows that do not fit are skipped and listed)"),
                    key="catalog.read.anyway")
        st.form_submit_button(t("Read the file again"), type="primary")


def sheet_picker(raw: RawTable) -> None:
    """For workbooks with several sheets: pick one and re-read."""
    if len(raw.sheets) < 2:
        return
    sheet = st.selectbox(t('Sheet ({n} in this workbook)', n=len(raw.sheets)), raw.sheets,
                         index=raw.sheets.index(raw.sheet), key="catalog.sheet")
    if sheet == raw.sheet:
        return
    upload = st.session_state.get("catalog.upload")
    if upload is None:
        return
    new = load_upload(upload, sheet=sheet)
    if new is not None:
        state.keep_upload(upload.name, upload.getvalue(), sheet, read_choices())
        state.set_table(new)
        _try_auto_map(new)
        st.rerun()


def _try_auto_map(raw: RawTable) -> None:
    try:
        mapping = field_defaults(raw.frame)
        cat = build_catalog(raw, mapping, on_duplicate_ids="suffix")
    except CatalogSimilarityError as exc:
        st.warning(t('Choose the columns below: {md_text}', md_text=md_text(tr_core(exc))))
        return
    if cat.report.duplicate_ids:
        dups = cat.report.duplicate_ids
        shown = ", ".join(dups[:5]) + ("…" if len(dups) > 5 else "")
        st.warning(t("Duplicate ids found: review the mapping below and choose how to handle them.")
                   + " " + t("{n:,} ids appear more than once in column {column}: {ids}.",
                             n=len(dups), column=md_text(mapping.id_column),
                             ids=md_text(shown)))
        return
    state.set_catalog(cat, state.config_from_mapping(mapping))


def unnamed_roles_note(cat) -> None:
    """Says so when the titles seldom name the brand (a bookshop's Author) and the lists
    compare only them, and which columns to add to the text columns (unnamed_role_columns)."""
    extra, share = unnamed_role_columns(cat.frame, cat.mapping)
    if not extra:
        return
    st.info(t("Your titles seldom name the {brand} ({share:.0%} of them), and the lists compare "
              "only the text columns, so they cannot follow it. To compare it too, add {columns} "
              "to the text columns above.", brand=md_text(extra[0]), share=share,
              columns=t(" and ").join(md_text(c) for c in extra)),
            icon=":material/lightbulb:")


def row_numbers_note(raw: RawTable | None, mapping, *, export: bool = False) -> None:
    """Why products are named by row number when the file has a column named like ids
    (too many repeated or blank ids for one per product): the exports then carry row
    numbers, which the shop's recommender cannot join to its products. export: said on
    the Export page (the mapping is on the Catalog page)."""
    if raw is None or mapping.id_column is not None:
        return
    passed = passed_over_id_column(raw.frame)
    if passed is None:
        if export:
            st.caption(t("Ids in this file are row numbers (0 = the first product of your "
                         "file): your catalog has no id column."))
        return
    column, distinct = passed
    facts = {"column": md_text(column), "distinct": distinct, "rows": len(raw.frame)}
    if export:
        st.info(t("Ids in this file are row numbers (0 = the first product of your file): "
                  "column {column} has {distinct:,} different ids in {rows:,} rows, too few "
                  "for one per product. To carry your ids, choose {column} as the id column "
                  "on the Catalog page and say how to handle the ids that repeat.", **facts),
                icon=":material/info:")
        return
    st.info(t("Products are named by row number: column {column} has {distinct:,} different "
              "ids in {rows:,} rows, too few for one per product. The lists and exports will "
              "carry row numbers. To carry your ids, choose {column} as the id column above "
              "and say how to handle the ids that repeat.", **facts), icon=":material/info:")


def file_facts(raw: RawTable) -> None:
    facts = [f"**{md_text(raw.source)}**", t("{rows:,} rows", rows=len(raw.frame)),
             t("{columns} columns", columns=raw.frame.shape[1])]
    if raw.encoding:
        facts.append(t("encoding {encoding}", encoding=md_text(raw.encoding)))
    if raw.delimiter:
        facts.append(t("delimiter {delimiter}", delimiter=md_text(repr(raw.delimiter))))
    if raw.sheet:
        facts.append(t("sheet '{sheet}'", sheet=md_text(raw.sheet)))
    st.markdown(" · ".join(facts))
    for warning in raw.warnings:
        text.warning(tr_core(warning))


def mapping_form(raw: RawTable) -> None:
    """Column mapping; applying it builds the catalog (or shows why not)."""
    cols = [str(c) for c in raw.frame.columns]
    current = _current_mapping(raw)
    with st.form("catalog.mapping"):
        st.markdown(t("**Which column holds what**"))
        a, b = st.columns(2)
        id_opts = [ROW_NUMBERS_LABEL, *cols]
        id_col = a.selectbox(t("Id column"), id_opts,
                             index=id_opts.index(current.id_column or ROW_NUMBERS_LABEL),
                             format_func=labels((ROW_NUMBERS_LABEL,)))
        texts = b.multiselect(t("Text columns, in order"), cols,
                              default=[c for c in current.text_columns if c in cols],
                              placeholder=t("Choose one or more"),
                              help=t("The columns that describe the product (title first, then "
                                   "e.g. description). Their text is what is compared."))
        roles = {}
        # two a row: four in a row cut a column name as short as "manufacturer" at 1024 px
        grid = [*st.columns(2), *st.columns(2), *st.columns(2)]
        for col, role in zip(grid, ROLE_LABELS):
            opts = [NONE, *cols]
            value = getattr(current, role) or NONE
            roles[role] = col.selectbox(t(ROLE_LABELS[role]), opts, index=opts.index(value),
                                        format_func=column_option(),
                                        help=t(ROLE_HELP[role]) if role in ROLE_HELP else None)
        policy = st.radio(t("When an id appears twice"), DUPLICATE_POLICIES, horizontal=True,
                          index=DUPLICATE_POLICIES.index(state.config().on_duplicate_ids),
                          format_func=labels(DUPLICATE_NAMES))
        submitted = st.form_submit_button(t("Use these columns"), type="primary")
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
    st.success(t('Mapped {n:,} products.', n=len(cat)))


def _current_mapping(raw: RawTable) -> ColumnMapping:
    cat = state.catalog()
    if cat is not None and list(cat.frame.columns) == list(raw.frame.columns):
        return cat.mapping
    try:
        return field_defaults(raw.frame)
    except CatalogSimilarityError:
        return ColumnMapping(text_columns=())


LANGUAGE_LABELS = {"auto": N_("Automatic (from the texts)"), "en": N_("English"), "zh": N_("Chinese")}


def language_panel() -> None:
    """The catalog's language, what it chose (model, hybrid weight), and the override."""
    lang, cfg = state.catalog_language(), state.config()
    if lang is None:
        return
    choice = st.selectbox(t("Catalog language"), LANGUAGE_SETTINGS,
                          index=LANGUAGE_SETTINGS.index(cfg.language),
                          format_func=labels(LANGUAGE_LABELS), key="catalog.language_setting",
                          help=t("Chooses the model and hybrid weight, unless you set them in "
                               "the sidebar"))
    if choice != cfg.language:
        state.set_language_setting(choice)
        st.rerun()
    detected = t("detected") if cfg.language == "auto" else t("set by you")
    st.caption(t('Language {detected}: {describe}', detected=detected, describe=describe_language(lang)))
    changes = state.language_changes()
    if changes:
        st.info(t('Chosen for a catalog in {name}: model {model}, hybrid weight {hybrid_weight:g}. Change '
                  'them in the sidebar.', name=language_name(lang.code),
                  model=md_text(_model_words(cfg.model)), hybrid_weight=cfg.hybrid_weight),
                icon=":material/translate:")


def _model_words(model: str) -> str:
    """A built-in model by the name the sidebar gives it; any other by its id or folder."""
    from components.advanced import BUNDLED, MULTILINGUAL, model_name

    return model_name(model) if model in (BUNDLED, MULTILINGUAL) else model
