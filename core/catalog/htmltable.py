"""Tables of a web page: what many shop systems export under an Excel name.

A "products.xls" from a shop backend is often not a workbook at all but an HTML page
holding one <table> (Excel opens it, so nobody notices). This reads the cells of every
table with the standard library's parser (no script runs, nothing is fetched, no
entity is expanded beyond HTML's own), and gives the largest table's rows as text.
Cells spanning several columns are widened with empty cells, so columns stay in line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from core.errors import CatalogError

MAX_SPAN = 64  # a colspan larger than this is read as 1 (a hostile span cannot grow memory)
_SPACE = re.compile(r"\s+")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|table|body)\b",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(data: bytes) -> bool:
    """Whether bytes start as a web page or an HTML table (after a UTF-8 BOM or blanks)."""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: compare the ASCII letters
        head = head[2:].replace(b"\x00", b"")
    return bool(_HTML_START.match(head))


class _Tables(HTMLParser):
    def __init__(self, max_rows: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_rows = max_rows
        self.tables: list[list[list[str]]] = []
        self._open: list[list[list[str]]] = []  # nested tables: their rows so far
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._skip = 0  # inside <script> / <style>

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._end_row()
            self._open.append([])
        elif not self._open:
            return
        elif tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell, self._span = [], _span(dict(attrs).get("colspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif not self._open:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.tables.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._end_row()
        while self._open:  # a table never closed still counts
            self.tables.append(self._open.pop())

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        self._row.append(_SPACE.sub(" ", "".join(self._cell)).strip())
        self._row.extend([""] * (self._span - 1))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and self._open:
            rows = self._open[-1]
            if len(rows) > self.max_rows:
                raise _TooMany
            rows.append(self._row)
        self._row = None


class _TooMany(Exception):
    pass


def _span(value: str | None) -> int:
    try:
        span = int(str(value).strip())
    except ValueError:
        return 1
    return span if 1 <= span <= MAX_SPAN else 1


def html_rows(text: str, name: str, max_rows: int) -> list[list[str]]:
    """The rows of the page's largest table (the one with the most rows; cells as text,
    blank rows dropped). CatalogError when the page holds no table."""
    parser = _Tables(max_rows + 64)  # a few title rows above the header are not products
    try:
        parser.feed(text)
        parser.close()
    except _TooMany:
        raise CatalogError(f"{name} has more than {max_rows:,} rows, the limit; split the file "
                           "or raise $CATSIM_MAX_ROWS") from None
    tables = [[row for row in rows if any(row)] for rows in parser.tables]
    tables = [rows for rows in tables if rows]
    if not tables:
        raise CatalogError(f"{name} is a web page (HTML) without a table of products; open it "
                           "in Excel and save it as .xlsx or CSV")
    return max(tables, key=len)


__all__ = ["html_rows", "looks_like_html"]
