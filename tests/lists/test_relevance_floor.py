"""The relevance floor, short-list counts per rule, and refilling fused pools."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.cli import build_parser
from core.cli.common import config_from_args
from core.config import Config
from core.errors import ConfigError
from core.lists.rules import apply_config, apply_rules
from core.lists.spec import Rules
from core.search.channels import DenseChannel
from core.search.index import NeighborIndex
from core.search.scoring import random_pair_threshold

WORDS = ["lamp", "epson", "desk", "oak", "chair", "usb", "cable", "32gb", "kdl-40v4100"]


def _catalog(rng, n: int):
    frame = pd.DataFrame({
        "id": [f"P{i}" for i in range(n)],
        "title": [" ".join(rng.choice(WORDS, size=rng.integers(1, 4))) for _ in range(n)],
        "category": rng.choice(["a", "b", "c"], n),
    })
    return build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id",
                                              category="category"))


def _cosine(vectors):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit @ unit.T


def test_threshold_leaves_that_share_of_all_pairs_below_it(rng):
    vectors = rng.normal(size=(80, 6)).astype(np.float32)
    thr = random_pair_threshold(DenseChannel(vectors), 0.9)
    cos = _cosine(vectors)[np.triu_indices(80, 1)]
    assert (cos < thr).mean() == pytest.approx(0.9, abs=0.02)
    assert random_pair_threshold(DenseChannel(vectors), 0.0) == float("-inf")
    assert random_pair_threshold(DenseChannel(vectors[:1]), 0.9) == float("-inf")


@pytest.mark.parametrize("weight", [0.0, 0.7])
def test_floor_keeps_exactly_the_pool_entries_above_it(rng, weight):
    n, k = 60, 6
    catalog = _catalog(rng, n)
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    cfg = Config(k=k, hybrid_weight=weight, relevance_floor=0.99)
    index = NeighborIndex.build(catalog, vectors, cfg)
    pool = index.pool(20)
    got = apply_config(catalog, pool, cfg)
    thr = index.relevance_threshold(0.99)
    cos = _cosine(vectors)
    for r in range(n):
        want = [int(c) for c in pool.indices[r] if cos[r, c] >= thr][:k]
        assert [int(c) for c in got.neighbors.indices[r] if c >= 0] == want
    short = got.lengths < k
    assert short.any() and got.short_by == {"relevance floor": int(short.sum())}
    assert got.short_text().startswith(f"{short.sum()} of {n} lists are shorter than {k}")
    off = apply_config(catalog, pool, cfg.with_changes(relevance_floor=0.0))
    assert (off.lengths == k).all() and off.short_text() == ""


@pytest.mark.parametrize("weight", [0.0, 0.7])
def test_fused_pools_refill_as_if_the_pool_were_unlimited(rng, weight):
    n, k = 50, 5
    catalog = _catalog(rng, n)
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    cfg = Config(k=k, hybrid_weight=weight, relevance_floor=0.5)
    index = NeighborIndex.build(catalog, vectors, cfg)
    rules = Rules(same=("category",))
    full = apply_rules(catalog, index.pool(n - 1), rules, k, relevance_floor=0.5)
    shallow = apply_rules(catalog, index.pool(k), rules, k, relevance_floor=0.5)
    assert shallow.removed["same category"] > 0  # the shallow pool alone could not fill them
    np.testing.assert_array_equal(shallow.neighbors.indices, full.neighbors.indices)
    np.testing.assert_allclose(shallow.neighbors.scores, full.neighbors.scores, atol=1e-5)
    np.testing.assert_array_equal(shallow.lengths, full.lengths)


def test_pins_outside_a_fused_pool_get_the_index_score(rng):
    n = 30
    catalog = _catalog(rng, n)
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    index = NeighborIndex.build(catalog, vectors, Config(hybrid_weight=0.7))
    pool = index.pool(3)
    outside = next(c for c in range(1, n) if c not in pool.indices[0])
    got = apply_rules(catalog, pool, Rules(pinned=(("P0", f"P{outside}"),)), 3)
    assert got.neighbors.indices[0, 0] == outside
    assert got.neighbors.scores[0, 0] == pytest.approx(
        index.pair_scores([0], [outside]).score[0], abs=1e-6)


def test_the_floor_setting_has_one_name_in_config_and_cli():
    with pytest.raises(ConfigError, match="relevance_floor"):
        Config(relevance_floor=1.0)
    with pytest.raises(ConfigError, match="relevance_floor"):
        Config(relevance_floor=-0.1)
    assert Config.from_dict({"relevance_floor": 0.5}).relevance_floor == 0.5
    parser = build_parser()[0]
    base = ["neighbors", "catalog.csv", "--out", "lists.csv"]
    assert config_from_args(parser.parse_args([*base, "--relevance-floor", "0"])).relevance_floor == 0
    assert config_from_args(parser.parse_args(base)).relevance_floor == Config().relevance_floor


def test_words_only_lists_keep_products_that_share_a_word(rng):
    """With words alone (hybrid weight 1) there is no meaning to floor on: lists were padded
    with products sharing no word, scored 0.43-0.70 ("a close substitute": "green tea
    leaves" -> "black coffee cup"). Such a pair now scores as two random products do, and
    the floor leaves it out: a short list, said to be short by the relevance floor."""
    catalog = _catalog(rng, 40)
    vectors = rng.normal(size=(40, 6)).astype(np.float32)
    cfg = Config(k=5, hybrid_weight=1.0, relevance_floor=0.95)
    index = NeighborIndex.build(catalog, vectors, cfg)
    assert index.names == ("lexical",)
    pool = index.pool(39)
    words = [set(t.split()) for t in catalog.texts]
    share = np.array([[bool(words[a] & words[b]) if b >= 0 else False for b in row]
                      for a, row in enumerate(pool.indices)])
    valid = pool.indices >= 0
    assert (~share & valid).any() and (pool.scores[~share & valid] < 0.01).all()
    assert (pool.scores[share] > pool.scores[~share & valid].max()).all()
    got = apply_config(catalog, pool, cfg)
    for a, row in enumerate(got.neighbors.indices):
        kept = [b for b in row if b >= 0]
        assert kept == [b for b, s in zip(pool.indices[a], share[a]) if s][:5]
    assert got.removed["relevance floor"] > 0
    off = apply_config(catalog, pool, cfg.with_changes(relevance_floor=0.0))
    np.testing.assert_array_equal(off.neighbors.indices, pool.indices[:, :5])
    lone = build_catalog(pd.DataFrame({"id": list("abcd"), "title": ["red running shoe",
                         "blue running shoe", "green tea leaves", "black coffee cup"]}),
                         ColumnMapping(text_columns=("title",), id_column="id"))
    small = NeighborIndex.build(lone, rng.normal(size=(4, 6)).astype(np.float32), cfg)
    assert small.pair_scores(np.array([2, 0]), np.array([3, 1])).score[0] < 0.01  # no word
    assert small.pair_scores(np.array([0]), np.array([1])).score[0] > 0.5


def test_the_floor_comes_from_the_model_else_from_a_large_catalog(rng):
    from core.search.calibration import BUNDLED
    from core.search.index import MIN_FLOOR_ROWS

    small = rng.normal(size=(40, 6)).astype(np.float32)
    bundled = NeighborIndex.build(None, small, Config(hybrid_weight=0.0))
    assert bundled.relevance_threshold(0.9) == pytest.approx(dict(BUNDLED.random_meaning)[0.9])
    other = Config(hybrid_weight=0.0, model="a-model-without-calibration")
    assert NeighborIndex.build(None, small, other).relevance_threshold(0.9) is None
    large = rng.normal(size=(MIN_FLOOR_ROWS, 6)).astype(np.float32)
    got = NeighborIndex.build(None, large, other).relevance_threshold(0.9)
    assert got == random_pair_threshold(DenseChannel(large), 0.9)



def _scores_by_pair(nb) -> dict[tuple[int, int], float]:
    rows, cols = np.nonzero(nb.indices >= 0)
    return {(int(r), int(c)): float(s) for r, c, s in
            zip(rows, nb.indices[rows, cols], nb.scores[rows, cols])}


@pytest.mark.parametrize("weight", [0.0, 0.7])
def test_a_pairs_score_is_the_same_with_or_without_a_filter_rule(rng, weight):
    """A filter rule deepens the pool (50 -> 200 candidates); a pair's score must not move.
    It did: fused scores were anchored at the pool's last candidate instead of the 100th,
    so a pair read 0.35 in the plain lists and 0.40 once 'same category' was on."""
    n = 320
    catalog = _catalog(rng, n)
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    cfg = Config(hybrid_weight=weight, relevance_floor=0.0)
    index = NeighborIndex.build(catalog, vectors, cfg)
    plain = _scores_by_pair(index.pool(50))  # the lists without rules, computed first
    ruled = apply_config(catalog, index.pool(200), cfg.with_changes(rules={"same": ["category"]}))
    same = _scores_by_pair(ruled.neighbors)
    shared = sorted(plain.keys() & same.keys())
    assert len(shared) > n  # most lists keep some of their plain neighbours
    np.testing.assert_allclose([same[p] for p in shared], [plain[p] for p in shared], atol=1e-5)
    rows, cols = np.array(shared).T
    np.testing.assert_allclose(index.pair_scores(rows, cols).score,
                               [plain[p] for p in shared], atol=1e-5)


def test_the_floor_hides_neighbours_whose_own_score_reads_as_unrelated(rng, monkeypatch):
    """Rules that complete lists deep inside a product's family (same family, another
    maker, one per maker) reach neighbours that pass the meaning floor but score no
    higher than most random pairs: the floor leaves those out too, at the score that
    share of the catalog's random pairs stay below (as the lists score them)."""
    from core.search.index import MIN_FLOOR_ROWS

    n, share = MIN_FLOOR_ROWS, 0.9
    frame = pd.DataFrame({
        "id": [f"P{i}" for i in range(n)],
        "title": [" ".join(rng.choice(WORDS, size=rng.integers(1, 4))) for _ in range(n)],
        "family": rng.integers(0, 10, n).astype(str),
        "maker": rng.integers(0, 20, n).astype(str)})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    cfg = Config(k=8, hybrid_weight=0.5, relevance_floor=share,
                 rules={"same": ["family"], "different": ["maker"], "max_per": {"maker": 1}})
    index = NeighborIndex.build(catalog, vectors, cfg)
    floor = index.score_floor(share)
    a = np.random.default_rng(5).integers(0, n, 4000)
    b = (a + np.random.default_rng(6).integers(1, n, 4000)) % n
    assert (index.pair_scores(a, b).score < floor).mean() == pytest.approx(share, abs=0.03)
    pool = index.pool(40)
    got = apply_config(catalog, pool, cfg)
    ok = got.neighbors.indices >= 0
    assert ok.sum() > 0 and (got.neighbors.scores[ok] >= floor).all()
    monkeypatch.setattr(NeighborIndex, "score_floor", lambda self, s: None)  # meaning only
    before = apply_config(catalog, pool, cfg)
    low = (before.neighbors.indices >= 0) & (before.neighbors.scores < floor)
    assert low.sum() > 100  # what the score floor hides: the meaning floor alone kept them
    assert got.short_by["relevance floor"] > before.short_by.get("relevance floor", 0)
    monkeypatch.undo()
    assert index.score_floor(0.0) is None
    small = NeighborIndex.build(None, vectors[:50], Config(hybrid_weight=0.0))
    assert small.score_floor(share) is None  # too few products to measure random pairs


def test_products_with_no_text_are_related_to_none(rng):
    """Two blank titles were each other's best neighbour at 0.80 ("a close substitute") and
    blanks sat in other products' lists: with the floor on they get no list and appear in
    none; with it off (0) they are back."""
    titles = ["red running shoe", "", "blue running shoe", "  ", "green tea leaves",
              "green tea bags"]
    catalog = build_catalog(pd.DataFrame({"id": list("abcdef"), "title": titles}),
                            ColumnMapping(text_columns=("title",), id_column="id"))
    vectors = rng.normal(size=(6, 6)).astype(np.float32)
    for weight in (0.7, 1.0):  # meaning and words, and words alone
        cfg = Config(k=3, hybrid_weight=weight, relevance_floor=0.9)
        pool = NeighborIndex.build(catalog, vectors, cfg).pool(5)
        got = apply_config(catalog, pool, cfg)
        lists = got.neighbors.indices
        assert (lists[[1, 3]] == -1).all(), weight
        assert not np.isin(lists, [1, 3]).any(), weight
        assert got.short_by.get("relevance floor", 0) >= 2
        off = apply_config(catalog, pool, cfg.with_changes(relevance_floor=0.0))
        assert np.isin(off.neighbors.indices, [1, 3]).any(), weight
