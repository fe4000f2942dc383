"""Kill tests: a writer killed with SIGKILL mid-write loses nothing it committed.

A forked process writes to a workspace database in a tight loop (embedding
batches through :class:`core.embed.store.EmbeddingStore`, review decisions through
``core.lists.review.ReviewStore(db).record``) and prints each key only after the
write returned. The test kills it with SIGKILL at a seeded random moment,
again and again on the same file, then checks that every printed key is in
the database, that the batch in flight is all-or-nothing, and that the file
passes ``PRAGMA integrity_check``.

``python -m tests.test_durability --runs 50`` prints the figures quoted in
docs/robustness.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

BATCH = 64
DIM = 96


def _writer(mode: str, db: str, run: int, out_fd: int) -> None:
    """Write forever; after each write returns, report its key on ``out_fd``."""
    from core.embed.store import EmbeddingStore, text_hash

    store = EmbeddingStore(db) if mode in ("embeddings", "both") else None
    review = None
    if mode in ("review", "both"):
        from core.lists.review import ReviewStore

        review = ReviewStore(db, "kill-test-catalog")
    rng = np.random.default_rng(run)
    i = 0
    while True:
        key = f"r{run}-{i}"
        if store is not None:
            hashes = [text_hash(f"{key}-{j}") for j in range(BATCH)]
            store.put("kill-test", hashes, rng.random((BATCH, DIM), dtype=np.float32))
        if review is not None:
            review.record("L" + key, "R" + key, "accept" if i % 2 else "reject")
        os.write(out_fd, f"{key}\n".encode())
        i += 1


@dataclass(frozen=True)
class KillResult:
    """runs: writers killed; written: keys reported committed; lost: of those, missing;
    torn: in-flight embedding batches found partly written; integrity: SQLite's check."""

    mode: str
    runs: int
    written: int
    lost: int
    torn: int
    integrity: str


def _kill_one(mode: str, db: Path, run: int, after: int) -> list[str]:
    """Fork a writer, let it report ``after`` commits, SIGKILL it; all keys it reported."""
    read_fd, write_fd = os.pipe()
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_writer, args=(mode, str(db), run, write_fd), daemon=True)
    proc.start()
    os.close(write_fd)
    data = b""
    try:
        with os.fdopen(read_fd, "rb", buffering=0) as reader:
            while data.count(b"\n") < after:
                chunk = reader.read(4096)
                if not chunk:
                    break
                data += chunk
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(timeout=60)
            data += reader.read()
    finally:
        if proc.is_alive():
            proc.kill()
    assert proc.exitcode == -signal.SIGKILL, f"writer exited by itself ({proc.exitcode})"
    return [line for line in data.decode().split("\n")[:-1] if line]


def _embedding_lost(db: Path, keys: list[str]) -> int:
    """Reported keys whose batch is missing or partial."""
    from core.embed.store import EmbeddingStore, text_hash

    store = EmbeddingStore(db)
    try:
        lost = 0
        for key in keys:
            hashes = [text_hash(f"{key}-{j}") for j in range(BATCH)]
            lost += len(store.get("kill-test", hashes)) != BATCH
        return lost
    finally:
        store.close()


def _torn_batch(db: Path, key: str) -> bool:
    from core.embed.store import EmbeddingStore, text_hash

    store = EmbeddingStore(db)
    try:
        found = len(store.get("kill-test", [text_hash(f"{key}-{j}") for j in range(BATCH)]))
    finally:
        store.close()
    return 0 < found < BATCH


def _review_lost(db: Path, keys: list[str]) -> int:
    from core.lists.review import ReviewStore

    decided = ReviewStore(db, "kill-test-catalog").decisions()
    have = set(zip(decided["left_id"], decided["right_id"], decided["decision"]))
    lost = 0
    for key in keys:
        i = int(key.rsplit("-", 1)[1])
        lost += ("L" + key, "R" + key, "accept" if i % 2 else "reject") not in have
    return lost


def kill_test(mode: str, db: Path, *, runs: int, seed: int = 0) -> KillResult:
    """Kill a writer ``runs`` times on one database; count what it reported and what is missing."""
    rng = np.random.default_rng(seed)
    written: list[str] = []
    torn = 0
    for run in range(runs):
        keys = _kill_one(mode, db, run, int(rng.integers(1, 25)))
        written += keys
        if mode != "review":
            torn += _torn_batch(db, f"r{run}-{len(keys)}")
    lost = 0
    if mode != "review":
        lost += _embedding_lost(db, written)
    if mode != "embeddings":
        lost += _review_lost(db, written)
    with sqlite3.connect(db) as conn:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    return KillResult(mode, runs, len(written), lost, torn, integrity)


def test_embedding_store_survives_sigkill(tmp_path: Path) -> None:
    result = kill_test("embeddings", tmp_path / "ws.sqlite", runs=10)
    assert result.written >= 8
    assert result.lost == 0, result
    assert result.torn == 0, result
    assert result.integrity == "ok"


def test_review_decisions_and_vectors_in_one_database_survive_sigkill(tmp_path: Path) -> None:
    pytest.importorskip("core.lists.review")
    result = kill_test("both", tmp_path / "ws.sqlite", runs=10, seed=1)
    assert result.written >= 8
    assert result.lost == 0, result
    assert result.torn == 0, result
    assert result.integrity == "ok"


def test_a_file_that_is_not_a_database_is_refused_not_overwritten(tmp_path: Path) -> None:
    from core.embed.store import EmbeddingStore
    from core.errors import CatalogSimilarityError

    path = tmp_path / "ws.sqlite"
    junk = b"this is not a database " * 100
    path.write_bytes(junk)
    with pytest.raises(CatalogSimilarityError, match=r"cannot be used.*keep a copy"):
        EmbeddingStore(path)
    assert path.read_bytes() == junk


def test_a_torn_vector_row_is_treated_as_missing(tmp_path: Path) -> None:
    from core.embed.store import EmbeddingStore, text_hash

    store = EmbeddingStore(tmp_path / "ws.sqlite")
    h = text_hash("x")
    store.put("m", [h, text_hash("y")], np.ones((2, 4), dtype=np.float32))
    with store._conn:  # simulate a damaged row: a blob shorter than its dim says
        store._conn.execute("UPDATE embeddings SET vector = ? WHERE text_hash = ?",
                            (b"\x00\x00", h))
    assert set(store.get("m", [h, text_hash("y")])) == {text_hash("y")}
    assert store.integrity() == "ok"
    store.close()


def main() -> None:  # pragma: no cover - reporting helper
    import tempfile

    parser = argparse.ArgumentParser(description="SIGKILL durability figures")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print("| writer | runs (SIGKILLs) | commits reported | lost | torn batches | integrity |")
    print("|---|---|---|---|---|---|")
    for seed, mode in enumerate(("embeddings", "review", "both")):
        with tempfile.TemporaryDirectory() as tmp:
            r = kill_test(mode, Path(tmp) / "ws.sqlite", runs=args.runs, seed=seed)
        print(f"| {r.mode} | {r.runs} | {r.written} | {r.lost} | {r.torn} | {r.integrity} |")


if __name__ == "__main__":  # pragma: no cover
    main()
