"""The Catalog page on files as shops export them: what a merchandiser reads after an upload
(the repeated or blank ids named; a workbook's title rows skipped and said so)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.conftest import make_csv_bytes

pytestmark = pytest.mark.app

HEADER = ["id", "title", "brand", "price"]


@pytest.fixture
def app(tiny_bert_dir, workspace, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    return at


def _rows(n: int = 30) -> list[list[str]]:
    return [[f"P{i}", f"product number {i}", "acme", "9.99"] for i in range(n)]


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in (at.warning, at.error, at.markdown, at.subheader)
                     for e in kind)


def test_repeated_ids_are_named_and_the_id_column_kept(app) -> None:
    rows = _rows()
    rows[10][0], rows[20][0] = "P3", "P4"
    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes([HEADER, *rows]), "text/csv")).run()
    assert not app.exception, app.exception
    shown = _texts(app)
    assert "2 ids appear more than once in column id: P3, P4." in shown, shown
    assert app.selectbox[0].label == "Id column" and app.selectbox[0].value == "id"


def test_a_blank_id_is_named_instead_of_switching_to_row_numbers(app) -> None:
    rows = _rows()
    rows[7][0] = ""
    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes([HEADER, *rows]), "text/csv")).run()
    assert not app.exception, app.exception
    assert "Id column 'id' is empty in 1 row (row 8)" in _texts(app)
    assert app.selectbox[0].value == "id"


def test_a_workbook_with_a_title_row_is_mapped_from_its_real_header(app) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["ACME shop export 2026-12-01"])
    for row in [HEADER, *_rows()]:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    app.file_uploader(key="catalog.upload").set_value(
        ("export.xlsx", buf.getvalue(), "application/octet-stream")).run()
    assert not app.exception, app.exception
    shown = _texts(app)
    assert "Mapped catalog: export.xlsx" in shown, shown
    assert "the column names are on row 2" in shown
    assert "Text compared: title · id: id" in "\n".join(str(c.value) for c in app.caption)


def test_the_sidebar_is_drawn_for_the_uploaded_catalog_at_once(app) -> None:
    """The sidebar was drawn before the upload was read: right after it, Advanced's column
    weights still named the demo's columns (category) and the language line spoke of the
    demo, until the next click."""
    def weights(at) -> set[str]:
        return {w.key for w in at.sidebar.number_input if w.key.startswith("settings.field.")}

    assert "settings.field.category" in weights(app)  # the demo maps a category column
    header = ["sku", "name", "maker"]
    rows = [[f"S{i}", f"{w} item {i}", "acme"] for i, w in enumerate(["lamp", "tea"] * 10)]
    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes([header, *rows]), "text/csv")).run()
    assert not app.exception, app.exception
    assert "Mapped catalog: shop.csv" in _texts(app)
    assert weights(app) == {"settings.field.name", "settings.field.maker"}, weights(app)


def test_prepare_the_lists_now_finds_the_neighbours_too(app) -> None:
    """'Prepare the lists now' read the products only: the Neighbours page then searched
    every product's neighbours (24,628 products: 55 s more). Now the button does both, and
    the Neighbours page opens on the lists it made."""
    from components.resources import shared_results

    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes([["id", "title", "brand", "price"], *_rows()]),
         "text/csv")).run()
    app.button(key="catalog.embed").click().run()
    assert not app.exception, app.exception
    cat, res = app.session_state["catalog.catalog"], app.session_state["results"]
    cfg = app.session_state["settings.config"]
    made = shared_results("pool").get((cat.identity, res.key, cfg.pool_key()))
    assert made is not None and made.indices.shape[0] == 30
    app.switch_page("pages/neighbors.py").run()
    assert shared_results("pool").get((cat.identity, res.key, cfg.pool_key())) is made


def test_a_model_number_column_is_mapped_and_kept_in_the_settings(app) -> None:
    """An MPN column is found by its name, shown in the mapping with what it does, and
    saved with the settings (a nightly job replays it); "(none)" unmaps it."""
    rows = [["id", "title", "mpn"], *[[f"P{i}", f"lamp {i}", f"L-{i:03d}"] for i in range(5)]]
    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes(rows), "text/csv")).run()
    assert not app.exception, app.exception
    box = next(b for b in app.selectbox if b.label == "Model number")
    assert box.value == "mpn" and "never scored as the same product" in box.help
    assert app.session_state["settings.config"].model_number_column == "mpn"
    assert "model numbers compared: mpn" in " ".join(c.value for c in app.caption)
    box.set_value("(none)")
    app.button[[b.label for b in app.button].index("Use these columns")].click().run()
    assert not app.exception, app.exception
    assert app.session_state["settings.config"].model_number_column is None
    assert "model numbers compared" not in " ".join(c.value for c in app.caption)


def test_row_numbers_in_place_of_a_column_of_repeated_ids_are_explained(app) -> None:
    """A column named like ids that repeats most of them (variants sharing their parent's
    sku) was passed over for row numbers without a word: the exports carried row numbers
    the shop cannot join to its products. The page says so, and how to use the column."""
    rows = _rows()
    for i, row in enumerate(rows):
        row[0] = f"P{i // 3}"  # 10 different ids in 30 rows
    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes([HEADER, *rows]), "text/csv")).run()
    assert not app.exception, app.exception
    assert app.selectbox[0].value == "(row numbers)"
    notes = "\n".join(str(e.value) for e in app.info)
    assert "column id has 10 different ids in 30 rows" in notes, notes
    assert "choose id as the id column above" in notes
    app.switch_page("pages/export.py").run()  # where the row numbers end up
    assert not app.exception, app.exception
    notes = "\n".join(str(e.value) for e in app.info)
    assert notes.startswith("Ids in this file are row numbers (0 = the first product of your "
                            "file): column id has"), notes
    assert "column id has 10 different ids in 30 rows" in notes, notes
    assert "on the Catalog page" in notes
    app.switch_page("pages/catalog.py").run()
    app.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", make_csv_bytes([HEADER, *_rows()]), "text/csv")).run()
    assert app.selectbox[0].value == "id"
    assert not any("named by row number" in str(e.value) for e in app.info)


def test_a_bookshop_is_told_its_titles_do_not_name_the_author(app) -> None:
    """Titles such as "Emma (Hardcover)" do not say who wrote the book, and the lists compare
    only them: the page names Author and Genre to add; adding them ends the note; the demo
    (titles that name their brand) never shows it."""
    from tests.conftest import element_texts

    note = "Your titles seldom name the Author (0% of them)"
    assert note not in element_texts(app.info)
    books = [["ISBN", "Title", "Author", "Genre"]] + [
        [f"97800000000{i:02d}", f"Book number {i} (Paperback)", f"Writer {i % 4}",
         ["Fantasy", "Classics"][i % 2]] for i in range(12)]
    app.file_uploader(key="catalog.upload").set_value(
        ("books.csv", make_csv_bytes(books), "text/csv")).run()
    assert not app.exception, app.exception
    said = element_texts(app.info)
    assert note in said and "add Author and Genre to the text columns above" in said
    texts = next(m for m in app.multiselect if m.label == "Text columns, in order")
    texts.set_value(["Title", "Author", "Genre"])
    app.button(key="FormSubmitter:catalog.mapping-Use these columns").click().run()
    assert not app.exception, app.exception
    assert "Text compared: Title + Author + Genre" in element_texts(app.caption)
    assert "seldom name" not in element_texts(app.info)
