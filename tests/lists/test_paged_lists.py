"""Neighbours page at scale: the paged long table and the rules fast path, against oracles.

The page builds only the visible rows of every product's list; these tests
check every page (and filtered pages) equals the same slice of the full
long frame (core.lists.rules.lists_frame), padding and bands included, and that
the no-rules fast path returns exactly what apply_rules returns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.tables import list_page, matching_rows
from core.config import Config
from core.lists.rules import apply_config, apply_rules, lists_frame
from core.lists.spec import Rules
from core.search.neighbors import Neighbors
from tests.lists.test_rules import make_catalog, make_pool


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def _short_lists(rng: np.random.Generator, n: int = 40):
    """A catalog and rule lists with some short and some empty lists (padding -1)."""
    catalog = make_catalog(n, rng, missing=False)
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    got = apply_rules(catalog, make_pool(vectors, 8), Rules(same=("category",), min_score=0.2), 6)
    assert (got.lengths < 6).any() and (got.lengths == 6).any()
    return catalog, got.neighbors


def _pages(catalog, lists, rows, size, bands):
    ends = np.cumsum((lists.indices[rows] >= 0).sum(1))
    total = int(ends[-1]) if len(ends) else 0
    for start in range(0, total, size):
        yield start, list_page(catalog, lists, rows, ends, start, size, bands=bands)
    past = list_page(catalog, lists, rows, ends, total, size, bands=bands)
    assert past.empty and "source_id" in past.columns  # a page past the end is empty


@pytest.mark.parametrize("size", [1, 3, 7, 500])
@pytest.mark.parametrize("bands", [{}, {"duplicate": 0.95, "close": 0.5}])
def test_every_page_is_the_same_slice_of_the_full_frame(rng, size, bands):
    catalog, lists = _short_lists(rng)
    full = lists_frame(catalog, lists, bands=bands)
    rows = np.arange(len(catalog))
    seen = []
    for start, page in _pages(catalog, lists, rows, size, bands):
        want = full.iloc[start:start + size].reset_index(drop=True)
        pd.testing.assert_frame_equal(page, want)
        seen.append(page)
    assert sum(len(p) for p in seen) == len(full)


def test_filtered_pages_match_the_filtered_full_frame(rng):
    catalog, lists = _short_lists(rng)
    full = lists_frame(catalog, lists)
    rows = np.array([r for r in range(len(catalog)) if "1" in catalog.ids[r]], dtype=np.int64)
    want_all = full[full["source_id"].isin(catalog.ids[rows])].reset_index(drop=True)
    for start, page in _pages(catalog, lists, rows, 4, {}):
        pd.testing.assert_frame_equal(page, want_all.iloc[start:start + 4].reset_index(drop=True))
    empty = list_page(catalog, lists, rows[:0], np.zeros(0, int), 0, 10, bands={})
    assert empty.empty and list(empty.columns) == list(full.columns)


def test_lists_frame_of_some_rows_keeps_their_order(rng):
    catalog, lists = _short_lists(rng)
    rows = np.array([5, 2, 30])
    part = lists_frame(catalog, lists, rows=rows)
    full = lists_frame(catalog, lists)
    want = pd.concat([full[full["source_id"] == catalog.ids[r]] for r in rows])
    pd.testing.assert_frame_equal(part, want.reset_index(drop=True))


def test_matching_rows_is_the_row_filter_of_the_old_table():
    from core.catalog.table import ColumnMapping, build_catalog

    frame = pd.DataFrame({"id": ["A1", "b2", "C3", "x-USB"],
                          "title": ["USB cable", "Lamp", "usb-c hub", "Tea"]})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    assert matching_rows(catalog, "").tolist() == [0, 1, 2, 3]
    assert matching_rows(catalog, "usb").tolist() == [0, 2, 3]  # title or id, any case
    assert matching_rows(catalog, "b2").tolist() == [1]
    assert matching_rows(catalog, ".*").tolist() == []  # plain text, not a pattern
    assert matching_rows(catalog, "ＵＳＢ").tolist() == [0, 2, 3]  # full-width, as typed in Chinese


def test_the_product_finder_reads_full_width_text_as_typed_in_chinese():
    from core.catalog.table import ColumnMapping, build_catalog
    from core.catalog.views import find_products

    frame = pd.DataFrame({"id": ["ZH00001", "ZH00002", "ab"],
                          "title": ["iPhone 15 手机壳", "保温杯 ５００ml", "Tea"]})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    assert find_products(catalog, "ｉｐｈｏｎｅ") == [0]
    assert find_products(catalog, "ＺＨ００００２") == [1]
    assert find_products(catalog, "500ML") == [1]  # the catalog's own full-width digits too
    assert find_products(catalog, "AB") == [2]


def test_the_product_finder_finds_a_product_by_its_model_number_column():
    """The demo's Stanley inverter is "pc509" only in its modelno column: typing its model
    number into the Neighbours page's finder, or its filter of every list, found nothing."""
    from core.catalog.table import ColumnMapping, build_catalog
    from core.catalog.views import find_products

    frame = pd.DataFrame({"id": ["a", "b", "PC509X", "d"],
                          "title": ["stanley 500 watt power inverter", "pc pitstop", "kettle",
                                    "tea"],
                          "modelno": ["PC-509", "", "K1", "ＰＣ５０９Ｘ２"]})
    mapped = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id",
                                                model_number="modelno"))
    assert find_products(mapped, "pc509") == [0, 2, 3]  # id "PC509X" contains it, then numbers
    assert find_products(mapped, "PC-509") == [0, 3]  # the number exactly first
    assert find_products(mapped, "PC 509 X") == [3]  # not the id "PC509X": has a space
    assert find_products(mapped, "k1") == []  # under 3 letters and digits: not read as a number
    bare = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    assert find_products(bare, "pc-509") == []
    # the filter of every product's list reads the column the same way
    assert matching_rows(mapped, "PC-509").tolist() == [0, 3]
    assert matching_rows(mapped, "pc509").tolist() == [0, 2, 3]
    assert matching_rows(bare, "PC-509").tolist() == []


@pytest.mark.parametrize("cfg", [Config(k=3), Config(k=50), Config(k=4, bands={"close": 0.1}),
                                 Config(k=4, rules={"use_review": False})])
def test_no_rule_fast_path_equals_apply_rules(rng, cfg):
    catalog = make_catalog(30, rng)
    pool = make_pool(rng.normal(size=(30, 5)).astype(np.float32), 12)
    fast = apply_config(catalog, pool, cfg)
    slow = apply_rules(catalog, pool, cfg.rules, cfg.k)
    for name in ("indices", "scores", "distances"):
        got, want = getattr(fast.neighbors, name), getattr(slow.neighbors, name)
        assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True), name
    assert np.array_equal(fast.lengths, slow.lengths) and fast.k == slow.k
    assert {k: v for k, v in slow.removed.items() if v} == fast.removed


def test_fast_path_falls_back_when_the_pool_is_padded(rng):
    catalog = make_catalog(10, rng)
    pool = make_pool(rng.normal(size=(10, 5)).astype(np.float32), 6)
    idx = pool.indices.copy()
    idx[0, 1] = -1  # a hole inside the first k
    holed = Neighbors(idx, pool.scores, pool.distances, pool.metric)
    got = apply_config(catalog, holed, Config(k=3))
    assert got.lengths[0] == 3 and -1 not in got.neighbors.indices[0]
    assert got.neighbors.indices[0].tolist() == [idx[0, 0], idx[0, 2], idx[0, 3]]


def test_the_finders_see_through_invisible_characters():
    """A title holding zero-width or direction characters ('zero<ZWSP>width', a soft
    hyphen, a right-to-left override) reads as its visible letters, but typing those found
    nothing, in the Neighbours filter or the product finder."""
    from core.catalog.table import ColumnMapping, build_catalog
    from core.catalog.views import find_products

    frame = pd.DataFrame({"id": ["S1", "S\u200d2", "S3"],
                          "title": ["zero\u200bwidth lamp", "tea\u00adpot \ufeffset",
                                    "RTL \u202egnp.exe\u202c mug"]})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    assert matching_rows(catalog, "zerowidth").tolist() == [0]
    assert matching_rows(catalog, "teapot set").tolist() == [1]
    assert matching_rows(catalog, "zero\u200bwidth").tolist() == [0]  # pasted as it is
    assert find_products(catalog, "S2") == [1]
    assert find_products(catalog, "gnp.exe") == [2]
    assert find_products(catalog, "teapot") == [1]


def test_a_direction_override_in_an_id_stays_in_the_id_of_a_label():
    """The product pickers show 'id — title': an id with an open right-to-left override
    turned the title after it around too."""
    from core.catalog.table import ColumnMapping, build_catalog
    from core.catalog.views import product_label

    frame = pd.DataFrame({"id": ["S\u202e1", "S2"], "title": ["red lamp", "tea\u202e pot"]})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    assert product_label(catalog, 0) == "S\u202e1\u202c — red lamp"
    assert product_label(catalog, 1) == "S2 — tea\u202e pot\u202c"
