"""The persistent embedding store: one SQLite file in the workspace.

Vectors are keyed by (encoder identity, sha256 of the text), so the same or an
edited catalog embeds only texts it has not seen, and a fine-tuned model never
reuses another model's vectors. A store shared by several people (the app's
workspace) keys each one's own texts under a private key (HMAC-SHA256, see
:func:`text_hash`): one person's vectors are never found by another's texts, so
neither a count of reused texts nor the time an embedding takes tells anyone
what someone else uploaded; public texts (the bundled demo) stay shared.

WAL journaling keeps committed rows safe when the process is killed mid-write
(tests/test_durability.py kills writers with SIGKILL and checks); ``synchronous=NORMAL``
means a power cut may lose the last few commits, which are only recomputable vectors
(review decisions use FULL). A file that is not a database is refused with a message,
never overwritten; a stored row that does not decode is treated as missing and embedded
again.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.embed.encoders import Encoder, Progress
from core.errors import StoreError
from core.workspace import database_message

_CHUNK = 500
SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    text_hash BLOB NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
"""


def keyed_digest(data: bytes, private: bytes | None = None) -> bytes:
    """sha256 of data (32 bytes); with a private key, HMAC-SHA256 of it under the key (32
    bytes): a store key only its owner can form, and that no one can link to the data or
    to another owner's key for the same data."""
    if private is None:
        return hashlib.sha256(data).digest()
    return hmac.new(private, data, hashlib.sha256).digest()


def text_hash(text: str, private: bytes | None = None) -> bytes:
    """The store key of a text: :func:`keyed_digest` of its UTF-8 bytes."""
    return keyed_digest(text.encode("utf-8"), private)


@dataclass(frozen=True)
class EmbedResult:
    """vectors: (n, d) float32 in input order; counts of reused and new texts."""

    vectors: np.ndarray
    reused: int
    embedded: int
    store_problem: str | None = None


class EmbeddingStore:
    """Vectors in an SQLite file, keyed by (model identity, text hash)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False,
                                         timeout=30.0)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
            self._conn.commit()
        except sqlite3.DatabaseError as exc:
            raise StoreError(database_message(self.path, exc)) from exc

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Damaged pages, a full disk or a read-only folder: StoreError, one line."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(database_message(self.path, exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result: "ok" for a sound file."""
        with self._lock:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

    def get(self, model: str, hashes: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """Stored vectors for the given hashes (missing ones are absent)."""
        found: dict[bytes, np.ndarray] = {}
        with self._lock, self._errors():
            for start in range(0, len(hashes), _CHUNK):
                chunk = list(hashes[start:start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT text_hash, dim, vector FROM embeddings "
                    f"WHERE model = ? AND text_hash IN ({marks})", [model, *chunk])
                for h, dim, blob in rows:
                    if isinstance(blob, bytes) and len(blob) == 4 * dim:
                        found[bytes(h)] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return found

    def put(self, model: str, hashes: Sequence[bytes], vectors: np.ndarray) -> None:
        """Insert or replace vectors: (len(hashes), d) float32, one transaction."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        rows = [(model, h, vectors.shape[1], vectors[i].tobytes())
                for i, h in enumerate(hashes)]
        with self._lock, self._errors(), self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)

    def forget(self, model_prefix: str) -> int:
        """Delete every vector of the encoder identities that start with model_prefix (a
        deleted model's, whatever its precision); how many rows went."""
        if not model_prefix:
            raise ValueError("forget() needs a model identity prefix")
        with self._lock, self._errors(), self._conn:
            return self._conn.execute(
                "DELETE FROM embeddings WHERE substr(model, 1, ?) = ?",
                (len(model_prefix), model_prefix)).rowcount

    def count(self, model: str | None = None) -> int:
        with self._lock, self._errors():
            if model is None:
                return self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
            return self._conn.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?",
                                      (model,)).fetchone()[0]


SAVE_SECONDS = 30.0  # new vectors are stored at least this often while a block is encoded


class _Saver:
    """Stores one block's new vectors as its batches finish: whenever save_seconds have
    passed since the last save, and when the block ends or stops early (Cancel, a page
    left mid-way): an interrupted run loses at most save_seconds of work. A store that
    fails is dropped (problem says why) and the run goes on without it."""

    def __init__(self, store: EmbeddingStore | None, model: str, hashes: list[bytes],
                 save_seconds: float) -> None:
        self.store, self.model, self.hashes = store, model, hashes
        self.save_seconds = save_seconds
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.last = time.monotonic()
        self.problem: str | None = None

    def batch(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        self.pending.append((np.asarray(rows), np.asarray(vectors)))
        if time.monotonic() - self.last >= self.save_seconds:
            self.flush()

    def flush(self) -> None:
        if self.store is not None and self.pending:
            rows = np.concatenate([r for r, _ in self.pending])
            try:
                self.store.put(self.model, [self.hashes[i] for i in rows],
                               np.concatenate([v for _, v in self.pending]))
            except StoreError as exc:
                self.store, self.problem = None, f"{exc}; new vectors were not saved"
        self.pending.clear()
        self.last = time.monotonic()


def _streams(encoder: Encoder) -> bool:
    """Whether encoder.encode hands over each batch as it finishes (on_batch)."""
    try:
        return "on_batch" in inspect.signature(encoder.encode).parameters
    except (TypeError, ValueError):
        return False


def embed_with_store(encoder: Encoder, texts: Sequence[str], store: EmbeddingStore | None,
                     *, progress: Progress | None = None, save_every: int = 4096,
                     save_seconds: float = SAVE_SECONDS,
                     private: bytes | None = None) -> EmbedResult:
    """Embed texts, reusing stored vectors and storing new ones.

    Identical texts are embedded once. The distinct texts are encoded in blocks of
    ``save_every`` (by their place among all distinct texts, stored or not, so a
    resumed run encodes the rest of a block in the very same batches as a run in one
    go would: the same vectors, to the bit); new vectors are stored at the end of each
    block and, for an encoder that hands over its batches, every ``save_seconds``
    within one (a slow model takes minutes per block). private: the owner's key when
    the store is shared (see :func:`text_hash`); None: the public key space.
    """
    texts = [str(t) for t in texts]
    hashes = [text_hash(t, private) for t in texts]
    unique = list(dict.fromkeys(hashes))
    problem = None
    try:
        known = store.get(encoder.identity, unique) if store is not None else {}
    except StoreError as exc:  # embed everything, without the store, and say why
        store, known, problem = None, {}, f"{exc}; embedding without the store"
    missing = [h for h in unique if h not in known]
    first_text = dict(zip(reversed(hashes), reversed(texts)))
    done, streams = 0, _streams(encoder)
    for start in range(0, len(unique), save_every):
        part = [h for h in unique[start:start + save_every] if h not in known]
        if not part:
            continue

        def step(d: int, _t: int, base: int = done) -> None:
            if progress is not None:
                progress(base + d, len(missing))

        saver = _Saver(store, encoder.identity, part, save_seconds)
        try:
            block = [first_text[h] for h in part]
            if streams:
                vecs = encoder.encode(block, progress=step, on_batch=saver.batch)
            else:
                vecs = encoder.encode(block, progress=step)
                saver.batch(np.arange(len(part)), vecs)
        finally:
            saver.flush()
        store, problem = saver.store, saver.problem or problem
        known.update(zip(part, vecs))
        done += len(part)
    return _result(encoder.dim, hashes, known, missing, problem)


def _result(dim: int, hashes: list[bytes], known: dict[bytes, np.ndarray],
            missing: list[bytes], problem: str | None) -> EmbedResult:
    out = np.zeros((len(hashes), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = known[h]
    missing_set = set(missing)
    reused = sum(1 for h in hashes if h not in missing_set)
    return EmbedResult(out, reused=reused, embedded=len(missing), store_problem=problem)
