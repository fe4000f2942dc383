"""The selection machinery behind core.lists.rules.apply_rules (row chunks, vectorised).

select_chunk: pins first, then greedy selection (in_order when it reduces to a cut,
greedy with max_per and maximal marginal relevance otherwise). The candidate filter
(filter_candidates, Features, Floor) is core.lists.filters and refill_pool (exact
candidates within a product's group for lists left short under a ``same`` rule) is
core.lists.refill; their public names are re-exported here.
"""

from __future__ import annotations

import numpy as np

from core.lists.filters import RELEVANCE, Features, Floor, filter_candidates
from core.lists.refill import (
    REFILL_DEPTH,
    distances_of,
    first_set,
    index_block,
    metric_block,
    refill_pool,
    scores_to,
    unit_rows,
)
from core.lists.spec import Rules


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


__all__ = [
    "REFILL_DEPTH",
    "RELEVANCE",
    "Features",
    "Floor",
    "candidate_gram",
    "distances_of",
    "filter_candidates",
    "first_eligible",
    "first_set",
    "greedy",
    "in_order",
    "index_block",
    "metric_block",
    "occurrence",
    "refill_pool",
    "scores_to",
    "select_chunk",
    "unit_rows",
]
