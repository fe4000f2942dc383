"""Issue 14 item 8 in the app: a workspace database that cannot be used is a one-line
message on the pages that need it, never an uncaught exception, and the file is kept."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, element_texts


@pytest.mark.app
def test_a_damaged_workspace_database_is_a_message_not_a_crash(tiny_bert_dir, workspace,
                                                               monkeypatch) -> None:
    workspace.mkdir(parents=True)
    db = workspace / "catalog_similarity.sqlite"
    junk = b"SQLite format 3\x00" + bytes(range(256)) * 64  # a header, then damaged pages
    db.write_bytes(junk)
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    app.run()
    app.switch_page("pages/neighbors.py").run()
    assert not app.exception, app.exception
    warned = element_texts(app.warning)
    assert "cannot be used" in warned and "keep a copy" in warned, warned
    assert len(app.dataframe) > 0, "the lists are still shown (without the store)"
    app.switch_page("pages/review.py").run()
    assert not app.exception, app.exception
    assert "cannot be used" in element_texts(app.error)
    assert db.read_bytes() == junk, "the file is never overwritten or deleted"
