"""A catalog as a Ray Dataset: read in blocks, texts and content hashes built in tasks.

CSV (UTF-8, delimiter from the header line) and Parquet (a file or a folder
of parts). Every column is read as text, as the single-process reader does,
so "00123" stays "00123". Texts are the non-empty text columns joined by
" | " (core.catalog.build_texts) and cut at the text limit; the hash is the
store's sha256 (never Python's hash(), which differs between workers).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from core.catalog.table import plain_text
from core.errors import CatalogError

SEPARATOR = " | "
_DELIMITERS = (",", ";", "\t", "|")


def catalog_files(path: str | Path) -> tuple[str, list[str]]:
    """("csv" | "parquet", files in order) for a file or a folder of Parquet parts.

    Paths are absolute: Ray's read tasks run in the workers' working folder, not ours.
    """
    p = Path(path).expanduser().absolute()
    if p.is_dir():
        parts = sorted(str(f) for f in p.rglob("*.parquet"))
        if not parts:
            raise CatalogError(f"Folder {p} holds no .parquet parts")
        return "parquet", parts
    if not p.exists():
        raise CatalogError(f"Catalog file not found: {p}")
    ext = p.suffix.lower()
    if ext == ".parquet":
        return "parquet", [str(p)]
    if ext in (".csv", ".tsv", ".txt"):
        return "csv", [str(p)]
    raise CatalogError(f"The Ray engine reads CSV or Parquet (a file or a folder of parts), "
                       f"not '{ext}'; convert the file or use --engine local")


def csv_header(path: str) -> tuple[list[str], str]:
    """(column names, delimiter) from the first line of a UTF-8 CSV file."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        line = fh.readline()
    delimiter = max(_DELIMITERS, key=line.count) if line else ","
    names = next(csv.reader([line], delimiter=delimiter)) if line else []
    if not names:
        raise CatalogError(f"{path} is empty: the first line must name the columns")
    return [n.strip() for n in names], delimiter


def read_dataset(path: str | Path):
    """The catalog as a ray.data.Dataset (all columns as strings), in file order."""
    import pyarrow as pa
    import ray
    from pyarrow import csv as pacsv

    kind, files = catalog_files(path)
    if kind == "parquet":
        return ray.data.read_parquet(files)
    names, delimiter = csv_header(files[0])
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                   strings_can_be_null=False)
    return ray.data.read_csv(files, parse_options=pacsv.ParseOptions(delimiter=delimiter,
                                                                      newlines_in_values=True),
                             convert_options=convert)


def text_hashes(texts: list[str]) -> list[bytes]:
    return [hashlib.sha256(t.encode("utf-8")).digest() for t in texts]


class Prepare:
    """Batch -> id, title (first text column), text, text_hash. Runs in Ray tasks."""

    def __init__(self, id_column: str | None, text_columns: tuple[str, ...],
                 max_chars: int) -> None:
        self.id_column, self.text_columns, self.max_chars = id_column, text_columns, max_chars

    def __call__(self, batch):
        import pyarrow as pa

        cols = set(batch.column_names)
        missing = [c for c in (self.id_column, *self.text_columns) if c is not None and c not in cols]
        if missing:
            raise CatalogError(f"Column(s) {', '.join(missing)} not in the catalog; "
                               f"available: {', '.join(batch.column_names)}")
        parts = [[plain_text(v) for v in _strings(batch, c)] for c in self.text_columns]
        texts = [SEPARATOR.join(v for v in vals if v)[:self.max_chars] for vals in zip(*parts)]
        out = {"title": pa.array(_strings(batch, self.text_columns[0], strip=False), pa.string()),
               "text": pa.array(texts, pa.string()),
               "text_hash": pa.array(text_hashes(texts), pa.binary(32))}
        if self.id_column is not None:
            out["id"] = pa.array(_strings(batch, self.id_column), pa.string())
        return pa.table(out)


def _strings(batch, column: str, *, strip: bool = True) -> list[str]:
    values = batch.column(column).to_pylist()
    return ["" if v is None else (str(v).strip() if strip else str(v)) for v in values]


ROWS_PER_BLOCK = 4096
MIN_BLOCK_ROWS = 64


def with_row_numbers(ds, id_column: str | None, rows_per_block: int = ROWS_PER_BLOCK, *,
                     task_cpus: float = 0.25, parts: int = 1):
    """Materialise ds in order and add "row" (int64, from 0); ids default to row numbers.

    Blocks are cut to at most rows_per_block rows, and to at least `parts` blocks (one per
    embedding actor; MIN_BLOCK_ROWS rows at least) so an actor pool gets work for every
    actor: a small CSV is read as one block, which one actor embedded while the others idled.
    """
    import pyarrow as pa
    import ray

    @ray.remote(num_cpus=task_cpus)
    def count(table) -> int:
        return table.num_rows

    @ray.remote(num_cpus=task_cpus)
    def number(table, start: int, lo: int, hi: int):
        table = table.slice(lo, hi - lo)
        rows = np.arange(start + lo, start + hi, dtype=np.int64)
        table = table.append_column("row", pa.array(rows))
        if id_column is None:
            table = table.append_column("id", pa.array(rows.astype(str).astype(object),
                                                       pa.string()))
        return table

    refs = ds.to_arrow_refs()
    sizes = ray.get([count.remote(r) for r in refs])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    share = -(-int(sum(sizes)) // max(1, parts))
    rows_per_block = max(1, min(rows_per_block, max(MIN_BLOCK_ROWS, share)))
    numbered = [number.remote(r, int(s), lo, min(size, lo + rows_per_block))
                for r, s, size in zip(refs, starts, sizes)
                for lo in range(0, size, rows_per_block)]
    return ray.data.from_arrow_refs(numbered), int(sum(sizes))


def sample_frame(path: str | Path, rows: int):
    """The first `rows` rows as a pandas DataFrame of strings (column guessing)."""
    import pyarrow.parquet as pq

    kind, files = catalog_files(path)
    if kind == "parquet":
        batch = next(pq.ParquetFile(files[0]).iter_batches(batch_size=rows), None)
        if batch is None:
            raise CatalogError(f"{files[0]} has no rows")
        return batch.to_pandas().astype(str)
    import pandas as pd

    _names, delimiter = csv_header(files[0])
    return pd.read_csv(files[0], sep=delimiter, dtype=str, nrows=rows, keep_default_na=False,
                       encoding="utf-8-sig")


def driver_table(path: str | Path):
    """The whole catalog on the driver (a RawTable), in the order Ray reads it."""
    from core.catalog.read import RawTable, read_table

    _kind, files = catalog_files(path)
    if len(files) == 1:
        return read_table(files[0])
    import pandas as pd
    import pyarrow.parquet as pq

    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].fillna("").astype(str)
    return RawTable(frame, str(path))
