"""The Ray jobs behind ``--engine ray``: embed into a results folder, then sharded lists.

Where each part runs:

- on the cluster (Ray Data tasks and actors): reading the catalog in blocks, building
  texts and their sha256, embedding (actor pool, through the embedding store), the
  dense top-k (corpus-shard actors, exact or one HNSW graph per shard);
- on the driver (this process): column guessing (from the first rows), and, only when
  the configuration needs them, the lexical channel, the fusion, rules, bands and
  review decisions, which read the whole catalog (core.pipeline, unchanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.config import ROW_NUMBERS, Config
from core.errors import CatalogError
from core.search.neighbors import Neighbors, to_score_distance

from .runtime import RaySettings, worker_errors

SAMPLE_ROWS = 1000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Columns:
    """The resolved mapping: id column (None = row numbers) and text columns, in order."""

    id_column: str | None
    text_columns: tuple[str, ...]
    guessed_text: bool
    guessed_id: bool
    # (column, its different ids, the rows read) of an id-like column passed over for row
    # numbers in the first rows (core.catalog.table.passed_over_id_column)
    passed_over: tuple[str, int, int] | None = None


def resolve_columns(path: str, cfg: Config) -> Columns:
    """cfg's columns, or guesses from the first SAMPLE_ROWS rows (as the single-process reader
    guesses from the whole table)."""
    from core.catalog.table import guess_id_column, guess_text_columns, passed_over_id_column

    from .dataset import sample_frame

    frame, passed = None, None
    text = cfg.text_columns
    if not text:
        frame = sample_frame(path, SAMPLE_ROWS)
        text = tuple(guess_text_columns(frame))
    id_col = cfg.id_column
    if id_col is None:
        frame = sample_frame(path, SAMPLE_ROWS) if frame is None else frame
        id_col = guess_id_column(frame) or ROW_NUMBERS
        over = passed_over_id_column(frame)
        passed = None if over is None else (*over, len(frame))
    return Columns(None if id_col == ROW_NUMBERS else id_col, tuple(text),
                   not cfg.text_columns, cfg.id_column is None, passed)


@dataclass(frozen=True)
class EmbedCounts:
    products: int
    embedded: int
    reused: int
    seconds: float


def embed_to_folder(path: str, cols: Columns, cfg: Config, out: Path, settings: RaySettings, *,
                    store_path: str | None, max_chars: int,
                    progress: Progress | None = None) -> EmbedCounts:
    """Read, prepare and embed the catalog on Ray; writes out/vectors/*.parquet
    (row, id, title, text_hash, vector, new). progress(done, n): texts embedded so far,
    every few seconds while the actors work. A failure on a worker is the project's own
    error (runtime.worker_errors)."""
    with worker_errors():
        return _embed(path, cols, cfg, out, settings, store_path=for_workers(store_path),
                      max_chars=max_chars, progress=progress)


def _embed(path: str, cols: Columns, cfg: Config, out: Path, settings: RaySettings, *,
           store_path: str | None, max_chars: int, progress: Progress | None) -> EmbedCounts:
    import ray
    from ray.data import ActorPoolStrategy

    from .dataset import Prepare, read_dataset, with_row_numbers
    from .embed import EmbedBatch, Tally

    t0 = time.perf_counter()
    out = out.absolute()  # workers run elsewhere
    ds = read_dataset(path).map_batches(
        Prepare(cols.id_column, cols.text_columns, max_chars), batch_format="pyarrow",
        num_cpus=settings.task_cpus, batch_size=4096)
    ds, n = with_row_numbers(ds, cols.id_column, task_cpus=settings.task_cpus,
                             parts=settings.actors)
    tally = ray.remote(num_cpus=0)(Tally).remote() if progress is not None else None
    # auto without GPUs: on the CPU, where each actor's processor picks torch or ONNX Runtime
    # (core.embed.cpu; one thread per actor: torch 1.07-1.13x ONNX Runtime on an Intel Xeon)
    device = "cpu" if cfg.precision == "auto" and not settings.num_gpus else None
    ds = ds.map_batches(EmbedBatch, batch_format="pyarrow", batch_size=settings.embed_batch,
                        fn_constructor_args=(model_for_workers(cfg.model), cfg.precision,
                                             cfg.batch_size, store_path),
                        fn_constructor_kwargs={"tally": tally, "device": device},
                        compute=ActorPoolStrategy(size=settings.actors),
                        num_cpus=settings.actor_cpus, num_gpus=settings.num_gpus or None)
    target = out / "vectors"
    _clear(target)
    with _polled(tally, n, progress):
        ds.write_parquet(str(target), min_rows_per_file=50_000)
    embedded = int(np.asarray(written_flags(target, n)).sum())
    # rows not flagged new repeat a text embedded in their batch, or come from the store
    # (rows, where the single-process engine counts different texts: counting texts here
    # would read every hash on the driver); without a store nothing was reused from it
    reused = n - embedded if store_path else 0
    return EmbedCounts(n, embedded, reused, round(time.perf_counter() - t0, 2))


def written_flags(target: Path, n: int):
    """The "new" column of the n vectors the workers wrote into target, as this process
    reads them. ClusterError when some are missing: on a cluster of several machines each
    worker writes on its own node, so target must be on storage every node mounts."""
    import pyarrow.dataset as pads

    parts = sorted(target.glob("*.parquet")) if target.is_dir() else []
    new = pads.dataset([str(p) for p in parts]).to_table(columns=["new"]).column("new") \
        if parts else None
    found = 0 if new is None else len(new)
    if found != n:
        from .runtime import WORKER_PATHS_HINT, ClusterError

        raise ClusterError(f"The Ray workers embedded {n:,} products but this process finds "
                           f"{found:,} of their vectors in {target}: {WORKER_PATHS_HINT}")
    return new


def for_workers(path: str | Path | None) -> str | None:
    """A local path as Ray workers must be given it: absolute (their working folder is not
    this process's; a relative path was read or written there, or not found)."""
    return None if path is None else str(Path(path).expanduser().absolute())


def model_for_workers(model: str) -> str:
    """cfg.model for the embedding actors: a local folder made absolute, names unchanged."""
    return for_workers(model) if model and Path(model).expanduser().is_dir() else model


POLL_S = 2.0


@contextmanager
def _polled(tally, total: int, progress: Progress | None) -> Iterator[None]:
    """progress(done, total) from the tally every POLL_S seconds while the block runs, and
    progress(total, total) when it ends well."""
    if tally is None or progress is None:
        yield
        return
    import threading

    import ray

    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(POLL_S):
            try:
                done = ray.get(tally.value.remote(), timeout=10 * POLL_S)
            except Exception:  # a lost cluster: the job itself says so
                return
            progress(min(done, total), total)

    thread = threading.Thread(target=poll, name="embedding-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=12 * POLL_S)
        ray.kill(tally)
    progress(total, total)


def _clear(folder: Path) -> None:
    if folder.exists():
        for old in folder.glob("*.parquet"):
            old.unlink()


def search_kind(cfg: Config, n: int) -> str:
    """"exact" or "approximate" for the Ray top-k, by Config.index (same threshold as
    the single-process search)."""
    from core.search.ann import ANN_MIN_ROWS, ann_available

    if cfg.index == "approximate" or (cfg.index == "auto" and n >= ANN_MIN_ROWS):
        return "approximate" if ann_available() else "exact"
    return "exact"


def dense_blocks(folder: Path, n: int, depth: int, cfg: Config, settings: RaySettings,
                 progress: Progress | None = None):
    """Yield (start, Neighbors block) of the dense top-depth of every product, in order."""
    from .topk import sharded_topk

    for start, rows, raw in sharded_topk(
            str(folder / "vectors"), n, depth, metric=cfg.metric, index=search_kind(cfg, n),
            shards=settings.shards_for(n), actor_cpus=settings.actor_cpus,
            progress=progress, timeout_s=settings.timeout_s):
        scores, dists = to_score_distance(raw, cfg.metric)
        yield start, Neighbors(rows, scores.astype(np.float32), dists, cfg.metric)


def dense_pool(folder: Path, n: int, depth: int, cfg: Config, settings: RaySettings,
               progress: Progress | None = None) -> Neighbors:
    """Every product's dense top-depth as one Neighbors (n, depth), for the driver's fusion."""
    parts = [nb for _, nb in dense_blocks(folder, n, depth, cfg, settings, progress)]
    return Neighbors(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                       ("indices", "scores", "distances")), cfg.metric)


def ids_and_titles(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """(ids, titles) of every product in row order, from out/vectors; ids must be unique."""
    import pyarrow.dataset as pads

    table = pads.dataset(str(folder / "vectors")).to_table(columns=["row", "id", "title"])
    order = np.argsort(np.asarray(table.column("row")), kind="stable")
    ids = np.asarray(table.column("id").to_pylist(), dtype=object)[order]
    titles = np.asarray(table.column("title").to_pylist(), dtype=object)[order]
    uniq, counts = np.unique(ids.astype(str), return_counts=True)
    if (counts > 1).any():
        dup = uniq[counts > 1]
        raise CatalogError(f"The id column has {len(dup)} duplicate ids (e.g. "
                           f"{', '.join(dup[:3])}); the Ray engine needs unique ids: "
                           "deduplicate the catalog, give --id-col with another column, or --id-col "
                           "@row for row numbers")
    return ids, titles


def check_catalog(catalog, ids: np.ndarray) -> None:
    """The driver's catalog and the cluster's rows must be the same products in the same order."""
    if len(catalog.ids) != len(ids) or not np.array_equal(catalog.ids.astype(str),
                                                          ids.astype(str)):
        raise CatalogError("The catalog read on the driver differs from the one read by Ray "
                           "(row count or ids); give --id-col and --text-cols explicitly")
