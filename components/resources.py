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

from core.encoders import Encoder, load_encoder
from core.export import to_bytes
from core.projection import Projection, project
from core.catalog import Catalog
from core.config import Config
from core.pipeline import candidate_pool
from core.similarity import Neighbors, pairwise_scores
from core.store import EmbeddingStore
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


@st.cache_data(show_spinner="Finding neighbours…", max_entries=8)
def cached_pool(key: str, pool_key: str, _catalog: Catalog, _vectors: np.ndarray,
                _cfg: Config) -> Neighbors:
    """Candidate pool of every product; key = vectors content hash + pool settings."""
    return candidate_pool(_catalog, _vectors, _cfg)


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
