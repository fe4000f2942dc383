"""Sharded top-k maths (core.scale.shards) against the single-process search, no Ray."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.scale.runtime import ClusterError, RaySettings, check_reachable
from core.scale.shards import (
    direct_euclidean,
    euclidean_centre,
    hnsw_topk,
    merge_partials,
    rescored,
    shard_topk,
)
from core.scale.topk import prepare, shard_bounds
from core.search.exact import brute_force_topk, topk
from core.search.neighbors import METRICS, to_score_distance


def sharded(x: np.ndarray, depth: int, metric: str, shards: int, block: int, *,
            rescore: bool) -> tuple[np.ndarray, np.ndarray]:
    """What the Ray job computes, without Ray: every query block against every shard."""
    p = prepare(x, metric)
    n = len(p)
    depth = min(depth, n - 1)
    rows, scores = [], []
    for start in range(0, n, block):
        q = p[start:start + block]
        parts = [shard_topk(q, start, p[a:b], a, depth, metric, rescore=rescore)
                 for a, b in shard_bounds(n, shards)]
        idx, raw = merge_partials(parts, depth)
        rows.append(idx)
        scores.append(to_score_distance(raw, metric)[0])
    return np.concatenate(rows), np.concatenate(scores)


@pytest.mark.parametrize("metric", METRICS)
def test_shards_equal_the_single_process_search(metric: str, rng: np.random.Generator) -> None:
    x = rng.normal(size=(301, 12)).astype(np.float32)
    x[40] = x[7]  # exact ties: the lower row comes first
    x[200] = x[7]
    ref = topk(x, 9, metric=metric)  # 301 rows: the blocked search, fp32 product scores
    idx, scores = sharded(x, 9, metric, shards=3, block=97, rescore=rescored(metric, len(x)))
    np.testing.assert_array_equal(idx, ref.indices)
    # Below the tiles' size the single-process scores are the fp32 product's, whose last
    # bit depends on the BLAS kernel chosen for the block shape: equal to float32 rounding.
    np.testing.assert_allclose(scores, ref.scores, rtol=4e-7, atol=1e-7)


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
def test_rescored_shards_equal_the_tiles_bit_for_bit(metric: str,
                                                     rng: np.random.Generator) -> None:
    x = rng.normal(size=(523, 16)).astype(np.float32)
    ref = topk(x, 11, metric=metric, method="fp32")  # what n >= TILED_MIN_ROWS runs
    idx, scores = sharded(x, 11, metric, shards=4, block=128, rescore=True)
    np.testing.assert_array_equal(idx, ref.indices)
    np.testing.assert_array_equal(scores, ref.scores)
    np.testing.assert_array_equal(idx, brute_force_topk(x, 11, metric=metric).indices)


@pytest.mark.parametrize(("n", "depth", "shards"), [(2, 1, 2), (3, 5, 3), (5, 4, 2), (7, 50, 7)])
def test_tiny_catalogs_and_depth_beyond_n(n: int, depth: int, shards: int,
                                          rng: np.random.Generator) -> None:
    x = rng.normal(size=(n, 6)).astype(np.float32)
    idx, _ = sharded(x, depth, "cosine", shards=shards, block=2, rescore=False)
    assert idx.shape == (n, min(depth, n - 1))
    np.testing.assert_array_equal(idx, topk(x, depth).indices)
    assert not (idx == np.arange(n)[:, None]).any()


def test_identical_rows_tie_by_lower_row() -> None:
    x = np.ones((9, 4), dtype=np.float32)
    idx, scores = sharded(x, 4, "cosine", shards=4, block=3, rescore=True)
    expected = np.array([[j for j in range(9) if j != i][:4] for i in range(9)])
    np.testing.assert_array_equal(idx, expected)
    np.testing.assert_allclose(scores, 1.0, rtol=1e-6)


def test_shard_bounds_cover_every_row_once() -> None:
    for n, s in itertools.product([1, 2, 10, 1001], [1, 3, 8]):
        bounds = shard_bounds(n, s)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(b[1] == c[0] for b, c in itertools.pairwise(bounds))


def test_hnsw_shards_find_the_exact_lists_mostly(rng: np.random.Generator) -> None:
    from core.search import ann

    centres = rng.normal(size=(40, 24)).astype(np.float32)
    x = centres[rng.integers(0, 40, 3000)] + 0.3 * rng.normal(size=(3000, 24)).astype(np.float32)
    p = prepare(x, "cosine")
    parts = []
    for a, b in shard_bounds(len(p), 2):
        graph = ann._index_for(p[a:b], "cosine")
        graph.add(p[a:b])
        parts.append(hnsw_topk(graph, p, 0, p[a:b], a, 10, "cosine"))
    idx, raw = merge_partials(parts, 10)
    exact = topk(x, 10, method="fp32")
    recall = np.mean([len(set(r) & set(e)) / 10 for r, e in zip(idx, exact.indices)])
    assert recall >= 0.98
    found = idx == exact.indices  # where the same neighbour is found, the score is exact
    np.testing.assert_array_equal(raw[found], exact.scores[found])


def test_shard_count_follows_size_and_actors() -> None:
    s = RaySettings(actors=2)
    assert s.shards_for(10) == 2 and s.shards_for(1) == 1
    assert s.shards_for(1_200_000) == 3
    assert RaySettings(shards=5).shards_for(3) == 3


def test_unreachable_cluster_is_one_clear_error() -> None:
    with pytest.raises(ClusterError, match=r"not reachable.*ray start --head"):
        check_reachable("127.0.0.1:1", timeout=2)
    with pytest.raises(ClusterError, match="host:port"):
        check_reachable("no-port-here")


def test_euclidean_below_the_tiles_size_is_the_blocked_search_bit_for_bit(
        rng: np.random.Generator) -> None:
    """Below TILED_MIN_ROWS the single-process search scores euclidean pairs in float32 on
    centred vectors; the shards scored them with the tiles' float64 kernel, which moved
    117 of walmart's 17,862 six-decimal scores by 0.000001."""
    x = (rng.normal(size=(517, 24)) * 0.2 + 3.0).astype(np.float32)  # a centre of 3, not 0
    x[90] = x[4]  # an exact tie
    ref = topk(x, 8, metric="euclidean")
    assert direct_euclidean("euclidean", len(x)) and not direct_euclidean("cosine", len(x))
    p = prepare(x, "euclidean")
    centre = euclidean_centre(sum(p[a:b].sum(0, dtype=np.float64)
                                  for a, b in shard_bounds(len(p), 3)), len(p))
    rows, raws = [], []
    for start in range(0, len(p), 101):
        q = p[start:start + 101]
        parts = [shard_topk(q, start, p[a:b], a, 8, "euclidean", centre=centre)
                 for a, b in shard_bounds(len(p), 3)]
        idx, raw = merge_partials(parts, 8)
        rows.append(idx)
        raws.append(raw)
    scores, dists = to_score_distance(np.concatenate(raws), "euclidean")
    np.testing.assert_array_equal(np.concatenate(rows), ref.indices)
    np.testing.assert_array_equal(scores, ref.scores)
    np.testing.assert_array_equal(dists, ref.distances)


def test_vectors_the_workers_wrote_elsewhere_are_one_clear_error(tmp_path) -> None:
    """On a cluster of several machines each worker writes its vectors on its own node: a
    results folder (or, for --out FILE, a temporary folder) that is not on shared storage
    held only the driver's share, and the job failed later on 'rows ... are incomplete'."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from core.scale.pipeline import written_flags

    target = tmp_path / "vectors"
    target.mkdir()
    pq.write_table(pa.table({"row": np.arange(5), "new": [True, False, True, True, False]}),
                   target / "part-0.parquet")
    assert np.asarray(written_flags(target, 5)).sum() == 3
    with pytest.raises(ClusterError, match=r"finds 5 of their vectors .*same path"):
        written_flags(target, 8)
    with pytest.raises(ClusterError, match=r"embedded 4 products but this process finds 0"):
        written_flags(tmp_path / "nowhere", 4)
