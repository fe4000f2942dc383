"""Numba kernels for the tiled exhaustive top-k (see :mod:`core.knn_tiles`).

Each row keeps an unsorted candidate list of fixed depth K (values, indices)
with its current minimum as a threshold. The scan kernels reduce short chunks
of a score tile to their maximum (vectorised), compare it with the lists'
thresholds and scan only the chunks that can improve a list. After the first
tiles almost no chunk passes, so a tile costs about two reads (rows, columns);
doing it here rather than with torch reductions saved ~17% CPU (no temporaries,
no transposed copy).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

CHUNK = 64  # columns per chunk of a row (contiguous)
ROW_CHUNK = 8  # rows per chunk of a column (strided, so short)
COL_STRIPE = 256  # columns per thread stripe in scan_cols
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


@njit(parallel=True, fastmath=True, cache=True)
def scan_rows(tile, i0, j0, mul, sub, plain, vals, idx, thr, pos, skip_self):
    """Row lists i0.. from a raw tile (b, w); score = tile * mul[j0 + c] - sub[j0 + c] unless plain.

    Each CHUNK of a row is reduced to its maximum first (vectorised) and scanned
    only when that beats the row's threshold: one read of the tile, no temporaries.
    """
    b, w = tile.shape
    for r in prange(b):
        owner = i0 + r
        for c0 in range(0, w, CHUNK):
            c1 = min(w, c0 + CHUNK)
            top = EMPTY
            if plain:
                for c in range(c0, c1):
                    top = max(top, tile[r, c])
            else:
                for c in range(c0, c1):
                    top = max(top, tile[r, c] * mul[j0 + c] - sub[j0 + c])
            if top <= thr[owner]:
                continue
            for c in range(c0, c1):
                v = tile[r, c] if plain else tile[r, c] * mul[j0 + c] - sub[j0 + c]
                if v > thr[owner] and not (skip_self and j0 + c == owner):
                    _insert(vals, idx, thr, pos, owner, v, j0 + c)


@njit(parallel=True, fastmath=True, cache=True)
def scan_cols(tile, i0, j0, mul, sub, plain, vals, idx, thr, pos):
    """Column lists j0.. from a raw tile (b, w); score = tile * mul[i0 + r] - sub[i0 + r] unless plain.

    Threads own stripes of COL_STRIPE columns and walk down the rows in groups of
    ROW_CHUNK, keeping the stripe's column maxima of the group in a small buffer.
    """
    b, w = tile.shape
    for s in prange((w + COL_STRIPE - 1) // COL_STRIPE):
        c0 = s * COL_STRIPE
        c1 = min(w, c0 + COL_STRIPE)
        top = np.empty(c1 - c0, dtype=np.float32)
        for r0 in range(0, b, ROW_CHUNK):
            r1 = min(b, r0 + ROW_CHUNK)
            top[:] = EMPTY
            for r in range(r0, r1):
                m = np.float32(1.0) if plain else mul[i0 + r]
                d = np.float32(0.0) if plain else sub[i0 + r]
                for c in range(c0, c1):
                    top[c - c0] = max(top[c - c0], tile[r, c] * m - d)
            for c in range(c0, c1):
                owner = j0 + c
                if top[c - c0] <= thr[owner]:
                    continue
                for r in range(r0, r1):
                    v = tile[r, c] if plain else tile[r, c] * mul[i0 + r] - sub[i0 + r]
                    if v > thr[owner]:
                        _insert(vals, idx, thr, pos, owner, v, i0 + r)


def new_lists(n: int, depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Empty candidate lists: vals (n, depth) float32, idx (n, depth) int64, thr, pos."""
    vals = np.full((n, depth), EMPTY, dtype=np.float32)
    idx = np.full((n, depth), -1, dtype=np.int64)
    return vals, idx, np.full(n, EMPTY, dtype=np.float32), np.zeros(n, dtype=np.int64)
