"""Product groups over the embeddings, and duplicate groups with a merge map.

Groups: clusters of the L2-normalised vectors, by HDBSCAN (density; products
in no dense region are left ungrouped, label -1) or agglomerative (Ward
linkage restricted to the 10-NN graph, core.lists.ward; every product in a group).
``DEFAULT_METHOD`` was chosen by measurement (bench/list_health.py --groups,
walmart.csv, MiniLM): both agree about as well with the retailer's 63
categories (NMI 0.52 vs 0.53-0.55), but HDBSCAN on raw embeddings leaves 58-79 %
of products ungrouped and took ~10x longer (over all pairs, before it used each
product's nearest only), so agglomerative is the default.
Each group is named by its most distinctive words (c-TF-IDF:
term frequency in the group x log(1 + mean words per group / term frequency
over all groups)).

Duplicate groups (core.lists.duplicates): each a product kept and pool pairs of it
scoring at or above the duplicate threshold, with a merge map ``product_id,
canonical_id, score`` for every other member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import CatalogSimilarityError
from core.lists.duplicates import (
    DuplicateGroups,
    DuplicateScorer,
    duplicate_groups,
    duplicate_table,
    merge_map,
)
from core.search.exact import distinct_rows, topk
from core.search.lexical import CJK_RUN
from core.search.neighbors import Neighbors

METHODS = ("hdbscan", "agglomerative")
DEFAULT_METHOD = "agglomerative"
DEFAULT_SIZE = 20  # the typical size when none is given and none can be chosen (under 6 products)
# Typical group sizes the automatic choice (suggested_size) tries, and its bounds: at most
# MAX_GROUPS_PER_ROOT x sqrt(n) groups (more is a list nobody browses, and the silhouette
# alone drifts to the smallest groups on large catalogs), silhouette on at most
# SILHOUETTE_SAMPLE products.
SIZE_GRID = (3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30, 40, 50, 65, 80, 100, 130, 160, 200)
MAX_GROUPS_PER_ROOT = 2.0
SILHOUETTE_SAMPLE = 2000
LABEL_WORDS = 3
# Ward merges only products among each other's GRAPH_K nearest (10: the same agreement with
# walmart's categories as 15, NMI 0.533 vs 0.532, in 60 % of the time)
GRAPH_K = 10
HDBSCAN_K = 50  # the pool's depth


@dataclass(frozen=True)
class Groups:
    """labels: (n,) int64 group per product (-1 = ungrouped); names: group -> label text;
    size: the typical group size they were made with; chosen: whether it was chosen for
    this catalog (suggested_size) rather than given."""

    labels: np.ndarray
    names: dict[int, str]
    method: str
    size: int = DEFAULT_SIZE
    chosen: bool = False

    @property
    def n_groups(self) -> int:
        return len(self.names)

    @property
    def grouped_share(self) -> float:
        return float((self.labels >= 0).mean()) if len(self.labels) else 0.0

    def table(self) -> pd.DataFrame:
        """group, label, size, sorted by size (largest first)."""
        sizes = np.bincount(self.labels[self.labels >= 0], minlength=self.n_groups)
        frame = pd.DataFrame({"group": list(self.names), "label": list(self.names.values()),
                              "size": [int(sizes[g]) for g in self.names]})
        return frame.sort_values(["size", "group"], ascending=[False, True], ignore_index=True)


def _unit(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def cluster_labels(vectors: np.ndarray, *, method: str = DEFAULT_METHOD,
                   size: int | None = DEFAULT_SIZE,
                   neighbors: Neighbors | None = None) -> np.ndarray:
    """(n,) int64 cluster per row, -1 = ungrouped, groups numbered by size (0 = largest).

    size: the typical group size: HDBSCAN's min_cluster_size; agglomerative
    makes n // size groups (Ward linkage on unit vectors, restricted to the
    GRAPH_K-NN graph of ``neighbors``, computed when None, so memory stays O(n k)).
    None: chosen for these vectors (suggested_size).
    """
    return _clusters(vectors, method, size, neighbors)[0]


def _clusters(vectors: np.ndarray, method: str, size: int | None,
              neighbors: Neighbors | None) -> tuple[np.ndarray, int]:
    """(cluster_labels, the typical size used)."""
    if method not in METHODS:
        raise CatalogSimilarityError(f"method must be one of {', '.join(METHODS)}")
    if size is None:
        size, labels = _suggested(vectors, neighbors)
        if method == "agglomerative" and labels is not None:
            return _renumber(labels), size
    n = len(vectors)
    size = max(2, int(size))
    if n < 2 * size:
        return (np.zeros(n, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)), size
    unit = _unit(vectors)
    distinct = distinct_rows(unit)
    if distinct < 2:  # every product the same: one group, never cut in arbitrary pieces
        return np.zeros(n, dtype=np.int64), size
    if method == "hdbscan":
        raw = _hdbscan(unit, size, neighbors)
    else:  # copies of one text stay together: no more groups than distinct vectors
        raw = _agglomerative(unit, [_count(n, size, distinct)], neighbors)[0]
    return _renumber(raw), size


def _count(n: int, size: int, distinct: int) -> int:
    return max(2, min(n // size, distinct))


def _agglomerative(unit: np.ndarray, counts: list[int],
                   neighbors: Neighbors | None) -> list[np.ndarray]:
    """Ward on the GRAPH_K-NN graph (graph_ward: mutual cheapest merges in rounds), one
    labelling per number of groups in counts (one run of merges)."""
    from core.lists.ward import graph_ward_levels

    nb = neighbors if neighbors is not None else topk(unit, GRAPH_K)
    idx = nb.indices[:, :GRAPH_K]
    rows = np.repeat(np.arange(len(unit)), idx.shape[1])
    ok = idx.reshape(-1) >= 0
    levels = graph_ward_levels(unit, counts, rows[ok], idx.reshape(-1)[ok])
    return [levels[max(int(c), 1)] for c in counts]


def suggested_size(vectors: np.ndarray, neighbors: Neighbors | None = None) -> int:
    """The typical group size that suits these vectors: of the sizes in SIZE_GRID that make
    2 to MAX_GROUPS_PER_ROOT x sqrt(n) groups, the one whose Ward groups separate best
    (mean silhouette, cosine, on a fixed sample of SILHOUETTE_SAMPLE products; a tie goes to
    the larger groups). A fixed 20 made 2 groups of a 59-product grocery shop with 10
    categories and 1,231 of 24,628 products; measured against the shops' own categories
    (adjusted mutual information, bench/group_size.py) this choice agrees better on
    catalogs of 30 to 5,000 products in English and Chinese. DEFAULT_SIZE when there is
    nothing to choose from (under 6 products, or one distinct text)."""
    return _suggested(vectors, neighbors)[0]


def _suggested(vectors: np.ndarray,
               neighbors: Neighbors | None) -> tuple[int, np.ndarray | None]:
    """(suggested size, its Ward labels before renumbering, or None when not made)."""
    n = len(vectors)
    if n < 6:
        return DEFAULT_SIZE, None
    unit = _unit(vectors)
    distinct = distinct_rows(unit)
    if distinct < 2:
        return DEFAULT_SIZE, None
    most = max(2.0, MAX_GROUPS_PER_ROOT * np.sqrt(n))
    sizes, counts = [], []
    for s in SIZE_GRID:
        c = _count(n, s, distinct)
        if n >= 2 * s and c <= most and c not in counts:
            sizes.append(s)
            counts.append(c)
    if not sizes:  # even the largest size makes too many groups: the size that makes `most`
        return int(np.ceil(n / most)), None
    levels = _agglomerative(unit, counts, neighbors)
    if len(sizes) == 1:
        return sizes[0], levels[0]
    sample = np.random.default_rng(0).permutation(n)[:SILHOUETTE_SAMPLE]
    part = unit[sample]
    dist = np.clip(1.0 - part @ part.T, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    scores = [_silhouette(dist, lab[sample]) for lab in levels]
    best = max(range(len(sizes)), key=lambda i: (round(scores[i], 6), sizes[i]))
    return sizes[best], levels[best]


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a labelling from its (m, m) distances; -1 when it has one group
    or every product on its own in the sample."""
    from sklearn.metrics import silhouette_score

    k = len(np.unique(labels))
    if k < 2 or k >= len(labels):
        return -1.0
    return float(silhouette_score(dist, labels, metric="precomputed"))


def _hdbscan(unit: np.ndarray, size: int, neighbors: Neighbors | None) -> np.ndarray:
    """HDBSCAN (min_cluster_size = size) on the euclidean distances of each product to its
    HDBSCAN_K (at least size) nearest, not all pairs: on 5,000 products 42.9 s -> 2.2 s, the
    same groups (ARI 0.97 with all pairs); 24,628 products 3.1 s (all pairs grow with the
    square: some 18 minutes). Parts of the graph that do not touch are joined at the
    largest distance (2: opposite vectors). bench/perf_groups.py"""
    import warnings

    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.cluster import HDBSCAN

    n, k = len(unit), max(size, HDBSCAN_K)
    dist = None if neighbors is None else _distances(unit, neighbors.indices[:, :k])
    if dist is None or np.diff(dist.indptr).min() < size:  # each needs size neighbours
        dist = _distances(unit, topk(unit, k).indices)
    parts, part = connected_components(dist, directed=False)
    if parts > 1:
        first = np.unique(part, return_index=True)[1]
        bridge = csr_matrix((np.full(parts - 1, 2.0), (first[:-1], first[1:])), shape=(n, n))
        dist = dist.maximum(bridge).maximum(bridge.T).tocsr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return HDBSCAN(min_cluster_size=size, metric="precomputed",
                       copy=False).fit_predict(dist)  # dist is ours to overwrite


def _distances(unit: np.ndarray, idx: np.ndarray):
    """(n, n) CSR euclidean distances of the pairs (row, idx[row]) both ways; 1e-9 added
    (a stored 0 reads as no pair)."""
    from scipy.sparse import csr_matrix

    n = len(unit)
    cos = np.empty(idx.shape, dtype=np.float32)
    for s in range(0, n, 1024):  # (1024, k, d) at a time, not every pair at once
        cos[s:s + 1024] = np.einsum("id,ikd->ik", unit[s:s + 1024], unit[idx[s:s + 1024]])
    rows = np.repeat(np.arange(n), idx.shape[1])
    cols = idx.reshape(-1)
    ok = (cols >= 0) & (cols != rows)
    rows, cols, cos = rows[ok], cols[ok], cos.reshape(-1)[ok]
    dist = csr_matrix((np.sqrt(np.maximum(2.0 - 2.0 * cos, 0.0)) + 1e-9, (rows, cols)),
                      shape=(n, n))
    return dist.maximum(dist.T).tocsr()


def _renumber(raw: np.ndarray) -> np.ndarray:
    """Groups numbered 0.. by decreasing size (ties by first row); -1 kept."""
    raw = np.asarray(raw, dtype=np.int64)
    out = np.full(len(raw), -1, dtype=np.int64)
    grouped = raw >= 0
    if not grouped.any():
        return out
    keys, first, inverse, sizes = np.unique(raw[grouped], return_index=True,
                                            return_inverse=True, return_counts=True)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.lexsort((first, -sizes))] = np.arange(len(keys))
    out[grouped] = rank[inverse]
    return out


def ctfidf_labels(texts: list[str], labels: np.ndarray, *,
                  words: int = LABEL_WORDS) -> dict[int, str]:
    """group -> its most distinctive words joined by ", " (c-TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    groups = sorted(int(g) for g in np.unique(labels) if g >= 0)
    if not groups:
        return {}
    docs = _group_docs(texts, labels, groups)
    vectorizer = CountVectorizer(analyzer=_label_terms)
    try:
        counts = vectorizer.fit_transform(docs).tocsr().astype(np.float64)
    except ValueError:  # empty vocabulary: texts without words
        return {g: f"group {g}" for g in groups}
    counts.sort_indices()
    vocab = vectorizer.get_feature_names_out()
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    avg = counts.sum() / len(groups)
    idf = np.log1p(avg / np.maximum(np.asarray(counts.sum(axis=0)).ravel(), 1.0))
    out = {}
    # each group's own words only (sparse): 1,231 groups of 24,628 products, 2.1 s dense
    for row, g in enumerate(groups):  # -> 0.6 s
        cols = counts.indices[counts.indptr[row]:counts.indptr[row + 1]]
        got = counts.data[counts.indptr[row]:counts.indptr[row + 1]]
        scores = got / max(row_sums[row], 1.0) * idf[cols]
        best: list[str] = []
        for j in np.argsort(-scores, kind="stable"):
            if len(best) == words or scores[j] <= 0:
                break
            term = vocab[cols[j]]
            if CJK_RUN.fullmatch(term):
                if got[j] < 2:  # a pair seen once is as likely two words' seam
                    continue
                term = _whole_phrase(term, docs[row].lower())
            if not _overlaps(term, best):
                best.append(term)
        out[g] = ", ".join(best) or f"group {g}"
    return out


def _group_docs(texts: list[str], labels: np.ndarray, groups: list[int]) -> list[str]:
    """One document per group: its members' texts joined by spaces."""
    order = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[order], groups)
    ends = np.searchsorted(labels[order], groups, side="right")
    return [" ".join(texts[i] for i in order[s:e]) for s, e in zip(starts, ends)]


_LABEL_WORD = re.compile(r"(?u)\b[^\W\d_][\w\-]+\b")
# Units name no group: a grocery shop's drinks and pasta were "ml, coca-cola, bottle" and
# "kg, barilla, coffee" (every size is written with its unit).
UNIT_WORDS = frozenset((
    "ml", "cl", "dl", "kg", "mg", "lb", "lbs", "oz", "fl", "cm", "mm", "ft", "inch", "inches",
    "gb", "tb", "mb", "kb", "mah", "mhz", "ghz", "hz", "kw", "kwh", "pcs", "pc", "pk", "ct",
    "qt", "gal", "ltr", "litre", "liter", "litres", "liters"))


def _label_terms(doc: str) -> list[str]:
    """Words a group may be named by: English-like words of two or more characters (not
    stop words or units), and the character pairs of Chinese text, which has no spaces (a whole
    unspaced title was one "word", so Chinese groups were named by whole titles)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    low = doc.lower()
    terms = [w for w in _LABEL_WORD.findall(CJK_RUN.sub(" ", low))
             if w not in ENGLISH_STOP_WORDS and w not in UNIT_WORDS]
    for run in CJK_RUN.findall(low):
        terms += [run[i:i + 2] for i in range(len(run) - 1)]
    return terms


def _whole_phrase(pair: str, doc: str, longest: int = 6) -> str:
    """A Chinese character pair grown into the phrase it always stands in within the
    group ("保温" -> "保温杯" when every "保温" is followed by "杯"), up to ``longest``."""
    phrase = pair
    while len(phrase) < longest:
        grown = _grow(phrase, doc)
        if grown is None:
            return phrase
        phrase = grown
    return phrase


def _grow(phrase: str, doc: str) -> str | None:
    starts = [m.start() for m in re.finditer(re.escape(phrase), doc)]
    after = {doc[i + len(phrase):i + len(phrase) + 1] for i in starts}
    if len(after) == 1 and CJK_RUN.fullmatch(next(iter(after))):
        return phrase + after.pop()
    before = {doc[i - 1:i] if i else "" for i in starts}
    if len(before) == 1 and CJK_RUN.fullmatch(next(iter(before))):
        return before.pop() + phrase
    return None


def _overlaps(term: str, chosen: list[str]) -> bool:
    """A Chinese pair sharing a character with a chosen one ("温杯" after "保温") adds nothing."""
    return bool(CJK_RUN.fullmatch(term)) and any(set(term) & set(c) for c in chosen
                                                 if CJK_RUN.fullmatch(c))


def product_groups(vectors: np.ndarray, texts: list[str], *, method: str = DEFAULT_METHOD,
                   size: int | None = None,
                   neighbors: Neighbors | None = None) -> Groups:
    """Cluster and label: Groups(labels, names, method, size, chosen); size None = the
    size suggested for these vectors (suggested_size)."""
    labels, used = _clusters(vectors, method, size, neighbors)
    return Groups(labels, ctfidf_labels(texts, labels), method, used, size is None)


__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "DuplicateGroups",
    "DuplicateScorer",
    "Groups",
    "cluster_labels",
    "ctfidf_labels",
    "duplicate_groups",
    "duplicate_table",
    "merge_map",
    "product_groups",
    "suggested_size",
]
