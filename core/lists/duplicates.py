"""Duplicate groups with a merge map (re-exported by core.lists.groups).

Groups around a lead (the default): every member scores the duplicate threshold with its
group's lead, the product kept in its place. Leads are taken in turn, the product with
the most duplicates first (then the highest summed score, the most complete record, the
lowest row); each takes its duplicates not yet in a group. Connected components of the
pairs at or above the threshold (``chain=True``, the behaviour before) chain at a low
threshold: A~B and B~C put A and C in one group though A and C are unrelated (Abt-Buy at
0.8: 128 members of 77 groups chained; pairs sharing a group that are the same item 0.43
-> 0.61 around a lead, merge map rows 0.67 -> 0.75, gold pairs grouped 0.79 -> 0.70;
bench/duplicate_chaining.py). Each group has a canonical product and a merge map
``product_id, canonical_id, score`` for every other member.

A new threshold costs little: a :class:`DuplicateScorer` keeps the duplicate score of
every pool pair it has scored, so a lower threshold scores only the pairs it newly
reaches and a higher one none; canonical members are chosen over the sparse graph at
once (24,628 products, thresholds 0.95, 0.7, 0.5, 0.6 in turn: 24.5 s -> 2.7 s
in all, the same groups; bench/perf_duplicates.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.search.exact import pairwise_scores
from core.search.neighbors import METRICS, Neighbors

BothWays = Callable[[np.ndarray, np.ndarray], np.ndarray]
_MAX_EXACT_GROUP = 2000


@dataclass(frozen=True)
class DuplicateGroups:
    """group: (n,) int64 (-1 = no duplicate); canonical: (g,) rows; score_to_canonical: (n,)."""

    group: np.ndarray
    canonical: np.ndarray
    score_to_canonical: np.ndarray
    threshold: float
    # members with no pair at or above the threshold with the product kept: in their group
    # only through other members (chain=True only: similar products chain at a low
    # threshold, 12,978 of 24,628 walmart + amazon products in one group at 0.6)
    chained: int = 0

    @property
    def n_groups(self) -> int:
        return len(self.canonical)

    @property
    def largest(self) -> int:
        """How many products the largest group holds (0 without groups)."""
        grouped = self.group[self.group >= 0]
        return int(np.bincount(grouped).max()) if len(grouped) else 0

    @property
    def n_products(self) -> int:
        return int((self.group >= 0).sum())


class DuplicateScorer:
    """The duplicate score (``both_ways``) of a pool's pairs, each pair scored once and kept.

    pool: (n, k) candidates; entries are flat positions row * k + column. Keep one per
    pool (the Groups page keeps it across thresholds): a threshold scores only the
    entries no earlier call did. Safe to share between threads.
    """

    def __init__(self, pool: Neighbors, both_ways: BothWays) -> None:
        self.shape = pool.indices.shape
        self.both_ways = both_ways
        self._dst = pool.indices.reshape(-1)
        self._scores = np.full(self._dst.shape, np.nan, dtype=np.float32)
        self._done = np.zeros(self._dst.shape, dtype=bool)
        self._lock = threading.Lock()

    def scores(self, entries: np.ndarray) -> np.ndarray:
        """(m,) float32 duplicate scores of flat pool entries (m,) int64."""
        entries = np.asarray(entries, dtype=np.int64)
        with self._lock:
            todo = entries[~self._done[entries]]
            if len(todo):
                got = self.both_ways(todo // self.shape[1], self._dst[todo])
                self._scores[todo] = np.asarray(got, dtype=np.float32)
                self._done[todo] = True
            return self._scores[entries]


def duplicate_groups(pool: Neighbors, threshold: float, *, vectors: np.ndarray | None = None,
                     completeness: np.ndarray | None = None,
                     both_ways: BothWays | None = None,
                     categories: np.ndarray | None = None,
                     per_category: Mapping[str, float] | None = None,
                     scorer: DuplicateScorer | None = None,
                     chain: bool = False) -> DuplicateGroups:
    """Groups of pool pairs scoring >= threshold (size >= 2), each around a lead.

    Every member of a group scores >= threshold with the group's lead, its canonical
    product (score_to_canonical is that score); see _lead_groups. chain: connected
    components instead (A~B and B~C put A and C in one group), as before.

    categories, per_category: (n,) category values (as text) and thresholds chosen per
    category on labelled pairs (``Config.category_thresholds``); a pair of two products
    of one such category needs that category's threshold instead of ``threshold``.

    both_ways: the duplicate score of pairs (left rows, right rows) -> (m,) scores, the
    Duplicate threshold page's score (NeighborIndex.pair_scores(...).match: the lower of
    the two products' list scores for each other); an edge then needs it >= threshold,
    so a threshold chosen there on labelled pairs means the same here. It is never above
    the list score, so only pool pairs at or above the threshold are scored.
    scorer: a DuplicateScorer of this pool kept across calls (its both_ways is used):
    pairs scored by an earlier threshold are not scored again.
    completeness: (n,) filled fields, preferred among leads of equal standing.
    With chain, the canonical product is the member with the highest summed score to the
    other members (pairwise with vectors, else over pool edges), then the most complete
    record, then the lowest row; a member joined to the canonical one through others has
    its score for it from both_ways when given (else NaN: unknown).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if scorer is None and both_ways is not None:
        scorer = DuplicateScorer(pool, both_ways)
    if scorer is not None and scorer.shape != pool.indices.shape:
        raise ValueError("scorer was made for another pool")
    n = pool.indices.shape[0]
    src, dst, sc = _edges(pool, threshold, scorer, categories, per_category)
    fill = np.zeros(n) if completeness is None else np.asarray(completeness, dtype=np.float64)
    if not chain:
        return DuplicateGroups(*_lead_groups(n, src, dst, sc, fill), float(threshold))
    graph = coo_matrix((sc.astype(np.float64), (src, dst)), shape=(n, n)).tocsr()
    _, comp = connected_components(graph, directed=True, connection="weak")
    group = _numbered(comp)
    sym = graph.maximum(graph.T).tocsr()
    canonical, score = _canonicals(group, sym, fill, vectors if pool.metric in METRICS else None,
                                   pool.metric)
    unknown = np.flatnonzero((group >= 0) & np.isnan(score))
    unknown = unknown[~np.isin(unknown, canonical)]
    if scorer is not None and len(unknown):  # grouped through another member: its own
        to = canonical[group[unknown]]         # duplicate score for the canonical one
        score[unknown] = np.asarray(scorer.both_ways(unknown, to), dtype=np.float32)
    return DuplicateGroups(group, canonical, score, float(threshold),
                           chained=_chained(group, canonical, sym))


def _lead_groups(n: int, src: np.ndarray, dst: np.ndarray, sc: np.ndarray,
                 fill: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(group (n,), canonical (g,), score (n,) float32) of groups around a lead.

    src, dst, sc: (m,) the pairs at or above their threshold, either direction. Leads are
    taken in turn: most duplicates, then the highest summed score, the most complete
    record (fill), the lowest row. Each takes those of its duplicates not yet in a group;
    one whose duplicates are all taken is no lead and may still join a later lead.
    Groups are numbered by their lowest row; score: each member's for its lead."""
    a, b, s = _both_directions(src, dst, sc)
    degree = np.bincount(a, minlength=n)
    sums = np.bincount(a, weights=s, minlength=n)
    starts = np.concatenate([[0], np.cumsum(degree)])
    rows = np.arange(n)
    leads = np.lexsort((rows, -fill, -sums, -degree))
    group = np.full(n, -1, dtype=np.int64)
    score = np.full(n, np.nan, dtype=np.float32)
    canonical: list[int] = []
    for p in leads[degree[leads] > 0]:
        if group[p] >= 0:
            continue
        mates, mate_scores = b[starts[p]:starts[p + 1]], s[starts[p]:starts[p + 1]]
        free = group[mates] < 0
        if not free.any():
            continue
        group[mates[free]] = group[p] = len(canonical)
        score[mates[free]] = mate_scores[free]
        canonical.append(int(p))
    lead = np.asarray(canonical, dtype=np.int64)
    group = _numbered(np.where(group >= 0, group, len(lead) + rows))  # the rest: alone
    out = np.empty(len(lead), dtype=np.int64)
    out[group[lead]] = lead
    return group, out, score


def _both_directions(src: np.ndarray, dst: np.ndarray,
                     sc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (a, b, score) sorted by a, each unordered pair in both directions once, with
    the higher of its scores; no pair of a product with itself."""
    a, b = np.concatenate([src, dst]), np.concatenate([dst, src])
    s = np.concatenate([sc, sc]).astype(np.float64)
    keep = a != b
    a, b, s = a[keep], b[keep], s[keep]
    order = np.lexsort((-s, b, a))
    a, b, s = a[order], b[order], s[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first].astype(np.int64), b[first].astype(np.int64), s[first]


def _chained(group: np.ndarray, canonical: np.ndarray, sym) -> int:
    """How many members have no edge (a pair at or above its threshold) with their
    group's canonical product."""
    members = np.flatnonzero(group >= 0)
    members = members[~np.isin(members, canonical)]
    if not len(members):
        return 0
    direct = np.asarray(sym[members, canonical[group[members]]]).ravel() != 0
    return int((~direct).sum())


def _edges(pool: Neighbors, threshold: float, scorer: DuplicateScorer | None,
           categories: np.ndarray | None, per_category: Mapping[str, float] | None):
    """(src, dst, score) of the pool pairs at or above their threshold (their category's
    or the global one), on the duplicate score when scorer is given."""
    k = pool.indices.shape[1]
    dst, sc = pool.indices.reshape(-1), pool.scores.reshape(-1)
    need = _edge_thresholds(threshold, categories, per_category)
    lowest = min([threshold, *need.values()]) if need else threshold
    entries = np.flatnonzero((dst >= 0) & (sc >= lowest))
    src = entries // k if k else entries
    # each pair's threshold, worked out once: its category's or the global one
    limit = _pair_thresholds(src, dst[entries], threshold, categories, need) if need \
        else threshold
    keep = sc[entries] >= limit
    entries, src = entries[keep], src[keep]
    limit = limit[keep] if need else threshold
    if scorer is None or not len(entries):
        return src, dst[entries], sc[entries]
    score = scorer.scores(entries)
    keep = score >= limit
    return src[keep], dst[entries[keep]], score[keep]


def _numbered(comp: np.ndarray) -> np.ndarray:
    """(n,) group per row: components of two or more rows numbered by their lowest row,
    -1 for the rest."""
    n = len(comp)
    sizes = np.bincount(comp, minlength=comp.max() + 1 if n else 0)
    first = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first, comp, np.arange(n))
    multi = np.nonzero(sizes >= 2)[0]
    number = np.full(len(sizes), -1, dtype=np.int64)
    number[multi[np.argsort(first[multi], kind="stable")]] = np.arange(len(multi))
    return number[comp] if n else np.zeros(0, dtype=np.int64)


def _canonicals(group: np.ndarray, sym, fill: np.ndarray, vectors: np.ndarray | None,
                metric: str) -> tuple[np.ndarray, np.ndarray]:
    """((g,) canonical row per group, (n,) float32 score of each member for its group's
    canonical one, NaN: none known, the canonical one itself, or no group).

    With vectors (an exact metric) groups up to _MAX_EXACT_GROUP are scored pairwise;
    the others over their edges in sym (n, n) CSR, all groups at once."""
    n_groups = int(group.max()) + 1 if len(group) else 0
    canonical = np.full(n_groups, -1, dtype=np.int64)
    score = np.full(len(group), np.nan, dtype=np.float32)
    sizes = np.bincount(group[group >= 0], minlength=n_groups)
    pairwise = np.zeros(n_groups, dtype=bool)
    if vectors is not None:
        pairwise = sizes <= _MAX_EXACT_GROUP
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(n_groups))
    for g in np.flatnonzero(pairwise):
        members = order[starts[g]:starts[g] + sizes[g]]
        sims = pairwise_scores(vectors[members], metric=metric).astype(np.float64)
        np.fill_diagonal(sims, 0.0)
        best = members[np.lexsort((members, -fill[members], -np.nansum(sims, axis=1)))[0]]
        canonical[g] = best
        score[members] = sims[:, np.nonzero(members == best)[0][0]]
    on_edges = ~pairwise
    if on_edges.any():
        _edge_canonicals(group, sym, fill, on_edges, order, starts, sizes, canonical, score)
    score[canonical] = np.nan
    return canonical, score


def _edge_canonicals(group, sym, fill, chosen, order, starts, sizes, canonical, score) -> None:
    """Fill canonical[g] and score for the groups chosen, over their edges: the summed
    edge scores of each member (sym's row sums), compared exactly (dense rows, as
    np.nansum adds them) wherever two members come within rounding of the best."""
    coo = sym.tocoo()
    off = coo.row != coo.col
    rows, cols, vals = coo.row[off], coo.col[off], coo.data[off]
    n = len(group)
    sums = np.bincount(rows, weights=vals, minlength=n)
    nnz = np.bincount(rows, minlength=n)
    members = np.flatnonzero((group >= 0) & chosen[np.maximum(group, 0)])
    g = group[members]
    top = np.full(len(chosen), -np.inf)
    np.maximum.at(top, g, sums[members])
    near = sums[members] >= top[g] - 1e-9 * np.maximum(1.0, np.abs(top[g]))
    cand, cg = members[near], g[near]
    # a sum of one or two edges is exact whatever the order; more may differ by rounding
    unsure = np.zeros(len(chosen), dtype=bool)
    unsure[cg[(nnz[cand] > 2) & (np.bincount(cg, minlength=len(chosen))[cg] > 1)]] = True
    sure = ~unsure[cg]
    first = np.lexsort((cand[sure], -fill[cand[sure]], -sums[cand[sure]], cg[sure]))
    gs, at = np.unique(cg[sure][first], return_index=True)
    canonical[gs] = cand[sure][first][at]
    for gi in np.flatnonzero(unsure):
        rows_g = order[starts[gi]:starts[gi] + sizes[gi]]
        c = cand[cg == gi]
        dense = sym[c][:, rows_g].toarray()
        dense[dense == 0] = np.nan
        dense[np.arange(len(c)), np.searchsorted(rows_g, c)] = 0.0
        canonical[gi] = c[np.lexsort((c, -fill[c], -np.nansum(dense, axis=1)))[0]]
    hit = (group[rows] >= 0) & chosen[np.maximum(group[rows], 0)]
    hit &= cols == canonical[np.maximum(group[rows], 0)]
    score[rows[hit]] = np.where(vals[hit] == 0, np.nan, vals[hit]).astype(np.float32)
def _edge_thresholds(threshold: float, categories: np.ndarray | None,
                     per_category: Mapping[str, float] | None) -> dict[str, float]:
    """The per-category thresholds that differ from the global one (none without categories)."""
    if categories is None or not per_category:
        return {}
    return {str(k): float(v) for k, v in per_category.items() if float(v) != float(threshold)}


def _pair_thresholds(src: np.ndarray, dst: np.ndarray, threshold: float,
                     categories: np.ndarray, need: dict[str, float]) -> np.ndarray:
    """(m,) threshold per pair: its category's when both products share one in need."""
    cats = np.asarray(categories, dtype=object)
    a, b = cats[src], cats[dst]
    limits = pd.Series(a, dtype=object).map(need).to_numpy(dtype=np.float64)
    return np.where((a == b) & ~np.isnan(limits), limits, float(threshold))


def merge_map(ids: np.ndarray, dups: DuplicateGroups) -> pd.DataFrame:
    """product_id, canonical_id, score for every non-canonical member of a duplicate group."""
    ids = np.asarray(ids, dtype=object)
    rows = np.nonzero(dups.group >= 0)[0]
    rows = rows[~np.isin(rows, dups.canonical)]
    rows = rows[np.lexsort((rows, dups.group[rows]))]
    return pd.DataFrame({"product_id": ids[rows],
                         "canonical_id": ids[dups.canonical[dups.group[rows]]],
                         "score": dups.score_to_canonical[rows].astype(np.float64).round(6)})


def duplicate_table(ids: np.ndarray, titles: list[str], dups: DuplicateGroups) -> pd.DataFrame:
    """One row per duplicate group: group, size, canonical_id, canonical_title."""
    ids, titles = np.asarray(ids, dtype=object), np.asarray(titles, dtype=object)
    sizes = np.bincount(dups.group[dups.group >= 0], minlength=dups.n_groups)
    return pd.DataFrame({"group": np.arange(dups.n_groups), "size": sizes,
                         "canonical_id": ids[dups.canonical],
                         "canonical_title": titles[dups.canonical]})


__all__ = [
    "DuplicateGroups",
    "DuplicateScorer",
    "duplicate_groups",
    "duplicate_table",
    "merge_map",
]
