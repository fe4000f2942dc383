"""The new model's score calibration (core.search.calibration), fitted again after training.

A fine-tuned model scores twins higher than the bundled one, so the bundled model's map
from fused scores to 0..1 would read it wrong. With the held-out pairs as the labelled
catalog (core.search.calibration.fit_knots' table), at the hybrid weight chosen for the
model:

- list entries: each held-out product's top-K list, twin = a known match;
- same-product pairs: each held-out product with its known matches;
- different-product pairs: its rejected pairs when there are any, else the best
  candidate in its list that is not a known match (the close substitute);
- random pairs: 4,000 seeded random pairs of catalog products.

The fit is saved as calibration.json in the model folder, where
:func:`core.search.calibration.calibration_for` finds it. With too few held-out pairs,
or held-out queries that are not catalog products (self-supervised views), the model
keeps the bundled calibration (marked approximate) and a note says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from core.finetune.data import ValidationSet
from core.search.calibration import CalibrationSample, fit_calibration
from core.search.channels import Queries
from core.search.index import NeighborIndex
from core.search.lexical import LexicalIndex

K = 10
RANDOM_PAIRS = 4000


def refit_calibration(folder: Path, corpus_vectors: np.ndarray, words: LexicalIndex,
                      corpus_rows: np.ndarray, valid: ValidationSet | None,
                      rejected: Mapping[int, set[int]], *, weight: float, metric: str,
                      model: str) -> str:
    """Fit and save the new model's calibration at weight; returns a note for the user.

    corpus_vectors: (c, d) the new model's vectors of corpus_rows; words: the words index
    of the corpus rows (same order).
    """
    pos = {int(r): i for i, r in enumerate(corpus_rows)}
    if valid is None or not len(valid) or any(int(r) not in pos for r in valid.query_rows):
        return ("score calibration: the held-out queries are not catalog products; the new "
                "model uses the bundled model's calibration (approximate)")
    index = NeighborIndex.from_parts(corpus_vectors, words, hybrid_weight=weight, metric=metric)
    sample = _sample(index, corpus_vectors, valid, pos, rejected)
    try:
        calibration = fit_calibration({weight: [sample]}, model=model,
                                      fitted_on=f"{len(valid)} held-out pairs after fine-tuning")
    except ConfigError as exc:
        return (f"score calibration: not refitted ({exc}); the new model uses the bundled "
                "model's calibration (approximate)")
    calibration.save(folder)
    return f"score calibration fitted again on {len(valid)} held-out products"


def _sample(index: NeighborIndex, vectors: np.ndarray, valid: ValidationSet,
            pos: Mapping[int, int], rejected: Mapping[int, set[int]]) -> CalibrationSample:
    q = np.array([pos[int(r)] for r in valid.query_rows], dtype=np.int64)
    truth = [{pos[int(t)] for t in ts if int(t) in pos} for ts in valid.truth]
    nb = index.rank(K + 1, Queries(vectors[q], list(valid.queries)))
    a, b, twin, near = [], [], [], []
    for i, (row, good) in enumerate(zip(q, truth)):
        listed = [int(c) for c in nb.indices[i] if c >= 0 and c != row][:K]
        a += [int(row)] * len(listed)
        b += listed
        twin += [c in good for c in listed]
        near += [(int(row), c) for c in listed if c not in good][:1]
    same = [(int(row), t) for row, good in zip(q, truth) for t in sorted(good)]
    rows = set(q.tolist())
    different = [(pos[int(x)], pos[int(y)]) for x, ys in rejected.items() for y in ys
                 if int(x) in pos and int(y) in pos and pos[int(x)] in rows] or near
    rng = np.random.default_rng(1)
    n = len(vectors)
    ra = rng.integers(0, n, RANDOM_PAIRS)
    rb = (ra + rng.integers(1, max(n, 2), RANDOM_PAIRS)) % n

    def fused(pairs) -> np.ndarray:
        left, right = (np.asarray(x, dtype=np.int64) for x in zip(*pairs)) if pairs else \
            (np.zeros(0, np.int64), np.zeros(0, np.int64))
        return index.pair_scores(left, right).fused if len(left) else np.zeros(0, np.float32)

    return CalibrationSample(fused(list(zip(a, b))), np.asarray(twin, dtype=bool), fused(same),
                             fused(different), index.pair_scores(ra, rb).fused)
