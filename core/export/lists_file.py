"""A neighbour-list file (what Export downloads, or ``neighbors --out lists.csv``) turned into a
results folder, so the Open results page pages, filters and exports it like a nightly job's.

The file follows the neighbour file contract: one row per (source, neighbour) with
``source_id, rank, neighbor_id, score`` (+ titles, band), as CSV (Excel-safe or not, any
encoding and delimiter the catalog reader knows), Excel, Parquet or JSON records.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import CatalogSimilarityError
from core.export.results import LIST_COLUMNS, ResultsError, ResultsFolder, write_manifest

REQUIRED = ("source_id", "rank", "neighbor_id", "score")
TEXT_COLUMNS = ("source_id", "source_title", "neighbor_id", "neighbor_title", "band")
FILE_ENGINE = "file"


def read_lists_file(data: bytes, name: str) -> pd.DataFrame:
    """The long-format lists in data (the file called name), checked: the four contract
    columns present, rank a whole number from 1 and score a number on every row.

    Returns a DataFrame of the LIST_COLUMNS the file has, ids and titles as str, rank int64,
    score float64. Raises ResultsError saying what to fix.
    """
    frame = _frame(data, name)
    if frame.empty:
        raise ResultsError(f"{name} holds no list rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ResultsError(
            f"{name} is not a list of neighbours: it lacks {', '.join(missing)} (its columns: "
            f"{', '.join(frame.columns[:8])}). Open a file downloaded from the Export page "
            "(columns source_id, rank, neighbor_id, score), or the folder a nightly job wrote")
    return pd.DataFrame({c: _column(frame[c], c, name) for c in LIST_COLUMNS if c in frame})


def _frame(data: bytes, name: str) -> pd.DataFrame:
    if Path(name).suffix.lower() == ".json":
        try:
            rows = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsError(f"{name} cannot be read as JSON ({exc})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ResultsError(f"{name} is not a list of neighbours: a JSON file from the Export "
                               "page is a list of rows, each with source_id, rank, neighbor_id "
                               "and score")
        return pd.DataFrame(rows)
    from core.catalog.read import read_table

    try:
        return read_table(data, name).frame
    except CatalogSimilarityError as exc:
        raise ResultsError(str(exc)) from None


def _column(values: pd.Series, column: str, name: str) -> pd.Series:
    if column in TEXT_COLUMNS:
        return values.map(lambda v: "" if v is None or v != v else str(v)).astype(object)
    number = pd.to_numeric(values.map(lambda v: str(v).strip() if isinstance(v, str) else v),
                           errors="coerce")
    bad = number.isna() | (np.isinf(number)) if column == "score" else (
        number.isna() | (number < 1) | (number % 1 != 0))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        what = "a number" if column == "score" else "a whole number from 1"
        raise ResultsError(f"{name}: the {column} of list row {row + 1:,} is {values.iloc[row]!r}, "
                           f"not {what}; fix that row or download the lists again")
    return number.astype("float64" if column == "score" else "int64")


def import_lists_file(data: bytes, name: str, root: Path) -> ResultsFolder:
    """Write the lists in data as a results folder under root (one per file content, the
    others under root removed) and open it. Raises ResultsError saying what to fix."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    lists = read_lists_file(data, name)
    folder = root / hashlib.sha256(data).hexdigest()[:16]
    if root.is_dir():
        for other in root.iterdir():
            if other != folder:
                shutil.rmtree(other, ignore_errors=True)
    (folder / "lists").mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(lists, preserve_index=False)
    pq.write_table(table, folder / "lists" / "part-00000.parquet", row_group_size=65536)
    write_manifest(folder, {"engine": FILE_ENGINE, "source_file": name,
                            "products": int(lists["source_id"].nunique()),
                            "k": int(lists["rank"].max()), "metric": "?"})
    return ResultsFolder.open(folder)
