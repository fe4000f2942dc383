"""The pipeline glue shared by the app, the CLI and notebooks.

catalog -> texts -> encoder (through the store) -> vectors -> top-k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.catalog.table import Catalog, RawTable, build_catalog, guess_id_column, guess_text_columns
from core.config import ROW_NUMBERS, Config
from core.embed.encoders import Encoder, Progress
from core.search.exact import topk
from core.search.neighbors import Neighbors
from core.embed.store import EmbeddingStore, EmbedResult, embed_with_store


@dataclass(frozen=True)
class SearchHit:
    """One free-text search result.

    score: the ranking score (fused when hybrid); dense / lexical: the raw
    channel scores (hybrid only, NaN otherwise).
    """

    index: int
    product_id: str
    score: float
    dense: float = float("nan")
    lexical: float = float("nan")


def catalog_from_config(table: RawTable, config: Config) -> tuple[Catalog, bool]:
    """Build a catalog; returns (catalog, whether text columns were guessed).

    A config without text columns gets title/name-like ones; without an id
    column, a unique id-like column (else row numbers; "@row" forces row numbers).
    """
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


POOL_K = 50


def candidate_pool(catalog: Catalog | None, vectors: np.ndarray, cfg: Config, *,
                   pool_k: int | None = None, lexical=None) -> Neighbors:
    """Candidates deeper than k for every product (self excluded), best first.

    Dense top-k under cfg.metric; with cfg.hybrid_weight > 0 (and a catalog),
    dense fused with the lexical index (core.search.fusion; lexical: a prebuilt
    core.search.lexical.LexicalIndex of the catalog under cfg.field_weights). Rules
    draw from this pool, so re-applying rules never re-embeds or re-searches.
    """
    depth = pool_k or pool_depth(cfg)
    if cfg.hybrid_weight > 0 and catalog is not None:
        from core.search.fusion import DEPTH, catalog_index, hybrid_topk

        index = lexical if lexical is not None else catalog_index(catalog, cfg.field_weights)
        return hybrid_topk(vectors, index, depth, weight=cfg.hybrid_weight, metric=cfg.metric,
                           depth=max(DEPTH, depth))
    from core.search.dense import dense_search

    return dense_search(vectors, depth, metric=cfg.metric, index=cfg.index)


def pool_depth(cfg: Config) -> int:
    """POOL_K candidates per product; RULES_POOL_K (200) when filter rules are on."""
    from core.lists.spec import RULES_POOL_K, filters_active

    return max(RULES_POOL_K if filters_active(cfg.rules) else POOL_K, cfg.k)


def apply_rules(catalog: Catalog | None, pool: Neighbors, cfg: Config, *,
                vectors: np.ndarray | None = None, decisions=None) -> Neighbors:
    """Final lists of cfg.k from a candidate pool. Without rules: the best k.

    With cfg.rules, a duplicate band or review decisions (DataFrame from
    core.lists.review), core.lists.rules decides; short lists are padded with index -1.
    vectors are needed for rules.diversity.
    """
    from core.lists.rules import apply_config, needs_rules

    if not needs_rules(cfg, decisions):
        return pool.head(cfg.k)
    return apply_config(catalog, pool, cfg, vectors=vectors, decisions=decisions).neighbors


def final_lists(catalog: Catalog | None, vectors: np.ndarray, cfg: Config, *,
                decisions=None) -> Neighbors:
    """candidate_pool -> apply_rules: what exports and the neighbours page show."""
    return apply_rules(catalog, candidate_pool(catalog, vectors, cfg), cfg, vectors=vectors,
                       decisions=decisions)


def catalog_neighbors(vectors: np.ndarray, *, k: int, metric: str = "cosine",
                      block_size: int | None = None) -> Neighbors:
    """Top-k of every product among the others (self excluded)."""
    return topk(vectors, k, metric=metric, block_size=block_size)


def search(query: str, encoder: Encoder, vectors: np.ndarray, *, k: int = 10,
           metric: str = "cosine", ids: np.ndarray | None = None, lexical=None,
           hybrid_weight: float = 0.0) -> list[SearchHit]:
    """Top-k products for a free-text query (empty query -> no hits).

    With hybrid_weight > 0 and lexical (the catalog's core.search.lexical.LexicalIndex),
    dense and lexical scores are fused (core.search.fusion); otherwise dense only.
    """
    if not query.strip():
        return []
    q = encoder.encode([query])
    if hybrid_weight > 0 and lexical is not None:
        from core.search.fusion import hybrid_topk

        nb = hybrid_topk(vectors, lexical, k, weight=hybrid_weight, metric=metric, queries=q,
                         query_texts=[query])
        parts = (nb.dense[0], nb.lexical[0])
    else:
        nb = topk(vectors, k, metric=metric, queries=q, exclude_self=False)
        parts = (np.full(nb.k, np.nan),) * 2
    ids = ids if ids is not None else np.arange(len(vectors)).astype(str)
    return [SearchHit(int(i), str(ids[i]), float(s), float(d), float(lx))
            for i, s, d, lx in zip(nb.indices[0], nb.scores[0], *parts)]
