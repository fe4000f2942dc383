"""Dense top-k of every product among the others, by the index kind the user chose.

"exact" (exhaustive, exact fp32 scores and order), "approximate" (an HNSW graph,
:mod:`core.search.ann`) or "auto" (exhaustive below ann.ANN_MIN_ROWS rows).
"""

from __future__ import annotations

import numpy as np

from core.search import ann
from core.search.exact import TILED_MIN_ROWS, topk
from core.search.neighbors import INDEX_KINDS, CancelCheck, Neighbors, Progress, hooks


def dense_search(vectors: np.ndarray, k: int, *, metric: str = "cosine",
                    index: str = "auto", progress: Progress | None = None,
                    cancel: CancelCheck | None = None) -> Neighbors:
    """Top-k of every row among the others (self excluded), by Config.index.

    index: "exact" (exhaustive, exact fp32 scores and order), "approximate"
    (HNSW graph, core.search.ann) or "auto" (topk(method="auto") below
    core.search.ann.ANN_MIN_ROWS rows, HNSW from there when faiss is installed).
    progress/cancel default to the hooks of an enclosing ``reporting`` block.
    vectors: (n, d) float32. Returns Neighbors (n, k).
    """
    if index not in INDEX_KINDS:
        raise ValueError(f"index must be one of {', '.join(INDEX_KINDS)}")
    if progress is None and cancel is None:
        progress, cancel = hooks()
    n = len(vectors)
    if index == "approximate" or (index == "auto" and n >= ann.ANN_MIN_ROWS
                                  and ann.ann_available()):
        return ann.ann_topk(vectors, k, metric=metric, progress=progress, cancel=cancel)
    method = "auto"
    if index == "exact":
        method = "fp32" if n >= TILED_MIN_ROWS else "blocked"
    return topk(vectors, k, metric=metric, method=method, progress=progress, cancel=cancel)
