"""A results folder: neighbour lists, vectors and map coordinates as Parquet parts + a manifest.

Written by ``python -m core neighbors ... --out FOLDER/`` (single-process or
``--engine ray``) and opened by the app without loading everything:

    FOLDER/manifest.json          what, how, when (format, version, counts, config)
    FOLDER/lists/part-*.parquet   long format: source_id, source_title, rank, neighbor_id,
                                  neighbor_title, score (+ source_row, neighbor_row)
    FOLDER/vectors/*.parquet      row, id, text_hash, vector (fixed-size list of float32)
    FOLDER/map/part-*.parquet     row, id, x, y (optional)

Parts are plain Parquet (pyarrow, DuckDB, Spark read them). The reader pages
by row-group metadata and filters with a pyarrow scan, batch by batch.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import CatalogSimilarityError

FORMAT = "catalog-similarity-results"
VERSION = 1
MANIFEST = "manifest.json"
LIST_COLUMNS = ("source_id", "source_title", "rank", "neighbor_id", "neighbor_title", "score",
                "band")


class ResultsError(CatalogSimilarityError):
    """A results folder is missing, incomplete or of an unknown format."""


def is_results_path(path: str | Path) -> bool:
    """True when --out names a folder (no file extension, or an existing folder)."""
    p = Path(path)
    return p.is_dir() or str(path).endswith(("/", "\\")) or p.suffix == ""


def write_manifest(folder: Path, info: dict[str, Any]) -> Path:
    data = {"format": FORMAT, "version": VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **info}
    path = folder / MANIFEST
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), "utf-8")
    tmp.replace(path)
    return path


def check_replaceable(folder: Path) -> None:
    """A results folder may be written at folder: it is new, empty, or an earlier results
    folder (which a finished run replaces whole). Any other folder would lose its files."""
    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ResultsError(f"--out {folder} is a file; give a folder for the results")
    if any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise ResultsError(f"--out {folder} holds other files and is not a results folder; "
                           "give a new or empty folder (a finished run replaces the whole "
                           "folder)")


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """Write a results folder beside folder and put it in place when the block succeeds.

    Yields the staging folder. A run that fails or is killed leaves the earlier results
    whole (and its staging folder is removed on failure); a reader such as the app's Open
    results never sees new lists under an old manifest."""
    folder = Path(folder)
    check_replaceable(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = folder.with_name(f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")
    stage.mkdir()  # the usual permissions (umask), unlike mkdtemp's owner-only folder
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
        folder.rename(old)
    stage.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class ListWriter:
    """Appends long-format list parts lists/part-00000.parquet, ... in source order."""

    def __init__(self, folder: Path, *, bands: dict[str, float] | None = None) -> None:
        self.bands = dict(bands or {})
        self.dir = folder / "lists"
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("part-*.parquet"):
            old.unlink()
        self.parts = 0
        self.rows = 0

    def write(self, source_rows: np.ndarray, neighbors: np.ndarray, scores: np.ndarray,
              ids: np.ndarray, titles: np.ndarray | None) -> None:
        """source_rows (b,), neighbors/scores (b, k): row numbers, -1 = no neighbour."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        b, k = neighbors.shape
        keep = neighbors.reshape(-1) >= 0
        src = np.repeat(source_rows, k)[keep]
        nbr = neighbors.reshape(-1)[keep]
        cols = {"source_id": pa.array(ids[src], pa.string()),
                "rank": pa.array(np.tile(np.arange(1, k + 1), b)[keep], pa.int64()),
                "neighbor_id": pa.array(ids[nbr], pa.string()),
                "score": pa.array(scores.reshape(-1)[keep].astype(np.float64).round(6)),
                "source_row": pa.array(src, pa.int64()),
                "neighbor_row": pa.array(nbr, pa.int64())}
        if titles is not None:
            cols["source_title"] = pa.array(titles[src], pa.string())
            cols["neighbor_title"] = pa.array(titles[nbr], pa.string())
        if self.bands:
            from core.lists.bands import band_of

            cols["band"] = pa.array(band_of(scores.reshape(-1)[keep], self.bands), pa.string())
        order = [c for c in (*LIST_COLUMNS, "source_row", "neighbor_row") if c in cols]
        table = pa.table({c: cols[c] for c in order})
        pq.write_table(table, self.dir / f"part-{self.parts:05d}.parquet", row_group_size=65536)
        self.parts += 1
        self.rows += table.num_rows

    def frame(self):
        """Every part written, as one long-format DataFrame (single-file exports)."""
        import pyarrow.dataset as pads

        files = sorted(str(f) for f in self.dir.glob("part-*.parquet"))
        table = pads.dataset(files, format="parquet").to_table()
        return table.drop_columns(["source_row", "neighbor_row"]).to_pandas()


@dataclass
class ResultsFolder:
    """An opened results folder. Nothing is read beyond the manifest and Parquet footers."""

    root: Path
    manifest: dict[str, Any]
    _groups: list[tuple[Any, int]] = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> ResultsFolder:
        root = Path(path).expanduser()
        mf = root / MANIFEST
        if not root.exists():
            raise ResultsError(f"{root} does not exist on the server: check the path (or upload "
                               "a lists file)")
        if not mf.is_file():
            raise ResultsError(f"{root} is not a results folder (no {MANIFEST}); give the folder "
                               "written by 'python -m core neighbors ... --out FOLDER/'")
        try:
            manifest = json.loads(mf.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ResultsError(f"{mf} cannot be read ({exc}); write the results again") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ResultsError(f"{mf} is not a results manifest of version {VERSION}")
        if not any((root / "lists").glob("*.parquet")):
            raise ResultsError(f"{root / 'lists'} holds no Parquet parts; the run did not finish")
        return cls(root, manifest)

    def _dataset(self, part: str):
        import pyarrow.dataset as pads

        files = sorted(str(f) for f in (self.root / part).glob("*.parquet"))
        return pads.dataset(files, format="parquet")

    def has(self, part: str) -> bool:
        return any((self.root / part).glob("*.parquet"))

    @property
    def columns(self) -> list[str]:
        return list(self._dataset("lists").schema.names)

    def _row_groups(self) -> list[tuple[Any, int]]:
        if not self._groups:
            for frag in self._dataset("lists").get_fragments():
                for rg in frag.split_by_row_group():
                    self._groups.append((rg, rg.metadata.num_rows if rg.metadata else
                                         rg.count_rows()))
        return self._groups

    def _filter(self, query: str | None):
        import pyarrow.compute as pc

        q = (query or "").strip()
        if not q:
            return None
        expr = pc.field("source_id") == q
        for col in ("source_id", "source_title"):
            if col in self.columns:
                expr = expr | pc.match_substring(pc.field(col), q, ignore_case=True)
        return expr

    def count(self, query: str | None = None) -> int:
        """Rows of the lists matching the query (all rows without one)."""
        expr = self._filter(query)
        if expr is None:
            return sum(n for _, n in self._row_groups())
        return self._dataset("lists").count_rows(filter=expr)

    def page(self, offset: int, limit: int, query: str | None = None):
        """Rows [offset, offset + limit) of the (filtered) lists as a pandas DataFrame."""
        import pyarrow as pa

        cols = [c for c in LIST_COLUMNS if c in self.columns]
        expr = self._filter(query)
        if expr is None:
            return self._page_unfiltered(offset, limit, cols)
        taken, skip = [], offset
        for batch in self._dataset("lists").to_batches(columns=cols, filter=expr):
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            taken.append(batch.slice(skip, limit - sum(b.num_rows for b in taken)))
            skip = 0
            if sum(b.num_rows for b in taken) >= limit:
                break
        schema = self._dataset("lists").schema
        return pa.Table.from_batches(taken, schema=pa.schema([schema.field(c) for c in cols])) \
            .to_pandas()

    def _page_unfiltered(self, offset: int, limit: int, cols: list[str]):
        import pyarrow as pa

        tables, start = [], 0
        for rg, n in self._row_groups():
            end = start + n
            if end > offset and start < offset + limit:
                t = rg.to_table(columns=cols)
                lo = max(0, offset - start)
                tables.append(t.slice(lo, min(n, offset + limit - start) - lo))
            start = end
            if start >= offset + limit:
                break
        if not tables:
            return self._dataset("lists").schema.empty_table().select(cols).to_pandas()
        return pa.concat_tables(tables).to_pandas()

    def id_sample(self, limit: int = 50_000) -> np.ndarray:
        """Distinct source ids of the first `limit` list rows (a footer-ordered read of the
        first row groups only), e.g. to see whether Excel would change them."""
        seen, taken = [], 0
        for rg, rows in self._row_groups():
            seen.append(rg.to_table(columns=["source_id"]).column(0).to_numpy(
                zero_copy_only=False))
            taken += rows
            if taken >= limit:
                break
        ids = np.concatenate(seen)[:limit].tolist() if seen else []
        return np.array(list(dict.fromkeys(ids)), dtype=object)

    def batches(self, query: str | None = None) -> Iterator:
        """The (filtered) lists as pyarrow record batches, in order (for exports)."""
        cols = [c for c in LIST_COLUMNS if c in self.columns]
        yield from self._dataset("lists").to_batches(columns=cols, filter=self._filter(query))

    def map_sample(self, limit: int = 20_000, seed: int = 0):
        """Up to `limit` map points (id, x, y) as a DataFrame, a seeded sample; None without a map."""
        if not self.has("map"):
            return None
        ds = self._dataset("map")
        n = ds.count_rows()
        table = ds.to_table(columns=["id", "x", "y"])  # 3 narrow columns: ~24 bytes per row
        if n > limit:
            rows = np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))
            table = table.take(rows)
        return table.to_pandas()


EXPORT_MAX_ROWS = 1_000_000


def export_frame(folder: ResultsFolder, query: str | None = None, *,
                 max_rows: int = EXPORT_MAX_ROWS):
    """The (filtered) lists as one DataFrame for a download, read batch by batch.

    Refuses more than max_rows rows (a download is built in memory): filter first,
    or use the Parquet parts in FOLDER/lists directly.
    """
    import pyarrow as pa

    total = folder.count(query)
    if total > max_rows:
        raise ResultsError(f"{total:,} rows match: over the {max_rows:,} a download may hold; "
                           f"filter the lists first, or use the Parquet parts in "
                           f"{folder.root / 'lists'} directly")
    batches = list(folder.batches(query))
    if not batches:
        return folder.page(0, 0)
    return pa.Table.from_batches(batches).to_pandas()
