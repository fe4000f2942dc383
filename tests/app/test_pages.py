"""Every page rendered with Streamlit's AppTest (no browser, no network).

The tiny random BERT from conftest stands in for the model ($CATSIM_MODEL), so
these tests check the pages' wiring, not similarity quality.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, element_texts

pytestmark = pytest.mark.app
PAGES = ["pages/catalog.py", "pages/neighbors.py", "pages/export.py", "pages/search.py",
         "pages/map.py", "pages/heatmap.py"]


@pytest.fixture
def app(tiny_bert_dir, workspace, monkeypatch) -> AppTest:
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    return at


def test_opens_on_the_demo_catalog(app):
    assert "walmart.csv" in element_texts(app.markdown)
    assert "2,554 rows" in element_texts(app.markdown)
    assert app.dataframe[0].value.shape[0] == 200  # preview is capped


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app, page):
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not app.error, element_texts(app.error)


def test_neighbours_page_follows_k_and_product(app):
    app.switch_page("pages/neighbors.py").run()
    assert app.dataframe[0].value.shape[0] == 10
    app.slider(key="settings.k").set_value(4).run()
    product = app.dataframe[0].value
    assert product.shape[0] == 4
    assert list(product["rank"]) == [1, 2, 3, 4]
    assert product["score"].is_monotonic_decreasing
    full = app.dataframe[1].value
    assert set(full.columns) >= {"source_id", "rank", "neighbor_id", "score"}
    app.text_input(key="neighbors.find").input("epson").run()
    shown = [m.value for m in app.markdown if str(m.value).startswith("**")]
    assert shown and "epson" in shown[0].lower()
    assert app.dataframe[0].value.shape[0] == 4


def test_catalog_wide_table_filter_and_pages(app):
    app.switch_page("pages/neighbors.py").run()
    app.text_input(key="neighbors.all.filter").input("epson").run()
    table = app.dataframe[1].value
    assert len(table) > 0
    assert table["source_title"].str.contains("epson").all()


def test_metric_change_recomputes(app):
    app.switch_page("pages/neighbors.py").run()
    cosine = app.dataframe[0].value["score"].tolist()
    app.selectbox(key="settings.metric").set_value("euclidean").run()
    assert not app.exception
    euclid = app.dataframe[0].value["score"].tolist()
    assert euclid != cosine
    assert all(0 < s <= 1 for s in euclid)


def test_search_returns_k_results(app):
    app.switch_page("pages/search.py").run()
    app.text_input(key="search.query").input("black usb cable").run()
    assert not app.exception
    result = app.dataframe[0].value
    assert len(result) == 10
    assert result["score"].is_monotonic_decreasing


def test_mapping_form_changes_text_columns(app):
    form_multiselect = next(m for m in app.multiselect if m.label.startswith("Text columns"))
    form_multiselect.set_value(["title", "brand"])
    app.button[[b.label for b in app.button].index("Use these columns")].click().run()
    assert not app.exception
    assert "title + brand" in element_texts(app.caption)


def test_heatmap_by_category(app):
    app.switch_page("pages/heatmap.py").run()
    app.radio(key="heatmap.source_choice").set_value("A category").run()
    assert not app.exception
    assert not app.error
    assert "products" in element_texts(app.caption)


def test_unloadable_model_shows_a_clear_error(app):
    from components.advanced import OTHER_MODEL

    app.selectbox(key="settings.model_choice").set_value(OTHER_MODEL).run()
    app.text_input(key="settings.model_other").input("/no/such/model-folder").run()
    assert not app.exception
    assert "does not exist" in element_texts(app.error)


def test_a_map_selection_opens_a_products_neighbour_list(app):
    """A lasso on the map led to the heatmap only; one of the selected products now opens
    its own list (as from Search and Groups)."""
    app.switch_page("pages/map.py").run()
    app.session_state["map.selection"] = [40, 41, 42]  # what a lasso leaves
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="map.open_row").options[2].startswith("42 — sony mdrex35lp")
    app.selectbox(key="map.open_row").select_index(2).run()
    app.button(key="map.to_neighbors").click().run()
    assert not app.exception, app.exception
    assert app.selectbox(key="neighbors.product").value == 42
