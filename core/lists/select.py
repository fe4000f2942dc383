"""The selection machinery behind core.lists.rules.apply_rules (row chunks, vectorised).

filter_candidates: the filter rules as one (c, m) mask; select_chunk: pins first,
then greedy selection (in_order when it reduces to a cut, greedy with max_per
and maximal marginal relevance otherwise); refill_pool: exact candidates within
a product's group for lists left short under a ``same`` rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.lists.spec import Rules

REFILL_DEPTH = 2000
_BLOCK_CELLS = 1 << 22  # scores held at once while refilling (16 MB)
_BIG_GROUP = 1024  # groups with at least this many members use BLAS threads


RELEVANCE = "relevance floor"


@dataclass(frozen=True)
class Floor:
    """The relevance floor: candidates whose meaning score (meaning(rows, idx) -> (c, m),
    NaN for padding) is below threshold are left out."""

    threshold: float
    meaning: Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Features:
    """Per-product arrays the rules read: codes (n,) int64, prices (n,) float, stock (n,) bool."""

    same: tuple[tuple[str, np.ndarray], ...]
    different: tuple[tuple[str, np.ndarray], ...]
    max_per: tuple[tuple[str, np.ndarray, int], ...]
    prices: np.ndarray | None
    stock: np.ndarray | None


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


def filter_candidates(rows: np.ndarray, cand: tuple[np.ndarray, ...], n: int,
                      feats: Features, rules: Rules, dup: float | None, block_keys: np.ndarray,
                      removed: dict[str, int], floor: Floor | None = None,
                      per_row: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """(c, m) bool: candidates (indices, scores, ...) of these rows passing every filter.

    floor: the relevance floor (None: off); per_row: name -> (n,) counts of
    candidates each filter removed per row, updated in place."""
    idx, scores = cand[0], cand[1]
    ok = idx >= 0
    nb = np.clip(idx, 0, None)
    checks: list[tuple[str, np.ndarray]] = []
    for col, codes in feats.same:
        src = codes[rows][:, None]
        checks.append((f"same {col}", (src < 0) | (codes[nb] == src)))
    for col, codes in feats.different:
        src = codes[rows][:, None]
        checks.append((f"different {col}", (src < 0) | (codes[nb] != src)))
    if feats.prices is not None:
        low, high = rules.price_ratio
        src = feats.prices[rows][:, None]
        ratio = feats.prices[nb] / src
        checks.append(("price ratio", np.isnan(src) | ((ratio >= low) & (ratio <= high))))
    if rules.min_score is not None:
        checks.append(("min score", scores >= rules.min_score))
    if dup is not None:
        checks.append(("duplicate", scores < dup))
    if feats.stock is not None:
        checks.append(("in stock", feats.stock[nb]))
    if len(block_keys):
        checks.append(("blocked", ~np.isin(rows[:, None] * n + nb, block_keys)))
    if floor is not None:
        checks.append((RELEVANCE, floor.meaning(rows, idx) >= floor.threshold))
    passed = ok.copy()
    for name, mask in checks:
        fails = ok & ~mask
        removed[name] = removed.get(name, 0) + int(fails.sum())
        if per_row is not None:
            per_row.setdefault(name, np.zeros(n, dtype=np.int64))[rows] += fails.sum(1)
        passed &= mask
    return passed


def first_eligible(ok: np.ndarray, depth: int) -> np.ndarray:
    """(c, D) pool columns of each row's first D eligible entries, -1 where none."""
    m = ok.shape[1]
    if depth >= m:
        return np.where(ok, np.arange(m)[None, :], -1)
    order = np.argsort(~ok, axis=1, kind="stable")[:, :depth]
    return np.where(np.take_along_axis(ok, order, 1), order, -1)


def select_chunk(rows: np.ndarray, cand_in: tuple[np.ndarray, ...], ok: np.ndarray,
                 feats: Features, rules: Rules, unit: np.ndarray | None, pin_lists: dict,
                 width: int, out: tuple[np.ndarray, ...]) -> None:
    """Greedy selection for one chunk of rows, written into out (indices, scores, dists, lengths).

    cand_in: (indices, scores, distances) (c, m) candidates of these rows, best first.
    With diversity, only each row's first max(3k, 30) eligible candidates compete.
    """
    out_i, out_s, out_d, lengths = out
    idx, cand_scores, cand_dists = cand_in
    npins = np.zeros(len(rows), dtype=np.int64)
    pinned = [(r, row, pin_lists[row]) for r, row in enumerate(rows.tolist())
              if row in pin_lists] if pin_lists else []
    for r, row, pins in pinned:
        npins[r] = len(pins)
        for j, (b, s, d) in enumerate(pins):
            out_i[row, j], out_s[row, j], out_d[row, j] = b, s, d
            ok[r] &= idx[r] != b
    depth = max(3 * width, 30) if unit is not None else idx.shape[1]
    cols = first_eligible(ok, min(depth, int(ok.sum(1).max(initial=0))))
    valid = cols >= 0
    r_all = np.arange(len(rows))[:, None]
    safe_cols = np.clip(cols, 0, None)
    cand = np.where(valid, idx[r_all, safe_cols], -1)
    nb = np.clip(cand, 0, None)
    limits = [(np.where(valid, codes[nb], -1), lim, np.zeros(cand.shape, dtype=np.int64))
              for _, codes, lim in feats.max_per]
    g = unit[nb] if unit is not None else None
    maxsim = np.full(cand.shape, -np.inf, dtype=np.float32) if g is not None else None
    for r, _, pins in pinned:
        for b, _, _ in pins:
            for (codes_nb, _, cnt), (_, codes, _) in zip(limits, feats.max_per):
                cnt[r] += (codes_nb[r] == codes[b]) & (codes[b] >= 0)
            if g is not None:
                maxsim[r] = np.maximum(maxsim[r], g[r] @ unit[b])
    scores = np.where(valid, cand_scores[r_all, safe_cols], -np.inf)
    picks, count = greedy(scores, valid, width - npins, limits, rules.diversity, g, maxsim,
                           width)
    r_idx, t_idx = np.nonzero(picks >= 0)
    chosen = safe_cols[r_idx, picks[r_idx, t_idx]]
    dest = npins[r_idx] + t_idx
    out_i[rows[r_idx], dest] = idx[r_idx, chosen]
    out_s[rows[r_idx], dest] = cand_scores[r_idx, chosen]
    out_d[rows[r_idx], dest] = cand_dists[r_idx, chosen]
    lengths[rows] = npins + count


def greedy(scores: np.ndarray, eligible: np.ndarray, quota: np.ndarray, limits: list,
           lam: float, g: np.ndarray | None, maxsim: np.ndarray | None,
           width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick up to quota[r] columns per row; returns (picks (c, width) -1 padded, count (c,)).

    limits: [(codes (c, m), limit, counts (c, m))] updated in place (max_per).
    g: (c, m, d) unit vectors of the candidates (diversity), maxsim (c, m) their
    highest cosine to a chosen item so far (-inf: none). Without diversity the
    utility is pool order, so the result equals a plain cut of the eligible.
    """
    if lam == 0 and len(limits) <= 1:
        return in_order(eligible, quota, limits[0] if limits else None, width)
    c, m = scores.shape
    gram = candidate_gram(g) if g is not None else None
    picks = np.full((c, width), -1, dtype=np.int64)
    count = np.zeros(c, dtype=np.int64)
    elig = eligible.copy()
    rows = np.arange(c)
    order = -np.arange(m, dtype=np.float64)[None, :]
    for _ in range(width):
        cand = elig & (count < quota)[:, None]
        for codes, limit, cnt in limits:
            cand &= ~((codes >= 0) & (cnt >= limit))
        if lam > 0:
            penalty = np.where(np.isfinite(maxsim), maxsim, 0.0)
            util = (1.0 - lam) * scores - lam * penalty
        else:
            util = order
        j = np.where(cand, util, -np.inf).argmax(1)
        got = cand[rows, j]
        if not got.any():
            break
        r, jj = rows[got], j[got]
        picks[r, count[r]] = jj
        count[r] += 1
        elig[r, jj] = False
        for codes, _, cnt in limits:
            picked = codes[r, jj][:, None]
            cnt[r] += (codes[r] == picked) & (picked >= 0)
        if gram is not None:
            maxsim[r] = np.maximum(maxsim[r], gram[r, :, jj])
    return picks, count


def in_order(eligible: np.ndarray, quota: np.ndarray, limit: tuple | None,
             width: int) -> tuple[np.ndarray, np.ndarray]:
    """greedy without diversity and with at most one max_per column, vectorised.

    A candidate is taken when fewer than `limit` earlier eligible candidates (plus
    pins, in counts) share its value, and while the row's quota is not reached;
    greedy in pool order does exactly that.
    """
    ok = eligible
    if limit is not None:
        codes, cap, pins = limit
        ok = eligible & ((codes < 0) | (occurrence(codes, eligible) + pins < cap))
    rank = np.cumsum(ok, axis=1)
    take = ok & (rank <= quota[:, None])
    count = take.sum(1)
    picks = np.full((len(ok), width), -1, dtype=np.int64)
    r, j = np.nonzero(take)
    picks[r, rank[r, j] - 1] = j
    return picks, count


def occurrence(codes: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """(c, m): how many earlier eligible columns of the row share the column's code."""
    c, m = codes.shape
    key = np.where(eligible, codes, -1).astype(np.int32)
    order = np.argsort(key, axis=1, kind="stable")
    srt = np.take_along_axis(key, order, 1)
    pos = np.broadcast_to(np.arange(m), (c, m))
    first = np.ones((c, m), dtype=bool)
    first[:, 1:] = srt[:, 1:] != srt[:, :-1]
    start = np.maximum.accumulate(np.where(first, pos, 0), axis=1)
    out = np.empty((c, m), dtype=np.int64)
    np.put_along_axis(out, order, pos - start, 1)
    return out


def candidate_gram(g: np.ndarray) -> np.ndarray:
    """(c, m, m) float32 cosine between each row's candidates (batched matmul in torch)."""
    import torch

    t = torch.from_numpy(np.ascontiguousarray(g, dtype=np.float32))
    with torch.inference_mode():
        return torch.bmm(t, t.transpose(1, 2)).numpy()
