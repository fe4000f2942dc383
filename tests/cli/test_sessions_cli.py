"""`python -m core sessions`: how much the app's saved sessions hold, and deleting old ones
(nothing in a workspace expired: a server's disk grew with every visitor)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from core.cli import EXIT_INPUT, main
from core.lists.review import ReviewStore
from core.workspace import (
    DEMO_SOURCE,
    SavedSource,
    SavedState,
    SessionStore,
    Workspace,
    new_session_token,
    session_model_owner,
)

DAY = 86_400


def _session(ws: Workspace, days_ago: float) -> str:
    token = new_session_token()
    store = SessionStore(ws, token)
    store.keep_file("shop.csv", b"id,title\n1,lamp\n" * 1000)
    store.save(SavedState(SavedSource(DEMO_SOURCE), {"k": 10}))
    when = time.time() - days_ago * DAY
    os.utime(store.state_path, (when, when))
    ReviewStore(ws.ensure().db_path, "catalog-a", owner=token).record("1", "2", "accept")
    return token


def test_old_sessions_are_listed_then_deleted_with_their_decisions(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    ws = Workspace(tmp_path / "ws")
    old, older, recent = _session(ws, 40), _session(ws, 400), _session(ws, 2)
    model = ws.models_dir / "all-MiniLM-L6-v2-ft-v1"
    model.mkdir(parents=True)
    (model / "card.json").write_text(json.dumps({"owner": session_model_owner(old)}))

    assert main(["sessions", "--workspace", str(ws.root), "--older-than", "30"]) == 0
    out = capsys.readouterr().out
    assert "3 saved sessions" in out and "2 not saved for 30 days or more" in out
    assert "run again with --delete" in out and "their 1 fine-tuned models would be kept" in out
    assert all(SessionStore(ws, t).exists() for t in (old, older, recent))  # nothing deleted
    assert not any(t in out for t in (old, older, recent))  # a token opens the work: never shown

    assert main(["sessions", "--workspace", str(ws.root), "--older-than", "30", "--delete"]) == 0
    err = capsys.readouterr().err
    assert "deleted 2 sessions" in err and "and their 2 review decisions" in err
    assert "kept their 1 fine-tuned models" in err
    assert [SessionStore(ws, t).exists() for t in (old, older, recent)] == [False, False, True]
    left = ReviewStore(ws.db_path, "catalog-a", owner=None).decisions()
    assert len(left) == 1  # the recent session's decision only
    assert model.is_dir()  # a nightly job may use it


def test_delete_needs_an_age_and_an_empty_workspace_says_so(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    assert main(["sessions", "--workspace", str(tmp_path), "--delete"]) == EXIT_INPUT
    assert "--delete needs --older-than DAYS" in capsys.readouterr().err
    assert main(["sessions", "--workspace", str(tmp_path)]) == 0
    assert "no saved sessions" in capsys.readouterr().out
