"""Neighbour lists as files: long format, CSV / Parquet / JSON.

Contract: one row per (source, neighbour): ``source_id, rank, neighbor_id,
score`` (rank from 1, score higher = more similar), optional title columns.
CSV is Excel-safe by default: a text cell that a spreadsheet would run as a
formula gets a leading apostrophe. Parquet and JSON are never altered.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from core.catalog import Catalog
from core.errors import CatalogSimilarityError
from core.similarity import Neighbors

FORMATS = ("csv", "parquet", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


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
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.match(value.strip()):
        return value
    return "'" + value


def format_from_path(path: str | Path) -> str:
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise CatalogSimilarityError(f"Output '{path}' must end in .csv, .parquet or .json")
    return ext


def to_bytes(frame: pd.DataFrame, fmt: str, *, excel_safe_csv: bool = True,
             bom: bool = False) -> bytes:
    """Serialise a neighbour table. fmt: csv | parquet | json (records)."""
    if fmt == "csv":
        data = (excel_safe(frame) if excel_safe_csv else frame).to_csv(index=False)
        return data.encode("utf-8-sig" if bom else "utf-8")
    if fmt == "parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    if fmt == "json":
        return frame.to_json(orient="records", force_ascii=False, indent=None).encode("utf-8")
    raise CatalogSimilarityError(f"Unknown export format '{fmt}'; choose csv, parquet or json")


def write_table(frame: pd.DataFrame, path: str | Path, *, excel_safe_csv: bool = True,
                bom: bool = False) -> Path:
    """Write by extension (.csv, .parquet, .json) atomically; returns the path."""
    path = Path(path)
    data = to_bytes(frame, format_from_path(path), excel_safe_csv=excel_safe_csv, bom=bom)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
