"""core.search.query_gate: search scores say whether the catalog has what a query asks for."""

from __future__ import annotations

import numpy as np
import pytest

from core.search.channels import Queries
from core.search.index import NeighborIndex
from core.search.lexical import build_index
from core.search.query_gate import COVERAGE, coverage, query_relatedness
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


def test_a_model_without_reference_random_pairs_leaves_queries_ungated(rng):
    """Another model's calibration (approximate: no reference catalog's random pairs)
    does not gate search: a catalog's own random pairs cannot tell a short query from an
    unrelated one."""
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
