"""Exact blocked top-k (and the tiled paths it dispatches to).

Scores are oriented so that higher = more similar, with the raw distance kept too
(the metric table is in :mod:`core.search.neighbors`). :func:`topk` processes queries
in blocks, so memory is O(block x N), never N x N. Ties are broken deterministically
by the lower row index.
"""

from __future__ import annotations

import numpy as np

from core.search import tiles as kt
from core.search.neighbors import (
    TOPK_METHODS,
    CancelCheck,
    Neighbors,
    Progress,
    SearchCancelled,
    check_metric,
    prepare,
    to_score_distance,
)

# From this many rows "auto" uses the int8 tiles (bench/perf_topk.py: below it the
# blocked exact search takes a few seconds at most).
TILED_MIN_ROWS = 20_000
_BLOCK_BYTES = 256 * 1024 * 1024


def _block_scores(q, c, c_sq, metric: str):
    """Score block (b, N) as torch float32, higher = more similar."""
    import torch

    if metric in ("cosine", "dot"):
        return q @ c.T
    if metric == "euclidean":
        # Ranks by squared distance; exact distances are recomputed for the top-k.
        d2 = (q * q).sum(1, keepdim=True) + c_sq[None, :] - 2.0 * (q @ c.T)
        return -d2.clamp_(min=0.0)
    return -torch.cdist(q, c, p=1.0)


def auto_block_size(n_corpus: int) -> int:
    """Rows per block so one block of scores stays near 256 MB."""
    return int(max(16, min(8192, _BLOCK_BYTES // max(1, 4 * n_corpus))))


def topk(corpus: np.ndarray, k: int, *, metric: str = "cosine",
         queries: np.ndarray | None = None, block_size: int | None = None,
         exclude_self: bool | None = None, method: str = "auto",
         progress: Progress | None = None, cancel: CancelCheck | None = None) -> Neighbors:
    """Top-k neighbours of every query row among corpus rows (exhaustive search).

    corpus: (N, d) float; queries: (m, d) float, default the corpus itself.
    exclude_self: drop the query's own row (default True when queries is None).
    k is clamped to the number of candidates. Returns Neighbors (m, k).
    method: "blocked" (exact, query blocks x whole corpus), "fp32" (exact,
    symmetric tiles), "int8" (symmetric int8 tiles, lists re-ranked with exact
    fp32 scores; recall measured in bench/perf_topk.py) or "auto" (int8 tiles
    from TILED_MIN_ROWS rows when ONNX Runtime is installed, else blocked).
    The tiled methods apply to a corpus against itself with cosine, dot or
    euclidean; anything else runs blocked. progress(done, total) is called
    per tile; cancel() returning True stops between tiles (SearchCancelled).
    """
    import torch

    check_metric(metric)
    if method not in TOPK_METHODS:
        raise ValueError(f"method must be one of {', '.join(TOPK_METHODS)}")
    self_mode = queries is None
    exclude_self = self_mode if exclude_self is None else exclude_self
    tiled = _tiled_product(method, metric, len(corpus), self_mode and exclude_self)
    if tiled is not None and min(int(k), len(corpus) - 1) > 0:
        return _tiled_topk(corpus, int(k), metric=metric, product=tiled,
                           tile=block_size, progress=progress, cancel=cancel)
    c = prepare(corpus, metric)
    q_all = c if self_mode else prepare(queries, metric)
    if metric == "euclidean":
        # Translation-invariant: removing a large common offset avoids float32
        # cancellation; the centre is rounded to integers so exact data stays exact.
        centre = torch.round(c.mean(0, keepdim=True))
        c = c - centre
        q_all = c if self_mode else q_all - centre
    n, m = c.shape[0], q_all.shape[0]
    k = max(0, min(int(k), n - (1 if exclude_self else 0)))
    idx_out = np.zeros((m, k), dtype=np.int64)
    raw_out = np.zeros((m, k), dtype=np.float32)
    if k == 0 or m == 0:
        return Neighbors(idx_out, raw_out, raw_out.copy(), metric)
    c_sq = (c * c).sum(1) if metric == "euclidean" else None
    bs = int(block_size or auto_block_size(n))
    with torch.inference_mode():
        for start in range(0, m, bs):
            if cancel is not None and cancel():
                raise SearchCancelled("top-k search cancelled")
            if progress is not None:
                progress(start, m)
            block = _block_scores(q_all[start:start + bs], c, c_sq, metric)
            if exclude_self:
                rows = torch.arange(block.shape[0])
                block[rows, rows + start] = -float("inf")
            idx, raw = _exact_topk(block, k)
            idx_out[start:start + bs] = idx
            raw_out[start:start + bs] = raw
    if metric == "euclidean":
        raw_out = -_exact_euclidean(q_all.numpy(), c.numpy(), idx_out)
        order = _row_lexsort(raw_out, idx_out)
        rows = np.arange(len(idx_out))[:, None]
        idx_out, raw_out = idx_out[rows, order], raw_out[rows, order]
    scores, dists = to_score_distance(raw_out, metric)
    return Neighbors(idx_out, scores.astype(np.float32), dists, metric)


def _tiled_product(method: str, metric: str, n: int, self_excluded: bool) -> str | None:
    """Which tiled product serves this call, or None for the blocked path."""
    if not self_excluded or metric == "manhattan" or method == "blocked":
        return None
    if method in ("fp32", "int8"):
        return method
    return "int8" if n >= TILED_MIN_ROWS and kt.int8_available() else None


def int8_depth(k: int) -> int:
    """Candidate list depth for int8 tiles: k plus a margin for quantisation error."""
    return k + max(16, k // 2)


def _tiled_topk(corpus: np.ndarray, k: int, *, metric: str, product: str,
                tile: int | None, progress: Progress | None,
                cancel: CancelCheck | None) -> Neighbors:
    x = prepare(corpus, metric).numpy()
    n = len(x)
    k = min(k, n - 1)
    depth = min(n - 1, int8_depth(k) if product == "int8" else k + 4)
    cand = kt.candidate_lists(kt.prepare(x, metric), depth, product=product,
                              tile=int(tile or kt.TILE), progress=progress, cancel=cancel)
    idx, raw = kt.best_k(cand, kt.exact_scores(x, cand, metric), k)
    scores, dists = to_score_distance(raw, metric)
    return Neighbors(idx, scores.astype(np.float32), dists, metric)


def _exact_euclidean(q: np.ndarray, c: np.ndarray, idx: np.ndarray,
                     chunk: int = 4096) -> np.ndarray:
    """||q_i - c_idx[i, j]||2 computed directly (no cancellation). (m, k) float32."""
    out = np.empty(idx.shape, dtype=np.float32)
    for s in range(0, len(idx), chunk):
        diff = q[s:s + chunk, None, :] - c[idx[s:s + chunk]]
        out[s:s + chunk] = np.sqrt((diff * diff).sum(-1))
    return out


def _exact_topk(block, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of each row of a torch (b, N) block, ties by lower index."""
    vals, idx = block.topk(k, dim=1, largest=True, sorted=True)
    vals_np, idx_np = vals.numpy(), idx.numpy().astype(np.int64)
    kth = vals[:, -1:]
    at_or_above = (block >= kth).sum(1).numpy()
    # Rows with ties at the k-th value: choose among all tied columns by index.
    for r in np.nonzero(at_or_above > k)[0]:
        row = block[r].numpy()
        cand = np.nonzero(row >= vals_np[r, -1])[0]
        order = np.lexsort((cand, -row[cand]))[:k]
        idx_np[r], vals_np[r] = cand[order], row[cand[order]]
    # Within the chosen k, order by (score desc, index asc).
    order = _row_lexsort(vals_np, idx_np)
    rows = np.arange(idx_np.shape[0])[:, None]
    return idx_np[rows, order], vals_np[rows, order]


def _row_lexsort(vals: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per-row order by score descending then index ascending."""
    by_idx = np.argsort(idx, axis=1, kind="stable")
    rows = np.arange(vals.shape[0])[:, None]
    by_score = np.argsort(-vals[rows, by_idx], axis=1, kind="stable")
    return by_idx[rows, by_score]


def distinct_rows(x: np.ndarray) -> int:
    """How many different rows (bit for bit) the (n, d) array holds."""
    if len(x) == 0:
        return 0
    row = np.dtype((np.void, x.dtype.itemsize * x.shape[1]))
    return len(np.unique(np.ascontiguousarray(x).view(row).ravel()))


def pairwise_scores(vectors: np.ndarray, *, metric: str = "cosine") -> np.ndarray:
    """Full (m, m) score matrix for a small subset (heatmaps). float32."""
    import torch

    check_metric(metric)
    x = prepare(vectors, metric)
    if metric == "euclidean":
        x = x - torch.round(x.mean(0, keepdim=True))
    c_sq = (x * x).sum(1) if metric == "euclidean" else None
    with torch.inference_mode():
        raw = _block_scores(x, x, c_sq, metric).numpy()
    if metric == "euclidean":
        np.fill_diagonal(raw, 0.0)
        raw = -np.sqrt(raw * -1.0)
    scores, _ = to_score_distance(raw, metric)
    return scores.astype(np.float32)


def brute_force_topk(corpus: np.ndarray, k: int, *, metric: str = "cosine",
                     queries: np.ndarray | None = None,
                     exclude_self: bool | None = None) -> Neighbors:
    """Reference implementation in float64 numpy (tests and benchmarks)."""
    self_mode = queries is None
    exclude_self = self_mode if exclude_self is None else exclude_self
    c = np.asarray(corpus, dtype=np.float64)
    q = c if self_mode else np.asarray(queries, dtype=np.float64)
    if metric == "cosine":
        c = c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    if metric in ("cosine", "dot"):
        raw = q @ c.T
    elif metric == "euclidean":
        raw = -np.sqrt(((q[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    else:
        raw = -np.abs(q[:, None, :] - c[None, :, :]).sum(-1)
    if exclude_self:
        np.fill_diagonal(raw, -np.inf)
    k = max(0, min(k, c.shape[0] - (1 if exclude_self else 0)))
    cols = np.arange(raw.shape[1])
    order = np.array([np.lexsort((cols, -row))[:k] for row in raw]).reshape(len(raw), k)
    top = np.take_along_axis(raw, order, 1).astype(np.float32)
    scores, dists = to_score_distance(top, metric)
    return Neighbors(order.astype(np.int64), scores, dists, metric)
