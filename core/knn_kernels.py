"""Numba kernels for the tiled exhaustive top-k (see :mod:`core.knn_tiles`).

Each row keeps an unsorted candidate list of fixed depth K (values, indices)
with its current minimum as a threshold. The caller (:mod:`core.knn_tiles`)
takes maxima of chunks of a score tile with vectorised torch ops; these
kernels compare them with the lists' thresholds and scan only the chunks that
can improve a list. After the first tiles almost no chunk
passes, so a tile costs about two vectorised passes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

CHUNK = 64  # columns per chunk of a row (contiguous)
ROW_CHUNK = 8  # rows per chunk of a column (strided, so short)
EMPTY = np.float32(-3.0e38)  # finite: the kernels are compiled without inf/nan support


@njit(inline="always", cache=True)
def _insert(vals, idx, thr, pos, row, value, col):
    """Replace row's current minimum by (value, col) and find the new minimum."""
    depth = vals.shape[1]
    vals[row, pos[row]] = value
    idx[row, pos[row]] = col
    low = vals[row, 0]
    at = 0
    for t in range(1, depth):
        v = vals[row, t]
        if v < low:
            low = v
            at = t
    thr[row] = low
    pos[row] = at


@njit(parallel=True, cache=True)
def update_rows(tile, chunk_max, i0, j0, vals, idx, thr, pos, skip_self):
    """Row lists i0.. from tile (b, w) float32; chunk_max (b, ceil(w / CHUNK)) its chunk maxima.

    Only chunks whose maximum beats the row's current threshold are scanned.
    """
    b, w = tile.shape
    for r in prange(b):
        owner = i0 + r
        for ch in range(chunk_max.shape[1]):
            if chunk_max[r, ch] <= thr[owner]:
                continue
            for c in range(ch * CHUNK, min(w, (ch + 1) * CHUNK)):
                v = tile[r, c]
                if v > thr[owner] and not (skip_self and j0 + c == owner):
                    _insert(vals, idx, thr, pos, owner, v, j0 + c)


@njit(parallel=True, cache=True)
def update_cols(tile, chunk_max_t, i0, j0, vals, idx, thr, pos):
    """Column lists j0.. from tile (b, w); chunk_max_t (w, ceil(b / ROW_CHUNK)) its maxima."""
    b, w = tile.shape
    for c in prange(w):
        owner = j0 + c
        for ch in range(chunk_max_t.shape[1]):
            if chunk_max_t[c, ch] <= thr[owner]:
                continue
            for r in range(ch * ROW_CHUNK, min(b, (ch + 1) * ROW_CHUNK)):
                v = tile[r, c]
                if v > thr[owner]:
                    _insert(vals, idx, thr, pos, owner, v, i0 + r)


@njit(parallel=True, fastmath=True, cache=True)
def pair_scores(x, cand, mode):
    """Raw scores of row i against x[cand[i, t]]: (n, K) float32, accumulated in float64.

    mode 0: dot product; 1: minus euclidean distance; 2: minus manhattan distance.
    Entries of cand below 0 (no candidate) get 0.
    """
    n, depth = cand.shape
    d = x.shape[1]
    out = np.zeros((n, depth), dtype=np.float32)
    for i in prange(n):
        for t in range(depth):
            j = cand[i, t]
            if j < 0:
                continue
            acc = 0.0
            if mode == 0:
                for c in range(d):
                    acc += np.float64(x[i, c]) * np.float64(x[j, c])
                out[i, t] = acc
            elif mode == 1:
                for c in range(d):
                    diff = np.float64(x[i, c]) - np.float64(x[j, c])
                    acc += diff * diff
                out[i, t] = -np.sqrt(acc)
            else:
                for c in range(d):
                    acc += abs(np.float64(x[i, c]) - np.float64(x[j, c]))
                out[i, t] = -acc
    return out


def new_lists(n: int, depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Empty candidate lists: vals (n, depth) float32, idx (n, depth) int64, thr, pos."""
    vals = np.full((n, depth), EMPTY, dtype=np.float32)
    idx = np.full((n, depth), -1, dtype=np.int64)
    return vals, idx, np.full(n, EMPTY, dtype=np.float32), np.zeros(n, dtype=np.int64)
