"""The channels of the neighbour index: each scores products its own way.

A channel answers three questions about a corpus (the catalog) and a query set
(the catalog itself when ``queries`` is None, self excluded):

- ``topk(depth, queries)``: each query's best ``depth`` candidates (Neighbors);
- ``candidate_scores(cand, queries)``: (m, C) float32 raw scores of given candidates
  (-1 = padding, scored 0);
- ``pair_scores(left, right, queries)``: (p,) float32 raw scores of pairs;
- ``block(rows, members)``: (r, M) float32 raw scores of catalog rows against
  catalog members (rules refilling short lists from a whole group).

``ceiling`` is the score of an identical product (None when there is none, as
for dot products). :mod:`core.search.fusion` rescales and fuses the channels;
:class:`core.search.index.NeighborIndex` decides once which channels exist.

Adding a channel (an image channel, say) is one class here and one entry in
:data:`core.search.settings.CHANNELS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
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
    """A query set other than the catalog: its vectors (m, d), texts (m) and, for the
    photos channel, image_vectors (m, d') (zero rows: no photo)."""

    vectors: np.ndarray | None = None
    texts: Sequence[str] | None = None
    image_vectors: np.ndarray | None = None

    def __len__(self) -> int:
        for part in (self.vectors, self.texts, self.image_vectors):
            if part is not None:
                return len(part)
        return 0


class Channel(Protocol):
    name: ClassVar[str]

    @property
    def ceiling(self) -> float | None: ...

    def topk(self, depth: int, queries: Queries | None = None) -> Neighbors: ...

    def candidate_scores(self, cand: np.ndarray,
                         queries: Queries | None = None) -> np.ndarray: ...

    def pair_scores(self, left: np.ndarray, right: np.ndarray,
                    queries: Queries | None = None) -> np.ndarray: ...

    def block(self, rows: np.ndarray, members: np.ndarray) -> np.ndarray: ...


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
                    metric: str, *, corpus_scale: np.ndarray | None = None) -> np.ndarray:
    """(m, C) float32 dense scores of each query against its candidates (-1: 0).

    cosine/dot: one numba pass with float64 sums over row blocks in threads;
    euclidean/manhattan: pair_dense over row blocks. corpus_scale: the corpus's
    _scale, when the caller holds it (DenseChannel.corpus_scale): made here, it reads
    the whole corpus on every call, which was most of the time of the many small calls
    that refill short lists under a same rule (24,628 products: 56% of it).
    """
    out = np.zeros(cand.shape, dtype=np.float32)
    if metric in ("cosine", "dot"):
        q, c = (np.ascontiguousarray(x, dtype=np.float32) for x in (queries, corpus))
        qs = _scale(q, metric)
        cs = _scale(c, metric) if corpus_scale is None else corpus_scale
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

    @cached_property
    def corpus_scale(self) -> np.ndarray:
        """(n,) float64 per-row factor of the vectors (channels._scale), made once."""
        return _scale(np.ascontiguousarray(self.vectors, dtype=np.float32), self.metric)

    def candidate_scores(self, cand: np.ndarray, queries: Queries | None = None) -> np.ndarray:
        return candidate_dense(self._queries(queries), self.vectors, cand, self.metric,
                               corpus_scale=self.corpus_scale)

    def pair_scores(self, left: np.ndarray, right: np.ndarray,
                    queries: Queries | None = None) -> np.ndarray:
        return pair_dense(self._queries(queries)[left], self.vectors[right], self.metric)

    def block(self, rows: np.ndarray, members: np.ndarray) -> np.ndarray:
        """(r, M) float32 scores of rows against members (one matrix product or cdist)."""
        a, b = self.vectors[rows].astype(np.float32), self.vectors[members].astype(np.float32)
        if self.metric in ("cosine", "dot"):
            if self.metric == "cosine":
                a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
                b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
            return (a @ b.T).astype(np.float32)
        from scipy.spatial.distance import cdist

        dist = cdist(a, b, "cityblock" if self.metric == "manhattan" else "euclidean")
        return (1.0 / (1.0 + dist)).astype(np.float32)


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

    def block(self, rows: np.ndarray, members: np.ndarray) -> np.ndarray:
        """(r, M) float32 lexical cosines of rows against members (sparse product)."""
        unit = self.index.unit
        return np.asarray((unit[rows] @ unit[members].T).todense(), dtype=np.float32)


@dataclass(frozen=True)
class ImageChannel:
    """vectors: (n, d) float32, L2-normalised where has_image (n,) bool, zeros elsewhere."""

    vectors: np.ndarray
    has_image: np.ndarray
    name: ClassVar[str] = "image"

    @property
    def ceiling(self) -> float | None:
        return 1.0

    def _queries(self, queries: Queries | None) -> tuple[np.ndarray, np.ndarray]:
        if queries is None:
            return self.vectors, self.has_image
        q = getattr(queries, "image_vectors", None)
        if q is None:
            return np.zeros((len(queries), self.vectors.shape[1]), np.float32), \
                np.zeros(len(queries), dtype=bool)
        q = np.asarray(q, dtype=np.float32)
        return q, np.linalg.norm(q, axis=1) > 0

    def topk(self, depth: int, queries: Queries | None = None) -> Neighbors:
        """Each query's best photos among products with a photo. A query without a
        photo gets the first products with one, scored 0 (the fusion ignores them: its
        pairs are NaN here), so that photos-only lists stay full."""
        qv, qh = self._queries(queries)
        rows = np.flatnonzero(self.has_image)
        k = max(0, min(depth, len(rows) - (1 if queries is None else 0)))
        # rows with a photo are overwritten below; the others are not among `rows`
        idx = np.ascontiguousarray(np.tile(rows[:k], (len(qv), 1)), dtype=np.int64)
        scores = np.zeros(idx.shape, dtype=np.float32)
        if k and qh.any():
            nb = topk(self.vectors[rows], k, metric="cosine", exclude_self=queries is None,
                      queries=None if queries is None else qv[qh])
            idx[qh] = rows[nb.indices]
            scores[qh] = nb.scores
        return Neighbors(idx, scores, (1.0 - scores).astype(np.float32), "cosine")

    def candidate_scores(self, cand: np.ndarray, queries: Queries | None = None) -> np.ndarray:
        """(m, C) float32 cosines; NaN where the query or the candidate has no photo."""
        qv, qh = self._queries(queries)
        out = candidate_dense(qv, self.vectors, cand, "cosine")
        blind = ~qh[:, None] | ~self.has_image[np.where(cand >= 0, cand, 0)]
        return np.where((cand >= 0) & blind, np.float32(np.nan), out).astype(np.float32)

    def pair_scores(self, left: np.ndarray, right: np.ndarray,
                    queries: Queries | None = None) -> np.ndarray:
        qv, qh = self._queries(queries)
        out = pair_dense(qv[left], self.vectors[right], "cosine")
        return np.where(qh[left] & self.has_image[right], out, np.float32(np.nan)).astype(
            np.float32)


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


__all__ = ["DENSE_CEILING", "Channel", "DenseChannel", "ImageChannel", "LexicalChannel", "Queries",
           "candidate_dense", "catalog_index", "lexical_fields", "pair_dense"]
