"""The exploring pages (Groups, Heatmap, List health) on tiny and degenerate catalogs, with
AppTest and the tiny BERT: a merchandiser trying the app on a handful of products."""

from __future__ import annotations

import pytest

from core.embed.models import bundled_model_path
from tests.conftest import element_texts, make_csv_bytes, running_app

pytestmark = pytest.mark.app


def _upload(at, name: str, rows: list[list[str]]) -> None:
    at.switch_page("pages/catalog.py").run()
    at.file_uploader(key="catalog.upload").set_value((name, make_csv_bytes(rows), "text/csv")).run()
    assert not at.exception, at.exception


def test_groups_page_opens_on_catalogs_of_one_to_five_products(tiny_bert_dir, tmp_path):
    """Under 6 products the group size slider had no range (2 to 2) and the page stopped on
    Streamlit's StreamlitInvalidMinMaxError."""
    titles = ["usb cable 1m", "usb cable 2m", "desk lamp", "tea cup", "phone case"]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240,
                     state={"groups.show_map": False}) as at:
        for n in (1, 5):
            _upload(at, f"shop{n}.csv", [["id", "title"],
                                         *[[f"p{i}", titles[i]] for i in range(n)]])
            at.switch_page("pages/groups.py").run()
            assert not at.exception, at.exception
            assert at.dataframe[0].value["size"].sum() == n  # every product in a group
            assert "Typical group size: 2" in element_texts(at.caption)


def test_heatmap_and_health_on_lists_shorter_than_k(tiny_bert_dir, tmp_path):
    """Four products, each in its own category, 'same category' rule: every list is empty.

    The heatmap said 'Choose at least two products.' (the user had chosen a product: its
    list was empty); List health said 'Products with a full list of 10' for a catalog where
    a list can hold 3 at most."""
    rows = [["id", "title", "category"], ["a", "usb cable", "cables"], ["b", "desk lamp", "lamps"],
            ["c", "tea cup", "kitchen"], ["d", "phone case", "phones"]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, "four.csv", rows)
        at.switch_page("pages/neighbors.py").run()
        at.slider(key="neighbors.relevance_floor").set_value(0.0).run()  # every list: 3 others
        at.switch_page("pages/health.py").run()
        assert not at.exception, at.exception
        measures = at.table[0].value["measure"].tolist()  # the figures: a static table
        assert "Products with a full list of 3" in measures  # 4 products: 3 others at most
        # no orphan: a sentence, not a table reading 'empty'
        assert "Every product is in at least one other product's list." in element_texts(
            at.caption)
        assert len(at.dataframe) == 1  # the hubs

        at.switch_page("pages/neighbors.py").run()
        at.get_by_key("neighbors.rules.same").set_value(["category"])
        at.run()
        assert not at.exception, at.exception
        at.switch_page("pages/health.py").run()
        assert "No product is in another product's list." in element_texts(at.caption)
        assert len(at.dataframe) == 1  # the four orphans
        at.switch_page("pages/heatmap.py").run()
        assert not at.exception, at.exception
        said = element_texts(at.info)
        assert "Choose at least two products" not in said
        assert "is empty: the rules" in said and "usb cable" in said


def test_groups_map_reuses_the_map_page_s_projection(tiny_bert_dir, tmp_path, monkeypatch):
    """The Groups map ran UMAP again (its own cache) on the layout the Map page had made:
    seconds to minutes more on the first open of Groups."""
    import components.embedding
    import components.resources
    from core import projection

    calls: list[int] = []

    def counted(vectors, **kw):
        calls.append(len(vectors))
        return projection.project(vectors, **kw)

    for module in (components.embedding, components.resources):
        if hasattr(module, "project"):
            monkeypatch.setattr(module, "project", counted)
    rows = [["id", "title"], *[[f"p{i}", f"{w} model {i}"] for i, w in enumerate(
        ["usb cable", "desk lamp", "tea cup", "phone case"] * 10)]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, "forty.csv", rows)
        at.switch_page("pages/map.py").run()
        assert not at.exception, at.exception
        assert calls == [40]
        at.switch_page("pages/groups.py").run()
        assert not at.exception, at.exception
        assert at.get("plotly_chart")  # the groups map is drawn, from the same layout
        assert calls == [40]


def test_tables_capped_at_1000_rows_say_so(tiny_bert_dir, tmp_path):
    """A group, a map selection and the orphans of 1,200 products showed 1,000 rows and
    nothing saying that 200 were left out."""
    rows = [["id", "title", "category"], *[[f"p{i}", "usb cable", f"c{i}"] for i in range(1200)]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=300,
                     state={"groups.show_map": False}) as at:
        _upload(at, "cables.csv", rows)
        at.switch_page("pages/groups.py").run()
        assert not at.exception, at.exception
        assert len(at.dataframe[1].value) == 1000  # the group's members
        assert "First 1,000 of 1,200 shown." in element_texts(at.caption)
        at.session_state["map.selection"] = list(range(1200))
        at.switch_page("pages/map.py").run()
        assert not at.exception, at.exception
        assert "First 1,000 of 1,200 shown." in element_texts(at.caption)
        at.switch_page("pages/neighbors.py").run()
        at.get_by_key("neighbors.rules.same").set_value(["category"])  # every list empty
        at.run()
        at.switch_page("pages/health.py").run()
        assert not at.exception, at.exception
        assert "In nobody's list: 1,200" in element_texts(at.subheader)
        assert "First 1,000 of 1,200 shown." in element_texts(at.caption)


def test_a_long_query_is_read_from_its_start_and_the_page_says_so(tiny_bert_dir, tmp_path):
    """A pasted 5,000-character Chinese text froze the Search page for 45 s (the multilingual
    model reads long texts whole); the first 500 characters are searched, and the page says so."""
    rows = [["id", "title"], *[[f"p{i}", f"usb cable model {i}"] for i in range(12)]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, "twelve.csv", rows)
        at.switch_page("pages/search.py").run()
        at.text_input(key="search.query").input("usb cable " * 500).run()
        assert not at.exception, at.exception
        assert len(at.dataframe[0].value) == 10
        said = "Searched the first 500 of the 5,000 characters you typed"
        assert said in element_texts(at.info)
        at.text_input(key="search.query").input("usb cable " * 50).run()  # 500: read whole
        assert said.split(" 5,000")[0] not in element_texts(at.info)
        at.switch_page("pages/heatmap.py").run()
        at.radio(key="heatmap.source_choice").set_value("A search result").run()
        at.text_input(key="heatmap.query").input("usb cable " * 500).run()
        assert not at.exception, at.exception
        assert said in element_texts(at.info)


@pytest.mark.slow
def test_search_says_which_descriptive_columns_it_does_not_read(tmp_path):
    """A catalog with titles and descriptions maps the title only: the Search page said
    nothing about it, so "warm hat for winter" searched titles only while the description
    said "wool hat" (the real bundled model: nothing read as close). The page names the
    left-out column and where to add it; once added, the note is gone and the beanie is
    found."""
    rows = [["sku", "Product name", "Description", "Colour"],
            ["b1", "Wool Beanie - Navy / S", "Knitted merino wool hat for cold winter days", "Navy"],
            ["p1", "Rain Parka - Black / M", "Waterproof hooded parka for wet and rainy days",
             "Black"],
            ["h1", "Hooded Zip Sweatshirt - Olive / L", "Fleece hoodie with a full zip", "Olive"]]
    with running_app(bundled_model_path(), tmp_path / "ws", timeout=240) as at:
        _upload(at, "fashion.csv", rows)
        texts = next(m for m in at.multiselect if m.label == "Text columns, in order")
        assert texts.value == ["Product name"]
        at.switch_page("pages/search.py").run()
        assert not at.exception, at.exception
        note = ("Search reads Product name only. To search Description too, add it to the text "
                "columns on the Catalog page")
        assert note in element_texts(at.caption)
        assert "Colour" not in element_texts(at.caption)  # a short label, not a description
        at.text_input(key="search.query").input("warm hat for winter").run()
        assert not at.exception, at.exception
        assert "Only Product name is searched: Description may say it" in element_texts(at.info)
        at.switch_page("pages/catalog.py").run()
        texts = next(m for m in at.multiselect if m.label == "Text columns, in order")
        texts.set_value(["Product name", "Description"])
        at.button(key="FormSubmitter:catalog.mapping-Use these columns").click().run()
        assert not at.exception, at.exception
        assert "Text compared: Product name + Description" in element_texts(at.caption)
        at.switch_page("pages/search.py").run()
        assert not at.exception, at.exception
        assert "Search reads" not in element_texts(at.caption)
        at.text_input(key="search.query").input("warm hat for winter").run()
        assert at.dataframe[0].value["title"].iloc[0] == "Wool Beanie - Navy / S"
        assert not at.info  # read as close


@pytest.mark.slow
def test_neighbours_says_when_lists_are_other_colours_and_sizes_and_the_rule_fixes_it(tmp_path):
    """A clothing catalog (each colour and size a product): every list was the product
    itself in other variants. The page says so and names the rule; ticked, each list shows
    one of each other product and the note is gone (the real bundled model)."""
    items = ["Classic Crew Neck T-Shirt", "Linen Button-Down Shirt", "Denim Jacket",
             "Wool Beanie", "Rain Parka"]
    rows = [["sku", "title"]] + [
        [f"{i}{j}", f"{name} - {colour} / {size}"] for i, name in enumerate(items)
        for j, (colour, size) in enumerate([(c, s) for c in ("Black", "Navy", "Olive")
                                            for s in ("S", "M", "L")])]
    with running_app(bundled_model_path(), tmp_path / "ws", timeout=240) as at:
        _upload(at, "clothes.csv", rows)
        at.switch_page("pages/neighbors.py").run()
        assert not at.exception, at.exception
        note = "of the entries in these lists are the product itself in another colour, size or format"
        assert note in element_texts(at.info)
        listed = at.dataframe[0].value["title"].tolist()
        assert all(t.startswith("Classic Crew Neck T-Shirt") for t in listed[:5])
        at.checkbox(key="neighbors.rules.variants").check().run()
        assert not at.exception, at.exception
        assert note not in element_texts(at.info)
        listed = [t.split(" - ")[0] for t in at.dataframe[0].value["title"]]
        assert "Classic Crew Neck T-Shirt" not in listed and len(listed) == len(set(listed)) == 4
        assert "other colours and sizes of the product" in element_texts(at.caption)
