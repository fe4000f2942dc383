"""Fused scores changed by the same-product evidence, and lists re-ranked by them.

The one place where :data:`core.search.calibration.Calibration.evidence` weights change
a fused score (:mod:`core.search.evidence` reads the features): a
:class:`core.search.index.NeighborIndex` calls :func:`changed_scores` for pools, search
queries, pair scores and rules' refill blocks, and :func:`reranked` to order a pool or
a query's results by the changed score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.search.channels import Queries
from core.search.evidence import TextEvidence
from core.search.evidence_weights import evidence_change, pair_features
from core.search.fusion import Anchors, HybridNeighbors, fuse

if TYPE_CHECKING:
    from core.search.index import NeighborIndex

RERANK_ROWS = 8192  # products re-ranked at a time (bounded memory on large catalogs)


def changed_scores(index: NeighborIndex, rows: np.ndarray, cols: np.ndarray,
                   fused: np.ndarray, reverse: np.ndarray | None, *,
                   anchors: Anchors | None = None, text: np.ndarray | None = None,
                   queries: TextEvidence | None = None, blind: bool = False,
                   related: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(changed fused, features) of flat pairs (rows[i], cols[i]).

    rows index the catalog, or search queries with their own `anchors` (row-aligned)
    and `queries`, their texts read by :meth:`TextEvidence.read` (blind: queries with
    no texts); reverse: cols' fused scores of rows (None for queries); text: the pairs'
    text features when already read; related: how related each pair is, 0..1
    (:meth:`NeighborIndex.related` for products, :meth:`NeighborIndex.query_related`
    for queries; None: not weighed). A pair
    scoring 1 in every channel, or of the same words, gets the top of the map (score 1)."""
    own = index.anchors()
    a = own if anchors is None else anchors
    ev = index.text_evidence
    same = fused >= 1.0 - 1e-6
    if ev is not None and not blind:
        if text is None:
            text = ev.pairs(rows, cols, queries)
        same = ev.same_text(rows, cols, queries, also=same)
    x = pair_features(fused, reverse, a.best[rows], a.runner_up[rows],
                      None if reverse is None else own.best[cols], text, related)
    searched = anchors is not None or queries is not None or blind  # search queries' pairs
    calibration = index.query_calibration if searched else index.calibration
    changed = fused + evidence_change(calibration.evidence, x)
    top = np.float32(calibration.knots_at(index.weight)[-1])
    return np.where(same, np.maximum(changed, top), changed).astype(np.float32), x


def reranked(index: NeighborIndex, nb: HybridNeighbors, k: int,
             queries: Queries | None = None) -> HybridNeighbors:
    """nb (scores: fused; self excluded) re-ranked by the changed score, the first k
    kept (ties by lower index, as fused_topk breaks them)."""
    m, c = nb.indices.shape
    valid = nb.indices >= 0
    score = np.full((m, c), -np.inf, dtype=np.float32)
    ev = index.text_evidence
    read = None if queries is None or ev is None or queries.texts is None \
        else ev.read(queries.texts)  # once for the whole query set
    for start in range(0, m, RERANK_ROWS):
        block = slice(start, min(m, start + RERANK_ROWS))
        ok = valid[block]
        rows = np.repeat(np.arange(block.start, block.stop), c)[ok.ravel()]
        cols = nb.indices[block][ok]
        # every channel's raw score is symmetric (cosines, metric similarities), so
        # b's fused score of a is the pair's raw scores under b's anchors
        # (queries have no reverse score, and their own relatedness gate)
        raw = {n: v[block][ok] for n, v in nb.parts.items()}
        if queries is None:
            reverse = fuse(raw, index.anchors().take(cols), index.weights)
            related = index.related_of(raw)
        else:  # each query's texts read once: the block's rows, numbered from 0
            reverse = None
            texts = None if queries.texts is None else queries.texts[block]
            related = index.query_related(raw.get("dense"), texts, rows - block.start, cols)
        changed, _ = changed_scores(index, rows, cols, nb.scores[block][ok].astype(np.float32),
                                    reverse, queries=read,
                                    blind=queries is not None and read is None,
                                    anchors=nb.anchors if queries is not None else None,
                                    related=related)
        part = score[block]
        part[ok] = changed
        score[block] = part
    order = np.lexsort((np.where(valid, nb.indices, np.iinfo(np.int64).max), -score),
                       axis=-1)[:, :k]

    def take(x: np.ndarray) -> np.ndarray:
        return np.take_along_axis(x, order, 1)

    out = take(score)
    return HybridNeighbors(take(nb.indices), out, (1.0 - out).astype(np.float32), nb.metric,
                           {n: take(v) for n, v in nb.parts.items()}, nb.anchors, nb.weights)


__all__ = ["RERANK_ROWS", "changed_scores", "reranked"]
