"""Every ``st.cache_*`` wrapper, in one place.

- ``st.cache_resource`` for the model and the store connection only;
- ``st.cache_data`` for derived results, keyed explicitly on content hashes
  (array arguments are underscored so Streamlit never hashes them).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from components.i18n import t
from core.catalog.table import Catalog
from core.config import Config
from core.embed.encoders import Encoder, load_encoder
from core.embed.store import EmbeddingStore
from core.errors import ModelLoadError
from core.export.tables import to_bytes
from core.pipeline import candidate_pool
from core.pipeline import neighbor_index as neighbor_index_of
from core.search.channels import catalog_index
from core.search.exact import pairwise_scores
from core.search.index import NeighborIndex
from core.search.lexical import LexicalIndex
from core.search.neighbors import Neighbors
from core.workspace import Workspace


def get_encoder(model: str, precision: str, batch_size: int) -> Encoder:
    """One encoder per (model, precision, batch size), shared by all sessions. The spinner
    says so in the interface language (a cache's own spinner text is fixed when the module
    loads); st.spinner waits 0.5 s, so a loaded model shows none."""
    from components import state

    if not state.may_use_model(model):  # a folder name is easy to guess: ...-ft-v1
        raise ModelLoadError(t("The fine-tuned model {name} was made by someone else on this "
                               "server, so it cannot be used here; choose your own model or a "
                               "built-in one.", name=Path(model).name))
    with st.spinner(t("Loading the model (once per server)…")):
        return _encoder(model, precision, batch_size)


@st.cache_resource(show_spinner=False, max_entries=3)
def _encoder(model: str, precision: str, batch_size: int) -> Encoder:
    return load_encoder(model, precision=precision, batch_size=batch_size)


@st.cache_resource(show_spinner=False)
def get_store(db_path: str) -> EmbeddingStore:
    """One store connection per database file (thread-safe, locked)."""
    return EmbeddingStore(db_path)


@st.cache_resource(show_spinner=False)
def finetune_jobs() -> dict[str, object]:
    """Fine-tuning jobs by session token (components.finetune_job.FinetuneJob).

    A run outlives its browser tab: after a reload (same ?s= address, a new Streamlit
    session) the page finds the running job here and shows its progress, Cancel and
    result instead of offering a second run. Keyed by the secret token, like the
    saved work on disk: one token sees its own job only.
    """
    return {}


def workspace_store() -> EmbeddingStore:
    return get_store(str(Workspace.default().ensure().db_path))


def texts_key(texts: list[str], identity: str, private: bytes | None = None) -> str:
    """Content hash of a catalog's texts under one encoder identity (and the owner's key
    in the shared store: an uploaded catalog's derived results are the owner's alone)."""
    digest = hashlib.sha256(identity.encode())
    if private is not None:
        digest.update(private)
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()[:24]


class _Flight:
    """One value being made: its maker's latest progress report, and the value once made."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.report: tuple = ()
        self.made = False
        self.value = None


class SharedResults:
    """A small thread-safe LRU of derived results shared by every session.

    For steps that show their own progress bar (components.embedding): a
    st.cache_data function cannot update a bar created outside it.

    Each value is made once at a time (make_once): people who open the same catalog
    together, e.g. after a server restart, wait for the first one's lists instead of
    making them again each (4 people at once on 2 cores: bench/serving.py --cold).
    """

    def __init__(self, max_entries: int) -> None:
        self._items: OrderedDict = OrderedDict()
        self._flights: dict = {}
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

    def get_or_make(self, key, make):
        """The value kept under key, else make()'s, kept (make_once without progress)."""
        return self.make_once(key, lambda _report: make())

    def make_once(self, key, make, *, progress=None, keep: bool = True):
        """The value kept under key; else make(report)'s, made by one caller at a time.

        make reports its progress as report(*r); progress(*r) shows it to whoever asks: the
        maker at each report, and callers that miss key while it is being made every
        quarter second with the latest report, while they wait for the value and take it
        (where a Streamlit page waits, each call is also where it can be stopped). When the
        maker fails or is stopped (its page left or cancelled), the next caller makes it.
        keep=False hands the value to the waiters without keeping it here (vectors: the
        store keeps those).
        """
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                flight = self._flights.get(key)
                mine = flight is None
                if mine:
                    flight = self._flights[key] = _Flight()
            if not isinstance(flight, _Flight):  # in_background's future
                return flight.result()
            if mine:
                return self._make(key, flight, make, progress, keep)
            while not flight.done.wait(0.25):
                if progress is not None and flight.report:
                    progress(*flight.report)
            if flight.made:
                return flight.value
            # its maker failed or was stopped: try again (this caller may make it)

    def _make(self, key, flight: _Flight, make, progress, keep: bool):
        def report(*args) -> None:
            flight.report = args
            if progress is not None:
                progress(*args)

        try:
            value = make(report)
            flight.value, flight.made = value, True
            if keep:
                self.put(key, value)
            return value
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def in_background(self, key, job):
        """A future of the value under key: kept already, being made by another thread
        for someone else, or job() started now in a thread of its own. The thread runs to
        the end whoever stops waiting for it (a map left half-drawn is drawn for the next
        visitor) and keeps its value. future.started: when its thread started
        (time.perf_counter()). A kind of results uses either this or make_once."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                done: Future = Future()
                done.started = time.perf_counter()
                done.set_result(self._items[key])
                return done
            running = self._flights.get(key)
            if isinstance(running, Future):
                return running
            future = self._flights[key] = Future()
            future.started = time.perf_counter()

        def run() -> None:
            try:
                value = job()
            except BaseException as exc:  # handed to whoever waits
                with self._lock:
                    self._flights.pop(key, None)
                future.set_exception(exc)
                return
            self.put(key, value)
            with self._lock:
                self._flights.pop(key, None)
            future.set_result(value)

        threading.Thread(target=run, name="shared-result", daemon=True).start()
        return future


@st.cache_resource(show_spinner=False)
def shared_results(kind: str) -> SharedResults:
    """One LRU per kind ("index", "pool", "projection", "lexical", "images", "ruled",
    "groups", "duplicates", "duplicate_scores", "list_pair_scores"; "vectors" only hands a
    reading to those waiting for it), shared by all sessions.

    Safe to share: every key holds the content identity of what the value is computed
    from (and an upload's session key), so two sessions share a value only when they hold
    the same content.
    """
    return SharedResults(max_entries=6)


def neighbor_index(catalog: Catalog, vectors_key: str, vectors: np.ndarray,
                   cfg: Config, images=None) -> NeighborIndex:
    """The catalog's neighbour index under cfg (its channels, their fusion and anchors).

    Shared by sessions holding the same content: keyed by the catalog's content
    identity, the vectors' key and the pool settings, never by object ids. images: the
    photos' vectors (ImageVectors) when vectors_key names them ("|photos:"); default: the
    session's results' photos when their key is vectors_key.
    """
    key = (catalog.identity, vectors_key, cfg.pool_key())
    shared = shared_results("index")
    found = shared.get(key)
    if found is None:
        from components import state

        res = state.results()  # its key covers the photos' vectors too
        if images is None:
            images = res.images if res is not None and res.key == vectors_key else None
        with st.spinner(t("Indexing words and model numbers…")):
            found = shared.get_or_make(key, lambda: neighbor_index_of(catalog, vectors, cfg,
                                                                      images=images))
    return found


def scored_index(catalog: Catalog, vectors_key: str, vectors: np.ndarray,
                 cfg: Config) -> NeighborIndex:
    """neighbor_index with every product's anchors computed (match scores, Explain)."""
    index = neighbor_index(catalog, vectors_key, vectors, cfg)
    with st.spinner(t("Scoring every product's best candidates…")):
        index.anchors()
    return index


def lexical_index(catalog: Catalog, vectors_key: str, vectors: np.ndarray,
                  cfg: Config) -> LexicalIndex:
    """The words index of the catalog under cfg's field weights, even when the words
    channel is off (the Explain page and the heatmap's lexical cells read it)."""
    index = neighbor_index(catalog, vectors_key, vectors, cfg).lexical_index
    if index is not None:
        return index
    # vectors_key: an upload's results are keyed under its session's private key
    key = (catalog.identity, vectors_key, "lexical",
           json.dumps(dict(cfg.field_weights), sort_keys=True))
    shared = shared_results("lexical")
    found = shared.get(key)
    if found is None:
        with st.spinner(t("Indexing words and model numbers…")):
            found = shared.get_or_make(key, lambda: catalog_index(catalog, cfg.field_weights))
    return found


def cached_pool(catalog: Catalog, vectors_key: str, vectors: np.ndarray,
                cfg: Config, images=None) -> Neighbors:
    """Candidate pool of every product (no progress bar; components.embedding.pool has one);
    images as neighbor_index takes them."""
    key = (catalog.identity, vectors_key, cfg.pool_key())
    shared = shared_results("pool")
    found = shared.get(key)
    if found is None:
        index = neighbor_index(catalog, vectors_key, vectors, cfg, images=images)
        with st.spinner(t("Finding neighbours…")):
            found = shared.get_or_make(key, lambda: candidate_pool(catalog, vectors, cfg,
                                                                   index=index))
    return found


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
