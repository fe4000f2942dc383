"""One dataclass for every choice the user makes, saved as JSON.

The app and the CLI read and write the same :class:`Config`; unknown keys are
refused so a typo never silently changes nothing.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from core.catalog.language import (
    LANGUAGE_SETTINGS,
    CatalogLanguage,
    defaults_for,
    detect_language,
)
from core.catalog.table import DUPLICATE_POLICIES, ColumnMapping
from core.embed.bert import PRECISIONS
from core.errors import ConfigError, did_you_mean, short_list
from core.lists.bands import validate_bands
from core.lists.spec import Rules, filters_active
from core.search.neighbors import METRICS

DEFAULT_K = 10
DEFAULT_HYBRID_WEIGHT = 0.7
# Share of random product pairs a neighbour must be more related than, in meaning and in
# its list score (bench/score_quality.py --floor: walmart rules, unrelated 5.6% -> 0.0%,
# scored as unrelated 4.8% -> 0.0%, lists kept for 92%).
DEFAULT_RELEVANCE_FLOOR = 0.9
# id_column value meaning "use row numbers as ids" (None means: choose automatically).
ROW_NUMBERS = "@row"
INDEX_KINDS = ("auto", "exact", "approximate")
MODEL_ENV = "CATSIM_MODEL"
# Documented keys of a configuration file (python -m core config-keys prints them all;
# the keys inside "rules" are documented in core.lists.spec.RULE_KEYS).
KEY_DOCS = {
    "id_column": "id column name; \"@row\" for row numbers; null = choose automatically",
    "text_columns": "list of columns embedded, in order; [] = a title/name-like column",
    "category_column": "column of the product's category (rules: same / different category; "
                       "null = guessed from the column names)",
    "brand_column": "column of the brand or maker (rules: at most N per brand, another brand)",
    "price_column": "column of the price (rules: price band; price check)",
    "model_number_column": "column of the maker's model number or a barcode (EAN, UPC): "
                           "products whose numbers differ are never scored as the same",
    "precision": "auto | fp32 | bf16 | fp16 | onnx: how the model computes (auto: fp16 on a "
                 "GPU; on a CPU whichever of fp32 and onnx is faster on its kind of processor: fp32 "
                 "on Intel, onnx elsewhere; the same vectors)",
    "batch_size": "texts the model reads at once (memory, not results; 64)",
    "on_duplicate_ids": "error | keep-first | suffix: what a repeated id does (keep-first "
                        "drops the later rows; suffix renames them id#2, id#3...)",
    "hybrid_weight": "0..1: the share of words and model numbers in the score, the rest is "
                     "meaning (0.7 for English, 0.5 for Chinese and other scripts; a fine-tuned "
                     "model brings its own)",
    "field_weights": "column -> weight of its words in the word side of the score (e.g. "
                     "{\"title\": 2, \"brand\": 1}); text columns weigh 1 unless given, "
                     "other columns may be added, 0 leaves one out",
    "duplicate_threshold": "0..1 or null: the score from which two products are duplicates "
                           "(duplicate groups and the merge map; null = the duplicate band)",
    "category_thresholds": "category -> its own duplicate threshold for duplicate groups "
                           "and the merge map (written by `threshold --save-config` when a "
                           "category column is mapped)",
    "model": "\"bundled\" (all-MiniLM-L6-v2), a local folder or a Hugging Face id",
    "metric": "cosine | dot | euclidean | manhattan",
    "k": "neighbours per product in the final lists",
    "image_column": "column of photo file names (relative to the catalog / a zip) or URLs",
    "image_weight": "photos' share of the score: 0 = text only (default), 1 = photos only (a "
                    "product without a photo: its text)",
    "image_model": "\"bundled\" (EfficientNet-lite0) or a local CLIP folder (text-to-image)",
    "fetch_images": "download http(s) image URLs (off by default)",
    "rules": "business rules: same, different, max_per, price_ratio, min_score, diversity, "
             "pinned, blocked, in_stock_column, keep_duplicates, leave_out_variants, "
             "use_review",
    "bands": "named score bands, name -> lowest score (\"duplicate\" is left out of lists)",
    "relevance_floor": "0..1: leave out neighbours no more related than this share of random "
                       "pairs of products, in meaning (0.9 by default: cosine 0.274 for the "
                       "bundled model) and in their score; 0 = off; with words only "
                       "(hybrid_weight 1), leave out neighbours that share no word; lists "
                       "may be shorter",
    "language": "catalog language: \"auto\" (detected from the texts), \"en\" or \"zh\"; "
                "chooses the default model and hybrid_weight when they are not set",
    "index": "auto | exact | approximate: how neighbours are found (auto: exact up to a "
             "measured size, approximate above it)",
    "extra": "anything else a configuration file holds, kept as it is (for your own notes)",
}
# Settings a catalog's language chooses when the user has not set them.
LANGUAGE_KEYS = ("model", "hybrid_weight")


def missing_text(missing: dict[str, list[str]]) -> str:
    """'category_column "cat", text_columns "name"' from Config.missing_columns."""
    return ", ".join(f"{key} {', '.join(json.dumps(c, ensure_ascii=False) for c in cols)}"
                     for key, cols in missing.items())


# Keys every version of the app's "Save configuration" wrote (Config.to_dict writes all).
APP_SAVED = frozenset({"id_column", "text_columns", "model", "metric", "k"})


def keys_not_set(data: dict[str, Any]) -> list[str]:
    """The settings a file saved by the app (it names the columns, model, metric and k)
    does not set: a file from an older version, whose lists may differ from the ones the
    app showed (today's defaults stand in for them). [] for a short hand-written file,
    which means the defaults on purpose."""
    if not isinstance(data, dict) or not set(data) >= APP_SAVED:
        return []
    return sorted({f.name for f in fields(Config)} - set(data) - {"extra"})


def default_model() -> str:
    """The bundled MiniLM, unless $CATSIM_MODEL names another id or folder."""
    return os.environ.get(MODEL_ENV, "").strip() or "bundled"


def _score(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def _validate_images(cfg: Config) -> None:
    """image_weight in [0, 1] (without an image column it has no effect); fetch_images bool."""
    w = cfg.image_weight
    if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 1:
        raise ConfigError(f"image_weight must be between 0 and 1, got {w!r}")
    if not isinstance(cfg.fetch_images, bool):
        raise ConfigError(f"fetch_images must be true or false, got {cfg.fetch_images!r}")
    if not isinstance(cfg.image_model, str) or not cfg.image_model.strip():
        raise ConfigError("image_model must be \"bundled\" or a local CLIP folder")


# Keys that name one catalog column (or none), and what else may stand in them.
COLUMN_KEYS = ("id_column", "category_column", "brand_column", "price_column", "image_column",
               "model_number_column")


def _validate_columns(cfg: Config) -> None:
    """Column keys hold a column name (text) or null; text_columns a list of names; model a
    name or folder. A hand-edited file with a number, a list or a bare string in the wrong
    place gets a message naming the key, not a failure further on."""
    for key in COLUMN_KEYS:
        value = getattr(cfg, key)
        if value is not None and (not isinstance(value, str) or not value):
            raise ConfigError(f"{key} must be a column name in quotes (or null), got "
                              f"{json.dumps(value, default=str)}")
    if not all(isinstance(c, str) and c for c in cfg.text_columns):
        raise ConfigError("text_columns must be a list of column names in quotes, e.g. "
                          f"[\"title\", \"brand\"], got {json.dumps(list(cfg.text_columns))}")
    twice = [c for i, c in enumerate(cfg.text_columns) if c in cfg.text_columns[:i]]
    if twice:  # its text would be embedded twice and its words counted twice
        raise ConfigError(f"text_columns names '{twice[0]}' twice; name each column once")
    if not isinstance(cfg.model, str) or not cfg.model.strip():
        raise ConfigError("model must be \"bundled\", \"multilingual\", a model folder or a "
                          f"Hugging Face id, in quotes, got {json.dumps(cfg.model, default=str)}")


def _validate_quality(cfg: Config) -> None:
    """hybrid_weight in [0, 1]; field weights >= 0; thresholds are match scores in [0, 1]."""
    if isinstance(cfg.hybrid_weight, bool):
        raise ConfigError(f"hybrid_weight must be between 0 and 1, got {cfg.hybrid_weight!r}")
    for name, weight in cfg.field_weights.items():
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) \
                or not 0 <= weight < math.inf:  # NaN and Infinity too (JSON reads them)
            raise ConfigError(f"field_weights['{name}'] must be a number 0 or more, got {weight!r}")
    if cfg.duplicate_threshold is not None and not _score(cfg.duplicate_threshold):
        raise ConfigError("duplicate_threshold must be a match score between 0 and 1, "
                          f"got {cfg.duplicate_threshold!r}")
    for name, value in cfg.category_thresholds.items():
        if not _score(value):
            raise ConfigError(f"category_thresholds['{name}'] must be between 0 and 1, "
                              f"got {value!r}")
    if not _score(cfg.relevance_floor) or cfg.relevance_floor >= 1:
        raise ConfigError("relevance_floor must be a share from 0 (off) to below 1, e.g. 0.9, "
                          f"got {cfg.relevance_floor!r}")


@dataclass(frozen=True)
class Config:
    """Columns, model and similarity settings.

    id_column: a column name, "@row" for row numbers, or None to choose
    automatically (a unique id-like column, else row numbers).

    model: "bundled" (all-MiniLM-L6-v2), a local folder or a Hugging Face id.
    text_columns: empty means "choose automatically (title/name-like first)".
    """

    id_column: str | None = None
    text_columns: tuple[str, ...] = ()
    category_column: str | None = None
    brand_column: str | None = None
    price_column: str | None = None
    image_column: str | None = None
    model_number_column: str | None = None
    model: str = field(default_factory=default_model)
    precision: str = "auto"
    batch_size: int = 64
    metric: str = "cosine"
    k: int = DEFAULT_K
    on_duplicate_ids: str = "error"
    # Retrieval quality (hybrid dense + lexical, field weights, thresholds).
    # Lexical share of the fused score; chosen on valid splits by bench/hybrid_quality.py --select.
    hybrid_weight: float = DEFAULT_HYBRID_WEIGHT
    field_weights: dict[str, float] = field(default_factory=dict)
    # Photos of image_column: their share of the fused score (0 = text only, 1 = photos
    # only), the image model ("bundled" EfficientNet-lite0 or a local CLIP folder), and
    # whether http(s) image URLs are downloaded (off: only files beside the catalog / a zip).
    image_weight: float = 0.0
    image_model: str = "bundled"
    fetch_images: bool = False
    duplicate_threshold: float | None = None
    category_thresholds: dict[str, float] = field(default_factory=dict)
    # Recommendation tuning: rules (validated by core.lists.rules) and named score bands.
    rules: Rules = field(default_factory=Rules)
    bands: dict[str, float] = field(default_factory=dict)
    # Leave out neighbours no more related (meaning, score) than this share of random pairs (0 = off).
    relevance_floor: float = DEFAULT_RELEVANCE_FLOOR
    # Scale: "auto" (exact below a measured size, approximate above), "exact", "approximate".
    index: str = "auto"
    # Catalog language: "auto" = detected; decides the default model and hybrid weight.
    language: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.text_columns, str) or not isinstance(self.text_columns, (list, tuple)):
            raise ConfigError("text_columns must be a list of column names in quotes, e.g. "
                              f"[\"title\", \"brand\"], got "
                              f"{json.dumps(self.text_columns, default=str)}")
        object.__setattr__(self, "text_columns", tuple(self.text_columns))
        object.__setattr__(self, "rules", Rules.parse(self.rules))  # parsed once, here
        self.validate()

    def validate(self) -> None:
        if self.metric not in METRICS:
            raise ConfigError(f"metric '{self.metric}' is not one of {', '.join(METRICS)}")
        if not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 1:
            raise ConfigError(f"k must be a positive integer, got {self.k!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}")
        if self.on_duplicate_ids not in DUPLICATE_POLICIES:
            raise ConfigError(f"on_duplicate_ids must be one of {', '.join(DUPLICATE_POLICIES)}")
        if not isinstance(self.batch_size, int) or isinstance(self.batch_size, bool) \
                or self.batch_size < 1:
            raise ConfigError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if not isinstance(self.hybrid_weight, (int, float)) or not 0 <= self.hybrid_weight <= 1:
            raise ConfigError(f"hybrid_weight must be between 0 and 1, got {self.hybrid_weight!r}")
        _validate_columns(self)
        _validate_images(self)
        if self.index not in INDEX_KINDS:
            raise ConfigError(f"index must be one of {', '.join(INDEX_KINDS)}")
        if self.language not in LANGUAGE_SETTINGS:
            raise ConfigError(f"language must be one of {', '.join(LANGUAGE_SETTINGS)}")
        for name in ("field_weights", "category_thresholds", "bands", "extra"):
            if not isinstance(getattr(self, name), dict):
                raise ConfigError(f"{name} must be a JSON object")
        _validate_quality(self)
        validate_bands(self.bands)

    def mapping(self, text_columns: tuple[str, ...] | None = None) -> ColumnMapping:
        id_column = None if self.id_column == ROW_NUMBERS else self.id_column
        return ColumnMapping(text_columns=tuple(text_columns or self.text_columns),
                             id_column=id_column, category=self.category_column,
                             brand=self.brand_column, price=self.price_column,
                             image=self.image_column, model_number=self.model_number_column)

    def missing_columns(self, columns, *, rules: bool = True) -> dict[str, list[str]]:
        """{setting: [column, ...]} for each setting that names a column not in ``columns``:
        the mapping (id, text and role columns), field_weights and (rules=True) the rules."""
        have = {str(c) for c in columns}
        named: dict[str, list[str]] = {
            "id_column": [] if self.id_column in (None, ROW_NUMBERS) else [self.id_column],
            "text_columns": list(self.text_columns),
            **{key: [getattr(self, key)] for key in COLUMN_KEYS[1:] if getattr(self, key)},
            "field_weights": list(self.field_weights)}
        if rules:
            named["rules"] = sorted(self.rules.columns())
        return {key: lost for key, cols in named.items()
                if (lost := [c for c in cols if c not in have])}

    def check_columns(self, columns, *, rules: bool = True) -> None:
        """Raise a ConfigError naming each setting whose column the catalog lacks (settings
        saved for another catalog), before any work is done with them."""
        missing = self.missing_columns(columns, rules=rules)
        if missing:
            raise ConfigError(f"The settings name columns this catalog does not have: "
                              f"{missing_text(missing)} (saved for another catalog?); the "
                              f"catalog's columns: {short_list([str(c) for c in columns], 40)}")

    def with_changes(self, **changes: Any) -> Config:
        return replace(self, **changes)

    def for_language(self, code: str, *, explicit: frozenset[str] | set[str] = frozenset()
                     ) -> Config:
        """The model and hybrid weight of a catalog language (core.catalog.language),
        for each of LANGUAGE_KEYS not in ``explicit`` (those the user set)."""
        defaults = defaults_for(code)
        if defaults is None:
            return self
        changes = {k: getattr(defaults, k) for k in LANGUAGE_KEYS if k not in explicit}
        return self.with_changes(**changes) if changes else self

    def resolved_language(self, texts) -> CatalogLanguage:
        """The catalog's language: detected when language is "auto", else the one set."""
        if self.language == "auto":
            return detect_language(texts)
        return CatalogLanguage(self.language, {self.language: 1.0}, 0)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["text_columns"] = list(self.text_columns)
        data["rules"] = self.rules.to_dict()
        if not data["extra"]:
            data.pop("extra")
        return data

    def pool_key(self) -> str:
        """The settings that change the candidate pool (not the rules applied to it)."""
        keys = ("model", "precision", "metric", "hybrid_weight", "field_weights",
                "text_columns", "index", "image_column", "image_weight", "image_model",
                "fetch_images")
        data = {k: self.to_dict().get(k) for k in keys}
        data["deep_pool"] = filters_active(self.rules)  # filter rules need a deeper pool
        return json.dumps(data, sort_keys=True, default=str)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        if not isinstance(data, dict):
            raise ConfigError("A configuration must be a JSON object of settings")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"Unknown configuration key(s): {', '.join(unknown)}"
                              f"{did_you_mean(unknown, known)}; known keys: "
                              f"{', '.join(sorted(known))}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ConfigError(f"Invalid configuration: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> Config:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as exc:
            raise ConfigError(f"Configuration file not found: {path}") from exc
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        return cls.from_dict(data)

    def save(self, path: str | Path) -> Path:
        from core.export.tables import replace_target  # a link: the file it points to

        path = replace_target(path)
        tmp = path.with_name(path.name + ".tmp")  # atomic: a kill never leaves half a file
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
        return path
