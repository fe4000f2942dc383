"""A review store kept across reads (the app keeps one per session and catalog) reads its rows
once, and again after every kind of change the code makes: checked against a fresh store.

Review and Export opened the store about three times per script run (the queue, the lists,
the not-applied warning), each reading and fingerprinting every decision again: ~0.1 s each
for 2k decisions on a 50k catalog. Real sqlite files, real catalogs, small synthetic rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.lists.review import ReviewStore, forget_owner, pair_key, review_key

ROWS = {"P1": "red cotton shirt", "P2": "red cotton tee", "P3": "blue denim jeans",
        "P4": "blue jeans slim", "P5": "green wool hat"}
TITLE = ColumnMapping(text_columns=("title",), id_column="sku")


def catalog(rows: dict[str, str] = ROWS):
    return build_catalog(pd.DataFrame({"sku": list(rows), "title": list(rows.values())}), TITLE)


V1 = catalog()
V2 = catalog({k: v for k, v in ROWS.items() if k != "P5"} | {"P6": "yellow rain coat"})


def same_as_fresh(kept: ReviewStore, db: Path) -> None:
    fresh = ReviewStore(db, V2, owner=kept.owner)
    for read in ("decisions", "history", "not_applied", "as_labelled_pairs"):
        assert getattr(kept, read)().equals(getattr(fresh, read)()), read
    assert kept.count() == fresh.count()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "workspace" / "catsim.sqlite"


def test_a_kept_store_reads_its_rows_once_and_again_after_each_change(db: Path) -> None:
    ReviewStore(db, V1, owner="s1").record("P4", "P5", "accept")  # P5 is gone in V2
    kept = ReviewStore(db, V2, owner="s1")
    rows = kept._rows()
    kept.decisions(), kept.not_applied(), kept.count()
    assert kept._rows() is rows  # nothing changed: not read again
    same_as_fresh(kept, db)

    other = ReviewStore(db, V2, owner="s1")  # another tab of the session, or another process
    changes = [lambda: other.record("P1", "P2", "accept"),
               lambda: other.record("P2", "P1", "reject"),  # the later decision wins
               lambda: other.record("P3", "P4", "skip"),
               lambda: other.undo_last(),
               lambda: other.forget_gone(),
               lambda: forget_owner(db, "s1")]
    for change in changes:
        change()
        assert kept._rows() is not rows
        rows = kept._rows()
        same_as_fresh(kept, db)

    ReviewStore(db, V2, owner="s2").record("P1", "P3", "accept")  # not this owner's
    assert kept._rows() is rows
    same_as_fresh(kept, db)


def test_a_kept_store_sees_decisions_of_an_earlier_release_get_their_fingerprints(db) -> None:
    """A decision saved before fingerprints applies to its own version only; once that
    version is opened it gets them and carries over: a store kept on the next version sees
    it then, though no row was added or removed."""
    ReviewStore(db, V2, owner="s1")  # the table as this release makes it
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO review_decisions (left_id, right_id, pair_key, decision, "
                     "decided_at, catalog_key, owner) VALUES ('P1', 'P2', ?, 'accept', 1.0, ?, "
                     "'s1')", (pair_key("P1", "P2"), review_key(V1)))
    kept = ReviewStore(db, V2, owner="s1")
    assert kept.decisions().empty
    ReviewStore(db, V1, owner="s1")  # opened on its own version: fingerprinted
    assert kept.pins() == [("P1", "P2")]
    same_as_fresh(kept, db)
