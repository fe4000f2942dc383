"""Threshold calibration for duplicate detection.

Scores are *match scores* (:class:`core.search.index.PairScores`): the geometric
mean of the lower of the two calibrated scores (b in a's list, a in b's list;
:mod:`core.search.calibration`) and of how much each is the other's best
candidate; symmetric, 1 only for the same text, low for an unrelated pair even
when the two are each other's best.

- :func:`match_scores` scores any pairs of one catalog;
- :func:`threshold_curve` / :func:`choose_threshold`: precision, recall and F1
  against the threshold from labelled pairs, the F1-best threshold;
- :func:`category_thresholds`: the same per category value;
- :func:`score_bands`: sample pairs from each score band to eyeball;
- :func:`histogram_figure` / :func:`curve_figure`: plotly figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.config import Config
from core.errors import CatalogSimilarityError
from core.search.index import NeighborIndex, PairScores

# half a 1024-pixel page each: a legend beside the plot took a third of its width
LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0}
# A threshold calling more than this share of the lists' entries duplicates is suspect: pairs
# labelled 0 that look nothing alike (picked at random) pull the F1-best threshold down.
SUSPECT_SHARE = 0.2
MIN_CATEGORY_PAIRS = 10
MIN_CATEGORY_POSITIVES = 3


def scoring_space(catalog, vectors: np.ndarray, cfg: Config, *,
                  index: NeighborIndex | None = None) -> NeighborIndex:
    """The catalog's neighbour index with its anchors computed (one top-DEPTH pass per
    channel); what :func:`match_scores` needs."""
    index = index or NeighborIndex.build(catalog, vectors, cfg)
    index.anchors()
    return index


def match_scores(index: NeighborIndex, left: Sequence[int],
                 right: Sequence[int]) -> PairScores:
    """Match scores of pairs (left[i], right[i]) of catalog rows."""
    return index.pair_scores(left, right)


@dataclass(frozen=True)
class ThresholdCurve:
    """Precision/recall/F1 when pairs scoring >= thresholds[i] are called duplicates.

    All arrays (t,) float64, thresholds descending (the distinct scores).
    """

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray


@dataclass(frozen=True)
class Choice:
    """A threshold and what it gives on the pairs it was measured on."""

    threshold: float
    precision: float
    recall: float
    f1: float
    positives: int
    pairs: int


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    if scores.shape != labels.shape or scores.ndim != 1:
        raise CatalogSimilarityError("Scores and labels must be two lists of the same length")
    if not set(np.unique(labels)) <= {0, 1}:
        raise CatalogSimilarityError("Labels must be 0 (different) or 1 (same product)")
    if labels.sum() == 0:
        raise CatalogSimilarityError("The labelled pairs hold no positive (label 1) pair; "
                                     "a threshold needs at least one")
    return scores, labels


def threshold_curve(scores: np.ndarray, labels: np.ndarray) -> ThresholdCurve:
    """Precision, recall and F1 at every distinct score (as threshold)."""
    scores, labels = _check(scores, labels)
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    last = np.r_[s[1:] != s[:-1], True]  # last position of each distinct score
    tp = np.cumsum(y)[last]
    called = (np.arange(len(s)) + 1)[last]
    precision = tp / called
    recall = tp / y.sum()
    f1 = np.where(tp > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    return ThresholdCurve(s[last], precision, recall, f1)


def f1_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> Choice:
    """Precision/recall/F1 when pairs scoring >= threshold are called duplicates."""
    scores, labels = _check(scores, labels)
    called = scores >= threshold
    tp = int((called & (labels == 1)).sum())
    p = tp / max(int(called.sum()), 1)
    r = tp / int(labels.sum())
    f1 = 2 * p * r / (p + r) if tp else 0.0
    return Choice(float(threshold), p, r, f1, int(labels.sum()), len(labels))


def share_called(list_scores: np.ndarray, threshold: float) -> float:
    """The share of list entries (duplicate scores of products and their neighbours) that
    score at or above threshold; 0.0 for no entries."""
    scores = np.asarray(list_scores, dtype=np.float64)
    return float(np.mean(scores >= threshold)) if len(scores) else 0.0


def check_labels(labels: np.ndarray) -> None:
    """Refuse labels no threshold can be chosen on, before anything is scored: none
    labelled 1, or none labelled 0 (every threshold under the lowest match would look
    perfect, precision 1, and the lowest one would be chosen)."""
    labels = np.asarray(labels).astype(int)
    if labels.sum() == 0:
        raise CatalogSimilarityError("The labelled pairs hold no positive (label 1) pair; "
                                     "a threshold needs at least one")
    if np.all(labels == 1):
        all_matches = ("The labelled pairs are all matches (label 1), none labelled 0 "
                       "(different): any threshold under the lowest match's score would look "
                       "perfect. Add pairs you know are different products, labelled 0")
        raise CatalogSimilarityError(
            f"{all_matches} (the Review page's rejections, for example)",
            cli=f"{all_matches} (the pairs rejected in the app's Review: python -m core "
            "review-pairs CATALOG --out FILE writes them, label 0)")


def choose_threshold(scores: np.ndarray, labels: np.ndarray) -> Choice:
    """The F1-best threshold, placed halfway to the next lower score (ties: higher).

    Refused without a pair labelled 0: every threshold under the lowest match would look
    perfect (precision 1), and the lowest one was chosen."""
    curve = threshold_curve(scores, labels)
    check_labels(labels)
    best = int(np.argmax(curve.f1))
    t = curve.thresholds[best]
    if best + 1 < len(curve.thresholds):
        t = (t + curve.thresholds[best + 1]) / 2.0
    return f1_at(scores, labels, float(t))


def category_thresholds(scores: np.ndarray, labels: np.ndarray, categories: Sequence[str], *,
                        min_pairs: int = MIN_CATEGORY_PAIRS,
                        min_positives: int = MIN_CATEGORY_POSITIVES) -> dict[str, Choice]:
    """F1-best threshold per category with enough labelled pairs, positives and at least one
    negative (others use the global one)."""
    scores, labels = _check(scores, labels)
    cats = np.asarray([str(c) for c in categories], dtype=object)
    out: dict[str, Choice] = {}
    for value in sorted(set(cats)):
        mask = cats == value
        if mask.sum() >= min_pairs and labels[mask].sum() >= min_positives \
                and (labels[mask] == 0).any():
            out[value] = choose_threshold(scores[mask], labels[mask])
    return out


@dataclass(frozen=True)
class Band:
    """Pairs whose score falls in [low, high): count and a sample of positions."""

    low: float
    high: float
    count: int
    sample: tuple[int, ...]


def score_bands(scores: np.ndarray, *, edges: Sequence[float] = (0.0, 0.5, 0.7, 0.8, 0.9,
                                                                   0.95, 1.0001),
                per_band: int = 5, seed: int = 0) -> list[Band]:
    """A seeded sample of pair positions from each score band (highest band first)."""
    scores = np.asarray(scores, dtype=np.float64)
    rng = np.random.default_rng(seed)
    bands = []
    for low, high in itertools.pairwise(edges):
        rows = np.flatnonzero((scores >= low) & (scores < high))
        pick = rng.choice(rows, size=min(per_band, len(rows)), replace=False) if len(rows) else []
        bands.append(Band(float(low), float(min(high, 1.0)), len(rows),
                          tuple(int(r) for r in sorted(pick, key=lambda r: -scores[r]))))
    return bands[::-1]


def histogram_figure(scores: np.ndarray, labels: np.ndarray | None = None, *,
                     threshold: float | None = None, bins: int = 40) -> go.Figure:
    """Overlaid histograms of positive vs negative pairs (or of all pairs)."""
    fig = go.Figure()
    scores = np.asarray(scores, dtype=np.float64)
    xbins = {"start": 0.0, "end": 1.0 + 1e-9, "size": 1.0 / bins}
    if labels is None:
        fig.add_histogram(x=scores, name="all pairs", xbins=xbins)
    else:
        labels = np.asarray(labels).astype(int)
        fig.add_histogram(x=scores[labels == 1], name="same product (1)", xbins=xbins,
                          opacity=0.7)
        fig.add_histogram(x=scores[labels == 0], name="different (0)", xbins=xbins,
                          opacity=0.7)
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash", annotation_text=f"threshold {threshold:.3f}")
    fig.update_layout(barmode="overlay", xaxis_title="duplicate score", yaxis_title="pairs",
                      xaxis_range=[0, 1.0],  # scores are 0 to 1; autorange ran to 1.5
                      legend=LEGEND_ABOVE, height=340,
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


def curve_figure(curve: ThresholdCurve, *, threshold: float | None = None) -> go.Figure:
    """Precision, recall and F1 against the threshold."""
    fig = go.Figure()
    for name in ("precision", "recall", "f1"):
        fig.add_scatter(x=curve.thresholds, y=getattr(curve, name), name=name, mode="lines")
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash")
    fig.update_layout(xaxis_title="threshold (duplicate score)", yaxis_title="value",
                      yaxis_range=[0, 1.02], legend=LEGEND_ABOVE, height=340,
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


__all__ = [
    "Band",
    "Choice",
    "ThresholdCurve",
    "category_thresholds",
    "check_labels",
    "choose_threshold",
    "curve_figure",
    "f1_at",
    "histogram_figure",
    "match_scores",
    "score_bands",
    "scoring_space",
    "share_called",
    "threshold_curve",
]
