"""Compare page blocks: the form that builds configuration B, and B's lists."""

from __future__ import annotations

import json

import streamlit as st

from components import photos, resources, state, text
from components.advanced import METRIC_NAMES, OTHER_MODEL, model_name, model_options
from components.embedding import vectors_key
from components.i18n import N_, labels, t
from components.tuning_rules import review_decisions
from core.catalog.table import Catalog
from core.config import Config
from core.embed.store import embed_with_store
from core.errors import CatalogSimilarityError
from core.search.neighbors import METRICS, Neighbors

KEEP = N_("(as A)")
RULE_CHOICES = {"as A": N_("as A"), "none": N_("no rules")}
# The settings the form changes, named as the form names them (others: the settings file's name).
SETTING_NAMES = {"model": N_("Model"), "metric": N_("How meaning is compared"),
                 "text_columns": N_("Text columns"), "rules": N_("Rules")}


def other_config_form(cfg: Config, cat: Catalog) -> None:
    """Build configuration B from A (model, metric, fields, rules) or from a JSON file."""
    cols = [str(c) for c in cat.frame.columns]
    with st.form("compare.form"):
        a, b = st.columns(2)
        models = [KEEP, *[m for m in model_options() if m != OTHER_MODEL]]
        names = {m: t(KEEP) if m == KEEP else model_name(m) for m in models}
        model = a.selectbox(t("Model"), models, key="compare.model", format_func=names.__getitem__)
        metric = b.selectbox(t("How meaning is compared"), [KEEP, *METRICS], key="compare.metric",
                             format_func=labels({KEEP: KEEP, **METRIC_NAMES}))
        fields = a.multiselect(t("Text columns (empty = as A)"), cols, key="compare.fields",
                               placeholder=t(KEEP))
        rules = b.radio(t("Rules"), tuple(RULE_CHOICES), horizontal=True, key="compare.rules",
                        format_func=labels(RULE_CHOICES))
        upload = st.file_uploader(t("…or a whole configuration file (JSON) for B"), type=["json"],
                                  key="compare.upload")
        submitted = st.form_submit_button(t("Compare"), type="primary")
    if not submitted:
        return
    try:
        if upload is not None:
            other = Config.from_dict(json.loads(upload.getvalue().decode("utf-8")))
        else:
            other = cfg.with_changes(
                model=cfg.model if model == KEEP else model,
                metric=cfg.metric if metric == KEEP else metric,
                text_columns=tuple(fields) or cfg.text_columns,
                rules=cfg.rules if rules == "as A" else {})
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        text.error(t('Not a JSON configuration ({exc})', exc=exc))
        return
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return
    state.set_compare_other(other)


def describe(a: Config, b: Config) -> str:
    """The settings where B differs from A, one short line, in the form's words."""
    da, db = a.to_dict(), b.to_dict()
    diff = [f"{t(SETTING_NAMES[key]) if key in SETTING_NAMES else key}: "
            f"{_shown(key, da.get(key))} → {_shown(key, db[key])}"
            for key in db if da.get(key) != db[key]]
    return "; ".join(diff) if diff else t("B is identical to A")


def _shown(key: str, value: object) -> str:
    if key == "metric" and value in METRIC_NAMES:
        return t(METRIC_NAMES[value])
    if key == "model" and isinstance(value, str):
        return model_name(value)
    if key == "text_columns" and isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if key == "rules" and not value:
        return t(RULE_CHOICES["none"])
    return repr(value)


def other_lists(other: Config, cat: Catalog) -> Neighbors:
    """B's final lists over the same products as A (embeds only what the store lacks)."""
    from core.lists.rules import apply_config
    from core.pipeline import catalog_from_config

    raw = state.table()
    cat_b = catalog_from_config(raw, other)[0] if raw is not None else cat
    if list(cat_b.ids) != list(cat.ids):
        raise CatalogSimilarityError("Configuration B maps other product ids; compare "
                                     "configurations over the same id column")
    encoder = resources.get_encoder(other.model, other.precision, other.batch_size)
    key = vectors_key(cat_b, encoder, slot="compare.texts_key")

    def embed():
        bar = st.progress(0.0, text=t("The model is reading the products for configuration B…"))
        result = embed_with_store(encoder, cat_b.texts, resources.workspace_store(),
                                  progress=lambda d, t: bar.progress(d / max(t, 1)),
                                  private=state.private_key())
        bar.empty()
        return result.vectors

    vectors = state.memo("compare.vectors", key, embed)
    images = photos.embed_with_progress(cat_b, other)  # B's photos, as the lists read them
    if images is not None:
        key += f"|photos:{images.key}"
    pool_b = resources.cached_pool(cat_b, key, vectors, other, images=images)
    return apply_config(cat_b, pool_b, other, vectors=vectors,
                        decisions=review_decisions(state.require_catalog())).neighbors
