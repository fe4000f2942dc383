"""The core sub-commands: ``embed``, ``neighbors``, ``search``.

Same options and defaults as the app. A fatal problem exits non-zero with one
line on stderr and no traceback; recovered problems print warnings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from core.cli.common import (
    CATALOG_HELP,
    K_HELP,
    METRIC_HELP,
    add_catalog_options,
    check_comparable,
    check_npy_out,
    config_from_args,
    counted,
    images_from_args,
    load_catalog_from_args,
    load_vectors,
    save_vectors,
    say,
    vectors_from_args,
    with_language,
    workspace_from_args,
)
from core.cli.engine import add_engine_options
from core.cli.tuning import (
    check_rule_columns,
    replay_lists,
    replay_neighbors,
    rule_roles,
    rules_from_args,
)
from core.config import Config
from core.errors import CatalogSimilarityError, ConfigError
from core.export.results import check_replaceable, is_results_path
from core.export.tables import (
    CSV_ENCODINGS,
    LAYOUTS,
    excel_encoding,
    format_from_path,
    neighbors_frame,
    products_frame,
    score_meaning,
    write_table,
)
from core.pipeline import candidate_pool
from core.search.neighbors import METRICS


def register(sub) -> dict:
    """Add embed, neighbors and search; returns {name: handler}."""
    p = sub.add_parser("embed", help="embed a catalog's texts to a .npy file")
    p.add_argument("catalog", help=CATALOG_HELP)
    p.add_argument("--out", required=True, help="output .npy (n, d) float32, or a FOLDER/ "
                   "(vectors as Parquet parts + manifest)")
    add_catalog_options(p, lists=False)  # texts only: --index, photos... did nothing here
    add_engine_options(p)
    p = sub.add_parser("neighbors", help="top-k neighbour list of every product")
    p.add_argument("catalog", nargs="?", help=f"{CATALOG_HELP} (omit with --vectors)")
    p.add_argument("--vectors", help="precomputed (n, d) .npy; ids are row numbers")
    p.add_argument("--out", required=True, help="output .csv, .xlsx, .parquet or .json, or a "
                   "FOLDER/ (results folder: lists, vectors, manifest; the app opens it)")
    p.add_argument("--map", action="store_true",
                   help="with a results folder: add 2-D map coordinates (UMAP, on this process)")
    p.add_argument("--metric", choices=list(METRICS), help=METRIC_HELP)
    p.add_argument("--k", type=int, help=K_HELP)
    p.add_argument("--no-titles", action="store_true", help="omit title columns")
    p.add_argument("--layout", choices=list(LAYOUTS), default="pairs",
                   help="pairs (default): a row per product and neighbour (rank, score); "
                   "products: a row per product, its neighbours' ids and scores each in one "
                   "cell in rank order, joined by ',' ('|' when an id holds a comma), as a "
                   "shop's import of related products or cross-sells reads them")
    p.add_argument("--no-excel-safe", action="store_true",
                   help="write CSV cells unaltered (machine pipelines)")
    p.add_argument("--bom", action="store_true", help="UTF-8 with BOM CSV for Excel "
                   "(same as --out-encoding utf-8-sig)")
    p.add_argument("--out-encoding", choices=list(CSV_ENCODINGS),
                   help="CSV text encoding: utf-8 (default), utf-8-sig (with BOM, for Excel) or "
                   "gb18030 (Chinese Excel)")
    add_catalog_options(p)
    add_engine_options(p)
    p = sub.add_parser("search", help="free-text search; CSV to stdout")
    p.add_argument("catalog", help=CATALOG_HELP)
    p.add_argument("--query", required=True, help="the words to search for")
    p.add_argument("--exact", action="store_true",
                   help="search the query as typed; by default a Chinese catalog also tries "
                        "it in the catalog's characters (兰之 or lanzhi for 兰芝) and prints "
                        "those results when they match better")
    p.add_argument("--metric", choices=list(METRICS), help=METRIC_HELP)
    p.add_argument("--k", type=int, help="results to print (default: the --config file's k, else 10)")
    add_catalog_options(p)
    p = sub.add_parser("duplicate-photos", help="pairs of products whose listings use the "
                       "same photo (the same file or a resized / recompressed copy)")
    p.add_argument("catalog", help=CATALOG_HELP)
    p.add_argument("--out", required=True, help="output .csv, .xlsx, .parquet or .json")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="photo similarity (0 to 1) from which two photos are the same picture "
                   "(default 0.8)")
    add_catalog_options(p)
    p.set_defaults(out_kind="table")
    return {"embed": cmd_embed, "neighbors": cmd_neighbors, "search": cmd_search,
            "duplicate-photos": cmd_duplicate_photos}



def check_ray_catalog(catalog: str | None) -> None:
    """Ray's workers open the catalog's file themselves: a web address is refused."""
    from core.catalog.fetch import is_web_address

    if catalog is not None and is_web_address(catalog):
        raise CatalogSimilarityError("--engine ray reads a CATALOG file or folder (CSV or "
                                     "Parquet) its workers can open, not a web address; "
                                     "download the file first, or leave out --engine")


def cmd_embed(args: argparse.Namespace) -> int:
    if is_results_path(args.out):
        check_replaceable(Path(args.out))
    else:
        check_npy_out(args.out)
    cfg = config_from_args(args)
    if args.engine == "ray":
        from core.cli.engine import cmd_embed_ray

        check_ray_catalog(args.catalog)
        return cmd_embed_ray(args, cfg)
    catalog = load_catalog_from_args(args, cfg)
    cfg = with_language(args, cfg, catalog)
    vectors = vectors_from_args(args, cfg, catalog)
    if is_results_path(args.out):
        from core.export.results import staged_folder, write_manifest
        from core.scale.vectors import write_vectors

        with staged_folder(Path(args.out)) as stage:
            write_vectors(stage / "vectors", vectors, catalog.ids)
            write_manifest(stage, {"engine": "local", "catalog": str(args.catalog),
                                   "products": len(vectors), "config": cfg.to_dict(),
                                   "parts": {"lists": False, "vectors": True}})
        say(f"wrote {Path(args.out) / 'vectors'}: {counted(len(vectors), 'vector')}")
        return 0
    save_vectors(args.out, vectors)
    say(f"wrote {args.out}: {vectors.shape[0]:,} x {vectors.shape[1]} float32")
    return 0


def cmd_neighbors(args: argparse.Namespace) -> int:
    folder = is_results_path(args.out)
    if folder:
        check_replaceable(Path(args.out))
    else:
        format_from_path(args.out)
    if args.vectors is None and args.catalog is None:
        raise CatalogSimilarityError("Give a CATALOG file or --vectors FILE.npy")
    say_unused_write_options(args, "folder" if folder else format_from_path(args.out))
    cfg = config_from_args(args)
    if args.engine == "ray":
        if args.vectors is not None:
            raise CatalogSimilarityError("--engine ray reads a CATALOG (CSV or Parquet), not "
                                         "--vectors; leave out --engine for a .npy file")
        check_ray_catalog(args.catalog)
        from core.cli.engine import cmd_neighbors_ray

        return cmd_neighbors_ray(args, cfg)
    if folder and args.vectors is None:
        from core.cli.engine import write_local_results

        catalog = load_catalog_from_args(args, cfg)
        check_comparable(len(catalog), args.catalog, "product")
        cfg = with_language(args, cfg, catalog)
        check_rule_columns(args, rules_from_args(args, cfg), catalog)
        vectors = vectors_from_args(args, cfg, catalog)
        images = images_from_args(args, cfg, catalog)
        cfg, catalog, nb = replay_neighbors(args, cfg, catalog, vectors, images=images)
        from core.export.results import staged_folder

        with staged_folder(Path(args.out)) as stage:
            return write_local_results(args, cfg, catalog, vectors, nb, stage,
                                       score=score_meaning(cfg.image_weight, images))
    if folder:
        raise CatalogSimilarityError("A results folder needs a CATALOG; with --vectors give "
                                     "an --out file (.csv, .parquet, .json)")
    catalog = images = None
    if args.vectors is not None:
        _check_vectors_only(args, rules_from_args(args, cfg))
        vectors = load_vectors(args.vectors)
        check_comparable(len(vectors), args.vectors, "row")
        nb = candidate_pool(None, vectors, cfg, pool_k=cfg.k)  # no catalog: meaning only
        rows = np.arange(len(vectors)).astype(str).astype(object)
        frame = products_frame(rows, nb) if args.layout == "products" \
            else neighbors_frame(rows, nb)
    else:
        catalog = load_catalog_from_args(args, cfg)
        check_comparable(len(catalog), args.catalog, "product")
        cfg = with_language(args, cfg, catalog)
        check_rule_columns(args, rules_from_args(args, cfg), catalog)
        vectors = vectors_from_args(args, cfg, catalog)
        images = images_from_args(args, cfg, catalog)
        nb, frame = replay_lists(args, cfg, catalog, vectors, images=images)
        if args.layout == "products":
            from core.lists.rules import product_lists_frame

            frame = product_lists_frame(catalog, nb, with_titles=not args.no_titles)
    write_table(frame, args.out, excel_safe_csv=not args.no_excel_safe, bom=args.bom,
                encoding=args.out_encoding)
    shape = ("one per product, up to " + counted(nb.k, "neighbour") + " in each"
             if args.layout == "products" else
             f"{counted(nb.k, 'neighbour')} x {counted(nb.indices.shape[0], 'product')}")
    say(f"wrote {args.out}: {counted(len(frame), 'row')} ({shape}, metric {cfg.metric})")
    say(f"score: {score_meaning(cfg.image_weight, images)}")
    if catalog is not None:
        say_variants(cfg, catalog, nb)
        say_unnamed_roles(args, catalog)
    # the app's test for its CSV default, on the catalog's texts (not the n x k rows written)
    if _plain_utf8_csv(args) and catalog is not None and \
            excel_encoding([*catalog.texts, *map(str, catalog.ids)]) != "utf-8":
        say("note: the file holds non-ASCII text (accents, Chinese) in plain UTF-8, right for "
            "machines; Excel shows it garbled: add --bom (or --out-encoding gb18030) for a file "
            "people open in Excel, as the app's CSV download does")
    return 0


def say_unused_write_options(args: argparse.Namespace, kind: str) -> None:
    """A warning for each writing option the output does not use (--bom or --out-encoding
    on a .parquet, .json, .xlsx or results folder; --no-excel-safe on Parquet or JSON, which
    are never altered; --map on a file), which were ignored without a word."""
    if args.map and kind != "folder":
        say(f"warning: --map is not used: {args.out} is a file; map coordinates go into a "
            "results folder (--out FOLDER/)")
    if kind == "folder" and getattr(args, "layout", "pairs") != "pairs":
        say(f"warning: --layout {args.layout} is not used: {args.out} is a results folder, "
            "which keeps a row per product and neighbour (the app opens it); give a .csv, "
            ".xlsx, .parquet or .json --out for a row per product")
    if kind == "csv":
        return
    what = {"xlsx": "an Excel workbook", "parquet": "a Parquet file", "json": "a JSON file",
            "folder": "a results folder"}.get(kind, f"a .{kind} file")
    used = [("--bom", args.bom), ("--out-encoding", args.out_encoding is not None),
            ("--no-excel-safe", args.no_excel_safe and kind != "xlsx")]
    for flag, given in used:
        if given:
            say(f"warning: {flag} is not used: {args.out} is {what}, not a CSV file")


def _check_vectors_only(args: argparse.Namespace, cfg: Config) -> None:
    """--vectors lists neighbours by meaning alone, with row numbers as ids: a CATALOG given
    too, rules and score bands (flags or --config) cannot be applied, and are refused rather
    than left out of the lists without a word."""
    if args.catalog is not None:
        raise ConfigError(f"--vectors: the catalog {args.catalog} is not read (the lists' ids "
                          "are the rows of the .npy file); give a CATALOG or --vectors, not both")
    rules = [key for key in cfg.rules.to_dict() if key not in ("use_review", "keep_duplicates")]
    if rules:
        raise ConfigError(f"--vectors: rules ({', '.join(rules)}) cannot be applied to vectors "
                          "alone; give the CATALOG instead of --vectors to apply them")
    if cfg.bands:
        raise ConfigError("--vectors: score bands cannot be applied to vectors alone; give the "
                          "CATALOG instead of --vectors to apply them")


def _plain_utf8_csv(args: argparse.Namespace) -> bool:
    return (str(args.out).lower().endswith((".csv", ".tsv", ".txt")) and not args.bom
            and args.out_encoding in (None, "utf-8"))


def cmd_search(args: argparse.Namespace) -> int:
    import pandas as pd

    from core.cli.tuning import guess_model_number
    from core.embed.encoders import load_encoder
    from core.pipeline import neighbor_index, search_as_meant
    from core.search.calibration import LOOSELY

    cfg = config_from_args(args)
    catalog = load_catalog_from_args(args, cfg)
    if not args.query.strip():  # in a job, usually a shell variable that was not set
        from core.export.tables import write_stream

        write_stream(pd.DataFrame(columns=["rank", "product_id", "title", "score"]), sys.stdout)
        print("warning: the query is empty, so nothing was searched: give the words to search "
              "for with --query", file=sys.stderr)
        return 0
    cfg = with_language(args, cfg, catalog)
    # a query may name a product by its model number, as the Search page finds it
    cfg, catalog = guess_model_number(args, cfg, catalog)
    encoder = load_encoder(cfg.model, batch_size=cfg.batch_size, precision=cfg.precision)
    vectors = vectors_from_args(args, cfg, catalog, encoder)
    image_encoder = None
    if cfg.image_weight > 0 and catalog.mapping.image:  # loaded once: photos and the query
        from core.embed.image_encoders import load_image_encoder

        image_encoder = load_image_encoder(cfg.image_model, workspace_from_args(args).models_dir)
    images = images_from_args(args, cfg, catalog, image_encoder)
    index = neighbor_index(catalog, vectors, cfg, images=images)
    answer = search_as_meant(args.query, encoder, index, k=cfg.k, ids=catalog.ids,
                             image_encoder=image_encoder)
    hits = answer.typed_hits if args.exact else answer.hits
    if answer.respelt and not args.exact:
        print(f"note: showing results for {answer.query!r}, as the catalog writes it: it matches "
              f"better than {answer.typed!r} (--exact searches it as typed)", file=sys.stderr)
    named = [h for h in hits if h.number is not None]
    if named:
        print(f"note: {len(named)} product{'s' if len(named) > 1 else ''} with the model number "
              f"{named[0].number!r} (as compared: lower case, letters and digits) listed first, "
              "score 1 = the product named", file=sys.stderr)
    titles = catalog.titles()
    frame = pd.DataFrame({"rank": range(1, len(hits) + 1),
                          "product_id": [h.product_id for h in hits],
                          "title": [titles[h.index] for h in hits],
                          "score": [round(h.score, 6) for h in hits]})
    from core.export.tables import write_stream

    write_stream(frame, sys.stdout)  # the one safe writer: CRLF rows, formulas neutralised
    best = max((h.score for h in hits), default=1.0)
    if best < LOOSELY:
        print(f"note: nothing in the catalog reads as close to this query (best score "
              f"{best:.2f}; below {LOOSELY:.2f} = loosely related, near 0 = unrelated)"
              + unread_columns_hint(catalog), file=sys.stderr)
    return 0


def say_variants(cfg: Config, catalog, nb) -> None:
    """A note when a quarter or more of the list entries are the product itself in another
    colour or size (a clothing catalog listing each size and colour), as Neighbours says."""
    from core.lists.variants import HINT_SHARE, catalog_groups, listed_variant_share

    if cfg.rules.leave_out_variants:
        return
    share = listed_variant_share(catalog.titles(), nb.indices, groups=catalog_groups(catalog))
    if share >= HINT_SHARE:
        say(f"note: {share:.0%} of the list entries are the product itself in another colour, "
            "size or format; --leave-out-variants lists other products instead (one of each)")


def say_unnamed_roles(args: argparse.Namespace, catalog) -> None:
    """A note when the titles seldom name the brand and the texts leave it out (a bookshop's
    Author), with the --text-cols that reads it and the category, as the Catalog page says."""
    from dataclasses import replace

    from core.catalog.table import unnamed_role_columns

    roles = rule_roles(args, catalog)  # the roles the rules use: mapped, given, else guessed
    mapping = replace(catalog.mapping, brand=roles["brand"], category=roles["category"])
    extra, share = unnamed_role_columns(catalog.frame, mapping)
    if extra:
        cols = ",".join([*catalog.mapping.text_columns, *extra])
        say(f"note: the titles seldom name the {extra[0]} ({share:.0%} of them) and the lists "
            f"compare only {' + '.join(catalog.mapping.text_columns)}; give --text-cols "
            f"\"{cols}\" for lists that follow {' and '.join(extra)} too")


def unread_columns_hint(catalog) -> str:
    """'; only TITLE is searched: ...' naming the catalog's descriptive columns that are left
    out of the texts and the --text-cols that reads them ('' when none is)."""
    from core.catalog.table import unread_text_columns

    unread = unread_text_columns(catalog.frame, catalog.mapping)
    if not unread:
        return ""
    read = ",".join(catalog.mapping.text_columns)
    return (f"; only {' + '.join(catalog.mapping.text_columns)} is searched: to search "
            f"{unread[0]} too, give --text-cols \"{read},{unread[0]}\" (the "
            "neighbour lists then read it too)")


def cmd_duplicate_photos(args: argparse.Namespace) -> int:
    """left_id, right_id, photo_similarity, same_file for every pair sharing a photo."""
    import pandas as pd

    from core.embed.image_vectors import duplicate_photo_pairs

    if not 0 <= args.threshold <= 1:  # 80 (a percent) found no pair, exit 0
        raise ConfigError(f"--threshold {args.threshold:g}: give a photo similarity from 0 to "
                          "1 (default 0.8)")
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
