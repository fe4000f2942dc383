"""Turning the session's catalog into vectors and neighbour pools, with progress."""

from __future__ import annotations

import time

import streamlit as st

from components import resources, state
from core.catalog import Catalog
from core.config import Config
from core.errors import CatalogSimilarityError
from core.similarity import Neighbors
from core.pipeline import apply_rules
from core.store import embed_with_store



def ensure_results(catalog: Catalog, cfg: Config) -> state.Results:
    """Vectors + top-k pool for the current catalog and model, computed once.

    Shows a progress bar while embedding; stops the page with an error when
    the model cannot be loaded.
    """
    try:
        encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    except CatalogSimilarityError as exc:
        state.offer_bundled_model(exc, key="model_fallback.results")
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


def pool(res: state.Results, cfg: Config) -> Neighbors:
    """The candidate pool for the session's catalog (cached by content + pool settings)."""
    catalog = state.require_catalog()
    return resources.cached_pool(res.key, cfg.pool_key(), catalog, res.vectors, cfg)


def neighbors(res: state.Results, cfg: Config, k: int | None = None) -> Neighbors:
    """Final lists: the pool with the configured rules applied (or cut to k).

    Rules may leave a list short: its missing entries are index -1.
    """
    from core.review import load_decisions
    from core.workspace import Workspace

    catalog = state.require_catalog()
    try:
        return apply_rules(catalog, pool(res, cfg), cfg if k is None else cfg.with_changes(k=k),
                           vectors=res.vectors,
                           decisions=load_decisions(Workspace.default().db_path))
    except CatalogSimilarityError as exc:  # e.g. a rule names a column this catalog lacks
        state.show_error(exc)
        st.stop()


def truncated_count(catalog: Catalog, cfg: Config) -> int | None:
    """Texts over the model's input length (None when the model can't load)."""
    try:
        encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    except CatalogSimilarityError as exc:
        state.offer_bundled_model(exc, key="model_fallback.truncated")
        return None
    key = resources.texts_key(catalog.texts, encoder.identity)
    return resources.cached_truncated(key, catalog.texts, cfg.model, cfg.precision,
                                      cfg.batch_size)
