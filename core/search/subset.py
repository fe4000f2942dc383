"""Score matrices of a small subset of products (the Heatmap page), hybrid-aware.

Hybrid fused scores are rescaled per query (between the query's DEPTH-th best
candidate and an identical product, see :mod:`core.search.fusion`), so a fused score
of (a, b) and of (b, a) differ and cannot be compared across rows. A heatmap cell therefore
shows one of three symmetric scores, each with a plain meaning:

- ``match``: the duplicate score of :mod:`core.quality.threshold` -- the lower of the
  two products' 0..1 scores for each other, high only when each is the other's best
  candidate. The same number the Threshold and Explain pages show, comparable across
  the whole matrix.
- ``dense``: the raw dense similarity under the configured metric.
- ``lexical``: the raw lexical score (cosine of BM25-weighted token vectors,
  0 = no shared word or model number, 1 = the same tokens).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.quality.threshold import match_scores
from core.search.index import NeighborIndex
from core.search.lexical import LexicalIndex, pair_scores

CELL_KINDS = ("match", "dense", "lexical")


def default_cell(fused: bool) -> str:
    """What the cells show by default: the score the lists show (both ways), fused or not."""
    return "match"


def _upper_pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.triu_indices(m, k=1)
    return i.astype(np.int64), j.astype(np.int64)


def _symmetric(m: int, i: np.ndarray, j: np.ndarray, values: np.ndarray,
               diagonal: np.ndarray | float) -> np.ndarray:
    out = np.zeros((m, m), dtype=np.float32)
    out[i, j] = values
    out[j, i] = values
    out[np.arange(m), np.arange(m)] = diagonal
    return out


def match_matrix(space: NeighborIndex, rows: Sequence[int]) -> np.ndarray:
    """(m, m) float32 duplicate scores of catalog rows (NeighborIndex.pair_scores(...).match:
    symmetric, diagonal 1, in [0, 1])."""
    rows = np.asarray(rows, dtype=np.int64)
    i, j = _upper_pairs(len(rows))
    scores = match_scores(space, rows[i], rows[j]).match
    return _symmetric(len(rows), i, j, scores, 1.0)


def lexical_matrix(index: LexicalIndex, rows: Sequence[int]) -> np.ndarray:
    """(m, m) float32 lexical cosine of catalog rows (symmetric; diagonal 1, 0 for no tokens)."""
    rows = np.asarray(rows, dtype=np.int64)
    i, j = _upper_pairs(len(rows))
    scores = pair_scores(index, rows[i], rows[j])
    return _symmetric(len(rows), i, j, scores, pair_scores(index, rows, rows))


__all__ = ["CELL_KINDS", "default_cell", "lexical_matrix", "match_matrix"]
