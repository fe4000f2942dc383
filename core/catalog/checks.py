"""Checks that stop a badly parsed file before it is mapped (issue 13, item 5).

A file read with the wrong delimiter, without a header or in the wrong
encoding still "reads": most rows come out ragged (and are skipped) or the
first product becomes the header. Rather than go ahead with what is left,
:func:`check_parse` raises :class:`~core.errors.ParseCheckError` carrying the
first raw lines, so the app can show them and ask for delimiter, header and
encoding, and the CLI can name the flags that override its guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from core.errors import ParseCheckError, short_list

# More ragged rows than this share (and more than MIN_RAGGED of them) stop the read.
MAX_RAGGED_SHARE = 0.05
MIN_RAGGED = 3
FIRST_LINES = 10
_DATA_LIKE = re.compile(r"\s*([$€£¥]?\s*[+-]?\d[\d,]*\.?\d*\s*[$€£¥%]?|https?://\S+|www\.\S+)\s*",
                        re.IGNORECASE)
_RUN = re.compile(r"([^\w\s\"'.()\-])\1+")
_OVERRIDE = ("set the delimiter, header and encoding yourself (app: the 'Read it as' "
             "choices; CLI: --delimiter, --no-header, --encoding), or read it anyway "
             "(app: 'Read anyway'; CLI: --allow-ragged)")
_OVERRIDE_CLI = ("give the delimiter, header and encoding yourself (--delimiter, --no-header, "
                 "--encoding), or read it anyway (--allow-ragged)")


def first_lines(text: str, n: int = FIRST_LINES, width: int = 300) -> tuple[str, ...]:
    """The first n raw lines of a decoded file, each cut at ``width`` characters."""
    out = []
    for line in text.splitlines()[:n]:
        out.append(line if len(line) <= width else line[:width] + "…")
    return tuple(out)


def check_parse(name: str, header: list[str], kept: int, ragged: int, *, text: str,
                encoding: str | None, delimiter: str | None, header_given: bool = True) -> None:
    """Raise ParseCheckError when many rows were ragged or the header looks like data."""
    total = kept + ragged
    reasons = []
    if ragged >= MIN_RAGGED and ragged > MAX_RAGGED_SHARE * total:
        reasons.append(f"{ragged:,} of {total:,} rows have a different number of fields than "
                       f"the header ({len(header)} with delimiter {delimiter!r})")
    data_like = [h for h in header if _DATA_LIKE.fullmatch(h)] if header_given else []
    run = _RUN.search(header[0]) if len(header) == 1 and header_given else None
    if run:
        reasons.append(f"every line is one column, and the first holds {run.group(0)!r}, "
                       "which may be the separator")
    if data_like:
        reasons.append(f"the first line looks like a product, not column names "
                       f"({short_list(data_like, 3)})")
    if reasons:
        found = f"{name} may not be read right: {'; '.join(reasons)}. Look at its first lines"
        raise ParseCheckError(f"{found} and {_OVERRIDE}", cli=f"{found} and {_OVERRIDE_CLI}",
                              first_lines=first_lines(text), encoding=encoding,
                              delimiter=delimiter)


HEADER_SCAN_ROWS = 20


def header_row(rows: Sequence[Sequence[object]]) -> int:
    """0-based index of the column-names row among a table's first rows (cells: str or None).

    Shop exports often put a title or an export date above the column names. Rows
    are passed over while they are blank or look like such a title: their filled
    cells are the first ones, with no gap, and fill at most half as many cells as
    the typical row (the median of the non-blank rows, so a ragged row with many
    extra fields does not count). A single-column table keeps row 0; a header with
    unnamed columns between named ones ("id,,title,") is never passed over, nor is
    row 0 when the row found below it does not read as column names (a number or a
    repeated name among its cells): "id,title,," above rows of four filled cells is
    the header, with two unnamed columns, not a title above a product.
    """
    filled = [[v is not None and str(v).strip() != "" for v in row] for row in rows]
    counts = sorted(sum(f) for f in filled if any(f))
    typical = counts[len(counts) // 2] if counts else 0
    if typical < 2:
        return 0
    for i, cells in enumerate(filled):
        n = sum(cells)
        if 2 * n <= typical and not all(cells[:n]) and _group_names(rows, filled, i, typical):
            continue
        if 2 * n > typical or not all(cells[:n]):
            return i if i == 0 or _names_row(rows[i]) else 0
    return 0


def _group_names(rows: Sequence[Sequence[object]], filled: list[list[bool]], i: int,
                 typical: int) -> bool:
    """Whether row i names groups of the column names in row i + 1 (see header_row)."""
    if i + 2 >= len(rows) or sum(filled[i + 1]) < typical:
        return False
    return _names_row(rows[i]) and _names_row(rows[i + 1]) and not _names_row(rows[i + 2])


def _names_row(row: Sequence[object]) -> bool:
    """Whether a row's filled cells read as column names: none a number, none repeated."""
    names = [str(v).strip() for v in row if v is not None and str(v).strip() != ""]
    return len(set(names)) == len(names) and not any(_NUMBER.fullmatch(v) for v in names)


_NUMBER = re.compile(r"[-+]?[\d.,\s]*\d[\d.,\s]*(?:[eE][-+]?\d+)?")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_controls(frame: pd.DataFrame) -> list[str]:
    """Replace control characters (NUL, ESC...; not tab/CR/LF) in text cells by U+FFFD.

    Changes ``frame`` in place (text columns and column names); returns warnings.
    """
    touched = []
    for col in frame.columns:
        series = frame[col]
        if series.dtype != object and not str(series.dtype).startswith("str"):
            continue
        hit = series.astype(str).str.contains(_CONTROL, regex=True)
        if hit.any():
            frame[col] = series.astype(str).str.replace(_CONTROL, "\ufffd", regex=True)
            touched.append(str(col))
    names = [_CONTROL.sub("\ufffd", str(c)) for c in frame.columns]
    if names != [str(c) for c in frame.columns]:
        frame.columns = names
        touched.append("column names")
    if not touched:
        return []
    return [(f"control characters (such as NUL or ESC) in {short_list(touched, 5)} were "
             "replaced by \ufffd")]


# ="00123": how many shop systems write a cell into CSV so that Excel keeps it as text
# (leading zeros, long numbers). Read as what Excel shows, 00123: kept as it was, the id
# in the exported lists would be ="00123" and match nothing in the shop.
_EXCEL_TEXT = re.compile(r'^="([^"]*)"$')


def unwrap_excel_text(frame: pd.DataFrame) -> list[str]:
    """Cells written ="..." (Excel's keep-as-text form) read as their text, in place;
    returns a warning naming the columns."""
    touched = []
    for col in frame.columns:
        series = frame[col]
        if series.dtype != object and not str(series.dtype).startswith("str"):
            continue
        text = series.astype(str)
        hit = text.str.startswith('="') & text.str.endswith('"')
        if hit.any():
            inner = text[hit].str.extract(_EXCEL_TEXT, expand=False)
            done = inner.notna()
            if done.any():
                frame.loc[inner.index[done], col] = inner[done]
                touched.append((str(col), int(done.sum())))
    if not touched:
        return []
    cells = sum(n for _, n in touched)
    return [f"{cells:,} cells written as =\"...\" (Excel's keep-as-text form) in "
            f"{short_list([c for c, _ in touched], 5)} were read as the text inside"]


__all__ = ["FIRST_LINES", "HEADER_SCAN_ROWS", "MAX_RAGGED_SHARE", "check_parse", "clean_controls",
           "first_lines", "header_row", "unwrap_excel_text"]
