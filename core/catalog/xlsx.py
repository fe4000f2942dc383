"""Bounded reading of Excel workbooks (.xlsx / .xlsm).

A workbook is a zip of XML parts, so a few kilobytes can describe a sheet of
16,384 columns x 1,048,576 rows (one cell at ``XFD1000000``) or unpack to
gigabytes of XML. Nothing here lets pandas pad a used range: the unpacked
size of the sheet and its shared strings is checked from the zip directory
before any XML is parsed, the sheet streams through openpyxl's read-only
reader, only the columns up to the header's last named cell are read, blank
rows are skipped, and rows and cells are counted while they stream. Peak
memory is the rows kept, not the used range (``docs/robustness.md``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from core.catalog.checks import HEADER_SCAN_ROWS, header_row
from core.errors import CatalogError, short_list

# openpyxl parses about 1-2 MB of sheet XML a second on one core; 200 MB is a
# catalog of roughly 4 million cells, and a few minutes at worst.
DEFAULT_MAX_XML_MB = 200
DEFAULT_MAX_CELLS = 20_000_000


@dataclass(frozen=True)
class SheetData:
    """A sheet read within budgets: header cells and rows (strings, "" for empty)."""

    header: list[str]
    rows: list[list[str]]
    sheets: tuple[str, ...]
    sheet: str
    dropped_columns: int
    header_row: int = 1
    uncached_formulas: int = 0  # formula cells with no saved result (read as empty)


def read_sheet(data: bytes, name: str, sheet: str | None, *, max_rows: int,
               max_xml_bytes: int = DEFAULT_MAX_XML_MB * 1_000_000,
               max_cells: int = DEFAULT_MAX_CELLS) -> SheetData:
    """Stream one sheet of an .xlsx within row, cell and unpacked-size budgets."""
    from openpyxl import load_workbook

    _check_unpacked(data, name, max_xml_bytes)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl/zipfile raise many types for corrupt files
        raise CatalogError(f"{name} is not a readable Excel workbook ({_damage(exc)}); "
                           "save it again as .xlsx or export CSV") from exc
    try:
        sheets = tuple(str(s) for s in book.sheetnames)
        chosen = sheet if sheet is not None else default_sheet(book, sheets)
        if chosen not in sheets:
            raise CatalogError(f"Sheet '{chosen}' is not in {name}; sheets: "
                               f"{short_list(sheets)}")
        try:
            header, rows, dropped, at = _stream(book[chosen], f"Sheet '{chosen}' of {name}",
                                                max_rows, max_cells)
            # an uncached formula reads as an empty cell: none empty, none to look for
            empty = not all(header) or any(not v for row in rows for v in row)
            uncached = _uncached_formulas(data, getattr(book[chosen], "_worksheet_path", None)) \
                if empty else 0
        except CatalogError:
            raise
        except Exception as exc:  # a damaged sheet part raises many types
            raise CatalogError(f"Sheet '{chosen}' of {name} cannot be read "
                               f"({_damage(exc)}); save the workbook again") from exc
    finally:
        book.close()
    return SheetData(header, rows, sheets, chosen, dropped, at, uncached)


# A formula cell whose result was never saved: <f>...</f> (or a shared <f .../>) and no
# value, or an empty one, before the cell ends. Excel and LibreOffice save the result with
# the formula; a program that writes formulas (openpyxl, a report generator) often does
# not, and such a cell reads as empty.
_UNCACHED = re.compile(rb"<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


def _uncached_formulas(data: bytes, part: str | None) -> int:
    """How many cells of a sheet's XML part hold a formula with no saved result (0 when
    the part cannot be read: what the sheet holds was read already)."""
    if not part:
        return 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read(part.lstrip("/"))
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError):
        return 0
    return len(_UNCACHED.findall(xml)) if b"<f" in xml else 0


SIZED_SHEETS = 50
CHART = -1  # _stated_rows of a chart sheet: no table to read


def default_sheet(book, sheets: tuple[str, ...]) -> str:
    """The sheet read when none is chosen: the one with the most rows by the sizes the
    sheets state (a 'Notes' or 'Summary' sheet before the products is passed over),
    among the first 50; chart sheets never, hidden ones (a lookup table) only when every
    sheet is hidden; the first sheet with a table on a tie or when it states no size."""
    tables = [(title, rows) for title in sheets[:SIZED_SHEETS]
              if (rows := _stated_rows(book, title)) != CHART]
    tables = [t for t in tables if _visible(book, t[0])] or tables
    if not tables:
        return sheets[0]
    if tables[0][1] is None:
        return tables[0][0]
    return max(enumerate(tables), key=lambda it: (it[1][1] or 0, -it[0]))[1][0]


def _visible(book, title: str) -> bool:
    """Whether a sheet is shown in Excel (not hidden); True when its part cannot be read."""
    try:
        return getattr(book[title], "sheet_state", "visible") == "visible"
    except Exception:  # a damaged sheet part raises many types
        return True


def _stated_rows(book, title: str) -> int | None:
    """The rows a sheet says it has; CHART for a chart sheet; None when it states no size
    or its part cannot be read (that is reported if the sheet is read)."""
    try:
        sheet = book[title]
    except Exception:  # a damaged sheet part raises many types
        return None
    return sheet.max_row if hasattr(sheet, "iter_rows") else CHART


def _check_unpacked(data: bytes, name: str, max_xml_bytes: int) -> None:
    """Refuse a workbook whose XML parts unpack past the budget (read from the zip directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = [(i.filename, i.file_size) for i in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CatalogError(f"{name} is not a readable Excel workbook ({_damage(exc)}); "
                           "save it again as .xlsx or export CSV") from exc
    largest = max((s for f, s in sizes if f.endswith(".xml")), default=0)
    total = sum(s for _, s in sizes)
    if largest > max_xml_bytes or total > 4 * max_xml_bytes:
        raise CatalogError(
            f"{name} unpacks to {total / 1e6:,.0f} MB of XML (largest part "
            f"{largest / 1e6:,.0f} MB), over the {max_xml_bytes / 1e6:,.0f} MB limit for "
            "workbooks; export the sheet as CSV (CSV reads faster and uses less memory) "
            "or raise $CATSIM_MAX_XLSX_MB")


def _stream(ws, where: str, max_rows: int,
            max_cells: int) -> tuple[list[str], list[list[str]], int, int]:
    """(header, rows, dropped columns, 1-based row of the header)."""
    at, first, width = header_of([[_cell(v) for v in row] for row in
                                  ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)])
    if width == 0:
        return [], [], 0, at + 1
    values = ([_cell(v) for v in row]
              for row in ws.iter_rows(min_row=at + 2, max_col=width, values_only=True))
    return first[:width], budgeted_rows(values, width, where, max_rows, max_cells), \
        max(0, len(first) - width), at + 1


def header_of(top: Sequence[Sequence[str]]) -> tuple[int, list[str], int]:
    """(0-based row of the column names among a table's first rows (cells as text), that
    row, its width up to the last named column; 0 when none is named); for .xlsx, .xls
    and web pages alike."""
    at = header_row(top)
    first = list(top[at]) if top else []
    named = [i for i, v in enumerate(first) if v.strip()]
    return at, first, named[-1] + 1 if named else 0


def budgeted_rows(values: Iterable[list[str]], width: int, where: str, max_rows: int,
                  max_cells: int) -> list[list[str]]:
    """A sheet's rows below its header (cells as text, padded to width), blank rows
    passed over, within the row and cell budgets (CatalogError past them); for .xlsx
    and .xls alike."""
    rows: list[list[str]] = []
    cells = 0
    for row in values:
        if not any(v.strip() for v in row):
            continue
        if len(rows) >= max_rows:
            raise CatalogError(f"{where} has more than {max_rows:,} rows, the limit; "
                               "split it or raise $CATSIM_MAX_ROWS")
        cells += width
        if cells > max_cells:
            raise CatalogError(f"{where} has more than {max_cells:,} cells, the limit; "
                               "export it as CSV or drop columns the catalog does not need")
        rows.append(row + [""] * (width - len(row)))
    return rows


def _damage(exc: BaseException) -> str:
    """What is wrong with a workbook, in words (the exception's type means nothing to a
    merchandiser): the file cut short or damaged, or what the reader said."""
    if isinstance(exc, (zipfile.BadZipFile, EOFError)):
        return "the file is damaged or was cut short"
    detail = " ".join(str(exc).split())[:120]
    return f"the file is damaged: {detail}" if detail else "the file is damaged"


def _cell(value: object) -> str:
    """A cell as text: whole numbers without '.0' (ids stay as typed), dates as ISO dates
    (a date cell is a datetime at midnight: "2026-03-01", not "2026-03-01 00:00:00", as
    the .xls and .ods readers write it), times of day kept."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return date_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def date_text(when: dt.datetime) -> str:
    """A workbook's date cell as text: the ISO date at midnight, else date and time (the
    .xlsx and .xls readers alike)."""
    return when.date().isoformat() if when.time() == dt.time() else when.isoformat(" ")


def frame_of(sheet: SheetData) -> pd.DataFrame:
    """The sheet as a DataFrame of strings (columns named as the header cells)."""
    if not sheet.rows:
        return pd.DataFrame(columns=sheet.header)
    return pd.DataFrame(sheet.rows, columns=sheet.header, dtype=str)


__all__ = ["DEFAULT_MAX_CELLS", "DEFAULT_MAX_XML_MB", "SheetData", "budgeted_rows", "date_text",
           "default_sheet", "frame_of", "header_of", "read_sheet"]
