"""Hybrid retrieval: dense similarity fused with the lexical index, one weight.

For every query each channel is rescaled between two anchors: the channel's
ceiling (the score of an identical product: 1 for cosine, for the euclidean and
manhattan similarities and for the lexical cosine; for dot, which has none, the
query's best score) becomes 1, and the query's DEPTH-th best score becomes 0
(candidates that only the other channel found may fall below 0). The floor
makes the fusion scale-free (the cosines of one model crowd near 0.8, another's
near 0.3; short and long texts), and the ceiling keeps the scores honest: a
fused score of 1 means the same text, not merely "the best there is", so a
product with no twin gets a top score well below 1 and a ``duplicate`` band on
list scores does not catch every nearest neighbour. Then

    fused = (1 - weight) * dense' + weight * lexical'

weight 0 = dense only, 1 = lexical only. Candidates are the union of the dense
top-DEPTH and the lexical top-DEPTH of each query, so memory stays
O(queries x DEPTH), never N x N.

For duplicate decisions a pair gets a *match score*: each side's fused score
of the other divided by that side's best fused score, the smaller of the two
(1 = each is the other's best candidate). It is what thresholds are chosen on.

Field weights ("title=1,brand=0.5") weight each column's tokens in the lexical
index; the dense side embeds the mapped text columns (bench/hybrid_quality.py
measures both ways of weighting fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import ConfigError
from core.search.lexical import LexicalIndex, build_index, candidate_scores, lexical_topk, pair_scores
from core.search.exact import topk
from core.search.neighbors import Neighbors, check_metric

DEPTH = 100
_EPS = 1e-9
_ROW_BLOCK = 256


@dataclass(frozen=True)
class Anchors:
    """Per-query rescaling of each channel. All arrays (m,) float32.

    dense_top / dense_floor: the query's best and DEPTH-th dense score;
    lexical_*: the same for the lexical channel; best: the best fused score.
    """

    dense_top: np.ndarray
    dense_floor: np.ndarray
    lexical_top: np.ndarray
    lexical_floor: np.ndarray
    best: np.ndarray

    def take(self, rows: np.ndarray) -> Anchors:
        return Anchors(*(getattr(self, f)[rows] for f in
                         ("dense_top", "dense_floor", "lexical_top", "lexical_floor", "best")))


@dataclass(frozen=True)
class HybridNeighbors(Neighbors):
    """Neighbors ranked by the fused score, with both channels' raw scores.

    dense, lexical: (m, k) float32 raw channel scores of the listed neighbours.
    """

    dense: np.ndarray
    lexical: np.ndarray
    anchors: Anchors
    weight: float

    def head(self, k: int) -> HybridNeighbors:
        return HybridNeighbors(self.indices[:, :k], self.scores[:, :k], self.distances[:, :k],
                               self.metric, self.dense[:, :k], self.lexical[:, :k],
                               self.anchors, self.weight)


def rescale(x: np.ndarray, top: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """(x - floor) / (top - floor), capped at 1; top/floor broadcast per row.

    Not clipped below: how far a candidate falls under a channel's DEPTH-th
    score still ranks it (measured better than clipping at 0 on walmart).
    """
    return np.minimum((x - floor) / np.maximum(top - floor, _EPS), 1.0).astype(np.float32)


def fuse(dense: np.ndarray, lexical: np.ndarray, anchors: Anchors, weight: float) -> np.ndarray:
    """Fused scores of (m, C) raw channel scores under (m,) anchors. float32, at most 1."""
    col = (slice(None),) + (None,) * (dense.ndim - 1)
    d = rescale(dense, anchors.dense_top[col], anchors.dense_floor[col])
    lex = rescale(lexical, anchors.lexical_top[col], anchors.lexical_floor[col])
    return ((1.0 - weight) * d + weight * lex).astype(np.float32)


def pair_dense(a: np.ndarray, b: np.ndarray, metric: str = "cosine") -> np.ndarray:
    """Row-wise similarity of (p, d) arrays a[i], b[i] under metric; higher = closer."""
    check_metric(metric)
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    if metric == "cosine":
        na = np.linalg.norm(a, axis=-1)
        nb = np.linalg.norm(b, axis=-1)
        return ((a * b).sum(-1) / np.maximum(na * nb, 1e-12)).astype(np.float32)
    if metric == "dot":
        return (a * b).sum(-1).astype(np.float32)
    p = 2 if metric == "euclidean" else 1
    return (1.0 / (1.0 + np.linalg.norm(a - b, ord=p, axis=-1))).astype(np.float32)


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise union of two (m, *) index arrays; duplicates become -1 (padding)."""
    both = np.sort(np.concatenate([a, b], axis=1), axis=1)
    dup = np.zeros(both.shape, dtype=bool)
    dup[:, 1:] = both[:, 1:] == both[:, :-1]
    both[dup] = -1
    return both


def _candidate_dense(queries: np.ndarray, corpus: np.ndarray, cand: np.ndarray,
                     metric: str) -> np.ndarray:
    """(m, C) float32 dense scores of each query against its candidates (-1: 0).

    cosine/dot: one numba pass with float64 sums over row blocks in threads;
    euclidean/manhattan: pair_dense over row blocks.
    """
    out = np.zeros(cand.shape, dtype=np.float32)
    if metric in ("cosine", "dot"):
        from core.search.fusion_kernels import candidate_dots, in_threads

        q, c = (np.ascontiguousarray(x, dtype=np.float32) for x in (queries, corpus))
        qs, cs = (_scale(x, metric) for x in (q, c))
        cand = np.ascontiguousarray(cand, dtype=np.int64)
        in_threads(len(cand), _ROW_BLOCK,
                   lambda s, e: candidate_dots(q[s:e], c, qs[s:e], cs, cand[s:e], out[s:e]))
        return out
    safe = np.where(cand >= 0, cand, 0)
    for s in range(0, len(cand), _ROW_BLOCK):
        q = queries[s:s + _ROW_BLOCK, None, :]
        out[s:s + _ROW_BLOCK] = pair_dense(np.broadcast_to(q, (len(q), cand.shape[1], q.shape[2])),
                                           corpus[safe[s:s + _ROW_BLOCK]], metric)
    return np.where(cand >= 0, out, 0.0).astype(np.float32)


def _scale(x: np.ndarray, metric: str) -> np.ndarray:
    """(n,) float64 per-row factor: 1 / norm for cosine (zero rows: 1e12), 1 for dot."""
    if metric != "cosine":
        return np.ones(len(x))
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    return 1.0 / np.maximum(norms, 1e-12)


# The score of an identical product per channel (dot has none: the query's best is used).
CEILING = {"cosine": 1.0, "euclidean": 1.0, "manhattan": 1.0, "lexical": 1.0}


def _channel_anchors(nb: Neighbors | None, m: int,
                     ceiling: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(top, floor) per query: the channel's ceiling (or the query's best score)
    and the query's DEPTH-th best score."""
    if nb is None or nb.k == 0:
        return np.ones(m, dtype=np.float32), np.zeros(m, dtype=np.float32)
    top = np.full(m, ceiling, dtype=np.float32) if ceiling is not None else nb.scores[:, 0]
    return top.astype(np.float32), nb.scores[:, -1].astype(np.float32)


def hybrid_topk(corpus: np.ndarray, index: LexicalIndex | None, k: int, *, weight: float,
                metric: str = "cosine", queries: np.ndarray | None = None,
                query_texts: Sequence[str] | None = None, depth: int = DEPTH,
                dense_pool: Neighbors | None = None) -> HybridNeighbors:
    """Top-k of every query by the fused score (ties by lower index).

    corpus: (N, d) vectors; index: the corpus' lexical index (needed when
    weight > 0). queries/query_texts: a query set (m, d) and its m texts,
    default the corpus itself (self excluded). dense_pool: a precomputed dense
    top-depth pool (e.g. from an approximate index). Returns HybridNeighbors (m, k).
    """
    if not 0.0 <= weight <= 1.0:
        raise ConfigError(f"hybrid weight must be between 0 and 1, got {weight}")
    if weight > 0 and index is None:
        raise ConfigError("A lexical index is needed when the hybrid weight is above 0")
    self_mode = queries is None
    q = corpus if self_mode else queries
    m = len(q)
    d_nb = l_nb = None
    if weight < 1:
        d_nb = dense_pool if dense_pool is not None else topk(
            corpus, depth, metric=metric, queries=None if self_mode else q,
            exclude_self=self_mode)
    if weight > 0:
        l_nb = lexical_topk(index, depth, queries=None if self_mode else query_texts,
                            exclude_self=self_mode)
    parts = [nb.indices for nb in (d_nb, l_nb) if nb is not None]
    cand = _union(parts[0], parts[-1]) if len(parts) == 2 else parts[0]
    dense = _candidate_dense(q, corpus, cand, metric) if weight < 1 else np.zeros(cand.shape,
                                                                                  np.float32)
    lexical = candidate_scores(index, cand, queries=None if self_mode else query_texts) \
        if weight > 0 else np.zeros(cand.shape, np.float32)
    dt, dfl = _channel_anchors(d_nb, m, CEILING.get(metric))
    lt, lfl = _channel_anchors(l_nb, m, CEILING["lexical"])
    anchors = Anchors(dt, dfl, lt, lfl, np.zeros(m, dtype=np.float32))
    fused = np.where(cand >= 0, fuse(dense, lexical, anchors, weight), -np.inf)
    order = np.lexsort((np.where(cand >= 0, cand, np.iinfo(np.int64).max), -fused), axis=-1)
    k = max(0, min(int(k), int((cand >= 0).sum(1).min()) if m else 0))
    order = order[:, :k]
    pick = (lambda a: np.take_along_axis(a, order, 1))
    scores = pick(fused).astype(np.float32)
    best = scores[:, 0].copy() if k else np.zeros(m, dtype=np.float32)
    anchors = Anchors(dt, dfl, lt, lfl, best)
    return HybridNeighbors(pick(cand), scores, (1.0 - scores).astype(np.float32),
                           f"hybrid({metric})", pick(dense), pick(lexical), anchors, float(weight))


def mix_text(weight: float, meaning: str) -> str:
    """How a fused score is made, for captions: "30% meaning (cosine) + 70% words and
    model numbers". meaning: what the dense side is (metric, model)."""
    return f"{1 - weight:.0%} meaning ({meaning}) + {weight:.0%} words and model numbers"


# What a fused score of 1 and of 0 mean, for captions.
SCALE_TEXT = f"1 = the same text, 0 = the {DEPTH}th-best candidate"


def pair_fused(left: np.ndarray, right: np.ndarray, *, query_vectors: np.ndarray,
               corpus: np.ndarray, index: LexicalIndex | None, anchors: Anchors,
               weight: float, metric: str = "cosine",
               query_texts: Sequence[str] | None = None) -> tuple[np.ndarray, ...]:
    """Fused score of pairs from the left (query) side: (fused, dense, lexical), each (p,).

    anchors: the query set's anchors (rows = left positions).
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    dense = pair_dense(query_vectors[left], corpus[right], metric)
    lexical = pair_scores(index, left, right, queries=query_texts) if index is not None and \
        weight > 0 else np.zeros(len(left), dtype=np.float32)
    return fuse(dense, lexical, anchors.take(left), weight), dense, lexical


def relative(fused: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Fused score as a share of the query's best fused score, in [0, 1]."""
    return np.clip(fused / np.maximum(best, _EPS), 0.0, 1.0).astype(np.float32)


def parse_field_weights(text: str | Mapping[str, float] | None) -> dict[str, float]:
    """"title=1,brand=0.5" -> {"title": 1.0, "brand": 0.5}; empty -> {}."""
    if text is None:
        return {}
    if isinstance(text, Mapping):
        items = list(text.items())
    else:
        items = []
        for part in (p.strip() for p in str(text).split(",")):
            if not part:
                continue
            name, sep, value = part.rpartition("=")
            if not sep or not name.strip():
                raise ConfigError(f"Field weight '{part}' must look like column=weight, "
                                  "e.g. title=1,brand=0.5")
            items.append((name.strip(), value.strip()))
    out: dict[str, float] = {}
    for name, value in items:
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"Field weight for '{name}' must be a number, got {value!r}") \
                from None
        if not np.isfinite(w) or w < 0:
            raise ConfigError(f"Field weight for '{name}' must be 0 or more, got {value!r}")
        out[str(name)] = w
    return out


def format_field_weights(weights: Mapping[str, float]) -> str:
    return ",".join(f"{k}={v:g}" for k, v in weights.items())


def lexical_fields(frame, text_columns: Sequence[str],
                   field_weights: Mapping[str, float]) -> tuple[dict[str, list[str]],
                                                                 dict[str, float]]:
    """({column: texts}, {column: weight}) the lexical index is built from.

    Text columns weigh 1 unless field_weights says otherwise; field_weights may
    add other columns (brand, model number, description); weight 0 drops one.
    """
    weights = {c: 1.0 for c in text_columns}
    weights.update(field_weights)
    missing = [c for c in weights if c not in frame.columns]
    if missing:
        raise ConfigError(f"Field weight column(s) {', '.join(missing)} are not in the catalog; "
                          f"available: {', '.join(map(str, frame.columns))}")
    fields = {c: frame[c].fillna("").astype(str).tolist() for c, w in weights.items() if w > 0}
    if not fields:
        raise ConfigError("Every field weight is 0: give at least one field a weight above 0")
    return fields, {c: weights[c] for c in fields}


def catalog_index(catalog, field_weights: Mapping[str, float] | None = None) -> LexicalIndex:
    """The lexical index of a catalog's text columns under field weights."""
    fields, weights = lexical_fields(catalog.frame, catalog.mapping.text_columns,
                                     field_weights or {})
    return build_index(fields, field_weights=weights)


__all__ = [
    "DEPTH",
    "SCALE_TEXT",
    "Anchors",
    "HybridNeighbors",
    "catalog_index",
    "format_field_weights",
    "fuse",
    "hybrid_topk",
    "lexical_fields",
    "mix_text",
    "pair_dense",
    "pair_fused",
    "parse_field_weights",
    "relative",
    "rescale",
]
