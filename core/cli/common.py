"""What every sub-command shares: catalog options, the configuration from flags,
loading the catalog and its vectors, one-line messages on stderr."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from core.catalog.table import Catalog, passed_over_id_column, read_table
from core.config import MODEL_ENV, Config, keys_not_set
from core.errors import CatalogSimilarityError, ConfigError, cli_text, one_line
from core.workspace import Workspace


class Output:
    """How much the command says on stderr; main() sets it from --quiet on every run."""

    quiet = False



def counted(n: int, noun: str) -> str:
    """'1 new text', '2 new texts' (a nightly job often embeds one new product)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def show(text: str) -> None:
    """Results on stdout that hold catalog text (explain's lines, compare's table): each
    line with control characters shown as escapes, as say does (a title cannot drive the
    terminal), and not cut."""
    sys.stdout.write("".join(one_line(line, sys.maxsize) + "\n" for line in text.splitlines()))


def say(msg: str) -> None:
    """One line on stderr: control characters from ids or column names shown as escapes
    (a catalog cannot drive the terminal), cut at 1,000 characters. With --quiet only
    warnings and errors are printed."""
    if Output.quiet and not msg.startswith(("warning:", "error:")):
        return
    print(one_line(msg, 1000), file=sys.stderr)


def say_price_note(catalog) -> None:
    """A warning when the mapped price column is left out of the scores (it prices products
    that name the same model number far apart: Catalog.price_note)."""
    note = catalog.price_note()
    if note:
        say(f"warning: {note}")


class Progress:
    """Progress on stderr, called as progress(done, total).

    On a terminal: a live tqdm bar. In a log (stderr not a terminal: cron, a pipe, a
    file): one plain line per tenth of the work, or after a minute without one, so a
    nightly log gets about ten lines, never thousands of carriage returns. With
    --quiet: nothing. describe(text) names the phase (a new line in a log)."""

    EVERY_S = 60.0

    def __init__(self, desc: str, unit: str, total: int | None = None, *,
                 stream=None) -> None:
        self.desc, self.unit, self.total = desc, unit, total
        self.stream = stream or sys.stderr
        self.bar = None
        self.mode = "quiet" if Output.quiet else "bar" if _is_terminal(self.stream) else "log"
        self._reset()

    def _reset(self) -> None:
        self.tenths, self.last_line, self.last_done = 0, time.monotonic(), None

    def __enter__(self) -> Progress:
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=self.desc, unit=self.unit, file=self.stream)
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.total, self.bar.n = total, done
            self.bar.refresh()
        elif self.mode == "log" and total > 0:
            self._log(done, total)

    def describe(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(text)
        elif self.mode == "log" and text != self.desc:
            self.desc = text
            self._reset()
            print(one_line(text, 1000), file=self.stream, flush=True)

    def _log(self, done: int, total: int) -> None:
        tenths, now = done * 10 // total, time.monotonic()
        if done == self.last_done or (tenths <= self.tenths
                                      and now - self.last_line < self.EVERY_S):
            return
        print(f"{one_line(self.desc, 200)}: {done:,}/{total:,} {self.unit}s "
              f"({done / total:.0%})", file=self.stream, flush=True)
        self.tenths, self.last_line, self.last_done = tenths, now, done


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


CATALOG_HELP = ("the catalog file: CSV, TSV or TXT (any encoding and delimiter), Excel (.xlsx, "
                ".xls), LibreOffice (.ods), Parquet, or a product feed: XML (Google Shopping, "
                "YML, Excel XML) or JSON / JSON Lines; gzip-packed (.gz) too; or the http(s) "
                "address of such a file, downloaded on every run")
METRIC_HELP = "similarity measure (default: the --config file's, else cosine)"
K_HELP = "neighbours per product (default: the --config file's, else 10)"


def add_catalog_options(p: argparse.ArgumentParser, *, lists: bool = True) -> None:
    """The options every catalog command shares. lists=False (finetune): without the ones
    only lists use (--index, --relevance-floor) and the photo options (texts only)."""
    p.add_argument("--config", help="JSON configuration saved from the app")
    p.add_argument("--id-col", help="id column; '@row' for row numbers (default: a unique "
                   "id-like column, else row numbers)")
    p.add_argument("--text-cols", help="comma-separated text columns, in order "
                   "(default: title/name-like column chosen automatically)")
    add_role_options(p)
    p.add_argument("--sheet", help="Excel or LibreOffice sheet name, .xlsx, .xls or .ods "
                   "(default: the sheet with the most rows)")
    p.add_argument("--delimiter", help="delimiter of a text file: , ; tab | or any one "
                   "character (default: detected)")
    p.add_argument("--encoding", help="encoding of a text file, e.g. utf-8, gb18030, cp1252 "
                   "(default: detected)")
    p.add_argument("--no-header", action="store_true",
                   help="the first line is a product, not column names (columns: column_1...)")
    p.add_argument("--allow-ragged", action="store_true",
                   help="read a file even when many rows are ragged or the header looks like "
                   "data (ragged rows are skipped and reported)")
    p.add_argument("--on-duplicate-ids", choices=["error", "keep-first", "suffix"],
                   help="when ids repeat: error (default), keep-first (drop later rows) or "
                   "suffix (make them unique as id#2, id#3)")
    p.add_argument("--model", help="'bundled' (all-MiniLM-L6-v2, English), 'multilingual' "
                   "(multilingual-e5-small, bundled: Chinese, mixed and ~100 languages), a local "
                   "folder or a Hugging Face id (default: chosen from the catalog's language)")
    p.add_argument("--language", choices=["auto", "en", "zh"],
                   help="catalog language (default auto: detected from the texts); it chooses "
                   "the default --model and --hybrid-weight")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16", "onnx"],
                   help="auto (default): fp16 on CUDA; on a CPU fp32 on Intel processors, onnx "
                   "(ONNX Runtime fp32, faster there) on others; the same vectors")
    if lists:
        p.add_argument("--index", choices=["auto", "exact", "approximate"],
                       help="how neighbours are found: auto (default: every pair compared "
                       "below 200,000 products, an approximate index above), exact or "
                       "approximate")
    p.add_argument("--batch-size", type=int, help="texts per model batch (default 64)")
    p.add_argument("--workspace", help="workspace folder (default ./workspace or $CATSIM_WORKSPACE)")
    add_session_option(p)
    p.add_argument("--no-store", action="store_true", help="do not read or write the embedding store")
    p.add_argument("--hybrid-weight", type=float,
                   help="share of the score that comes from the words and model numbers two "
                   "products share, the rest from their meaning: 0 = meaning only, 1 = words "
                   "only (default: from the configuration, else the model's own weight chosen "
                   "by fine-tuning, else chosen from the catalog's language)")
    p.add_argument("--field-weights", help="how much each column's words count in the words "
                   "part of the score, e.g. title=1,brand=0.5 (text columns count 1 unless "
                   "named; 0 leaves one out)")
    if lists:
        p.add_argument("--relevance-floor", type=float,
                       help="leave out neighbours no more related than this share of random "
                       "pairs of products, in meaning and in score (default 0.9; 0 = off); "
                       "lists may be shorter")
        add_image_options(p)


ROLE_HELP = {
    "category": "category column (category_column): per-category figures in evaluate and "
                "threshold, per-category duplicate thresholds in groups and merge-map",
    "brand": "brand column (brand_column): explain compares it field by field",
    "price": "price column (price_column): read by the price range rule (--price-ratio) and "
             "by price-check",
    "model-number": "the maker's model number or MPN (model_number_column), not the shop's own "
                    "SKU: two products whose model numbers differ are never scored as the same "
                    "product, and equal ones count as one; 'none' compares none",
}


def add_role_options(p: argparse.ArgumentParser) -> None:
    """--category-col, --brand-col, --price-col, --model-number-col: the configuration's
    category_column, brand_column, price_column and model_number_column, as the app's column
    mapping sets them."""
    for role, text in ROLE_HELP.items():
        like = "modelno or MPN" if role == "model-number" else role
        p.add_argument(f"--{role}-col", help=f"{text} (default: the --config file's, else a "
                       f"column named like {like}, if any)")


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


# The flag that sets each configuration key, to name it in an error.
FLAG_OF = {"id_column": "--id-col", "text_columns": "--text-cols", "model": "--model",
           "precision": "--precision", "batch_size": "--batch-size",
           "on_duplicate_ids": "--on-duplicate-ids", "metric": "--metric", "k": "--k",
           "index": "--index", "language": "--language", "relevance_floor": "--relevance-floor",
           "hybrid_weight": "--hybrid-weight", "image_column": "--image-col",
           "image_weight": "--image-weight", "image_model": "--image-model",
           "fetch_images": "--fetch-images", "field_weights": "--field-weights",
           "category_column": "--category-col", "brand_column": "--brand-col",
           "price_column": "--price-col", "model_number_column": "--model-number-col"}


def load_config_file(path: str, flag: str = "--config") -> tuple[Config, set[str]]:
    """The configuration in a settings file saved by the app, and the keys it sets.

    Every error names the flag and the file. A byte-order mark (a file re-saved in
    Notepad) is accepted. Unknown keys are refused (Config.from_dict); keys the file does
    not set take today's defaults, with a warning naming them when the file was saved by
    the app (an older version: the lists may differ from the ones the app showed)."""

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{flag} {path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{flag} {path} is a folder; give the settings file (.json) "
                          "saved from the app") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{flag} {path} is not a text file; give the settings file (.json) "
                          "saved from the app") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{flag} {path} is not valid JSON (line {exc.lineno}: {exc.msg})") \
            from None
    try:
        cfg = Config.from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{cli_text(exc)} (in the settings file {flag} {path})") from None
    missing = keys_not_set(data)  # a short hand-written file means the defaults
    if missing:
        say(f"warning: {flag} {path} does not set {', '.join(missing)} (saved by an older "
            "version?): today's defaults are used for them; save the settings again from "
            "the app to record its values")
    return cfg, set(data)




def config_from_args(args: argparse.Namespace) -> Config:
    """The configuration from --config and the flags; records in args.explicit_settings the
    keys the user set (flags, configuration file, $CATSIM_MODEL), which the catalog's
    language never overrides (with_language). An invalid flag value is a ConfigError
    naming the flag."""
    path = getattr(args, "config", None)
    cfg, explicit = load_config_file(path) if path else (Config(), set())
    args.file_settings = frozenset(explicit) if path else None  # the keys the file sets
    if os.environ.get(MODEL_ENV, "").strip():
        explicit.add("model")
    changes = {}
    if args.id_col is not None:
        changes["id_column"] = args.id_col
    if args.text_cols:
        changes["text_columns"] = tuple(c.strip() for c in args.text_cols.split(",") if c.strip())
    for opt, key in (("model", "model"), ("precision", "precision"), ("batch_size", "batch_size"),
                     ("on_duplicate_ids", "on_duplicate_ids"), ("metric", "metric"), ("k", "k"),
                     ("index", "index"), ("language", "language"),
                     ("category_col", "category_column"), ("brand_col", "brand_column"),
                     ("price_col", "price_column"), ("model_number_col", "model_number_column"),
                     ("relevance_floor", "relevance_floor"), ("hybrid_weight", "hybrid_weight"),
                     ("image_col", "image_column"), ("image_weight", "image_weight"),
                     ("image_model", "image_model"), ("fetch_images", "fetch_images")):
        value = getattr(args, opt, None)
        if opt == "model_number_col" and no_model_numbers(args):
            changes[key] = None  # none mapped, a settings file's too, none guessed (tuning)
            continue
        if value is not None:
            changes[key] = value
    if getattr(args, "field_weights", None) is not None:
        from core.search.fusion import parse_field_weights

        changes["field_weights"] = _flag_checked(
            "field_weights", args.field_weights, lambda: parse_field_weights(args.field_weights))
    for key, value in changes.items():  # each flag alone, so that an error names it
        _flag_checked(key, value, lambda key=key, value=value: cfg.with_changes(**{key: value}))
    if "hybrid_weight" not in changes and "hybrid_weight" not in explicit:
        from core.finetune.card import model_defaults  # a tuned model brings its own weight

        changes.update(model_defaults(changes.get("model", cfg.model)).as_config_changes())
    args.flag_settings = frozenset(changes)  # set on the command line (named in errors)
    args.explicit_settings = frozenset(explicit | set(changes))
    cfg = cfg.with_changes(**changes) if changes else cfg
    args.model_used = cfg.model  # for model_hint
    return cfg


def model_hint(args: argparse.Namespace) -> str:
    """What to add to 'Model folder X does not exist' when X is relative: where it was
    looked for. The app saves a fine-tuned model as a folder under its workspace, relative
    to the folder the app runs in when the workspace is (./workspace by default), so a
    nightly job started elsewhere does not find it."""
    model = str(getattr(args, "model_used", "") or "")
    if not model or Path(model).expanduser().is_absolute() or Path(model).exists():
        return ""
    return (f" (a relative folder is looked for from the folder the command runs in, "
            f"{Path.cwd()}: give the model's full path in --model or in the settings "
            "file's \"model\")")


def _flag_checked(key: str, value, make):
    """make() with a ConfigError re-raised naming the flag that set key to value."""
    try:
        return make()
    except ConfigError as exc:
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        raise ConfigError(f"{FLAG_OF.get(key, key)} {shown}: {cli_text(exc)}") from None


def with_language(args: argparse.Namespace, cfg: Config, catalog: Catalog) -> Config:
    """The configuration with the model and hybrid weight of the catalog's language (for
    the settings the user did not set), saying which; warns when the model does not read
    the catalog's language."""
    from core.catalog.language import model_reads

    lang = cfg.resolved_language(catalog.texts)
    new = cfg.for_language(lang.code, explicit=getattr(args, "explicit_settings", frozenset()))
    if lang.code != "en" or new != cfg or cfg.language != "auto":  # else nothing to say
        how = "automatic" if cfg.language == "auto" else "set"
        say(f"catalog language ({how}): {lang.describe()}; model {new.model}, hybrid weight "
            f"{new.hybrid_weight:g}" + (" (chosen for this language)" if new != cfg else ""))
    if not model_reads(new.model, lang.code):
        say(f"warning: the model '{new.model}' reads English only and this catalog is "
            f"{lang.name}: use --model multilingual")
    return new


def load_catalog_from_args(args: argparse.Namespace, cfg: Config, *,
                           where: str | None = None) -> Catalog:
    from core.pipeline import catalog_from_config

    table = read_table(*catalog_source(args.catalog), sheet=args.sheet, **read_options(args))
    if table.delimiter is not None:
        check_delimiter(args, table.frame.columns)
    say_unused_read_options(args, table)
    for warning in table.warnings:
        say(f"warning: {warning}")
    check_config_columns(args, cfg, table.frame.columns, where=where)
    catalog, guessed = catalog_from_config(table, cfg)
    if guessed:
        say(f"text columns (automatic): {', '.join(catalog.mapping.text_columns)}")
    if cfg.id_column is None:
        say(f"id column (automatic): {catalog.mapping.id_column or 'row numbers'}")
        say_row_numbers_instead(table.frame)
    if catalog.report.empty_texts:
        n = len(catalog.report.empty_texts)
        say(f"warning: {counted(n, 'product')} {'has' if n == 1 else 'have'} empty text: "
            "with the relevance floor on (the default) and no photos, "
            f"{'it gets no list and appears' if n == 1 else 'they get no list and appear'} in "
            "none; fill the text columns to compare them")
    if catalog.report.duplicate_ids:
        say(f"warning: {catalog.report.lines()[1]}")
    for warning in catalog.report.warnings[len(table.warnings):]:
        say(f"warning: {warning}")
    return catalog


def catalog_source(catalog: str) -> tuple[bytes | str, str | None]:
    """(what read_table reads, its name): the path, or the file at a web address (a shop's
    product feed, fetched fresh on every run: a nightly job reads tonight's feed)."""
    from core.catalog.fetch import download_catalog, is_web_address
    from core.catalog.limits import current_limits

    if not is_web_address(catalog):
        return catalog, None
    started = time.monotonic()
    data, name = download_catalog(catalog, max_bytes=current_limits().max_bytes)
    say(f"downloaded {name} ({len(data) / 1e6:,.1f} MB) from {catalog} in "
        f"{time.monotonic() - started:.1f} s")
    return data, name


def say_unused_read_options(args: argparse.Namespace, table) -> None:
    """A warning for each reading option the file's kind does not use (--sheet on a CSV
    file, --encoding or --delimiter on a workbook), which were ignored without a word."""
    if getattr(args, "sheet", None) and table.sheet is None:
        say(f"warning: --sheet {args.sheet} is not used: {args.catalog} is not an Excel "
            "workbook")
    if table.sheet is not None:
        for flag, dest in (("--encoding", "encoding"), ("--delimiter", "delimiter"),
                           ("--no-header", "no_header")):
            if getattr(args, dest, None):
                say(f"warning: {flag} is not used: {args.catalog} is an Excel workbook, "
                    "not a text file (CSV, TSV or TXT)")


def check_delimiter(args: argparse.Namespace, columns) -> None:
    """A --delimiter that splits no line (a comma file read with ';') gives one column whose
    name is the whole header: refused naming the delimiter the header does use, before
    anything is embedded (else every product's text is its whole line, ids row numbers)."""
    given = read_options(args)["delimiter"]
    if given is None or len(columns) != 1:
        return
    header = str(columns[0])
    found = [d for d in (",", ";", "\t", "|") if d != given and d in header]
    if found:
        def shown(d: str) -> str:
            return "tab" if d == "\t" else f"'{d}'"

        raise ConfigError(f"--delimiter {shown(given)}: the catalog {args.catalog} reads as "
                          f"one column, {header[:80]!r}, whose name holds {shown(found[0])}: "
                          f"give --delimiter {shown(found[0])}, or leave --delimiter out to "
                          "have it detected")


def check_config_columns(args: argparse.Namespace, cfg: Config, columns, *,
                         where: str | None = None) -> None:
    """Every column the mapping and field weights name is in the catalog, else a ConfigError
    naming the flag that set it or the settings file (one saved for another catalog).
    where: the flag and file cfg comes from when it is not --config (compare's --other)."""
    from core.config import missing_text
    from core.errors import short_list

    missing = cfg.missing_columns(columns, rules=False)
    if not missing:
        return
    available = short_list([str(c) for c in columns], 40)
    flags = frozenset() if where else getattr(args, "flag_settings", frozenset())
    for key, cols in missing.items():
        if key in flags:
            raise ConfigError(f"{FLAG_OF.get(key, key)}: column(s) {short_list(cols)} not in "
                              f"the catalog {args.catalog}; available: {available}")
    where = where or f"--config {args.config}"
    raise ConfigError(f"the settings file {where} names columns the catalog {args.catalog} "
                      f"does not have: {missing_text(missing)} (was it saved for another "
                      "catalog? open this catalog in the app, map its columns and save the "
                      f"settings again); the catalog's columns: {available}")


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
    with Progress("embedding", "text", len(catalog)) as progress:
        result = embed_catalog(catalog, encoder, store, progress=progress)
    say(embedding_counts(len(catalog), len(set(catalog.texts)), result.embedded))
    if store is not None:
        store.close()
    return result.vectors


def embedding_counts(products: int, different: int, embedded: int) -> str:
    """'1,092 products, 1,079 different texts: embedded 1,079, reused 0 from the store':
    products with the same text are embedded once, so the texts are counted, not rows."""
    return (f"{counted(products, 'product')}, {counted(different, 'different text')}: "
            f"embedded {embedded:,}, reused {different - embedded:,} from the store")


def save_vectors(path: str, vectors: np.ndarray) -> None:
    """vectors as a .npy file at path exactly, atomically: a run that fails or is killed
    leaves the previous night's file whole (written beside it, then renamed over it)."""
    from core.export.tables import replace_target

    target = replace_target(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            np.save(fh, vectors)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_npy_out(path: str) -> None:
    """--out of embed: a .npy file (np.save would silently add .npy to any other name)."""
    if Path(path).suffix.lower() != ".npy":
        raise ConfigError(f"--out {path}: vectors are written to a .npy file (e.g. "
                          "vectors.npy), or to a FOLDER/ as Parquet parts")


def load_vectors(path: str) -> np.ndarray:
    """The (n, d) float32 vectors of a .npy file (--vectors). Any other file is refused
    saying what to give (numpy's own words about another file tell the user to load it
    unsafely, with allow_pickle)."""
    try:
        with open(path, "rb") as fh:  # the magic, then the header's dtype: one read
            magic = fh.read(6)
            if magic == b"\x93NUMPY":
                fh.seek(0)
                version = np.lib.format.read_magic(fh)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                    else np.lib.format.read_array_header_2_0  # 2.0 and 3.0 (utf-8) headers
                dtype = read_header(fh)[2]  # (shape, fortran order, dtype)
    except FileNotFoundError:
        raise ConfigError(f"--vectors {path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"--vectors {path} is a folder; give the .npy file that "
                          "python -m core embed --out vectors.npy writes") from None
    except (OSError, ValueError) as exc:
        raise CatalogSimilarityError(f"Cannot read vectors from {path}: {exc}") from exc
    if magic != b"\x93NUMPY":
        raise ConfigError(f"--vectors {path} is not a .npy file of vectors: give the file that "
                          "python -m core embed --out vectors.npy writes (or numpy.save)")
    if dtype.kind not in "fiu":
        raise ConfigError(f"--vectors {path} holds {_dtype_words(dtype)}, not numbers: give "
                          "an (n, d) array of floats, such as python -m core embed "
                          "--out vectors.npy writes")
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CatalogSimilarityError(f"Cannot read vectors from {path}: {exc}") from exc
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise CatalogSimilarityError(f"{path} must hold an (n, d) array, got shape {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise CatalogSimilarityError(f"{path} contains NaN or infinite values")
    return vectors.astype(np.float32, copy=False)


def _dtype_words(dtype: np.dtype) -> str:
    """What a .npy file holds, in words (for a refusal)."""
    if dtype.kind == "O":
        return "Python objects (e.g. a list of arrays or strings saved as one array)"
    if dtype.kind in "SU":
        return "text"
    if dtype.kind == "b":
        return "true/false values"
    if dtype.kind == "c":
        return "complex numbers"
    return f"values of type {dtype}"


def add_session_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--session", help="use the review decisions of this app session: the "
                   "s=... part of the app's address, as --session=KEY when it starts with - "
                   "(default: every session's decisions in the workspace)")


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
    if getattr(args, "images", None):
        where = Path(args.images)
    else:  # photos named relative to the catalog's folder (the current one for a web address)
        from core.catalog.fetch import is_web_address

        where = Path.cwd() if is_web_address(args.catalog) else Path(args.catalog).parent
    with Progress("reading photos", "photo", len(catalog)) as progress:  # a few per second
        result = catalog_images(catalog, cfg, ws, where, use_store=not args.no_store,
                                encoder=encoder, progress=progress)
    for issue in result.issues:
        say(f"warning: {issue.message()}")
    say(f"photos: {int(result.has_image.sum()):,} of {len(catalog):,} products; embedded "
        f"{result.embedded:,} new, reused {result.reused:,} from the store")
    if result.fallback:
        uses = "uses a later photo of its" if result.fallback == 1 else "use a later photo of their"
        say(f"photos: {counted(result.fallback, 'product')} {uses} cell, because the first one "
            "could not be used (missing, damaged or not a photo)")
    return result


def check_comparable(n: int, source: str, noun: str) -> None:
    """A list needs another product: one product gave an empty lists file and exit 0, so a
    nightly job whose catalog export was cut short replaced the shop's lists with nothing."""
    if n < 2:
        raise CatalogSimilarityError(
            f"{source} has {n:,} {noun}{'' if n == 1 else 's'}: neighbour lists need at least "
            "2, so nothing was written (the previous lists file, if any, is kept); if the "
            "export was cut short, export it again")


def no_model_numbers(args: argparse.Namespace) -> bool:
    """--model-number-col none: compare no model numbers, not even a column named like one."""
    return str(getattr(args, "model_number_col", None) or "").strip().lower() == "none"


def say_row_numbers_instead(frame) -> None:
    """Why the automatic id is the row number when a column is named like ids: the lists
    and exports then name products by row, not by the shop's ids."""
    passed = passed_over_id_column(frame)
    if passed is None:
        return
    say(row_numbers_note(*passed, len(frame)))


def row_numbers_note(column: str, distinct: int, rows: int, *, first: bool = False,
                     fix: str = "") -> str:
    """The note for an id-like column passed over for row numbers (first: read in the
    catalog's first rows only); fix: how to name the products by it (default: the
    single-process flags)."""
    fix = fix or (f"give --id-col '{column}' with --on-duplicate-ids keep-first or suffix to "
                  "name them by it")
    where = "the first " if first else ""
    return (f"note: column '{column}' has {distinct:,} different ids in {where}{rows:,} rows, "
            "too few for one per product, so products are named by row number in the lists "
            f"and exports; {fix}, or --id-col @row to keep row numbers")
