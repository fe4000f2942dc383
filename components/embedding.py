"""Turning the session's catalog into vectors, neighbour pools and maps, with progress.

Long steps (embedding, top-k search, UMAP) show a progress bar and a Cancel
button. Clicking Cancel reruns the page: Streamlit interrupts the running step
at its next progress update, and the rerun shows what was kept (embedded
vectors are already in the store, so the next action resumes from there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import streamlit as st

from components import photos, resources, state, text
from components.i18n import t
from core.catalog.table import Catalog
from core.config import Config
from core.embed.store import embed_with_store
from core.errors import CatalogSimilarityError, StoreError
from core.pipeline import apply_rules, candidate_pool
from core.projection import Projection, expected_seconds, project
from core.search.channels import catalog_index
from core.search.lexical import LexicalIndex
from core.search.neighbors import Neighbors, reporting


def ready_text(res: state.Results) -> str:
    """What the app says once vectors are ready, with how many were kept from before: the
    count can only be this session's own (an upload's vectors are keyed under the
    session's private key, core.embed.store) or the public demo's."""
    if res.reused and not res.embedded:
        return t("Ready: {n:,} products, all read by the model before.", n=len(res.vectors))
    if res.reused:
        return t("Ready: {n:,} products ({new:,} new texts read by the model in {s:.1f} s; "
                 "{reused:,} products kept from before).", n=len(res.vectors),
                 new=res.embedded, s=res.seconds, reused=res.reused)
    return t("Ready: {n:,} products read by the model ({s:.1f} s).", n=len(res.vectors),
             s=res.seconds)


def vectors_key(catalog: Catalog, encoder, *, slot: str = "embedding.texts_key") -> str:
    """The key of catalog's vectors under encoder in this session: its texts' hash with the
    session's private key folded in (resources.texts_key; an upload's results are its
    session's alone). Hashing 50k texts costs ~0.15 s, so it is done once per catalog
    object, model and owner, held in the session's memo slot (one per page that keys
    another catalog or model)."""
    private = state.private_key()
    owner = private.hex()[:16] if private else "public"
    return state.memo(slot, f"{catalog.identity}|{encoder.identity}|{owner}",
                      lambda: resources.texts_key(catalog.texts, encoder.identity, private))


def ensure_results(catalog: Catalog, cfg: Config) -> state.Results:
    """Vectors for the current catalog and model, computed once (progress, cancel).

    Stops the page with an error when the model cannot be loaded.
    """
    encoder = _encoder(cfg)
    key = vectors_key(catalog, encoder)
    current = _read_already(key)
    if current is None:
        current = _long_step("embedding", t("The model is reading {n:,} products…", n=len(catalog)),
                             lambda progress, _cancel: _embed(catalog, encoder, key, progress,
                                                              state.private_key()))
        state.set_results(current)
        st.toast(ready_text(current), icon=":material/memory:")
    if current.store_problem:
        text.warning(current.store_problem)
    images = photos.embed_with_progress(catalog, cfg)
    full = key + (f"|photos:{images.key}" if images is not None else "")
    if current.key != full:  # the same text vectors, other photos (or none)
        current = replace(current, key=full, images=images)
        state.set_results(current)
    return current


def ready_results(catalog: Catalog, cfg: Config) -> state.Results | None:
    """The session's vectors of catalog under cfg's model when it has read them already
    (None: not yet; nothing is embedded here). Stops the page when the model cannot be
    loaded, as ensure_results does."""
    return _read_already(vectors_key(catalog, _encoder(cfg)))


def _read_already(key: str) -> state.Results | None:
    """The session's results when their text vectors are those of key (any photos)."""
    current = state.results()
    return current if current is not None and current.key.split("|photos:")[0] == key \
        else None


def background_reader(catalog: Catalog, cfg: Config) -> Callable:
    """What reads catalog with cfg's model on another thread (a run started before the
    catalog was read): read(progress) -> (text vectors, words index), progress(done, total)
    by product. The vectors go into the workspace's store under the session's key, so the
    pages find them read afterwards (ensure_results then embeds nothing); a page opened
    meanwhile (Neighbours in another tab) waits for this reading instead of doing its own
    beside it, and this one waits for a page's reading begun first."""
    encoder, private = _encoder(cfg), state.private_key()
    key = vectors_key(catalog, encoder)
    store, _ = _store()  # the run reports no store problem; the pages say it later
    fields = cfg.field_weights

    def read(progress: Callable[[int, int], None]) -> tuple[np.ndarray, LexicalIndex]:
        vectors = _read_once(catalog, encoder, key, store, private, progress).vectors
        return vectors, catalog_index(catalog, fields)

    return read


def _encoder(cfg: Config):
    try:
        return resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    except CatalogSimilarityError as exc:
        state.offer_bundled_model(exc, key="model_fallback.results")
        st.stop()


def _embed(catalog: Catalog, encoder, key: str, progress, private: bytes | None
           ) -> state.Results:
    """The catalog's vectors, read once at a time per key: a second tab of the same work,
    or a second person opening the demo meanwhile, waits for the first reading (its
    progress shown) instead of reading the same texts again beside it."""
    start = time.perf_counter()
    store, problem = _store()

    def fraction(done: int, total: int) -> None:
        progress(done / max(total, 1), f"{done / max(total, 1):.0%}")

    result = _read_once(catalog, encoder, key, store, private, fraction)
    seconds = time.perf_counter() - start
    return state.Results(key, result.vectors, result.reused, result.embedded, seconds,
                         result.store_problem or problem)


def _read_once(catalog: Catalog, encoder, key: str, store, private: bytes | None,
               progress: Callable[[int, int], None]):
    """embed_with_store of the catalog's texts, once at a time per key (the session's
    vectors key): whoever asks meanwhile (a page, a fine-tuning run) waits for that
    reading, progress(done, total) showing its progress, and takes its vectors."""
    def make(report):
        return embed_with_store(encoder, catalog.texts, store, private=private, progress=report)

    return resources.shared_results("vectors").make_once(key, make, progress=progress,
                                                         keep=False)


def _store():
    """(the workspace's embedding store, None) or, for a damaged or read-only workspace,
    (None, why: embedding goes on without the store)."""
    try:
        return resources.workspace_store(), None
    except StoreError as exc:
        return None, f"{exc}; embedding without the store"


def _long_step(name: str, title: str, run: Callable):
    """Run run(progress, cancel) under a progress bar with a Cancel button.

    progress(fraction, text) updates the bar; each update is where Streamlit
    stops the run when Cancel was clicked. The rerun that follows the click
    shows a note and stops the page.
    """
    slot = st.empty()
    with slot.container():
        if st.button(t("Cancel"), key=f"embedding.cancel.{name}",
                     icon=":material/cancel:"):
            slot.empty()
            st.info(t("Cancelled. Work already done is kept (the products the model has read "
                      "stay read); it resumes from there on your next action."))
            st.stop()
        bar = st.progress(0.0, text=title)
        started = time.perf_counter()

        def progress(fraction: float, text: str = "") -> None:
            bar.progress(min(1.0, max(0.0, fraction)),
                         text=f"{title} {text} ({time.perf_counter() - started:.0f} s)")

        result = run(progress, lambda: False)
    slot.empty()
    return result


def pool(res: state.Results, cfg: Config) -> Neighbors:
    """The candidate pool of the session's catalog, shared across sessions (progress, cancel).

    Keyed by the catalog's content identity, the vectors and the pool settings:
    a re-upload with a corrected column gets new lists.
    """
    catalog = state.require_catalog()
    key = (catalog.identity, res.key, cfg.pool_key())
    shared = resources.shared_results("pool")
    found = shared.get(key)
    if found is None:
        index = resources.neighbor_index(catalog, res.key, res.vectors, cfg)

        def run(progress, cancel) -> Neighbors:
            def tiles(done: int, total: int) -> None:
                progress(done / max(total, 1), t("{done:,} / {total:,} tiles", done=done,
                                                 total=total))

            def make(report) -> Neighbors:
                with reporting(report, cancel):
                    return candidate_pool(catalog, res.vectors, cfg, index=index)

            # someone else on the server making the same lists: their progress, shown here
            return shared.make_once(key, make, progress=tiles)

        found = _long_step("search", t("Finding neighbours of {n:,} products…", n=len(catalog)),
                           run)
    return found


def projection(res: state.Results, cfg: Config, *, dim: int, max_points: int) -> Projection:
    """UMAP map reusing the pool's graph, shared across sessions (estimated progress).

    Drawn in a thread of its own, once for everyone who asks for it meanwhile; a page left
    or cancelled before the end leaves the thread to finish: the map is kept for later."""
    nb = pool(res, cfg)
    key = (state.require_catalog().identity, res.key, cfg.pool_key(), dim, max_points)
    shared = resources.shared_results("projection")
    found = shared.get(key)
    if found is None:
        rows = min(len(res.vectors), max_points)
        future = shared.in_background(key, lambda: project(
            res.vectors, neighbors=nb, dim=dim, max_points=max_points, metric=cfg.metric))
        found = _long_step("map", t("Drawing the map of {rows:,} products…", rows=rows),
                           lambda progress, _c: _wait_projection(future, rows, progress))
    return found


def _wait_projection(future, rows: int, progress) -> Projection:
    """The map's thread's result; the bar advances on the measured time estimate."""
    from concurrent.futures import TimeoutError

    estimate = expected_seconds(rows)
    while True:
        try:
            return future.result(timeout=0.5)
        except TimeoutError:
            spent = time.perf_counter() - future.started
            progress(min(0.95, spent / estimate), t("about {s:.0f} s expected", s=estimate))


def neighbors(res: state.Results, cfg: Config, k: int | None = None,
              rows: list[int] | None = None) -> Neighbors:
    """Final lists: the pool with the configured rules applied (or cut to k).

    Rules may leave a list short: its missing entries are index -1. rows: only these
    products' lists are made (the others are empty): on 24,628 products with a same
    category rule, one product's list took 17 s on every rerun of the Heatmap page when
    every list was made for it.
    """
    from components.tuning_rules import review_decisions

    catalog = state.require_catalog()
    cfg = cfg if k is None else cfg.with_changes(k=k)
    try:
        return apply_rules(catalog, pool(res, cfg), cfg, vectors=res.vectors,
                           decisions=review_decisions(catalog),
                           rows=None if rows is None else np.asarray(rows, dtype=np.int64))
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
    return resources.cached_truncated(vectors_key(catalog, encoder), catalog.texts, cfg.model,
                                      cfg.precision, cfg.batch_size)
