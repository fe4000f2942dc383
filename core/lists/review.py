"""Review decisions on product pairs, kept in the workspace database.

A merchandiser looks at two products and decides: ``accept`` (a good pair:
pinned in both lists, label 1), ``reject`` (blocked in both lists, label 0) or
``skip`` (no effect, not a label). Every decision is appended to the
``review_decisions`` table and committed at once (WAL journal, synchronous
FULL), so a killed process loses nothing it reported as recorded. The latest
decision on an unordered pair wins.

Decisions belong to who made them and to the products they were made on: each
row carries an ``owner`` (the app session's review scope; the CLI reads every
owner), the catalog version it was made on (``catalog_key``) and a fingerprint
of each of its two products (:mod:`core.lists.review_prints`). A store opened
for a catalog applies the owner's decisions whose two products are in that
catalog with the same fingerprints: next week's export, a catalog with a
product added or a typo fixed keeps every decision on the products that did
not change; :meth:`ReviewStore.not_applied` lists the others and why. A store
opened with a bare key reads that exact version only. Rows saved before
fingerprints get them the first time their version is opened again (until
then they apply to that exact version only); rows saved before catalogs were
keyed (``catalog_key`` '') are kept, counted by :meth:`ReviewStore.unassigned`
and never applied.
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
from core.lists.review_prints import GONE, SAME, ProductPrints, classify, columns_json
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
_ADDED = (("catalog_key", "TEXT NOT NULL DEFAULT ''"), ("owner", "TEXT NOT NULL DEFAULT ''"),
          ("left_print", "TEXT NOT NULL DEFAULT ''"), ("right_print", "TEXT NOT NULL DEFAULT ''"),
          ("print_columns", "TEXT NOT NULL DEFAULT ''"))
_INDEXES = ("CREATE INDEX IF NOT EXISTS review_decisions_scope ON review_decisions "
            "(catalog_key, owner, pair_key, seq)",
            "CREATE INDEX IF NOT EXISTS review_decisions_owner ON review_decisions (owner, seq)")
_COLUMNS = ["left_id", "right_id", "decision", "decided_at"]
NOT_APPLIED_COLUMNS = [*_COLUMNS, "reason", "left_now", "right_now"]
# one row as _rows() reads it
_ROW = ("seq, left_id, right_id, pair_key, decision, decided_at, catalog_key, left_print, "
        "right_print, print_columns")


def pair_key(left_id: str, right_id: str) -> str:
    """Order-free key of a pair (ids joined by a unit separator)."""
    a, b = sorted((str(left_id), str(right_id)))
    return f"{a}\x1f{b}"


class ReviewStore:
    """One owner's decisions on one catalog in the ``review_decisions`` table of the workspace DB.

    catalog: the Catalog the decisions are read for and recorded on (decisions carry over
    from its earlier versions, product by product), or a bare version key (str; that
    exact version only, no fingerprints; '' is refused). owner: whose decisions (the app
    passes its session's scope); None = every owner (read-only use: CLI replays,
    fine-tuning). One short connection per call, none held open; the rows read are kept
    and read again only after a change (_rows), so one store kept across Streamlit reruns
    (the app keeps one per session and catalog; one script run at a time) reads them once.
    """

    def __init__(self, db_path: str | Path, catalog, *, owner: str | None = "") -> None:
        key = catalog if isinstance(catalog, str) else review_key(catalog)
        if not key:
            raise CatalogSimilarityError("review decisions need the catalog's identity")
        self.path = Path(db_path)
        self.catalog_key = key
        self.prints = None if isinstance(catalog, str) else ProductPrints(catalog)
        self.owner = owner
        self._read: tuple[tuple, list[tuple], dict] | None = None  # see _rows()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            have = {row[1] for row in conn.execute("PRAGMA table_info(review_decisions)")}
            for name, decl in _ADDED:
                if name not in have:
                    conn.execute(f"ALTER TABLE review_decisions ADD COLUMN {name} {decl}")
            for index in _INDEXES:
                conn.execute(index)
            if self.prints is not None:
                self._fingerprint_old_rows(conn)

    def _fingerprint_old_rows(self, conn: sqlite3.Connection) -> None:
        """Decisions saved on this exact version before fingerprints (every owner's) get
        them now, from this catalog: from here on they carry over like new ones."""
        rows = conn.execute("SELECT seq, left_id, right_id FROM review_decisions WHERE "
                            "catalog_key = ? AND left_print = ''", (self.catalog_key,)).fetchall()
        self.prints.prepare(columns_json(self.prints.columns), (i for row in rows for i in row[1:]))
        for seq, left, right in rows:
            prints = (self.prints.of(left), self.prints.of(right))
            if all(prints):
                conn.execute("UPDATE review_decisions SET left_print = ?, right_print = ?, "
                             "print_columns = ? WHERE seq = ?",
                             (*prints, columns_json(self.prints.columns), seq))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(str(self.path), timeout=30.0)) as conn:
                conn.execute("PRAGMA synchronous=FULL")
                with conn:
                    yield conn
        except sqlite3.DatabaseError as exc:  # damaged pages, disk full, read-only folder
            raise StoreError(database_message(self.path, exc)) from exc

    def _rows(self) -> list[tuple]:
        """Every row this store may read (_ROW columns, oldest first): this owner's on this
        version (bare key) or on any version (catalog; filtered by _applies).

        Read again only when they changed, so that a store kept across reruns (the app
        keeps one per session and catalog) reads them once: their version (how many, the
        last seq, how many have fingerprints) is asked first, one indexed query. Rows are
        only ever added (AUTOINCREMENT: a seq never used before), deleted or given their
        fingerprints, so an equal version means the same rows."""
        where, args = ("catalog_key = ?", [self.catalog_key]) if self.prints is None \
            else ("catalog_key != ''", [])
        if self.owner is not None:
            where, args = f"{where} AND owner = ?", [*args, self.owner]
        with self._connect() as conn:
            version = tuple(conn.execute(
                "SELECT COUNT(*), MAX(seq), SUM(left_print != '') FROM review_decisions "
                f"WHERE {where}", args).fetchone())
            if self._read is not None and self._read[0] == version:
                return self._read[1]
            rows = conn.execute(f"SELECT {_ROW} FROM review_decisions WHERE {where} "
                                "ORDER BY seq", args).fetchall()
        if self.prints is not None:
            by_columns: dict[str, set[str]] = {}
            for row in rows:
                if row[7]:
                    by_columns.setdefault(row[9], set()).update(row[1:3])
            for columns, ids in by_columns.items():
                self.prints.prepare(columns, ids)
        self._read = (version, rows, {})
        return rows

    def _derived(self, name: str, compute):
        """compute(rows) over the rows _rows() holds, worked out once per version of them."""
        rows = self._rows()
        held = self._read[2]
        if name not in held:
            held[name] = compute(rows)
        return held[name]

    def _statuses(self, row: tuple) -> tuple[str, str]:
        """(left, right) as this catalog holds them: SAME, CHANGED or GONE."""
        _, left, right, _, _, _, _, left_print, right_print, columns = row
        return (self.prints.status(left, left_print, columns),
                self.prints.status(right, right_print, columns))

    def _applies(self, row: tuple) -> bool:
        if self.prints is None:
            return True
        if not row[7]:  # saved before fingerprints: on its own version only
            return row[6] == self.catalog_key
        return self._statuses(row) == (SAME, SAME)

    def _applied(self) -> list[tuple]:
        return self._derived("applied", lambda rows: [row for row in rows if self._applies(row)])

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
        prints = ("", "", "")
        if self.prints is not None:
            missing = [i for i in (left, right) if self.prints.of(i) is None]
            if missing:
                raise CatalogSimilarityError(f"id {missing[0]!r} is not a product of this "
                                             "catalog")
            prints = (self.prints.of(left), self.prints.of(right),
                      columns_json(self.prints.columns))
        with self._connect() as conn:
            conn.execute("INSERT INTO review_decisions (left_id, right_id, pair_key, decision, "
                         "decided_at, catalog_key, owner, left_print, right_print, "
                         "print_columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (left, right, pair_key(left, right), decision, time.time(),
                          self.catalog_key, self.owner, *prints))

    def undo_last(self) -> bool:
        """Remove this owner's most recent decision among those applied here (made on this
        catalog or carried over to it); False when none."""
        applied = self._applied()
        if not applied:
            return False
        with self._connect() as conn:
            return conn.execute("DELETE FROM review_decisions WHERE seq = ?",
                                (applied[-1][0],)).rowcount > 0

    def history(self) -> pd.DataFrame:
        """Every decision applied here, oldest first: left_id, right_id, decision, decided_at."""
        return pd.DataFrame([row[1:3] + row[4:6] for row in self._applied()], columns=_COLUMNS)

    def decisions(self) -> pd.DataFrame:
        """The latest decision per unordered pair, oldest first (columns as history())."""
        return self._derived("decisions", lambda _: self._latest()).copy()

    def _latest(self) -> pd.DataFrame:
        latest = {row[3]: row for row in self._applied()}
        rows = sorted(latest.values())
        return pd.DataFrame([row[1:3] + row[4:6] for row in rows], columns=_COLUMNS)

    def not_applied(self) -> pd.DataFrame:
        """This owner's accept and reject decisions (the latest per pair) made on an earlier
        version of this catalog that do not apply to it, oldest first: the _COLUMNS and
        reason ("changed": a product's text was edited since; "gone": a product is no longer
        in the catalog; "version": saved before fingerprints, on another version), left_now
        and right_now ("same", "changed", "gone"; "" for "version"). Pairs decided again
        here are left out, and so are decisions that look made on another catalog (when no
        decision applies here: every decision of their version whose products are here was
        on products that differ; saved before fingerprints: not both ids here)."""
        if self.prints is None:
            return pd.DataFrame(columns=NOT_APPLIED_COLUMNS)
        listed, _ = self._derived("not_applied", self._not_applied)
        return pd.DataFrame([(*row[1:3], *row[4:6], reason, *now) for row, reason, now in listed],
                            columns=NOT_APPLIED_COLUMNS)

    def _not_applied(self, rows: list[tuple]) -> tuple[list[tuple], set[str]]:
        """not_applied() as (row, reason, (left_now, right_now)) per decision, and the
        catalog versions they may come from (versions of this catalog)."""
        applied = {row[3] for row in rows if self._applies(row)}
        latest = {row[3]: row for row in rows if row[3] not in applied}
        status = {row[0]: self._statuses(row) for row in rows if row[7]}
        # a version of this catalog: one of its decisions has a product here unchanged, or
        # decisions apply here at all (not a catalog whose ids merely look the same)
        related = {row[6] for row in rows if SAME in status.get(row[0], ())}
        related = related if not applied else {row[6] for row in rows}
        out = []
        for row in sorted(latest.values()):
            if row[4] == "skip":
                continue
            if not row[7]:
                if all(self.prints.of(i) is not None for i in row[1:3]):
                    out.append((row, "version", ("", "")))
                continue
            reason = classify(*status[row[0]]) if row[6] in related else None
            if reason:
                out.append((row, reason, status[row[0]]))
        return out, related

    def forget_gone(self) -> pd.DataFrame:
        """Delete this owner's decisions that not_applied() lists as "gone" (a product no
        longer in this catalog: they can never apply to it again), with the earlier
        decisions on the same pairs of versions of this catalog, so that none of them comes
        back in their place. Returns the decisions forgotten as not_applied() listed them.
        Every other decision (another owner's, one on an edited product, one on another
        catalog) stays."""
        if self.owner is None:
            raise CatalogSimilarityError("a store opened for every owner is read-only")
        if self.prints is None:
            return pd.DataFrame(columns=NOT_APPLIED_COLUMNS)
        rows = self._rows()
        listed, related = self._not_applied(rows)
        gone = [(row, now) for row, reason, now in listed if reason == GONE]
        pairs = {row[3] for row, _ in gone}
        seqs = [row[0] for row in rows if row[3] in pairs and row[7] and row[6] in related
                and classify(*self._statuses(row)) == GONE]
        with self._connect() as conn:
            conn.executemany("DELETE FROM review_decisions WHERE seq = ? AND owner = ?",
                             [(seq, self.owner) for seq in seqs])
        return pd.DataFrame([(*row[1:3], *row[4:6], GONE, *now) for row, now in gone],
                            columns=NOT_APPLIED_COLUMNS)

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
        """Number of pairs with a decision applied here (latest per pair, skips included)."""
        return len({row[3] for row in self._applied()})

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
    """Latest decisions applied to one catalog (made on it or carried over from an earlier
    version; owner None: every owner); empty (same columns) when the workspace database
    does not exist."""
    if not Path(db_path).exists():
        return no_decisions()
    return ReviewStore(db_path, catalog, owner=owner).decisions()


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


def not_applied(db_path: str | Path, catalog, *, owner: str | None = None) -> pd.DataFrame:
    """Decisions on this catalog's products made on an earlier version that do not apply to
    it (ReviewStore.not_applied: a product edited or gone since); empty when the database
    does not exist."""
    if not Path(db_path).exists():
        return pd.DataFrame(columns=NOT_APPLIED_COLUMNS)
    return ReviewStore(db_path, catalog, owner=owner).not_applied()


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
