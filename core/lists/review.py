"""Review decisions on product pairs, kept in the workspace database.

A merchandiser looks at two products and decides: ``accept`` (a good pair:
pinned in both lists, label 1), ``reject`` (blocked in both lists, label 0) or
``skip`` (no effect, not a label). Every decision is appended to the
``review_decisions`` table and committed at once (WAL journal, synchronous
FULL), so a killed process loses nothing it reported as recorded. The latest
decision on an unordered pair wins.

Decisions are keyed on product ids; keep one workspace per catalog when two
catalogs could share ids (row numbers, say).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import CatalogSimilarityError
from core.search.neighbors import Neighbors

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
CREATE INDEX IF NOT EXISTS review_decisions_pair ON review_decisions (pair_key, seq);
"""
_COLUMNS = ["left_id", "right_id", "decision", "decided_at"]


def pair_key(left_id: str, right_id: str) -> str:
    """Order-free key of a pair (ids joined by a unit separator)."""
    a, b = sorted((str(left_id), str(right_id)))
    return f"{a}\x1f{b}"


class ReviewStore:
    """Decisions in the ``review_decisions`` table of an SQLite file (the workspace DB).

    One short connection per call: cheap, thread-safe, nothing held between
    Streamlit reruns.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(str(self.path), timeout=30.0)) as conn:
            conn.execute("PRAGMA synchronous=FULL")
            with conn:
                yield conn

    def record(self, left_id: str, right_id: str, decision: str) -> None:
        """Append one decision and commit it before returning."""
        if decision not in DECISIONS:
            raise CatalogSimilarityError(f"decision must be one of {', '.join(DECISIONS)}, "
                                         f"got {decision!r}")
        left, right = str(left_id), str(right_id)
        if left == right:
            raise CatalogSimilarityError("a product cannot be reviewed against itself")
        with self._connect() as conn:
            conn.execute("INSERT INTO review_decisions (left_id, right_id, pair_key, decision, "
                         "decided_at) VALUES (?, ?, ?, ?, ?)",
                         (left, right, pair_key(left, right), decision, time.time()))

    def undo_last(self) -> bool:
        """Remove the most recent decision; False when there was none."""
        with self._connect() as conn:
            cur = conn.execute("DELETE FROM review_decisions WHERE seq = "
                               "(SELECT MAX(seq) FROM review_decisions)")
            return cur.rowcount > 0

    def history(self) -> pd.DataFrame:
        """Every decision ever recorded, oldest first: left_id, right_id, decision, decided_at."""
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM review_decisions "
                                "ORDER BY seq").fetchall()
        return pd.DataFrame(rows, columns=_COLUMNS)

    def decisions(self) -> pd.DataFrame:
        """The latest decision per unordered pair, oldest first (columns as history())."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM review_decisions WHERE seq IN "
                "(SELECT MAX(seq) FROM review_decisions GROUP BY pair_key) ORDER BY seq"
            ).fetchall()
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
        """Number of pairs with a decision (latest per pair, skips included)."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(DISTINCT pair_key) FROM review_decisions")
                       .fetchone()[0])


def load_decisions(db_path: str | Path) -> pd.DataFrame:
    """Latest decisions from a workspace DB; empty (same columns) when the file does not exist."""
    if not Path(db_path).exists():
        return pd.DataFrame(columns=_COLUMNS)
    return ReviewStore(db_path).decisions()


QUEUE_ORDERS = ("near-threshold", "highest", "lowest", "random")


def review_queue(ids: np.ndarray, lists: Neighbors, decided: pd.DataFrame, *,
                 order: str = "highest", threshold: float | None = None, limit: int = 200,
                 seed: int = 0) -> pd.DataFrame:
    """Pairs from the lists not decided yet: DataFrame(left_row, right_row, score).

    Each unordered pair once. order: "near-threshold" (closest to threshold
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
    _, first = np.unique(lo * max(n, 1) + hi, return_index=True)
    left, right, score = lo[first], hi[first], score[first]
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
