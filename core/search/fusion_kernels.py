"""Numba kernels of the hybrid candidate pool (see :mod:`core.search.lexical`, :mod:`core.search.fusion`).

- :func:`sparse_topk_rows`: per query row, the lexical scores of every corpus
  document that shares a token (an inverted-index walk over the corpus'
  postings, one float32 accumulator of N per row block) and the top-k of them,
  ties by lower index, padded with the lowest-index zero-score documents.
  The accumulation order is scipy's ``csr_matmat`` order (query tokens in
  stored order, float32 products and sums), so scores equal ``q @ corpus.T``
  bit for bit; but no (block x N) product, no dense block, no argpartition.
- :func:`candidate_dots`: dot product (or cosine, through per-row scales) of
  each query row with its candidate rows, float64 sums as in
  :func:`core.search.tiles.exact_scores`.

Row blocks run in Python threads (:func:`in_threads`); the kernels release the GIL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit


def in_threads(m: int, block: int, run: Callable[[int, int], None]) -> None:
    """run(start, end) over row blocks [start, end) of m rows, in threads (kernels drop the GIL)."""
    starts = range(0, m, max(1, int(block)))
    workers = max(1, min(len(starts), os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda s: run(s, min(m, s + int(block))), starts))


@njit(cache=True)
def _kth_largest(work, k):
    """The k-th largest value of work (reordered in place): iterative quickselect.

    Hand-written: numba's np.partition takes half a minute to compile.
    """
    lo, hi, want = 0, len(work) - 1, k - 1
    while lo < hi:
        pivot = work[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while work[i] > pivot:
                i += 1
            while work[j] < pivot:
                j -= 1
            if i <= j:
                work[i], work[j] = work[j], work[i]
                i += 1
                j -= 1
        if want <= j:
            hi = j
        elif want >= i:
            lo = i
        else:
            return work[want]
    return work[want]


@njit(cache=True)
def _sort_by(cand, vals):
    """Sort both in place by value desc, then index asc (shell sort; k is small)."""
    n = len(cand)
    gap = 1
    while gap < n // 3:
        gap = 3 * gap + 1
    while gap > 0:
        for i in range(gap, n):
            c, v = cand[i], vals[i]
            j = i
            while j >= gap and (vals[j - gap] < v or (vals[j - gap] == v and cand[j - gap] > c)):
                cand[j] = cand[j - gap]
                vals[j] = vals[j - gap]
                j -= gap
            cand[j], vals[j] = c, v
        gap //= 3


@njit(cache=True)
def _keep_best(cand, vals, count, k):
    """The k best of cand/vals[:count] (value desc, index asc) moved to the front, unsorted.

    Returns (k, the k-th best value). Quickselect finds the k-th value in
    O(count); ties at it keep the lowest indices.
    """
    kth = _kth_largest(vals[:count].copy(), k)
    ties = 0
    tied = np.empty(count, np.int64)
    for t in range(count):
        if vals[t] == kth:
            tied[ties] = cand[t]
            ties += 1
    tied = tied[:ties]
    _sort_by(tied, np.zeros(ties, np.float32))
    above = 0
    for t in range(count):
        if vals[t] > kth:
            cand[above] = cand[t]
            vals[above] = vals[t]
            above += 1
    for t in range(k - above):
        cand[above + t] = tied[t]
        vals[above + t] = kth
    return k, kth


@njit(cache=True)
def _select_row(acc, touched, length, skip, n, k, out_idx, out_val, row):
    """Top-k of one row's accumulator over its touched documents (positive scores only).

    A buffer of 4k candidates: values under the k-th best seen so far are
    skipped; a full buffer is cut back to its k best. Then the k are sorted
    (value desc, index asc) and zero-score documents pad a short row, lowest
    index first.
    """
    cap = max(4 * k, 64)
    cand = np.empty(cap, np.int64)
    vals = np.empty(cap, np.float32)
    count = 0
    floor = np.float32(0.0)
    for t in range(length):
        d = touched[t]
        v = acc[d]
        if v <= 0 or v < floor or d == skip:
            continue
        cand[count] = d
        vals[count] = v
        count += 1
        if count == cap:
            count, floor = _keep_best(cand, vals, count, k)
    if count > k:
        count, floor = _keep_best(cand, vals, count, k)
    cand, vals = cand[:count], vals[:count]
    _sort_by(cand, vals)
    for t in range(count):
        out_idx[row, t] = cand[t]
        out_val[row, t] = vals[t]
    d = 0
    while count < k and d < n:  # zero-score documents, lowest index first
        if d != skip and acc[d] <= 0:
            out_idx[row, count] = d
            out_val[row, count] = 0.0
            count += 1
        d += 1


@njit(nogil=True, cache=True)
def sparse_topk_rows(q_indptr, q_indices, q_data, c_indptr, c_indices, c_data, n, k,
                     offset, exclude_self, out_idx, out_val):
    """Top-k of q @ corpus.T for each query row, written to out_idx/out_val (m, k).

    q: CSR arrays of the (m, V) query rows; c: CSC arrays of the (n, V) corpus
    (postings per token). Query row r is corpus row r + offset when
    exclude_self (its own column is skipped). Releases the GIL: callers run
    row blocks in threads, each call with its own N accumulator.
    """
    m = len(q_indptr) - 1
    acc = np.zeros(n, np.float32)
    touched = np.empty(n, np.int64)
    seen = np.zeros(n, np.bool_)
    for r in range(m):
        length = 0
        for jj in range(q_indptr[r], q_indptr[r + 1]):
            j = q_indices[jj]
            v = q_data[jj]
            for pp in range(c_indptr[j], c_indptr[j + 1]):
                d = c_indices[pp]
                if not seen[d]:
                    seen[d] = True
                    touched[length] = d
                    length += 1
                acc[d] += v * c_data[pp]
        skip = r + offset if exclude_self else -1
        _select_row(acc, touched, length, skip, n, k, out_idx, out_val, r)
        for t in range(length):
            acc[touched[t]] = 0.0
            seen[touched[t]] = False


@njit(nogil=True, fastmath=True, cache=True)
def candidate_dots(queries, corpus, q_scale, c_scale, cand, out):
    """out (m, C) float32 = q_scale[i] * c_scale[j] * dot(queries[i], corpus[j]), j = cand[i, t].

    float64 sums; cand < 0 gives 0. Scales of 1 give dot products, inverse
    norms give cosines (no normalised copy of the corpus).
    """
    m, c = cand.shape
    d = queries.shape[1]
    for i in range(m):
        for t in range(c):
            j = cand[i, t]
            if j < 0:
                out[i, t] = 0.0
                continue
            acc = 0.0
            for s in range(d):
                acc += np.float64(queries[i, s]) * np.float64(corpus[j, s])
            out[i, t] = acc * q_scale[i] * c_scale[j]
