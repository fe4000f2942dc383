"""``--engine ray`` for embed and neighbors, and results folders (``--out FOLDER/``).

    python -m core neighbors CATALOG --out results/ [--engine ray [--ray-address ADDR]] [--map]
    python -m core embed CATALOG --out vectors.npy --engine ray

The single-process engine stays the default. core.scale.pipeline says which
parts run on the cluster and which on this process (the driver).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.cli.common import check_comparable, counted, row_numbers_note, save_vectors, say
from core.config import ROW_NUMBERS, Config
from core.workspace import Workspace


def add_engine_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("engine (where the work runs)")
    g.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local: this process (default); ray: Ray Data on a cluster")
    g.add_argument("--ray-address", help="join a running Ray cluster (host:port or "
                   "ray://host:port); default: $RAY_ADDRESS when set, else start a local Ray "
                   "for this run")
    g.add_argument("--ray-actors", type=int, default=2,
                   help="embedding actors and the least number of corpus shards (default 2)")
    g.add_argument("--ray-actor-cpus", type=float, default=0.5,
                   help="CPUs each actor reserves; keep it fractional on small clusters (0.5)")
    g.add_argument("--ray-shards", type=int, help="corpus shards (default: one per "
                   "500,000 products, at least --ray-actors)")
    g.add_argument("--ray-gpus", type=float, default=0.0,
                   help="GPUs per embedding actor (CUDA clusters; precision auto = fp16)")
    g.add_argument("--ray-timeout", type=float, default=600.0,
                   help="seconds to wait for a shard's answer before failing (600)")


def settings_from_args(args: argparse.Namespace):
    from core.scale.runtime import RaySettings

    address = args.ray_address or os.environ.get("RAY_ADDRESS", "").strip() or None
    return RaySettings(address=None if address == "local" else address, actors=max(1, args.ray_actors),
                       actor_cpus=args.ray_actor_cpus, shards=args.ray_shards,
                       num_gpus=args.ray_gpus, timeout_s=args.ray_timeout)


def _store_path(args: argparse.Namespace) -> str | None:
    if args.no_store:
        return None
    ws = Workspace(Path(args.workspace)) if args.workspace else Workspace.default()
    return str(ws.ensure().db_path)


def _bar(desc: str, unit: str):
    """A progress reporter (a bar on a terminal, plain lines in a log) and its callback."""
    from core.cli.common import Progress

    bar = Progress(desc, unit)
    return bar, bar


def _columns(args: argparse.Namespace, cfg: Config):
    """cfg with the columns resolved once (guessed from the first rows when not given)."""
    from core.scale.pipeline import resolve_columns

    cols = resolve_columns(args.catalog, cfg)
    if cols.guessed_text:
        say(f"text columns (automatic, from the first rows): {', '.join(cols.text_columns)}")
    if cols.guessed_id:
        say(f"id column (automatic, from the first rows): {cols.id_column or 'row numbers'}")
    if cols.passed_over is not None:
        column, distinct, rows = cols.passed_over
        say(row_numbers_note(column, distinct, rows, first=True,
                             fix="the Ray engine needs one id per product: make that column's "
                                 "ids unique to name them by it"))
    cfg = cfg.with_changes(text_columns=cols.text_columns,
                           id_column=cols.id_column or ROW_NUMBERS)
    return cols, cfg


def ray_embed(args: argparse.Namespace, cfg: Config, folder: Path):
    """Embed on Ray into folder/vectors; returns (cfg, counts)."""
    from core.catalog.limits import current_limits
    from core.cli.common import Progress
    from core.scale.pipeline import embed_to_folder

    cols, cfg = _columns(args, cfg)
    bar = Progress("embedding", "text")  # in a log; a terminal shows Ray Data's own bars
    counts = embed_to_folder(args.catalog, cols, cfg, folder, settings_from_args(args),
                             store_path=_store_path(args),
                             max_chars=current_limits().max_text_chars,
                             progress=bar if bar.mode == "log" else None)
    say(f"embedded {counted(counts.embedded, 'new text')}, reused {counts.reused:,} from the "
        f"store ({counts.products:,} products, {counts.seconds:.1f} s on Ray)")
    return cfg, counts


@contextmanager
def _place(out: str, folder_out: bool) -> Iterator[Path]:
    """Where a run writes: a staging folder that replaces --out FOLDER/ whole when the run
    succeeds (core.export.results.staged_folder), else a temporary folder beside --out FILE.
    Ray's workers write the vectors into it from their own nodes, so it lives where --out
    does (storage every node mounts, on a cluster of several machines), never in the
    driver's own /tmp."""
    target = Path(out).absolute()
    if not folder_out:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent,  # pid: see core.cli.supervise
                                         prefix=f".{target.name}.{os.getpid()}.") as tmp:
            yield Path(tmp)
        return
    from core.export.results import staged_folder

    with staged_folder(target) as stage:
        yield stage


def cmd_embed_ray(args: argparse.Namespace, cfg: Config) -> int:
    from core.export.results import is_results_path, write_manifest
    from core.scale.runtime import ray_session
    from core.scale.vectors import read_all

    folder_out = is_results_path(args.out)
    with _place(args.out, folder_out) as folder:
        with ray_session(settings_from_args(args)):
            cfg, counts = ray_embed(args, cfg, folder)
        if folder_out:
            write_manifest(folder, _manifest(cfg, counts.products, "ray", args, lists=False,
                                             counts=counts))
            say(f"wrote {Path(args.out) / 'vectors'}: {counted(counts.products, 'vector')}")
            return 0
        _, vectors = read_all(folder / "vectors")
    save_vectors(args.out, vectors)
    say(f"wrote {args.out}: {vectors.shape[0]} x {vectors.shape[1]} float32")
    return 0


def _manifest(cfg: Config, n: int, engine: str, args: argparse.Namespace, *, lists: bool,
              counts=None, where: dict | None = None, extra: dict | None = None) -> dict:
    info = {"engine": engine, "catalog": str(args.catalog), "products": n,
            "k": cfg.k, "metric": cfg.metric, "index": cfg.index, "model": cfg.model,
            "config": cfg.to_dict(), "parts": {"lists": lists, "vectors": True}}
    if counts is not None:
        info["embedding"] = {"embedded": counts.embedded, "reused": counts.reused,
                             "seconds": counts.seconds}
    if where:
        info["where"] = where
    return {**info, **(extra or {})}


WHERE_CLUSTER = {"reading, texts, content hashes": "Ray Data tasks",
                 "embedding (through the embedding store)": "Ray actor pool",
                 "dense top-k": "Ray corpus-shard actors"}


def _driver_part(cfg: Config, has_decisions: bool) -> bool:
    """Whether the lists need the whole catalog on the driver (words channel, rules, bands,
    review decisions)."""
    from core.lists.rules import needs_rules

    return (_fused(cfg) or needs_rules(cfg, None) or bool(cfg.bands)
            or (cfg.rules.use_review and has_decisions))


def _has_review_decisions(args: argparse.Namespace) -> bool:
    """Whether the workspace holds any review decision. Decisions belong to a catalog (its
    review key needs the whole catalog, read on the driver, where replay_neighbors loads
    this catalog's own); this only decides whether the driver part runs."""
    from core.cli.common import workspace_db
    from core.lists.review import any_decisions

    return any_decisions(workspace_db(args))


def _fused(cfg: Config) -> bool:
    from core.search.settings import planned_channels

    return planned_channels(cfg) != ("dense",)


def cmd_neighbors_ray(args: argparse.Namespace, cfg: Config) -> int:
    from core.cli.tuning import rules_from_args
    from core.export.results import is_results_path
    from core.scale.runtime import ray_session

    folder_out = is_results_path(args.out)
    cfg = rules_from_args(args, cfg)
    decisions = _has_review_decisions(args)
    with _place(args.out, folder_out) as folder:
        with ray_session(settings_from_args(args)):
            cfg, counts = ray_embed(args, cfg, folder)
            check_comparable(counts.products, args.catalog, "product")  # nothing written
            driver = _driver_part(cfg, decisions)
            lists = _ray_lists(args, cfg, folder, counts.products, driver)
        if driver:
            lists = _driver_lists(args, cfg, folder, lists)
        where = dict(WHERE_CLUSTER)
        where["words channel, fusion, rules, bands, review decisions"] = (
            "driver (one process)" if driver else "not used by this configuration")
        return _finish(args, cfg, folder, lists, "ray", counts.products, counts=counts,
                       where=where, folder_out=folder_out)


def _ray_lists(args, cfg: Config, folder: Path, n: int, driver: bool):
    """Dense top-k on Ray: the pool (driver part follows) or lists written block by block."""
    from core.export.results import ListWriter
    from core.pipeline import pool_depth
    from core.scale.pipeline import dense_blocks, dense_pool, ids_and_titles
    from core.search.calibration import calibration_for
    from core.search.fusion import DEPTH
    from core.search.scoring import dense_only

    ids, titles = ids_and_titles(folder)
    bar, progress = _bar("top-k", "product")
    # DEPTH deep either way: the 0..1 score of a list entry is read against the product's
    # DEPTH-th best candidate, as in the single-process pipeline.
    deep = max(DEPTH, pool_depth(cfg) if driver else cfg.k)
    with bar:
        if driver:
            return dense_pool(folder, n, deep, cfg, settings_from_args(args), progress)
        writer = ListWriter(folder)
        calibration = calibration_for(cfg.model).without_evidence()  # meaning only: no evidence
        for start, nb in dense_blocks(folder, n, deep, cfg, settings_from_args(args), progress):
            nb = dense_only(nb, cfg.k, cfg.metric, calibration)
            writer.write(np.arange(start, start + len(nb.indices)), nb.indices, nb.scores,
                         ids, None if args.no_titles else titles)
    return writer


def _driver_lists(args, cfg: Config, folder: Path, pool):
    """Words channel, fusion, rules on this process over the cluster's dense pool."""
    from core.cli.tuning import replay_neighbors
    from core.pipeline import catalog_from_config
    from core.scale.dataset import driver_table
    from core.scale.pipeline import check_catalog, ids_and_titles
    from core.scale.vectors import read_all

    say("words channel, fusion and rules: on this process (the whole catalog is read here)")
    catalog, _ = catalog_from_config(driver_table(args.catalog), cfg)
    check_catalog(catalog, ids_and_titles(folder)[0])
    _, vectors = read_all(folder / "vectors")
    cfg, catalog, nb = replay_neighbors(args, cfg, catalog, vectors, pools={"dense": pool})
    return _write_lists(folder, catalog, nb, cfg, with_titles=not args.no_titles)


def _write_lists(folder: Path, catalog, nb, cfg: Config, *, with_titles: bool,
                 block: int = 65_536):
    from core.export.results import ListWriter

    writer = ListWriter(folder, bands=cfg.bands)
    titles = np.asarray(catalog.titles(), dtype=object) if with_titles else None
    for s in range(0, len(nb.indices), block):
        e = min(len(nb.indices), s + block)
        writer.write(np.arange(s, e), nb.indices[s:e], nb.scores[s:e], catalog.ids, titles)
    return writer


def write_local_results(args: argparse.Namespace, cfg: Config, catalog, vectors: np.ndarray,
                        nb, folder: Path, *, score: str | None = None) -> int:
    """The single-process engine's results folder: lists, vectors (and map) + manifest,
    written into folder (the staging folder of --out, core.export.results.staged_folder).
    score: what the lists' score means (core.export.tables.score_meaning)."""
    from core.scale.vectors import write_vectors

    lists = _write_lists(folder, catalog, nb, cfg, with_titles=not args.no_titles)
    vec_dir = folder / "vectors"
    for old in vec_dir.glob("*.parquet"):
        old.unlink()
    write_vectors(vec_dir, vectors, catalog.ids)
    return _finish(args, cfg, folder, lists, "local", len(vectors), folder_out=True,
                   vectors=vectors, nb=nb, score=score)


def _finish(args, cfg: Config, folder: Path, lists, engine: str, n: int, *, folder_out: bool,
            counts=None, where=None, vectors=None, nb=None, score: str | None = None) -> int:
    from core.export.results import write_manifest
    from core.export.tables import score_meaning, write_table

    score = score or score_meaning()  # the Ray engine reads no photos
    if folder_out and getattr(args, "map", False):
        _write_map(folder, cfg, vectors, nb)
    if folder_out:
        write_manifest(folder, _manifest(cfg, n, engine, args, lists=True, counts=counts,
                                         where=where, extra={"list_rows": lists.rows,
                                                             "score": score}))
        say(f"wrote results folder {args.out}: {lists.rows:,} list rows, {n:,} products, "
            f"metric {cfg.metric}")
    else:
        frame = lists.frame()
        write_table(frame, args.out, excel_safe_csv=not args.no_excel_safe, bom=args.bom,
                    encoding=args.out_encoding)
        say(f"wrote {args.out}: {counted(len(frame), 'row')} ({counted(cfg.k, 'neighbour')} x "
            f"{counted(n, 'product')}, metric {cfg.metric})")
    say(f"score: {score}")
    return 0


def _write_map(folder: Path, cfg: Config, vectors, nb) -> None:
    """UMAP 2-D coordinates (a sample above the projection's cap) as map/part-00000.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from core.projection import project
    from core.scale.vectors import read_all

    ids, x = read_all(folder / "vectors")
    if vectors is not None:
        x = vectors
    proj = project(x, neighbors=nb, metric=cfg.metric)
    (folder / "map").mkdir(parents=True, exist_ok=True)
    coords = np.asarray(proj.coords, dtype=np.float32)
    pq.write_table(pa.table({"row": pa.array(proj.rows, pa.int64()),
                             "id": pa.array([str(i) for i in ids[proj.rows]], pa.string()),
                             "x": coords[:, 0], "y": coords[:, 1]}),
                   folder / "map" / "part-00000.parquet")
    say(f"map: {len(proj.rows)} points ({proj.method})")
