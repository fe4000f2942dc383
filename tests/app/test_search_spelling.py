"""The Search page on a Chinese catalog: a homophone typo or pinyin shows the catalog's
spelling of the query and its results, with a switch back to the query as typed."""

from __future__ import annotations

import pytest

from tests.conftest import element_texts, running_app
from tests.search.test_spelling import ZH_TITLES

pytestmark = pytest.mark.app


@pytest.fixture(scope="module")
def app(tiny_bert_dir, tmp_path_factory):
    with running_app(tiny_bert_dir, tmp_path_factory.mktemp("search_spelling_ws")) as at:
        rows = "".join(f"P{i},{t}\n" for i, t in enumerate(ZH_TITLES))
        at.file_uploader(key="catalog.upload").set_value(
            ("zh.csv", ("id,title\n" + rows).encode("utf-8"), "text/csv")).run()
        assert not at.exception, at.exception
        at.switch_page("pages/search.py").run()
        at.slider(key="settings.hybrid_weight").set_value(1.0).run()  # the tiny model reads nothing
        assert not at.exception, at.exception
        yield at


def _search(app, query: str):
    app.text_input(key="search.query").input(query).run()
    assert not app.exception, app.exception
    return app.dataframe[0].value


@pytest.mark.parametrize("typed", ["兰之水乳", "lan zhi shui ru"])
def test_a_typo_or_pinyin_shows_the_catalogs_spelling_and_can_be_searched_as_typed(app, typed):
    table = _search(app, typed)
    assert table["id"].iloc[0] == "P0"
    notes = element_texts(app.info)
    assert "Showing results for **兰芝水乳**" in notes and typed in notes
    assert "Nothing in this catalog reads as close" not in notes
    app.toggle(key="search.exact").set_value(True).run()
    assert "Showing results for" not in element_texts(app.info)
    app.toggle(key="search.exact").set_value(False).run()
    assert "Showing results for **兰芝水乳**" in element_texts(app.info)


def test_a_query_the_catalog_spells_so_shows_no_note(app):
    table = _search(app, "兰芝水乳")
    assert table["id"].iloc[0] == "P0"
    assert "Showing results for" not in element_texts(app.info)
    assert not app.get("toggle") or all(t.key != "search.exact" for t in app.toggle)


@pytest.mark.parametrize("typed", ["兰之水乳", "lan zhi shui ru"])
def test_the_heatmaps_search_box_respells_like_the_search_page(app, typed):
    """The Heatmap's box searched the query as typed, with no word of the catalog's spelling."""
    app.switch_page("pages/heatmap.py").run()
    app.radio(key="heatmap.source_choice").set_value("A search result").run()
    app.text_input(key="heatmap.query").input(typed).run()
    assert not app.exception, app.exception
    notes = element_texts(app.info)
    assert "Showing results for **兰芝水乳**" in notes and typed in notes
    assert app.get("plotly_chart")  # the results' heatmap
    app.toggle(key="heatmap.exact").set_value(True).run()
    assert not app.exception, app.exception
    assert "Showing results for" not in element_texts(app.info)
    app.toggle(key="heatmap.exact").set_value(False).run()
    assert "Showing results for **兰芝水乳**" in element_texts(app.info)
    app.switch_page("pages/search.py").run()  # the module's other tests search there


EN_SHOP = ["samsung 40 inch lcd tv", "samsung galaxy phone case", "logitech wireless mouse",
           "logitech keyboard k120", "hdmi cable 2m", "usb cable 1m"]


@pytest.mark.slow  # the real bundled model reads the queries (the tiny one reads nothing)
def test_an_english_typo_shows_the_catalogs_word_and_can_be_searched_as_typed(tmp_path):
    """"samsng tv" found no Samsung (the words side never met "samsng"): the page now says it
    shows "samsung tv", and the switch searches what was typed."""
    from core.embed.models import bundled_model_path

    with running_app(bundled_model_path(), tmp_path / "ws") as at:
        rows = "".join(f"E{i},{t}\n" for i, t in enumerate(EN_SHOP))
        at.file_uploader(key="catalog.upload").set_value(
            ("en.csv", ("id,title\n" + rows).encode("utf-8"), "text/csv")).run()
        at.switch_page("pages/search.py").run()  # the English default, 0.7 words
        table = _search(at, "Samsng TV")
        assert table["id"].iloc[0] == "E0"
        notes = element_texts(at.info)
        assert "Showing results for **samsung tv**" in notes and "Samsng TV" in notes
        at.toggle(key="search.exact").set_value(True).run()
        assert "Showing results for" not in element_texts(at.info)
        at.toggle(key="search.exact").set_value(False).run()
        _search(at, "garden hose")  # "hose" is a word, not a typo of anything: as typed
        assert "Showing results for" not in element_texts(at.info)
