"""Command line: ``python -m core {embed,neighbors,search}``.

Same options and defaults as the app. A fatal problem exits non-zero with one
line on stderr and no traceback; recovered problems print warnings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.catalog import Catalog, read_table
from core.config import DEFAULT_K, Config
from core.errors import CatalogSimilarityError
from core.export import format_from_path, neighbors_frame, write_table
from core.similarity import METRICS
from core.workspace import Workspace


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


def _add_catalog_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="JSON configuration saved from the app")
    p.add_argument("--id-col", help="id column; '@row' for row numbers (default: a unique "
                   "id-like column, else row numbers)")
    p.add_argument("--text-cols", help="comma-separated text columns, in order "
                   "(default: title/name-like column chosen automatically)")
    p.add_argument("--sheet", help="Excel sheet name (default: the first)")
    p.add_argument("--on-duplicate-ids", choices=["error", "keep-first", "suffix"])
    p.add_argument("--model", help="'bundled' (default), a local folder or a Hugging Face id")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16", "onnx"],
                   help="auto (default): fp16 on CUDA, onnx (ONNX Runtime fp32) on a CPU")
    p.add_argument("--index", choices=["auto", "exact", "approximate"],
                   help="top-k search: auto (default; exhaustive below 200k products, HNSW "
                   "above), exact or approximate")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--workspace", help="workspace folder (default ./workspace or $CATSIM_WORKSPACE)")
    p.add_argument("--no-store", action="store_true", help="do not read or write the embedding store")
    p.add_argument("--hybrid-weight", type=float,
                   help="lexical share of the fused score, 0 = dense only, 1 = lexical only "
                   "(default from the configuration)")
    p.add_argument("--field-weights", help="lexical weight per column, e.g. title=1,brand=0.5 "
                   "(text columns weigh 1 unless named; 0 drops one)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core",
                                     description="Product catalog similarity, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("embed", help="embed a catalog's texts to a .npy file")
    p.add_argument("catalog")
    p.add_argument("--out", required=True, help="output .npy (n, d) float32")
    _add_catalog_options(p)
    p = sub.add_parser("neighbors", help="top-k neighbour list of every product")
    p.add_argument("catalog", nargs="?", help="catalog file (omit with --vectors)")
    p.add_argument("--vectors", help="precomputed (n, d) .npy; ids are row numbers")
    p.add_argument("--out", required=True, help="output .csv, .xlsx, .parquet or .json")
    p.add_argument("--metric", choices=list(METRICS))
    p.add_argument("--k", type=int)
    p.add_argument("--no-titles", action="store_true", help="omit title columns")
    p.add_argument("--no-excel-safe", action="store_true",
                   help="write CSV cells unaltered (machine pipelines)")
    p.add_argument("--bom", action="store_true", help="UTF-8 with BOM CSV for Excel")
    _add_catalog_options(p)
    p = sub.add_parser("search", help="free-text search; CSV to stdout")
    p.add_argument("catalog")
    p.add_argument("--query", required=True)
    p.add_argument("--metric", choices=list(METRICS))
    p.add_argument("--k", type=int)
    _add_catalog_options(p)
    return parser


def _config(args: argparse.Namespace) -> Config:
    cfg = Config.load(args.config) if getattr(args, "config", None) else Config()
    changes = {}
    if args.id_col is not None:
        changes["id_column"] = args.id_col
    if args.text_cols:
        changes["text_columns"] = tuple(c.strip() for c in args.text_cols.split(",") if c.strip())
    for opt, key in (("model", "model"), ("precision", "precision"), ("batch_size", "batch_size"),
                     ("on_duplicate_ids", "on_duplicate_ids"), ("metric", "metric"), ("k", "k"),
                     ("index", "index")):
        value = getattr(args, opt, None)
        if value is not None:
            changes[key] = value
    if getattr(args, "hybrid_weight", None) is not None:
        changes["hybrid_weight"] = args.hybrid_weight
    if getattr(args, "field_weights", None) is not None:
        from core.hybrid import parse_field_weights

        changes["field_weights"] = parse_field_weights(args.field_weights)
    return cfg.with_changes(**changes) if changes else cfg


def _load_catalog(args: argparse.Namespace, cfg: Config) -> Catalog:
    from core.pipeline import catalog_from_config

    table = read_table(args.catalog, sheet=args.sheet)
    for warning in table.warnings:
        _say(f"warning: {warning}")
    catalog, guessed = catalog_from_config(table, cfg)
    if guessed:
        _say(f"text columns (automatic): {', '.join(catalog.mapping.text_columns)}")
    if cfg.id_column is None:
        _say(f"id column (automatic): {catalog.mapping.id_column or 'row numbers'}")
    if catalog.report.empty_texts:
        _say(f"warning: {len(catalog.report.empty_texts)} products have empty text")
    if catalog.report.duplicate_ids:
        _say(f"warning: {catalog.report.lines()[1]}")
    for warning in catalog.report.warnings[len(table.warnings):]:
        _say(f"warning: {warning}")
    return catalog


def _vectors(args: argparse.Namespace, cfg: Config, catalog: Catalog,
             encoder=None) -> np.ndarray:
    from core.encoders import load_encoder
    from core.pipeline import embed_catalog
    from core.store import EmbeddingStore

    encoder = encoder or load_encoder(cfg.model, batch_size=cfg.batch_size,
                                      precision=cfg.precision)
    store = None
    if not args.no_store:
        ws = Workspace(Path(args.workspace)) if args.workspace else Workspace.default()
        store = EmbeddingStore(ws.ensure().db_path)
    from tqdm import tqdm

    with tqdm(total=len(catalog), desc="embedding", unit="text", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        result = embed_catalog(catalog, encoder, store, progress=progress)
    _say(f"embedded {result.embedded} new texts, reused {result.reused} from the store")
    if store is not None:
        store.close()
    return result.vectors


def cmd_embed(args: argparse.Namespace) -> int:
    cfg = _config(args)
    catalog = _load_catalog(args, cfg)
    vectors = _vectors(args, cfg, catalog)
    np.save(args.out, vectors)
    _say(f"wrote {args.out}: {vectors.shape[0]} x {vectors.shape[1]} float32")
    return 0


def cmd_neighbors(args: argparse.Namespace) -> int:
    from core.similarity import neighbor_search

    format_from_path(args.out)
    if args.vectors is None and args.catalog is None:
        raise CatalogSimilarityError("Give a CATALOG file or --vectors FILE.npy")
    cfg = _config(args)
    if args.vectors is not None:
        vectors = _load_vectors(args.vectors)
        nb = neighbor_search(vectors, cfg.k, metric=cfg.metric, index=cfg.index)
        frame = neighbors_frame(np.arange(len(vectors)).astype(str).astype(object), nb)
    else:
        from core.cli_tuning import replay_lists  # rules, bands, review decisions

        catalog = _load_catalog(args, cfg)
        nb, frame = replay_lists(args, cfg, catalog, _vectors(args, cfg, catalog))
    write_table(frame, args.out, excel_safe_csv=not args.no_excel_safe, bom=args.bom)
    _say(f"wrote {args.out}: {len(frame)} rows ({nb.k} neighbours x {nb.indices.shape[0]} "
         f"products, metric {cfg.metric})")
    return 0


def _load_vectors(path: str) -> np.ndarray:
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CatalogSimilarityError(f"Cannot read vectors from {path}: {exc}") from exc
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise CatalogSimilarityError(f"{path} must hold an (n, d) array, got shape {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise CatalogSimilarityError(f"{path} contains NaN or infinite values")
    return vectors.astype(np.float32, copy=False)


def cmd_search(args: argparse.Namespace) -> int:
    import pandas as pd

    from core.encoders import load_encoder
    from core.pipeline import search

    cfg = _config(args)
    catalog = _load_catalog(args, cfg)
    encoder = load_encoder(cfg.model, batch_size=cfg.batch_size, precision=cfg.precision)
    vectors = _vectors(args, cfg, catalog, encoder)
    lexical = None
    if cfg.hybrid_weight > 0:
        from core.hybrid import catalog_index

        lexical = catalog_index(catalog, cfg.field_weights)
    hits = search(args.query, encoder, vectors, k=cfg.k, metric=cfg.metric, ids=catalog.ids,
                  lexical=lexical, hybrid_weight=cfg.hybrid_weight)
    titles = catalog.titles()
    frame = pd.DataFrame({"rank": range(1, len(hits) + 1),
                          "product_id": [h.product_id for h in hits],
                          "title": [titles[h.index] for h in hits],
                          "score": [round(h.score, 6) for h in hits]})
    from core.export import excel_safe

    excel_safe(frame).to_csv(sys.stdout, index=False)
    return 0


COMMANDS = {"embed": cmd_embed, "neighbors": cmd_neighbors, "search": cmd_search}


def _plugin_modules() -> list:
    """Sub-command modules ``core/cli_*.py``; each defines ``register(sub) -> {name: handler}``."""
    import importlib
    import pkgutil

    import core

    names = sorted(m.name for m in pkgutil.iter_modules(core.__path__) if m.name.startswith("cli_"))
    return [importlib.import_module(f"core.{name}") for name in names]


def _full_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    handlers = dict(COMMANDS)
    for module in _plugin_modules():
        handlers.update(module.register(sub))
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = _full_parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command](args)
    except CatalogSimilarityError as exc:
        _say(f"error: {exc}")
        return 2
    except (OSError, MemoryError) as exc:
        _say(f"error: {type(exc).__name__}: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


__all__ = ["main", "build_parser", "DEFAULT_K", "add_catalog_options", "config_from_args",
           "load_catalog_from_args", "vectors_from_args"]

# Public names for sub-command modules (core/cli_*.py).
add_catalog_options = _add_catalog_options
config_from_args = _config
load_catalog_from_args = _load_catalog
vectors_from_args = _vectors
