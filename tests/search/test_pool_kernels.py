"""The scalable hybrid pool (core.search.fusion_kernels) against the previous dense-block path.

The previous path (core/search/reference.py) is the oracle: the lexical
lists must be identical (indices and float32 scores bit for bit), the hybrid
pool identical up to float rounding of the dense scores.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.search.fusion_kernels import _kth_largest, _sort_by
from core.search.index import hybrid_topk
from core.search.lexical import build_index, lexical_topk
from core.search.reference import old_hybrid_topk, old_lexical_topk

VOCAB = ["usb", "cable", "red", "kdl-40v4100", "32gb", "ps3", "black", "lamp", "elplp12", "a1"]


def _texts(rng, n, vocab=VOCAB, most=4):
    out = [" ".join(rng.choice(vocab, size=rng.integers(1, most + 1))) for _ in range(n)]
    out[n // 2] = ""  # no tokens: only zero scores
    return out


@pytest.mark.parametrize("k", [1, 3, 7, 39])
@pytest.mark.parametrize("score", ["cosine", "bm25"])
def test_lexical_topk_is_identical_to_the_dense_block_path(rng, k, score):
    texts = _texts(rng, 40)
    index = build_index(texts)
    for block in (None, 1, 5):
        got = lexical_topk(index, k, score=score, block_size=block)
        want = old_lexical_topk(index, k, score=score)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.scores, want.scores)


def test_lexical_topk_queries_ties_and_k_over_n(rng):
    texts = _texts(rng, 25, vocab=VOCAB[:3], most=2)  # few distinct texts: many ties
    queries = [*_texts(rng, 9), "nothing shared", "usb"]
    index = build_index(texts)
    for k in (4, 25, 60):
        got = lexical_topk(index, k, queries=queries)
        want = old_lexical_topk(index, k, queries=queries)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.scores, want.scores)
    assert lexical_topk(index, 5, exclude_self=False).indices.shape == (25, 5)
    assert lexical_topk(build_index(["a"]), 3).indices.shape == (1, 0)


def test_buffer_cut_back_many_times_with_ties(rng):
    """Rows that touch far more than 4k documents, most of them tied."""
    texts = [f"w{i % 3} common" for i in range(400)]
    index = build_index(texts)
    for k in (2, 16):
        got = lexical_topk(index, k)
        want = old_lexical_topk(index, k, block=64)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.scores, want.scores)


def test_select_helpers_against_numpy(rng):
    for _ in range(50):
        vals = rng.integers(0, 5, size=rng.integers(1, 40)).astype(np.float32)
        k = int(rng.integers(1, len(vals) + 1))
        assert _kth_largest(vals.copy(), k) == np.sort(vals)[::-1][k - 1]
        cand = rng.permutation(len(vals)).astype(np.int64)
        c, v = cand.copy(), vals.copy()
        _sort_by(c, v)
        order = np.lexsort((cand, -vals))
        np.testing.assert_array_equal(c, cand[order])
        np.testing.assert_array_equal(v, vals[order])


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
@pytest.mark.parametrize("weight", [0.0, 0.55, 1.0])
def test_hybrid_pool_matches_the_previous_path(rng, metric, weight):
    texts = _texts(rng, 60)
    vectors = rng.normal(size=(60, 16)).astype(np.float32)
    vectors[7] = 0.0  # zero vector: cosine 0, no division by zero
    index = build_index(texts)
    got = hybrid_topk(vectors, index, 12, weight=weight, metric=metric, depth=20)
    want = old_hybrid_topk(vectors, index, 12, weight=weight, metric=metric, depth=20)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_allclose(got.scores, want.scores, atol=1e-6)
    for name in got.parts:
        np.testing.assert_allclose(got.parts[name], want.parts[name], atol=1e-6)


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_dense_candidate_scores_with_the_channels_norms_match_brute_force(metric):
    """A DenseChannel works out its vectors' norms once (corpus_scale) for every
    candidate_scores call (refilling short lists made hundreds of calls, each reading the
    whole catalog's norms); the scores are those of brute force, a zero row included."""
    from core.search.channels import DenseChannel, candidate_dense

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(37, 5)).astype(np.float32)
    vectors[4] = 0.0
    cand = rng.integers(-1, 37, size=(37, 9))
    channel = DenseChannel(vectors, metric)
    got = channel.candidate_scores(cand)
    assert channel.__dict__["corpus_scale"] is channel.corpus_scale  # made once, then held
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    base = unit if metric == "cosine" else vectors
    want = np.where(cand >= 0, np.einsum("id,icd->ic", base, base[np.clip(cand, 0, None)]), 0.0)
    np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_array_equal(got, candidate_dense(vectors, vectors, cand, metric))
