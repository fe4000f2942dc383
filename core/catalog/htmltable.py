"""Tables of a web page: what many shop systems export under an Excel name.

A "products.xls" from a shop backend is often not a workbook at all but an HTML page
holding one <table> (Excel opens it, so nobody notices). This reads the cells of every
table with one regular expression over the page (no script runs, nothing is fetched,
no entity is expanded beyond HTML's own), and gives the largest table's rows as text.
Cells spanning several columns are widened with empty cells, so columns stay in line.
"""

from __future__ import annotations

import html
import re

from core.catalog.xlsx import DEFAULT_MAX_CELLS
from core.errors import CatalogError

MAX_HTML_MB = 30  # a page is read ~50x slower than CSV: about 10 s for 30 MB on one core
TITLE_ROWS = 64  # rows a table may hold above its column names, beyond max_rows
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


# One pass of one compiled pattern over the page (html.parser's tokenizer, in Python per
# token, took minutes for a 100 MB page): comments and script/style blocks are skipped
# whole, tags are read by name, and the text between tags goes to the open cell.
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)"
                    r"|<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*)>", re.DOTALL | re.IGNORECASE)
_COLSPAN = re.compile(r"""colspan\s*=\s*["']?\s*(\d+)""", re.IGNORECASE)


class _Tables:
    def __init__(self, name: str, max_rows: int, max_cells: int) -> None:
        self.name, self.max_rows, self.max_cells, self.cells = name, max_rows, max_cells, 0
        self.tables: list[list[list[str]]] = []
        self._open: list[list[list[str]]] = []  # nested tables: their rows so far
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def feed(self, text: str) -> None:
        pos = 0
        for m in _TOKEN.finditer(text):
            if self._cell is not None and m.start() > pos:
                self._cell.append(text[pos:m.start()])
            pos = m.end()
            name = m.group(3)
            if name is None:  # a comment, a script or a style block
                continue
            name = name.lower()
            if m.group(2):
                self._end_tag(name)
            else:
                self._start_tag(name, m.group(4))
        if self._cell is not None and pos < len(text):
            self._cell.append(text[pos:])
        self._end_row()
        while self._open:  # a table never closed still counts
            self.tables.append(self._open.pop())

    def _start_tag(self, tag: str, attrs: str) -> None:
        if tag == "table":
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
            span = _COLSPAN.search(attrs)
            self._cell, self._span = [], _span(span.group(1) if span else None)
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def _end_tag(self, tag: str) -> None:
        if not self._open:
            return
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.tables.append(self._open.pop())

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        text = "".join(self._cell)
        if "&" in text:
            text = html.unescape(text)
        self._row.append(_SPACE.sub(" ", text).strip())
        self._row.extend([""] * (self._span - 1))
        self._cell = None
        self.cells += self._span
        if self.cells > self.max_cells:
            raise CatalogError(f"{self.name} has more than {self.max_cells:,} table cells, the "
                               "limit; export it as CSV or drop columns the catalog does not "
                               "need")

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and self._open:
            rows = self._open[-1]
            if len(rows) > self.max_rows + TITLE_ROWS:
                raise CatalogError(f"{self.name} has more than {self.max_rows:,} rows, the "
                                   "limit; split the file or raise $CATSIM_MAX_ROWS")
            rows.append(self._row)
        self._row = None


def _span(value: str | None) -> int:
    try:
        span = int(str(value).strip())
    except ValueError:
        return 1
    return span if 1 <= span <= MAX_SPAN else 1


def check_page_size(size: int, name: str) -> None:
    """Refuse a page of more than MAX_HTML_MB megabytes before it is decoded or parsed."""
    if size > MAX_HTML_MB * 1_000_000:
        raise CatalogError(f"{name} is a web page of {size / 1e6:,.0f} MB, over the {MAX_HTML_MB} "
                           "MB limit for pages; open it in Excel and save it as .xlsx or CSV")


def html_rows(text: str, name: str, max_rows: int,
              max_cells: int = DEFAULT_MAX_CELLS) -> list[list[str]]:
    """The rows of the page's largest table (the one with the most rows; cells as text,
    blank rows dropped). CatalogError when the page holds no table, or more rows or
    cells (all its tables together) than the limits."""
    parser = _Tables(name, max_rows, max_cells)
    parser.feed(text)
    tables = [[row for row in rows if any(row)] for rows in parser.tables]
    tables = [rows for rows in tables if rows]
    if not tables:
        raise CatalogError(f"{name} is a web page (HTML) without a table of products; open it "
                           "in Excel and save it as .xlsx or CSV")
    return max(tables, key=len)


__all__ = ["MAX_HTML_MB", "check_page_size", "html_rows", "looks_like_html"]
