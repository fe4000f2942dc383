"""The sidebar's "Advanced" area: model, how meaning is compared, words vs meaning,
column weights for word matching, precision and search method.

Labels are plain words; each help text says what the setting does, its measured
default, and (last) the key that holds it in a settings file and on the command
line, so the app, the settings file and the CLI still share one name per setting.
All user-visible strings are literal here so that a translated interface can
replace them.
"""

from __future__ import annotations

import streamlit as st

from components import state
from components.i18n import N_, labels, t
from components.i18n_core import tr_core
from components.text import md
from core.catalog.table import Catalog
from core.config import DEFAULT_HYBRID_WEIGHT, INDEX_KINDS, Config
from core.embed.encoders import MULTILINGUAL_SUGGESTIONS, PRECISIONS
from core.finetune.card import model_defaults, model_display_name
from core.search.neighbors import METRICS
from core.workspace import Workspace

BUNDLED = "bundled"
MULTILINGUAL = "multilingual"
OTHER_MODEL = "other"
METRIC_NAMES = {"cosine": N_("Angle (recommended)"), "dot": N_("Dot product"),
                "euclidean": N_("Straight distance"), "manhattan": N_("Grid distance")}
PRECISION_NAMES = {"auto": N_("Automatic (recommended)"), "fp32": N_("Full (slowest)"),
                   "bf16": N_("Half (bfloat16)"), "fp16": N_("Half (graphics card)"),
                   "onnx": N_("Fast CPU engine")}
INDEX_NAMES = {"auto": N_("Automatic (recommended)"), "exact": N_("Exact, always"),
               "approximate": N_("Fast approximate, always")}


def model_options() -> list[str]:
    """The built-in models, the workspace's fine-tuned ones by their full path (a settings
    file saved from the app then runs from a nightly job in any folder), another model.
    A model another session fine-tuned is not listed (state.may_use_model)."""
    models_dir = Workspace.default().models_dir
    tuned = sorted(str(p.resolve()) for p in models_dir.glob("*") if (p / "config.json").exists()
                   and state.may_use_model(str(p))) if models_dir.exists() else []
    return [BUNDLED, MULTILINGUAL, *tuned, OTHER_MODEL]


def _as_option(model: str, options: list[str]) -> str:
    """The option naming model: itself, or a fine-tuned folder saved by a relative path
    (before options were full paths)."""
    if model in options:
        return model
    from pathlib import Path

    folder = str(Path(model).resolve()) if model else ""
    return folder if folder in options else OTHER_MODEL


def model_name(option: str, options: list[str] | None = None) -> str:
    """A model option as the model pickers show it, in the interface language (options:
    the picker's, when known)."""
    if option == BUNDLED:
        return t("Built-in (English)")
    if option == MULTILINGUAL:
        return t("Built-in multilingual (Chinese and 100 languages)")
    if option == OTHER_MODEL:
        return t("Another model…")
    return t("Fine-tuned: {name}", name=_tuned_name(option, options))


def _tuned_name(option: str, options: list[str] | None = None) -> str:
    """A fine-tuned model's name (its card's: a session numbers its own models from v1),
    or its folder's name where another listed model goes by the same name (a shared model
    made by the command line, numbered on its own)."""
    from pathlib import Path

    name = model_display_name(option)
    if name == Path(option).name:
        return name
    others = [o for o in (model_options() if options is None else options)
              if o not in (option, BUNDLED, MULTILINGUAL, OTHER_MODEL)]
    return Path(option).name if any(model_display_name(o) == name for o in others) else name


def model_label(model: str) -> str:
    """A model as the pages name it: the picker's name for a built-in or fine-tuned one,
    else the name or folder as given."""
    options = model_options()
    option = _as_option(model, options)
    return model if option == OTHER_MODEL else model_name(option, options)


def model_setting(cfg: Config) -> str:
    options = model_options()
    current = _as_option(cfg.model, options)
    names = {o: model_name(o, options) for o in options}
    choice = st.selectbox(
        t("Language model"), options, format_func=names.__getitem__,
        **state.picker_index(options.index(current)), key=state.MODEL_CHOICE,
        help=t("The model that reads your product texts. Both built-in models work offline. "
             "The English one (all-MiniLM-L6-v2) is the fastest; the multilingual one "
             "(multilingual-e5-small) reads Chinese, English, mixed catalogs and about 100 "
             "languages, and finds an English title's Chinese twin; it is about 3x slower. "
             "A Chinese catalog gets the multilingual one by default. "
             "Settings file and command line: `model`."))
    if choice != OTHER_MODEL:
        return choice
    model = st.text_input(t("Model name or folder"), value="" if cfg.model in options else cfg.model,
                          key="settings.model_other",
                          help=t("A Hugging Face model name or a folder on this computer."))
    st.caption(t("Other multilingual or Chinese models (downloaded once where there is "
                 "internet): {models}", models=", ".join(MULTILINGUAL_SUGGESTIONS)))
    return model.strip() or BUNDLED


def metric_setting(cfg: Config) -> str:
    return st.selectbox(
        t("How meaning is compared"), METRICS, index=METRICS.index(cfg.metric),
        format_func=labels(METRIC_NAMES), key="settings.metric",
        help=t("How two texts' meanings are compared. The recommended one (cosine) is what "
             "the built-in model was trained for; the others are for special models. "
             "Settings file and command line: `metric`."))


def words_weight_setting(cfg: Config) -> float:
    weight = float(st.slider(
        t("Exact words and model numbers vs meaning"), 0.0, 1.0, value=float(cfg.hybrid_weight),
        step=0.05, key=state.HYBRID_WEIGHT,
        help=t('How much shared words and model numbers count against meaning. 0 = meaning only, 1 = shared '
               'words only. Default {DEFAULT_HYBRID_WEIGHT:g}: it found the same product most often on the '
               'labelled test catalogs (Abt-Buy, walmart-amazon). A Chinese catalog starts at 0.5 with the '
               'multilingual model (measured on Chinese product titles). Lower it when you want related '
               'products rather than twins. Settings file and command line: `hybrid_weight`.',
               DEFAULT_HYBRID_WEIGHT=DEFAULT_HYBRID_WEIGHT)))
    own = model_defaults(cfg.model)
    if own.hybrid_weight is not None:
        st.caption(t("This model's own weight: {hybrid_weight:g} ({source}); move the slider to override it.",
                     hybrid_weight=own.hybrid_weight, source=md(tr_core(own.source))))
    return weight


def column_weights_setting(cfg: Config, cat: Catalog | None) -> dict[str, float]:
    """One number per column whose words count: the product text columns and the
    brand/category columns. Only values that differ from the default are kept."""
    if cat is None:
        return dict(cfg.field_weights)
    texts = list(cat.mapping.text_columns)
    roles = [c for r, c in cat.mapping.roles().items() if r in ("brand", "category")]
    columns = list(dict.fromkeys([*texts, *roles, *cfg.field_weights]))
    st.caption(t("Column weights for word matching"), help=(
        t("How much each column's words count when shared words are compared. The product "
        "text columns count 1 by default, other columns 0 (not used); 0 leaves a column "
        "out. Settings file: `field_weights`; command line: `--field-weights`.")))
    weights = dict(cfg.field_weights)
    for col in columns:
        default = 1.0 if col in texts else 0.0
        # the label is the catalog's column header: text, never Markdown
        value = st.number_input(md(str(col)), 0.0, 10.0, step=0.25, key=f"settings.field.{col}",
                                value=float(cfg.field_weights.get(col, default)))
        if value == default:
            weights.pop(col, None)
        else:
            weights[col] = float(value)
    if not any(weights.get(c, 1.0 if c in texts else 0.0) > 0 for c in columns):
        st.error(t("Every column weight is 0: give at least one column a weight above 0 "
                   "(the previous weights stay in use)."), icon=":material/error:")
        return dict(cfg.field_weights)
    return weights


def speed_settings(cfg: Config) -> tuple[str, str]:
    precision = st.selectbox(
        t("Calculation precision"), PRECISIONS, index=PRECISIONS.index(cfg.precision),
        format_func=labels(PRECISION_NAMES), key="settings.precision",
        help=t("Automatic reads products the fastest way this computer allows: half "
             "precision on a graphics card; without one, full precision, through the fast CPU "
             "engine on processors where that is faster (AMD and others: 1.1x to 3x, most "
             "when the computer is busy; Intel: no faster). The results are the same either "
             "way. Settings file and command line: `precision`."))
    if precision in ("fp16", "onnx"):
        from core.embed.models import default_device

        if (precision == "fp16") != (default_device() == "cuda"):
            st.warning(t("This computer has no graphics card: products cannot be read with "
                         "this choice here (it is for a settings file run on one). Choose "
                         "Automatic to read them on this computer.") if precision == "fp16" else
                       t("This computer has a graphics card, where products are read, and the "
                         "fast CPU engine cannot run there. Choose Automatic to read them on "
                         "this computer."),
                       icon=":material/warning:")
    index = st.selectbox(
        t("Search method"), INDEX_KINDS, index=INDEX_KINDS.index(cfg.index),
        format_func=labels(INDEX_NAMES), key="settings.index",
        help=t("Automatic compares every product with every other (exact) up to 200,000 "
             "products and uses a fast approximate graph (HNSW) above, with exact scores "
             "for what it finds. Exact, always: slow for very large catalogs; fast "
             "approximate: may miss a few neighbours. Settings file and command line: `index`."))
    return precision, index


def advanced_settings(cfg: Config, cat: Catalog | None) -> Config:
    """Every technical setting in one expander; returns cfg with the choices applied."""
    with st.expander(t("Advanced"), icon=":material/tune:"):
        st.caption(t("Technical settings. The defaults were measured on labelled catalogs; "
                   "most shops never change them."))
        model = model_setting(cfg)
        if model != cfg.model:  # a fine-tuned model brings its own words weight
            cfg = state.with_model(cfg, model)
            state.set_config(cfg)
        metric = metric_setting(cfg)
        weight = words_weight_setting(cfg)
        fields = column_weights_setting(cfg, cat)
        image_weight, image_model = photo_settings(cfg, cat)
        precision, index = speed_settings(cfg)
    return cfg.with_changes(model=model, metric=metric, hybrid_weight=weight,
                            field_weights=fields, precision=precision, index=index,
                            image_weight=image_weight, image_model=image_model)


def photo_settings(cfg: Config, cat: Catalog | None) -> tuple[float, str]:
    """Photo weight (image_weight) and the photo model (image_model); only with an image
    column mapped."""
    if cat is None or not cat.mapping.image:
        return float(cfg.image_weight), cfg.image_model
    weight = st.slider(t("Photos vs text"), 0.0, 1.0, value=float(cfg.image_weight), step=0.05,
                       key="settings.image_weight",
                       help=t("How much the product photos count against the text. 0 = text "
                            "only; 1 = photos only (a product without a photo is still listed "
                            "by its text); in between, both are fused. Photos are read once (a "
                            "few per second on a CPU). Settings file and command line: "
                            "`image_weight`."))
    model = st.text_input(t("Photo model"), value=cfg.image_model, key="settings.image_model",
                          help=t("bundled = EfficientNet-lite0 (offline); or a local CLIP "
                               "folder, which also lets Search find photos by words. "
                               "Settings file and command line: `image_model`."))
    return float(weight), model.strip() or "bundled"
