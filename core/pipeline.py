"""The pipeline shared by the app, the CLI and notebooks: the same Config gives the
same lists everywhere.

    catalog -> texts -> encoder (through the store) -> vectors
            -> NeighborIndex (channels + fusion) -> candidate pool -> rules -> lists
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.catalog.table import Catalog, RawTable, build_catalog, guess_id_column, guess_text_columns
from core.config import ROW_NUMBERS, Config
from core.embed.encoders import Encoder, Progress
from core.embed.image_vectors import ImageVectors
from core.embed.store import EmbeddingStore, EmbedResult, embed_with_store
from core.lists.rules import RuleResult, apply_config, needs_rules
from core.lists.spec import RULES_POOL_K, filters_active
from core.search.channels import ImageChannel, Queries
from core.search.hant_hans import query_for_model
from core.search.index import NeighborIndex
from core.search.neighbors import Neighbors

# Candidates per product in a pool (RULES_POOL_K when filter rules are on).
POOL_K = 50
# The start of a query the search boxes read: a few hundred characters describe any product;
# the multilingual model reads a longer text whole, window by window (a pasted 5,000-character
# Chinese text took 45 s on 2 busy cores, the page frozen meanwhile).
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class SearchHit:
    """One free-text search result.

    score: the 0..1 score lists show (the calibrated fused score,
    core.search.calibration); parts: each channel's raw score ({"dense": ...,
    "lexical": ...} for the channels the index has; NaN where that channel did not score
    it); number: the model number the query names it by (core.search.named; score 1,
    the product named, and first), None for a product found by its text.
    """

    index: int
    product_id: str
    score: float
    parts: dict[str, float]
    number: str | None = None


@dataclass(frozen=True)
class SearchAnswer:
    """What a search box shows: hits of query, the query searched. respelt: query is the
    catalog's spelling of the typed one (:mod:`core.search.spelling`), whose own hits
    are typed_hits (the same as hits when not respelt)."""

    hits: list[SearchHit]
    query: str
    typed: str
    typed_hits: list[SearchHit]

    @property
    def respelt(self) -> bool:
        return self.query != self.typed


def catalog_from_config(table: RawTable, config: Config) -> tuple[Catalog, bool]:
    """Build a catalog; returns (catalog, whether text columns were guessed).

    A config without text columns gets title/name-like ones; without an id
    column, a unique id-like column (else row numbers; "@row" forces row numbers).
    """
    config.check_columns(table.frame.columns, rules=False)  # a file saved for another catalog
    guessed = not config.text_columns
    cols = tuple(guess_text_columns(table.frame)) if guessed else config.text_columns
    if config.id_column is None:
        config = config.with_changes(id_column=guess_id_column(table.frame) or ROW_NUMBERS)
    catalog = build_catalog(table, config.mapping(cols),
                            on_duplicate_ids=config.on_duplicate_ids)
    return catalog, guessed


def embed_catalog(catalog: Catalog, encoder: Encoder, store: EmbeddingStore | None, *,
                  progress: Progress | None = None) -> EmbedResult:
    """Vectors for every product, reusing the store."""
    return embed_with_store(encoder, catalog.texts, store, progress=progress)


def neighbor_index(catalog: Catalog | None, vectors: np.ndarray, cfg: Config, *,
                   images: ImageVectors | None = None) -> NeighborIndex:
    """The neighbour index of a catalog under cfg (channels decided once, here).

    images: the catalog's image vectors (core.embed.image_vectors.embed_images), the
    photos channel when the index decides it exists (cfg.image_weight above 0).
    """
    prebuilt = None
    if images is not None and images.has_image.any():
        prebuilt = {"image": ImageChannel(images.vectors, images.has_image)}
    return NeighborIndex.build(catalog, vectors, cfg, prebuilt=prebuilt)


def pool_depth(cfg: Config) -> int:
    """POOL_K candidates per product; RULES_POOL_K (200) when filter rules are on."""
    return max(RULES_POOL_K if filters_active(cfg.rules) else POOL_K, cfg.k)


def candidate_pool(catalog: Catalog | None, vectors: np.ndarray, cfg: Config, *,
                   pool_k: int | None = None, index: NeighborIndex | None = None,
                   pools: dict[str, Neighbors] | None = None) -> Neighbors:
    """Candidates deeper than k for every product (self excluded), best first.

    index: a prebuilt NeighborIndex of this catalog under cfg (else built).
    pools: channel lists computed elsewhere (NeighborIndex.pool), e.g. on a Ray cluster.
    Rules draw from this pool, so re-applying rules never re-embeds or re-searches.
    """
    index = index or neighbor_index(catalog, vectors, cfg)
    return index.pool(pool_k or pool_depth(cfg), pools=pools)


def apply_rules(catalog: Catalog | None, pool: Neighbors, cfg: Config, *,
                vectors: np.ndarray | None = None, decisions=None,
                rows: np.ndarray | None = None) -> Neighbors:
    """Final lists of cfg.k from a candidate pool. Without rules: the best k.

    With cfg.rules, a duplicate band or review decisions (DataFrame from
    core.lists.review), core.lists.rules decides; short lists are padded with index -1.
    vectors are needed for rules.diversity. rows: only these products' lists need be
    made (core.lists.rules.apply_rules; without rules every list is cut, which is cheap).
    """
    if not needs_rules(cfg, decisions):
        return pool.head(cfg.k)
    return apply_config(catalog, pool, cfg, vectors=vectors, decisions=decisions,
                        rows=rows).neighbors


def rule_result(catalog: Catalog | None, pool: Neighbors, cfg: Config, *,
                vectors: np.ndarray | None = None, decisions=None) -> RuleResult:
    """The final lists with what the rules did (pinned, blocked, short lists)."""
    return apply_config(catalog, pool, cfg, vectors=vectors, decisions=decisions)


def final_lists(catalog: Catalog | None, vectors: np.ndarray, cfg: Config, *,
                decisions: pd.DataFrame | None = None,
                index: NeighborIndex | None = None,
                pools: dict[str, Neighbors] | None = None) -> Neighbors:
    """candidate_pool -> apply_rules: what exports and the neighbours page show."""
    pool = candidate_pool(catalog, vectors, cfg, index=index, pools=pools)
    return apply_rules(catalog, pool, cfg, vectors=vectors, decisions=decisions)


def search(query: str, encoder: Encoder, index: NeighborIndex, *, k: int = 10,
           ids: np.ndarray | None = None, image_encoder=None) -> list[SearchHit]:
    """Top-k products for a free-text query (empty query -> no hits), scored like the lists.

    image_encoder: a CLIP image encoder puts the query into the photos' space too
    (text-to-image search); otherwise the photos channel has no opinion on a text query.
    A query in traditional characters is read by the model in simplified ones when the
    catalog writes simplified (:func:`core.search.hant_hans.query_for_model`).
    """
    if not query.strip():
        return []
    photo = None
    if index.has("image") and getattr(image_encoder, "text_search", False):
        photo = image_encoder.encode_text([query])
    model_text = query_for_model(query, index.texts)  # 話筒 read as 话筒 by a simplified shop
    queries = Queries(encoder.encode([model_text]), [query], photo)
    nb = index.query(k, queries)
    parts = getattr(nb, "parts", {})
    ids = ids if ids is not None else np.arange(len(index.vectors)).astype(str)
    hits = [SearchHit(int(i), str(ids[i]), float(s),
                      {name: float(v[0, j]) for name, v in parts.items()})
            for j, (i, s) in enumerate(zip(nb.indices[0], nb.scores[0]))]
    return _named_first(hits, index, query, queries, ids, k)


def _named_first(hits: list[SearchHit], index: NeighborIndex, query: str, queries: Queries,
                 ids: np.ndarray, k: int) -> list[SearchHit]:
    """hits with the products whose model number the query names first (score 1: the
    product asked for, with each channel's own raw score of it as its parts), then the
    rest."""
    rows, number = index.named_by(query)
    if not len(rows):
        return hits
    rank = {h.index: j for j, h in enumerate(hits)}  # those the text found keep their parts
    rows = sorted(map(int, rows), key=lambda r: (rank.get(r, len(hits)), r))
    unfound = np.asarray([r for r in rows if r not in rank], dtype=np.int64)
    scored = {name: _query_part(index, name, queries, unfound)
              for name in (hits[0].parts if hits else ())}
    parts = {r: {name: float(v[j]) for name, v in scored.items()}
             for j, r in enumerate(unfound.tolist())}
    named = [SearchHit(r, str(ids[r]), 1.0, hits[rank[r]].parts if r in rank else parts[r],
                       number) for r in rows]
    taken = {h.index for h in named}
    return (named + [h for h in hits if h.index not in taken])[:k]


def _query_part(index: NeighborIndex, name: str, queries: Queries, rows: np.ndarray
                ) -> np.ndarray:
    """(len(rows),) the channel's raw score of the one query against rows; NaN where the
    channel has no opinion (the photos, for a query without a photo)."""
    channel = index.channels.get(name)
    if channel is None or (name == "image" and queries.image_vectors is None):
        return np.full(len(rows), np.nan)
    return np.asarray(channel.pair_scores(np.zeros(len(rows), dtype=np.int64), rows, queries),
                      dtype=np.float64)


def search_as_meant(query: str, encoder: Encoder, index: NeighborIndex, *, k: int = 10,
                    ids: np.ndarray | None = None, image_encoder=None) -> SearchAnswer:
    """:func:`search`, and for a Chinese catalog also the query respelt in the catalog's
    characters (a homophone typed through a pinyin keyboard, 兰之 for 兰芝, or pinyin
    itself, ``lanzhi``: :meth:`core.search.spelling.Speller.respell`), whose results are
    shown instead when :meth:`core.search.spelling.Speller.shows` says so."""
    hits = search(query, encoder, index, k=k, ids=ids, image_encoder=image_encoder)
    speller = index.speller if query.strip() else None
    other = speller.respell(query) if speller is not None else None
    if other is not None:
        alt = search(other, encoder, index, k=k, ids=ids, image_encoder=image_encoder)
        if alt and speller.shows(query, other, max((h.score for h in hits), default=0.0),
                                 alt[0].index, alt[0].score):
            return SearchAnswer(alt, other, query, hits)
    return SearchAnswer(hits, query, query, hits)


__all__ = ["MAX_QUERY_CHARS", "POOL_K", "SearchAnswer", "SearchHit", "apply_rules",
           "candidate_pool", "catalog_from_config", "embed_catalog", "final_lists",
           "neighbor_index", "pool_depth", "rule_result", "search", "search_as_meant"]
