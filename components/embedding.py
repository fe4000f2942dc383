"""Turning the session's catalog into vectors and neighbour pools, with progress."""

from __future__ import annotations

import time

import streamlit as st

from components import resources, state
from core.catalog import Catalog
from core.config import Config
from core.errors import CatalogSimilarityError
from core.similarity import Neighbors
from core.store import embed_with_store

POOL_K = 50


def ensure_results(catalog: Catalog, cfg: Config) -> state.Results:
    """Vectors + top-k pool for the current catalog and model, computed once.

    Shows a progress bar while embedding; stops the page with an error when
    the model cannot be loaded.
    """
    try:
        encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        st.stop()
    key = resources.texts_key(catalog.texts, encoder.identity)
    current = state.results()
    if current is None or current.key != key:
        current = _embed(catalog, encoder, key)
        state.set_results(current)
    return current


def _embed(catalog: Catalog, encoder, key: str) -> state.Results:
    bar = st.progress(0.0, text=f"Embedding {len(catalog):,} products…")
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Embedding: {done:,} / {total:,} new texts")

    result = embed_with_store(encoder, catalog.texts, resources.workspace_store(),
                              progress=progress)
    bar.empty()
    seconds = time.perf_counter() - start
    return state.Results(key, result.vectors, result.reused, result.embedded, seconds)


def neighbors(res: state.Results, cfg: Config, k: int | None = None) -> Neighbors:
    """Top-k pool for the configured metric (cached by content), cut to k."""
    pool = max(POOL_K, cfg.k)
    nb = resources.cached_neighbors(res.key, res.vectors, pool, cfg.metric)
    return nb.head(k if k is not None else cfg.k)


def pool(res: state.Results, cfg: Config) -> Neighbors:
    return resources.cached_neighbors(res.key, res.vectors, max(POOL_K, cfg.k), cfg.metric)


def truncated_count(catalog: Catalog, cfg: Config) -> int | None:
    """Texts over the model's input length (None when the model can't load)."""
    try:
        encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return None
    key = resources.texts_key(catalog.texts, encoder.identity)
    return resources.cached_truncated(key, catalog.texts, cfg.model, cfg.precision,
                                      cfg.batch_size)
