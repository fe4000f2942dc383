"""Forgetting review decisions on products that are gone for good.

A decision on a product no longer in the catalog is kept but not applied, and Review,
Export and every nightly run warned about it until "Start over" (which forgets everything).
Now a merchandiser forgets just those, on purpose: ReviewStore.forget_gone in core, a
button in the app, ``review-pairs --forget-gone`` in the CLI. Decisions on edited products,
other sessions' decisions and every decision that applies stay. Real sqlite files, real
catalogs (build_catalog), small synthetic rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.cli import main
from core.cli.common import Output
from core.errors import CatalogSimilarityError
from core.lists.review import ReviewStore
from core.workspace import DB_NAME, new_session_token

ROWS = {"P1": "red cotton shirt", "P2": "red cotton tee", "P3": "blue denim jeans",
        "P4": "blue jeans slim", "P5": "green wool hat", "P6": "green wool scarf"}
TITLE = ColumnMapping(text_columns=("title",), id_column="sku")


def catalog(rows: dict[str, str] = ROWS):
    return build_catalog(pd.DataFrame({"sku": list(rows), "title": list(rows.values())}), TITLE)


def without(*gone: str, **edited: str) -> dict[str, str]:
    """ROWS with some products removed and some titles edited."""
    return {i: edited.get(i, title) for i, title in ROWS.items() if i not in gone}


def rows_of(db: Path, owner: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT left_id, right_id, decision FROM review_decisions "
                            "WHERE owner = ? ORDER BY seq", (owner,)).fetchall()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Sessions s1 and s2 reviewed version 1 of the catalog."""
    path = tmp_path / "workspace" / DB_NAME
    s1 = ReviewStore(path, catalog(), owner="s1")
    s1.record("P1", "P2", "accept")
    s1.record("P2", "P3", "reject")
    s1.record("P5", "P6", "reject")  # changed their mind: the later decision wins
    s1.record("P6", "P5", "accept")
    s1.record("P4", "P5", "accept")
    s1.record("P3", "P6", "skip")
    ReviewStore(path, catalog(), owner="s2").record("P4", "P5", "reject")
    return path


def test_forgetting_drops_only_the_decisions_on_products_gone(db: Path) -> None:
    """P5 is gone and P3 was edited: the two decisions on P5 are forgotten (with the earlier
    reject on P5-P6, which must not come back in its place); the one on P3 and the ones
    that apply stay, and so does session s2's decision on P5."""
    v2 = catalog(without("P5", P3="blue denim jeans 32"))
    store = ReviewStore(db, v2, owner="s1")
    assert store.not_applied()[["left_id", "right_id", "reason"]].values.tolist() == [
        ["P2", "P3", "changed"], ["P6", "P5", "gone"], ["P4", "P5", "gone"]]
    s2_before = rows_of(db, "s2")

    forgotten = store.forget_gone()

    assert forgotten[["left_id", "right_id", "decision", "reason", "left_now", "right_now"]] \
        .values.tolist() == [["P6", "P5", "accept", "gone", "same", "gone"],
                             ["P4", "P5", "accept", "gone", "same", "gone"]]
    assert store.not_applied()[["left_id", "right_id", "reason"]].values.tolist() == [
        ["P2", "P3", "changed"]]
    assert rows_of(db, "s1") == [("P1", "P2", "accept"), ("P2", "P3", "reject"),
                                 ("P3", "P6", "skip")]
    assert rows_of(db, "s2") == s2_before
    assert store.decisions()[["left_id", "right_id", "decision"]].values.tolist() == [
        ["P1", "P2", "accept"]]
    assert store.forget_gone().empty  # nothing left to forget: nothing more goes


def test_nothing_goes_when_no_product_is_gone(db: Path) -> None:
    store = ReviewStore(db, catalog(without(P3="blue denim jeans 32")), owner="s1")
    before = rows_of(db, "s1")
    assert store.forget_gone().empty
    assert rows_of(db, "s1") == before
    assert store.not_applied()["reason"].tolist() == ["changed"]


def test_a_store_of_every_owner_or_of_a_bare_key_forgets_nothing(db: Path) -> None:
    v2 = catalog(without("P5"))
    with pytest.raises(CatalogSimilarityError, match="read-only"):
        ReviewStore(db, v2, owner=None).forget_gone()
    assert ReviewStore(db, "somekey", owner="s1").forget_gone().empty
    assert rows_of(db, "s1")[-2:] == [("P4", "P5", "accept"), ("P3", "P6", "skip")]
    assert rows_of(db, "s2") == [("P4", "P5", "reject")]


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """run(*args) -> (code, stderr) of ``python -m core`` on the workspace of `db`."""
    Output.quiet = False

    def run(*args: str) -> tuple[int, str]:
        code = main([*args, "--workspace", str(tmp_path / "workspace")])
        return code, capsys.readouterr().err

    return run


def _write(path: Path, rows: dict[str, str]) -> Path:
    pd.DataFrame({"sku": list(rows), "title": list(rows.values())}).to_csv(path, index=False)
    return path


def test_review_pairs_forget_gone_forgets_one_sessions_decisions(tmp_path: Path, cli) -> None:
    """The command needs --session (it never touches another session's decisions), writes
    the forgotten decisions to --out and says how many."""
    token = new_session_token()
    db = tmp_path / "workspace" / DB_NAME
    mine = ReviewStore(db, catalog(), owner=token)
    mine.record("P4", "P5", "accept")
    mine.record("P1", "P2", "accept")
    ReviewStore(db, catalog(), owner="s2").record("P5", "P6", "reject")
    tonight = _write(tmp_path / "tonight.csv", without("P5", P1="red cotton shirt xl"))
    common = ("review-pairs", str(tonight), "--id-col", "sku", "--text-cols", "title")
    out = tmp_path / "forgotten.csv"

    code, err = cli(*common, "--forget-gone", "--out", str(out))
    assert code != 0 and "--session" in err and "Traceback" not in err, err
    assert not out.exists() and len(rows_of(db, token)) == 2

    code, err = cli(*common, "--forget-gone", f"--session={token}", "--out", str(out))
    assert code == 0, err
    assert (f"forgot 1 review decision of session {token} on products no longer in catalog "
            f"tonight.csv (listed in {out}); 1 not applied for another reason kept") in err, err
    assert pd.read_csv(out, dtype=str)[["left_id", "right_id", "decision", "reason"]] \
        .values.tolist() == [["P4", "P5", "accept", "gone"]]
    assert rows_of(db, token) == [("P1", "P2", "accept")]
    assert rows_of(db, "s2") == [("P5", "P6", "reject")]

    code, err = cli(*common, "--forget-gone", f"--session={token}", "--out", str(out))
    assert code == 0 and f"forgot 0 review decisions of session {token}" in err, err
