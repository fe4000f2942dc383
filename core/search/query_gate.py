"""How related a free-text search query is to a product, for the score it is shown.

A query's fused score is anchored at its own best candidates (the channels read 1 at
the query's best), so without a measure of how related the two really are the best
products for "garden hose" in an electronics shop would read as close as a usb cable
for "usb". Product pairs are gated by their meaning score alone
(:func:`core.search.evidence_weights.relatedness`); a query cannot be: a one- or two-word
query's meaning scores run lower than two product titles' ("usb" to a usb cable
0.37-0.48, where random product pairs reach 0.50 at p99). A query is related to a
product when the product has the query's words (:func:`coverage`: the share of the
query's words, weighted by how rare each is in the catalog, that the product has), or
when their meaning scores say so; the larger of the two counts.

Which random pairs the meaning is read against, by model:

- the bundled model: its calibration's random pairs of a reference catalog (walmart
  titles), QUERY_SHARES; measured by ``bench/search_quality.py`` (category names as
  queries of the amazon catalog of walmart-amazon, and queries for things the catalogs
  do not sell).
- every other model (the multilingual model, the Chinese default, and fine-tuned
  models: their calibration has no reference random pairs): the catalog's own random
  pairs, OWN_QUERY_SHARES, from MIN_FLOOR_ROWS (1,000) products on; a smaller catalog
  is not gated. Chosen by ``bench/search_quality.py --chinese`` on zh-dev's search
  queries and Chinese queries for things a Taobao catalog does not sell; words alone,
  and the multilingual model's random pairs of the (English) demo catalog, failed
  there (figures in that bench's docstring). A fine-tuned model scores short queries
  above its own random pairs' p99 against any product sharing a word, so for it the
  gate changed nothing measured.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from core.search.lexical import LexicalIndex

# Word coverage at which a query counts as unrelated (0) and as fully related (1),
# linear between: a product with every word of the query, or all but a common one.
COVERAGE = (0.5, 0.9)
# Shares of random pairs of products whose meaning score a query must pass to count as
# related (0 below the first, 1 from the second on). The lists' gate starts lower
# (RELATED_SHARES, 0.9): an off-topic query's best products reach the 90-97% levels
# (0.30-0.45 for the bundled model) while a query's own category starts near the 99%.
QUERY_SHARES = (0.95, 0.99)
# The same for a model without a reference catalog, against the catalog's own random
# pairs (NeighborIndex.relevance_threshold), lower: a shop's own products are more alike
# than a broad reference catalog's (the multilingual model's random pairs crowd into
# 0.86-0.91), and at (0.95, 0.99) 41 of zh-dev's 167 served queries read as unrelated.
OWN_QUERY_SHARES = (0.7, 0.9)


def _query_weights(index: LexicalIndex, texts: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """((m, V) idf of each query's distinct known words, (m,) idf sum of all its words).

    A word the catalog does not have counts with the highest idf (a word in no product),
    so "dog food" is half covered by "pvc food wrap", not wholly."""
    n = len(index)
    unseen = float(np.log1p((n + 0.5) / 0.5))
    rows, cols, data = [], [], []
    total = np.zeros(len(texts), dtype=np.float32)
    for r, text in enumerate(texts):
        for tok in dict.fromkeys(index.tokenizer(text)):
            c = index.vocab.get(tok)
            w = unseen if c is None else float(index.idf[c])
            total[r] += w
            if c is not None:
                rows.append(r)
                cols.append(c)
                data.append(w)
    q = sp.csr_matrix((np.asarray(data, dtype=np.float32), (rows, cols)),
                      shape=(len(texts), len(index.vocab)), dtype=np.float32)
    return q, total


def coverage(index: LexicalIndex, texts: Sequence[str], rows: np.ndarray,
             cols: np.ndarray) -> np.ndarray:
    """(p,) float32 in [0, 1]: the share of query texts[rows[i]]'s words (idf-weighted)
    that product cols[i] has; NaN for a query with no words (only punctuation)."""
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float32)
    q, total = _query_weights(index, texts)
    has = index.weights[cols]
    has.data = np.ones_like(has.data)
    got = np.asarray(q[rows].multiply(has).sum(axis=1), dtype=np.float32).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total[rows] > 0, got / total[rows], np.nan)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def query_relatedness(meaning_related: np.ndarray | None,
                      covered: np.ndarray | None) -> np.ndarray | None:
    """(p,) in [0, 1]: the larger of the meaning's relatedness and the words' coverage
    ramp (COVERAGE); None (not gated) when either is unknown: words alone would lose a
    query phrased unlike the product it asks for, meaning alone a short query."""
    if meaning_related is None or covered is None:
        return None
    lo, hi = COVERAGE
    words = np.clip((np.nan_to_num(covered, nan=0.0) - lo) / (hi - lo), 0.0, 1.0)
    return np.maximum(meaning_related, words).astype(np.float32)


__all__ = ["COVERAGE", "OWN_QUERY_SHARES", "QUERY_SHARES", "coverage", "query_relatedness"]
