"""Duplicate groups: the scorer kept across thresholds and the grouping over the sparse
graph give exactly the groups, canonical products and scores of the plain computation
(the code before them, kept here as the oracle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.lists import duplicates
from core.lists.duplicates import DuplicateScorer, duplicate_groups
from core.search.exact import pairwise_scores
from core.search.neighbors import METRICS, Neighbors

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo_walmart.csv"


def oracle(pool, threshold, *, vectors=None, completeness=None, both_ways=None,
           categories=None, per_category=None):
    """duplicate_groups(chain=True) before the scorer: every pair scored per call, one
    dense matrix per group."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = pool.indices.shape[0]
    src = np.repeat(np.arange(n), pool.indices.shape[1])
    dst, sc = pool.indices.reshape(-1), pool.scores.reshape(-1)
    need = duplicates._edge_thresholds(threshold, categories, per_category)
    lowest = min([threshold, *need.values()]) if need else threshold
    edge = (dst >= 0) & (sc >= lowest)
    src, dst, sc = src[edge], dst[edge], sc[edge]
    limit = duplicates._pair_thresholds(src, dst, threshold, categories, need) if need \
        else threshold
    keep = sc >= limit
    src, dst, sc = src[keep], dst[keep], sc[keep]
    if both_ways is not None and len(src):
        sc = np.asarray(both_ways(src, dst), dtype=np.float32)
        keep = sc >= (limit[keep] if need else threshold)
        src, dst, sc = src[keep], dst[keep], sc[keep]
    graph = coo_matrix((sc.astype(np.float64), (src, dst)), shape=(n, n)).tocsr()
    _, comp = connected_components(graph, directed=True, connection="weak")
    sizes = np.bincount(comp, minlength=comp.max() + 1 if n else 0)
    multi = np.nonzero(sizes >= 2)[0]
    group = np.full(n, -1, dtype=np.int64)
    score = np.full(n, np.nan, dtype=np.float32)
    canon = []
    sym = graph.maximum(graph.T).tocsr()
    fill = np.zeros(n) if completeness is None else np.asarray(completeness, dtype=np.float64)
    exact = pool.metric in METRICS
    order = np.argsort(comp, kind="stable")
    starts = np.searchsorted(comp[order], multi)
    by_first = sorted(zip(multi, starts), key=lambda cs: int(order[cs[1]]))
    for g, (c, start) in enumerate(by_first):
        members = order[start:start + sizes[c]]
        if vectors is not None and exact and len(members) <= duplicates._MAX_EXACT_GROUP:
            sims = pairwise_scores(vectors[members], metric=pool.metric).astype(np.float64)
        else:
            sims = sym[members][:, members].toarray()
            sims[sims == 0] = np.nan
        np.fill_diagonal(sims, 0.0)
        best = members[np.lexsort((members, -fill[members], -np.nansum(sims, axis=1)))[0]]
        group[members] = g
        canon.append(int(best))
        score[members] = sims[:, np.nonzero(members == best)[0][0]]
        score[best] = np.nan
    canonical = np.array(canon, dtype=np.int64)
    unknown = np.flatnonzero((group >= 0) & np.isnan(score))
    unknown = unknown[~np.isin(unknown, canonical)]
    if both_ways is not None and len(unknown):
        score[unknown] = np.asarray(both_ways(unknown, canonical[group[unknown]]),
                                    dtype=np.float32)
    return group, canonical, score


def assert_same(got, want) -> None:
    group, canonical, score = want
    assert np.array_equal(got.group, group)
    assert np.array_equal(got.canonical, canonical)
    assert np.array_equal(got.score_to_canonical, score, equal_nan=True)


def random_pool(rng, n: int, k: int, metric: str, *, coarse: bool) -> Neighbors:
    """Random candidates (some rows short, -1), scores best first; coarse scores (0.01
    steps) make many exact ties between members' sums."""
    idx = np.stack([rng.choice(n - 1, size=k, replace=False) for _ in range(n)])
    idx = idx + (idx >= np.arange(n)[:, None])  # never itself
    sc = rng.uniform(0.3, 1.0, size=(n, k))
    sc = np.round(sc, 2) if coarse else sc
    sc = -np.sort(-sc, axis=1).astype(np.float32)
    short = rng.random(n) < 0.2
    idx[short, k // 2:] = -1
    sc[short, k // 2:] = -np.inf
    return Neighbors(idx.astype(np.int64), sc, 1 - sc, metric)


def pair_table(rng, n: int, coarse: bool):
    """A duplicate score for every ordered pair: symmetric or not, sometimes NaN."""
    table = rng.uniform(0.3, 1.0, size=(n, n)).astype(np.float32)
    table = np.round(table, 2) if coarse else table
    table[rng.random((n, n)) < 0.01] = np.nan
    return table


@pytest.mark.parametrize("metric", ["hybrid(cosine)", "cosine"])
@pytest.mark.parametrize("coarse", [True, False])
def test_same_groups_as_the_plain_computation_at_every_threshold(rng, metric, coarse,
                                                                  monkeypatch):
    n, k = 301, 7
    monkeypatch.setattr(duplicates, "_MAX_EXACT_GROUP", 5)  # big groups go over edges too
    pool = random_pool(rng, n, k, metric, coarse=coarse)
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    filled = rng.integers(0, 3, size=n)
    table = pair_table(rng, n, coarse)
    asked = []

    def both_ways(a, b):
        asked.append(len(a))
        return np.minimum(table[a, b], pool.scores.max())

    cats = rng.choice(np.array(["shoes", "tv", "cups"], dtype=object), size=n)
    scorer = DuplicateScorer(pool, both_ways)
    for threshold in (0.97, 0.9, 0.6, 0.95, 0.3, 0.75, 1.5):
        for kw in ({}, {"vectors": vectors, "completeness": filled},
                   {"categories": cats, "per_category": {"shoes": threshold - 0.1}}):
            want = oracle(pool, threshold, both_ways=both_ways, **kw)
            assert_same(duplicate_groups(pool, threshold, scorer=scorer, chain=True, **kw), want)
            assert_same(duplicate_groups(pool, threshold, both_ways=both_ways, chain=True, **kw),
                        want)
            assert_same(duplicate_groups(pool, threshold, chain=True, **kw),
                        oracle(pool, threshold, **kw))


def test_the_scorer_scores_each_pool_pair_once(rng):
    pool = random_pool(rng, 120, 5, "hybrid(cosine)", coarse=False)
    table = pair_table(rng, 120, coarse=False)
    asked = []

    def both_ways(a, b):
        asked.extend(zip(a.tolist(), b.tolist()))
        return table[a, b]

    scorer = DuplicateScorer(pool, both_ways)
    flat = pool.indices.reshape(-1)
    first, second = np.arange(0, 300), np.arange(200, 600)
    got = scorer.scores(first)
    assert np.array_equal(got, table[first // 5, flat[first]], equal_nan=True)
    got = scorer.scores(second)
    assert np.array_equal(got, table[second // 5, flat[second]], equal_nan=True)
    assert len(asked) == 600  # 200..299 (NaN ones too) not asked again
    scorer.scores(np.arange(flat.size))  # every pool pair scored: a threshold asks nothing
    asked.clear()                           # more around a lead, and with chain only
    assert duplicate_groups(pool, 0.6, scorer=scorer).n_groups and not asked
    dups = duplicate_groups(pool, 0.6, scorer=scorer, chain=True)  # members joined through
    assert dups.n_groups and asked  # others, for their own score for the canonical product
    assert all(dups.canonical[dups.group[a]] == b for a, b in asked)
    with pytest.raises(ValueError, match="another pool"):
        duplicate_groups(random_pool(rng, 50, 5, "cosine", coarse=False), 0.9, scorer=scorer)


def test_identical_products_and_tiny_pools(rng):
    x = np.ones((4, 3), dtype=np.float32)
    for n in (1, 2, 3, 4):
        idx = np.array([[j for j in range(n) if j != i] + [-1] for i in range(n)])
        sc = np.where(idx >= 0, 1.0, -np.inf).astype(np.float32)
        for metric in ("cosine", "hybrid(cosine)"):
            pool = Neighbors(idx, sc, 1 - sc, metric)
            for kw in ({}, {"vectors": x[:n]}):
                assert_same(duplicate_groups(pool, 0.9, chain=True, **kw),
                            oracle(pool, 0.9, **kw))


def test_same_groups_on_a_real_catalog(tiny_encoder):
    """The first 600 products of the demo catalog (real titles, many near-copies) through
    the real index: the hybrid pool and its duplicate score."""
    from core.catalog.table import RawTable, build_catalog
    from core.config import Config
    from core.pipeline import candidate_pool, neighbor_index

    frame = pd.read_csv(DEMO, dtype=str, keep_default_na=False).head(600)
    cfg = Config(id_column="id", text_columns=("title",), category_column="category",
                 brand_column="brand")
    cat = build_catalog(RawTable(frame, "demo.csv"), cfg.mapping(cfg.text_columns), name="demo")
    vectors = tiny_encoder.encode(cat.texts)
    index = neighbor_index(cat, vectors, cfg)
    pool = candidate_pool(cat, vectors, cfg, index=index)
    filled = (frame.astype(str).apply(lambda s: s.str.strip() != "")).sum(axis=1).to_numpy()

    def both(a, b):
        return index.pair_scores(a, b).match

    scorer = DuplicateScorer(pool, both)
    grouped = 0
    for threshold in (0.9, 0.7, 0.5, 0.8):
        want = oracle(pool, threshold, vectors=vectors, completeness=filled, both_ways=both)
        got = duplicate_groups(pool, threshold, vectors=vectors, completeness=filled,
                               scorer=scorer, chain=True)
        assert_same(got, want)
        grouped = max(grouped, got.n_groups)
    assert grouped > 10  # the check saw real groups


def test_members_joined_only_through_others_are_counted():
    """A chain 0-1-2-3-4 (each product a duplicate of the next only) is one group at 0.8:
    the product kept is the middle one, and the two ends do not score 0.8 with it. A star
    (every member a duplicate of the centre) has none chained."""
    def pool(pairs, n):
        idx = np.full((n, 2), -1, dtype=np.int64)
        sc = np.full((n, 2), -np.inf, dtype=np.float32)
        fill = np.zeros(n, dtype=int)
        for a, b, s in pairs:
            for x, y in ((a, b), (b, a)):
                idx[x, fill[x]], sc[x, fill[x]] = y, s
                fill[x] += 1
        order = np.argsort(-sc, axis=1)
        return Neighbors(np.take_along_axis(idx, order, 1), np.take_along_axis(sc, order, 1),
                         None, "hybrid(cosine)")

    path = pool([(0, 1, 0.9), (1, 2, 0.95), (2, 3, 0.95), (3, 4, 0.9)], 5)
    chain = duplicate_groups(path, 0.8, chain=True)
    assert chain.n_groups == 1 and chain.largest == 5 and chain.canonical.tolist() == [2]
    assert chain.chained == 2  # products 0 and 4: only through 1 and 3
    star = duplicate_groups(pool([(0, 1, 0.9), (0, 2, 0.9)], 3), 0.8, chain=True)
    assert star.n_groups == 1 and star.largest == 3 and star.chained == 0
    none = duplicate_groups(pool([(0, 1, 0.5)], 2), 0.8, chain=True)
    assert none.n_groups == 0 and none.largest == 0 and none.chained == 0
    # around a lead (the default) nothing chains: 2 keeps its two duplicates, 0 and 4
    # (duplicates of 1 and 3 only, both taken) are in no group
    lead = duplicate_groups(path, 0.8)
    assert lead.group.tolist() == [-1, 0, 0, 0, -1] and lead.canonical.tolist() == [2]
    assert lead.chained == 0 and lead.score_to_canonical[[1, 3]].tolist() == pytest.approx([0.95, 0.95])


def lead_oracle(pool, threshold, *, both_ways=None, completeness=None):
    """Groups around a lead in plain Python: each pool pair at or above the threshold
    (on both_ways when given) is an edge with the higher of its two scores; leads by most
    edges, highest summed score, most complete, lowest row; a lead takes its free mates."""
    n, k = pool.indices.shape
    edge: dict[tuple[int, int], float] = {}
    for i in range(n):
        for c in range(k):
            j, s = int(pool.indices[i, c]), pool.scores[i, c]  # float32, compared as such
            if j < 0 or j == i or s < threshold:
                continue
            if both_ways is not None:
                s = np.float32(both_ways(np.array([i]), np.array([j]))[0])
                if not s >= threshold:
                    continue
            key = (min(i, j), max(i, j))
            edge[key] = max(edge.get(key, -np.inf), float(s))
    mates: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), s in edge.items():
        mates[i][j] = mates[j][i] = s
    fill = [0.0] * n if completeness is None else list(completeness)
    order = sorted(range(n), key=lambda i: (-len(mates[i]), -sum(mates[i].values()),
                                            -fill[i], i))
    lead_of: dict[int, int] = {}
    for p in order:
        free = [j for j in mates[p] if j not in lead_of]
        if p in lead_of or not free:
            continue
        for j in [p, *free]:
            lead_of[j] = p
    leads = sorted(set(lead_of.values()), key=lambda p: min(j for j in lead_of
                                                             if lead_of[j] == p))
    group = np.array([leads.index(lead_of[i]) if i in lead_of else -1 for i in range(n)])
    score = np.array([mates[i][lead_of[i]] if i in lead_of and lead_of[i] != i else np.nan
                      for i in range(n)], dtype=np.float32)
    return group, np.array(leads, dtype=np.int64), score


@pytest.mark.parametrize("coarse", [True, False])
def test_groups_around_a_lead_match_the_plain_computation(rng, coarse):
    n, k = 151, 6
    pool = random_pool(rng, n, k, "hybrid(cosine)", coarse=coarse)
    filled = rng.integers(0, 3, size=n)
    table = pair_table(rng, n, coarse)

    def both_ways(a, b):
        return np.minimum(table[a, b], table[b, a])

    for threshold in (0.97, 0.9, 0.6, 0.3, 1.5):
        for kw in ({}, {"both_ways": both_ways}):
            got = duplicate_groups(pool, threshold, completeness=filled, **kw)
            assert_same(got, lead_oracle(pool, threshold, completeness=filled, **kw))


def test_every_member_of_a_group_is_a_duplicate_of_the_product_kept(rng):
    """Connected components chained: A~B and B~C put A and C in one group and the merge
    map folded C into A though C scored far below the threshold with it. Around a lead,
    every member's own duplicate score with the product kept reaches the threshold, and
    no two products left out of every group are duplicates of each other."""
    n, k = 400, 8
    pool = random_pool(rng, n, k, "hybrid(cosine)", coarse=False)
    pool = Neighbors(pool.indices, np.maximum(pool.scores, 0.97), None, pool.metric)
    table = pair_table(rng, n, coarse=False)

    def both_ways(a, b):
        return np.minimum(table[a, b], table[b, a])

    for threshold in (0.8, 0.6, 0.4):
        dups = duplicate_groups(pool, threshold, both_ways=both_ways)
        members = np.flatnonzero(dups.group >= 0)
        members = members[~np.isin(members, dups.canonical)]
        kept = dups.canonical[dups.group[members]]
        assert len(members) > 20 and dups.chained == 0
        assert (both_ways(members, kept) >= threshold).all()
        assert np.array_equal(dups.score_to_canonical[members], both_ways(members, kept))
        alone = dups.group < 0
        src = np.repeat(np.arange(n), k)
        dst, sc = pool.indices.reshape(-1), pool.scores.reshape(-1)
        edge = (dst >= 0) & (sc >= threshold)
        edge[edge] = both_ways(src[edge], dst[edge]) >= threshold
        assert not (alone[src[edge]] & alone[dst[edge]]).any()
