"""Refilling lists left short under a ``same`` rule (core.lists.rules.apply_rules).

:func:`refill_pool`: exact candidates within a product's own group, scored by a
*block* (:func:`metric_block` for a plain metric, :func:`index_block` for a
NeighborIndex), in blocks so a large group never holds a rows x members matrix.
"""

from __future__ import annotations

import numpy as np

from core.lists.filters import Features

REFILL_DEPTH = 2000
_BLOCK_CELLS = 1 << 22  # scores held at once while refilling (16 MB)
_BIG_GROUP = 1024  # groups with at least this many members use BLAS threads


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """(n, d) float32 rows scaled to unit length (zero rows stay zero)."""
    v = np.asarray(vectors, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def metric_block(vectors: np.ndarray, metric: str):
    """block(rows, members) -> (scores, distances) of raw metric scores (a pool scored by a
    plain metric, not by a NeighborIndex)."""
    def block(rows: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores, dists = scores_to(vectors, rows, members, metric)
        return scores, distances_of(scores, metric) if dists is None else dists

    return block


def index_block(scorer):
    """block(rows, members) -> (scores, distances) from a NeighborIndex's calibrated scores."""
    def block(rows: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores = scorer.block_scores(rows, members)
        return scores, (1.0 - scores).astype(np.float32)

    return block


def refill_pool(short: np.ndarray, feats: Features, block, keep, depth: int = REFILL_DEPTH
                ) -> tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray, np.ndarray] | None:
    """Candidates for short rows from an exact search within each product's own group
    (equal values in every ``same`` column): the first ``depth`` of the group in
    score order (ties: lower row), never deeper than REFILL_DEPTH.

    block(rows, members) -> (scores, distances) (r, M), a row against itself -inf
    (:func:`metric_block`, :func:`index_block`). keep(rows, cand) -> (r, M) bool
    applies the filter rules. Returns (rows,
    (indices, scores, distances), ok, complete) holding only the passing
    candidates, best first, padded with -1 / NaN; complete (r,) bool is True
    where the search went as deep as it ever goes (the whole group, or
    REFILL_DEPTH), so a deeper call would find nothing new. None when no short
    row has a known group.
    """
    from threadpoolctl import threadpool_limits

    codes = np.stack([c for _, c in feats.same], axis=1)
    _, group = np.unique(codes, axis=0, return_inverse=True)
    group = np.where((codes >= 0).all(1), group.reshape(-1), -1)
    rows = short[group[short] >= 0]
    if not len(rows):
        return None
    depth = max(1, min(int(depth), REFILL_DEPTH))
    groups = np.unique(group[rows])
    big = np.bincount(group[group >= 0])[groups] >= _BIG_GROUP
    blocks = [b for g in groups[big]  # large products: BLAS threads help
              for b in _group_blocks(g, group, rows, block, keep, depth)]
    with threadpool_limits(limits=1, user_api="blas"):  # many small products: no thread churn
        blocks += [b for g in groups[~big]
                   for b in _group_blocks(g, group, rows, block, keep, depth)]
    width = max(ok.shape[1] for _, _, ok, _ in blocks)
    out = (np.full((len(rows), width), -1, dtype=np.int64),
           np.full((len(rows), width), np.nan, dtype=np.float32),
           np.full((len(rows), width), np.nan, dtype=np.float32))
    ok = np.zeros((len(rows), width), dtype=bool)
    complete = np.zeros(len(rows), dtype=bool)
    at = 0
    for mine, cand, passed, whole in blocks:
        block, w = slice(at, at + len(mine)), passed.shape[1]
        for target, values in zip(out, cand):
            target[block, :w] = values
        ok[block, :w] = passed
        complete[block] = whole
        at += len(mine)
    return np.concatenate([b[0] for b in blocks]), out, ok, complete


def _group_blocks(g: int, group: np.ndarray, rows: np.ndarray, block, keep, depth: int):
    """(rows, compacted candidates, ok, complete) of group g's short rows, in blocks of
    at most _BLOCK_CELLS scores, so a large group never holds a rows x members matrix."""
    members = np.nonzero(group == g)[0]
    mine = rows[group[rows] == g]
    full = min(REFILL_DEPTH, len(members) - 1)
    take = min(depth, full)
    step = max(1, _BLOCK_CELLS // max(len(members), 1))
    for s in range(0, len(mine), step):
        cand, ok = _passing_in_order(mine[s:s + step], members, block, keep, take)
        yield mine[s:s + step], cand, ok, take >= full


def _passing_in_order(rows: np.ndarray, members: np.ndarray, block, keep,
                      take: int) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Of each row's first `take` members in score order (ties: lower row), those
    keep() passes, best first: ((indices, scores, distances), ok), as wide as the
    row with the most passing."""
    scores, dists = block(rows, members)
    cols = np.sort(first_set(scores, take), axis=1)  # ascending: the stable sort breaks ties
    s = np.take_along_axis(scores, cols, 1)
    d = np.take_along_axis(dists, cols, 1)
    cand = (members[cols], s, d)
    ok = keep(rows, cand)
    width = int(ok.sum(1).max(initial=0))
    order = np.argsort(np.where(ok, -s, np.inf), axis=1, kind="stable")[:, :width]
    passed = np.take_along_axis(ok, order, 1)
    return tuple(np.where(passed, np.take_along_axis(a, order, 1), fill).astype(a.dtype)
                 for a, fill in zip(cand, (-1, np.nan, np.nan))), passed


def first_set(scores: np.ndarray, take: int) -> np.ndarray:
    """(r, take) columns holding each row's first `take` of a stable argsort of
    -scores (ties: lower column), in no particular order; no whole-row sort."""
    r, m = scores.shape
    if take >= m:
        return np.broadcast_to(np.arange(m), (r, m)).copy()
    if take <= 0:
        return np.zeros((r, 0), dtype=np.int64)
    cols = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    picked = np.take_along_axis(scores, cols, 1)
    cut = picked.min(1, keepdims=True)
    # Ties at the cut: argpartition may have kept a higher column than the stable
    # order would. Those rows take the exact order (rare: equal vectors).
    tied = (scores == cut).sum(1) > (picked == cut).sum(1)
    if tied.any():
        cols[tied] = np.argsort(-scores[tied], axis=1, kind="stable")[:, :take]
    return cols.astype(np.int64)


def scores_to(vectors: np.ndarray, rows: np.ndarray, members: np.ndarray,
              metric: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(r, M) scores of rows against members (sorted; self = -inf), as in similarity,
    and the distances for euclidean/manhattan (None for cosine/dot: they follow
    from the scores, see distances_of)."""
    from scipy.spatial.distance import cdist

    a, b = vectors[rows].astype(np.float32), vectors[members].astype(np.float32)
    dists = None
    if metric in ("cosine", "dot"):
        if metric == "cosine":
            a, b = unit_rows(a), unit_rows(b)
        scores = a @ b.T
    else:
        dists = cdist(a, b, "cityblock" if metric == "manhattan" else "euclidean")
        scores = 1.0 / (1.0 + dists)
        dists = dists.astype(np.float32)
    scores = scores.astype(np.float32, copy=False)
    at = np.minimum(np.searchsorted(members, rows), len(members) - 1)
    mine = members[at] == rows
    scores[np.flatnonzero(mine), at[mine]] = -np.inf
    return scores, dists


def distances_of(scores: np.ndarray, metric: str) -> np.ndarray:
    """Distances of cosine/dot scores (1 - cosine; -dot), float32."""
    return (1.0 - scores if metric == "cosine" else -scores).astype(np.float32)
