"""Lexical index: a product-aware tokenizer and BM25 weights in a sparse matrix.

The tokenizer keeps model numbers and sizes whole and also indexes their
alphanumeric parts: "KDL-40V4100" gives "kdl40v4100" (joined, so "KDL40V4100"
meets it), "kdl" and "40v4100"; "DDW1805WH" also gives its stem "ddw1805"
(colour/region suffixes dropped, so "DDW1805W" meets it); "32GB" gives "32gb",
"32" and "gb". CJK text becomes single characters plus character bigrams, so a
Chinese catalog gets real lexical matches without a word segmenter (on zh-dev
this beat bigrams alone, jieba words, and bigrams + jieba words: short queries
and misspelt characters still meet; bench/chinese_quality.py --tokenizers).
Traditional characters are read as their simplified forms (:mod:`core.search.hant_hans`),
so "話筒" meets "话筒".
Latin brand names and model numbers inside Chinese titles ("Sansui/山水U3")
are split from the Chinese and tokenized like English ones.

:class:`LexicalIndex` holds BM25 term weights (idf x saturated tf) of every
document as a CSR matrix (n_docs, vocabulary), and the same rows L2-normalised.
The lexical score used by the hybrid pipeline is the cosine of two texts'
BM25-weighted term vectors: in [0, 1], symmetric, and a sum of per-token
contributions (which :mod:`core.quality.explain` shows). Classic Okapi BM25 of a query
against documents is available too (``score="bm25"``).

Top-k walks the postings of each query's tokens (numba, core.search.fusion_kernels):
memory O(queries x k + threads x N), never N x N nor block x N.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from core.search.fusion_kernels import in_threads, sparse_topk_rows
from core.search.hant_hans import TO_SIMPLIFIED
from core.search.neighbors import Neighbors

K1 = 1.2
B = 0.75
SCORES = ("cosine", "bm25")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CHUNK_RE = re.compile(rf"[{_CJK}]+|[^\s{_CJK},;|()\[\]{{}}<>\"'!?*:]+")
_CJK_RE = re.compile(rf"^[{_CJK}]+$")
CJK_RUN = re.compile(rf"[{_CJK}]+")  # a run of Chinese, Japanese or Korean characters
_PART_RE = re.compile(r"[^\W_]+")
_SIZE_RE = re.compile(r"^\d+(?:\.\d+)?[^\W\d_]*$")
_RUN_RE = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_TRAIL_RE = re.compile(r"[^\W\d_]+$")
_EDGE = "-/._+#&~`^=@$%"
_PAIR_BLOCK = 200_000
_TOPK_ROWS = 512


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]


def cjk_tokens(run: str) -> list[str]:
    """A run of CJK characters -> its characters, then its character bigrams."""
    return list(run) + _bigrams(run) if len(run) > 1 else [run]


def _stem(token: str) -> list[str]:
    """A model number without its trailing letters ("ddw1805wh" -> "ddw1805")."""
    if len(token) < 5 or not token[-1].isalpha() or not any(c.isdigit() for c in token):
        return []
    stem = _TRAIL_RE.sub("", token)
    return [stem] if len(stem) >= 4 and any(c.isalpha() for c in stem) else []


def _runs(token: str) -> list[str]:
    """Letter and digit runs of a mixed token ("32gb" -> "32", "gb")."""
    runs = _RUN_RE.findall(token)
    return runs if len(runs) > 1 else []


def _chunk_tokens(chunk: str) -> list[str]:
    """Tokens of one chunk (lower-cased text between spaces and punctuation)."""
    chunk = chunk.strip(_EDGE)
    if _SIZE_RE.match(chunk):
        out = [chunk, *_runs(chunk)]
    else:
        parts = _PART_RE.findall(chunk)
        if not parts:
            return []
        whole = "".join(parts)
        extra = _runs(whole) if len(parts) == 1 else parts
        out = [whole, *extra, *_stem(whole)]
    return list(dict.fromkeys(out))


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens: words, whole model numbers and their parts, CJK characters
    and bigrams (traditional characters as their simplified forms).

    >>> tokenize('Sony KDL-40V4100 40" LCD')
    ['sony', 'kdl40v4100', 'kdl', '40v4100', '40', 'lcd']
    """
    text = unicodedata.normalize("NFKC", str(text)).lower().translate(TO_SIMPLIFIED)
    out: list[str] = []
    for chunk in _CHUNK_RE.findall(text):
        out.extend(cjk_tokens(chunk) if _CJK_RE.match(chunk) else _chunk_tokens(chunk))
    return out


@dataclass(frozen=True)
class LexicalIndex:
    """BM25 statistics and weights of a corpus.

    weights: (n_docs, V) CSR float32, BM25 term weight of each document.
    unit: the same rows L2-normalised (lexical cosine = unit @ unit.T).
    vocab: token -> column; idf: (V,) float32; avgdl: mean weighted length.
    """

    weights: sp.csr_matrix
    unit: sp.csr_matrix
    vocab: dict[str, int]
    idf: np.ndarray
    avgdl: float
    k1: float = K1
    b: float = B
    tokenizer: Callable[[str], list[str]] = tokenize

    def __len__(self) -> int:
        return int(self.weights.shape[0])

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """(len(texts), V) CSR float32 counts of in-vocabulary tokens."""
        return _counts([self.tokenizer(t) for t in texts], self.vocab)

    def unit_vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        """(m, V) L2-normalised BM25 vectors of new texts under this corpus' statistics."""
        return _normalise(self.bm25_weights(self.counts(texts)))

    def bm25_weights(self, tf: sp.csr_matrix) -> sp.csr_matrix:
        return _bm25_weights(tf, self.idf, self.avgdl, self.k1, self.b)

    def inverse_vocab(self) -> list[str]:
        out = [""] * len(self.vocab)
        for tok, col in self.vocab.items():
            out[col] = tok
        return out


def _counts(token_lists: Sequence[Sequence[str]], vocab: Mapping[str, int],
            weights: Sequence[float] | None = None) -> sp.csr_matrix:
    rows, cols, data = [], [], []
    for r, tokens in enumerate(token_lists):
        w = 1.0 if weights is None else float(weights[r])
        for tok in tokens:
            c = vocab.get(tok)
            if c is not None:
                rows.append(r)
                cols.append(c)
                data.append(w)
    m = sp.csr_matrix((np.asarray(data, dtype=np.float32), (rows, cols)),
                      shape=(len(token_lists), len(vocab)), dtype=np.float32)
    m.sum_duplicates()
    return m


def _bm25_weights(tf: sp.csr_matrix, idf: np.ndarray, avgdl: float, k1: float,
                  b: float) -> sp.csr_matrix:
    tf = tf.tocsr().astype(np.float32)
    dl = np.asarray(tf.sum(axis=1)).ravel()
    norm = k1 * (1.0 - b + b * dl / max(avgdl, 1e-9))
    row_norm = np.repeat(norm, np.diff(tf.indptr)).astype(np.float32)
    out = tf.copy()
    out.data = (tf.data * (k1 + 1.0) / (tf.data + row_norm)) * idf[tf.indices]
    return out


def _normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    scale = sp.diags((1.0 / np.maximum(norms, 1e-12)).astype(np.float32))
    return (scale @ m).tocsr().astype(np.float32)


def build_index(texts: Sequence[str] | Mapping[str, Sequence[str]], *,
                field_weights: Mapping[str, float] | None = None,
                k1: float = K1, b: float = B,
                tokenizer: Callable[[str], list[str]] = tokenize) -> LexicalIndex:
    """BM25 index (Lucene idf: log(1 + (N - df + .5) / (df + .5))).

    texts: one text per document, or {field: texts} for several fields; a
    field's tokens count field_weights[field] times (default 1, 0 drops it).
    """
    fields = {"text": list(texts)} if not isinstance(texts, Mapping) else \
        {f: list(v) for f, v in texts.items()}
    weights = {f: float((field_weights or {}).get(f, 1.0)) for f in fields}
    fields = {f: v for f, v in fields.items() if weights[f] > 0}
    n = len(next(iter(fields.values()))) if fields else 0
    tokens = {f: [tokenizer(t) for t in v] for f, v in fields.items()}
    vocab: dict[str, int] = {}
    for lists in tokens.values():
        for toks in lists:
            for tok in toks:
                vocab.setdefault(tok, len(vocab))
    tf = sp.csr_matrix((n, len(vocab)), dtype=np.float32)
    for f, lists in tokens.items():
        tf = tf + _counts(lists, vocab, [weights[f]] * n)
    df = np.bincount(tf.tocsr().indices, minlength=len(vocab)).astype(np.float64)
    idf = np.log1p((max(n, 1) - df + 0.5) / (df + 0.5)).astype(np.float32)
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    avgdl = float(lengths.mean()) if n else 0.0
    w = _bm25_weights(tf.tocsr(), idf, avgdl, k1, b)
    return LexicalIndex(w, _normalise(w), vocab, idf, avgdl, k1, b, tokenizer)


def _sides(index: LexicalIndex, queries: Sequence[str] | None,
           score: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(query matrix, corpus matrix) whose product gives the scores."""
    if score not in SCORES:
        raise ValueError(f"Unknown lexical score '{score}'; choose one of {', '.join(SCORES)}")
    if score == "cosine":
        q = index.unit if queries is None else index.unit_vectors(queries)
        return q, index.unit
    q = (index.weights > 0).astype(np.float32) if queries is None else index.counts(queries)
    return q.tocsr(), index.weights


def pair_scores(index: LexicalIndex, left: np.ndarray, right: np.ndarray, *,
                queries: Sequence[str] | None = None, score: str = "cosine") -> np.ndarray:
    """Scores of pairs (left[i] as query, right[i] as corpus row): (p,) float32."""
    q, corpus = _sides(index, queries, score)
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    if len(left) == 0:
        return np.zeros(0, dtype=np.float32)
    prod = q[left].multiply(corpus[right])
    return np.asarray(prod.sum(axis=1), dtype=np.float32).ravel()


def candidate_scores(index: LexicalIndex, candidates: np.ndarray, *,
                     queries: Sequence[str] | None = None, score: str = "cosine") -> np.ndarray:
    """Scores of each query row against its candidate rows: (m, C) float32 (-1 = padding)."""
    q, corpus = _sides(index, queries, score)
    m, c = candidates.shape
    out = np.zeros((m, c), dtype=np.float32)
    step = max(1, _PAIR_BLOCK // max(c, 1))
    for s in range(0, m, step):
        cand = candidates[s:s + step]
        rows = np.repeat(np.arange(len(cand)), c)
        cols = cand.ravel()
        ok = cols >= 0
        prod = q[s:s + step][rows[ok]].multiply(corpus[cols[ok]])
        flat = np.zeros(cand.size, dtype=np.float32)
        flat[ok] = np.asarray(prod.sum(axis=1), dtype=np.float32).ravel()
        out[s:s + step] = flat.reshape(cand.shape)
    return out


def lexical_topk(index: LexicalIndex, k: int, *, queries: Sequence[str] | None = None,
                 score: str = "cosine", exclude_self: bool | None = None,
                 block_size: int | None = None) -> Neighbors:
    """Top-k documents of every query by a lexical score, ties by lower index.

    queries: texts, default the corpus itself (then self is excluded).
    Returns Neighbors (m, k), metric "lexical-cosine" or "bm25", distances = -score.
    Walks the corpus' postings per query row (core.search.fusion_kernels), so memory is
    O(m x k + threads x N); the scores equal ``q @ corpus.T`` bit for bit.
    block_size: query rows per kernel call (default 512; blocks run in threads).
    """
    q, corpus = _sides(index, queries, score)
    exclude_self = (queries is None) if exclude_self is None else exclude_self
    n, m = corpus.shape[0], q.shape[0]
    k = max(0, min(int(k), n - (1 if exclude_self else 0)))
    idx_out = np.zeros((m, k), dtype=np.int64)
    val_out = np.zeros((m, k), dtype=np.float32)
    if k and m:
        _postings_topk(q.tocsr(), corpus.tocsc(), k, exclude_self, idx_out, val_out,
                       block_size or _TOPK_ROWS)
    metric = "lexical-cosine" if score == "cosine" else "bm25"
    return Neighbors(idx_out, val_out, -val_out, metric)


def _postings_topk(q: sp.csr_matrix, post: sp.csc_matrix, k: int, exclude_self: bool,
                   idx_out: np.ndarray, val_out: np.ndarray, block: int) -> None:
    """Fill idx_out/val_out (m, k) by row blocks of the numba kernel, in threads."""
    qd = q.data.astype(np.float32, copy=False)
    pd_ = post.data.astype(np.float32, copy=False)

    def run(start: int, end: int) -> None:
        sparse_topk_rows(q.indptr[start:end + 1], q.indices, qd, post.indptr, post.indices, pd_,
                         post.shape[0], k, start, exclude_self, idx_out[start:end],
                         val_out[start:end])

    in_threads(q.shape[0], block, run)


def dense_topk(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row top-k of a (b, N) float array: (indices int64, values), ties by lower index.

    The brute-force reference that lexical_topk is tested against.

    argpartition picks k per row; only rows whose k-th value is tied beyond the
    pick are redone, taking the lowest tied indices (O(N) each, no full sort).
    """
    b, n = block.shape
    if k == 0 or b == 0:
        return np.zeros((b, k), dtype=np.int64), np.zeros((b, k), dtype=np.float32)
    idx = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < n else \
        np.tile(np.arange(n, dtype=np.int64), (b, 1))
    kth = np.take_along_axis(block, idx, 1).min(axis=1, keepdims=True)
    straddle = np.flatnonzero((block >= kth).sum(axis=1) > k)
    for r in straddle:
        above = np.flatnonzero(block[r] > kth[r, 0])
        tied = np.flatnonzero(block[r] == kth[r, 0])[: k - len(above)]
        idx[r] = np.concatenate([above, tied])
    vals = np.take_along_axis(block, idx, 1)
    order = np.lexsort((idx, -vals), axis=-1)
    idx = np.take_along_axis(idx, order, 1).astype(np.int64)
    return idx, np.take_along_axis(vals, order, 1).astype(np.float32)


__all__ = [
    "SCORES",
    "LexicalIndex",
    "build_index",
    "candidate_scores",
    "dense_topk",
    "lexical_topk",
    "pair_scores",
    "tokenize",
]
