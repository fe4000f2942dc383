"""Vectors as Parquet parts: row, id, text_hash, vector (fixed-size list of float32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def vector_array(x: np.ndarray):
    """(n, d) float32 -> pyarrow FixedSizeListArray of d float32."""
    import pyarrow as pa

    x = np.ascontiguousarray(x, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), x.shape[1])


def write_vectors(folder: Path, x: np.ndarray, ids=None, *, rows_per_part: int = 100_000,
                  start: int = 0) -> None:
    """Write (n, d) vectors as folder/part-*.parquet with row numbers from start (ids default: rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for s in range(0, len(x), rows_per_part):
        e = min(len(x), s + rows_per_part)
        rows = np.arange(start + s, start + e, dtype=np.int64)
        part_ids = rows.astype(str) if ids is None else np.asarray(ids[s:e]).astype(str)
        table = pa.table({"row": rows, "id": pa.array(part_ids.tolist(), pa.string()),
                          "vector": vector_array(x[s:e])})
        pq.write_table(table, folder / f"part-{(start + s) // rows_per_part:05d}.parquet",
                       row_group_size=16_384)


def read_rows(folder: str | Path, start: int, stop: int) -> np.ndarray:
    """Vectors of rows [start, stop) from folder/*.parquet: (stop - start, d) float32."""
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    ds = pads.dataset(str(folder), format="parquet")
    table = ds.to_table(columns=["row", "vector"],
                        filter=(pc.field("row") >= start) & (pc.field("row") < stop))
    rows = np.asarray(table.column("row"))
    if len(rows) != stop - start:
        raise ValueError(f"rows {start}-{stop} are incomplete in {folder}: "
                         f"{len(rows)} of {stop - start} found")
    vec = table.column("vector").combine_chunks()
    flat = np.asarray(vec.flatten(), dtype=np.float32).reshape(len(rows), vec.type.list_size)
    out = np.empty_like(flat)
    out[rows - start] = flat
    return out


def read_all(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(ids (n,) object, vectors (n, d) float32) of every row, in row order."""
    import pyarrow.dataset as pads

    table = pads.dataset(str(folder), format="parquet").to_table(columns=["row", "id", "vector"])
    order = np.argsort(np.asarray(table.column("row")), kind="stable")
    vec = table.column("vector").combine_chunks()
    flat = np.asarray(vec.flatten(), dtype=np.float32).reshape(table.num_rows, vec.type.list_size)
    ids = np.asarray(table.column("id").to_pylist(), dtype=object)
    return ids[order], flat[order]
