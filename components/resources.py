"""Every ``st.cache_*`` wrapper, in one place.

- ``st.cache_resource`` for the model and the store connection only;
- ``st.cache_data`` for derived results, keyed explicitly on content hashes
  (array arguments are underscored so Streamlit never hashes them).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from core.embed.encoders import Encoder, load_encoder
from core.export.tables import to_bytes
from core.projection import Projection, project
from core.catalog.table import Catalog
from core.config import Config
from core.pipeline import candidate_pool
from core.search.exact import pairwise_scores
from core.search.neighbors import Neighbors
from core.embed.store import EmbeddingStore
from core.workspace import Workspace


@st.cache_resource(show_spinner="Loading the model (once per server)…", max_entries=3)
def get_encoder(model: str, precision: str, batch_size: int) -> Encoder:
    """One encoder per (model, precision, batch size), shared by all sessions."""
    return load_encoder(model, precision=precision, batch_size=batch_size)


@st.cache_resource(show_spinner=False)
def get_store(db_path: str) -> EmbeddingStore:
    """One store connection per database file (thread-safe, locked)."""
    return EmbeddingStore(db_path)


def workspace_store() -> EmbeddingStore:
    return get_store(str(Workspace.default().ensure().db_path))


def texts_key(texts: list[str], identity: str) -> str:
    """Content hash of a catalog's texts under one encoder identity."""
    digest = hashlib.sha256(identity.encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()[:24]


class SharedResults:
    """A small thread-safe LRU of derived results shared by every session.

    For steps that show their own progress bar (components.embedding): a
    st.cache_data function cannot update a bar created outside it.
    """

    def __init__(self, max_entries: int) -> None:
        import threading
        from collections import OrderedDict

        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def shared_results(kind: str) -> SharedResults:
    """One LRU per kind ("pool", "projection"), shared by all sessions."""
    return SharedResults(max_entries=6)


@st.cache_data(show_spinner="Finding neighbours…", max_entries=8)
def cached_pool(key: str, pool_key: str, _catalog: Catalog, _vectors: np.ndarray,
                _cfg: Config) -> Neighbors:
    """Candidate pool of every product; key = vectors content hash + pool settings."""
    lexical = cached_lexical(_catalog, _cfg.field_weights) if _cfg.hybrid_weight > 0 else None
    return candidate_pool(_catalog, _vectors, _cfg, lexical=lexical)


def lexical_key(catalog: Catalog, field_weights: dict[str, float]) -> str:
    """Content hash of the columns the lexical index reads, with their weights."""
    from core.search.fusion import lexical_fields

    fields, weights = lexical_fields(catalog.frame, catalog.mapping.text_columns, field_weights)
    digest = hashlib.sha256(repr(sorted(weights.items())).encode())
    for col in sorted(fields):
        digest.update(texts_key(fields[col], col).encode())
    return digest.hexdigest()[:24]


def cached_lexical(catalog: Catalog, field_weights: dict[str, float]):
    """The catalog's lexical index (core.search.lexical.LexicalIndex), built once per content."""
    return _lexical_index(lexical_key(catalog, field_weights), catalog, dict(field_weights))


@st.cache_data(show_spinner="Scoring every product's best candidates…", max_entries=4)
def cached_space(key: str, pool_key: str, _catalog: Catalog, _vectors: np.ndarray, _cfg: Config):
    """core.quality.threshold.ScoringSpace (anchors for match scores); key = vectors hash + pool settings."""
    from core.quality.threshold import scoring_space

    lexical = cached_lexical(_catalog, _cfg.field_weights) if _cfg.hybrid_weight > 0 else None
    return scoring_space(_catalog, _vectors, _cfg, index=lexical)


@st.cache_data(show_spinner="Indexing words and model numbers…", max_entries=8)
def _lexical_index(key: str, _catalog: Catalog, _field_weights: dict[str, float]):
    from core.search.fusion import catalog_index

    return catalog_index(_catalog, _field_weights)


@st.cache_data(show_spinner="Projecting with UMAP…", max_entries=6)
def cached_projection(key: str, _vectors: np.ndarray, _neighbors: Neighbors, dim: int,
                      max_points: int, metric: str) -> Projection:
    return project(_vectors, neighbors=_neighbors, dim=dim, max_points=max_points,
                   metric=metric)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_pairwise(key: str, rows: tuple[int, ...], _vectors: np.ndarray,
                    metric: str) -> np.ndarray:
    return pairwise_scores(_vectors[list(rows)], metric=metric)


@st.cache_data(show_spinner=False, max_entries=6)
def cached_export(key: str, _frame: pd.DataFrame, fmt: str) -> bytes:
    return to_bytes(_frame, fmt)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_truncated(key: str, _texts: list[str], model: str, precision: str,
                     batch_size: int) -> int:
    """How many of the catalog's texts exceed the model's input length."""
    return get_encoder(model, precision, batch_size).count_truncated(_texts)
