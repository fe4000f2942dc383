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
    images_from_args,
    load_catalog_from_args,
    load_vectors,
    say,
    vectors_from_args,
    workspace_from_args,
)
from core.cli.tuning import replay_lists
from core.errors import CatalogSimilarityError
from core.export.tables import format_from_path, neighbors_frame, write_table
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
    p.add_argument("--bom", action="store_true", help="UTF-8 with BOM CSV for Excel")
    add_catalog_options(p)
    p = sub.add_parser("search", help="free-text search; CSV to stdout")
    p.add_argument("catalog")
    p.add_argument("--query", required=True)
    p.add_argument("--metric", choices=list(METRICS))
    p.add_argument("--k", type=int)
    add_catalog_options(p)
    p = sub.add_parser("duplicate-photos", help="pairs of products whose listings use the "
                       "same photo (the same file or a resized / recompressed copy)")
    p.add_argument("catalog")
    p.add_argument("--out", required=True, help="output .csv, .xlsx, .parquet or .json")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="photo cosine from which two photos are the same picture (default 0.8)")
    add_catalog_options(p)
    return {"embed": cmd_embed, "neighbors": cmd_neighbors, "search": cmd_search,
            "duplicate-photos": cmd_duplicate_photos}



def cmd_embed(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    catalog = load_catalog_from_args(args, cfg)
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
        vectors = vectors_from_args(args, cfg, catalog)
        nb, frame = replay_lists(args, cfg, catalog, vectors,
                                 images=images_from_args(args, cfg, catalog))
    write_table(frame, args.out, excel_safe_csv=not args.no_excel_safe, bom=args.bom)
    say(f"wrote {args.out}: {len(frame)} rows ({nb.k} neighbours x {nb.indices.shape[0]} "
         f"products, metric {cfg.metric})")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    import pandas as pd

    from core.embed.encoders import load_encoder
    from core.pipeline import neighbor_index, search

    cfg = config_from_args(args)
    catalog = load_catalog_from_args(args, cfg)
    encoder = load_encoder(cfg.model, batch_size=cfg.batch_size, precision=cfg.precision)
    vectors = vectors_from_args(args, cfg, catalog, encoder)
    image_encoder = None
    if cfg.image_weight > 0 and catalog.mapping.image:  # loaded once: photos and the query
        from core.embed.image_encoders import load_image_encoder

        image_encoder = load_image_encoder(cfg.image_model, workspace_from_args(args).models_dir)
    images = images_from_args(args, cfg, catalog, image_encoder)
    index = neighbor_index(catalog, vectors, cfg, images=images)
    hits = search(args.query, encoder, index, k=cfg.k, ids=catalog.ids,
                  image_encoder=image_encoder)
    titles = catalog.titles()
    frame = pd.DataFrame({"rank": range(1, len(hits) + 1),
                          "product_id": [h.product_id for h in hits],
                          "title": [titles[h.index] for h in hits],
                          "score": [round(h.score, 6) for h in hits]})
    from core.export.tables import excel_safe

    excel_safe(frame).to_csv(sys.stdout, index=False)
    return 0


def cmd_duplicate_photos(args: argparse.Namespace) -> int:
    """left_id, right_id, photo_similarity, same_file for every pair sharing a photo."""
    import pandas as pd

    from core.embed.image_vectors import duplicate_photo_pairs

    cfg = config_from_args(args)
    if not cfg.image_column:
        raise CatalogSimilarityError("Give the photo column: --image-col COL")
    catalog = load_catalog_from_args(args, cfg)
    images = images_from_args(args, cfg.with_changes(image_weight=1.0), catalog)
    pairs = duplicate_photo_pairs(images, threshold=args.threshold)
    frame = pd.DataFrame({"left_id": [catalog.ids[a] for a, _, _ in pairs],
                          "right_id": [catalog.ids[b] for _, b, _ in pairs],
                          "photo_similarity": [round(x, 6) for _, _, x in pairs],
                          "same_file": [images.digests[a] == images.digests[b]
                                        for a, b, _ in pairs]})
    write_table(frame, args.out)
    say(f"wrote {args.out}: {len(frame)} pairs of products sharing a photo")
    return 0
