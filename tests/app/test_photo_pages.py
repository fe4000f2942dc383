"""Pages with photos (AppTest, tiny BERT, the bundled image model): a zip of drawn photos,
the photo weight, thumbnails made on the server, skipped photos reported by row."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog, read_table
from core.config import Config
from tests.conftest import element_texts, running_app
from tests.imagegen import SVG, encoded, photo

pytestmark = pytest.mark.app
NAMES = ("disc", "stripes", "checks", "triangle")


def _shop(tmp_path):
    rows, archive = [], tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for kind, name in enumerate(NAMES):
            im = photo(kind, (128, 100))
            zf.writestr(f"{name}.png", encoded(im))
            zf.writestr(f"{name}_2.jpg", encoded(im.resize((64, 50)), "JPEG", quality=50))
            rows += [(f"a{kind}", f"{name} lamp", f"{name}.png"),
                     (f"b{kind}", f"{name} lamp copy", f"{name}_2.jpg")]
        zf.writestr("logo.svg", SVG)
    rows += [("c1", "lamp without photo", "missing.png"), ("c2", "svg lamp", "logo.svg")]
    csv = pd.DataFrame(rows, columns=["sku", "title", "photo"]).to_csv(index=False).encode()
    table = read_table(csv, filename="shop.csv")
    cat = build_catalog(table, ColumnMapping(text_columns=("title",), id_column="sku",
                                             image="photo"), name="shop")
    return table, cat, archive


@pytest.fixture(scope="module")
def app(tiny_bert_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("photo_shop")
    table, cat, archive = _shop(tmp)
    cfg = Config(id_column="sku", text_columns=("title",), image_column="photo",
                 image_weight=0.6, model=str(tiny_bert_dir))
    state = {"catalog.table": table, "catalog.catalog": cat, "settings.config": cfg,
             "catalog.photo_zip_path": str(archive)}
    with running_app(tiny_bert_dir, tmp / "ws", timeout=240, state=state) as at:
        at.switch_page("pages/neighbors.py").run()
        assert not at.exception, at.exception
        yield at


def _ok(at) -> None:
    assert not at.exception, at.exception
    assert not at.error, element_texts(at.error)


def _run_with_zip(script, archive, tmp_path, monkeypatch, timeout: int):
    """script (an AppTest function reading session_state["zip"]) run once on archive, in a
    workspace of its own; checked for exceptions and errors."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CATSIM_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_function(script, default_timeout=timeout)
    at.session_state["zip"] = str(archive)
    at.run()
    _ok(at)
    return at


def test_photos_join_the_lists(app) -> None:
    res = app.session_state["results"]
    assert res.images is not None and int(res.images.has_image.sum()) == 8
    assert "photos" in res.key
    assert app.session_state["settings.config"].image_weight == 0.6
    # The score says what it is made of (the caption's help, under "How the score is made").
    assert any("photos" in c.proto.help for c in app.caption)


def test_catalog_page_reports_skipped_photos_by_row(app) -> None:
    app.switch_page("pages/catalog.py").run()
    _ok(app)
    report = next(d.value for d in app.dataframe if "problem" in d.value.columns
                  and "logo.svg" in d.value["photo file"].tolist())  # after reading the photos
    assert report["row"].tolist() == [9, 10]
    assert report["photo file"].tolist() == ["missing.png", "logo.svg"]
    # why before which file: after a long web address the reason was cut off at 1024 px
    assert list(report.columns) == ["row", "id", "problem", "photo file"]
    captions = element_texts(app.caption)
    assert "Photos: 8 of 10 products have a usable photo." in captions
    # the photo store is shared by every user: no count says how many were there before
    assert "reused" not in captions and "embedded" not in captions


def test_export_page_says_the_score_holds_the_photos(app) -> None:
    """It said "1 = the same text" although 60% of the score came from the photos."""
    app.switch_page("pages/export.py").run()
    _ok(app)
    held = element_texts(app.markdown)
    assert ("and the score (0 = unrelated, 1 = the same text and the same photo; 60% of the score comes "
            "from the photos, and a pair where one product has no photo is scored by its text "
            "alone)") in held


PHOTO_MEANING = ("0 = unrelated, 1 = the same text and the same photo; 60% of the score comes "
                 "from the photos, and a pair where one product has no photo is scored by its "
                 "text alone")


def test_compare_builds_b_with_the_photos_as_a_has_them(app) -> None:
    """B = A on Compare differed from A (B's lists were built without the photos that
    A's scores hold): the same configuration must give the same lists."""
    app.switch_page("pages/compare.py").run()
    _ok(app)
    app.button[[b.label for b in app.button].index("Compare")].click().run()
    _ok(app)
    shown = {m.label: m.value for m in app.metric}
    assert shown["Identical lists (of 10)"] == "10", shown
    assert shown["Mean overlap@10"] == "1.000", shown
    assert shown["Mean rank correlation"] == "1.000", shown  # the same order too


def test_neighbours_page_says_what_export_says_the_score_means(app) -> None:
    """The caption and the score column's help read "1 (the same text)" while 60% of the
    score came from the photos; they now say what the Export page says."""
    from tests.app.test_chinese_audit import table_headers

    app.switch_page("pages/neighbors.py").run()
    _ok(app)
    captions = element_texts(app.caption)
    assert f"score: {PHOTO_MEANING}" in captions and "(the same text)" not in captions
    helps = dict(table_headers(app.dataframe[-1]))  # every product's list
    assert helps["score"] == f"How similar: {PHOTO_MEANING}."
    assert "1 (the same text; and the same photo when photos are part of the score)" in \
        element_texts(app.markdown)  # "Words used on this page"


def test_search_results_carry_server_made_thumbnails(app) -> None:
    app.switch_page("pages/search.py").run()
    app.text_input(key="search.query").set_value("disc lamp").run()
    _ok(app)
    table = app.dataframe[0].value
    shown = [u for u in table["photo"] if isinstance(u, str)]
    assert shown and all(u.startswith("data:image/jpeg;base64,") for u in shown)
    assert table["photo"].isna().sum() == int(table["id"].isin(["c1", "c2"]).sum())



def test_search_results_score_says_the_photos_are_not_in_it(app) -> None:
    """The bundled image model cannot read words: a search's score is its text's, and the
    score column says so (not the lists' 60% from the photos)."""
    from tests.app.test_chinese_audit import table_headers

    app.switch_page("pages/search.py").run()
    app.text_input(key="search.query").set_value("disc lamp").run()
    _ok(app)
    helps = dict(table_headers(app.dataframe[0]))
    assert helps["score"] == "How similar: 0 = unrelated, 1 = the same text."


def test_search_says_how_its_results_are_ranked_without_the_photos(app) -> None:
    """The photos have no opinion on a typed query (the bundled model reads no words): the
    page said "Ranked like the neighbour lists: ... + 60% photos" beside "results rank by
    their text"; the shares it names are the text's and add up to 100%."""
    import re

    app.switch_page("pages/search.py").run()
    _ok(app)
    how = [c.value for c in app.caption if "Ranked like the neighbour lists" in c.value]
    assert len(how) == 1 and "photos" not in how[0], how
    assert sum(int(p) for p in re.findall(r"(\d+)%", how[0])) in (99, 100, 101), how


@pytest.mark.parametrize("page", ["pages/review.py", "pages/heatmap.py", "pages/map.py"])
def test_pages_with_photos_render(app, page) -> None:
    app.switch_page(page).run()
    _ok(app)
    assert "<script" not in repr(app.main)  # the SVG's script never reaches a page


def test_photo_weight_slider_changes_the_lists(app) -> None:
    app.switch_page("pages/neighbors.py").run()
    app.slider(key="settings.image_weight").set_value(1.0).run()
    _ok(app)
    nb = app.session_state["results"]
    assert nb.images is not None
    best = app.dataframe[-1].value  # every product's list
    first = best[best["rank"] == 1].set_index("source_id")["neighbor_id"]
    for kind in range(len(NAMES)):
        assert first[f"a{kind}"] == f"b{kind}"
    assert np.isfinite(nb.vectors).all()


def test_groups_page_finds_listings_sharing_a_photo(app) -> None:
    app.switch_page("pages/groups.py").run()
    _ok(app)
    pairs = next(d.value for d in app.dataframe if "photo_similarity" in d.value.columns)
    found = {frozenset(p) for p in zip(pairs["left_id"], pairs["right_id"])}
    assert {frozenset((f"a{k}", f"b{k}")) for k in range(len(NAMES))} <= found


def test_catalog_page_matches_photo_names_at_once_and_says_when_the_lists_ignore_them(app):
    app.switch_page("pages/catalog.py").run()
    _ok(app)
    captions = element_texts(app.caption)
    assert "9 of 10 photo files found in the zip; 0 products have no photo." in captions
    names = next(d.value for d in app.dataframe if "problem" in d.value.columns
                 and d.value["photo file"].tolist() == ["missing.png"])
    assert names["row"].tolist() == [9] and "not found in the zip" in names["problem"][0]
    assert "do not use the photos yet" not in element_texts(app.info)  # the weight is 0.6
    app.slider(key="settings.image_weight").set_value(0.0).run()
    _ok(app)
    assert "do not use the photos yet" in element_texts(app.info)



def test_explain_shows_the_photos_part_of_the_score(app) -> None:
    """Explain said 'fused score = meaning part + words part + same-product evidence' with
    photos at 0.6: their part was nowhere, and the bars did not add up to the score."""
    app.switch_page("pages/explain.py").run()
    app.slider(key="settings.image_weight").set_value(0.6).run()
    _ok(app)
    photo_lines = [c for c in element_texts(app.caption).split("\n") if "Photos: " in c]
    assert any("of the total (the bar below; photo weight 0.6); the two photos' similarity is" in c
               for c in photo_lines), photo_lines

def test_photo_grid_says_no_photo_in_the_interface_language(app) -> None:
    app.switch_page("pages/neighbors.py").run()
    app.text_input(key="neighbors.find").set_value("without photo").run()
    _ok(app)
    assert "(no photo)" in element_texts(app.text)  # c1, the product shown, has none
    app.radio(key="ui.language").set_value("zh").run()
    _ok(app)
    texts = element_texts(app.text)
    assert "（无图片）" in texts and "(no photo)" not in texts
    app.radio(key="ui.language").set_value("en").run()



def test_photo_grid_captions_are_one_line_each_with_the_lists_scores(app) -> None:
    """Under each photo the grid showed only the id, at the height the photo above it left:
    a row's labels did not line up. Each cell now has its title, id and score on one line
    each (the browser cuts a long title and shows it whole on hover), as plain text."""
    app.switch_page("pages/neighbors.py").run()
    app.text_input(key="neighbors.find").set_value("disc lamp").run()
    _ok(app)
    captions = [e for e in app.text if e.value != "(no photo)"]
    assert all(not e.proto.wrap for e in captions)  # one line each: a long title never wraps
    found = [tuple(e.value for e in captions[i:i + 3]) for i in range(0, len(captions), 3)]
    # the tree holds the grid column by column (six columns: cells 0, 6, 12, then 1, 7...)
    order = [i for col in range(6) for i in range(col, len(found), 6)]
    cells = [cell for _, cell in sorted(zip(order, found))]
    listed = app.dataframe[0].value  # the product's list, above the grid
    assert cells == [("disc lamp", "a0", "picked"),
                     *[(title, pid, f"score {score:.2f}") for title, pid, score in
                       zip(listed["title"], listed["id"], listed["score"])]]
    app.radio(key="ui.language").set_value("zh").run()
    _ok(app)
    said = [e.value for e in app.text if e.value != "（无图片）"]
    assert said[2] == "所选商品" and said[5] == f"得分 {listed['score'][5]:.2f}"  # cells 0, 6
    app.radio(key="ui.language").set_value("en").run()


def test_photos_kept_from_an_earlier_upload_are_named_and_can_be_let_go(app) -> None:
    """After a reload the zip box is empty but the zip uploaded before is still used: the
    page said nothing and offered no way to stop using it."""
    app.switch_page("pages/catalog.py").run()
    _ok(app)
    kept = app.session_state["catalog.photo_zip_path"]
    assert "Photos in use: the .zip uploaded before" in element_texts(app.caption)
    app.button(key="catalog.photo_zip.forget").click().run()
    _ok(app)
    assert app.session_state["catalog.photo_zip_path"] is None
    assert "upload the photos as a .zip above" in element_texts(app.caption)
    app.session_state["catalog.photo_zip_path"] = kept  # the module's other tests use it
    app.run()



def _thumbnails_of_a_dead_host() -> None:
    """App script: the thumbnails of six products whose photos sit on one dead host."""
    import socket

    import pandas as pd
    import streamlit as st

    from components import photos
    from core.catalog.fetch import UrlFetcher
    from core.catalog.table import ColumnMapping, build_catalog, read_table
    from core.config import Config
    from core.workspace import Workspace

    tries = st.session_state.setdefault("tries", [])

    def dead(host, port):
        tries.append(host)
        raise socket.gaierror("Name or service not known")

    cache_dir = Workspace.default().ensure().image_cache_dir
    st.session_state.setdefault(photos.FETCHER, UrlFetcher(cache_dir, resolver=dead))
    frame = pd.DataFrame({"sku": [f"s{i}" for i in range(6)],
                          "title": [f"lamp {i}" for i in range(6)],
                          "photo": [f"http://dead.example/p{i}.jpg" for i in range(6)]})
    table = read_table(frame.to_csv(index=False).encode(), filename="shop.csv")
    cat = build_catalog(table, ColumnMapping(text_columns=("title",), id_column="sku",
                                                       image="photo"))
    uris = photos.thumb_uris(cat, Config(fetch_images=True), range(6))
    st.text(f"{uris.count(None)} without thumbnail, {len(tries)} tries")


def test_a_dead_photo_host_is_tried_twice_for_a_page_of_thumbnails(tmp_path, monkeypatch):
    """Each thumbnail made its own downloader, so a host that did not answer was tried
    again for every product (10 s each with a real timeout): a list of 10 waited 100 s."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CATSIM_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_function(_thumbnails_of_a_dead_host, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.text[0].value == "6 without thumbnail, 2 tries"


def _several_photos_in_a_cell() -> None:
    """App script: the Catalog page's photo check and thumbnails for cells that name
    several photos (the zip's path in session_state['zip'])."""
    import pandas as pd
    import streamlit as st

    from components import photos, state
    from core.catalog.table import ColumnMapping, build_catalog, read_table
    from core.config import Config

    state.init_state()
    state.set_photo_zip(st.session_state["zip"])
    frame = pd.DataFrame({"sku": ["s0", "s1", "s2", "s3"],
                          "title": ["hat", "cap", "scarf", "glove"],
                          "photo": ["front.png|back.png", "gone.png; back.png",
                                    '["back.png", "front.png"]', "gone.png|lost.png"]})
    table = read_table(frame.to_csv(index=False).encode(), filename="shop.csv")
    cat = build_catalog(table, ColumnMapping(text_columns=("title",), id_column="sku",
                                             image="photo"))
    photos.names_report(cat, Config(image_weight=0.5))
    uris = photos.thumb_uris(cat, Config(image_weight=0.5), range(4))
    st.text(f"thumbnails: {[u is not None for u in uris]}")


def test_a_cell_naming_several_photos_shows_its_first_photo(tmp_path, monkeypatch) -> None:
    """'front.png|back.png' (or '; ', or a JSON list) was looked for as one file name: 'was
    not found in the zip', no thumbnail, the product compared by its text only."""

    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("shop/front.png", encoded(photo(0)))
        zf.writestr("shop/back.png", encoded(photo(1)))
    at = _run_with_zip(_several_photos_in_a_cell, archive, tmp_path, monkeypatch, 60)
    captions = element_texts(at.caption)
    assert "3 of 4 photo files found in the zip; 0 products have no photo." in captions
    assert "4 products name several photos: the first one that can be read is used." in captions
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert problems["photo file"].tolist() == ["gone.png|lost.png"]
    assert problems["problem"][0] == ("holds 2 photos and none can be used: the first, "
                                      "'gone.png', was not found in the zip")
    assert at.text[-1].value == "thumbnails: [True, True, True, False]"


def _thumbnails_from_one_zip() -> None:
    """App script: thumbnails of six products from the zip in session_state['zip']."""
    import pandas as pd
    import streamlit as st

    from components import photos, state
    from core.catalog.table import ColumnMapping, build_catalog, read_table
    from core.config import Config

    state.init_state()
    state.set_photo_zip(st.session_state["zip"])
    frame = pd.DataFrame({"sku": [f"s{i}" for i in range(6)],
                          "title": [f"lamp {i}" for i in range(6)],
                          "photo": [f"p{i}.png" for i in range(6)]})
    table = read_table(frame.to_csv(index=False).encode(), filename="shop.csv")
    cat = build_catalog(table, ColumnMapping(text_columns=("title",), id_column="sku",
                                             image="photo"))
    uris = photos.thumb_uris(cat, Config(), range(6))
    st.text(f"{sum(u is not None for u in uris)} thumbnails")


def test_thumbnails_read_the_zips_names_once(tmp_path, monkeypatch) -> None:
    """Each thumbnail listed the whole zip again: 0.3 s per photo with 20,000 in the zip, so
    a list of 10 took 3 s and every new search as long."""
    from streamlit.testing.v1 import AppTest

    import core.catalog.image_source as source_module

    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for k in range(6):
            zf.writestr(f"shop/p{k}.png", encoded(photo(k)))
    listed = []
    real = source_module._zip_index
    monkeypatch.setattr(source_module, "_zip_index", lambda infos: listed.append(1) or real(infos))
    monkeypatch.setenv("CATSIM_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_function(_thumbnails_from_one_zip, default_timeout=60)
    at.session_state["zip"] = str(archive)
    at.run()
    _ok(at)
    assert at.text[-1].value == "6 thumbnails"
    assert len(listed) == 1


def _damaged_first_photo() -> None:
    """App script: thumbnails and the photo report when a cell's first photo is damaged."""
    import pandas as pd
    import streamlit as st

    from components import photos, state
    from core.catalog.table import ColumnMapping, build_catalog, read_table
    from core.config import Config

    state.init_state()
    state.set_photo_zip(st.session_state["zip"])
    frame = pd.DataFrame({"sku": ["s0", "s1", "s2"], "title": ["hat", "cap", "scarf"],
                          "photo": ["cut.jpg|back.png", "page.jpg; back.png", "cut.jpg"]})
    table = read_table(frame.to_csv(index=False).encode(), filename="shop.csv")
    cat = build_catalog(table, ColumnMapping(text_columns=("title",), id_column="sku",
                                             image="photo"))
    cfg = Config(image_weight=0.5)
    photos.issues_report(photos.embed_with_progress(cat, cfg))
    uris = photos.thumb_uris(cat, cfg, range(3))
    st.text(f"thumbnails: {[u is not None for u in uris]}")


def test_a_damaged_first_photo_falls_back_to_the_next(tmp_path, monkeypatch) -> None:
    """A truncated JPEG or an error page saved as .jpg first in the cell: the product had no
    photo at all, though the cell named a good one after it."""

    jpeg = encoded(photo(2), "JPEG")
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("cut.jpg", jpeg[: len(jpeg) // 2])
        zf.writestr("page.jpg", b"<!doctype html><title>403 Forbidden</title>")
        zf.writestr("back.png", encoded(photo(1)))
    at = _run_with_zip(_damaged_first_photo, archive, tmp_path, monkeypatch, 120)
    captions = element_texts(at.caption)
    assert "Photos: 2 of 3 products have a usable photo." in captions
    assert ("2 products use a later photo of their cell, because the first one could not be "
            "used (missing, damaged or not a photo).") in captions
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert problems["photo file"].tolist() == ["cut.jpg"]
    assert at.text[-1].value == "thumbnails: [True, True, False]"


def test_prepare_the_lists_shows_the_photo_report_at_once(tiny_bert_dir, tmp_path) -> None:
    """'Prepare the lists now' read the photos, but their report (how many usable, which
    skipped) came only on the next rerun: right after the click the page said nothing."""
    table, cat, archive = _shop(tmp_path)
    cfg = Config(id_column="sku", text_columns=("title",), image_column="photo",
                 image_weight=0.6, model=str(tiny_bert_dir))
    state = {"catalog.table": table, "catalog.catalog": cat, "settings.config": cfg,
             "catalog.photo_zip_path": str(archive)}
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240, state=state) as at:
        at.switch_page("pages/catalog.py").run()
        _ok(at)
        assert "Photos: 8 of 10 products have a usable photo." not in element_texts(at.caption)
        at.button(key="catalog.embed").click().run()
        _ok(at)
        assert "Photos: 8 of 10 products have a usable photo." in element_texts(at.caption)
