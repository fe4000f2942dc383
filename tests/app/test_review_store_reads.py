"""The session keeps one review store per catalog across reruns (it read the database about
three times per run of Review and Export), and still sees every change: a decision made in
another tab of the same session shows on the next run (AppTest, tiny BERT)."""

from __future__ import annotations

import pytest

from tests.conftest import element_texts, make_csv_bytes, running_app

pytestmark = pytest.mark.app

KEPT = "tuning.memo.review.store"  # components.state.memo("review.store", ...)


def test_one_store_per_session_and_catalog_sees_every_change(tiny_bert_dir, tmp_path):
    from core.lists.review import ReviewStore
    from core.workspace import Workspace

    rows = [["sku", "title"], *[[f"S{i}", f"{k} item {i}"] for i, k in
                                enumerate(["tea", "tea", "lamp", "lamp", "cup", "cup"])]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        at.switch_page("pages/catalog.py").run()
        at.file_uploader(key="catalog.upload").set_value(
            ("shop.csv", make_csv_bytes(rows), "text/csv")).run()
        at.switch_page("pages/review.py").run()
        assert not at.exception, at.exception
        kept = at.session_state[KEPT][1]
        at.button(key="review.accept").click().run()
        assert not at.exception, at.exception
        at.switch_page("pages/export.py").run()
        assert "review decisions used: 1 accepted, 0 rejected" in element_texts(at.caption)
        assert at.session_state[KEPT][1] is kept  # the same store, run after run

        cat = at.session_state["catalog.catalog"]
        other_tab = ReviewStore(Workspace.default().db_path, cat,
                                owner=at.session_state["session.token"])
        other_tab.record("S4", "S5", "reject")
        at.run()
        assert "review decisions used: 1 accepted, 1 rejected" in element_texts(at.caption)
        other_tab.undo_last()
        other_tab.undo_last()
        at.switch_page("pages/review.py").run()
        assert "pairs decided in this session: 0" in element_texts(at.caption)
        assert at.session_state[KEPT][1] is kept
