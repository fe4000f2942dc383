"""Sharded top-k on Ray: corpus-shard actors, query blocks broadcast by reference.

Each actor holds one contiguous row range of the corpus. For a query block it
finds candidates with one fp32 product (a margin deeper than asked), re-scores
them with the exact kernel of the single-process tiles
(core.knn_kernels.pair_scores, float64 sums) and keeps the best by (score
desc, row asc). The driver merges the shards' partial lists with the same
rule, so the lists equal core.similarity.topk(method="fp32") row for row.
"""

from __future__ import annotations

import numpy as np

MARGIN = 4  # extra fp32 candidates per shard (as the fp32 tiles of core.similarity)
_RESCORE_ROWS = 256


def exact_cross_scores(q: np.ndarray, c: np.ndarray, cand: np.ndarray, metric: str) -> np.ndarray:
    """Raw exact scores of q[i] against c[cand[i, t]] with the single-process kernel. (b, D) float32.

    The pair kernel scores rows of one matrix; queries and their gathered
    candidates are stacked so each pair is summed exactly as in the tiles.
    """
    from core.search import tiles as kt

    b, depth = cand.shape
    out = np.empty((b, depth), dtype=np.float32)
    for s in range(0, b, _RESCORE_ROWS):
        e = min(b, s + _RESCORE_ROWS)
        r = e - s
        stack = np.concatenate([q[s:e], c[cand[s:e].reshape(-1)]])
        local = (r + np.arange(r * depth, dtype=np.int64)).reshape(r, depth)
        out[s:e] = kt.exact_scores(stack, local, metric)[:r]
    return out


def candidate_scores(q, c, metric: str):
    """fp32 ranking scores (b, n) torch, higher = closer (euclidean: minus squared distance)."""
    import torch

    if metric in ("cosine", "dot"):
        return q @ c.T
    if metric == "euclidean":
        centre = c.mean(0, keepdim=True)
        qc, cc = q - centre, c - centre
        return -((qc * qc).sum(1, keepdim=True) + (cc * cc).sum(1)[None, :] - 2.0 * (qc @ cc.T))
    return -torch.cdist(q, c, p=1.0)


def rescored(metric: str, n: int) -> bool:
    """Whether the single-process search of n rows re-scores its candidates exactly
    (the tiles, from TILED_MIN_ROWS rows, and euclidean) or keeps the fp32 product's
    scores (the blocked search below that size, and manhattan always)."""
    from core.search.exact import TILED_MIN_ROWS

    return metric == "euclidean" or (metric != "manhattan" and n >= TILED_MIN_ROWS)


def direct_euclidean(metric: str, n: int) -> bool:
    """Whether the single-process search of n rows scores euclidean pairs as the blocked
    search does (float32 differences of vectors centred on the corpus mean rounded to
    integers, core.search.exact.topk) rather than with the tiles' float64 kernel. The
    two differ in the last float32 bit, which moved 117 of 17,862 six-decimal scores."""
    from core.search.exact import TILED_MIN_ROWS

    return metric == "euclidean" and n < TILED_MIN_ROWS


def euclidean_centre(sums: np.ndarray, n: int) -> np.ndarray:
    """(1, d) float32: the corpus mean (from its column sums) rounded to integers, the
    centre of the blocked euclidean search."""
    return np.round(np.asarray(sums, np.float64) / max(1, n)).astype(np.float32)[None, :]


def shard_topk(q: np.ndarray, q_start: int, c: np.ndarray, c_start: int, depth: int,
               metric: str, *, rescore: bool = True, exclude_self: bool = True,
               centre: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Best `depth` of each query row among one shard: (global rows, raw scores), (b, D).

    q, c: prepared float32 (cosine rows unit length). Rows are global (c_start + local).
    rescore: exact float64 scores of the candidates (as the tiles), else the fp32
    product's own scores (as the blocked search; torch gives the same value for a pair
    whatever the block shapes), see :func:`rescored`. centre: euclidean only, the whole
    corpus's :func:`euclidean_centre`: candidates scored as the blocked search scores
    them (:func:`direct_euclidean`).
    """
    import torch

    from core.search import tiles as kt
    from core.search.exact import auto_block_size

    b, n = len(q), len(c)
    want = min(n, depth + MARGIN)
    if want <= 0 or b == 0:
        return np.zeros((b, 0), np.int64), np.zeros((b, 0), np.float32)
    cand = np.empty((b, want), np.int64)
    raw = np.empty((b, want), np.float32)
    step = auto_block_size(n)  # one (step, n) score block of about 256 MB at a time
    with torch.inference_mode():
        ct = torch.from_numpy(c)
        for r0 in range(0, b, step):
            r1 = min(b, r0 + step)
            s = candidate_scores(torch.from_numpy(q[r0:r1]), ct, metric)
            lo, hi = max(q_start + r0, c_start), min(q_start + r1, c_start + n)
            if exclude_self and lo < hi:
                rows = torch.arange(lo, hi)
                s[rows - q_start - r0, rows - c_start] = -float("inf")
            top = s.topk(want, dim=1)
            cand[r0:r1] = top.indices.numpy()
            raw[r0:r1] = top.values.numpy()
    if centre is not None:
        from core.search.exact import _exact_euclidean  # the blocked search's own formula

        raw = -_exact_euclidean(q - centre, c - centre, cand)
    elif rescore:
        raw = exact_cross_scores(q, c, cand, metric)
    if exclude_self:  # a row's own column may still be among few candidates
        raw = np.where(cand + c_start == (q_start + np.arange(b))[:, None], -np.inf, raw)
    idx, raw = kt.best_k(cand + c_start, raw, min(depth, want))
    return idx, raw.astype(np.float32)


def merge_partials(parts: list[tuple[np.ndarray, np.ndarray]], depth: int):
    """Merge per-shard (rows, raw) lists: best `depth` by (raw desc, row asc)."""
    from core.search import tiles as kt

    cand = np.concatenate([p[0] for p in parts], axis=1)
    raw = np.concatenate([p[1] for p in parts], axis=1)
    return kt.best_k(cand, raw, min(depth, cand.shape[1]))


def hnsw_topk(graph, q: np.ndarray, q_start: int, c: np.ndarray, c_start: int, depth: int,
              metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Best `depth` of each query among one shard through its HNSW graph (faiss), candidates
    2 x depth deep (as core.search.ann), re-scored exactly. (global rows, raw), (b, D)."""
    from core.search import ann
    from core.search import tiles as kt

    want = min(len(c), 2 * depth + 1)
    graph.hnsw.efSearch = max(ann.EF_SEARCH, 4 * depth)
    _, cand = graph.search(q, want)
    bad = (cand < 0) | (cand + c_start == (q_start + np.arange(len(q)))[:, None])
    safe = np.where(bad, 0, cand)
    raw = np.where(bad, -np.inf, exact_cross_scores(q, c, safe, metric)).astype(np.float32)
    return kt.best_k(safe + c_start, raw, min(depth, want))
