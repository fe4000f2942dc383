"""Shared widgets: the settings sidebar, the product finder, export buttons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from components import state
from core.catalog.language import model_reads
from core.catalog.table import Catalog
from core.catalog.views import find_products, product_label
from core.config import INDEX_KINDS, LANGUAGE_KEYS, Config
from core.embed.encoders import MULTILINGUAL_SUGGESTIONS, PRECISIONS
from core.embed.multilingual import MULTILINGUAL
from core.errors import CatalogSimilarityError, ConfigError
from core.export.tables import CSV_ENCODINGS, FORMATS, to_bytes
from core.search.fusion import format_field_weights, parse_field_weights
from core.search.neighbors import METRICS
from core.workspace import Workspace

OTHER_MODEL = "Other (Hugging Face id or folder)…"
MIME = {"csv": "text/csv", "parquet": "application/octet-stream", "json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _model_options() -> list[str]:
    models_dir = Workspace.default().models_dir
    tuned = sorted(str(p) for p in models_dir.glob("*") if (p / "config.json").exists()) \
        if models_dir.exists() else []
    return ["bundled", MULTILINGUAL, *tuned, OTHER_MODEL]


MODEL_HELP = ("bundled = all-MiniLM-L6-v2 (English, offline); multilingual = "
              "multilingual-e5-small (bundled, offline: Chinese, English, mixed catalogs and "
              "about 100 languages; about 3x slower)")


def settings_sidebar() -> Config:
    """Model, metric and k in the sidebar; returns the updated session Config."""
    cfg = state.config()
    with st.sidebar:
        st.subheader("Similarity settings")
        options = _model_options()
        current = cfg.model if cfg.model in options else OTHER_MODEL
        choice = st.selectbox("Model", options, index=options.index(current),
                              key="settings.model_choice",
                              help=MODEL_HELP)
        model = choice
        if choice == OTHER_MODEL:
            model = st.text_input("Hugging Face id or local folder",
                                  value="" if cfg.model in options else cfg.model,
                                  key="settings.model_other").strip() or "bundled"
            st.caption("Other multilingual / Chinese models (need a download once): "
                       + ", ".join(f"`{m}`" for m in MULTILINGUAL_SUGGESTIONS))
        metric = st.selectbox("Metric", METRICS, index=METRICS.index(cfg.metric),
                              key="settings.metric")
        k = st.slider("Neighbours per product (k)", 1, 50, value=min(cfg.k, 50),
                      key="settings.k")
        hybrid_weight, field_weights = _hybrid_settings(cfg)
        precision, index = _speed_settings(cfg)
        language_notice(model)
    new = cfg.with_changes(model=model, metric=metric, k=int(k), hybrid_weight=hybrid_weight,
                           field_weights=field_weights, precision=precision, index=index)
    if new != cfg:
        state.mark_explicit(*(k for k in LANGUAGE_KEYS if getattr(new, k) != getattr(cfg, k)))
        state.set_config(new)
    return new


def language_notice(model: str) -> None:
    """The catalog's language under the model picker, and a warning when the model
    cannot read it."""
    lang = state.catalog_language()
    if lang is None:
        return
    st.caption(f"Catalog language: {lang.describe()}")
    if not model_reads(model, lang.code):
        st.warning(f"The model '{model}' reads English only, and this catalog is "
                   f"{lang.name}: choose 'multilingual' above.", icon=":material/translate:")


INDEX_HELP = ("auto: exhaustive search (exact scores) up to 200,000 products, an HNSW "
              "graph above; exact: always exhaustive; approximate: always HNSW")
PRECISION_HELP = ("auto: onnx on a CPU (ONNX Runtime, same vectors as fp32, about 2x "
                  "faster), fp16 on a GPU")


def _speed_settings(cfg: Config) -> tuple[str, str]:
    """Precision and top-k index (same names as Config and the CLI)."""
    with st.expander("Speed", icon=":material/speed:"):
        precision = st.selectbox("Precision (--precision)", PRECISIONS,
                                 index=PRECISIONS.index(cfg.precision),
                                 key="settings.precision", help=PRECISION_HELP)
        index = st.selectbox("Top-k index (--index)", INDEX_KINDS,
                             index=INDEX_KINDS.index(cfg.index), key="settings.index",
                             help=INDEX_HELP)
    return precision, index


def _hybrid_settings(cfg: Config) -> tuple[float, dict[str, float]]:
    """Hybrid weight slider and lexical field weights (same names as core and the CLI)."""
    weight = st.slider("Hybrid weight (lexical share)", 0.0, 1.0,
                       value=float(cfg.hybrid_weight), step=0.05, key="settings.hybrid_weight",
                       help="0 = meaning only (the model), 1 = words and model numbers only "
                            "(lexical index); in between, both scores are fused")
    text = st.text_input("Field weights (lexical)", value=format_field_weights(cfg.field_weights),
                         key="settings.field_weights", placeholder="e.g. title=1,brand=0.5",
                         help="Weight of each column's words in the lexical index; text "
                              "columns weigh 1 unless named, 0 leaves a column out")
    try:
        fields = parse_field_weights(text)
    except ConfigError as exc:
        state.show_error(exc)
        fields = dict(cfg.field_weights)
    return float(weight), fields


def product_picker(catalog: Catalog, key: str) -> int | None:
    """Type part of a title or id, pick one product; returns its row."""
    text = st.text_input("Find a product (part of its title or id)", key=f"{key}.find")
    rows = find_products(catalog, text)
    if not rows:
        st.warning(f"No product matches '{text}'.")
        return None
    labels = {r: product_label(catalog, r) for r in rows}
    return st.selectbox(f"Product ({len(rows)} shown)", rows, format_func=labels.__getitem__,
                        key=f"{key}.product")


def export_buttons(frame_fn, stem: str, key: str) -> None:
    """CSV / Parquet / JSON download buttons; the file is built on click."""
    excel = st.checkbox("Excel-safe CSV (neutralise formula-like cells)", value=True,
                        key=f"{key}.excel_safe")
    encoding = st.selectbox("CSV text encoding", CSV_ENCODINGS,
                            index=CSV_ENCODINGS.index(default_csv_encoding()),
                            format_func=ENCODING_LABELS.__getitem__, key=f"{key}.encoding",
                            help="Excel reads Chinese text right from UTF-8 with BOM or GB18030; "
                                 "GB18030 is chosen when the catalog was uploaded in it")
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS):
        def data(fmt: str = fmt) -> bytes:
            frame: pd.DataFrame = frame_fn()
            return to_bytes(frame, fmt, excel_safe_csv=excel, encoding=encoding)

        col.download_button(f"Download {fmt.upper()}", data=data, file_name=f"{stem}.{fmt}",
                            mime=MIME[fmt], key=f"{key}.download.{fmt}",
                            on_click="ignore", icon=":material/download:")


ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM (Excel)",
                   "gb18030": "GB18030 (Chinese Excel)"}


def default_csv_encoding() -> str:
    """GB18030 when the catalog was uploaded in GB18030 / GBK, else plain UTF-8."""
    raw = state.table()
    upload = (raw.encoding or "").lower() if raw is not None else ""
    return "gb18030" if upload in ("gb18030", "gbk", "gb2312") else "utf-8"


def file_stem(name: str) -> str:
    return Path(name).stem.replace(" ", "_")[:40] or "catalog"


def config_bytes(cfg: Config) -> bytes:
    """The whole configuration as the JSON file "Save configuration" downloads."""
    return cfg.to_json().encode("utf-8")


def config_file_widgets(key: str = "settings.config_file") -> None:
    """"Save configuration" (download the whole Config as JSON) and "Load configuration"
    (upload one; it replays exactly in ``python -m core neighbors CATALOG --config FILE``)."""
    import json

    st.download_button("Save configuration", data=config_bytes(state.config()),
                       file_name="tuned.json", mime="application/json", key=f"{key}.save",
                       on_click="ignore", icon=":material/save:",
                       help="Replay it: python -m core neighbors CATALOG --config tuned.json "
                            "--out lists.csv")
    upload = st.file_uploader("Load configuration (JSON)", type=["json"], key=f"{key}.load")
    if upload is None:
        return
    marker = f"{upload.name}:{upload.size}:{hash(upload.getvalue())}"
    if state.config_file_seen(marker):
        return
    try:
        data = json.loads(upload.getvalue().decode("utf-8"))
        cfg = Config.from_dict(data)
        state.adopt_config(cfg)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        st.error(f"{upload.name} is not a JSON configuration ({exc})", icon=":material/error:")
        return
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return
    state.mark_config_file(marker)
    st.rerun()
