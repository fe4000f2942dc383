"""Reference implementations kept as oracles and benchmark baselines: the previous
hybrid-pool path.

Used by tests/search/test_pool_kernels.py (identical lists) and bench/perf_hybrid.py
(time and memory, same run). The previous lexical top-k made every (block x N)
lexical product dense and took the top-k with argpartition; the dense candidate
scores came from broadcast pair_dense blocks.
"""

from __future__ import annotations

import numpy as np

from core.search import channels
from core.search import lexical as lexical_module
from core.search.channels import pair_dense
from core.search.index import hybrid_topk
from core.search.lexical import _sides, dense_topk
from core.search.neighbors import Neighbors


def old_lexical_topk(index, k, *, queries=None, score="cosine", exclude_self=None,
                     block=None):
    """Previous lexical top-k. block: query rows per dense product (default: ~64 MB blocks)."""
    q, corpus = _sides(index, queries, score)
    exclude_self = (queries is None) if exclude_self is None else exclude_self
    n, m = corpus.shape[0], q.shape[0]
    k = max(0, min(int(k), n - (1 if exclude_self else 0)))
    idx = np.zeros((m, k), dtype=np.int64)
    val = np.zeros((m, k), dtype=np.float32)
    bs = block or max(16, min(4096, 64 * 1024 * 1024 // max(1, 4 * n)))
    for s in range(0, m if k else 0, bs):
        b = (q[s:s + bs] @ corpus.T).toarray().astype(np.float32)
        if exclude_self:
            r = np.arange(b.shape[0])
            b[r, r + s] = -np.inf
        idx[s:s + bs], val[s:s + bs] = dense_topk(b, k)
    return Neighbors(idx, val, -val, "lexical-cosine" if score == "cosine" else "bm25")


def old_candidate_dense(queries, corpus, cand, metric, *, corpus_scale=None):
    """Previous dense candidate scores: pair_dense over broadcast (256, C, d) blocks
    (corpus_scale: taken as candidate_dense takes it, not needed here)."""
    out = np.zeros(cand.shape, dtype=np.float32)
    safe = np.where(cand >= 0, cand, 0)
    for s in range(0, len(cand), 256):
        q = queries[s:s + 256, None, :]
        out[s:s + 256] = pair_dense(np.broadcast_to(q, (len(q), cand.shape[1], q.shape[2])),
                                    corpus[safe[s:s + 256]], metric)
    return out


def old_hybrid_topk(*args, **kwargs):
    """hybrid_topk with the previous lexical top-k and dense candidate scoring."""
    saved = lexical_module.lexical_topk, channels.candidate_dense
    lexical_module.lexical_topk, channels.candidate_dense = old_lexical_topk, old_candidate_dense
    try:
        return hybrid_topk(*args, **kwargs)
    finally:
        lexical_module.lexical_topk, channels.candidate_dense = saved
