"""Files uploaded beside the catalog (labelled pairs on Evaluate, Duplicate threshold and
Fine-tune) survive a reload, the way the catalog does; so does the last Evaluate table.

Each AppTest below is a fresh server-side session (what a reload or a restarted server
gives); the token travels the way the browser carries it, in the page address (?s=...).
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.workspace import SessionStore, Workspace
from tests.conftest import element_texts, open_session

pytestmark = pytest.mark.app
SHOP_CSV = "sku,name,kind\n" + "".join(
    f"S{i:03d},{c} item {i},{c}\n" for i, c in enumerate(["lamp", "cable", "mouse", "speaker"] * 8))
LABELS = ("left_id,right_id,label\n" + "".join(f"S{i:03d},S{i + 4:03d},1\n" for i in range(12))
          + "S000,S001,0\n").encode()


def _shop(page: str) -> AppTest:
    at = open_session()
    at.file_uploader(key="catalog.upload").set_value(
        ("shop.csv", SHOP_CSV.encode(), "text/csv")).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _kept(at: AppTest, slot: str) -> list[bytes]:
    store = SessionStore(Workspace.default(), at.session_state["session.token"])
    return [p.read_bytes() for p in (store.root / "uploads" / slot).rglob("*") if p.is_file()]


def test_the_evaluate_labels_file_and_its_table_come_back_after_a_reload(env):
    """After a reload the labels file was gone (upload it again) and so was the table."""
    first = _shop("pages/evaluate.py")
    first.file_uploader(key="evaluate.upload").set_value(("labels.csv", LABELS, "text/csv")).run()
    first.button(key="evaluate.run").click().run()
    assert not first.exception, first.exception
    measured = first.dataframe[0].value
    assert "recall@1" in measured.columns

    again = open_session(first.session_state["session.token"], "pages/evaluate.py")
    assert "Using labels.csv, uploaded " in element_texts(again.caption)
    assert "13 labelled pairs read" in element_texts(again.success)
    back = again.dataframe[0].value  # the last comparison, without measuring again
    assert list(back.columns) == list(measured.columns)
    assert back.to_dict() == measured.to_dict()
    assert "with labels.csv" in element_texts(again.caption)

    again.button(key="evaluate.upload.forget").click().run()  # "Remove this file"
    assert not again.exception, again.exception
    assert "Using labels.csv" not in element_texts(again.caption)
    assert not again.success and _kept(again, "evaluate.upload") == []
    later = open_session(first.session_state["session.token"], "pages/evaluate.py")
    assert "Using labels.csv" not in element_texts(later.caption)


def test_the_threshold_files_come_back_and_a_new_upload_replaces_the_kept_one(env):
    first = _shop("pages/threshold.py")
    first.file_uploader(key="threshold.upload").set_value(("cal.csv", LABELS, "text/csv")).run()
    first.file_uploader(key="threshold.holdout").set_value(("check.csv", LABELS, "text/csv")).run()
    assert not first.exception, first.exception
    other = LABELS.replace(b"S000,S001,0", b"S002,S003,0")
    first.file_uploader(key="threshold.upload").set_value(("cal2.csv", other, "text/csv")).run()
    first.run()  # a rerun with the file still in the box writes nothing again
    assert _kept(first, "threshold.upload") == [other]

    again = open_session(first.session_state["session.token"], "pages/threshold.py")
    captions = element_texts(again.caption)
    assert "Using cal2.csv, uploaded " in captions and "Using check.csv, uploaded " in captions
    assert "No labels" not in element_texts(again.info)  # calibrated on the kept file


def test_the_finetune_pairs_file_comes_back_and_emptying_the_box_removes_it(env):
    first = _shop("pages/finetune.py")
    first.file_uploader(key="finetune.pairs").set_value(("pairs.csv", LABELS, "text/csv")).run()
    assert not first.exception, first.exception
    again = open_session(first.session_state["session.token"], "pages/finetune.py")
    assert "Using pairs.csv, uploaded " in element_texts(again.caption)
    assert "training pairs" in element_texts(again.caption)
    assert not again.button(key="finetune.start").disabled

    first.file_uploader(key="finetune.pairs").set_value(None).run()  # its x in the box
    assert not first.exception, first.exception
    assert _kept(first, "finetune.pairs") == []
    later = open_session(first.session_state["session.token"], "pages/finetune.py")
    assert "Using pairs.csv" not in element_texts(later.caption)


def test_a_file_that_cannot_be_read_is_not_kept_and_others_never_see_a_kept_one(env):
    first = _shop("pages/evaluate.py")
    first.file_uploader(key="evaluate.upload").set_value(("bad.csv", b"", "text/csv")).run()
    assert first.error and _kept(first, "evaluate.upload") == []
    first.file_uploader(key="evaluate.upload").set_value(("labels.csv", LABELS, "text/csv")).run()
    assert _kept(first, "evaluate.upload") == [LABELS]
    stranger = open_session(page="pages/evaluate.py")  # another browser, no token
    assert "Using labels.csv" not in element_texts(stranger.caption)


def test_a_saved_upload_path_outside_the_session_folder_is_never_opened(env):
    """state.json is data: an uploads entry naming another file is left out."""
    first = _shop("pages/evaluate.py")
    first.file_uploader(key="evaluate.upload").set_value(("labels.csv", LABELS, "text/csv")).run()
    store = SessionStore(Workspace.default(), first.session_state["session.token"])
    outside = store.root.parent / "secret.csv"
    outside.write_bytes(LABELS)
    saved = json.loads(store.state_path.read_text())
    for bad in ("../secret.csv", str(outside), "uploads/evaluate.upload/../../../secret.csv",
                "uploads/evaluate.upload/0123456789abcdef/../../../../secret.csv"):
        saved["uploads"]["evaluate.upload"]["file"] = bad
        store.state_path.write_text(json.dumps(saved))
        assert store.upload_path(bad) is None
        again = open_session(first.session_state["session.token"], "pages/evaluate.py")
        assert "Using labels.csv" not in element_texts(again.caption)


def test_a_file_that_cannot_be_kept_is_still_used_and_says_so(env, monkeypatch):
    """A full disk or a read-only workspace: the upload is measured, with a warning that it
    will not come back after a reload (the page did not fail)."""
    first = _shop("pages/evaluate.py")

    def full(self, slot, name, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SessionStore, "keep_upload", full)
    first.file_uploader(key="evaluate.upload").set_value(("labels.csv", LABELS, "text/csv")).run()
    assert not first.exception, first.exception
    assert "13 labelled pairs read" in element_texts(first.success)
    assert "labels.csv is used now but cannot be kept for after a reload" in element_texts(
        first.warning)


def _open_catalog(at: AppTest, name: str, data: bytes, page: str) -> None:
    at.switch_page("pages/catalog.py").run()
    at.file_uploader(key="catalog.upload").set_value((name, data, "text/csv")).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_a_kept_labels_file_is_used_only_with_the_catalog_it_was_uploaded_for(env):
    """After another catalog was opened, the kept labels file was read against it ('None of
    the pairs' ids are in the catalog', or a count of unknown ids): it now says which catalog
    it belongs to, is not used, and comes back with that catalog, after a reload too."""
    at = _shop("pages/evaluate.py")
    at.file_uploader(key="evaluate.upload").set_value(("labels.csv", LABELS, "text/csv")).run()
    assert "13 labelled pairs read" in element_texts(at.success)
    other = b"code,title\nX1,red lamp\nX2,blue lamp\nX3,green cable\n"
    _open_catalog(at, "other.csv", other, "pages/evaluate.py")
    said = element_texts(at.warning)
    assert ("labels.csv was uploaded for another catalog, shop.csv, so it is not used with "
            "this one. Upload the labels for this catalog above, or open shop.csv again") in said
    assert not at.success and not at.error, element_texts(at.error)
    assert _kept(at, "evaluate.upload") == [LABELS]  # nothing lost
    reloaded = open_session(at.session_state["session.token"], "pages/evaluate.py")
    assert "uploaded for another catalog, shop.csv" in element_texts(reloaded.warning)

    _open_catalog(at, "shop.csv", SHOP_CSV.encode(), "pages/evaluate.py")  # the same file
    assert "13 labelled pairs read" in element_texts(at.success)
    again = open_session(at.session_state["session.token"], "pages/evaluate.py")
    assert "Using labels.csv, uploaded " in element_texts(again.caption)
    assert "13 labelled pairs read" in element_texts(again.success)


def test_a_new_version_of_the_catalog_asks_before_using_its_labels_file(env):
    at = _shop("pages/threshold.py")
    at.file_uploader(key="threshold.upload").set_value(("cal.csv", LABELS, "text/csv")).run()
    edited = SHOP_CSV.replace("lamp item 0,", "lamp item zero,").encode()
    _open_catalog(at, "shop.csv", edited, "pages/threshold.py")
    assert "cal.csv was uploaded for another version of shop.csv (the file has changed since)" \
        in element_texts(at.warning)
    assert "No labels" in element_texts(at.info)  # not used until asked
    at.button(key="threshold.upload.adopt").click().run()  # "Use it with this catalog"
    assert not at.exception, at.exception
    assert "Using cal.csv, uploaded " in element_texts(at.caption)
    assert "No labels" not in element_texts(at.info)
    again = open_session(at.session_state["session.token"], "pages/threshold.py")
    assert "Using cal.csv, uploaded " in element_texts(again.caption)
