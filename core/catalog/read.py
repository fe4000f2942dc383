"""Reading catalog files: bytes, a path or an upload -> :class:`RawTable`.

One reader owns formats (CSV/TSV/TXT, Excel, Parquet), encodings,
delimiters, limits and the report of what it found. Size is checked before a
file is read, rows are counted while they stream, and nothing is silently
"fixed": ragged rows are skipped and reported with line numbers, never padded.
Every problem raises :class:`~core.errors.CatalogError` naming the file and the
line, sheet or column to fix.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from core.catalog.checks import (
    HEADER_SCAN_ROWS,
    check_parse,
    clean_controls,
    header_row,
    unwrap_excel_text,
)
from core.catalog.column_checks import repeated_names_warning, unique_names
from core.catalog.feeds import feed_kind, read_json, read_xml
from core.catalog.htmltable import check_page_size, html_rows, looks_like_html
from core.catalog.limits import current_limits
from core.catalog.ods import is_ods_archive, read_ods
from core.catalog.parquet import read_parquet_frame
from core.catalog.product_rows import as_products
from core.catalog.textenc import (
    binary_kind,
    control_share,
    decode_text,
    detect_delimiter,
    mostly_utf8,
    stray_zero_bytes,
)
from core.catalog.xls import read_xls
from core.catalog.xlsx import SheetData, frame_of, header_of, read_sheet
from core.errors import CatalogError, short_list

EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
MAX_FILE_BYTES = 500 * 1000 * 1000  # kept for callers; the limit in force is core.catalog.limits


@dataclass(frozen=True)
class RawTable:
    """A parsed table before column mapping.

    frame: all columns as read (text columns as ``str``, missing as "").
    """

    frame: pd.DataFrame
    source: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()



def skipped_above(n: int, unit: str) -> str:
    """'the 2 rows above them (a title or blank) were skipped', or for one: 'the row above
    them (a title or blank) was skipped' (a title line above the header is the usual case)."""
    if n == 1:
        return f"the {unit} above them (a title or blank) was skipped"
    return f"the {n} {unit}s above them (a title or blank) were skipped"

def read_table(data: bytes | str | Path | BinaryIO, filename: str | None = None, *,
               sheet: str | None = None, max_bytes: int | None = None,
               max_rows: int | None = None, encoding: str | None = None,
               delimiter: str | None = None, header: bool = True,
               allow_ragged: bool = False) -> RawTable:
    """Parse CSV/TSV/TXT, Excel (.xlsx/.xlsm/.xls), LibreOffice (.ods), an HTML table or
    Parquet from bytes, a path or a file object.

    The format comes from the bytes (a workbook, Parquet, a web page), else delimited
    text; a name that says otherwise is warned about. max_bytes / max_rows default to
    :func:`core.catalog.limits.current_limits`.
    encoding / delimiter / header override what is detected in delimited text
    (header=False names the columns column_1...). A file whose rows come out
    mostly ragged, or whose header looks like a product, raises
    :class:`~core.errors.ParseCheckError` unless allow_ragged (ragged rows are
    then skipped and reported). Raises CatalogError saying what to fix.
    """
    limits = current_limits()
    max_bytes = limits.max_bytes if max_bytes is None else max_bytes
    max_rows = limits.max_rows if max_rows is None else max_rows
    data, name = _bytes_within_limit(data, filename, max_bytes)
    if data.startswith(b"\x1f\x8b"):  # feed.xml.gz, catalog.csv.gz
        data, name = _gunzipped(data, name, max_bytes)
    if not data.strip():
        raise CatalogError(f"{name} is empty: the file needs a header row and products")
    declared = _declared_kind(Path(name).suffix.lower())
    kind = _content_kind(data, declared, name)
    options = TextOptions(encoding, delimiter, header, allow_ragged)
    if kind == "xls":
        table = _sheet_table(read_xls(data, name, sheet, max_rows=max_rows), name)
    elif kind == "ods":
        table = _sheet_table(read_ods(data, name, sheet, max_rows=max_rows,
                                      max_xml_bytes=limits.max_xlsx_bytes), name)
    elif kind == "xlsx":
        table = _read_excel(data, name, sheet, max_rows, limits.max_xlsx_bytes)
    elif kind == "parquet":
        table = _read_parquet(data, name, max_rows)
    elif kind == "html":
        table = _read_html(data, name, max_rows, options)
    elif kind in ("xml", "json"):
        table = _read_feed(data, name, kind, sheet, max_rows, limits.max_xlsx_bytes)
    else:
        table = _read_delimited(data, name, max_rows, options)
    if kind != declared and kind in _READ_AS and Path(name).suffix:  # "feed": no claim
        said = ("text_not_feed" if kind == "text" and declared in ("xml", "json") else
                "xml_sheet" if kind == "xml" and table.sheet else kind)
        table = replace(table, warnings=(_READ_AS[said].format(name=name), *table.warnings))
    if len(table.frame) == 0:
        raise CatalogError(f"{name} has a header but no product rows")
    return as_products(table)  # a shop platform's export: one row per product, said so


# A file is read by what it holds, not by its name: shop systems export "products.xls"
# that is an HTML page or tab-separated text, and a workbook saved as "catalog.csv" is
# still a workbook. A name that disagrees is said in a warning.
_READ_AS = {
    "xlsx": "{name} is an Excel workbook despite its name; it was read as one",
    "xls": "{name} is an old Excel 97-2003 workbook (.xls) despite its name; it was read as one",
    "ods": "{name} is an OpenDocument spreadsheet (.ods, LibreOffice) despite its name; it was "
           "read as one",
    "parquet": "{name} is a Parquet file despite its name; it was read as one",
    "html": ("{name} is a web page with a table (some shop systems export those under an "
             "Excel name); its largest table was read"),
    "text": "{name} is text (CSV), not a workbook, despite its name; it was read as text",
    "xml": "{name} is XML despite its name; it was read as a product feed",
    "xml_sheet": "{name} is an Excel XML spreadsheet (XML Spreadsheet 2003) despite its name; "
                 "it was read as one",
    "json": "{name} is JSON despite its name; it was read as JSON",
    "text_not_feed": "{name} is delimited text (CSV), not XML or JSON, despite its name; it "
                     "was read as text",
}


def _gunzipped(data: bytes, name: str, max_bytes: int) -> tuple[bytes, str]:
    """A gzip file's contents (a shop's feed.xml.gz), unpacked no further than the size
    limit (a small file can unpack to gigabytes), and its name without ".gz"."""
    inner = name[:-3] if name.lower().endswith(".gz") else name
    unpack = zlib.decompressobj(wbits=31)
    parts, total, rest = [], 0, data
    try:
        while rest:
            part = unpack.decompress(rest, _GZIP_STEP)
            total += len(part)
            if total > max_bytes:
                raise CatalogError(f"{name} unpacks to more than {max_bytes / 1e6:,.1f} MB, the "
                                   "limit; split the file or raise the limit "
                                   "($CATSIM_MAX_UPLOAD_MB)")
            parts.append(part)
            rest = unpack.unconsumed_tail
            if unpack.eof:
                break
        if not unpack.eof:
            raise zlib.error("the file was cut short")
    except zlib.error as exc:
        raise CatalogError(f"{name} is a damaged gzip file ({exc}); download or pack it again"
                           ) from None
    return b"".join(parts), inner


_GZIP_STEP = 1 << 22


def _declared_kind(ext: str) -> str:
    if ext in EXCEL_EXTENSIONS:
        return "xlsx"
    return {".xls": "xls", ".ods": "ods", ".parquet": "parquet", ".html": "html",
            ".htm": "html", ".xml": "xml", ".yml": "xml",  # .yml: a Yandex Market feed
            ".rss": "xml", ".atom": "xml", ".json": "json", ".jsonl": "json",
            ".ndjson": "json"}.get(ext, "text")


def _content_kind(data: bytes, declared: str, name: str) -> str:
    """What the bytes are: xlsx, xls, parquet, html or text; the declared kind when they are
    none of these (a damaged workbook, a zip of something else, a binary file: the
    declared kind's reader says what is wrong)."""
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind == "numbers":
            raise CatalogError(f"{name} is an Apple Numbers document; in Numbers choose File > "
                               "Export To > CSV (or Excel) and use that file")
        return kind or ("xlsx" if declared == "xlsx" else declared)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if data.startswith(b"PAR1"):
        return "parquet"
    if looks_like_html(data):
        return "html"
    feed = feed_kind(data)
    if feed is not None:
        return feed
    return "text" if binary_kind(data) is None else declared


def _zip_kind(data: bytes) -> str | None:
    """"ods", "xlsx" or "numbers" (an Apple Numbers document: Index/*.iwa parts) from one
    read of the zip's directory; None for a damaged zip or a zip of something else."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if is_ods_archive(archive):
                return "ods"
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
        return "numbers"
    return None


def _read_html(data: bytes, name: str, max_rows: int, options: TextOptions) -> RawTable:
    """The largest table of a web page, its header found as in a workbook (a title row
    above the column names is passed over)."""
    check_page_size(len(data), name)
    text, encoding, warnings = _decoded(data, name, options.encoding)
    rows = html_rows(text, name, max_rows)
    at, first, width = header_of(rows[:HEADER_SCAN_ROWS]) if options.header else (0, [], 0)
    width = width or max(len(r) for r in rows)
    body = rows[at + 1:] if options.header else rows
    if len(body) > max_rows:
        raise CatalogError(f"{name} has more than {max_rows:,} rows, the limit; split the file "
                           "or raise $CATSIM_MAX_ROWS")
    header = first[:width] if options.header else [f"column_{i + 1}" for i in range(width)]
    cells = [(r + [""] * width)[:width] for r in body]
    frame = pd.DataFrame(cells, columns=header, dtype=str) if cells else \
        pd.DataFrame(columns=header)
    frame.columns, named_cols = _clean_header(list(frame.columns))
    warnings += named_cols + _check_header(frame, name) + clean_controls(frame)
    if at:
        warnings.append(f"{name}: the column names are on row {at + 1} of its table; "
                        f"{skipped_above(at, 'row')}")
    return RawTable(frame, name, encoding=encoding, warnings=tuple(warnings))


@dataclass(frozen=True)
class TextOptions:
    """What the user chose for delimited text (None: detect)."""

    encoding: str | None = None
    delimiter: str | None = None
    header: bool = True
    allow_ragged: bool = False


def _bytes_within_limit(data: bytes | str | Path | BinaryIO, filename: str | None,
                        max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and name; the size is checked before anything is read."""
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise CatalogError(f"File not found: {path}" if not path.exists()
                               else f"{path} is a folder, not a catalog file")
        _check_size(path.stat().st_size, filename or path.name, max_bytes)
        try:
            return path.read_bytes(), filename or path.name
        except OSError as exc:
            raise CatalogError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    name = filename or getattr(data, "name", None) or "upload.csv"
    if isinstance(data, (bytes, bytearray, memoryview)):
        _check_size(len(data), name, max_bytes)
        return bytes(data), name
    size = getattr(data, "size", None)
    if size is None:
        pos = data.tell()
        size = data.seek(0, io.SEEK_END) - pos
        data.seek(pos)
    _check_size(int(size), name, max_bytes)
    return data.read(max_bytes + 1), name


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise CatalogError(f"{name} is {size / 1e6:,.1f} MB, over the {max_bytes / 1e6:,.1f} MB "
                           "limit; split the file or raise the limit ($CATSIM_MAX_UPLOAD_MB)")


def _read_delimited(data: bytes, name: str, max_rows: int, options: TextOptions) -> RawTable:
    stray = stray_zero_bytes(data)
    if stray is not None:
        raise CatalogError(f"{name} is text with {stray}")
    kind = binary_kind(data)
    if kind is not None:
        raise CatalogError(f"{name} looks like a binary file ({kind}), not CSV text")
    text, encoding, warnings = _decoded(data, name, options.encoding)
    if "\x00" in text or control_share(text) > 0.01:
        raise CatalogError(f"{name} looks like a binary file (control characters), not CSV "
                           "text; export the catalog as CSV, Excel or Parquet")
    # Excel's delimiter line ("sep=;" above the header, as European exports write it)
    hint = _SEP_LINE.match(text)
    delimiter = options.delimiter or (hint.group(1) if hint else None) or detect_delimiter(text)
    skip = _title_rows(text, delimiter) if options.header else 0
    header, rows, ragged = _parse_rows(text, delimiter, name, max_rows, options.header,
                                       skip=skip)
    if not options.allow_ragged:
        check_parse(name, header, len(rows), len(ragged), text=text, encoding=encoding,
                    delimiter=delimiter, header_given=options.header)
    header, named = _clean_header(header)
    warnings += named + _ragged_warning(ragged, len(rows))
    if skip and not (hint and skip == 1):  # the delimiter line alone needs no word
        warnings.insert(0, f"{name}: the column names are on line {skip + 1}; "
                           f"{skipped_above(skip, 'line')}")
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header)
    warnings += _check_header(frame, name)
    warnings += unwrap_excel_text(frame)
    if not rows and ragged:
        raise CatalogError(f"{name}: all {len(ragged):,} rows were skipped as ragged "
                           f"({'; '.join(ragged[:3])}); check the delimiter")
    return RawTable(frame, name, encoding=encoding, delimiter=delimiter,
                    warnings=tuple(warnings))


_SEP_LINE = re.compile(r"sep=([,;\t|])[ \t]*\r?\n", re.IGNORECASE)


def _decoded(data: bytes, name: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings): the chosen encoding, else detection; bad UTF-8 bytes named."""
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding, []
        except LookupError:
            raise CatalogError(f"Unknown encoding {encoding!r}; use e.g. utf-8, gb18030, "
                               "cp1252 or utf-16") from None
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            wrong = f"{name} is not {encoding}: byte {exc.start} (line {line}) does not decode"
            raise CatalogError(f"{wrong}; choose another encoding",
                               cli=f"--encoding {encoding}: {wrong}; give the file's encoding "
                               "(e.g. gb18030, cp1252), or leave --encoding out to have it "
                               "detected") from None
    text, found = decode_text(data, name)
    if found == "utf-8" and "\ufffd" in text:
        mostly = mostly_utf8(data)
        if mostly is not None:
            bad = text.count("\ufffd") - data.count("\ufffd".encode())
            return text, found, [(f"{bad} bytes are not UTF-8 (lines "
                                  f"{short_list(mostly[1], 5)}); they read as \ufffd and the "
                                  "rest is kept as UTF-8; save the file again as UTF-8 to fix "
                                  "them")]
    return text, found, []


def _parse_rows(text: str, delimiter: str, name: str, max_rows: int,
                has_header: bool = True, *,
                skip: int = 0) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, rows, ragged): ragged rows are listed ("line 3: 2 fields..."), not padded.
    The first ``skip`` records (title lines above the header) are passed over."""
    csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, sys.maxsize)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _ in range(skip):
            next(reader)
        header = next(reader)
    except StopIteration:
        raise CatalogError(f"{name} is empty: the file needs a header row") from None
    except csv.Error as exc:
        raise CatalogError(f"{name}: cannot parse the header line ({exc})") from exc
    rows: list[list[str]] = []
    if not has_header:
        rows.append(header)
        header = [f"column_{i + 1}" for i in range(len(header))]
    bad: list[str] = []
    start, last_start = reader.line_num + 1, 0
    try:
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip() and len(header) > 1):
                if len(row) != len(header):
                    bad.append(f"line {reader.line_num}: {len(row)} fields, "
                               f"header has {len(header)}")
                elif len(rows) >= max_rows:
                    raise CatalogError(f"{name} has more than {max_rows:,} rows, the limit; "
                                       "split the file or raise $CATSIM_MAX_ROWS")
                else:
                    rows.append(row)
            last_start, start = start, reader.line_num + 1
    except csv.Error as exc:
        raise CatalogError(f"{name}: malformed CSV near line {reader.line_num} ({exc})") from exc
    if last_start and _unterminated(text, delimiter, last_start):
        raise CatalogError(f"{name}: the quoted field that starts on line {last_start} is never "
                           "closed, so every line after it would be read as one cell; "
                           "close or remove the stray quote (\")")
    return header, rows, bad


def _title_rows(text: str, delimiter: str) -> int:
    """How many records (a title, an export date, blank lines) sit above the column names."""
    try:
        top = list(itertools.islice(csv.reader(io.StringIO(text, newline=""),
                                               delimiter=delimiter), HEADER_SCAN_ROWS))
    except csv.Error:
        return 0
    return header_row(top)


def _ragged_warning(bad: list[str], kept: int) -> list[str]:
    if not bad:
        return []
    return [(f"{len(bad)} ragged rows were skipped, not padded ({'; '.join(bad[:5])}"
             f"{'...' if len(bad) > 5 else ''}); fix them in the file to include them")]


def _unterminated(text: str, delimiter: str, line: int) -> bool:
    """Whether the record starting on ``line`` (1-based) runs into the end inside quotes."""
    lines = itertools.islice(io.StringIO(text, newline=""), line - 1, None)
    tail = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        for _ in tail:
            return False
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _clean_header(header: list[str]) -> tuple[list[str], list[str]]:
    """Strip names; unnamed columns get 'column_N' (reported)."""
    names = [h.strip() for h in header]
    unnamed = [i for i, h in enumerate(names) if not h]
    if not unnamed or len(names) == 1:
        return names, []
    for i in unnamed:
        names[i] = f"column_{i + 1}"
    shown = ", ".join(names[i] for i in unnamed[:5])
    return names, [f"{len(unnamed)} header cells were empty; named them {shown}"]


def _read_excel(data: bytes, name: str, sheet: str | None, max_rows: int,
                max_xml_bytes: int) -> RawTable:
    return _sheet_table(read_sheet(data, name, sheet, max_rows=max_rows,
                                   max_xml_bytes=max_xml_bytes), name)


def _sheet_table(got: SheetData, name: str) -> RawTable:
    """A workbook's sheet (.xlsx or .xls) as a RawTable, with what was passed over."""
    frame = frame_of(got)
    frame.columns, warnings = _clean_header(list(frame.columns))
    warnings += _check_header(frame, name)  # first: clean_controls reads each name as one column
    warnings += clean_controls(frame)
    if got.uncached_formulas:
        n = got.uncached_formulas
        warnings.append(f"Sheet '{got.sheet}' of {name}: {n:,} cell{'s' if n != 1 else ''} "
                        f"{'hold formulas' if n != 1 else 'holds a formula'} whose result was "
                        "never saved (a program wrote the workbook), read as empty; open it in "
                        "Excel or LibreOffice and save it, or export the sheet as CSV")
    if got.header_row > 1:
        warnings.append(f"Sheet '{got.sheet}' of {name}: the column names are on row "
                        f"{got.header_row}; {skipped_above(got.header_row - 1, 'row')}")
    if len(got.sheets) > 1:
        others = [s for s in got.sheets if s != got.sheet]
        warnings.append(f"{name} has {len(got.sheets):,} sheets; reading '{got.sheet}' "
                        f"(others: {short_list(others, 5)})")
    return RawTable(frame, name, sheet=got.sheet, sheets=got.sheets, warnings=tuple(warnings))


def _read_feed(data: bytes, name: str, kind: str, sheet: str | None, max_rows: int,
               max_document_bytes: int) -> RawTable:
    """An XML product feed or JSON (core.catalog.feeds); an XML Spreadsheet as a sheet."""
    if kind == "xml":
        got, encoding, warnings = read_xml(data, name, max_rows=max_rows, sheet=sheet)
        if isinstance(got, SheetData):
            return replace(_sheet_table(got, name), encoding=encoding)
    else:
        got, encoding, warnings = read_json(data, name, max_rows=max_rows,
                                            max_document_bytes=max_document_bytes)
    got.columns, named = _clean_header([str(c) for c in got.columns])
    warnings += named + _check_header(got, name) + clean_controls(got)
    return RawTable(got, name, encoding=encoding, warnings=tuple(warnings))


def _read_parquet(data: bytes, name: str, max_rows: int) -> RawTable:
    frame, warnings = read_parquet_frame(data, name, max_rows)
    warnings += _check_header(frame, name)
    warnings += clean_controls(frame)
    return RawTable(frame, name, warnings=tuple(warnings))


def _check_header(frame: pd.DataFrame, name: str) -> list[str]:
    """Columns that share a name (two "Description" columns of an export) are told apart
    in place: the later ones get " (2)", " (3)"...; the warning says which."""
    names, renamed = unique_names([str(c) for c in frame.columns])
    if not renamed:
        return []
    frame.columns = names
    return [repeated_names_warning(name, renamed)]


__all__ = ["EXCEL_EXTENSIONS", "MAX_FILE_BYTES", "RawTable", "TextOptions", "read_table"]
