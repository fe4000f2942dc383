"""OpenDocument spreadsheets (.ods), LibreOffice Calc's own format.

A small shop that keeps its catalog in LibreOffice saves it as .ods unless told
otherwise. The file is a zip whose content.xml holds every sheet; a row or a cell that
repeats (``table:number-rows-repeated="1048000"`` for the empty rows under a table,
``number-columns-repeated="16000"`` beside it) is written once with its count. So the
XML streams through the standard library's expat parser (a document type declaration is
refused: an .ods has none, and entities are how XML bombs grow), parsed elements are
cleared as they end, empty repeats are never expanded past what a row needs, and the
rows go through the same header detection and row and cell budgets as a workbook
(core.catalog.xlsx): the result is a SheetData like an .xlsx sheet's.

Cells read as text the way the .xlsx reader writes them: numbers from their stored
value (whole numbers without ".0", so ids stay as typed), dates as ISO dates, booleans
TRUE / FALSE, text with its spaces, tabs and line breaks, comments (annotations) left
out. Merged cells' covered parts are empty, as in Excel.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

from core.catalog.checks import HEADER_SCAN_ROWS
from core.catalog.xlsx import DEFAULT_MAX_CELLS, DEFAULT_MAX_XML_MB, SheetData, budgeted_rows, header_of
from core.errors import CatalogError, short_list

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
MAX_COLUMNS = 16_384  # LibreOffice's own limit; a row is never read wider
_CHUNK = 1 << 16


def is_ods(data: bytes) -> bool:
    """Whether the bytes are an OpenDocument spreadsheet (its zip's mimetype entry)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return is_ods_archive(archive)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def is_ods_archive(archive: zipfile.ZipFile) -> bool:
    """Whether an open zip is an OpenDocument spreadsheet (its mimetype entry)."""
    try:
        return archive.read("mimetype").strip() == MIMETYPE
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return False


def read_ods(data: bytes, name: str, sheet: str | None, *, max_rows: int,
             max_xml_bytes: int = DEFAULT_MAX_XML_MB * 1_000_000,
             max_cells: int = DEFAULT_MAX_CELLS) -> SheetData:
    """One sheet of an .ods (the shown one with the most filled rows unless sheet is given),
    within the same budgets as a workbook."""
    xml = _content(data, name, max_xml_bytes)
    try:
        sizes, hidden = _sheet_sizes(xml)
        sheets = tuple(sizes)
        if not sheets:
            raise CatalogError(f"{name} has no sheet; export the catalog again")
        chosen = sheet if sheet is not None else largest_sheet(sizes, hidden)
        if chosen not in sheets:
            raise CatalogError(f"Sheet '{chosen}' is not in {name}; sheets: {short_list(sheets)}")
        where = f"Sheet '{chosen}' of {name}"
        rows = _sheet_rows(xml, chosen)
        top = []
        for row in rows:
            top.append(row)
            if len(top) >= HEADER_SCAN_ROWS:
                break
        at, first, width = header_of(top)
        if width == 0:
            return SheetData([], [], sheets, chosen, 0, at + 1)
        body = (_fit(row, width) for row in itertools.chain(top[at + 1:], rows))
        kept = budgeted_rows(body, width, where, max_rows, max_cells)
    except CatalogError:
        raise
    except ElementTree.ParseError as exc:
        raise CatalogError(f"{name} is not a readable OpenDocument spreadsheet (the file is "
                           f"damaged: {exc}); save it again in LibreOffice, or export CSV"
                           ) from exc
    return SheetData(_fit(first, width), kept, sheets, chosen, max(0, len(first) - width),
                     at + 1)


def _fit(row: list[str], width: int) -> list[str]:
    return (row + [""] * (width - len(row)))[:width]


def _content(data: bytes, name: str, max_xml_bytes: int) -> bytes:
    """content.xml, its unpacked size checked from the zip directory first."""
    damaged = (f"{name} is not a readable OpenDocument spreadsheet (the file is damaged or "
               "was cut short); save it again in LibreOffice, or export CSV")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("content.xml")
            total = sum(i.file_size for i in archive.infolist())
            if info.file_size > max_xml_bytes or total > 4 * max_xml_bytes:
                raise CatalogError(  # as core.catalog.xlsx words it
                    f"{name} unpacks to {total / 1e6:,.0f} MB of XML (largest part "
                    f"{info.file_size / 1e6:,.0f} MB), over the {max_xml_bytes / 1e6:,.0f} MB "
                    "limit for workbooks; export the sheet as CSV (CSV reads faster and uses "
                    "less memory) or raise $CATSIM_MAX_XLSX_MB")
            if b"encryption-data" in _manifest(archive):
                raise CatalogError(f"{name} is protected by a password; save a copy without "
                                   "one in LibreOffice, or export CSV")
            xml = archive.read(info)
    except CatalogError:
        raise
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError,
            EOFError) as exc:
        raise CatalogError(damaged) from exc
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise CatalogError(f"{name} declares a document type, which no spreadsheet program "
                           "writes; save it again in LibreOffice, or export CSV")
    return xml


def _manifest(archive: zipfile.ZipFile) -> bytes:
    """META-INF/manifest.xml (b"" when absent or over 1 MB: no real manifest is)."""
    try:
        info = archive.getinfo("META-INF/manifest.xml")
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= 1_000_000 else b""


def _elements(xml: bytes) -> Iterator[tuple[str, ElementTree.Element, ElementTree.Element | None]]:
    """(event, element, its parent) for start and end events, the bytes fed in chunks."""
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    stack: list[ElementTree.Element] = []
    for at in range(0, len(xml) + 1, _CHUNK):
        if at < len(xml):
            parser.feed(xml[at:at + _CHUNK])
        else:
            parser.close()
        for event, elem in parser.read_events():
            if event == "start":
                stack.append(elem)
                yield event, elem, stack[-2] if len(stack) > 1 else None
            else:
                stack.pop()
                yield event, elem, stack[-1] if stack else None


def _drop(elem: ElementTree.Element, parent: ElementTree.Element | None) -> None:
    """Let go of a parsed element: at its end it is its parent's last child."""
    elem.clear()
    if parent is not None and len(parent) and parent[-1] is elem:
        del parent[-1]


def _count(elem: ElementTree.Element, attribute: str) -> int:
    """A repeat count (1 when absent or not a whole number)."""
    try:
        return max(1, int(elem.get(_TABLE + attribute, "1")))
    except ValueError:
        return 1


def _sheet_sizes(xml: bytes) -> tuple[dict[str, int], set[str]]:
    """({sheet: rows with a filled cell}, names of hidden sheets) in the file's order."""
    sizes: dict[str, int] = {}
    hidden_styles: set[str] = set()
    hidden: set[str] = set()
    current = style = None
    for event, elem, parent in _elements(xml):
        tag = elem.tag
        if event == "start":
            if tag == _STYLE + "style":
                style = elem.get(_STYLE + "name")
            elif tag == _STYLE + "table-properties" and style is not None \
                    and elem.get(_TABLE + "display") == "false":
                hidden_styles.add(style)
            elif tag == _TABLE + "table":
                current = elem.get(_TABLE + "name") or f"Sheet{len(sizes) + 1}"
                sizes[current] = 0
                if elem.get(_TABLE + "style-name") in hidden_styles:
                    hidden.add(current)
            continue
        if tag == _TABLE + "table-row" and current is not None:
            if any(_filled(cell) for cell in elem):
                sizes[current] += _count(elem, "number-rows-repeated")
            _drop(elem, parent)
        elif tag == _TABLE + "table":
            current = None
            _drop(elem, parent)
    return sizes, hidden


def largest_sheet(sizes: dict[str, int], hidden: set[str] = frozenset()) -> str:
    """The shown sheet with the most filled rows, the first on a tie (a 'Notes' sheet before
    the products is passed over); a hidden one only when every sheet is hidden."""
    shown = [s for s in sizes if s not in hidden] or list(sizes)
    return max(shown, key=lambda s: (sizes[s], -shown.index(s)))


def _sheet_rows(xml: bytes, sheet: str) -> Iterator[list[str]]:
    """The rows of one sheet, cells as text, trailing empty cells left out; a repeated row
    with a filled cell as often as it repeats, an empty one as at most HEADER_SCAN_ROWS
    empty rows (enough for the header's position; the budgets skip blank rows)."""
    inside = False
    for event, elem, parent in _elements(xml):
        tag = elem.tag
        if tag == _TABLE + "table":
            if event == "start":
                inside = elem.get(_TABLE + "name") == sheet
                continue
            if inside:
                return
            _drop(elem, parent)
        elif event == "end" and tag == _TABLE + "table-row":
            if not inside:
                _drop(elem, parent)
                continue
            row = _row(elem)
            repeat = _count(elem, "number-rows-repeated")
            _drop(elem, parent)
            for _ in range(repeat if row else min(repeat, HEADER_SCAN_ROWS)):
                yield list(row)


def _row(elem: ElementTree.Element) -> list[str]:
    cells: list[str] = []
    pending = 0  # empty cells not yet written: written only when a filled one follows
    for cell in elem:
        if cell.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            continue
        repeat = _count(cell, "number-columns-repeated")
        value = _value(cell)
        if not value:
            pending += repeat
            continue
        room = MAX_COLUMNS - len(cells)
        if pending:
            cells.extend([""] * min(pending, room))
            pending = 0
            room = MAX_COLUMNS - len(cells)
        cells.extend([value] * min(repeat, room))
        if len(cells) >= MAX_COLUMNS:
            break
    return cells


def _spaces(elem: ElementTree.Element) -> int:
    try:
        return max(1, int(elem.get(_TEXT + "c", "1")))
    except ValueError:
        return 1


def _filled(cell: ElementTree.Element) -> bool:
    return bool(_value(cell)) if cell.tag == _TABLE + "table-cell" else False


def _value(cell: ElementTree.Element) -> str:
    """A cell as text (see the module's docstring)."""
    kind = cell.get(_OFFICE + "value-type")
    if kind in ("float", "currency", "percentage"):
        raw = cell.get(_OFFICE + "value")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return _text(cell)
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    if kind == "date":
        value = cell.get(_OFFICE + "date-value", "")
        return value[:10] if value.endswith("T00:00:00") else value.replace("T", " ")
    if kind == "boolean":
        return "TRUE" if cell.get(_OFFICE + "boolean-value") == "true" else "FALSE"
    return _text(cell)


def _text(cell: ElementTree.Element) -> str:
    """The cell's paragraphs joined by line breaks, without its comments."""
    paragraphs = [_inline(p) for p in cell if p.tag in (_TEXT + "p", _TEXT + "h")]
    return "\n".join(paragraphs).strip()


def _inline(elem: ElementTree.Element) -> str:
    parts = [elem.text or ""]
    for child in elem:
        tag = child.tag
        if tag == _TEXT + "s":
            parts.append(" " * min(_spaces(child), 1000))
        elif tag == _TEXT + "tab":
            parts.append("\t")
        elif tag == _TEXT + "line-break":
            parts.append("\n")
        elif tag != _OFFICE + "annotation":
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


__all__ = ["MIMETYPE", "is_ods", "is_ods_archive", "largest_sheet", "read_ods"]
