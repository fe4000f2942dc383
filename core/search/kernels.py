"""Numba kernels for the tiled exhaustive top-k (see :mod:`core.search.tiles`).

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
def _group_max(tile, i0, mul, sub, plain, out):
    """out[g, c] = max over rows g*ROW_CHUNK.. of the score of column c (row-parallel, vectorised)."""
    b, w = tile.shape
    for g in prange(out.shape[0]):
        r0 = g * ROW_CHUNK
        r1 = min(b, r0 + ROW_CHUNK)
        if plain:
            for c in range(w):
                out[g, c] = tile[r0, c]
            for r in range(r0 + 1, r1):
                for c in range(w):
                    out[g, c] = max(out[g, c], tile[r, c])
        else:
            for c in range(w):
                out[g, c] = EMPTY
            for r in range(r0, r1):
                m = mul[i0 + r]
                d = sub[i0 + r]
                for c in range(w):
                    out[g, c] = max(out[g, c], tile[r, c] * m - d)


@njit(parallel=True, cache=True)
def _cols_from_max(tile, top, i0, j0, mul, sub, plain, vals, idx, thr, pos):
    """Column lists j0.. : scan the ROW_CHUNK rows of a group only where its maximum passes."""
    b, w = tile.shape
    for s in prange((w + COL_STRIPE - 1) // COL_STRIPE):
        c0 = s * COL_STRIPE
        c1 = min(w, c0 + COL_STRIPE)
        for g in range(top.shape[0]):
            for c in range(c0, c1):
                owner = j0 + c
                if top[g, c] <= thr[owner]:
                    continue
                for r in range(g * ROW_CHUNK, min(b, (g + 1) * ROW_CHUNK)):
                    v = tile[r, c] if plain else tile[r, c] * mul[i0 + r] - sub[i0 + r]
                    if v > thr[owner]:
                        _insert(vals, idx, thr, pos, owner, v, i0 + r)


def scan_cols(tile, i0, j0, mul, sub, plain, vals, idx, thr, pos, top=None):
    """Column lists j0.. from a raw tile (b, w); score = tile * mul[i0 + r] - sub[i0 + r] unless plain.

    Two passes: maxima of each column over groups of ROW_CHUNK rows (row-parallel,
    contiguous, vectorised), then threads owning stripes of COL_STRIPE columns scan
    only the groups whose maximum beats the column's threshold. (One strided pass
    doing both was 3x slower per tile.) top: optional reusable float32 buffer of at
    least (ceil(b / ROW_CHUNK), w) elements.
    """
    shape = ((tile.shape[0] + ROW_CHUNK - 1) // ROW_CHUNK, tile.shape[1])
    if top is None or top.size < shape[0] * shape[1]:
        top = np.empty(shape[0] * shape[1], np.float32)
    top = top[:shape[0] * shape[1]].reshape(shape)
    _group_max(tile, i0, mul, sub, plain, top)
    _cols_from_max(tile, top, i0, j0, mul, sub, plain, vals, idx, thr, pos)


def new_lists(n: int, depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Empty candidate lists: vals (n, depth) float32, idx (n, depth) int64, thr, pos."""
    vals = np.full((n, depth), EMPTY, dtype=np.float32)
    idx = np.full((n, depth), -1, dtype=np.int64)
    return vals, idx, np.full(n, EMPTY, dtype=np.float32), np.zeros(n, dtype=np.int64)
