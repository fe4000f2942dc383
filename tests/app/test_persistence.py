"""A session's work survives a reload and a server restart, keyed by its own token.

Each AppTest below is a fresh server-side session (what a reload or a restarted
server gives); the token travels the way the browser carries it, in the page
address (?s=...).
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.workspace import SessionStore, Workspace
from tests.conftest import element_texts, open_session

pytestmark = pytest.mark.app
SMALL_CSV = "sku,name,kind,maker\n" + "".join(
    f"S{i:03d},{c} item {i},{c},maker{i % 3}\n"
    for i, c in enumerate(["lamp", "cable", "mouse", "speaker"] * 8))


def _token(at: AppTest) -> str:
    return at.session_state["session.token"]


def test_settings_rules_and_guide_come_back_with_the_token(env):
    first = open_session(page="pages/neighbors.py")
    first.slider(key="settings.k").set_value(5).run()
    first.get_by_key("neighbors.rules.same").set_value(["category"]).run()
    first.switch_page("pages/catalog.py").run()
    first.button(key="guide.done").click().run()
    first.sidebar.radio(key="ui.language").set_value("zh").run()
    assert not first.exception, first.exception

    again = open_session(_token(first), "pages/neighbors.py")
    assert again.session_state["ui.language.chosen"] == "zh"  # the language comes back too
    assert again.sidebar.radio(key="ui.language").value == "zh"
    cfg = again.session_state["settings.config"]
    assert cfg.k == 5 and cfg.rules.to_dict() == {"same": ["category"]}
    assert again.multiselect(key="neighbors.rules.same").value == ["category"]
    assert again.dataframe[0].value.shape[0] <= 5
    assert again.session_state["guide.dismissed"] is True
    assert _token(again) == _token(first)


def test_an_uploaded_catalog_and_its_mapping_come_back(env):
    first = open_session()
    first.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", SMALL_CSV.encode(), "text/csv")).run()
    assert not first.exception, first.exception
    assert len(first.session_state["catalog.catalog"]) == 32
    again = open_session(_token(first))
    cat = again.session_state["catalog.catalog"]
    assert cat.name == "shop.csv" and len(cat) == 32
    assert cat.identity == first.session_state["catalog.catalog"].identity
    kept = list((SessionStore(Workspace.default(), _token(first)).root / "catalog").rglob("*.csv"))
    assert [p.read_text() for p in kept] == [SMALL_CSV]


def test_sessions_never_see_each_others_work(env):
    mine = open_session(page="pages/neighbors.py")
    mine.get_by_key("neighbors.rules.same").set_value(["brand"]).run()
    mine.switch_page("pages/review.py").run()
    mine.button(key="review.accept").click().run()
    other = open_session(page="pages/review.py")  # another browser: no token in its address
    assert _token(other) != _token(mine)
    assert other.session_state["settings.config"].rules.to_dict() == {}
    assert "pairs decided in this session: 0" in element_texts(other.caption)
    assert "pairs decided in this session: 1" in element_texts(mine.caption)


def test_a_token_that_is_not_one_gets_a_fresh_session(env):
    at = open_session("../../etc/passwd")
    assert _token(at) != "../../etc/passwd" and len(_token(at)) >= 16
    assert at.session_state["catalog.catalog"].name.startswith("Demo")


def test_a_made_up_token_in_a_link_is_not_adopted(env):
    """Session fixation: a link carrying a token its author made up (?s=<chosen>) was
    adopted, so what the visitor then uploaded was saved under a token the author knew and
    could open. Only a token with saved work is taken from the address."""
    chosen = "made-up-by-the-link-author"
    at = open_session(chosen)
    assert _token(at) != chosen
    at.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", SMALL_CSV.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    assert not SessionStore(Workspace.default(), chosen).root.exists()
    author = open_session(chosen)
    assert author.session_state["catalog.catalog"].name.startswith("Demo")
    assert open_session(_token(at)).session_state["catalog.catalog"].name == "shop.csv"  # a reload


def test_unreadable_saved_work_opens_the_demo_and_says_so(env):
    first = open_session()
    first.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", SMALL_CSV.encode(), "text/csv")).run()
    store = SessionStore(Workspace.default(), _token(first))
    for path in (store.root / "catalog").rglob("*.csv"):
        path.unlink()  # the kept file is gone
    again = open_session(_token(first))
    assert again.session_state["catalog.catalog"].name.startswith("Demo")
    assert "could not be opened again" in element_texts(again.warning)


def test_start_over_forgets_the_work_and_starts_a_new_session(env):
    first = open_session(page="pages/neighbors.py")
    first.get_by_key("neighbors.rules.same").set_value(["category"]).run()
    old = _token(first)
    assert SessionStore(Workspace.default(), old).state_path.exists()
    first.button(key="session.start_over").click().run()
    assert not first.exception, first.exception
    assert _token(first) != old
    assert not SessionStore(Workspace.default(), old).root.exists()
    assert first.session_state["settings.config"].rules.to_dict() == {}
    assert open_session(old).session_state["settings.config"].rules.to_dict() == {}


def test_start_over_forgets_the_review_decisions_for_the_old_address(env):
    """'Start over' says it forgets the review decisions: someone still holding the old
    address (a bookmark, a colleague it was sent to) found them again on the Review page."""
    first = open_session(page="pages/review.py")
    first.button(key="review.accept").click().run()
    assert "pairs decided in this session: 1" in element_texts(first.caption)
    old = _token(first)
    first.button(key="session.start_over").click().run()
    assert not first.exception and not first.error, element_texts(first.error)
    again = open_session(old, "pages/review.py")
    assert "pairs decided in this session: 0" in element_texts(again.caption)


def test_a_file_read_as_the_user_told_comes_back_read_the_same_way(env):
    """A headerless file read with 'First line is column names' off comes back after a
    reload with the same columns (it was read again with detection: refused, and the
    demo opened instead)."""
    headerless = "".join(f"{1000 + i},Widget {i} blue,{9.99 + i}\n" for i in range(10)).encode()
    first = open_session()
    first.file_uploader(key="catalog.upload").set_value(("h.csv", headerless, "text/csv")).run()
    assert "looks like a product, not column names" in element_texts(first.error)
    first.checkbox(key="catalog.read.header").uncheck()
    first.button(key="FormSubmitter:catalog.read-Read the file again").click().run()
    assert not first.exception and not first.error, element_texts(first.error)
    assert len(first.session_state["catalog.catalog"]) == 10

    again = open_session(_token(first))
    assert not again.warning or "could not be opened again" not in element_texts(again.warning)
    cat = again.session_state["catalog.catalog"]
    assert cat.name == "h.csv" and len(cat) == 10
    assert list(again.session_state["catalog.table"].frame.columns) == [
        "column_1", "column_2", "column_3"]


def test_fine_tuned_models_are_offered_by_their_full_path(tmp_path, monkeypatch):
    """A settings file saved from the app names the model folder; a relative one
    ('workspace/models/...') failed in a nightly job started from another folder. The picker
    offers full paths, and a relative path saved before still finds its option."""
    from components.advanced import OTHER_MODEL, _as_option, model_options

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CATSIM_WORKSPACE", "ws")
    folder = tmp_path / "ws" / "models" / "bundled-ft-v1"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (tmp_path / "ws" / "models" / "not-a-model").mkdir()
    options = model_options()
    assert str(folder.resolve()) in options and len(options) == 4
    assert _as_option("ws/models/bundled-ft-v1", options) == str(folder.resolve())
    assert _as_option(str(folder.resolve()), options) == str(folder.resolve())
    assert _as_option("intfloat/multilingual-e5-small", options) == OTHER_MODEL
    assert _as_option("", options) == OTHER_MODEL


def _photo_shop() -> tuple[bytes, bytes]:
    """A catalog with a photo column and the .zip of its photos."""
    import io
    import zipfile

    from tests.imagegen import encoded, photo

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for kind in range(4):
            zf.writestr(f"p{kind}.png", encoded(photo(kind, (64, 48))))
    rows = "".join(f"S{i:03d},{c} item {i},p{i % 4}.png\n"
                   for i, c in enumerate(["lamp", "cable", "mouse", "speaker"] * 3))
    return ("sku,name,photo\n" + rows).encode(), buffer.getvalue()


def test_uploaded_photos_come_back_and_are_kept_once(env, monkeypatch):
    """The .zip of photos was session state only: after a reload the lists and pictures
    lost their photos until the zip was uploaded again. It is kept in the session's folder
    (written once per upload, not on every rerun) and comes back with the token; "Stop
    using these photos" forgets it there too."""
    writes = []
    keep = SessionStore.keep_photos

    def counted(self, data):
        writes.append(len(data))
        return keep(self, data)

    monkeypatch.setattr(SessionStore, "keep_photos", counted)
    csv, archive = _photo_shop()
    first = open_session()
    first.file_uploader(key="catalog.upload").set_value(("shop.csv", csv, "text/csv")).run()
    assert first.session_state["catalog.catalog"].mapping.image == "photo"
    first.file_uploader(key="catalog.photo_zip").set_value(
        ("photos.zip", archive, "application/zip")).run()
    first.run()  # a rerun with the zip still in the box
    assert not first.exception, first.exception
    assert writes == [len(archive)]
    store = SessionStore(Workspace.default(), _token(first))
    kept = list((store.root / "photos").glob("*.zip"))
    assert [p.read_bytes() for p in kept] == [archive]
    assert "12 of 12 photo files found in the zip; 0 products have no photo." in element_texts(
        first.caption)

    again = open_session(_token(first))
    assert again.session_state["catalog.photo_zip_path"] == str(kept[0])
    assert "Photos in use: the .zip uploaded before" in element_texts(again.caption)
    again.button(key="catalog.photo_zip.forget").click().run()
    assert not again.exception, again.exception
    assert not kept[0].exists()
    assert open_session(_token(first)).session_state["catalog.photo_zip_path"] is None


def test_a_saved_photos_path_outside_the_session_folder_is_ignored(env):
    """state.json is data: a photos entry naming another file is never opened."""
    first = open_session()
    store = SessionStore(Workspace.default(), _token(first))
    outside = store.root.parent / "elsewhere.zip"
    outside.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    state = store.load()
    for bad in ("../elsewhere.zip", str(outside), "photos/../../elsewhere.zip", 7):
        text = store.state_path.read_text().replace('"photos": null', f'"photos": {json.dumps(bad)}')
        store.state_path.write_text(text)
        assert store.photos_path(store.load()) is None
    assert state is not None and open_session(_token(first)).session_state.get(
        "catalog.photo_zip_path") is None


def test_a_settings_file_asking_for_longer_lists_keeps_its_length(env):
    """k = 80 from a settings file was cut to the slider's 50 without a word, and the
    settings file downloaded next said 50."""
    import json as _json

    first = open_session(page="pages/export.py")
    settings = _json.dumps({"k": 80}).encode()
    first.file_uploader(key="settings.config_file.load").set_value(
        ("nightly.json", settings, "application/json")).run()
    assert not first.exception, first.exception
    assert first.session_state["settings.config"].k == 80
    first.switch_page("pages/neighbors.py").run()
    assert not first.exception, first.exception
    assert first.sidebar.slider(key="settings.k").value == 80
    assert first.session_state["settings.config"].k == 80
    assert open_session(_token(first)).session_state["settings.config"].k == 80


def test_a_settings_file_without_columns_keeps_every_column_of_the_catalog(env):
    """A file of settings only (a threshold per category, written by hand or by an older
    version) kept the id and text columns but dropped category, brand and price: the
    rules on them stopped working and the thresholds per category matched nothing."""
    import json as _json

    first = open_session(page="pages/export.py")
    before = first.session_state["settings.config"]
    assert before.category_column and before.brand_column and before.price_column
    settings = _json.dumps({"duplicate_threshold": 0.97,
                            "category_thresholds": {"printers": 0.9}}).encode()
    first.file_uploader(key="settings.config_file.load").set_value(
        ("thresholds.json", settings, "application/json")).run()
    assert not first.exception, first.exception
    after = first.session_state["settings.config"]
    assert after.category_thresholds == {"printers": 0.9}
    assert (after.category_column, after.brand_column, after.price_column) == (
        before.category_column, before.brand_column, before.price_column)
    assert after.text_columns == before.text_columns


def test_a_reload_is_handed_the_lists_made_under_the_rules(env):
    """A reload is a new session: the lists under the rules were made again for it (24,628
    products under a same category rule: 15 s of blank page on every page that shows them);
    now it is handed the lists made before, for the same catalog, vectors and rules."""
    first = open_session(page="pages/neighbors.py")
    first.get_by_key("neighbors.rules.same").set_value(["category"]).run()
    made = first.session_state["tuning.memo.neighbors.ruled"][1][1]
    again = open_session(_token(first), "pages/export.py")
    assert again.session_state["tuning.memo.neighbors.ruled"][1][1] is made


def test_a_reload_is_handed_the_groups_made_before(env):
    """Product groups and duplicate groups were made again in each new session (a reload of
    the Groups page of 24,628 products: 18 s); now the reload is handed those made before."""
    first = open_session(page="pages/groups.py")
    made = [first.session_state[f"tuning.memo.{name}"][1] for name in ("groups_chosen", "duplicates")]
    again = open_session(_token(first), "pages/groups.py")
    kept = [again.session_state[f"tuning.memo.{name}"][1] for name in ("groups_chosen", "duplicates")]
    assert kept[0] is made[0] and kept[1] is made[1]
