"""Review decisions carry over to the next version of a catalog, product by product.

A merchandiser who adds a product, fixes a typo or uploads next week's export keeps every
decision on the products that did not change; decisions on a product edited or gone since
are kept in the database, not applied, and listed with the reason. Real sqlite files,
real catalogs (build_catalog), small synthetic rows.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.errors import CatalogSimilarityError
from core.lists.review import (
    ReviewStore,
    forget_owner,
    load_decisions,
    not_applied,
    pair_key,
    review_key,
)

ROWS = {"P1": ("red cotton shirt", "soft"), "P2": ("red cotton tee", "soft"),
        "P3": ("blue denim jeans", "slim"), "P4": ("blue jeans slim", "slim"),
        "P5": ("green wool hat", "warm")}
TITLE = ColumnMapping(text_columns=("title",), id_column="sku")


def catalog(rows: dict[str, tuple[str, str]] = ROWS, mapping: ColumnMapping = TITLE, *,
            drop: tuple[str, ...] = ()):
    frame = pd.DataFrame({"sku": list(rows), "title": [r[0] for r in rows.values()],
                          "detail": [r[1] for r in rows.values()],
                          "price": ["9.90"] * len(rows)}).drop(columns=list(drop))
    return build_catalog(frame, mapping)


FIRST = [["P1", "P2", "accept"], ["P2", "P3", "reject"], ["P3", "P4", "accept"],
         ["P4", "P5", "skip"]]


def decided(store: ReviewStore) -> list[list[str]]:
    return store.decisions()[["left_id", "right_id", "decision"]].values.tolist()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "workspace" / "catsim.sqlite"


@pytest.fixture
def reviewed(db):
    """Session s1's decisions on version 1: accept P1-P2, reject P2-P3, accept P3-P4."""
    store = ReviewStore(db, catalog(), owner="s1")
    store.record("P1", "P2", "accept")
    store.record("P2", "P3", "reject")
    store.record("P3", "P4", "accept")
    store.record("P4", "P5", "skip")
    return store


def test_a_product_added_keeps_every_decision(db, reviewed):
    v2 = catalog({**ROWS, "P6": ("yellow rain coat", "dry")})
    assert review_key(v2) != review_key(catalog())
    store = ReviewStore(db, v2, owner="s1")
    assert decided(store) == FIRST == decided(reviewed)
    assert store.pins() == [("P1", "P2"), ("P3", "P4")] and store.blocks() == [("P2", "P3")]
    assert store.count() == 4 and len(store.history()) == 4
    assert store.as_labelled_pairs().values.tolist() == [["P1", "P2", 1], ["P2", "P3", 0],
                                                         ["P3", "P4", 1]]
    assert store.not_applied().empty
    assert load_decisions(db, v2, owner="s1").equals(store.decisions())


def test_a_product_whose_text_changed_loses_only_its_own_decisions(db, reviewed):
    v2 = catalog({**ROWS, "P3": ("blue denim jeans 32", "slim")})
    store = ReviewStore(db, v2, owner="s1")
    assert decided(store) == [["P1", "P2", "accept"], ["P4", "P5", "skip"]]
    dropped = store.not_applied()
    assert dropped[["left_id", "right_id", "decision", "reason", "left_now", "right_now"]] \
        .values.tolist() == [["P2", "P3", "reject", "changed", "same", "changed"],
                             ["P3", "P4", "accept", "changed", "changed", "same"]]
    store.record("P4", "P3", "accept")  # decided again on the edited product: applied
    assert store.pins() == [("P1", "P2"), ("P4", "P3")]
    assert not_applied(db, v2, owner="s1")["right_id"].tolist() == ["P3"]
    assert ReviewStore(db, catalog(), owner="s1").pins() == [("P1", "P2"), ("P3", "P4")], \
        "version 1's decisions stay as they were"


def test_a_removed_product_is_said_gone(db, reviewed):
    v2 = catalog({k: v for k, v in ROWS.items() if k != "P1"})
    store = ReviewStore(db, v2, owner="s1")
    assert store.pins() == [("P3", "P4")] and store.blocks() == [("P2", "P3")]
    dropped = store.not_applied()
    assert dropped[["left_id", "right_id", "reason", "left_now", "right_now"]].values.tolist() \
        == [["P1", "P2", "gone", "gone", "same"]]
    with pytest.raises(CatalogSimilarityError, match="'P1' is not a product of this catalog"):
        store.record("P1", "P3", "accept")


def test_re_mapped_text_columns_keep_decisions_on_unchanged_cells(db, reviewed):
    """Comparing by title and detail instead of title alone does not make other products:
    the decisions' fingerprints are over the columns they were made with."""
    both = ColumnMapping(text_columns=("title", "detail"), id_column="sku")
    wide = ReviewStore(db, catalog(mapping=both), owner="s1")
    assert decided(wide) == FIRST and wide.not_applied().empty
    wide.record("P1", "P5", "reject")  # made on title + detail
    edited = {**ROWS, "P5": ("green wool hat", "warm, knitted")}
    assert ReviewStore(db, catalog(edited), owner="s1").blocks() == [("P2", "P3")], \
        "P5's detail changed: the decision made with detail no longer applies"
    title_only = ReviewStore(db, catalog(edited), owner="s1").not_applied()
    assert title_only[["left_id", "right_id", "reason"]].values.tolist() == \
        [["P1", "P5", "changed"]]
    no_detail = ReviewStore(db, catalog(drop=("detail",)), owner="s1")
    assert decided(no_detail) == FIRST, "decisions made on the title alone need no detail"
    assert no_detail.not_applied()["reason"].tolist() == ["changed"], \
        "a column the decision was made with is gone from the file: it cannot be matched"


def test_two_owners_never_see_each_others_decisions_on_any_version(db, reviewed):
    v2 = catalog({**ROWS, "P6": ("yellow rain coat", "dry"), "P3": ("blue jeans", "slim")})
    other = ReviewStore(db, v2, owner="s2")
    assert other.decisions().empty and other.not_applied().empty
    assert not other.undo_last()
    other.record("P1", "P2", "reject")
    assert ReviewStore(db, v2, owner="s1").pins() == [("P1", "P2")]
    assert other.blocks() == [("P1", "P2")]
    every = ReviewStore(db, v2, owner=None)  # the nightly job: every session's, latest wins
    assert decided(every) == [["P4", "P5", "skip"], ["P1", "P2", "reject"]]
    assert every.not_applied()["right_id"].tolist() == ["P3", "P4"]
    assert forget_owner(db, "s1") == 4
    assert ReviewStore(db, v2, owner="s1").not_applied().empty
    assert decided(ReviewStore(db, v2, owner=None)) == [["P1", "P2", "reject"]]


def test_undo_on_a_new_version_takes_back_the_latest_decision_applied_there(db, reviewed):
    v2 = catalog({**ROWS, "P6": ("yellow rain coat", "dry")})
    store = ReviewStore(db, v2, owner="s1")
    assert store.undo_last(), "the latest applied decision, made on version 1"
    assert decided(store) == FIRST[:3] == decided(ReviewStore(db, catalog(), owner="s1"))
    edited = ReviewStore(db, catalog({**ROWS, "P4": ("blue jeans slim fit", "slim")}), owner="s1")
    assert edited.undo_last(), "P3-P4 no longer applies there: P2-P3 is the latest that does"
    assert decided(store) == [["P1", "P2", "accept"], ["P3", "P4", "accept"]]


def test_another_catalog_with_the_same_ids_gets_nothing_and_is_not_warned(db, reviewed):
    other = {k: (f"usb cable {i}", "wired") for i, k in enumerate(ROWS)}
    store = ReviewStore(db, catalog(other), owner="s1")
    assert store.decisions().empty and store.not_applied().empty


OLD_SCHEMA = ("CREATE TABLE review_decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, left_id "
              "TEXT NOT NULL, right_id TEXT NOT NULL, pair_key TEXT NOT NULL, decision TEXT NOT "
              "NULL, decided_at REAL NOT NULL, catalog_key TEXT NOT NULL DEFAULT '', owner TEXT "
              "NOT NULL DEFAULT '')")


def test_a_database_of_the_previous_release_is_migrated_in_place(db):
    """Rows without fingerprints apply to their own version; opened once on it, they get
    fingerprints and carry over from then on. Rows from before catalog keys stay unapplied."""
    v1, v2 = catalog(), catalog({**ROWS, "P6": ("yellow rain coat", "dry")})
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.execute(OLD_SCHEMA)
        conn.executemany(
            "INSERT INTO review_decisions (left_id, right_id, pair_key, decision, decided_at, "
            "catalog_key, owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [("P1", "P2", pair_key("P1", "P2"), "accept", 1.0, review_key(v1), "s1"),
             ("P3", "P4", pair_key("P3", "P4"), "reject", 2.0, review_key(v1), "s2"),
             ("P1", "P5", pair_key("P1", "P5"), "accept", 3.0, "", "")])
    before = ReviewStore(db, v2, owner="s1")
    assert before.decisions().empty
    assert before.not_applied()[["left_id", "reason"]].values.tolist() == [["P1", "version"]]
    assert decided(ReviewStore(db, v1, owner="s1")) == [["P1", "P2", "accept"]]
    assert decided(ReviewStore(db, v2, owner="s1")) == [["P1", "P2", "accept"]]
    assert decided(ReviewStore(db, v2, owner="s2")) == [["P3", "P4", "reject"]]
    assert ReviewStore(db, v2, owner="s1").not_applied().empty
    assert ReviewStore(db, v2, owner=None).unassigned() == 1
    with sqlite3.connect(db) as conn:
        prints = conn.execute("SELECT left_print != '', print_columns FROM review_decisions "
                              "ORDER BY seq").fetchall()
    assert prints == [(1, '["title"]'), (1, '["title"]'), (0, "")]
