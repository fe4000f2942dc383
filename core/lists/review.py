"""Review decisions on product pairs, kept in the workspace database.

A merchandiser looks at two products and decides: ``accept`` (a good pair:
pinned in both lists, label 1), ``reject`` (blocked in both lists, label 0) or
``skip`` (no effect, not a label). Every decision is appended to the
``review_decisions`` table and committed at once (WAL journal, synchronous
FULL), so a killed process loses nothing it reported as recorded. The latest
decision on an unordered pair wins.

Decisions belong to a catalog and to who made them: each row carries the
catalog's content identity (``catalog_key``) and an ``owner`` (the app
session's review scope; the CLI reads every owner). A store opened for one
catalog never reads, counts, applies or undoes decisions of another catalog,
even when the ids are the same strings, and ``undo_last`` removes only the
caller's own latest decision. Rows written before catalogs were keyed
(``catalog_key`` '') are kept, counted by :meth:`ReviewStore.unassigned` and
never applied.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import CatalogSimilarityError, StoreError
from core.search.neighbors import Neighbors
from core.workspace import database_message

DECISIONS = ("accept", "reject", "skip")
SCHEMA = """
CREATE TABLE IF NOT EXISTS review_decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    pair_key TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'skip')),
    decided_at REAL NOT NULL
);
"""
_ADDED = (("catalog_key", "TEXT NOT NULL DEFAULT ''"), ("owner", "TEXT NOT NULL DEFAULT ''"))
_INDEX = ("CREATE INDEX IF NOT EXISTS review_decisions_scope ON review_decisions "
          "(catalog_key, owner, pair_key, seq)")
_COLUMNS = ["left_id", "right_id", "decision", "decided_at"]


def pair_key(left_id: str, right_id: str) -> str:
    """Order-free key of a pair (ids joined by a unit separator)."""
    a, b = sorted((str(left_id), str(right_id)))
    return f"{a}\x1f{b}"


class ReviewStore:
    """Decisions on one catalog in the ``review_decisions`` table of the workspace DB.

    catalog_key: the catalog's content identity (required: '' is refused);
    owner: whose decisions (the app passes its session's scope); None = every
    owner (read-only use: CLI replays, fine-tuning). One short connection per
    call: cheap, thread-safe, nothing held between Streamlit reruns.
    """

    def __init__(self, db_path: str | Path, catalog_key: str, *, owner: str | None = "") -> None:
        if not catalog_key:
            raise CatalogSimilarityError("review decisions need the catalog's identity")
        self.path = Path(db_path)
        self.catalog_key = catalog_key
        self.owner = owner
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            have = {row[1] for row in conn.execute("PRAGMA table_info(review_decisions)")}
            for name, decl in _ADDED:
                if name not in have:
                    conn.execute(f"ALTER TABLE review_decisions ADD COLUMN {name} {decl}")
            conn.execute(_INDEX)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(str(self.path), timeout=30.0)) as conn:
                conn.execute("PRAGMA synchronous=FULL")
                with conn:
                    yield conn
        except sqlite3.DatabaseError as exc:  # damaged pages, disk full, read-only folder
            raise StoreError(database_message(self.path, exc)) from exc

    def _scope(self) -> tuple[str, tuple]:
        if self.owner is None:
            return "catalog_key = ?", (self.catalog_key,)
        return "catalog_key = ? AND owner = ?", (self.catalog_key, self.owner)

    def record(self, left_id: str, right_id: str, decision: str) -> None:
        """Append one decision and commit it before returning."""
        if decision not in DECISIONS:
            raise CatalogSimilarityError(f"decision must be one of {', '.join(DECISIONS)}, "
                                         f"got {decision!r}")
        if self.owner is None:
            raise CatalogSimilarityError("a store opened for every owner is read-only")
        left, right = str(left_id), str(right_id)
        if left == right:
            raise CatalogSimilarityError("a product cannot be reviewed against itself")
        with self._connect() as conn:
            conn.execute("INSERT INTO review_decisions (left_id, right_id, pair_key, decision, "
                         "decided_at, catalog_key, owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (left, right, pair_key(left, right), decision, time.time(),
                          self.catalog_key, self.owner))

    def undo_last(self) -> bool:
        """Remove this owner's most recent decision on this catalog; False when none."""
        where, args = self._scope()
        with self._connect() as conn:
            cur = conn.execute("DELETE FROM review_decisions WHERE seq = (SELECT MAX(seq) "
                               f"FROM review_decisions WHERE {where})", args)
            return cur.rowcount > 0

    def history(self) -> pd.DataFrame:
        """Every decision of this scope, oldest first: left_id, right_id, decision, decided_at."""
        where, args = self._scope()
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM review_decisions "
                                f"WHERE {where} ORDER BY seq", args).fetchall()
        return pd.DataFrame(rows, columns=_COLUMNS)

    def decisions(self) -> pd.DataFrame:
        """The latest decision per unordered pair, oldest first (columns as history())."""
        where, args = self._scope()
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM review_decisions WHERE seq IN "
                f"(SELECT MAX(seq) FROM review_decisions WHERE {where} GROUP BY pair_key) "
                "ORDER BY seq", args).fetchall()
        return pd.DataFrame(rows, columns=_COLUMNS)

    def _pairs(self, decision: str) -> list[tuple[str, str]]:
        frame = self.decisions()
        frame = frame[frame["decision"] == decision]
        return list(zip(frame["left_id"], frame["right_id"]))

    def pins(self) -> list[tuple[str, str]]:
        """Accepted pairs (left_id, right_id): pinned in both products' lists."""
        return self._pairs("accept")

    def blocks(self) -> list[tuple[str, str]]:
        """Rejected pairs (left_id, right_id): blocked in both products' lists."""
        return self._pairs("reject")

    def as_labelled_pairs(self) -> pd.DataFrame:
        """DataFrame(left_id, right_id, label): accept -> 1, reject -> 0; skips left out."""
        frame = self.decisions()
        frame = frame[frame["decision"] != "skip"]
        return pd.DataFrame({"left_id": frame["left_id"].astype(str).to_numpy(),
                             "right_id": frame["right_id"].astype(str).to_numpy(),
                             "label": (frame["decision"] == "accept").astype(np.int64).to_numpy()})

    def count(self) -> int:
        """Number of pairs with a decision in this scope (latest per pair, skips included)."""
        where, args = self._scope()
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(DISTINCT pair_key) FROM review_decisions "
                                    f"WHERE {where}", args).fetchone()[0])

    def unassigned(self) -> int:
        """Decisions saved before decisions were tied to a catalog (never applied)."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM review_decisions "
                                    "WHERE catalog_key = ''").fetchone()[0])


def review_key(catalog) -> str:
    """The key review decisions are filed under: the products themselves (their ids and
    the texts they are compared by), not every cell. Another catalog whose ids happen to
    match has other texts, so it never gets these decisions; correcting a brand or price
    column of the same catalog keeps them (nothing reviewed is lost)."""
    digest = hashlib.sha256(b"review-v1")
    for values in (catalog.ids, catalog.texts):
        digest.update("\x1f".join(map(str, values)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def load_decisions(db_path: str | Path, catalog, *, owner: str | None = None) -> pd.DataFrame:
    """Latest decisions on one catalog (owner None: every owner); empty (same columns)
    when the workspace database does not exist."""
    if not Path(db_path).exists():
        return no_decisions()
    return ReviewStore(db_path, review_key(catalog), owner=owner).decisions()


def any_decisions(db_path: str | Path) -> bool:
    """Whether the workspace database holds any review decision, on any catalog (read-only;
    a missing or unreadable database holds none)."""
    if not Path(db_path).exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT EXISTS (SELECT 1 FROM review_decisions)").fetchone()
    except sqlite3.DatabaseError:  # no table yet, or unreadable
        return False
    return bool(row and row[0])


def forget_owner(db_path: str | Path, owner: str) -> int:
    """Delete every decision one owner made, on every catalog (the app's Start over, which
    promises to forget them: anyone still holding the old address must not find them);
    returns how many. A missing database, or one without decisions yet, holds none."""
    if not owner:
        raise CatalogSimilarityError("forgetting review decisions needs their owner")
    path = Path(db_path)
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(str(path), timeout=30.0)) as conn, conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(review_decisions)")}
            if "owner" not in columns:  # no decisions yet, or only ones from before owners
                return 0
            return conn.execute("DELETE FROM review_decisions WHERE owner = ?",
                                (owner,)).rowcount
    except sqlite3.DatabaseError as exc:  # damaged, disk full, read-only folder
        raise StoreError(database_message(path, exc)) from exc


def decisions_elsewhere(db_path: str | Path, catalog, *, owner: str | None = None) -> int:
    """Accept and reject decisions (the latest per pair) made on another catalog whose two
    ids are both products of this one: decisions on an earlier version of this catalog
    (a product added or a text edited since), which are not applied to it; pairs decided
    again on this catalog are not counted. 0 when the database does not exist or holds none."""
    if not Path(db_path).exists():
        return 0
    key = review_key(catalog)
    mine, mine_args = ("owner = ?", (owner,)) if owner is not None else ("1", ())
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            rows = conn.execute(
                "SELECT left_id, right_id, decision FROM review_decisions WHERE seq IN "
                "(SELECT MAX(seq) FROM review_decisions WHERE catalog_key NOT IN (?, '') "
                f"AND {mine} GROUP BY catalog_key, pair_key) AND pair_key NOT IN "
                f"(SELECT pair_key FROM review_decisions WHERE catalog_key = ? AND {mine})",
                (key, *mine_args, key, *mine_args)).fetchall()
    except sqlite3.DatabaseError:  # no table yet, or unreadable
        return 0
    if not rows:  # the usual case: no set of every id built on each page run
        return 0
    ids = set(map(str, catalog.ids))
    pairs = {pair_key(a, b) for a, b, d in rows if d != "skip" and a in ids and b in ids}
    return len(pairs)


def no_decisions() -> pd.DataFrame:
    """An empty decisions table (the columns of ReviewStore.decisions())."""
    return pd.DataFrame(columns=_COLUMNS)


QUEUE_ORDERS = ("near-threshold", "highest", "lowest", "random")


def review_queue(ids: np.ndarray, lists: Neighbors, decided: pd.DataFrame, *,
                 order: str = "highest", threshold: float | None = None, limit: int = 200,
                 seed: int = 0) -> pd.DataFrame:
    """Pairs from the lists not decided yet: DataFrame(left_row, right_row, score).

    Each unordered pair once, as the first list holding it has it (left_row: the product
    whose list it is, score: its score there). order: "near-threshold" (closest to threshold
    first, e.g. the duplicate threshold), "highest", "lowest" score or "random".
    """
    if order not in QUEUE_ORDERS:
        raise CatalogSimilarityError(f"order must be one of {', '.join(QUEUE_ORDERS)}")
    n, k = lists.indices.shape
    left = np.repeat(np.arange(n), k)
    right = lists.indices.reshape(-1)
    score = lists.scores.reshape(-1).astype(np.float64)
    ok = (right >= 0) & (right != left)
    left, right, score = left[ok], right[ok], score[ok]
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    # the first list that holds the pair: its product on the left, as the page asks
    _, first = np.unique(lo * max(n, 1) + hi, return_index=True)
    left, right, score = left[first], right[first], score[first]
    if len(decided):
        ids = np.asarray(ids, dtype=object).astype(str)
        done = {pair_key(a, b) for a, b in zip(decided["left_id"], decided["right_id"])}
        keep = np.array([pair_key(ids[a], ids[b]) not in done for a, b in zip(left, right)],
                        dtype=bool)
        left, right, score = left[keep], right[keep], score[keep]
    key = _queue_key(score, order, threshold, seed)
    take = np.argsort(key, kind="stable")[:limit]
    return pd.DataFrame({"left_row": left[take], "right_row": right[take],
                         "score": score[take]})


def _queue_key(score: np.ndarray, order: str, threshold: float | None, seed: int) -> np.ndarray:
    if order == "near-threshold":
        if threshold is None:
            raise CatalogSimilarityError("near-threshold order needs a duplicate threshold "
                                         "(set a 'duplicate' band)")
        return np.abs(score - threshold)
    if order == "random":
        return np.random.default_rng(seed).random(len(score))
    return -np.nan_to_num(score, nan=-np.inf) if order == "highest" else np.nan_to_num(score)
