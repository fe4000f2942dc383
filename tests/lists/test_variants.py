"""Variant families (core.lists.variants) and the rule that leaves them out of the lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.cli import main
from core.lists.filters import VARIANTS
from core.lists.rules import apply_rules
from core.lists.spec import Rules
from core.lists.variants import (
    catalog_families,
    catalog_groups,
    family_key,
    group_column,
    listed_variant_share,
    variant_families,
)
from core.search.exact import brute_force_topk


@pytest.mark.parametrize(("a", "b"), [
    ("Classic Crew Neck T-Shirt - Black / S", "Classic Crew Neck T-Shirt - Navy / XL"),
    ("Classic Crew Neck T-Shirt", "classic crew neck t-shirt (white, size M)"),
    ("Men's Running Shoes, Size 42, Grey", "Mens Running Shoes size 44 black"),
    ("Nike Air Zoom, US 10, Black", "Nike Air Zoom - US 9.5 - Off-White"),
    ("Rain Parka - Light Grey / L", "Rain Parka - Dark Navy / M"),
    ("Hoodie one size olive", "Hoodie - Extra Large - Olive"),
    ("女士连衣裙 黑色 M码", "女士连衣裙 深蓝色 XL码"),
    ("蓝牙耳机 黑色", "蓝牙耳机 白色"),
    ("Cosmos (Paperback)", "Cosmos (Hardcover)"),  # a book's formats are its sizes
    ("The Hobbit - Kindle Edition", "The Hobbit: Mass Market Paperback"),
])
def test_colours_and_sizes_of_one_product_are_one_family(a, b):
    assert family_key(a) == family_key(b) != ""


@pytest.mark.parametrize(("a", "b"), [
    ("SanDisk 32GB USB Drive - Black", "SanDisk 64GB USB Drive - Black"),  # capacities stay
    ("Epson T0711 Black Ink", "Epson T0712 Cyan Ink"),  # model numbers stay
    ("红酒 750ml", "白酒 750ml"),  # red wine and baijiu: a lone 红 / 白 is part of a word
    ("LED Light Bulb 60W", "LED Bulb 60W"),  # "light" alone is a product word
    ("Dark Chocolate 100g", "White Chocolate 100g"),
    ("US Robotics 56k modem", "56k modem"),  # "US" before a name, not a size
    ("Kindle Paperwhite 8GB", "Paperwhite 8GB"),  # "Kindle" alone is an e-reader
    ("330 ml can", "1.5 l bottle"),  # pack sizes stay
])
def test_other_products_are_not_one_family(a, b):
    assert family_key(a) != family_key(b)


def test_families_need_two_products_and_a_title():
    titles = ["Tee - Black / S", "Tee - White / M", "Cap - Red", "Black", "White", "Mug"]
    fam = variant_families(titles)
    assert fam[0] == fam[1] >= 0
    assert (fam[2:] == -1).all()  # alone in its family; a bare colour names no product


def _shop():
    items = ["Crew T-Shirt", "Linen Shirt", "Denim Jacket", "Wool Beanie"]
    rows = [{"id": f"{i}{j}", "title": f"{name} - {colour} / {size}"}
            for i, name in enumerate(items)
            for j, (colour, size) in enumerate([("Black", "S"), ("Navy", "M"), ("Olive", "L")])]
    frame = pd.DataFrame(rows)
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    # each product nearest to its own variants, then to the other products' variants
    vectors = np.zeros((len(rows), 8), dtype=np.float32)
    for r in range(len(rows)):
        vectors[r, r // 3] = 1.0
        vectors[r, 4 + r % 3] = 0.2
        vectors[r, (r // 3 + 1) % 4] += 0.3
    return catalog, vectors


def test_variant_rows_with_the_same_title_count_for_the_hint():
    """A shop that keeps size and colour in columns of their own titles every variant row
    alike ("Classic Crew Tee" x 6): the lists were the tee five times over at 1.00 and the
    hint said nothing, because only titles that differ were counted."""
    titles = [name for name in ("Classic Crew Tee", "Denim Jacket") for _ in range(3)]
    # each list: its two same-title siblings first, then one of the other product
    indices = np.array([[*(x for x in range(6) if x // 3 == r // 3 and x != r), (r + 3) % 6]
                        for r in range(6)])
    assert listed_variant_share(titles, indices) == pytest.approx(2 / 3)
    fam = variant_families(titles)
    assert fam[0] == fam[1] == fam[2] != fam[3] == fam[4] == fam[5]


def test_the_rule_lists_one_of_each_other_product_instead_of_the_products_variants():
    catalog, vectors = _shop()
    pool = brute_force_topk(vectors, 11, metric="cosine")
    plain = apply_rules(catalog, pool, Rules(), 3)
    titles = catalog.titles()
    first = [titles[i] for i in plain.neighbors.indices[0]]
    assert first[:2] == ["Crew T-Shirt - Navy / M", "Crew T-Shirt - Olive / L"]  # its variants
    assert listed_variant_share(titles, plain.neighbors.indices) >= 0.5
    got = apply_rules(catalog, pool, Rules(leave_out_variants=True), 3)
    for row, listed in enumerate(got.neighbors.indices):
        names = [titles[i].split(" - ")[0] for i in listed if i >= 0]
        assert titles[row].split(" - ")[0] not in names  # not its own colours and sizes
        assert len(names) == len(set(names)) == 3        # one of each other product
    assert got.removed[VARIANTS] > 0
    assert listed_variant_share(titles, got.neighbors.indices) == 0.0


@pytest.mark.slow  # the real bundled model reads the titles
def test_the_rule_round_trips_and_the_cli_flag_sets_it(tmp_path, capsys):
    assert Rules.from_dict({"leave_out_variants": True}).to_dict() == {"leave_out_variants": True}
    with pytest.raises(Exception, match="true or false"):
        Rules.from_dict({"leave_out_variants": "yes"})
    catalog, _ = _shop()
    path = tmp_path / "shop.csv"
    catalog.frame.to_csv(path, index=False)
    out = tmp_path / "lists.csv"
    assert main(["neighbors", str(path), "--leave-out-variants", "--k", "3", "--out", str(out),
                 "--workspace", str(tmp_path / "ws"), "--relevance-floor", "0"]) == 0
    assert "--leave-out-variants lists other products" not in capsys.readouterr().err
    lists = pd.read_csv(out, dtype=str)
    own = lists.source_title.str.split(" - ").str[0]
    assert not (own == lists.neighbor_title.str.split(" - ").str[0]).any()
    assert main(["neighbors", str(path), "--k", "3", "--out", str(out), "--workspace",
                 str(tmp_path / "ws"), "--relevance-floor", "0"]) == 0
    lists = pd.read_csv(out, dtype=str)  # without the flag: the product's own variants lead
    own = lists.source_title.str.split(" - ").str[0]
    share = (own == lists.neighbor_title.str.split(" - ").str[0]).mean()
    assert share > 0.5
    assert (f"note: {share:.0%} of the list entries are the product itself in another colour, "
            "size or format; --leave-out-variants lists other products instead") in \
        capsys.readouterr().err


def test_a_catalogs_families_are_read_once_per_content():
    """Every change of another rule re-applies the rules: the titles are read once."""
    catalog, _ = _shop()
    first = catalog_families(catalog)
    assert catalog_families(catalog) is first and not first.flags.writeable
    assert (first == variant_families(catalog.titles())).all()
    other = build_catalog(catalog.frame.assign(title=catalog.frame.title.str.upper()),
                          ColumnMapping(text_columns=("title",), id_column="id"))
    assert catalog_families(other) is not first  # other content: read again


def test_a_catalogs_own_variant_groups_make_families():
    """A Google feed's item_group_id says which items are one product; titles that differ
    in a scent or a model ("Scented candle - Vanilla" / "- Lavender") are not read as
    variants from the title alone."""
    frame = pd.DataFrame({
        "id": ["c1", "c2", "c3", "t1", "t2", "m1", "b1"],
        "title": ["Scented candle - Vanilla", "Scented candle - Lavender",
                  "Scented candle - Cedar", "Tee - Black / S", "Tee - Navy / M", "Mug", "Bowl"],
        "item_group_id": ["CAND", "CAND", "CAND", "", "", "", ""]})
    catalog = build_catalog(_table(frame), ColumnMapping(text_columns=("title",),
                                                         id_column="id"))
    assert group_column(frame) == "item_group_id"
    fam = catalog_families(catalog)
    assert fam[0] == fam[1] == fam[2] >= 0 and fam[3] == fam[4] >= 0 and fam[0] != fam[3]
    assert fam[5] == fam[6] == -1
    assert list(variant_families(frame["title"])[:3]) == [-1, -1, -1]  # titles alone: none
    indices = np.array([[1, 2, 5], [0, 2, 6], [0, 1, 5], [4, 5, 6], [3, 5, 6], [0, 6, 3],
                        [5, 0, 3]])
    groups = catalog_groups(catalog)
    assert listed_variant_share(frame["title"].tolist(), indices, groups=groups) == \
        pytest.approx(8 / 21)
    assert listed_variant_share(frame["title"].tolist(), indices) == pytest.approx(2 / 21)


def test_a_group_column_must_look_like_variant_groups():
    n = 400
    frame = pd.DataFrame({"sku": [f"S{i}" for i in range(n)],
                          "parent": ["Home"] * n,  # a category under a variant name
                          "Item Group ID": [f"G{i // 2}" for i in range(n)]})
    assert group_column(frame) == "Item Group ID"  # named in any case and spacing
    assert group_column(frame.drop(columns="Item Group ID")) is None  # 400 in one: no
    assert group_column(frame, exclude=("Item Group ID",)) is None  # the id column
    single = pd.DataFrame({"group_id": [f"G{i}" for i in range(5)]})
    assert group_column(single) is None  # no group of two


def _table(frame: pd.DataFrame):
    from core.catalog.read import RawTable

    return RawTable(frame.astype(str), "shop.csv")
