"""Open results: a results folder (lists, vectors, map) shown from disk, page by page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from components import state
from components.i18n import t
from components.tables import headed, show_table
from components.text import md
from components.widgets import excel_sample_warning, export_buttons
from core.errors import CatalogSimilarityError
from core.export.lists_file import FILE_ENGINE, import_lists_file
from core.export.results import ResultsFolder, export_frame

PAGE_SIZES = (25, 50, 100, 200)
MAP_POINTS = 20_000
LIST_FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet", "json"]


def results_picker() -> ResultsFolder | None:
    """A lists file to upload, or a folder (or file) path box + Open; the opened results
    (re-read from the manifest), or None."""
    upload = st.file_uploader(t("A lists file downloaded from Export (CSV, Excel, Parquet or JSON)"),
                              type=LIST_FILE_TYPES, key="open_results.upload")
    if upload is not None:  # read once per file, not on every rerun
        error = state.memo("open_results.upload", upload.file_id,  # one id per upload
                           lambda: _import(upload.getvalue(), upload.name))
        if error is not None and not state.opened_results():
            state.show_error(error)
    imported = _imported_root()
    shown = state.opened_results() or ""
    with st.form("open_results.form", border=False):
        path = st.text_input(t("…or a results folder or lists file on the server"),
                             value="" if Path(shown).parent == imported else shown,
                             placeholder=t("/data/nightly/results"), key="open_results.path",
                             help=t("A folder written by python -m core neighbors CATALOG "
                                  "--out FOLDER/ (one process or --engine ray), or a lists file "
                                  "it wrote with --out lists.csv"))
        opened = st.form_submit_button(t("Open"), icon=":material/folder_open:",
                                       key="open_results.open")
    if opened:
        chosen = Path(path.strip()).expanduser() if path.strip() else None
        if chosen is not None and chosen.is_file():
            error = _import(chosen.read_bytes(), chosen.name)
            if error is not None:
                state.show_error(error)
        else:
            state.set_opened_results(str(chosen) if chosen else None)
    current = state.opened_results()
    if not current:
        st.info(t("Upload a lists file, or give the path of a results folder and press Open."))
        return None
    try:
        return ResultsFolder.open(current)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return None


def _imported_root() -> Path:
    """Where lists files opened on this page are kept as results folders (the session's)."""
    return state.session_store().root / "opened_lists"


def _import(data: bytes, name: str) -> CatalogSimilarityError | None:
    """Turn a lists file into a results folder in the session's folder and open it; the
    error that says what to fix, if it cannot be read."""
    with st.spinner(t("Reading {name}…", name=md(name))):  # a spinner reads Markdown
        try:
            folder = import_lists_file(data, name, _imported_root())
        except CatalogSimilarityError as exc:
            state.set_opened_results(None)
            return exc
    state.set_opened_results(str(folder.root))
    return None


def results_summary(folder: ResultsFolder) -> None:
    m = folder.manifest
    if m.get("engine") == FILE_ENGINE:  # a lists file: no run to describe
        st.caption(t("{products:,} products · up to {k} neighbours each · {count:,} list rows · "
                     "from the file {name}", products=m.get("products", 0), k=m.get("k", "?"),
                     count=folder.count(), name=md(m.get("source_file", "?"))))
        return
    st.caption(t("{products:,} products · top {k} · {metric} · {count:,} list rows · written "
                 "{created} by the {engine} engine", products=m.get("products", 0),
                 k=md(m.get("k", "?")), metric=md(m.get("metric", "?")), count=folder.count(),
                 created=md(m.get("created", "?")), engine=md(m.get("engine", "?"))))
    with st.expander(t("Advanced: how these lists were made")):
        where = m.get("where") or {"everything": "one process"}
        st.dataframe(headed(pd.DataFrame([{"step": k, "ran on": v} for k, v in where.items()])),
                     hide_index=True,
                     key="open_results.where")
        st.json(m.get("config", {}), expanded=False)


def results_table(folder: ResultsFolder) -> str:
    """The filter box and one page of the lists; returns the filter."""
    query = st.text_input(t("Find products (part of an id or title)"), key="open_results.query")
    c1, c2 = st.columns(2)
    size = c1.selectbox(t("Rows per page"), PAGE_SIZES, index=1, key="open_results.size")
    total = folder.count(query)
    pages = max(1, -(-total // size))
    page = c2.number_input(t('Page (of {pages:,})', pages=pages), min_value=1, max_value=pages, value=1,
                           key="open_results.page")
    start = (int(page) - 1) * size
    frame = folder.page(start, size, query)
    st.caption(t("Rows {first:,}-{last:,} of {total:,}", first=start + 1 if total else 0,
                 last=start + len(frame), total=total)
               + (t(" matching '{query}'", query=md(query)) if query else ""))
    # the score pinned beside the title and rank: at 1024 px it was off to the right
    show_table(frame, key="open_results.table", title_width="medium")
    return query


def results_export(folder: ResultsFolder, query: str) -> None:
    st.markdown(t("**Export** the lists shown (every page, this filter)") if query else
                t("**Export** the lists shown (every page)"))

    def frame():
        try:
            return export_frame(folder, query)
        except CatalogSimilarityError as exc:
            state.show_error(exc)
            return folder.page(0, 0)

    warning = state.memo("open_results.excel_ids", str(folder.root.resolve()),
                         lambda: excel_sample_warning(folder.id_sample()))
    export_buttons(frame, f"{folder.root.name or 'results'}_neighbors", key="open_results.export",
                   csv_warning=warning)


def results_map(folder: ResultsFolder) -> None:
    from core.figures import build_map

    points = folder.map_sample(limit=MAP_POINTS)
    if points is None:
        if folder.manifest.get("engine") == FILE_ENGINE:  # a lists file never has one
            return
        st.caption(t("No map in this folder (add --map when writing it)."))
        return
    st.subheader(t("Map"))
    st.caption(t("{n:,} points", n=len(points)) + (t(" (a sample of at most {most:,})",
                                                     most=MAP_POINTS)
                                                   if len(points) >= MAP_POINTS else ""))
    ids = points["id"].astype(str).tolist()
    st.plotly_chart(build_map(points[["x", "y"]].to_numpy(), ids, ids=ids),
                    key="open_results.map")
