"""Groups (both methods), c-TF-IDF labels, duplicate groups and merge map, bands."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import Config
from core.errors import CatalogSimilarityError, ConfigError
from core.lists.bands import (
    band_of,
    band_ranges,
    duplicate_threshold,
    groups_threshold,
    validate_bands,
)
from core.lists.groups import (
    MAX_GROUPS_PER_ROOT,
    METHODS,
    cluster_labels,
    ctfidf_labels,
    duplicate_groups,
    merge_map,
    product_groups,
    suggested_size,
)
from core.search.exact import brute_force_topk
from core.search.neighbors import Neighbors


def blobs(rng: np.random.Generator, sizes=(30, 20, 12), dim: int = 16) -> tuple[np.ndarray,
                                                                                 np.ndarray]:
    centres = np.eye(dim, dtype=np.float32)[:len(sizes)] * 5
    truth = np.repeat(np.arange(len(sizes)), sizes)
    x = centres[truth] + rng.normal(scale=0.3, size=(len(truth), dim)).astype(np.float32)
    return x, truth


@pytest.mark.parametrize("method", METHODS)
def test_well_separated_blobs_are_recovered(method, rng):
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs(rng)
    labels = cluster_labels(x, method=method, size=10 if method == "hdbscan" else 20)
    grouped = labels >= 0
    assert grouped.mean() > 0.8
    assert adjusted_rand_score(truth[grouped], labels[grouped]) == pytest.approx(1.0)
    sizes = np.bincount(labels[grouped])
    assert list(sizes) == sorted(sizes, reverse=True)  # 0 = the largest group


def test_hdbscan_on_the_neighbour_graph_finds_the_groups_of_all_pairs(rng):
    """HDBSCAN over every pair took over ten minutes on 24,628 products; over each
    product's nearest it finds the same groups: from the pool given, from its own search
    when the pool is too shallow or has short rows, and across parts of the graph that do
    not touch (each blob's pool holds only its own products)."""
    from sklearn.cluster import HDBSCAN
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs(rng, sizes=(60, 45, 30), dim=12)
    x = np.vstack([x, rng.normal(scale=3.0, size=(15, 12)).astype(np.float32)])  # noise
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    exact = HDBSCAN(min_cluster_size=10, copy=True).fit_predict(unit)
    pool = brute_force_topk(x, 30)
    short = Neighbors(np.where(np.arange(30) < 5, pool.indices, -1), pool.scores, None,
                      "cosine")
    for nb in (None, pool, short, brute_force_topk(x, 6)):
        got = cluster_labels(x, method="hdbscan", size=10, neighbors=nb)
        assert adjusted_rand_score(exact, got) > 0.95
        assert adjusted_rand_score(truth, got[:135]) > 0.9
    own = np.zeros((135, 20), dtype=np.int64)
    for start, size in ((0, 60), (60, 45), (105, 30)):
        block = brute_force_topk(x[start:start + size], 20).indices + start
        own[start:start + size] = block
    apart = Neighbors(own, np.ones(own.shape, np.float32), None, "cosine")
    got = cluster_labels(x[:135], method="hdbscan", size=10, neighbors=apart)
    assert adjusted_rand_score(truth, got) == pytest.approx(1.0)


def test_small_inputs_and_bad_method(rng):
    assert cluster_labels(np.zeros((0, 4), dtype=np.float32)).shape == (0,)
    assert cluster_labels(rng.normal(size=(3, 4)).astype(np.float32), size=5).tolist() == [0] * 3
    with pytest.raises(CatalogSimilarityError, match="method must be one of"):
        cluster_labels(rng.normal(size=(30, 4)), method="kmeans")


def test_ctfidf_labels_name_each_group_by_its_distinctive_words():
    texts = ["red running shoe", "blue running shoe", "trail running shoe",
             "green tea leaves", "black tea bags", "tea sampler box", "the and with"]
    labels = np.array([0, 0, 0, 1, 1, 1, -1])
    names = ctfidf_labels(texts, labels, words=2)
    assert set(names) == {0, 1}
    assert set(names[0].split(", ")) == {"running", "shoe"}
    assert names[1].split(", ")[0] == "tea"
    assert ctfidf_labels(["1 2", "3"], np.array([0, 0])) == {0: "group 0"}
    # units name no group: every drink is written with "ml", every pasta with "kg"
    shop = ["Cola 330 ml can", "Cola 1.5 l bottle", "Lemonade 330 ml can",
            "Spaghetti 1 kg", "Penne 1 kg", "Fusilli 500 g pasta"]
    named = ctfidf_labels(shop, np.array([0, 0, 0, 1, 1, 1]), words=3)
    assert not {"ml", "kg"} & set(", ".join(named.values()).split(", "))
    assert named[0].startswith("cola")
    assert set(named[1].split(", ")) <= {"spaghetti", "penne", "fusilli", "pasta"}


def test_chinese_groups_are_named_by_words_not_whole_titles():
    """Unspaced Chinese titles were one 'word' each, so a group's name was a whole title."""
    texts = ["不锈钢保温杯大容量", "儿童保温杯 500ml", "保温杯男士商务",
             "男款跑步运动鞋", "透气运动鞋女", "运动鞋 休闲 百搭"]
    names = ctfidf_labels(texts, np.array([0, 0, 0, 1, 1, 1]), words=3)
    # the pairs 保温 and 温杯 always stand in 保温杯; pairs seen once ("款跑", across two
    # words) name nothing
    assert names == {0: "保温杯", 1: "运动鞋"}
    mixed = ctfidf_labels(["Sansui 山水 无线话筒", "Sansui 山水话筒"] * 2 + ["teapot 茶壶"] * 2,
                          np.array([0, 0, 0, 0, 1, 1]), words=2)
    assert "sansui" in mixed[0].split(", ") and mixed[1].split(", ")[0] in ("teapot", "茶壶")


def test_product_groups_table(rng):
    x, _ = blobs(rng, sizes=(12, 12))
    texts = ["lamp desk"] * 12 + ["cup coffee"] * 12
    groups = product_groups(x, texts, size=12)
    table = groups.table()
    assert table["size"].tolist() == [12, 12]
    assert set(table["label"]) == {"desk, lamp", "coffee, cup"}
    assert groups.grouped_share == 1.0


def test_the_group_size_is_chosen_to_suit_the_catalog(rng):
    """A small shop of 12 kinds of product with 5 of each: the fixed size of 20 made 3 groups
    mixing kinds; the chosen size makes one group per kind."""
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs(rng, sizes=(5,) * 12, dim=16)
    fixed = cluster_labels(x, size=20)
    assert fixed.max() + 1 == 3 and adjusted_rand_score(truth, fixed) < 0.5
    size = suggested_size(x)
    assert 4 <= size <= 6
    groups = product_groups(x, [f"kind{k} item" for k in truth])  # size None: chosen
    assert groups.chosen and groups.size == size and groups.n_groups == 12
    assert adjusted_rand_score(truth, groups.labels) == pytest.approx(1.0)
    assert np.array_equal(groups.labels, cluster_labels(x, size=None))
    given = product_groups(x, ["item"] * len(x), size=size)  # the same size given: the same
    assert not given.chosen and np.array_equal(given.labels, groups.labels)
    tight = product_groups(x, ["item"] * len(x), method="hdbscan")  # its min size chosen too
    assert tight.size == size and tight.chosen


def test_the_chosen_size_never_makes_more_groups_than_a_list_can_show(rng):
    """On vectors with no structure the silhouette prefers the smallest groups; the choice
    stays within MAX_GROUPS_PER_ROOT x sqrt(n) groups, and tiny or uniform catalogs get the
    default without an error."""
    x = rng.normal(size=(900, 8)).astype(np.float32)
    size = suggested_size(x)
    assert len(x) // size <= MAX_GROUPS_PER_ROOT * np.sqrt(len(x))
    assert suggested_size(x[:5]) == 20 and suggested_size(np.ones((30, 4))) == 20
    assert product_groups(np.ones((30, 4)), ["same"] * 30).n_groups == 1


def _pool(scores_by_pair: dict[tuple[int, int], float], n: int) -> Neighbors:
    idx = np.full((n, n - 1), -1, dtype=np.int64)
    sc = np.full((n, n - 1), np.nan, dtype=np.float32)
    for i in range(n):
        pairs = sorted(((s, j) for (a, j), s in scores_by_pair.items() if a == i), reverse=True)
        for c, (s, j) in enumerate(pairs):
            idx[i, c], sc[i, c] = j, s
    return Neighbors(idx, sc, 1 - sc, "cosine")


def test_duplicate_groups_are_built_around_the_product_kept():
    """5 scores 0.95 with 2 only, and 2 is taken by 1 (two duplicates): 5 is in no group
    (connected components put it with 1, a product it does not duplicate)."""
    pairs = {}
    for a, b, s in [(0, 1, 0.97), (1, 2, 0.96), (0, 2, 0.90), (3, 4, 0.99), (5, 6, 0.50),
                    (2, 5, 0.95)]:
        pairs[(a, b)] = pairs[(b, a)] = s
    pool = _pool(pairs, 8)
    dups = duplicate_groups(pool, 0.95)
    assert dups.group.tolist() == [0, 0, 0, 1, 1, -1, -1, -1]
    assert dups.canonical.tolist() == [1, 3] and dups.chained == 0
    frame = merge_map(np.array([f"p{i}" for i in range(8)], dtype=object), dups)
    assert frame[["product_id", "canonical_id"]].values.tolist() == [
        ["p0", "p1"], ["p2", "p1"], ["p4", "p3"]]
    assert frame["score"].tolist() == pytest.approx([0.97, 0.96, 0.99])


def test_duplicate_groups_that_chain_are_connected_components():
    pairs = {}
    for a, b, s in [(0, 1, 0.97), (1, 2, 0.96), (0, 2, 0.90), (3, 4, 0.99), (5, 6, 0.50),
                    (2, 5, 0.95)]:
        pairs[(a, b)] = pairs[(b, a)] = s
    pool = _pool(pairs, 8)
    dups = duplicate_groups(pool, 0.95, chain=True)
    assert dups.group.tolist() == [0, 0, 0, 1, 1, 0, -1, -1]
    # Without vectors only edges >= threshold count: 1 sums 0.97 + 0.96, 2 sums 0.96 + 0.95.
    assert dups.canonical.tolist() == [1, 3]
    frame = merge_map(np.array([f"p{i}" for i in range(8)], dtype=object), dups)
    assert list(frame.columns) == ["product_id", "canonical_id", "score"]
    assert frame[["product_id", "canonical_id"]].values.tolist() == [
        ["p0", "p1"], ["p2", "p1"], ["p5", "p1"], ["p4", "p3"]]
    assert frame["score"].iloc[[0, 1, 3]].tolist() == pytest.approx([0.97, 0.96, 0.99])
    assert np.isnan(frame["score"].iloc[2])  # p5 has no edge to p1: score unknown


def test_duplicate_groups_on_the_duplicate_score_need_both_ways():
    """With both_ways (the Duplicate threshold page's score) a pair is an edge only when
    that score reaches the threshold: 0 -> 2 scores 0.96 one way, but 2's score for 0 is
    0.60, so 2 is no duplicate of 0; the edge carries the duplicate score."""
    pairs = {(0, 1): 0.97, (1, 0): 0.97, (0, 2): 0.96, (2, 0): 0.60, (3, 4): 0.99, (4, 3): 0.98}
    pool = _pool(pairs, 6)
    asked = []

    def both_ways(a, b):
        asked.extend(zip(a.tolist(), b.tolist()))
        return np.array([min(pairs[(x, y)], pairs.get((y, x), 0.0)) for x, y in zip(a, b)])

    one_way = duplicate_groups(pool, 0.95)
    assert one_way.group.tolist() == [0, 0, 0, 1, 1, -1]
    dups = duplicate_groups(pool, 0.95, both_ways=both_ways)
    assert dups.group.tolist() == [0, 0, -1, 1, 1, -1]
    assert set(asked) == {(0, 1), (1, 0), (0, 2), (3, 4), (4, 3)}  # only pairs >= 0.95
    frame = merge_map(np.array([f"p{i}" for i in range(6)], dtype=object), dups)
    assert frame["score"].tolist() == pytest.approx([0.97, 0.98])


def test_a_member_grouped_through_another_gets_its_own_score_for_the_canonical():
    """(chain=True) The merge map said NaN for a product joined to the canonical one through a third
    (p5 -> p2 -> p1): with the duplicate score at hand its own score is asked for."""
    pairs = {(0, 1): 0.97, (1, 2): 0.96, (2, 5): 0.95}
    pairs.update({(b, a): s for (a, b), s in list(pairs.items())})
    pool = _pool(pairs, 8)

    def both_ways(a, b):
        return np.array([pairs.get((x, y), 0.4) for x, y in zip(a.tolist(), b.tolist())])

    dups = duplicate_groups(pool, 0.95, both_ways=both_ways, chain=True)
    frame = merge_map(np.array([f"p{i}" for i in range(8)], dtype=object), dups)
    assert dups.canonical.tolist() == [1]
    assert dict(zip(frame.product_id, frame.score.round(2))) == {"p0": 0.97, "p2": 0.96,
                                                                  "p5": 0.4}


def test_duplicate_groups_use_the_thresholds_chosen_per_category():
    """A pair of two products of a category with its own threshold (Duplicate threshold
    page, Config.category_thresholds) needs that one; other pairs the global threshold."""
    pairs = {(0, 1): 0.93, (2, 3): 0.93, (4, 5): 0.97, (6, 7): 0.93}
    pairs.update({(b, a): s for (a, b), s in list(pairs.items())})
    pool = _pool(pairs, 8)
    cats = np.array(["shoes", "shoes", "tv", "tv", "tv", "tv", "shoes", "tv"], dtype=object)
    plain = duplicate_groups(pool, 0.95, categories=cats)
    assert plain.group.tolist() == [-1, -1, -1, -1, 0, 0, -1, -1]
    dups = duplicate_groups(pool, 0.95, categories=cats, per_category={"shoes": 0.9, "tv": 0.98})
    # shoes pair at 0.93 joins (0.9); tv pair at 0.97 no longer does (0.98); the mixed
    # pair 6-7 keeps the global 0.95
    assert dups.group.tolist() == [0, 0, -1, -1, -1, -1, -1, -1]
    asked = []

    def both_ways(a, b):
        asked.extend(zip(a.tolist(), b.tolist()))
        return np.array([pairs[(x, y)] - 0.01 for x, y in zip(a, b)])

    lower = duplicate_groups(pool, 0.95, categories=cats, per_category={"shoes": 0.9},
                             both_ways=both_ways)
    assert lower.group.tolist() == [0, 0, -1, -1, 1, 1, -1, -1]
    assert set(asked) == {(0, 1), (1, 0), (4, 5), (5, 4)}  # never 6-7 (mixed, 0.93 < 0.95)


def test_duplicate_groups_with_vectors_and_completeness(rng):
    base = rng.normal(size=(1, 8)).astype(np.float32)
    x = np.vstack([base, base, base * 1.0, rng.normal(size=(5, 8)).astype(np.float32)])
    pool = brute_force_topk(x, 7)
    filled = np.array([1, 3, 2, 0, 0, 0, 0, 0])
    dups = duplicate_groups(pool, 0.999, vectors=x, completeness=filled)
    assert dups.n_groups == 1 and dups.canonical.tolist() == [1]  # ties -> most complete
    frame = merge_map(np.arange(8).astype(str).astype(object), dups)
    assert frame["canonical_id"].tolist() == ["1", "1"]
    assert frame["score"].tolist() == pytest.approx([1.0, 1.0])
    assert duplicate_groups(pool, 2.0).n_groups == 0


def test_bands():
    bands = {"duplicate": 0.95, "substitute": 0.8}
    got = band_of(np.array([0.99, 0.95, 0.9, 0.8, 0.2, np.nan]), bands)
    assert got.tolist() == ["duplicate", "duplicate", "substitute", "substitute", "", ""]
    assert band_ranges(bands) == [("duplicate", 0.95, None), ("substitute", 0.8, 0.95)]
    assert duplicate_threshold(Config(bands=bands, duplicate_threshold=0.5)) == 0.95
    assert duplicate_threshold(Config(duplicate_threshold=0.9)) is None  # a match score
    assert duplicate_threshold(Config()) is None
    # duplicate groups start at the threshold chosen on labelled pairs, else the band
    assert groups_threshold(Config(bands=bands, duplicate_threshold=0.5)) == 0.5
    assert groups_threshold(Config(bands=bands)) == 0.95
    assert groups_threshold(Config()) is None
    for bad in ({"": 0.5}, {"a": "x"}, {"a": 0.5, "b": 0.5}, [0.5]):
        with pytest.raises(ConfigError):
            validate_bands(bad)


def test_duplicate_groups_of_a_hybrid_pool_use_its_own_scores(rng):
    x = rng.normal(size=(6, 4)).astype(np.float32)
    x[1] = x[0]
    dense = brute_force_topk(x, 5)
    pool = Neighbors(dense.indices, dense.scores, dense.distances, "hybrid(cosine)")
    dups = duplicate_groups(pool, 0.999, vectors=x)
    assert dups.n_groups == 1 and dups.group[:2].tolist() == [0, 0]
