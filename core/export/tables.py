"""Neighbour lists as files: long format, CSV / XLSX / Parquet / JSON.

Contract: one row per (source, neighbour): ``source_id, rank, neighbor_id,
score`` (rank from 1, score higher = more similar), optional title columns.
CSV and XLSX are Excel-safe by default: a text cell (ids and headers
included) that a spreadsheet would run as a formula gets a leading
apostrophe; ``excel_safe_csv=False`` (CLI ``--no-excel-safe``) writes cells
unaltered for machine pipelines. XLSX text cells are always written as text,
never as formulas. Parquet and JSON are never altered.

This is the one writer of CSV and XLSX in the project: exports, the CLI's
``search`` output on stdout (:func:`write_stream`) and the Review page's
labelled pairs all go through :func:`to_bytes`.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from core.catalog.table import Catalog
from core.errors import CatalogSimilarityError
from core.search.neighbors import Neighbors

FORMATS = ("csv", "xlsx", "parquet", "json")
# CSV text encodings offered: plain UTF-8, UTF-8 with BOM (Excel), GB18030 (Chinese Excel).
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
XLSX_MAX_CELL_CHARS = 32_767  # Excel's cell limit
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def neighbors_frame(catalog_ids: np.ndarray, neighbors: Neighbors, *,
                    titles: list[str] | None = None,
                    corpus_ids: np.ndarray | None = None,
                    corpus_titles: list[str] | None = None) -> pd.DataFrame:
    """Long-format table of every product's list.

    catalog_ids: (n,) ids of the query rows; corpus_ids default to the same.
    titles: optional (n,) labels that add source_title / neighbor_title.
    """
    corpus_ids = catalog_ids if corpus_ids is None else corpus_ids
    corpus_titles = titles if corpus_titles is None else corpus_titles
    n, k = neighbors.indices.shape
    flat = neighbors.indices.reshape(-1)
    src = np.repeat(np.arange(n), k)
    frame = pd.DataFrame({
        "source_id": np.asarray(catalog_ids, dtype=object)[src],
        "rank": np.tile(np.arange(1, k + 1), n),
        "neighbor_id": np.asarray(corpus_ids, dtype=object)[flat],
        "score": neighbors.scores.reshape(-1).astype(np.float64).round(6),
    })
    if titles is not None and corpus_titles is not None:
        frame.insert(1, "source_title", np.asarray(titles, dtype=object)[src])
        frame.insert(4, "neighbor_title", np.asarray(corpus_titles, dtype=object)[flat])
    return frame


LAYOUTS = ("pairs", "products")  # a row per product and neighbour / a row per product
LIST_SEPARATOR = ","  # WooCommerce's Upsells and Cross-sells columns read "id1,id2"
ALT_SEPARATOR = "|"  # when an id holds a comma


def list_separator(ids: np.ndarray) -> str:
    """"," unless some id holds a comma (then "|"), for the one-row-per-product layout."""
    return ALT_SEPARATOR if any("," in str(v) for v in np.asarray(ids, dtype=object)) \
        else LIST_SEPARATOR


def products_frame(catalog_ids: np.ndarray, neighbors: Neighbors, *,
                   titles: list[str] | None = None, separator: str | None = None,
                   corpus_ids: np.ndarray | None = None) -> pd.DataFrame:
    """Every product's list on one row, as shop imports read related products (WooCommerce's
    Cross-sells, a recommendation app's "related" column): source_id, (source_title),
    neighbors (how many), neighbor_ids and scores, each list in rank order joined by the
    separator (default list_separator(catalog_ids)). A product whose list is empty has a
    row too, with no ids. corpus_ids: the ids the lists' rows point at (default
    catalog_ids)."""
    ids = np.asarray(catalog_ids, dtype=object)
    corpus = ids if corpus_ids is None else np.asarray(corpus_ids, dtype=object)
    sep = list_separator(corpus) if separator is None else separator
    rows_ids, rows_scores, counts = [], [], []
    for idx, sc in zip(neighbors.indices, neighbors.scores):
        ok = idx >= 0
        rows_ids.append(sep.join(str(v) for v in corpus[idx[ok]]))
        rows_scores.append(sep.join(f"{float(v):.6f}".rstrip("0").rstrip(".")
                                    for v in sc[ok]))
        counts.append(int(ok.sum()))
    frame = pd.DataFrame({"source_id": ids, "neighbors": counts, "neighbor_ids": rows_ids,
                          "scores": rows_scores})
    if titles is not None:
        frame.insert(1, "source_title", np.asarray(titles, dtype=object))
    return frame


def score_meaning(image_weight: float = 0.0, images=None) -> str:
    """What the score column means, in the words the Export page and the CLI both use.
    image_weight: Config.image_weight; images: the catalog's ImageVectors (None: no photos
    read). The photos are part of the score only when some product has a usable photo."""
    has_photos = images is not None and bool(np.asarray(images.has_image).any())
    photo_share = image_weight if has_photos else 0.0
    if photo_share <= 0:
        return "0 = unrelated, 1 = the same text"
    if photo_share >= 1:
        return ("0 = unrelated, 1 = the same text and the same photo; the score comes from "
                "the photos (the text only breaks ties), and a product without a photo is "
                "scored by its text")
    return (f"0 = unrelated, 1 = the same text and the same photo; {photo_share:.0%} of the "
            "score comes from the photos, and a pair where one product has no photo is "
            "scored by its text alone")


def catalog_neighbors_frame(catalog: Catalog, neighbors: Neighbors, *,
                            with_titles: bool = True) -> pd.DataFrame:
    """neighbors_frame for a catalog's own top-k lists."""
    return neighbors_frame(catalog.ids, neighbors,
                           titles=catalog.titles() if with_titles else None)


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy with formula-like text cells neutralised by a leading apostrophe.

    A cell is formula-like when it starts with = + - @ tab or CR and is not a
    plain number. Numeric columns are untouched.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]):
            continue
        out[col] = out[col].map(_neutralise)
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def _neutralise(value: object) -> object:
    return "'" + value if is_formula_like(value) else value


def is_formula_like(value: object) -> bool:
    """True for a text cell a spreadsheet would evaluate (= + - @ tab CR, not a number)."""
    return (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _NUMBER.fullmatch(value.strip()))


# Text Excel reads as a number when it opens a CSV (spaces around it allowed).
_EXCEL_NUMBER = r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*"
# ...and shows differently from how it was written: leading zeros, a sign or spaces, an
# exponent, a decimal point first or last, trailing decimal zeros, or more than 11 digits
# (shown as 1.23457E+11; past 15 digits the last ones become 0).
_EXCEL_CHANGED = (r"\s.*|.*\s|\+.*|-?0\d.*|.*[eE].*|-?\..*|.*\.|.*\.\d*0"
                  r"|[+-]?\d{12,}|[+-]?(?=[\d.]{13,})\d*\.\d*")


def excel_changes(values: np.ndarray) -> np.ndarray:
    """(n,) bool: which values Excel turns into a number shown otherwise when it opens a
    CSV ("0001" -> 1, "1.50" -> 1.5, "123456789012" -> 1.23457E+11). Such ids survive in
    the Excel workbook (its text cells stay text), not in a CSV opened in Excel.
    Non-text values are never flagged."""
    series = pd.Series(np.asarray(values, dtype=object))
    text = series.map(lambda v: v if isinstance(v, str) else "")
    number = text.str.fullmatch(_EXCEL_NUMBER, flags=re.ASCII)
    return (number & text.str.fullmatch(_EXCEL_CHANGED, flags=re.ASCII | re.DOTALL)
            ).to_numpy(dtype=bool)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID_COLUMNS = ("source_id", "neighbor_id", "left_id", "right_id", "product_id", "id")


def without_controls(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and headers with control characters (not tab/CR/LF) replaced by U+FFFD."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: _CONTROL.sub("\ufffd", v) if isinstance(v, str)
                                    else v)
    out.columns = [_CONTROL.sub("\ufffd", str(c)) for c in out.columns]
    return out


def write_stream(frame: pd.DataFrame, stream, fmt: str = "csv", **options) -> None:
    """The safe writer for a stream (e.g. the CLI's stdout): the bytes of :func:`to_bytes`."""
    data = to_bytes(frame, fmt, **options)
    target = getattr(stream, "buffer", None)
    if target is None:
        stream.write(data.decode("utf-8"))
    else:
        stream.flush()
        target.write(data)
        target.flush()


def format_from_path(path: str | Path) -> str:
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise CatalogSimilarityError(f"Output '{path}' must end in "
                                     f"{', '.join('.' + f for f in FORMATS[:-1])} or .json")
    return ext


def csv_encoding(encoding: str | None = None, *, bom: bool = False) -> str:
    """The CSV encoding: one of CSV_ENCODINGS (bom=True is "utf-8-sig")."""
    name = (encoding or ("utf-8-sig" if bom else "utf-8")).strip().lower()
    if name not in CSV_ENCODINGS:
        raise CatalogSimilarityError(f"CSV encoding '{encoding}' is not one of "
                                     f"{', '.join(CSV_ENCODINGS)}")
    return name


def excel_encoding(values: list[str], upload: str = "") -> str:
    """The CSV encoding Excel reads these texts in: GB18030 when the catalog came in
    GB18030 / GBK (upload) and every text is in GBK (what Chinese Excel reads a CSV without
    a mark as), UTF-8 with a BOM when any text holds another non-ASCII character (without
    the BOM, Excel reads UTF-8 as the system's code page), else plain UTF-8."""
    if upload in ("gb18030", "gbk", "gb2312") and _all_in(values, "gbk"):
        return "gb18030"
    if not all(text.isascii() for text in values):
        return "utf-8-sig"
    return "utf-8"


def _all_in(values: list[str], encoding: str) -> bool:
    try:
        "\n".join(values).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def to_bytes(frame: pd.DataFrame, fmt: str, *, excel_safe_csv: bool = True,
             bom: bool = False, encoding: str | None = None) -> bytes:
    """Serialise a neighbour table. fmt: csv | xlsx | parquet | json (records).

    excel_safe_csv: neutralise formula-like cells in CSV and XLSX (default).
    encoding (CSV only): "utf-8" (default), "utf-8-sig" (with BOM: Excel then reads
    non-ASCII text correctly) or "gb18030" (what Chinese Excel opens by default; it
    encodes every Unicode character). bom=True is "utf-8-sig".
    """
    if fmt == "csv":
        # CRLF rows (RFC 4180): the writer then quotes every cell holding CR or LF, so a
        # bare CR can never start a new row whose first cell is a formula. Control
        # characters (NUL, ESC...) become U+FFFD so the file stays text.
        out = without_controls(excel_safe(frame) if excel_safe_csv else frame)
        data = out.to_csv(index=False, lineterminator="\r\n")
        return data.encode(csv_encoding(encoding, bom=bom))
    if fmt == "xlsx":
        return _xlsx_bytes(excel_safe(frame) if excel_safe_csv else frame)
    if fmt == "parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    if fmt == "json":
        return frame.to_json(orient="records", force_ascii=False, indent=None).encode("utf-8")
    raise CatalogSimilarityError(f"Unknown export format '{fmt}'; choose "
                                 f"{', '.join(FORMATS)}")


def _xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """One sheet, streamed; every text cell typed as text so it is never a formula.

    Characters XML cannot hold (control characters) become U+FFFD and cells are
    cut to Excel's 32,767 characters.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if len(frame) > XLSX_MAX_ROWS:
        raise CatalogSimilarityError(f"{len(frame):,} rows do not fit in one Excel sheet "
                                     f"({XLSX_MAX_ROWS:,}); export CSV or Parquet")
    for col in (c for c in frame.columns if str(c).lstrip("'") in ID_COLUMNS):
        if frame[col].map(lambda v: isinstance(v, str) and len(v) > XLSX_MAX_CELL_CHARS).any():
            raise CatalogSimilarityError(
                f"Column '{col}' holds ids longer than Excel's {XLSX_MAX_CELL_CHARS:,}-character "
                "cell limit; cut, they could collide. Export CSV or Parquet instead")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("neighbors")

    def row_cells(values) -> list:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cells.append(cell)
        return cells

    sheet.append(row_cells(map(str, frame.columns)))
    for values in frame.itertuples(index=False, name=None):
        sheet.append(row_cells(values))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _xlsx_value(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (int, float, bool)):
        return value
    text = _XML_ILLEGAL.sub("\ufffd", str(value))
    return text[:XLSX_MAX_CELL_CHARS]


def replace_target(path: str | Path) -> Path:
    """The file an atomic write renames over: path, or the file a symbolic link at path
    points to (renamed over, the link became a plain file, and the file it points to, the
    one a shop's system reads, kept the old contents)."""
    path = Path(path)
    return path.resolve() if path.is_symlink() else path


def write_table(frame: pd.DataFrame, path: str | Path, *, excel_safe_csv: bool = True,
                bom: bool = False, encoding: str | None = None) -> Path:
    """Write by extension (.csv, .xlsx, .parquet, .json) atomically; returns the path."""
    path = replace_target(path)
    data = to_bytes(frame, format_from_path(path), excel_safe_csv=excel_safe_csv, bom=bom,
                    encoding=encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, named per process: two runs at once (a slow night overlapping the
    # next) never write into one temporary file, and a reader never sees half a file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # disk full, read-only, stopped: no half-written file
        raise
    return path
