"""Ward in rounds of mutual cheapest merges (core.lists.ward) against Ward one merge at a
time (sklearn), and its corner cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score

from core.lists.ward import graph_ward, graph_ward_levels


def complete(n: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(n, 1)
    return a.astype(np.int64), b.astype(np.int64)


def knn(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    near = np.argsort(d, axis=1)[:, :k]
    return np.repeat(np.arange(len(x)), k), near.reshape(-1)


@pytest.mark.parametrize("n, groups", [(61, 7), (97, 13), (40, 1), (33, 32)])
def test_the_same_groups_as_ward_one_merge_at_a_time(rng, n, groups):
    """Every pair in the graph: the groups of unrestricted Ward, exactly."""
    x = rng.normal(size=(n, 5))
    want = AgglomerativeClustering(n_clusters=groups, linkage="ward").fit_predict(x)
    got = graph_ward(x, groups, *complete(n))
    assert len(np.unique(got)) == groups
    assert adjusted_rand_score(want, got) == pytest.approx(1.0)


def test_restricted_to_a_neighbour_graph_as_sklearn_is(rng):
    """On a 6-NN graph (only those pairs may merge) separated blobs are recovered."""
    centres = rng.normal(scale=6.0, size=(9, 8))
    truth = np.repeat(np.arange(9), 23)
    x = centres[truth] + rng.normal(size=(len(truth), 8))
    src, dst = knn(x, 6)
    got = graph_ward(x, 9, src, dst)
    assert adjusted_rand_score(truth, got) == pytest.approx(1.0)


def test_clusters_the_graph_leaves_apart_are_joined_by_their_centroids(rng):
    """Two blobs with no pair between them (and rows with no pair at all) still make the
    number of groups asked for; the blobs are never cut to get there."""
    x = np.vstack([rng.normal(size=(20, 4)), rng.normal(size=(20, 4)) + 50,
                   [[25.0, 25, 25, 25]]])
    src, dst = knn(x[:20], 3)
    src2, dst2 = knn(x[20:40], 3)
    edges = (np.r_[src, src2 + 20], np.r_[dst, dst2 + 20])
    two = graph_ward(x, 2, *edges)
    assert len(np.unique(two)) == 2
    assert len(np.unique(two[:20])) == 1 and len(np.unique(two[20:40])) == 1
    assert len(np.unique(graph_ward(x, 1, *edges))) == 1
    none = graph_ward(x, 3, np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert len(np.unique(none)) == 3


def test_small_and_degenerate_inputs(rng):
    for n in (1, 2, 3):
        x = rng.normal(size=(n, 3))
        assert graph_ward(x, n, *complete(n)).tolist() == list(range(n))  # nothing to merge
        assert len(np.unique(graph_ward(x, 1, *complete(n)))) == 1
        assert len(np.unique(graph_ward(x, 0, *complete(n)))) == 1  # at least one group
    same = np.ones((9, 3))  # all identical: every cost 0, ties to the lowest ids
    got = graph_ward(same, 3, *complete(9))
    assert len(np.unique(got)) == 3 and np.array_equal(got, graph_ward(same, 3, *complete(9)))
    # repeated pairs, both directions and self pairs are one pair each
    a, b = complete(5)
    x = rng.normal(size=(5, 3))
    assert np.array_equal(graph_ward(x, 2, np.r_[a, b, a, np.arange(5)],
                                     np.r_[b, a, b, np.arange(5)]), graph_ward(x, 2, a, b))


def test_several_numbers_of_groups_from_one_run_nest(rng):
    """Levels from one run: each is exactly that many groups, a coarser level only joins
    whole groups of a finer one, and a single level is graph_ward's."""
    centres = rng.normal(scale=6.0, size=(9, 8))
    x = centres[np.repeat(np.arange(9), 15)] + rng.normal(size=(135, 8))
    src, dst = knn(x, 6)
    levels = graph_ward_levels(x, [30, 9, 3, 0], src, dst)
    assert sorted(levels) == [1, 3, 9, 30]
    for count, labels in levels.items():
        assert len(np.unique(labels)) == count
    for fine, coarse in ((30, 9), (9, 3), (3, 1)):
        pairs = set(zip(levels[fine].tolist(), levels[coarse].tolist()))
        assert len({f for f, _ in pairs}) == len(pairs)  # each fine group in one coarse group
    assert np.array_equal(graph_ward_levels(x, [9], src, dst)[9], graph_ward(x, 9, src, dst))
