"""Search by model number: a query that names a product's mapped model number finds it first.

The demo's titles do not write the model number in 1,864 of 2,554 products; searching
"pc509" (the Stanley power inverter's model number) found three unrelated "pc" products,
though the Search page's placeholder says "or a model number".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.search.named import MAX_NAMED, NumberLookup, number_readings


@pytest.mark.parametrize(("query", "readings"), [
    ("PC509", ["pc509"]),
    ("bj-2c7559", ["bj2c7559"]),
    ("BJ 2C7559", ["bj2c7559", "2c7559"]),  # typed with a space: the whole query first
    ("stanley PC-509 inverter", ["stanleypc509inverter", "pc509"]),
    ("121066", ["121066"]),  # a long number alone
    ("ＰＣ－５０９", ["pc509"]),  # full width, as typed through a Chinese keyboard
    ("draper 121066", ["draper121066", "121066"]),
    ("500 watt inverter", ["500wattinverter"]),  # "500" alone is a quantity, not a number
    ("red shoe", []),  # no digit: no model number
    ("", []),
])
def test_the_readings_of_a_query_as_a_model_number(query, readings):
    assert number_readings(query) == readings


def test_lookup_finds_every_product_sharing_the_number_and_skips_shared_ones():
    numbers = ["PC-509", "", "ｐｃ５０９", "WC1200RED", *(["common1"] * (MAX_NAMED + 1))]
    look = NumberLookup(numbers)
    rows, number = look.named_by("stanley pc509")
    assert rows.tolist() == [0, 2] and number == "pc509"
    assert look.named_by("wc1200red webcam")[0].tolist() == [3]
    assert look.named_by("common1")[0].size == 0  # shared by 21 products: names none
    assert look.named_by("500 watt")[0].size == 0


@pytest.fixture
def shop(tiny_encoder):
    from core.catalog.table import ColumnMapping, build_catalog
    from core.config import Config
    from core.pipeline import neighbor_index

    frame = pd.DataFrame({"id": ["a", "b", "c", "d"],
                          "title": ["stanley 500 watt power inverter", "pc pitstop pc matic",
                                    "pc treasures laptop kit", "red kettle"],
                          "modelno": ["PC509", "", "PT-77", "K1"]})
    catalog = build_catalog(frame, ColumnMapping(id_column="id", text_columns=("title",),
                                                 model_number="modelno"))
    cfg = Config(text_columns=("title",), id_column="id", model_number_column="modelno")
    return catalog, neighbor_index(catalog, tiny_encoder.encode(catalog.texts), cfg)


def test_search_puts_the_product_named_by_its_model_number_first_scored_one(tiny_encoder, shop):
    from core.pipeline import search

    catalog, index = shop
    hits = search("pc509", tiny_encoder, index, k=3, ids=catalog.ids)
    assert [h.product_id for h in hits][:1] == ["a"] and hits[0].score == 1.0
    assert hits[0].number == "pc509" and len(hits) == 3
    assert all(h.number is None and h.score < 1.0 for h in hits[1:])
    assert len({h.product_id for h in hits}) == 3  # not listed twice
    assert set(hits[0].parts) == set(hits[1].parts) == {"dense", "lexical"}
    # its parts are each channel's own score of it, as for any other hit
    assert all(0 <= v <= 1 for v in hits[0].parts.values()), hits[0].parts
    vectors = index.vectors
    query = tiny_encoder.encode(["pc509"])[0]
    want = float(vectors[0] @ query / np.linalg.norm(vectors[0]) / np.linalg.norm(query))
    assert hits[0].parts["dense"] == pytest.approx(want, abs=1e-5)
    from core.search.channels import Queries

    text_best = index.query(1, Queries(tiny_encoder.encode(["pc509"]), ["pc509"])).indices[0]
    assert text_best.tolist() != [0]  # so its parts below come from the channels themselves
    only = search("pc509", tiny_encoder, index, k=1, ids=catalog.ids)
    assert [h.product_id for h in only] == ["a"]
    assert only[0].parts["dense"] == pytest.approx(want, abs=1e-5)
    assert only[0].parts["lexical"] == pytest.approx(0.0)  # no word of "pc509" in its title
    plain = search("pc matic", tiny_encoder, index, k=3, ids=catalog.ids)
    assert all(h.number is None for h in plain)


def test_without_a_model_number_column_search_is_unchanged(tiny_encoder, shop):
    from core.catalog.table import ColumnMapping, build_catalog
    from core.config import Config
    from core.pipeline import neighbor_index, search

    catalog, _ = shop
    bare = build_catalog(catalog.frame, ColumnMapping(id_column="id", text_columns=("title",)))
    index = neighbor_index(bare, tiny_encoder.encode(bare.texts),
                           Config(text_columns=("title",), id_column="id"))
    assert index.named_by("pc509")[0].size == 0
    hits = search("pc509", tiny_encoder, index, k=3, ids=bare.ids)
    assert all(h.number is None for h in hits) and np.all([h.score < 1 for h in hits])


def test_cli_search_finds_the_column_and_says_the_product_named_comes_first(
        tmp_path, workspace, tiny_bert_dir, capsys):
    """Without --model-number-col the CLI finds modelno by its name, as neighbors does."""
    from core.cli import main

    path = tmp_path / "shop.csv"
    pd.DataFrame({"id": ["a", "b", "c"],
                  "title": ["stanley 500 watt power inverter", "pc pitstop pc matic",
                            "pc treasures laptop kit"],
                  "modelno": ["PC509", "", "PT-77"]}).to_csv(path, index=False)
    base = ["search", str(path), "--model", str(tiny_bert_dir), "--k", "2", "--query", "PC-509"]
    assert main(base) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].startswith("1,a,stanley 500 watt power inverter,1.0"), out
    assert "model number column (automatic): modelno" in err
    assert "1 product with the model number 'pc509'" in err and "listed first" in err
    assert main([*base, "--model-number-col", "none"]) == 0
    out, err = capsys.readouterr()
    assert ",1.0\r\n" not in out and "listed first" not in err
