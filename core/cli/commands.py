"""The core sub-commands: ``embed``, ``neighbors``, ``search``.

Same options and defaults as the app. A fatal problem exits non-zero with one
line on stderr and no traceback; recovered problems print warnings.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from core.cli.common import (
    add_catalog_options,
    config_from_args,
    load_catalog_from_args,
    load_vectors,
    say,
    vectors_from_args,
    with_language,
)
from core.cli.tuning import replay_lists
from core.errors import CatalogSimilarityError
from core.export.tables import CSV_ENCODINGS, format_from_path, neighbors_frame, write_table
from core.pipeline import candidate_pool
from core.search.neighbors import METRICS


def register(sub) -> dict:
    """Add embed, neighbors and search; returns {name: handler}."""
    p = sub.add_parser("embed", help="embed a catalog's texts to a .npy file")
    p.add_argument("catalog")
    p.add_argument("--out", required=True, help="output .npy (n, d) float32")
    add_catalog_options(p)
    p = sub.add_parser("neighbors", help="top-k neighbour list of every product")
    p.add_argument("catalog", nargs="?", help="catalog file (omit with --vectors)")
    p.add_argument("--vectors", help="precomputed (n, d) .npy; ids are row numbers")
    p.add_argument("--out", required=True, help="output .csv, .xlsx, .parquet or .json")
    p.add_argument("--metric", choices=list(METRICS))
    p.add_argument("--k", type=int)
    p.add_argument("--no-titles", action="store_true", help="omit title columns")
    p.add_argument("--no-excel-safe", action="store_true",
                   help="write CSV cells unaltered (machine pipelines)")
    p.add_argument("--bom", action="store_true", help="UTF-8 with BOM CSV for Excel "
                   "(same as --out-encoding utf-8-sig)")
    p.add_argument("--out-encoding", choices=list(CSV_ENCODINGS),
                   help="CSV text encoding: utf-8 (default), utf-8-sig (with BOM, for Excel) or "
                   "gb18030 (Chinese Excel)")
    add_catalog_options(p)
    p = sub.add_parser("search", help="free-text search; CSV to stdout")
    p.add_argument("catalog")
    p.add_argument("--query", required=True)
    p.add_argument("--metric", choices=list(METRICS))
    p.add_argument("--k", type=int)
    add_catalog_options(p)
    return {"embed": cmd_embed, "neighbors": cmd_neighbors, "search": cmd_search}



def cmd_embed(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    catalog = load_catalog_from_args(args, cfg)
    cfg = with_language(args, cfg, catalog)
    vectors = vectors_from_args(args, cfg, catalog)
    np.save(args.out, vectors)
    say(f"wrote {args.out}: {vectors.shape[0]} x {vectors.shape[1]} float32")
    return 0


def cmd_neighbors(args: argparse.Namespace) -> int:
    format_from_path(args.out)
    if args.vectors is None and args.catalog is None:
        raise CatalogSimilarityError("Give a CATALOG file or --vectors FILE.npy")
    cfg = config_from_args(args)
    if args.vectors is not None:
        vectors = load_vectors(args.vectors)
        nb = candidate_pool(None, vectors, cfg, pool_k=cfg.k)  # no catalog: meaning only
        frame = neighbors_frame(np.arange(len(vectors)).astype(str).astype(object), nb)
    else:
        catalog = load_catalog_from_args(args, cfg)
        cfg = with_language(args, cfg, catalog)
        nb, frame = replay_lists(args, cfg, catalog, vectors_from_args(args, cfg, catalog))
    write_table(frame, args.out, excel_safe_csv=not args.no_excel_safe, bom=args.bom,
                encoding=args.out_encoding)
    say(f"wrote {args.out}: {len(frame)} rows ({nb.k} neighbours x {nb.indices.shape[0]} "
         f"products, metric {cfg.metric})")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    import pandas as pd

    from core.embed.encoders import load_encoder
    from core.pipeline import neighbor_index, search

    cfg = config_from_args(args)
    catalog = load_catalog_from_args(args, cfg)
    cfg = with_language(args, cfg, catalog)
    encoder = load_encoder(cfg.model, batch_size=cfg.batch_size, precision=cfg.precision)
    vectors = vectors_from_args(args, cfg, catalog, encoder)
    hits = search(args.query, encoder, neighbor_index(catalog, vectors, cfg), k=cfg.k,
                  ids=catalog.ids)
    titles = catalog.titles()
    frame = pd.DataFrame({"rank": range(1, len(hits) + 1),
                          "product_id": [h.product_id for h in hits],
                          "title": [titles[h.index] for h in hits],
                          "score": [round(h.score, 6) for h in hits]})
    from core.export.tables import write_stream

    write_stream(frame, sys.stdout)  # the one safe writer: CRLF rows, formulas neutralised
    return 0
