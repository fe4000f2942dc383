"""Table renderers: paged so only the visible rows go to the browser."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from components import state
from components.i18n import N_, t
from components.i18n_core import tr_core
from core.catalog.table import Catalog
from core.catalog.views import fold, fold_all, folded_numbers
from core.export.tables import score_meaning
from core.search.evidence import model_number
from core.search.neighbors import Neighbors

PAGE_ROWS = 500
LIST_FILTER_COLUMNS = ("source_id", "source_title")
ID_COLUMNS = ("id", "source_id", "neighbor_id", "product_id", "canonical_id", "left_id",
              "right_id")
TITLE_COLUMNS = ("title", "source_title", "neighbor_title", "canonical_title", "label")
# Shown first, in this order, when present: the score never scrolls off-screen.
LEADING = ("source_title", "rank", "score", "band", "title", "neighbor_title")
CELL_HINT = N_("Double-click a cell to read all of a long text.")
# Column names core's tables use (the neighbour file contract, roles, measures), as the
# page heads them; a file's own columns (a preview, an export) keep their names.
HEADERS = frozenset((
    N_("id"), N_("title"), N_("category"), N_("brand"), N_("price"), N_("source_id"),
    N_("source_title"), N_("neighbor_id"), N_("neighbor_title"), N_("rank"), N_("score"),
    N_("band"), N_("product_id"), N_("value"), N_("field"), N_("left_id"), N_("left_title"),
    N_("right_id"), N_("right_title"), N_("neighbours"), N_("match_score"), N_("label"),
    N_("size"), N_("group"), N_("model"), N_("metric"), N_("hybrid_weight"),
    N_("configuration"), N_("overlap"),
    N_("canonical_id"), N_("canonical_title"), N_("in lists"), N_("mrr"), N_("recall"),
    N_("precision"), N_("ndcg"), N_("coherence"), N_("step"), N_("ran on"), N_("threshold")))

# Core names that read as code ("only_in_a") headed in words, in both languages.
WORDED = {"only_in_a": N_("only in A"), "only_in_b": N_("only in B"),
          "rank_corr": N_("same order (1 = the same)"), "a_id": N_("id in A"),
          "a_title": N_("title in A"), "a_score": N_("score in A"), "b_id": N_("id in B"),
          "b_title": N_("title in B"), "b_score": N_("score in B")}


def header(name: object) -> str:
    """A core column name as the page heads it: "recall@10" -> "召回率@10" in Chinese,
    "only_in_a" -> "only in A"; other names (the catalog's own columns) as they are."""
    text = str(name)
    head, at, rest = text.partition("@")
    if head in WORDED:
        return t(WORDED[head]) + at + rest
    return t(head) + at + rest if head in HEADERS else text


def headed(frame: pd.DataFrame) -> pd.DataFrame:
    """frame with its core column names headed in the interface language (for showing)."""
    return frame.rename(columns={c: header(c) for c in frame.columns})


def score_words() -> str:
    """What a list's score means in this session, in the words of the Export page and the
    CLI (core.export.tables.score_meaning): with the photos in it when the session's photo
    weight and its photos put them there."""
    res = state.results()
    return tr_core(score_meaning(state.config().image_weight,
                                 res.images if res is not None else None))


def column_setup(frame: pd.DataFrame, *, title_width: str = "large",
                 file_headers: bool = False, score_help: str | None = None
                 ) -> tuple[dict, list[str]]:
    """(column_config, column_order) for showing a table: ids as plain text (never
    links), the score pinned next to the rank, titles wide and cut by the column; rank
    and score headed in the interface language, unless file_headers (a file's preview:
    its own column names, in the file's order, nothing pinned out of it); score_help: what
    the score means, when not the lists' (score_words: a search's scores)."""
    config: dict = {}
    pin = not file_headers
    for col in frame.columns:
        name = str(col)
        label = name if file_headers else header(name)
        if name in ID_COLUMNS:
            config[name] = st.column_config.TextColumn(label, width="small")
        elif name == "source_title":  # the long table: whose list a row belongs to
            # a file's preview keeps the file's order, nothing pinned: its repeated title
            # narrow and the neighbour's medium, so that the score, the file's last column,
            # shows at 1024 px (it was off to the right)
            config[name] = st.column_config.TextColumn(
                label, width="small" if file_headers else "medium", pinned=pin)
        elif name in TITLE_COLUMNS:
            config[name] = st.column_config.TextColumn(
                label, width="medium" if file_headers else title_width)
        elif name == "score":
            config[name] = st.column_config.NumberColumn(
                name if file_headers else t("score"),
                format="%.6f" if file_headers else "%.2f",  # a file holds 6 decimals
                pinned=pin, width="small",
                help=t("How similar: {meaning}.", meaning=score_help or score_words()))
        elif name == "rank":
            config[name] = st.column_config.NumberColumn(name if file_headers else t("rank"),
                                                         pinned=pin, width=60)
        elif label != name:
            config[name] = st.column_config.Column(label)
    names = [str(c) for c in frame.columns]
    if file_headers:
        return config, names
    order = [c for c in LEADING if c in names] + [c for c in names if c not in LEADING]
    return config, order


def show_table(frame: pd.DataFrame, *, key: str, height: int | str = "auto",
               column_config: dict | None = None, title_width: str = "large",
               file_headers: bool = False, score_help: str | None = None) -> None:
    """st.dataframe with column_setup applied (no index); column_config adds or overrides
    columns' configuration (e.g. a photo column); title_width "medium" for tables in
    half-width columns; file_headers: a file's preview keeps its own column names;
    score_help: what the score means, when not the lists' (column_setup)."""
    config, order = column_setup(frame, title_width=title_width, file_headers=file_headers,
                                 score_help=score_help)
    extra = column_config or {}
    config = {**config, **extra}
    order = list(order) + [c for c in extra if c not in order] if order is not None else None
    st.dataframe(frame, hide_index=True, key=key, column_config=config, column_order=order,
                 height=height)


def paged_table(frame: pd.DataFrame, *, key: str, filter_columns: tuple[str, ...] = (),
                page_rows: int = PAGE_ROWS) -> None:
    """A filter box, a page number and one page of rows."""
    shown = frame
    if filter_columns:
        text = st.text_input(t("Filter (text in {columns})", columns=" / ".join(filter_columns)),
                             key=f"{key}.filter").strip().lower()  # matched lowercased
        if text:
            mask = pd.Series(False, index=frame.index)
            for col in filter_columns:
                mask |= frame[col].astype(str).str.lower().str.contains(text, regex=False)
            shown = frame[mask]
    pages = max(1, math.ceil(len(shown) / page_rows))
    page = st.number_input(t('Page (of {pages:,}; {n:,} rows)', pages=pages, n=len(shown)), min_value=1,
                           max_value=pages, value=1, step=1, key=f"{key}.page")
    start = (int(page) - 1) * page_rows
    show_table(shown.iloc[start:start + page_rows], key=f"{key}.table")


def paged_lists(catalog: Catalog, lists: Neighbors, *, bands: dict[str, float], key: str,
                page_rows: int = PAGE_ROWS) -> None:
    """Every product's list in long format (core.lists.rules.lists_frame), one page at a time.

    Same widgets and rows as paged_table over the whole long frame, but only
    the visible page is built: the filter matches products (ids and titles,
    lowercased once per catalog), the page is found on the running count of
    list entries (padding -1 dropped), then only its products are expanded.
    """
    label = t("Show only products whose title, id or model number contains") \
        if catalog.mapping.model_number else t("Show only products whose title or id contains")
    text = st.text_input(label, key=f"{key}.filter").strip()
    rows = matching_rows(catalog, text)
    ends = np.cumsum((lists.indices[rows] >= 0).sum(1)) if len(rows) else np.zeros(0, int)
    total = int(ends[-1]) if len(ends) else 0
    pages = max(1, math.ceil(total / page_rows))
    page = st.number_input(t('Page (of {pages:,}; {total:,} rows)', pages=pages, total=total), min_value=1,
                           max_value=pages, value=1, step=1, key=f"{key}.page")
    start = (int(page) - 1) * page_rows
    show_table(list_page(catalog, lists, rows, ends, start, page_rows, bands=bands),
               key=f"{key}.table")


def list_page(catalog: Catalog, lists: Neighbors, rows: np.ndarray, ends: np.ndarray,
              start: int, size: int, *, bands: dict[str, float]) -> pd.DataFrame:
    """Rows start..start+size of the long table of the products ``rows``.

    rows: (r,) source rows in table order; ends: (r,) running count of their
    list entries (cumsum of entries >= 0). Returns at most ``size`` rows.
    """
    from core.lists.rules import lists_frame

    first = int(np.searchsorted(ends, start, side="right"))
    last = int(np.searchsorted(ends, start + size - 1, side="right"))
    shown = rows[first:min(last + 1, len(rows))]
    frame = lists_frame(catalog, lists, bands=bands, rows=shown)
    offset = start - (int(ends[first - 1]) if first > 0 else 0)
    return frame.iloc[offset:offset + size].reset_index(drop=True)


def matching_rows(catalog: Catalog, text: str) -> np.ndarray:
    """(r,) int64 rows whose id or title contains text (case- and width-insensitive,
    core.catalog.views.fold), or whose model number does (letters and digits compared,
    core.search.evidence.model_number, as the product finder does); all when empty."""
    text = fold(text)
    if not text:
        return np.arange(len(catalog), dtype=np.int64)
    _, ids, titles, numbers = state.memo("tables.folded", str(id(catalog)), lambda: (
        catalog,  # held so that id(catalog) names this catalog while the memo lives
        fold_all(catalog.ids), fold_all(catalog.titles()), folded_numbers(catalog)))
    mask = ids.str.contains(text, regex=False) | titles.str.contains(text, regex=False)
    code = model_number(text)  # text is folded
    if numbers is not None and code:
        mask |= numbers.str.contains(code, regex=False)
    return np.nonzero(mask.to_numpy(dtype=bool))[0].astype(np.int64)
