"""Hybrid retrieval: dense similarity fused with the lexical index (and any other channel).

For every query each channel is rescaled between two anchors: the channel's
ceiling (the score of an identical product: 1 for cosine, for the euclidean and
manhattan similarities and for the lexical cosine; for dot, which has none, the
query's best score) becomes 1, and the query's DEPTH-th best score becomes 0
(candidates that only the other channel found may fall below 0). The floor
makes the fusion scale-free (the cosines of one model crowd near 0.8, another's
near 0.3; short and long texts), and the ceiling keeps the scores honest: a
fused score of 1 means the same text, not merely "the best there is", so a
product with no twin gets a top score well below 1 and a ``duplicate`` band on
list scores does not catch every nearest neighbour. Then

    fused = (1 - weight) * dense' + weight * lexical'

weight 0 = dense only, 1 = lexical only. Candidates are the union of the dense
top-DEPTH and the lexical top-DEPTH of each query, so memory stays
O(queries x DEPTH), never N x N.

For duplicate decisions a pair gets a *match score*: each side's fused score
of the other divided by that side's best fused score, the smaller of the two
(1 = each is the other's best candidate). It is what thresholds are chosen on.

Field weights ("title=1,brand=0.5") weight each column's tokens in the lexical
index; the dense side embeds the mapped text columns (bench/hybrid_quality.py
measures both ways of weighting fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.search.calibration import BANDS_TEXT
from core.search.channels import Channel, Queries
from core.search.neighbors import Neighbors

DEPTH = 100
_EPS = 1e-9


@dataclass(frozen=True)
class Anchors:
    """Per-query rescaling of each channel: {channel: (m,) float32} tops and floors.

    top: the channel's ceiling (or the query's best score); floor: the query's
    DEPTH-th best score; best: (m,) the best fused score of each query; second:
    (m,) its second best (None: not known; the best stands in).
    """

    top: Mapping[str, np.ndarray]
    floor: Mapping[str, np.ndarray]
    best: np.ndarray
    second: np.ndarray | None = None

    @property
    def runner_up(self) -> np.ndarray:
        return self.best if self.second is None else self.second

    def take(self, rows: np.ndarray) -> Anchors:
        return Anchors({c: v[rows] for c, v in self.top.items()},
                       {c: v[rows] for c, v in self.floor.items()}, self.best[rows],
                       None if self.second is None else self.second[rows])


@dataclass(frozen=True)
class HybridNeighbors(Neighbors):
    """Neighbors ranked by the fused score, with each channel's raw scores.

    parts: {channel: (m, k) float32 raw scores of the listed neighbours};
    weights: {channel: weight} (they sum to 1). fused: (m, k) float32 fused
    scores (None: ``scores`` are the fused scores); once a NeighborIndex has
    calibrated them, ``scores`` are the 0..1 scores every page shows and
    ``scorer`` is the index, which scores pairs outside the pool the same way
    (rules refill short lists and score pins with it).
    """

    parts: Mapping[str, np.ndarray]
    anchors: Anchors
    weights: Mapping[str, float]
    fused: np.ndarray | None = None
    scorer: Any = None

    def head(self, k: int) -> HybridNeighbors:
        return HybridNeighbors(self.indices[:, :k], self.scores[:, :k], self.distances[:, :k],
                               self.metric, {c: v[:, :k] for c, v in self.parts.items()},
                               self.anchors, self.weights,
                               None if self.fused is None else self.fused[:, :k], self.scorer)


def rescale(x: np.ndarray, top: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """(x - floor) / (top - floor), capped at 1; top/floor broadcast per row.

    Not clipped below: how far a candidate falls under a channel's DEPTH-th
    score still ranks it (measured better than clipping at 0 on walmart).
    """
    return np.minimum((x - floor) / np.maximum(top - floor, _EPS), 1.0).astype(np.float32)


def fuse(parts: Mapping[str, np.ndarray], anchors: Anchors,
         weights: Mapping[str, float]) -> np.ndarray:
    """Fused scores of (m, ...) raw channel scores under (m,) anchors. float32, at most 1.

    Channels are summed in the order of ``weights`` (dense first): float32 sums
    in a fixed order keep lists identical run to run. A channel with no opinion
    on a pair (NaN: the photos channel when a product has no photo) is left out
    of that pair's sum, which is divided by the weight of the channels that scored it.
    """
    out = blind = None
    for name, weight in weights.items():
        x = parts[name]
        col = (slice(None),) + (None,) * (x.ndim - 1)
        term = weight * rescale(x, anchors.top[name][col], anchors.floor[name][col])
        gap = np.isnan(term)
        if gap.any():
            term = np.where(gap, np.float32(0), term)
            lost = np.where(gap, np.float32(weight), np.float32(0))
            blind = lost if blind is None else blind + lost
        out = term if out is None else out + term
    if blind is not None:  # weights sum to 1; no channel scored it: 0
        seen = np.float32(sum(weights.values())) - blind
        out = np.where(seen > _EPS, out / np.maximum(seen, _EPS), np.float32(0))
    return out.astype(np.float32)


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise union of two (m, *) index arrays; duplicates become -1 (padding)."""
    both = np.sort(np.concatenate([a, b], axis=1), axis=1)
    dup = np.zeros(both.shape, dtype=bool)
    dup[:, 1:] = both[:, 1:] == both[:, :-1]
    both[dup] = -1
    return both


def _anchors_of(nb: Neighbors, m: int, ceiling: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(top, floor) per query: the channel's ceiling (or the query's best score)
    and the query's DEPTH-th best score, however deep the list: a deeper pool (the one
    filter rules draw from) scores every pair as the plain lists do."""
    if nb.k == 0:
        return np.ones(m, dtype=np.float32), np.zeros(m, dtype=np.float32)
    top = np.full(m, ceiling, dtype=np.float32) if ceiling is not None else nb.scores[:, 0]
    return top.astype(np.float32), nb.scores[:, min(DEPTH, nb.k) - 1].astype(np.float32)


def fused_topk(channels: Sequence[Channel], weights: Sequence[float], k: int, *,
               queries: Queries | None = None, depth: int = DEPTH,
               pools: Mapping[str, Neighbors] | None = None,
               label: str = "hybrid") -> HybridNeighbors:
    """Top-k of every query by the fused score (ties by lower index).

    channels and weights (same order, weights > 0, summing to 1); queries: a
    query set, default the corpus itself (self excluded). Candidates are the
    union of every channel's top-``depth``, so memory stays O(m x depth).
    pools: precomputed top-depth lists per channel; label: the lists' metric name.
    Returns HybridNeighbors (m, k).
    """
    if not channels or len(channels) != len(weights):
        raise ConfigError("Fusion needs at least one channel and one weight per channel")
    pools = dict(pools or {})
    tops = [pools.get(c.name) or c.topk(depth, queries) for c in channels]
    m = len(tops[0].indices)
    cand = tops[0].indices
    for nb in tops[1:]:
        cand = _union(cand, nb.indices)
    parts = {c.name: c.candidate_scores(cand, queries) for c in channels}
    edges = [_anchors_of(nb, m, c.ceiling) for c, nb in zip(channels, tops)]
    top = {c.name: e[0] for c, e in zip(channels, edges)}
    floor = {c.name: e[1] for c, e in zip(channels, edges)}
    wmap = {c.name: float(w) for c, w in zip(channels, weights)}
    fused = np.where(cand >= 0, fuse(parts, Anchors(top, floor, np.zeros(m)), wmap), -np.inf)
    order = np.lexsort((np.where(cand >= 0, cand, np.iinfo(np.int64).max), -fused), axis=-1)
    k = max(0, min(int(k), int((cand >= 0).sum(1).min()) if m else 0))
    order = order[:, :k]
    scores = np.take_along_axis(fused, order, 1).astype(np.float32)
    best = scores[:, 0].copy() if k else np.zeros(m, dtype=np.float32)
    second = scores[:, 1].copy() if k > 1 else None
    return HybridNeighbors(np.take_along_axis(cand, order, 1), scores,
                           (1.0 - scores).astype(np.float32), label,
                           {n: np.take_along_axis(v, order, 1) for n, v in parts.items()},
                           Anchors(top, floor, best, second), wmap)


def pair_fused(channels: Sequence[Channel], weights: Sequence[float], left: np.ndarray,
               right: np.ndarray, anchors: Anchors,
               queries: Queries | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Fused score of pairs from the left (query) side: (fused (p,), {channel: raw (p,)}).

    anchors: the query set's anchors (rows = left positions).
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    parts = {c.name: c.pair_scores(left, right, queries) for c in channels}
    wmap = {c.name: float(w) for c, w in zip(channels, weights)}
    return fuse(parts, anchors.take(left), wmap), parts


def relative(fused: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Fused score as a share of the query's best fused score, in [0, 1]."""
    return np.clip(fused / np.maximum(best, _EPS), 0.0, 1.0).astype(np.float32)


def meaning_words(metric: str) -> str:
    """The meaning channel in captions: "meaning", naming the metric only when it is not the
    default (cosine), e.g. "meaning (dot)"."""
    return "meaning" if metric == "cosine" else f"meaning ({metric})"


# What a list score means, for captions (scores are the calibrated fused scores).
SCALE_TEXT = BANDS_TEXT


def parse_field_weights(text: str | Mapping[str, float] | None) -> dict[str, float]:
    """"title=1,brand=0.5" -> {"title": 1.0, "brand": 0.5}; empty -> {}."""
    if text is None:
        return {}
    if isinstance(text, Mapping):
        items = list(text.items())
    else:
        items = []
        for part in (p.strip() for p in str(text).split(",")):
            if not part:
                continue
            name, sep, value = part.rpartition("=")
            if not sep or not name.strip():
                raise ConfigError(f"Field weight '{part}' must look like column=weight, "
                                  "e.g. title=1,brand=0.5")
            items.append((name.strip(), value.strip()))
    out: dict[str, float] = {}
    for name, value in items:
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"Field weight for '{name}' must be a number, got {value!r}") \
                from None
        if not np.isfinite(w) or w < 0:
            raise ConfigError(f"Field weight for '{name}' must be 0 or more, got {value!r}")
        out[str(name)] = w
    return out


def format_field_weights(weights: Mapping[str, float]) -> str:
    return ",".join(f"{k}={v:g}" for k, v in weights.items())


__all__ = ["DEPTH", "SCALE_TEXT", "Anchors", "HybridNeighbors", "format_field_weights", "fuse",
           "fused_topk", "meaning_words", "pair_fused", "parse_field_weights", "relative",
           "rescale"]
