"""Shared widgets: the settings sidebar, the product finder, export buttons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from components import state
from components import text as show_text
from components.advanced import advanced_settings
from components.i18n import N_, describe_language, labels, language_name, language_switch, t
from components.persist import start_over_button
from components.text import md
from core.catalog.language import model_reads
from core.catalog.table import Catalog
from core.catalog.views import find_products, product_label
from core.config import LANGUAGE_KEYS, Config, keys_not_set
from core.errors import CatalogSimilarityError
from core.export.tables import CSV_ENCODINGS, FORMATS, excel_changes, excel_encoding, to_bytes
from core.pipeline import MAX_QUERY_CHARS

MIME = {"csv": "text/csv", "parquet": "application/octet-stream", "json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


K_SLIDER_MAX = 50


def settings_sidebar() -> Config:
    """List length in the sidebar, every technical setting under "Advanced";
    returns the updated session Config."""
    state.show_loaded_settings("start")
    cfg = state.config()
    language_switch()
    with st.sidebar:
        # a settings file may ask for longer lists than the slider's usual 50: the slider
        # reaches them (it cut k to 50 silently, and the next settings file said 50)
        k = st.slider(t("Products per list"), 1, max(K_SLIDER_MAX, int(cfg.k)), value=int(cfg.k),
                      key="settings.k",
                      help=t("How many similar products each product's list holds. "
                           "Settings file and command line: `k`."))
        new = advanced_settings(cfg, state.catalog()).with_changes(k=int(k))
        language_notice(new.model)
    start_over_button()
    if new != cfg:
        state.mark_explicit(*(k for k in LANGUAGE_KEYS if getattr(new, k) != getattr(cfg, k)))
        state.set_config(new)
    state.show_loaded_settings("end")
    return new


def language_notice(model: str) -> None:
    """The catalog's language, and a warning when the model cannot read it."""
    lang = state.catalog_language()
    if lang is None:
        return
    st.caption(t('Catalog language: {describe}', describe=describe_language(lang)))
    if not model_reads(model, lang.code):
        st.warning(t("The model '{model}' reads English only, and this catalog is {name}: choose "
                     "'multilingual' under Advanced.", model=md(model), name=language_name(lang.code)),
                   icon=":material/translate:")


def product_picker(catalog: Catalog, key: str) -> int | None:
    """Type part of a title, id or model number, pick one product; returns its row."""
    label = t("Find a product (part of its title, id or model number)") \
        if catalog.mapping.model_number else t("Find a product (part of its title or id)")
    text = st.text_input(label, key=f"{key}.find")
    rows = find_products(catalog, text)
    if not rows:
        st.warning(t("No product matches '{md}'.", md=md(text)))
        return None
    labels = {r: product_label(catalog, r) for r in rows}
    return st.selectbox(t('Product ({n} shown)', n=len(rows)), rows, format_func=labels.__getitem__,
                        key=f"{key}.product")


def product_action(catalog: Catalog, rows: list[int], *, label: str, key: str, button: str,
                   button_key: str, icon: str) -> int | None:
    """A product picker over rows (label) beside a button: the picked row when the button
    was clicked, else None."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    pick = left.selectbox(label, rows, key=key, format_func=lambda r: product_label(catalog, r))
    return pick if right.button(button, key=button_key, icon=icon) else None


def neighbours_link(catalog: Catalog, rows: list[int], key: str) -> None:
    """The next step from products found elsewhere (search results, a group, a map
    selection): "See the neighbour list of" one of rows and "Show its neighbours", which
    opens the Neighbours page with its picker set to it."""
    pick = product_action(catalog, rows, label=t("See the neighbour list of"),
                          key=f"{key}.open_row", button=t("Show its neighbours"),
                          button_key=f"{key}.to_neighbors", icon=":material/arrow_forward:")
    if pick is not None:
        state.pick_product("neighbors", catalog, pick)
        st.switch_page("pages/neighbors.py")


FORMAT_NAMES = {"csv": N_("CSV (opens in Excel)"), "xlsx": N_("Excel workbook (.xlsx)"),
                "parquet": N_("Parquet (for data tools)"), "json": N_("JSON (for developers)")}


def query_start(query: str) -> str:
    """What a search box searches: the query, or its first MAX_QUERY_CHARS characters with a
    note saying so (a pasted page of text would keep the model reading for long)."""
    if len(query) <= MAX_QUERY_CHARS:
        return query
    st.info(t("Searched the first {limit:,} of the {n:,} characters you typed: the model would "
              "take long to read them all.", limit=MAX_QUERY_CHARS, n=len(query)))
    return query[:MAX_QUERY_CHARS]


def export_buttons(frame_fn, stem: str, key: str, *, csv_warning: str | None = None) -> None:
    """A format choice and one download button; the file is built on click.

    csv_warning: shown while CSV is chosen (e.g. :func:`excel_id_warning`)."""
    fmt = st.radio(t("File type"), FORMATS, horizontal=True, key=f"{key}.format",
                   format_func=labels(FORMAT_NAMES))
    if fmt == "csv" and csv_warning:
        st.warning(csv_warning, icon=":material/table_view:")
    with st.expander(t("File options")):
        excel = st.checkbox(
            t("Protect against spreadsheet formulas"), value=True, key=f"{key}.excel_safe",
            help=t("A cell starting with = + - or @ gets a leading ' so that Excel shows it "
                 "as text instead of running it (CSV and Excel files)."))
        encoding = st.selectbox(
            t("CSV text encoding"), CSV_ENCODINGS, index=CSV_ENCODINGS.index(default_csv_encoding()),
            format_func=labels(ENCODING_LABELS), key=f"{key}.encoding",
            help=t("Excel shows accents and Chinese right from UTF-8 with BOM or GB18030; "
                 "GB18030 is chosen when the catalog was uploaded in it."))

    def data() -> bytes:
        frame: pd.DataFrame = frame_fn()
        return to_bytes(frame, fmt, excel_safe_csv=excel, encoding=encoding)

    st.download_button(t('Download {upper}', upper=fmt.upper()), data=data, file_name=f"{stem}.{fmt}",
                       mime=MIME[fmt], key=f"{key}.download.{fmt}", type="primary",
                       on_click="ignore", icon=":material/download:")


ENCODING_LABELS = {"utf-8": N_("UTF-8"), "utf-8-sig": N_("UTF-8 with BOM (Excel)"),
                   "gb18030": N_("GB18030 (Chinese Excel)")}


def default_csv_encoding() -> str:
    """GB18030 when the catalog was uploaded in GB18030 / GBK and every text and id is in
    GBK (what Chinese Excel reads a CSV without a mark as: a character beyond it, such
    as "⭐" or "³", comes out garbled there); UTF-8 with a BOM when its texts hold any
    other non-ASCII character (without the BOM, Excel reads UTF-8 as the system's code
    page: "é", "™" or Chinese come out garbled); else plain UTF-8."""
    raw = state.table()
    upload = (raw.encoding or "").lower() if raw is not None else ""
    cat = state.catalog()
    if cat is None:
        return "utf-8"
    # every text is read once per catalog, not on each rerun of the Export page
    return state.memo("export.csv_encoding", f"{cat.identity}|{upload}",
                      lambda: excel_encoding([*cat.texts, *map(str, cat.ids)], upload))


def excel_id_warning(cat: Catalog) -> str | None:
    """What Excel does to this catalog's ids when it opens a CSV ("0001" -> 1), or None when
    it keeps them; worked out once per catalog."""
    changed = state.memo("export.excel_ids", cat.identity,
                         lambda: np.flatnonzero(excel_changes(cat.ids)))
    if not len(changed):
        return None
    example = str(cat.ids[changed[0]])
    return t("Excel changes {n:,} of your ids when it opens a CSV (e.g. {example} becomes "
             "{shown}): it reads them as numbers. To open the lists in Excel, choose the Excel "
             "workbook (.xlsx), which keeps every id as written; the CSV itself is right for "
             "loading into your shop's systems.", n=len(changed), example=md(example),
             shown=md(excel_shown(example)))


def excel_sample_warning(ids: np.ndarray) -> str | None:
    """excel_id_warning for a sample of ids (a results folder's first lists)."""
    changed = np.flatnonzero(excel_changes(ids))
    if not len(changed):
        return None
    example = str(ids[changed[0]])
    return t("Excel changes ids such as {example} (it shows {shown}) when it opens a CSV: it "
             "reads them as numbers. To open the lists in Excel, choose the Excel workbook "
             "(.xlsx), which keeps every id as written; the CSV itself is right for loading "
             "into your shop's systems.", example=md(example), shown=md(excel_shown(example)))


def excel_shown(text: str) -> str:
    """How Excel shows a number-like text in a cell of the General format (roughly)."""
    value = float(text)
    if value.is_integer() and abs(value) < 1e11:
        return str(int(value))
    return f"{value:.6G}".replace("E+0", "E+").replace("E-0", "E-") if abs(value) >= 1e11 \
        else f"{value:.10G}"


def file_stem(name: str) -> str:
    return Path(name).stem.replace(" ", "_")[:40] or "catalog"


def config_bytes(cfg: Config) -> bytes:
    """The whole configuration as the JSON file "Save configuration" downloads."""
    return cfg.to_json().encode("utf-8")


def config_file_widgets(key: str = "settings.config_file") -> None:
    """"Save configuration" (download the whole Config as JSON) and "Load configuration"
    (upload one; it replays exactly in ``python -m core neighbors CATALOG --config FILE``)."""
    import json

    st.download_button(t("Save configuration"), data=config_bytes(state.config()),
                       file_name="tuned.json", mime="application/json", key=f"{key}.save",
                       on_click="ignore", icon=":material/save:",
                       help=t("Every setting and rule in one small file. A nightly job makes "
                            "the same lists with: python -m core neighbors CATALOG --config "
                            "tuned.json --out lists.csv"))
    upload = st.file_uploader(t("Load a saved configuration (JSON)"), type=["json"], key=f"{key}.load",
                              help=t("A file saved with 'Save configuration': its settings and "
                                   "rules replace the current ones."))
    name, not_set = state.loaded_config_not_set()
    if not_set:  # as the command line warns for such a file
        st.warning(t("{name} does not set {keys} (saved by an older version?): today's "
                     "defaults are used for them, so the lists may differ from the ones "
                     "you saved. Save the settings again to record the values you want.",
                     name=md(name), keys=md(", ".join(not_set))), icon=":material/history:")
    if upload is None:
        return
    marker = f"{upload.name}:{upload.size}:{hash(upload.getvalue())}"
    if state.config_file_seen(marker):
        return
    try:
        data = json.loads(upload.getvalue().decode("utf-8-sig"))
        cfg = Config.from_dict(data)
        state.adopt_config(cfg)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        show_text.error(t('{name} is not a JSON configuration ({exc})', name=upload.name, exc=exc))
        return
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return
    state.mark_config_file(marker, upload.name, tuple(keys_not_set(data)))
    st.rerun()
