"""What every search returns and shares: :class:`Neighbors`, the metrics, progress
and cancel hooks, and the score orientation (higher = more similar).

===========  =====================  ========================
metric       score                  distance
===========  =====================  ========================
cosine       cos(a, b)              1 - cos(a, b)
dot          a . b                  -(a . b)
euclidean    1 / (1 + ||a - b||2)   ||a - b||2
manhattan    1 / (1 + ||a - b||1)   ||a - b||1
===========  =====================  ========================
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from core.errors import CatalogSimilarityError

METRICS = ("cosine", "dot", "euclidean", "manhattan")
TOPK_METHODS = ("auto", "blocked", "fp32", "int8")
INDEX_KINDS = ("auto", "exact", "approximate")
Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class SearchCancelled(CatalogSimilarityError):
    """A long search stopped because its cancel check returned True."""


_HOOKS: ContextVar[tuple[Progress | None, CancelCheck | None]] = ContextVar(
    "search_hooks", default=(None, None))


@contextmanager
def reporting(progress: Progress | None = None,
              cancel: CancelCheck | None = None) -> Iterator[None]:
    """Progress/cancel hooks for every dense_search inside the block (this context only).

    Lets a caller that cannot pass arguments through (the app, around
    pipeline.candidate_pool) show a progress bar and stop a long search.
    """
    token = _HOOKS.set((progress, cancel))
    try:
        yield
    finally:
        _HOOKS.reset(token)


@dataclass(frozen=True)
class Neighbors:
    """Top-k lists.

    indices: (n, k) int64 row positions into the corpus, best first.
    scores: (n, k) float32, higher = more similar. distances: (n, k) float32.
    """

    indices: np.ndarray
    scores: np.ndarray
    distances: np.ndarray
    metric: str

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])

    def head(self, k: int) -> Neighbors:
        """The first k columns (a candidate pool deeper than k cut to k)."""
        return Neighbors(self.indices[:, :k], self.scores[:, :k],
                         self.distances[:, :k], self.metric)


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"Unknown metric '{metric}'; choose one of {', '.join(METRICS)}")
    return metric


def prepare(x: np.ndarray, metric: str):
    import torch

    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if metric == "cosine":
        t = torch.nn.functional.normalize(t, p=2, dim=1)
    return t


def to_score_distance(raw: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    if metric == "cosine":
        return raw, (1.0 - raw).astype(np.float32)
    if metric == "dot":
        return raw, (-raw).astype(np.float32)
    dist = (-raw).astype(np.float32)
    return (1.0 / (1.0 + dist)).astype(np.float32), dist


def hooks() -> tuple[Progress | None, CancelCheck | None]:
    """The progress/cancel hooks of the enclosing ``reporting`` block (or None, None)."""
    return _HOOKS.get()
