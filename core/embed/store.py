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
import sqlite3
import threading
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

    def count(self, model: str | None = None) -> int:
        with self._lock, self._errors():
            if model is None:
                return self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
            return self._conn.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?",
                                      (model,)).fetchone()[0]


def embed_with_store(encoder: Encoder, texts: Sequence[str], store: EmbeddingStore | None,
                     *, progress: Progress | None = None,
                     save_every: int = 4096, private: bytes | None = None) -> EmbedResult:
    """Embed texts, reusing stored vectors and storing new ones.

    Identical texts are embedded once. New vectors are committed every
    ``save_every`` texts, so an interrupted run keeps what it finished. private: the
    owner's key when the store is shared (vectors reused only from the same key; see
    :func:`text_hash`); None: the public key space (the CLI's own workspace, the demo).
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
    done = 0
    for start in range(0, len(missing), save_every):
        part = missing[start:start + save_every]

        def step(d: int, _t: int, base: int = done) -> None:
            if progress is not None:
                progress(base + d, len(missing))

        vecs = encoder.encode([first_text[h] for h in part], progress=step)
        if store is not None:
            try:
                store.put(encoder.identity, part, vecs)
            except StoreError as exc:
                store, problem = None, f"{exc}; new vectors were not saved"
        known.update(zip(part, vecs))
        done += len(part)
    dim = encoder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = known[h]
    missing_set = set(missing)
    reused = sum(1 for h in hashes if h not in missing_set)
    return EmbedResult(out, reused=reused, embedded=len(missing), store_problem=problem)
