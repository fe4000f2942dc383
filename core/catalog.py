"""Reading catalog files and mapping their columns.

One reader owns encodings, delimiters and the report of what it found:
:func:`read_table` turns bytes (CSV, TSV, Excel, Parquet) into a
:class:`RawTable`; :func:`build_catalog` applies a :class:`ColumnMapping` and
returns a :class:`Catalog` with a :class:`ValidationReport`. Nothing is
silently "fixed": problems are reported and, where the user must choose,
refused with a message that says how to choose.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import CatalogError
from core.textenc import decode_text, detect_delimiter

DUPLICATE_POLICIES = ("error", "keep-first", "suffix")
TITLE_HINTS = ("title", "name", "product", "item", "标题", "名称", "品名", "商品")
TEXT_HINTS = ("desc", "brand", "category", "manufacturer", "类", "描述", "品牌")
ID_HINTS = ("id", "sku", "code", "key", "编号")
MAX_FILE_BYTES = 500 * 1024 * 1024


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


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns play which part. ``id_column=None`` means row numbers."""

    text_columns: tuple[str, ...]
    id_column: str | None = None
    category: str | None = None
    brand: str | None = None
    price: str | None = None
    image: str | None = None

    def roles(self) -> dict[str, str]:
        """Mapped optional roles as {role: column}."""
        pairs = {"category": self.category, "brand": self.brand,
                 "price": self.price, "image": self.image}
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True)
class ValidationReport:
    """What the reader found; shown to the user, never acted on silently."""

    rows: int
    duplicate_ids: tuple[str, ...] = ()
    duplicate_policy: str = "error"
    empty_texts: tuple[int, ...] = ()
    long_texts: int | None = None
    max_tokens: int | None = None
    warnings: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"{self.rows:,} rows"]
        if self.duplicate_ids:
            shown = ", ".join(self.duplicate_ids[:5])
            out.append(f"{len(self.duplicate_ids)} duplicate ids ({shown}"
                       f"{'...' if len(self.duplicate_ids) > 5 else ''}); "
                       f"policy: {self.duplicate_policy}")
        if self.empty_texts:
            rows = ", ".join(str(r + 1) for r in self.empty_texts[:5])
            out.append(f"{len(self.empty_texts)} rows with empty text (rows {rows}"
                       f"{'...' if len(self.empty_texts) > 5 else ''})")
        if self.long_texts:
            out.append(f"{self.long_texts} texts longer than the model reads "
                       f"({self.max_tokens} tokens); they are truncated")
        out.extend(self.warnings)
        return out


@dataclass(frozen=True)
class Catalog:
    """A mapped catalog: ids, the text each product is embedded from, roles.

    ids: (n,) object array of str, unique. texts: list of n str.
    """

    frame: pd.DataFrame
    mapping: ColumnMapping
    ids: np.ndarray
    texts: list[str]
    report: ValidationReport
    name: str = "catalog"

    def __len__(self) -> int:
        return len(self.ids)

    def titles(self) -> list[str]:
        """A short label per product: its first text column."""
        col = self.mapping.text_columns[0]
        return self.frame[col].astype(str).tolist()

    def column(self, name: str) -> pd.Series:
        if name not in self.frame.columns:
            raise CatalogError(f"Column '{name}' is not in the catalog; "
                               f"available: {', '.join(map(str, self.frame.columns))}")
        return self.frame[name]

    def position_of(self) -> dict[str, int]:
        """Map id -> row position."""
        return {pid: i for i, pid in enumerate(self.ids)}


def read_table(data: bytes | str | Path, filename: str | None = None, *,
               sheet: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> RawTable:
    """Parse CSV/TSV/TXT, Excel (.xlsx/.xls) or Parquet from bytes or a path.

    The format comes from the file name's extension (CSV when unknown).
    Raises CatalogError with a message that says what to fix.
    """
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise CatalogError(f"File not found: {path}")
        if path.stat().st_size > max_bytes:
            raise CatalogError(f"{path.name} is {path.stat().st_size / 1e6:.0f} MB, over the "
                               f"{max_bytes / 1e6:.0f} MB limit; split the file or raise the limit")
        filename = filename or path.name
        data = path.read_bytes()
    name = filename or "upload.csv"
    if len(data) > max_bytes:
        raise CatalogError(f"{name} is over the {max_bytes / 1e6:.0f} MB limit")
    if not data.strip():
        raise CatalogError(f"{name} is empty: upload a file with a header row and products")
    ext = Path(name).suffix.lower()
    if ext in (".xlsx", ".xlsm", ".xls"):
        table = _read_excel(data, name, sheet)
    elif ext == ".parquet":
        table = _read_parquet(data, name)
    else:
        table = _read_delimited(data, name)
    if len(table.frame) == 0:
        raise CatalogError(f"{name} has a header but no product rows")
    return table


def _read_delimited(data: bytes, name: str) -> RawTable:
    if b"\x00" in data[:4096] and not data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        if not _looks_utf16(data):
            raise CatalogError(f"{name} looks like a binary file, not CSV text; "
                               "export the catalog as CSV, Excel or Parquet")
    text, encoding = decode_text(data, name)
    delimiter = detect_delimiter(text)
    header, rows, warnings = _parse_rows(text, delimiter, name)
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header)
    _check_header(frame, name)
    return RawTable(frame, name, encoding=encoding, delimiter=delimiter,
                    warnings=tuple(warnings))


def _parse_rows(text: str, delimiter: str,
                name: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Split delimited text into header and rows; ragged rows are reported, not padded."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CatalogError(f"{name} is empty: upload a file with a header row") from None
    except csv.Error as exc:
        raise CatalogError(f"{name}: cannot parse the header line ({exc})") from exc
    rows: list[list[str]] = []
    bad: list[str] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
                continue
            if len(row) != len(header):
                bad.append(f"line {reader.line_num}: {len(row)} fields, header has {len(header)}")
                continue
            rows.append(row)
    except csv.Error as exc:
        raise CatalogError(f"{name}: malformed CSV near line {reader.line_num} ({exc})") from exc
    warnings = []
    if bad:
        warnings.append(f"{len(bad)} ragged rows were skipped, not padded ({'; '.join(bad[:5])}"
                        f"{'...' if len(bad) > 5 else ''}); fix them in the file to include them")
    return header, rows, warnings


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    return sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4


def _read_excel(data: bytes, name: str, sheet: str | None) -> RawTable:
    try:
        book = pd.ExcelFile(io.BytesIO(data))
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise CatalogError(f"{name} is not a readable Excel workbook ({type(exc).__name__}); "
                           "save it again as .xlsx or export CSV") from exc
    sheets = tuple(str(s) for s in book.sheet_names)
    chosen = sheet if sheet is not None else sheets[0]
    if chosen not in sheets:
        raise CatalogError(f"Sheet '{chosen}' is not in {name}; sheets: {', '.join(sheets)}")
    frame = book.parse(chosen, dtype=str).fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(frame, name)
    warn = () if len(sheets) == 1 else (f"{name} has {len(sheets)} sheets; reading '{chosen}'",)
    return RawTable(frame, name, sheet=chosen, sheets=sheets, warnings=warn)


def _read_parquet(data: bytes, name: str) -> RawTable:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several types for bad files
        raise CatalogError(f"{name} is not a readable Parquet file ({type(exc).__name__})") from exc
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].fillna("").astype(str)
    return RawTable(frame, name)


def _check_header(frame: pd.DataFrame, name: str) -> None:
    cols = list(frame.columns)
    dups = sorted({c for c in cols if cols.count(c) > 1})
    if dups:
        raise CatalogError(f"{name} has repeated column names: {', '.join(dups)}; rename them")


def guess_text_columns(frame: pd.DataFrame) -> list[str]:
    """Pick text columns: title/name-like first, then other textual columns.

    Falls back to the string column with the longest average text.
    """
    cols = [str(c) for c in frame.columns]
    textual = [c for c in cols if _is_textual(frame[c])]
    titles = [c for c in textual if any(h in c.lower() for h in TITLE_HINTS)]
    if titles:
        return titles[:1]
    if not textual:
        raise CatalogError("No text column found: the catalog needs at least one column "
                           "of product text (title, name or description)")
    lengths = {c: frame[c].astype(str).str.len().mean() for c in textual}
    return [max(textual, key=lambda c: lengths[c])]


def guess_id_column(frame: pd.DataFrame) -> str | None:
    """An id-like column whose values are unique, else None (row numbers)."""
    for col in map(str, frame.columns):
        low = col.lower()
        if low in ID_HINTS or low.endswith("_id") or low.endswith("id"):
            if frame[col].astype(str).is_unique:
                return col
    return None


def guess_role(frame: pd.DataFrame, role: str) -> str | None:
    """A column whose name suggests a role (category, brand, price, image)."""
    hints = {"category": ("category", "categor", "类目", "分类"),
             "brand": ("brand", "manufacturer", "品牌"),
             "price": ("price", "价格"),
             "image": ("image", "img", "picture", "图片")}[role]
    for col in map(str, frame.columns):
        if any(h in col.lower() for h in hints):
            return col
    return None


def _is_textual(series: pd.Series) -> bool:
    values = series.astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return False
    numeric = pd.to_numeric(values.str.replace(r"[$,€£¥]", "", regex=True), errors="coerce")
    return numeric.notna().mean() < 0.8


def build_texts(frame: pd.DataFrame, text_columns: tuple[str, ...] | list[str],
                *, separator: str = " | ") -> list[str]:
    """One text per row: the non-empty values of ``text_columns`` joined in order."""
    parts = [frame[c].fillna("").astype(str).str.strip() for c in text_columns]
    texts = []
    for values in zip(*parts):
        texts.append(separator.join(v for v in values if v))
    return texts


def build_catalog(table: RawTable | pd.DataFrame, mapping: ColumnMapping, *,
                  on_duplicate_ids: str = "error", name: str | None = None) -> Catalog:
    """Apply a column mapping, validate, and return a Catalog.

    on_duplicate_ids: "error" (refuse, say how to choose), "keep-first" (drop
    later rows with the same id) or "suffix" (make ids unique as id#2, id#3).
    """
    frame = table.frame if isinstance(table, RawTable) else table
    warnings = list(table.warnings) if isinstance(table, RawTable) else []
    name = name or (table.source if isinstance(table, RawTable) else "catalog")
    _check_mapping(frame, mapping, on_duplicate_ids)
    ids, dup_ids = _ids(frame, mapping.id_column)
    if dup_ids:
        if on_duplicate_ids == "error":
            raise CatalogError(
                f"Column '{mapping.id_column}' has {len(dup_ids)} duplicate ids "
                f"(e.g. {', '.join(dup_ids[:3])}); choose keep-first or suffix "
                "for duplicate ids, or map another id column")
        frame, ids = _resolve_duplicates(frame, ids, on_duplicate_ids)
    texts = build_texts(frame, mapping.text_columns)
    empty = tuple(i for i, t in enumerate(texts) if not t.strip())
    if len(empty) == len(texts):
        raise CatalogError(f"Text column(s) {', '.join(mapping.text_columns)} are empty "
                           "in every row; map a column that holds product text")
    report = ValidationReport(rows=len(frame), duplicate_ids=tuple(dup_ids),
                              duplicate_policy=on_duplicate_ids, empty_texts=empty,
                              warnings=tuple(warnings))
    return Catalog(frame.reset_index(drop=True), mapping, ids, texts, report, name)


def _check_mapping(frame: pd.DataFrame, mapping: ColumnMapping, policy: str) -> None:
    if policy not in DUPLICATE_POLICIES:
        raise CatalogError(f"on_duplicate_ids must be one of {', '.join(DUPLICATE_POLICIES)}")
    if not mapping.text_columns:
        raise CatalogError("Choose at least one text column to embed")
    cols = set(map(str, frame.columns))
    named = [mapping.id_column, *mapping.text_columns, *mapping.roles().values()]
    missing = [c for c in named if c is not None and c not in cols]
    if missing:
        raise CatalogError(f"Column(s) {', '.join(missing)} not in the catalog; "
                           f"available: {', '.join(map(str, frame.columns))}")


def _ids(frame: pd.DataFrame, id_column: str | None) -> tuple[np.ndarray, list[str]]:
    if id_column is None:
        return np.array([str(i) for i in range(len(frame))], dtype=object), []
    ids = frame[id_column].astype(str).str.strip().to_numpy(dtype=object)
    counts = pd.Series(ids).value_counts()
    return ids, [str(i) for i in counts[counts > 1].index]


def _resolve_duplicates(frame: pd.DataFrame, ids: np.ndarray,
                        policy: str) -> tuple[pd.DataFrame, np.ndarray]:
    if policy == "keep-first":
        keep = ~pd.Series(ids).duplicated(keep="first").to_numpy()
        return frame.loc[keep], ids[keep]
    seen: dict[str, int] = {}
    out = []
    for pid in ids:
        seen[pid] = seen.get(pid, 0) + 1
        out.append(pid if seen[pid] == 1 else f"{pid}#{seen[pid]}")
    return frame, np.array(out, dtype=object)


def with_long_text_count(catalog: Catalog, count: int, max_tokens: int) -> Catalog:
    """Return the catalog with the number of over-long texts in its report."""
    report = ValidationReport(**{**catalog.report.__dict__, "long_texts": count,
                                 "max_tokens": max_tokens})
    return Catalog(catalog.frame, catalog.mapping, catalog.ids, catalog.texts,
                   report, catalog.name)


def field_defaults(frame: pd.DataFrame) -> ColumnMapping:
    """A sensible automatic mapping for a frame."""
    return ColumnMapping(text_columns=tuple(guess_text_columns(frame)),
                         id_column=guess_id_column(frame),
                         category=guess_role(frame, "category"),
                         brand=guess_role(frame, "brand"),
                         price=guess_role(frame, "price"),
                         image=guess_role(frame, "image"))


__all__ = ["RawTable", "ColumnMapping", "ValidationReport", "Catalog", "read_table",
           "build_catalog", "build_texts", "guess_text_columns", "guess_id_column",
           "guess_role", "field_defaults", "with_long_text_count", "DUPLICATE_POLICIES"]
