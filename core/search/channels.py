"""The channels of the neighbour index: each scores products its own way.

A channel answers three questions about a corpus (the catalog) and a query set
(the catalog itself when ``queries`` is None, self excluded):

- ``topk(depth, queries)``: each query's best ``depth`` candidates (Neighbors);
- ``candidate_scores(cand, queries)``: (m, C) float32 raw scores of given candidates
  (-1 = padding, scored 0);
- ``pair_scores(left, right, queries)``: (p,) float32 raw scores of pairs.

``ceiling`` is the score of an identical product (None when there is none, as
for dot products). :mod:`core.search.fusion` rescales and fuses the channels;
:class:`core.search.index.NeighborIndex` decides once which channels exist.

Adding a channel (an image channel, say) is one class here and one entry in
:data:`core.search.index.CHANNELS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from core.catalog.limits import current_limits
from core.errors import ConfigError, short_list
from core.search import lexical as lx
from core.search.exact import topk
from core.search.fusion_kernels import candidate_dots, in_threads
from core.search.neighbors import Neighbors, check_metric

_ROW_BLOCK = 256


@dataclass(frozen=True)
class Queries:
    """A query set other than the catalog: its vectors (m, d) and texts (m)."""

    vectors: np.ndarray | None = None
    texts: Sequence[str] | None = None

    def __len__(self) -> int:
        return len(self.vectors) if self.vectors is not None else len(self.texts or ())


class Channel(Protocol):
    name: ClassVar[str]

    @property
    def ceiling(self) -> float | None: ...

    def topk(self, depth: int, queries: Queries | None = None) -> Neighbors: ...

    def candidate_scores(self, cand: np.ndarray,
                         queries: Queries | None = None) -> np.ndarray: ...

    def pair_scores(self, left: np.ndarray, right: np.ndarray,
                    queries: Queries | None = None) -> np.ndarray: ...


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


def _scale(x: np.ndarray, metric: str) -> np.ndarray:
    """(n,) float64 per-row factor: 1 / norm for cosine (zero rows: 1e12), 1 for dot."""
    if metric != "cosine":
        return np.ones(len(x))
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    return 1.0 / np.maximum(norms, 1e-12)


def candidate_dense(queries: np.ndarray, corpus: np.ndarray, cand: np.ndarray,
                    metric: str) -> np.ndarray:
    """(m, C) float32 dense scores of each query against its candidates (-1: 0).

    cosine/dot: one numba pass with float64 sums over row blocks in threads;
    euclidean/manhattan: pair_dense over row blocks.
    """
    out = np.zeros(cand.shape, dtype=np.float32)
    if metric in ("cosine", "dot"):
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


# The score of an identical product under each dense metric (dot has none).
DENSE_CEILING = {"cosine": 1.0, "euclidean": 1.0, "manhattan": 1.0}


@dataclass(frozen=True)
class DenseChannel:
    """The meaning of the text: embedding vectors (n, d) float32 under a metric."""

    vectors: np.ndarray
    metric: str = "cosine"
    name: ClassVar[str] = "dense"

    @property
    def ceiling(self) -> float | None:
        return DENSE_CEILING.get(self.metric)

    def _queries(self, queries: Queries | None) -> np.ndarray:
        if queries is None:
            return self.vectors
        if queries.vectors is None:
            raise ConfigError("The meaning channel needs the queries' vectors")
        return queries.vectors

    def topk(self, depth: int, queries: Queries | None = None) -> Neighbors:
        """Exact top-depth (int8 tiles above their size, re-ranked in fp32)."""
        return topk(self.vectors, depth, metric=self.metric,
                    queries=None if queries is None else self._queries(queries),
                    exclude_self=queries is None)

    def candidate_scores(self, cand: np.ndarray, queries: Queries | None = None) -> np.ndarray:
        return candidate_dense(self._queries(queries), self.vectors, cand, self.metric)

    def pair_scores(self, left: np.ndarray, right: np.ndarray,
                    queries: Queries | None = None) -> np.ndarray:
        return pair_dense(self._queries(queries)[left], self.vectors[right], self.metric)


@dataclass(frozen=True)
class LexicalChannel:
    """Words and model numbers: the BM25 index of :mod:`core.search.lexical` (cosine)."""

    index: lx.LexicalIndex
    name: ClassVar[str] = "lexical"

    @property
    def ceiling(self) -> float | None:
        return 1.0

    @staticmethod
    def _texts(queries: Queries | None) -> Sequence[str] | None:
        if queries is None:
            return None
        if queries.texts is None:
            raise ConfigError("The words channel needs the queries' texts")
        return list(queries.texts)

    def topk(self, depth: int, queries: Queries | None = None) -> Neighbors:
        return lx.lexical_topk(self.index, depth, queries=self._texts(queries),
                               exclude_self=queries is None)

    def candidate_scores(self, cand: np.ndarray, queries: Queries | None = None) -> np.ndarray:
        return lx.candidate_scores(self.index, cand, queries=self._texts(queries))

    def pair_scores(self, left: np.ndarray, right: np.ndarray,
                    queries: Queries | None = None) -> np.ndarray:
        return lx.pair_scores(self.index, left, right, queries=self._texts(queries))


def lexical_fields(frame, text_columns: Sequence[str],
                   field_weights: Mapping[str, float]) -> tuple[dict[str, list[str]],
                                                                dict[str, float]]:
    """({column: texts}, {column: weight}) the lexical index is built from.

    Text columns weigh 1 unless field_weights says otherwise; field_weights may
    add other columns (brand, model number, description); weight 0 drops one.
    """
    weights = dict.fromkeys(text_columns, 1.0)
    weights.update(field_weights)
    missing = [c for c in weights if c not in frame.columns]
    if missing:
        raise ConfigError(f"Field weight column(s) {short_list(missing)} are not in the catalog; "
                          f"available: {short_list(frame.columns)}")
    limit = current_limits().max_text_chars  # the word index reads what the model reads
    fields = {c: [v[:limit] for v in frame[c].fillna("").astype(str)]
              for c, w in weights.items() if w > 0}
    if not fields:
        raise ConfigError("Every field weight is 0: give at least one field a weight above 0")
    return fields, {c: weights[c] for c in fields}


def catalog_index(catalog, field_weights: Mapping[str, float] | None = None) -> lx.LexicalIndex:
    """The lexical index of a catalog's text columns under field weights."""
    fields, weights = lexical_fields(catalog.frame, catalog.mapping.text_columns,
                                     field_weights or {})
    return lx.build_index(fields, field_weights=weights)


__all__ = ["DENSE_CEILING", "Channel", "DenseChannel", "LexicalChannel", "Queries",
           "candidate_dense", "catalog_index", "lexical_fields", "pair_dense"]
