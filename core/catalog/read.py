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
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from core.catalog.limits import current_limits
from core.catalog.textenc import binary_kind, control_share, decode_text, detect_delimiter
from core.errors import CatalogError

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


def read_table(data: bytes | str | Path | BinaryIO, filename: str | None = None, *,
               sheet: str | None = None, max_bytes: int | None = None,
               max_rows: int | None = None) -> RawTable:
    """Parse CSV/TSV/TXT, Excel (.xlsx/.xlsm) or Parquet from bytes, a path or a file object.

    The format comes from the file name's extension (delimited text when
    unknown). max_bytes / max_rows default to :func:`core.catalog.limits.current_limits`.
    Raises CatalogError with a message that says what to fix.
    """
    limits = current_limits()
    max_bytes = limits.max_bytes if max_bytes is None else max_bytes
    max_rows = limits.max_rows if max_rows is None else max_rows
    data, name = _bytes_within_limit(data, filename, max_bytes)
    if not data.strip():
        raise CatalogError(f"{name} is empty: upload a file with a header row and products")
    ext = Path(name).suffix.lower()
    if ext in EXCEL_EXTENSIONS:
        table = _read_excel(data, name, sheet, max_rows)
    elif ext == ".xls":
        raise CatalogError(f"{name} is an old .xls workbook; save it as .xlsx or CSV")
    elif ext == ".parquet":
        table = _read_parquet(data, name, max_rows)
    else:
        table = _read_delimited(data, name, max_rows)
    if len(table.frame) == 0:
        raise CatalogError(f"{name} has a header but no product rows")
    return table


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


def _read_delimited(data: bytes, name: str, max_rows: int) -> RawTable:
    kind = binary_kind(data)
    if kind is not None:
        raise CatalogError(f"{name} looks like a binary file ({kind}), not CSV text")
    text, encoding = decode_text(data, name)
    if "\x00" in text or control_share(text) > 0.01:
        raise CatalogError(f"{name} looks like a binary file (control characters), not CSV "
                           "text; export the catalog as CSV, Excel or Parquet")
    delimiter = detect_delimiter(text)
    header, rows, warnings = _parse_rows(text, delimiter, name, max_rows)
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header)
    _check_header(frame, name)
    return RawTable(frame, name, encoding=encoding, delimiter=delimiter,
                    warnings=tuple(warnings))


def _parse_rows(text: str, delimiter: str, name: str,
                max_rows: int) -> tuple[list[str], list[list[str]], list[str]]:
    """Split delimited text into header and rows; ragged rows are reported, not padded."""
    csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, sys.maxsize)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogError(f"{name} is empty: upload a file with a header row") from None
    except csv.Error as exc:
        raise CatalogError(f"{name}: cannot parse the header line ({exc})") from exc
    header, warnings = _clean_header(header)
    rows: list[list[str]] = []
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
    if bad:
        warnings.append(f"{len(bad)} ragged rows were skipped, not padded ({'; '.join(bad[:5])}"
                        f"{'...' if len(bad) > 5 else ''}); fix them in the file to include them")
    return header, rows, warnings


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


def _read_excel(data: bytes, name: str, sheet: str | None, max_rows: int) -> RawTable:
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as exc:  # openpyxl/zipfile raise many types for corrupt files
        raise CatalogError(f"{name} is not a readable Excel workbook ({type(exc).__name__}); "
                           "save it again as .xlsx or export CSV") from exc
    sheets = tuple(str(s) for s in book.sheet_names)
    chosen = sheet if sheet is not None else sheets[0]
    if chosen not in sheets:
        raise CatalogError(f"Sheet '{chosen}' is not in {name}; sheets: {', '.join(sheets)}")
    try:
        frame = pd.read_excel(book, sheet_name=chosen, dtype=str, nrows=max_rows + 1)
    except Exception as exc:  # a damaged sheet part raises many types
        raise CatalogError(f"Sheet '{chosen}' of {name} cannot be read "
                           f"({type(exc).__name__}); save the workbook again") from exc
    if len(frame) > max_rows:
        raise CatalogError(f"Sheet '{chosen}' of {name} has more than {max_rows:,} rows, the "
                           "limit; split it or raise $CATSIM_MAX_ROWS")
    frame = frame.fillna("")
    frame.columns, warnings = _clean_header([_excel_name(c) for c in frame.columns])
    _check_header(frame, name)
    if len(sheets) > 1:
        warnings.append(f"{name} has {len(sheets)} sheets; reading '{chosen}' "
                        f"(others: {', '.join(s for s in sheets if s != chosen)})")
    return RawTable(frame, name, sheet=chosen, sheets=sheets, warnings=tuple(warnings))


def _excel_name(column: object) -> str:
    text = str(column).strip()
    return "" if text.startswith("Unnamed: ") else text


def _read_parquet(data: bytes, name: str, max_rows: int) -> RawTable:
    import pyarrow.parquet as pq

    try:
        pfile = pq.ParquetFile(io.BytesIO(data))
        rows = pfile.metadata.num_rows
        if rows > max_rows:
            raise CatalogError(f"{name} has {rows:,} rows, over the {max_rows:,} row limit; "
                               "split it or raise $CATSIM_MAX_ROWS")
        frame = pfile.read().to_pandas()
    except CatalogError:
        raise
    except Exception as exc:  # pyarrow raises several types for bad files
        raise CatalogError(f"{name} is not a readable Parquet file ({type(exc).__name__})") from exc
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].fillna("").astype(str)
    _check_header(frame, name)
    return RawTable(frame, name)


def _check_header(frame: pd.DataFrame, name: str) -> None:
    cols = list(frame.columns)
    dups = sorted({c for c in cols if cols.count(c) > 1})
    if dups:
        raise CatalogError(f"{name} has repeated column names: {', '.join(dups)}; rename them")


__all__ = ["EXCEL_EXTENSIONS", "MAX_FILE_BYTES", "RawTable", "read_table"]
