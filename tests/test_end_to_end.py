"""End to end with the real bundled all-MiniLM-L6-v2 on 300 demo products."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
DEMO = REPO_ROOT / "data" / "demo_walmart.csv"


@pytest.fixture(scope="module")
def demo300(tmp_path_factory) -> pd.DataFrame:
    frame = pd.read_csv(DEMO, dtype=str, keep_default_na=False).head(300)
    return frame


def test_cli_neighbors_with_real_model(demo300, tmp_path, capsys):
    path = tmp_path / "demo300.csv"
    demo300.to_csv(path, index=False)
    ws = tmp_path / "ws"
    out = tmp_path / "lists.csv"
    assert main(["neighbors", str(path), "--out", str(out), "--workspace", str(ws)]) == 0
    first = capsys.readouterr().err
    assert re.search(r"300 products, (\d+) different texts: embedded \1, reused 0 from the "
                     r"store", first), first
    lists = pd.read_csv(out, dtype={"source_id": str, "neighbor_id": str})
    # The relevance floor leaves a few lists short, and says which rule did it.
    assert 0.9 * 300 * 10 <= len(lists) <= 300 * 10
    if len(lists) < 300 * 10:
        assert "lists are shorter than 10: relevance floor" in first
    assert lists["score"].between(0, 1).all()
    assert (lists["source_id"] != lists["neighbor_id"]).all()
    # Real semantics: neighbours share the retailer category far above chance.
    cat = dict(zip(demo300["id"], demo300["category"]))
    same = np.mean([cat[s] == cat[n] for s, n in zip(lists["source_id"], lists["neighbor_id"])])
    chance = (demo300["category"].value_counts(normalize=True) ** 2).sum()
    assert same > 0.4 and same > 2 * chance, (same, chance)
    # The only projector lamp among these 300 finds projectors first.
    lamp = lists[lists["source_id"] == "1"].sort_values("rank")
    assert "projector" in lamp.iloc[0]["neighbor_title"]
    # Second run: everything comes from the embedding store.
    assert main(["neighbors", str(path), "--out", str(tmp_path / "l.parquet"),
                 "--workspace", str(ws)]) == 0
    assert re.search(r"300 products, (\d+) different texts: embedded 0, reused \1 ",
                     capsys.readouterr().err)


def test_search_with_real_model(demo300, tmp_path, capsys):
    path = tmp_path / "demo300.csv"
    demo300.to_csv(path, index=False)
    assert main(["search", str(path), "--query", "projector replacement lamp", "--k", "3",
                 "--workspace", str(tmp_path / "ws")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "rank,product_id,title,score"
    assert len(out) == 4
    assert "lamp elplp12" in out[1]


def test_search_scores_say_whether_the_catalog_serves_the_query(demo300, tmp_path, capsys):
    """A query for something the shop does not sell reads low throughout; one it sells
    reads as close (the real model's meaning and the catalog's words)."""
    path = tmp_path / "demo300.csv"
    demo300.to_csv(path, index=False)
    first = {}
    for query in ("garden hose", "banana smoothie recipe", "projector lamp", "usb cable"):
        assert main(["search", str(path), "--query", query, "--k", "5",
                     "--workspace", str(tmp_path / "ws")]) == 0
        out = capsys.readouterr()
        first[query] = max(float(line.rsplit(",", 1)[1]) for line in out.out.splitlines()[1:])
        assert ("nothing in the catalog reads as close" in out.err) == (first[query] < 0.5)
    assert first["garden hose"] < 0.3 and first["banana smoothie recipe"] < 0.3, first
    assert first["projector lamp"] > 0.6 and first["usb cable"] > 0.6, first


def test_search_names_the_description_it_does_not_read(tmp_path, capsys):
    """A catalog of titles and descriptions maps the title only (the measured default for
    lists): a descriptive query then finds nothing close among the titles, and the note says
    which column is left out and the --text-cols that reads it; read, it finds the product."""
    items = [("Wool Beanie", "Knitted merino wool hat that keeps your head warm in winter"),
             ("Rain Parka", "Waterproof hooded parka for wet and rainy days"),
             ("Hooded Zip Sweatshirt", "Fleece hoodie with a full zip"),
             ("Linen Button-Down Shirt", "Breathable linen shirt for summer"),
             ("Denim Jacket", "Washed denim trucker jacket")]
    rows = [{"sku": f"FX-{i}{j}", "Product name": f"{name} - {colour} / {size}",
             "Description": f"{text}. Colour: {colour}. Size {size}."}
            for i, (name, text) in enumerate(items)
            for j, (colour, size) in enumerate([("Navy", "S"), ("Black", "M"), ("Olive", "L")])]
    path = tmp_path / "fashion.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    ws = str(tmp_path / "ws")
    assert main(["search", str(path), "--query", "warm hat for winter", "--k", "3",
                 "--workspace", ws]) == 0
    out = capsys.readouterr()
    assert "nothing in the catalog reads as close" in out.err
    assert ('only Product name is searched: to search Description too, give --text-cols '
            '"Product name,Description"') in out.err
    assert main(["search", str(path), "--query", "warm hat for winter", "--k", "3",
                 "--workspace", ws, "--text-cols", "Product name,Description"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[1].split(",")[2].startswith("Wool Beanie")
    assert "is searched: to search" not in out.err  # every descriptive column is read
