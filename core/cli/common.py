"""What every sub-command shares: catalog options, the configuration from flags,
loading the catalog and its vectors, one-line messages on stderr."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from core.catalog.table import Catalog, read_table
from core.config import MODEL_ENV, Config
from core.errors import CatalogSimilarityError, ConfigError, one_line
from core.workspace import Workspace


def say(msg: str) -> None:
    """One line on stderr: control characters from ids or column names shown as escapes
    (a catalog cannot drive the terminal), cut at 1,000 characters."""
    print(one_line(msg, 1000), file=sys.stderr)


def add_catalog_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="JSON configuration saved from the app")
    p.add_argument("--id-col", help="id column; '@row' for row numbers (default: a unique "
                   "id-like column, else row numbers)")
    p.add_argument("--text-cols", help="comma-separated text columns, in order "
                   "(default: title/name-like column chosen automatically)")
    p.add_argument("--sheet", help="Excel sheet name (default: the first)")
    p.add_argument("--delimiter", help="delimiter of a text file: , ; tab | or any one "
                   "character (default: detected)")
    p.add_argument("--encoding", help="encoding of a text file, e.g. utf-8, gb18030, cp1252 "
                   "(default: detected)")
    p.add_argument("--no-header", action="store_true",
                   help="the first line is a product, not column names (columns: column_1...)")
    p.add_argument("--allow-ragged", action="store_true",
                   help="read a file even when many rows are ragged or the header looks like "
                   "data (ragged rows are skipped and reported)")
    p.add_argument("--on-duplicate-ids", choices=["error", "keep-first", "suffix"])
    p.add_argument("--model", help="'bundled' (all-MiniLM-L6-v2, English), 'multilingual' "
                   "(multilingual-e5-small, bundled: Chinese, mixed and ~100 languages), a local "
                   "folder or a Hugging Face id (default: chosen from the catalog's language)")
    p.add_argument("--language", choices=["auto", "en", "zh"],
                   help="catalog language (default auto: detected from the texts); it chooses "
                   "the default --model and --hybrid-weight")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16", "onnx"],
                   help="auto (default): fp16 on CUDA, onnx (ONNX Runtime fp32) on a CPU")
    p.add_argument("--index", choices=["auto", "exact", "approximate"],
                   help="top-k search: auto (default; exhaustive below 200k products, HNSW "
                   "above), exact or approximate")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--workspace", help="workspace folder (default ./workspace or $CATSIM_WORKSPACE)")
    add_session_option(p)
    p.add_argument("--no-store", action="store_true", help="do not read or write the embedding store")
    p.add_argument("--hybrid-weight", type=float,
                   help="lexical share of the fused score, 0 = dense only, 1 = lexical only "
                   "(default: from the configuration, else the model's own weight chosen by "
                   "fine-tuning, else chosen from the catalog's language)")
    p.add_argument("--field-weights", help="lexical weight per column, e.g. title=1,brand=0.5 "
                   "(text columns weigh 1 unless named; 0 drops one)")
    p.add_argument("--relevance-floor", type=float,
                   help="leave out neighbours no closer in meaning than this share of random "
                   "pairs of products (default 0.9; 0 = off); lists may be shorter")
    add_image_options(p)


def add_image_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--image-col", help="column of photo file names or URLs (image_column)")
    p.add_argument("--image-weight", type=float, help="photos' share of the score: 0 = text "
                   "only (default), 1 = photos only (image_weight)")
    p.add_argument("--image-model", help="'bundled' (EfficientNet-lite0, default) or a local "
                   "CLIP folder (image_model)")
    p.add_argument("--fetch-images", action="store_true", default=None,
                   help="download http(s) image URLs (fetch_images; off by default)")
    p.add_argument("--images", help="folder or .zip holding the photo files (default: the "
                   "catalog's folder)")


def config_from_args(args: argparse.Namespace) -> Config:
    """The configuration from --config and the flags; records in args.explicit_settings the
    keys the user set (flags, configuration file, $CATSIM_MODEL), which the catalog's
    language never overrides (with_language)."""
    cfg = Config.load(args.config) if getattr(args, "config", None) else Config()
    explicit = set(json.loads(Path(args.config).read_text(encoding="utf-8"))) \
        if getattr(args, "config", None) else set()
    if os.environ.get(MODEL_ENV, "").strip():
        explicit.add("model")
    changes = {}
    if args.id_col is not None:
        changes["id_column"] = args.id_col
    if args.text_cols:
        changes["text_columns"] = tuple(c.strip() for c in args.text_cols.split(",") if c.strip())
    for opt, key in (("model", "model"), ("precision", "precision"), ("batch_size", "batch_size"),
                     ("on_duplicate_ids", "on_duplicate_ids"), ("metric", "metric"), ("k", "k"),
                     ("index", "index"), ("language", "language")):
        value = getattr(args, opt, None)
        if value is not None:
            changes[key] = value
    if getattr(args, "relevance_floor", None) is not None:
        changes["relevance_floor"] = args.relevance_floor
    if getattr(args, "hybrid_weight", None) is not None:
        changes["hybrid_weight"] = args.hybrid_weight
    elif not _file_sets(getattr(args, "config", None), "hybrid_weight"):
        from core.finetune.card import model_defaults  # a tuned model brings its own weight

        changes.update(model_defaults(changes.get("model", cfg.model)).as_config_changes())
    for opt, key in (("image_col", "image_column"), ("image_weight", "image_weight"),
                     ("image_model", "image_model"), ("fetch_images", "fetch_images")):
        if getattr(args, opt, None) is not None:
            changes[key] = getattr(args, opt)
    if getattr(args, "field_weights", None) is not None:
        from core.search.fusion import parse_field_weights

        changes["field_weights"] = parse_field_weights(args.field_weights)
    args.explicit_settings = frozenset(explicit | set(changes))
    return cfg.with_changes(**changes) if changes else cfg


def _file_sets(path: str | None, key: str) -> bool:
    """Whether the configuration file at path sets key explicitly."""
    if not path:
        return False
    import json

    try:
        return key in json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False
def with_language(args: argparse.Namespace, cfg: Config, catalog: Catalog) -> Config:
    """The configuration with the model and hybrid weight of the catalog's language (for
    the settings the user did not set), saying which; warns when the model does not read
    the catalog's language."""
    from core.catalog.language import model_reads

    lang = cfg.resolved_language(catalog.texts)
    new = cfg.for_language(lang.code, explicit=getattr(args, "explicit_settings", frozenset()))
    if lang.code != "en" or new != cfg:  # English with the defaults: nothing to say
        say(f"catalog language: {lang.describe()}; model {new.model}, hybrid weight "
            f"{new.hybrid_weight:g}" + (" (chosen for this language)" if new != cfg else ""))
    if not model_reads(new.model, lang.code):
        say(f"warning: the model '{new.model}' reads English only and this catalog is "
            f"{lang.name}: use --model multilingual")
    return new


def load_catalog_from_args(args: argparse.Namespace, cfg: Config) -> Catalog:
    from core.pipeline import catalog_from_config

    table = read_table(args.catalog, sheet=args.sheet, **read_options(args))
    for warning in table.warnings:
        say(f"warning: {warning}")
    catalog, guessed = catalog_from_config(table, cfg)
    if guessed:
        say(f"text columns (automatic): {', '.join(catalog.mapping.text_columns)}")
    if cfg.id_column is None:
        say(f"id column (automatic): {catalog.mapping.id_column or 'row numbers'}")
    if catalog.report.empty_texts:
        say(f"warning: {len(catalog.report.empty_texts)} products have empty text")
    if catalog.report.duplicate_ids:
        say(f"warning: {catalog.report.lines()[1]}")
    for warning in catalog.report.warnings[len(table.warnings):]:
        say(f"warning: {warning}")
    return catalog


def read_options(args: argparse.Namespace) -> dict:
    """read_table's text options from --delimiter, --encoding, --no-header, --allow-ragged."""
    delimiter = getattr(args, "delimiter", None)
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise ConfigError(f"--delimiter must be one character (or 'tab'), got {delimiter!r}")
    return {"delimiter": delimiter, "encoding": getattr(args, "encoding", None),
            "header": not getattr(args, "no_header", False),
            "allow_ragged": getattr(args, "allow_ragged", False)}


def vectors_from_args(args: argparse.Namespace, cfg: Config, catalog: Catalog,
             encoder=None) -> np.ndarray:
    from core.embed.encoders import load_encoder
    from core.embed.store import EmbeddingStore
    from core.pipeline import embed_catalog

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
    say(f"embedded {result.embedded} new texts, reused {result.reused} from the store")
    if store is not None:
        store.close()
    return result.vectors


def load_vectors(path: str) -> np.ndarray:
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CatalogSimilarityError(f"Cannot read vectors from {path}: {exc}") from exc
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise CatalogSimilarityError(f"{path} must hold an (n, d) array, got shape {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise CatalogSimilarityError(f"{path} contains NaN or infinite values")
    return vectors.astype(np.float32, copy=False)


def add_session_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--session", help="use the review decisions of this app session: the "
                   "s=... part of the app's address (default: the workspace's shared "
                   "decisions)")


def workspace_db(args: argparse.Namespace) -> Path:
    """The workspace database (--workspace or the default)."""
    ws = Workspace(Path(args.workspace)) if getattr(args, "workspace", None) \
        else Workspace.default()
    return ws.db_path


def review_owner(args: argparse.Namespace) -> str | None:
    """Whose review decisions: an app session's (--session TOKEN) or None (every session's)."""
    from core.errors import ConfigError
    from core.workspace import valid_session_token

    session = getattr(args, "session", None)
    if session is None:
        return None
    if not valid_session_token(session):
        raise ConfigError(f"--session {session!r} is not an app session key (copy the "
                          "s=... part of the app's address)")
    return session
def workspace_from_args(args: argparse.Namespace) -> Workspace:
    return Workspace(Path(args.workspace)) if getattr(args, "workspace", None) \
        else Workspace.default()


def images_from_args(args: argparse.Namespace, cfg: Config, catalog: Catalog, encoder=None):
    """The catalog's image vectors when cfg.image_weight > 0 and an image column is mapped
    (else None); each unusable image is a warning naming its row and file.
    encoder: an image encoder already loaded (else cfg.image_model is loaded)."""
    from core.embed.image_vectors import catalog_images

    if cfg.image_weight <= 0 or not catalog.mapping.image:
        if cfg.image_weight > 0:
            say("warning: image_weight is above 0 but no image column is mapped "
                "(--image-col COL); photos are not used")
        return None
    ws = workspace_from_args(args).ensure()
    where = Path(args.images) if getattr(args, "images", None) else Path(args.catalog).parent
    result = catalog_images(catalog, cfg, ws, where, use_store=not args.no_store,
                            encoder=encoder)
    for issue in result.issues:
        say(f"warning: {issue.message()}")
    say(f"photos: {int(result.has_image.sum())} of {len(catalog)} products; embedded "
        f"{result.embedded} new, reused {result.reused} from the store")
    return result
