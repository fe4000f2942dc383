"""Calibrated scores out of the neighbour index: pools, queries, blocks, the relevance floor.

:class:`core.search.index.NeighborIndex` ranks by the fused score and shows the
calibrated one (:mod:`core.search.calibration`); the functions here turn a
fused result into the calibrated one and give the rules what they need to
score candidates outside a pool the same way:

- :func:`calibrated`: HybridNeighbors whose scores are 0..1, fused kept;
- :func:`dense_only`: a meaning-only top list rescaled like the fusion (its
  own DEPTH-th best score is 0), then calibrated;
- :func:`random_pair_threshold`: the meaning score that a given share of random
  pairs of products stays below (the relevance floor);
- :func:`random_pairs`: the seeded random pairs of distinct products it measures.
"""

from __future__ import annotations

import numpy as np

from core.search.calibration import Calibration
from core.search.channels import DENSE_CEILING, DenseChannel
from core.search.fusion import DEPTH, Anchors, HybridNeighbors, rescale
from core.search.neighbors import Neighbors

RANDOM_PAIRS = 20_000
_SEED = 0


def calibrated(nb: HybridNeighbors, calibration: Calibration, weight: float,
               scorer=None) -> HybridNeighbors:
    """nb with its fused scores mapped to 0..1 (``fused`` keeps them; distance = 1 - score)."""
    score = calibration.score(nb.scores, weight)
    return HybridNeighbors(nb.indices, score, (1.0 - score).astype(np.float32), nb.metric,
                           nb.parts, nb.anchors, nb.weights, nb.scores, scorer)


def dense_only(deep: Neighbors, k: int, metric: str, calibration: Calibration,
               scorer=None) -> HybridNeighbors:
    """The first k of a meaning-only top list at least DEPTH deep (or every other
    product), rescaled as the fusion rescales one channel and calibrated at weight 0."""
    m = len(deep.indices)
    ceiling = DENSE_CEILING.get(metric)
    if deep.k == 0:
        top = floor = np.zeros(m, dtype=np.float32)
    else:
        top = (np.full(m, ceiling, dtype=np.float32) if ceiling is not None
               else deep.scores[:, 0].astype(np.float32))
        floor = deep.scores[:, min(DEPTH, deep.k) - 1].astype(np.float32)
    raw = deep.scores[:, :k]
    fused = rescale(raw, top[:, None], floor[:, None])
    best = fused[:, 0].copy() if fused.shape[1] else np.zeros(m, dtype=np.float32)
    deep_fused = rescale(deep.scores[:, :2], top[:, None], floor[:, None])
    second = deep_fused[:, 1].copy() if deep_fused.shape[1] > 1 else None
    anchors = Anchors({"dense": top}, {"dense": floor}, best, second)
    nb = HybridNeighbors(deep.indices[:, :k], fused, (1.0 - fused).astype(np.float32),
                         deep.metric, {"dense": raw}, anchors, {"dense": 1.0})
    return calibrated(nb, calibration, 0.0, scorer)


def random_pair_threshold(dense: DenseChannel, share: float, *, pairs: int = RANDOM_PAIRS,
                          seed: int = _SEED) -> float:
    """The meaning score below which `share` of random pairs of distinct products fall
    (seeded; -inf when share is 0 or there are fewer than 2 products)."""
    n = len(dense.vectors)
    if share <= 0 or n < 2:
        return float("-inf")
    return float(np.quantile(dense.pair_scores(*random_pairs(n, pairs, seed)), share))


def random_pairs(n: int, pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b): `pairs` seeded random pairs of rows of n (n >= 2), never a row with itself."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, pairs)
    return a, (a + rng.integers(1, n, pairs)) % n


__all__ = ["RANDOM_PAIRS", "calibrated", "dense_only", "random_pair_threshold", "random_pairs"]
