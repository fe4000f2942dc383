"""Review decisions: the workspace table, latest-wins, labels, restart, and the queue."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core.errors import CatalogSimilarityError
from core.lists.review import (
    ReviewStore,
    forget_owner,
    load_decisions,
    pair_key,
    review_key,
    review_queue,
)
from core.search.neighbors import Neighbors
from core.workspace import Workspace


@pytest.fixture
def store(workspace) -> ReviewStore:
    return ReviewStore(Workspace.default().ensure().db_path, "catalog-1")


def test_record_and_read_back(store):
    store.record("a", "b", "accept")
    store.record("c", "d", "reject")
    store.record("e", "f", "skip")
    decided = store.decisions()
    assert list(decided.columns) == ["left_id", "right_id", "decision", "decided_at"]
    assert decided[["left_id", "right_id", "decision"]].values.tolist() == [
        ["a", "b", "accept"], ["c", "d", "reject"], ["e", "f", "skip"]]
    assert store.pins() == [("a", "b")]
    assert store.blocks() == [("c", "d")]
    assert store.count() == 3


def test_latest_decision_on_an_unordered_pair_wins(store):
    store.record("a", "b", "accept")
    store.record("b", "a", "reject")
    decided = store.decisions()
    assert decided[["left_id", "right_id", "decision"]].values.tolist() == [["b", "a", "reject"]]
    assert len(store.history()) == 2
    assert pair_key("a", "b") == pair_key("b", "a")


def test_labelled_pairs_leave_out_skips(store):
    store.record("a", "b", "accept")
    store.record("a", "c", "reject")
    store.record("a", "d", "skip")
    pairs = store.as_labelled_pairs()
    assert list(pairs.columns) == ["left_id", "right_id", "label"]
    assert pairs.values.tolist() == [["a", "b", 1], ["a", "c", 0]]
    assert pairs["label"].dtype == np.int64


def test_decisions_survive_a_restart_and_share_the_embedding_database(workspace):
    from core.embed.store import EmbeddingStore

    db = Workspace.default().ensure().db_path
    vectors = EmbeddingStore(db)
    vectors.put("m", [b"x" * 32], np.ones((1, 3), dtype=np.float32))
    ReviewStore(db, "catalog-1").record("p1", "p2", "accept")
    again = ReviewStore(db, "catalog-1")
    assert again.pins() == [("p1", "p2")]
    assert vectors.count("m") == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"embeddings", "review_decisions"} <= tables
    vectors.close()


@pytest.mark.parametrize("left, right, decision, message", [
    ("a", "b", "maybe", "decision must be one of"),
    ("a", "a", "accept", "against itself"),
])
def test_bad_decisions_are_refused(store, left, right, decision, message):
    with pytest.raises(CatalogSimilarityError, match=message):
        store.record(left, right, decision)
    assert store.count() == 0


def test_undo_and_missing_database(store, tmp_path):
    assert not store.undo_last()
    store.record("a", "b", "accept")
    store.record("a", "c", "accept")
    assert store.undo_last()
    assert store.pins() == [("a", "b")]
    empty = load_decisions(tmp_path / "nothing.sqlite", SimpleNamespace(ids=["a"], texts=["x"]))
    assert empty.empty and "decision" in empty.columns
    assert not (tmp_path / "nothing.sqlite").exists()


def _lists() -> Neighbors:
    idx = np.array([[1, 2], [0, 2], [0, -1]], dtype=np.int64)
    scores = np.array([[0.9, 0.5], [0.9, 0.7], [0.5, np.nan]], dtype=np.float32)
    return Neighbors(idx, scores, 1 - scores, "cosine")


def test_queue_has_each_unordered_pair_once_and_skips_decided_ones():
    ids = np.array(["a", "b", "c"], dtype=object)
    queue = review_queue(ids, _lists(), pd.DataFrame(columns=["left_id", "right_id"]))
    assert queue[["left_row", "right_row"]].values.tolist() == [[0, 1], [1, 2], [0, 2]]
    assert queue["score"].tolist() == pytest.approx([0.9, 0.7, 0.5])
    decided = pd.DataFrame({"left_id": ["b"], "right_id": ["a"]})
    assert review_queue(ids, _lists(), decided)[["left_row", "right_row"]].values.tolist() == \
        [[1, 2], [0, 2]]


def test_a_pair_is_asked_the_way_round_its_list_holds_it():
    """Review asks 'is the product on the right a good neighbour for the one on the left?':
    c's list holds a, a's does not hold c, so c is on the left with c's score (the pair was
    turned round to a | c, asking about a list that does not hold it)."""
    ids = np.array(["a", "b", "c"], dtype=object)
    lists = Neighbors(np.array([[1], [0], [0]], dtype=np.int64),
                      np.array([[0.9], [0.9], [0.4]], dtype=np.float32),
                      np.array([[0.1], [0.1], [0.6]], dtype=np.float32), "cosine")
    queue = review_queue(ids, lists, pd.DataFrame(columns=["left_id", "right_id"]))
    assert queue[["left_row", "right_row"]].values.tolist() == [[0, 1], [2, 0]]
    assert queue["score"].tolist() == pytest.approx([0.9, 0.4])


def test_queue_orders():
    ids = np.array(["a", "b", "c"], dtype=object)
    none = pd.DataFrame(columns=["left_id", "right_id"])
    low = review_queue(ids, _lists(), none, order="lowest")
    assert low["score"].tolist() == pytest.approx([0.5, 0.7, 0.9])
    near = review_queue(ids, _lists(), none, order="near-threshold", threshold=0.72)
    assert near["score"].iloc[0] == pytest.approx(0.7)
    shuffled = review_queue(ids, _lists(), none, order="random", seed=3)
    assert sorted(shuffled["score"].round(3).tolist()) == [0.5, 0.7, 0.9]
    with pytest.raises(CatalogSimilarityError, match="needs a duplicate threshold"):
        review_queue(ids, _lists(), none, order="near-threshold")
    assert len(review_queue(ids, _lists(), none, limit=1)) == 1


def test_decisions_belong_to_one_catalog_even_when_ids_match(workspace):
    """Issue 14.3: a decision on catalog A never pins, counts or undoes anything in B."""
    db = Workspace.default().ensure().db_path
    a = ReviewStore(db, "catalog-a", owner="s1")
    b = ReviewStore(db, "catalog-b", owner="s1")
    a.record("0", "1", "accept")  # row-number ids collide between the catalogs
    assert b.decisions().empty and b.pins() == [] and b.count() == 0
    assert not b.undo_last()
    assert a.pins() == [("0", "1")]


def test_each_session_sees_and_undoes_only_its_own_decisions(workspace):
    db = Workspace.default().ensure().db_path
    one = ReviewStore(db, "catalog-a", owner="session-1")
    two = ReviewStore(db, "catalog-a", owner="session-2")
    one.record("a", "b", "accept")
    two.record("c", "d", "reject")
    assert one.pins() == [("a", "b")] and one.blocks() == [] and one.count() == 1
    assert two.undo_last() and two.count() == 0
    assert one.pins() == [("a", "b")], "session 2's undo must not remove session 1's decision"
    every = ReviewStore(db, "catalog-a", owner=None)  # the CLI: every reviewer, read-only
    assert every.pins() == [("a", "b")]
    with pytest.raises(CatalogSimilarityError, match="read-only"):
        every.record("x", "y", "accept")


def test_decisions_saved_before_catalog_keys_are_kept_and_never_applied(tmp_path):
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as conn:  # the schema of the previous release, one decision
        conn.executescript("CREATE TABLE review_decisions (seq INTEGER PRIMARY KEY "
                           "AUTOINCREMENT, left_id TEXT NOT NULL, right_id TEXT NOT NULL, "
                           "pair_key TEXT NOT NULL, decision TEXT NOT NULL, decided_at REAL "
                           "NOT NULL);")
        conn.execute("INSERT INTO review_decisions (left_id, right_id, pair_key, decision, "
                     "decided_at) VALUES ('0', '1', ?, 'accept', 1.0)", (pair_key("0", "1"),))
    store = ReviewStore(db, "catalog-a")
    assert store.unassigned() == 1
    assert store.pins() == [] and store.count() == 0
    with pytest.raises(CatalogSimilarityError, match="identity"):
        ReviewStore(db, "")


def test_a_damaged_database_is_one_line_that_keeps_the_file(tmp_path):
    from core.errors import StoreError

    db = tmp_path / "ws.sqlite"
    store = ReviewStore(db, "catalog-a")
    for i in range(300):
        store.record(f"a{i}", f"b{i}" * 40, "accept")
    data = bytearray(db.read_bytes())
    data[4096:4096 * 3] = b"\xff" * (4096 * 2)  # trash two pages past the header
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        ReviewStore(db, "catalog-a").decisions()
    message = str(err.value)
    assert "\n" not in message and "keep a copy" in message and ".recover" in message
    assert db.exists()


def test_review_key_follows_the_products_not_every_cell():
    """Decisions follow the products (ids and texts): another catalog with the same ids
    but other products never gets them; a corrected brand column keeps them."""
    import pandas as pd

    from core.catalog.table import ColumnMapping, build_catalog

    frame = pd.DataFrame({"id": ["1", "2"], "title": ["red cup", "tea pot"], "brand": ["a", "b"]})
    mapping = ColumnMapping(text_columns=("title",), id_column="id")
    base = build_catalog(frame, mapping)
    fixed = build_catalog(frame.assign(brand=["a", "c"]), mapping)
    other = build_catalog(frame.assign(title=["usb cable", "hdmi cable"]), mapping)
    assert base.identity != fixed.identity and review_key(base) == review_key(fixed)
    assert review_key(other) != review_key(base)


def test_forgetting_an_owner_deletes_its_decisions_on_every_catalog_only(workspace, tmp_path):
    """Start over forgets the session's decisions: none is left for the old address."""
    db = Workspace.default().ensure().db_path
    assert forget_owner(db, "session-1") == 0  # no database yet
    mine_a = ReviewStore(db, "catalog-a", owner="session-1")
    mine_b = ReviewStore(db, "catalog-b", owner="session-1")
    other = ReviewStore(db, "catalog-a", owner="session-2")
    mine_a.record("a", "b", "accept")
    mine_b.record("c", "d", "reject")
    other.record("a", "b", "reject")
    assert forget_owner(db, "session-1") == 2
    assert mine_a.count() == 0 and mine_b.count() == 0
    assert other.blocks() == [("a", "b")], "another session's decisions stay"
    with pytest.raises(CatalogSimilarityError, match="owner"):
        forget_owner(db, "")  # '' is every decision saved before owners
    old = tmp_path / "old.sqlite"  # a database of the release before owners: nothing of it
    with sqlite3.connect(old) as conn:
        conn.execute("CREATE TABLE review_decisions (seq INTEGER PRIMARY KEY, left_id TEXT)")
    assert forget_owner(old, "session-1") == 0
