"""The Neighbours, Review and Export pages when rules leave every list empty, the Export
page's word on ids Excel would change in a CSV, and its preview of the file (AppTest,
tiny BERT)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import element_texts, make_csv_bytes, running_app

pytestmark = pytest.mark.app


def _upload(at, ids: list[str]) -> None:
    kinds = ["tea", "tea", "lamp", "lamp", "cup", "cup"]
    rows = [["sku", "title", "kind"],
            *[[i, f"{k} item {n}", k] for n, (i, k) in enumerate(zip(ids, kinds))]]
    at.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes(rows), "text/csv")).run()
    assert not at.exception, at.exception


def test_rules_that_empty_every_list_are_said_plainly(tiny_bert_dir, tmp_path):
    """'same kind' and 'different kind' together leave nothing: the product's list was an
    empty table with no word, Review said 'Every pair in the current lists has a decision'
    (none had one), and Export offered a file of 0 rows without a word."""
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, [f"S{i}" for i in range(6)])
        at.switch_page("pages/neighbors.py").run()
        at.get_by_key("neighbors.rules.same").set_value(["kind"])
        at.get_by_key("neighbors.rules.different").set_value(["kind"])
        at.run()
        assert not at.exception, at.exception
        assert "No product passes the rules for this product's list" in element_texts(at.info)

        at.switch_page("pages/review.py").run()
        assert not at.exception, at.exception
        assert "has a decision" not in element_texts(at.success)
        assert ("The current lists hold no pairs to review. The rules leave every list empty"
                in element_texts(at.info))

        at.switch_page("pages/export.py").run()
        assert not at.exception, at.exception
        assert ("The file would hold no rows. The rules leave every list empty"
                in element_texts(at.warning))

        at.switch_page("pages/neighbors.py").run()
        at.get_by_key("neighbors.rules.different").set_value([])
        at.run()
        assert "No product passes" not in element_texts(at.info)
        at.switch_page("pages/export.py").run()
        assert "no rows" not in element_texts(at.warning)


@pytest.mark.parametrize("ids, warned", [(["0001", "0002", "0003", "0004", "0005", "0006"], True),
                                         (["S1", "S2", "S3", "S4", "S5", "S6"], False)])
def test_export_says_when_excel_would_change_the_ids_of_a_csv(tiny_bert_dir, tmp_path, ids,
                                                             warned):
    """Ids such as 0001 became 1 when the 'CSV (opens in Excel)' was opened in Excel, and
    the page said nothing; the Excel workbook keeps them as text."""
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, ids)
        at.switch_page("pages/export.py").run()
        assert not at.exception, at.exception
        said = element_texts(at.warning)
        assert ("Excel changes 6 of your ids when it opens a CSV (e.g. 0001 becomes 1)"
                in said) is warned, said
        at.radio(key="neighbors.export.format").set_value("xlsx").run()
        assert "when it opens a CSV" not in element_texts(at.warning)
        # the merge map's CSV carries the same ids (it said nothing)
        at.switch_page("pages/groups.py").run()
        at.number_input(key="groups.duplicate_threshold").set_value(0.0).run()
        assert not at.exception, at.exception
        said = element_texts(at.warning)
        assert ("Excel changes 6 of your ids when it opens a CSV" in said) is warned, said


def test_a_one_product_catalog_says_why_there_is_nothing_to_list(tiny_bert_dir, tmp_path):
    """No rule empties the lists of a single product: the pages say what it is."""
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        at.file_uploader(key="catalog.upload").set_value(
            ("one.csv", make_csv_bytes([["sku", "title"], ["0001", "red tea pot"]]),
             "text/csv")).run()
        for page, elements in (("pages/neighbors.py", "info"), ("pages/review.py", "info"),
                               ("pages/export.py", "warning")):
            at.switch_page(page).run()
            assert not at.exception, (page, at.exception)
            said = element_texts(getattr(at, elements))
            assert "A catalog of one product has no neighbours" in said, (page, said)
            assert "rules" not in said, (page, said)


def test_the_preview_of_the_file_shows_its_columns_in_the_files_order(tiny_bert_dir, tmp_path):
    """'The first rows of the file' showed source_title, rank, score, neighbor_title,
    source_id, neighbor_id with the score rounded to 0.38: the file reads source_id,
    source_title, rank, neighbor_id, neighbor_title, score and 0.378749."""
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, [f"S{i}" for i in range(6)])
        at.switch_page("pages/export.py").run()
        assert not at.exception, at.exception
        preview = at.dataframe[0]  # the page's one table
        assert list(preview.proto.column_order) == list(preview.value.columns) == [
            "source_id", "source_title", "rank", "neighbor_id", "neighbor_title", "score"]
        columns = json.loads(preview.proto.columns)
        assert not any(c.get("pinned") for c in columns.values()), columns
        assert columns["score"]["type_config"]["format"] == "%.6f", columns["score"]


def test_a_row_per_product_layout_puts_each_list_in_one_cell(tiny_bert_dir, tmp_path):
    """For a shop's import of related products (WooCommerce's Cross-sells): one row per
    product, the neighbours' ids in rank order in one cell; the same lists as the pairs."""
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, [f"S{i}" for i in range(6)])
        at.switch_page("pages/export.py").run()
        pairs = at.dataframe[0].value
        at.radio(key="export.layout").set_value("products").run()
        assert not at.exception, at.exception
        preview = at.dataframe[0].value
        assert list(preview.columns) == ["source_id", "source_title", "neighbors",
                                         "neighbor_ids", "scores"]
        first = preview.iloc[0]
        shown = pairs[pairs.source_id == first.source_id].sort_values("rank")
        assert first.neighbor_ids.split(",") == shown.neighbor_id.tolist()[:first.neighbors]
        assert "**6 products** · up to **5** neighbours each · **6** rows in the file" in \
            element_texts(at.markdown)
        assert "one row per product: its id and title" in element_texts(at.markdown)


def test_a_configuration_file_without_columns_keeps_the_work_restorable(tiny_bert_dir, tmp_path,
                                                                         monkeypatch):
    """Loading {"k": 20} on the Export page re-guessed the columns for the catalog but saved
    the file's empty text columns: after a reload the uploaded catalog could not be opened
    again ('Choose at least one text column') and the demo was open instead."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    monkeypatch.setenv("CATSIM_WORKSPACE", str(tmp_path / "ws"))
    first = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    first.run()
    _upload(first, [f"S{i}" for i in range(6)])
    first.switch_page("pages/export.py").run()
    first.file_uploader(key="settings.config_file.load").set_value(
        ("partial.json", b'{"k": 3}', "application/json")).run()
    assert not first.exception, first.exception
    assert first.session_state["settings.config"].k == 3
    assert first.session_state["settings.config"].text_columns == ("title",)

    again = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    again.query_params["s"] = first.session_state["session.token"]
    again.run()
    assert not again.exception, again.exception
    assert "could not be opened again" not in element_texts(again.warning)
    cat = again.session_state["catalog.catalog"]
    assert cat.name == "shop.csv" and list(cat.ids) == [f"S{i}" for i in range(6)]
    assert again.session_state["settings.config"].k == 3


def test_decisions_carry_over_to_the_next_version_of_the_catalog(tiny_bert_dir, tmp_path):
    """A merchandiser reviewed a pair, then uploaded the catalog again with one product more:
    every decision was filed under the exact catalog it was made on, so the new version had
    none of them (a warning said so). Now the decision carries over; a decision on a product
    whose title was edited since is named, listed, and can be kept for the product as it is
    now."""
    from core.lists.review import ReviewStore
    from core.workspace import Workspace

    ids = [f"S{i}" for i in range(6)]
    kinds = ["tea", "tea", "lamp", "lamp", "cup", "cup"]
    rows = [["sku", "title", "kind"], *[[i, f"{k} item {n}", k] for n, (i, k) in
                                        enumerate(zip(ids, kinds))]]

    def upload(name: str, table: list[list[str]]) -> None:
        at.switch_page("pages/catalog.py").run()
        at.file_uploader(key="catalog.upload").set_value(
            (name, make_csv_bytes(table), "text/csv")).run()
        assert not at.exception, at.exception

    def said(page: str) -> str:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        return element_texts(at.warning) + element_texts(at.caption)

    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        _upload(at, ids)
        at.switch_page("pages/review.py").run()
        at.button(key="review.accept").click().run()
        assert not at.exception, at.exception
        cat = at.session_state["catalog.catalog"]
        pair = ReviewStore(Workspace.default().db_path, cat, owner=None).pins()
        assert len(pair) == 1
        upload("shop v2.csv", [*rows, ["S6", "new kettle", "kettle"]])
        for page in ("pages/export.py", "pages/review.py"):
            text = said(page)
            assert "not applied here" not in text, (page, text)
        assert "review decisions used: 1 accepted, 0 rejected" in said("pages/export.py")

        edited = [r if r[0] != pair[0][0] else [r[0], r[1] + " large", r[2]] for r in rows]
        upload("shop v3.csv", edited)
        for page in ("pages/export.py", "pages/review.py"):
            assert ("Earlier review decisions of yours that are not applied here: 1 (1 because "
                    "a product's text was edited since). Your other decisions carry over to this "
                    "version.") in said(page), page
        shown = next(d.value for d in at.dataframe if "why" in d.value.columns)
        assert shown[["left_id", "right_id", "why"]].values.tolist() == [
            [*pair[0], "a product's text was edited since"]]
        at.button(key="review.carry_edited").click().run()
        assert not at.exception, at.exception
        assert "not applied here" not in said("pages/export.py")
        assert "review decisions used: 1 accepted, 0 rejected" in said("pages/export.py")
