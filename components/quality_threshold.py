"""Threshold page blocks: chosen threshold and curves, per-category table, bands, saving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import resources, state
from components.embedding import pool
from components.i18n import chart, t
from components.quality_widgets import pairs_table
from components.tables import headed
from core.catalog.table import Catalog
from core.config import Config
from core.quality.threshold import (
    SUSPECT_SHARE,
    Choice,
    category_thresholds,
    choose_threshold,
    curve_figure,
    f1_at,
    histogram_figure,
    match_scores,
    score_bands,
    share_called,
    threshold_curve,
)
from core.search.index import NeighborIndex


def _metrics_row(choice: Choice, title: str) -> None:
    st.markdown(t('**{title}** ({pairs:,} pairs, {positives:,} positive)',
                  title=title, pairs=choice.pairs, positives=choice.positives))
    cols = st.columns(4)
    for col, (name, value) in zip(cols, ((t("threshold"), choice.threshold),
                                         (t("precision"), choice.precision),
                                         (t("recall"), choice.recall), ("F1", choice.f1))):
        col.metric(name, f"{value:.3f}")


def labelled_view(catalog: Catalog, cfg: Config, space: NeighborIndex, left: np.ndarray,
                  right: np.ndarray, labels: np.ndarray, scores: np.ndarray,
                  holdout) -> tuple[float, dict[str, float]]:
    """Histograms, curves and the chosen threshold; returns (threshold, per-category)."""
    best = choose_threshold(scores, labels)
    threshold = st.slider(t("Threshold (the F1-best one is preselected)"), 0.0, 1.0,
                          value=float(round(best.threshold, 3)), step=0.001,
                          key="threshold.value")
    current = f1_at(scores, labels, threshold)
    _metrics_row(current, t("On the calibration pairs"))
    if holdout is not None:
        held = f1_at(match_scores(space, holdout.left, holdout.right).match, holdout.labels,
                     threshold)
        _metrics_row(held, t("On the held-out pairs"))
    a, b = st.columns(2)
    a.plotly_chart(chart(histogram_figure(scores, labels, threshold=threshold)),
                   key="threshold.histogram")
    b.plotly_chart(chart(curve_figure(threshold_curve(scores, labels), threshold=threshold)),
                   key="threshold.curve")
    per_category: dict[str, float] = {}
    if catalog.mapping.category:
        values = catalog.column(catalog.mapping.category).astype(str).to_numpy()[left]
        per_category = {k: round(c.threshold, 4)
                        for k, c in category_thresholds(scores, labels, values).items()}
    return float(threshold), per_category


def list_pair_scores(catalog: Catalog, cfg: Config, res: state.Results, space: NeighborIndex
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, right, duplicate scores) of every product and its top cfg.k neighbours; made
    once per catalog, vectors and settings (a slider move only compares)."""
    def make() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nb = pool(res, cfg).head(cfg.k)
        left, right = np.repeat(np.arange(len(catalog)), nb.k), nb.indices.ravel()
        return left, right, match_scores(space, left, right).match

    key = (catalog.identity, res.key, cfg.pool_key(), cfg.k)
    return resources.shared_results("list_pair_scores").get_or_make(key, make)


def share_note(list_scores: np.ndarray, threshold: float, k: int) -> None:
    """What the threshold does to the lists: the share of list entries it calls duplicates,
    a warning when over one in five (pairs labelled 0 that look nothing alike pull it down)."""
    share = share_called(list_scores, threshold)
    text = t("At {threshold:.3f}, {share:.1%} of the entries of the products' lists (each "
             "product's first {k}) score as duplicates.", threshold=threshold, share=share, k=k)
    if share > SUSPECT_SHARE:
        st.warning(t(
            "{said} That is more than one in five: pairs labelled 0 that look nothing alike "
            "(picked at random) pull a threshold down. Add pairs that look alike but are "
            "different products, labelled 0, and choose again.", said=text))
    else:
        st.caption(text)


def category_table(per_category: dict[str, float]) -> None:
    if per_category:
        st.markdown(t("**Per-category thresholds** (categories with enough labelled pairs; the "
                    "others use the global threshold)"))
        st.dataframe(headed(pd.DataFrame({"category": list(per_category),
                                          "threshold": list(per_category.values())})),
                     hide_index=True, key="threshold.categories")


def save_buttons(cfg: Config, threshold: float, per_category: dict[str, float]) -> None:
    """Save the threshold(s) into the session configuration and offer it as JSON."""
    new = cfg.with_changes(duplicate_threshold=round(threshold, 4),
                           category_thresholds=per_category)
    left, right = st.columns(2)
    if left.button(t("Save threshold to the configuration"), key="threshold.save", type="primary"):
        state.set_config(new)
        st.success(t("duplicate_threshold = {duplicate_threshold} saved to this session's configuration",
                     duplicate_threshold=new.duplicate_threshold))
        st.caption(t("Duplicate groups (Groups page) and their merge map start at it, in the "
                     "app and in python -m core merge-map with the downloaded configuration. The "
                     "lists do not read it: they leave out the 'duplicate' score range set on the "
                     "Neighbours page (Rules for the lists), a score of one product for the other "
                     "rather than this both-ways duplicate score."))
        if per_category:
            st.caption(t("Pairs within a category of the table above use that category's "
                         "threshold instead, on the Groups page and in merge-map alike."))
    right.download_button(t("Download configuration (JSON)"), data=new.to_json(),
                          file_name="catalog_similarity_config.json",
                          mime="application/json", key="threshold.download",
                          on_click="ignore")


def band_samples(catalog: Catalog, left: np.ndarray, right: np.ndarray, scores: np.ndarray,
                 labels: np.ndarray | None) -> None:
    """A few pairs from each score band, to eyeball where duplicates stop."""
    st.subheader(t("Sample pairs per score band"))
    for band in score_bands(scores):
        if not band.count:
            continue
        rows = np.asarray(band.sample, dtype=np.int64)
        with st.expander(t('{low:.2f} – {high:.2f}: {count:,} pairs',
                           low=band.low, high=band.high, count=band.count)):
            st.dataframe(headed(pairs_table(catalog, left[rows], right[rows], scores[rows],
                                            None if labels is None else labels[rows])),
                         hide_index=True, key=f"threshold.band.{band.low:.2f}")
