"""Measure what a score calibration is fitted on, for any model and labelled catalog.

:func:`calibration_sample` turns a labelled two-shop catalog, searched as one by a
:class:`core.search.index.NeighborIndex`, into a
:class:`core.search.calibration.CalibrationSample`; ``fit_calibration`` takes one
per catalog and hybrid weight. bench/score_quality.py
fits the bundled model's this way; a fine-tuned model gets its own and saves it
in its folder (``Calibration.save``), where ``calibration_for`` finds it.
"""

from __future__ import annotations

import numpy as np

from core.search.calibration import CalibrationSample
from core.search.index import NeighborIndex

RANDOM_PAIRS = 4000


def calibration_sample(index: NeighborIndex, shop: np.ndarray, left: np.ndarray,
                       right: np.ndarray, label: np.ndarray, twins: set[tuple[int, int]], *,
                       k: int = 10, seed: int = 1) -> CalibrationSample:
    """The fused scores a calibration is fitted on, from one labelled catalog.

    shop: (n,) which shop each row comes from; left/right/label: labelled pairs of
    rows (label 1 = the same product; both directions are used); twins: every known
    (row, row) twin pair, both directions. List entries are the k-lists of the
    products named in the pairs that point to the other shop.
    """
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    label = np.asarray(label).astype(bool)
    nb = index.pool(k)
    n = len(shop)
    a, b = np.repeat(np.arange(n), nb.k), nb.indices.ravel()
    keep = (shop[a] != shop[b]) & np.isin(a, np.r_[left, right])
    twin = np.array([(x, y) in twins for x, y in zip(a[keep].tolist(), b[keep].tolist())],
                    dtype=bool)
    pl, pr, pl_label = np.r_[left, right], np.r_[right, left], np.r_[label, label]
    fused = index.pair_scores(pl, pr).fused
    rng = np.random.default_rng(seed)
    ra = rng.integers(0, n, RANDOM_PAIRS)
    rb = (ra + rng.integers(1, n, RANDOM_PAIRS)) % n
    return CalibrationSample(nb.fused.ravel()[keep], twin, fused[pl_label], fused[~pl_label],
                             index.pair_scores(ra, rb).fused)


__all__ = ["calibration_sample"]
