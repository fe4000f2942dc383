"""Old Excel 97-2003 workbooks (.xls, BIFF), still what many shop backends and ERPs export.

Read with xlrd (pure Python; it reads .xls only). A sheet of this format holds at most
65,536 rows by 256 columns, and the file is capped at MAX_XLS_BYTES before it is parsed,
so what it costs stays bounded. The result has the shape of an .xlsx sheet
(core.catalog.xlsx.SheetData): the same header detection (a title row above the column
names is passed over), the same row and cell budgets, cells as text.
"""

from __future__ import annotations

from core.catalog.checks import HEADER_SCAN_ROWS
from core.catalog.xlsx import DEFAULT_MAX_CELLS, SheetData, budgeted_rows, date_text, header_of
from core.errors import CatalogError, short_list

MAX_XLS_BYTES = 200 * 1000 * 1000  # far above any real .xls (65,536 rows per sheet)


def read_xls(data: bytes, name: str, sheet: str | None, *, max_rows: int,
             max_cells: int = DEFAULT_MAX_CELLS) -> SheetData:
    """One sheet of an .xls (the one with the most rows unless sheet is given)."""
    import xlrd

    if len(data) > MAX_XLS_BYTES:
        raise CatalogError(f"{name} is {len(data) / 1e6:,.0f} MB, over the "
                           f"{MAX_XLS_BYTES // 1_000_000} MB limit for .xls workbooks; save it "
                           "as .xlsx or export CSV")
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd raises many types for damaged or encrypted files
        raise CatalogError(f"{name} is not a readable Excel 97-2003 workbook ({_damage(exc)}); "
                           "open it in Excel and save it as .xlsx, or export CSV") from exc
    try:
        sheets = tuple(str(s) for s in book.sheet_names())
        if not sheets:
            raise CatalogError(f"{name} has no sheet; export the catalog again")
        chosen = sheet if sheet is not None else _largest(book, sheets)
        if chosen not in sheets:
            raise CatalogError(f"Sheet '{chosen}' is not in {name}; sheets: {short_list(sheets)}")
        try:
            ws = book.sheet_by_name(chosen)
            header, rows, dropped, at = _rows(ws, book.datemode, f"Sheet '{chosen}' of {name}",
                                              max_rows, max_cells)
        except CatalogError:
            raise
        except Exception as exc:  # a damaged sheet record raises many types
            raise CatalogError(f"Sheet '{chosen}' of {name} cannot be read (the file is "
                               f"damaged: {_detail(exc)}); save the workbook again") from exc
    finally:
        book.release_resources()
    return SheetData(header, rows, sheets, chosen, dropped, at)


def _largest(book, sheets: tuple[str, ...]) -> str:
    """The shown sheet with the most rows (the first on a tie): a 'Notes' sheet before the
    products is passed over, and a hidden one (a lookup table) is read only when every sheet
    is hidden, as for .xlsx."""
    best, most = 0, (-1, -1)
    for i in range(len(sheets)):
        try:
            ws = book.sheet_by_index(i)
            size = (int(getattr(ws, "visibility", 0) == 0), ws.nrows)
        except Exception:  # a damaged sheet: reported if it is read
            size = (0, 0)
        if size > most:  # the largest stays loaded for the read; the others are let go
            if most[0] >= 0:
                book.unload_sheet(best)
            best, most = i, size
        else:
            book.unload_sheet(i)
    return sheets[best]


def _rows(ws, datemode: int, where: str, max_rows: int,
          max_cells: int) -> tuple[list[str], list[list[str]], int, int]:
    """(header, rows, dropped columns, 1-based row of the header)."""
    at, first, width = header_of([[_cell(c, datemode) for c in ws.row(r)]
                                  for r in range(min(ws.nrows, HEADER_SCAN_ROWS))])
    if width == 0:
        return [], [], 0, at + 1
    values = ([_cell(c, datemode) for c in ws.row_slice(r, 0, width)]
              for r in range(at + 1, ws.nrows))
    rows = budgeted_rows(values, width, where, max_rows, max_cells)
    return first[:width], rows, max(0, len(first) - width), at + 1


def _cell(cell, datemode: int) -> str:
    """A cell as text: whole numbers without '.0' (ids stay as typed), dates as ISO
    dates, errors and blanks empty."""
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_NUMBER:
        if float(value).is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(float(value))
    if kind == xlrd.XL_CELL_DATE:
        try:
            when = xlrd.xldate_as_datetime(value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return repr(float(value))
        return date_text(when)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    return str(value)


def _damage(exc: BaseException) -> str:
    if "encrypt" in str(exc).lower():
        return "it is protected by a password; save a copy without one"
    return "the file is damaged or was cut short"


def _detail(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__


__all__ = ["MAX_XLS_BYTES", "read_xls"]
