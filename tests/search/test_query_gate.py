"""core.search.query_gate: search scores say whether the catalog has what a query asks for."""

from __future__ import annotations

import numpy as np
import pytest

from core.search.channels import Queries
from core.search.index import NeighborIndex
from core.search.lexical import build_index
from core.search.query_gate import COVERAGE, OWN_QUERY_SHARES, coverage, query_relatedness
from tests.search.test_evidence import _shop


def test_coverage_weighs_the_query_words_a_product_has_by_their_rarity():
    index = build_index(["usb cable black", "oak desk", "usb hub", "usb cable white"])
    queries = ["usb cable", "garden hose", "usb garden", "!!"]
    rows = np.array([0, 0, 0, 1, 2, 3])
    cols = np.array([0, 2, 1, 0, 0, 0])
    c = coverage(index, queries, rows, cols)
    assert c[0] == pytest.approx(1.0)  # every word
    idf = {t: float(index.idf[index.vocab[t]]) for t in ("usb", "cable")}
    assert c[1] == pytest.approx(idf["usb"] / (idf["usb"] + idf["cable"]), rel=1e-5)
    assert c[2] == 0.0 and c[3] == 0.0  # none of its words
    assert 0 < c[4] < COVERAGE[0]  # a word the catalog lacks counts as the rarest
    assert np.isnan(c[5])  # no words at all


def test_the_larger_of_meaning_and_words_counts_and_either_unknown_gates_nothing():
    meaning = np.array([0.0, 1.0, 0.2], dtype=np.float32)
    covered = np.array([1.0, 0.0, np.nan], dtype=np.float32)
    np.testing.assert_allclose(query_relatedness(meaning, covered), [1.0, 1.0, 0.2])
    assert query_relatedness(None, covered) is None
    assert query_relatedness(meaning, None) is None


def _index(rng):
    vectors, texts = _shop(rng)
    vectors = np.c_[vectors, np.zeros((len(vectors), 240), dtype=np.float32)]
    return NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5,
                                    texts=texts), vectors


def test_an_off_topic_query_scores_low_and_a_query_the_catalog_serves_is_unchanged(rng):
    index, vectors = _index(rng)
    served = Queries(vectors[[0]] + 0.01, ["zx100q oak desk"])
    off = Queries(rng.normal(size=(1, 256)).astype(np.float32), ["garden hose"])
    gated = {name: index.query(5, q) for name, q in (("served", served), ("off", off))}
    index.query_related = lambda *args: None  # the same index without the gate
    plain = {name: index.query(5, q) for name, q in (("served", served), ("off", off))}
    np.testing.assert_array_equal(gated["served"].indices, plain["served"].indices)
    np.testing.assert_array_equal(gated["served"].scores, plain["served"].scores)
    assert gated["served"].scores[0, 0] > 0.5
    assert plain["off"].scores[0, 0] > 0.5  # relative to its own best: reads as close
    assert gated["off"].scores[0, 0] < 0.3
    assert (gated["off"].scores <= plain["off"].scores).all()
    np.testing.assert_array_equal(gated["off"].indices, plain["off"].indices)


def test_a_model_without_reference_random_pairs_leaves_a_small_catalogs_queries_ungated(rng):
    """Another model's calibration (approximate: no reference catalog's random pairs)
    reads the catalog's own random pairs, which a catalog under MIN_FLOOR_ROWS products
    has too few of: its search is not gated."""
    from dataclasses import replace

    from core.search.calibration import BUNDLED

    vectors, texts = _shop(rng)
    vectors = np.c_[vectors, np.zeros((len(vectors), 240), dtype=np.float32)]
    other = replace(BUNDLED, model="some/other-model", approximate=True)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5,
                                     texts=texts, calibration=other)
    off = Queries(rng.normal(size=(1, 256)).astype(np.float32), ["garden hose"])
    assert index.query_related(np.array([0.0], np.float32), ["garden hose"],
                               np.array([0]), np.array([0])) is None
    assert index.query(5, off).scores[0, 0] > 0.5


# A Chinese shop of this test's own titles: 25 kinds x 8 brands x 5 colours.
_KINDS = ("手机壳", "蓝牙耳机", "保温杯", "连衣裙", "运动鞋", "双肩包", "台灯", "电饭煲", "面霜", "口红",
          "绿茶", "坚果礼盒", "羽绒服", "牛仔裤", "电动牙刷", "吹风机", "瑜伽垫", "不粘锅", "充电宝",
          "机械键盘", "鼠标垫", "洗发水", "沐浴露", "围巾", "帽子")
_BRANDS = ("星河", "云朵", "青松", "北辰", "海蓝", "金鹿", "白鹭", "红枫")
_COLOURS = ("黑色", "白色", "红色", "蓝色", "灰色")


def _zh_shop(rng):
    """(vectors (1000, 64), texts): each kind's titles near its own direction in the
    first 32 dimensions; the last 32 are no product's."""
    centres = rng.normal(size=(len(_KINDS), 32))
    texts, vectors = [], []
    for k, kind in enumerate(_KINDS):
        for brand in _BRANDS:
            for colour in _COLOURS:
                texts.append(f"{brand}{kind}{colour}")
                vectors.append(np.r_[centres[k] + 0.3 * rng.normal(size=32), np.zeros(32)])
    return np.asarray(vectors, dtype=np.float32), texts, centres


def test_a_chinese_catalog_with_the_multilingual_model_gates_off_topic_queries(rng):
    """No reference random pairs (the multilingual model's calibration is approximate):
    the catalog's own random pairs (OWN_QUERY_SHARES) gate a query for something the shop
    does not sell; a query it serves, in its words or only in meaning, is unchanged."""
    from dataclasses import replace

    from core.search.calibration import BUNDLED, calibration_for
    from core.search.index import MIN_FLOOR_ROWS

    vectors, texts, centres = _zh_shop(rng)
    assert len(texts) >= MIN_FLOOR_ROWS
    multilingual = calibration_for("multilingual")
    assert multilingual.approximate and multilingual.meaning_floor(0.5) is None
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts,
                                     calibration=replace(BUNDLED, model="multilingual",
                                                         approximate=True))
    low, high = (index.relevance_threshold(s) for s in OWN_QUERY_SHARES)
    assert low is not None and high is not None and 0 < low < high
    coat = np.r_[centres[_KINDS.index("羽绒服")], np.zeros(32)]
    served = Queries(np.stack([np.r_[centres[_KINDS.index("蓝牙耳机")], np.zeros(32)], coat])
                     .astype(np.float32), ["蓝牙耳机", "冬天穿的外衣"])
    # no product has its words, nor anything like it in meaning (dimensions no product uses)
    off = Queries(np.r_[np.zeros(32), rng.normal(size=32)][None].astype(np.float32),
                  ["明天天气预报"])
    words = build_index(texts)
    everyone = np.arange(len(texts))
    for text in ("冬天穿的外衣", "明天天气预报"):  # the words alone relate neither
        assert np.nanmax(coverage(words, [text], np.zeros_like(everyone), everyone)) < COVERAGE[0]
    gated = {name: index.query(5, q) for name, q in (("served", served), ("off", off))}
    index.query_related = lambda *args: None  # the same index without the gate
    plain = {name: index.query(5, q) for name, q in (("served", served), ("off", off))}
    np.testing.assert_array_equal(gated["served"].indices, plain["served"].indices)
    np.testing.assert_array_equal(gated["served"].scores, plain["served"].scores)
    assert "蓝牙耳机" in texts[gated["served"].indices[0, 0]]
    assert "羽绒服" in texts[gated["served"].indices[1, 0]]
    assert (gated["served"].scores[:, 0] > 0.5).all()
    assert plain["off"].scores[0, 0] > 0.5  # relative to its own best: reads as close
    assert gated["off"].scores[0, 0] < 0.3
    np.testing.assert_array_equal(gated["off"].indices, plain["off"].indices)


def test_a_query_in_traditional_characters_is_gated_like_the_same_query_in_simplified(rng):
    """藍牙耳機 asks for what 蓝牙耳机 asks for: the products have its words, so it is not
    read as off-topic (it scored under 0.1 with the right products first). The meaning
    vector here says nothing (dimensions no product uses): the words alone relate it."""
    from dataclasses import replace

    from core.search.calibration import BUNDLED

    vectors, texts, _ = _zh_shop(rng)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts,
                                     calibration=replace(BUNDLED, model="multilingual",
                                                         approximate=True))
    blank = np.r_[np.zeros(32), rng.normal(size=32)][None].astype(np.float32)
    simplified = index.query(5, Queries(blank, ["蓝牙耳机"]))
    traditional = index.query(5, Queries(blank, ["藍牙耳機"]))
    assert simplified.scores[0, 0] > 0.5 and "蓝牙耳机" in texts[simplified.indices[0, 0]]
    np.testing.assert_array_equal(traditional.indices, simplified.indices)
    np.testing.assert_allclose(traditional.scores, simplified.scores, rtol=1e-6)
