"""core.workspace.SessionStore: one app session's saved work in the workspace folder."""

from __future__ import annotations

import pytest

from core.workspace import (
    FILE_SOURCE,
    SavedSource,
    SavedState,
    SessionStore,
    Workspace,
    new_session_token,
    valid_session_token,
)


def test_tokens_are_random_and_only_their_own_shape_is_accepted():
    tokens = {new_session_token() for _ in range(50)}
    assert len(tokens) == 50 and all(valid_session_token(t) for t in tokens)
    for bad in ("", "short", "../../etc/passwd", "a/b" * 10, None, 12345678901234567890,
                "x" * 65):
        assert not valid_session_token(bad)
        with pytest.raises(ValueError):
            SessionStore(Workspace("ws"), bad)


def test_state_round_trips_and_a_broken_file_reads_as_nothing(tmp_path):
    store = SessionStore(Workspace(tmp_path), new_session_token())
    assert store.load() is None
    state = SavedState(SavedSource(), {"k": 5, "rules": {"same": ["category"]}},
                       {"guide_done": True})
    store.save(state)
    assert store.load() == state
    assert not list(store.root.glob(".tmp-*"))  # the atomic write left no temporary file
    store.state_path.write_text("{not json", encoding="utf-8")
    assert store.load() is None
    store.state_path.write_text('{"version": 99}', encoding="utf-8")
    assert store.load() is None


def test_kept_files_follow_the_saved_state(tmp_path):
    store = SessionStore(Workspace(tmp_path), new_session_token())
    first = store.keep_file("../../evil name?.csv", b"a,b\n1,2\n")
    assert first.startswith("catalog/") and first.endswith("evil name_.csv")
    assert (store.root / first).resolve().is_relative_to(store.root.resolve())
    store.save(SavedState(SavedSource(FILE_SOURCE, first, "x.csv"), {}))
    second = store.keep_file("y.csv", b"c\n3\n")
    assert (store.root / first).exists()  # still what the saved state points to
    store.save(SavedState(SavedSource(FILE_SOURCE, second, "y.csv"), {}))
    assert not (store.root / first).exists() and (store.root / second).read_bytes() == b"c\n3\n"
    store.clear()
    assert not store.root.exists()




def test_read_choices_round_trip_and_only_known_ones_come_back_as_arguments(tmp_path):
    store = SessionStore(Workspace(tmp_path), new_session_token())
    chosen = {"delimiter": "#", "header": False, "allow_ragged": True, "encoding": "cp1252"}
    store.save(SavedState(SavedSource(FILE_SOURCE, "catalog/x/a.txt", "a.txt", None, chosen), {}))
    assert store.load().source.read_options() == chosen
    hostile = {"delimiter": 5, "header": "no", "max_bytes": 1, "filename": "/etc/passwd"}
    source = SavedSource(FILE_SOURCE, "catalog/x/a.txt", "a.txt", None, hostile)
    assert source.read_options() == {}  # wrong types and other arguments are left out
    assert SavedSource().read_options() == {}  # saved before read choices were kept
