"""Approximate top-k for very large catalogs: a FAISS HNSW graph, re-ranked exactly.

Exhaustive search costs n^2; from ``ANN_MIN_ROWS`` rows (chosen with
``bench/perf_topk.py`` on a 2-core CPU) ``index="auto"`` switches to an HNSW
index (faiss-cpu): build O(n log n), one search per product, the returned
candidates (deeper than k) re-scored with exact fp32 scores. Recall is never
assumed: :func:`sample_recall` measures recall@k against exact search on a
seeded sample, and the benchmark and CLI print it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.search import tiles as kt
from core.search.exact import topk
from core.search.neighbors import (
    Neighbors,
    SearchCancelled,
    check_metric,
    prepare,
    to_score_distance,
)

ANN_MIN_ROWS = 200_000
HNSW_M = 32
EF_CONSTRUCTION = 80
EF_SEARCH = 160  # search beam; ann_topk uses max(EF_SEARCH, 4k) (bench/perf_ann_ef.py)
Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
_ADD_CHUNK = 20_000
_SEARCH_CHUNK = 20_000
_EXACT_BELOW = 2048  # a graph is pointless for so few rows


def ann_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def _index_for(x: np.ndarray, metric: str):
    import faiss

    kinds = {"cosine": faiss.METRIC_INNER_PRODUCT, "dot": faiss.METRIC_INNER_PRODUCT,
             "euclidean": faiss.METRIC_L2, "manhattan": faiss.METRIC_L1}
    index = faiss.IndexHNSWFlat(x.shape[1], HNSW_M, kinds[metric])
    index.hnsw.efConstruction = EF_CONSTRUCTION
    return index


def ann_topk(vectors: np.ndarray, k: int, *, metric: str = "cosine",
             ef_search: int | None = None, progress: Progress | None = None,
             cancel: CancelCheck | None = None) -> Neighbors:
    """Approximate top-k of every row among the others (self excluded).

    vectors: (n, d) float. Candidates: HNSW search of depth 2k (ef_search
    default max(EF_SEARCH, 4k)); scores of the kept k are exact. Returns Neighbors (n, k).
    Progress counts rows added then rows searched (total 2n).
    """
    import faiss
    import torch


    check_metric(metric)
    if len(vectors) < _EXACT_BELOW:
        return topk(vectors, k, metric=metric, method="blocked")
    x = np.ascontiguousarray(prepare(vectors, metric).numpy())
    n = len(x)
    k = max(0, min(int(k), n - 1))
    if k == 0:
        empty = np.zeros((n, 0), np.float32)
        return Neighbors(np.zeros((n, 0), np.int64), empty, empty.copy(), metric)
    faiss.omp_set_num_threads(max(1, torch.get_num_threads()))
    index = _index_for(x, metric)
    for start in range(0, n, _ADD_CHUNK):
        _check(cancel)
        index.add(x[start:start + _ADD_CHUNK])
        if progress is not None:
            progress(min(n, start + _ADD_CHUNK), 2 * n)
    depth = min(n, 2 * k + 1)
    index.hnsw.efSearch = int(ef_search or max(EF_SEARCH, 4 * k))
    cand = np.empty((n, depth - 1), dtype=np.int64)
    for start in range(0, n, _SEARCH_CHUNK):
        _check(cancel)
        _, found = index.search(x[start:start + _SEARCH_CHUNK], depth)
        cand[start:start + len(found)] = _drop_self(found, start)
        if progress is not None:
            progress(n + min(n, start + _SEARCH_CHUNK), 2 * n)
    missing = cand < 0
    cand = np.where(missing, cand[:, :1], cand)  # HNSW pads with -1 when it finds too few
    raw = np.where(missing, np.float32(-np.inf), kt.exact_scores(x, cand, metric))
    idx, raw = kt.best_k(cand, raw, k)

    scores, dists = to_score_distance(raw, metric)
    return Neighbors(idx, scores.astype(np.float32), dists, metric)


def _check(cancel: CancelCheck | None) -> None:
    if cancel is not None and cancel():
        raise SearchCancelled("approximate search cancelled")


def _drop_self(found: np.ndarray, start: int) -> np.ndarray:
    """(b, depth) ids -> (b, depth - 1): each row without its own id (or its last id)."""
    rows = np.arange(len(found))
    own = found == (start + rows)[:, None]
    drop = np.where(own.any(1), own.argmax(1), found.shape[1] - 1)
    keep = np.ones(found.shape, dtype=bool)
    keep[rows, drop] = False
    return found[keep].reshape(len(found), found.shape[1] - 1)


def sample_recall(vectors: np.ndarray, found: Neighbors, *, sample: int = 1000,
                  seed: int = 0) -> float:
    """Recall@k of found lists against exact search, on a seeded sample of rows."""
    n, k = found.indices.shape
    if n == 0 or k == 0:
        return 1.0
    rows = np.sort(np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False))
    exact = topk(vectors, k + 1, metric=found.metric, queries=np.asarray(vectors)[rows],
                 exclude_self=False, method="blocked")
    hits = 0
    for i, row in enumerate(rows):
        truth = [j for j in exact.indices[i] if j != row][:k]
        hits += len(set(truth) & set(found.indices[row].tolist()))
    return hits / (len(rows) * k)
