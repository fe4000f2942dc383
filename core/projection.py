"""2-D / 3-D maps of the catalog with UMAP, reusing the top-k graph.

Large catalogs are sampled (seeded) with the sample size reported; tiny ones
(fewer than 16 rows) are laid out by PCA because UMAP needs a neighbourhood.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from core.search.exact import distinct_rows, topk
from core.search.neighbors import Neighbors

DEFAULT_MAX_POINTS = 20_000
MIN_UMAP_ROWS = 16
# Seconds per projected row on a 2-core CPU (bench/perf_umap.py), for progress estimates.
SECONDS_PER_ROW = 1.0e-3
# The first map a server process draws also loads UMAP's compiled code: 2,554 rows took
# 6.4 s the first time and 1.0 s after in one process (2 cores, numba's disk cache warm;
# the very first map after an install compiles it: about 20 s).
FIRST_MAP_SECONDS = 5.0
PARALLEL_FROM = 5_000
_drawn = False  # a UMAP layout was drawn in this process


def expected_seconds(rows: int) -> float:
    """Rough UMAP time for rows points on this class of machine (progress bars)."""
    return 3.0 + SECONDS_PER_ROW * rows + (0.0 if _drawn else FIRST_MAP_SECONDS)


@dataclass(frozen=True)
class Projection:
    """coords: (m, dim) float32; rows: (m,) int64 catalog rows shown; method used."""

    coords: np.ndarray
    rows: np.ndarray
    total: int
    method: str

    @property
    def sampled(self) -> bool:
        return len(self.rows) < self.total


def sample_rows(n: int, max_points: int, *, seed: int = 0) -> np.ndarray:
    """Sorted row positions: all rows, or a seeded sample of max_points."""
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_points, replace=False)).astype(np.int64)


def _knn_for_umap(neighbors: Neighbors, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """UMAP's precomputed graph: self first at distance 0, then neighbours."""
    n = neighbors.indices.shape[0]
    idx = neighbors.indices[:, : n_neighbors - 1]
    dist = neighbors.distances[:, : n_neighbors - 1].astype(np.float32)
    if neighbors.metric == "dot":  # dot "distances" can be negative; shift per row
        dist = dist - dist.min(axis=1, keepdims=True)
    dist = np.maximum(dist, 0.0)
    self_idx = np.arange(n, dtype=np.int64)[:, None]
    return (np.hstack([self_idx, idx]).astype(np.int64),
            np.hstack([np.zeros((n, 1), np.float32), dist]))


def project(vectors: np.ndarray, *, neighbors: Neighbors | None = None, dim: int = 2,
            n_neighbors: int = 15, min_dist: float = 0.1, metric: str = "cosine",
            max_points: int = DEFAULT_MAX_POINTS, seed: int = 42) -> Projection:
    """UMAP coordinates of (a sample of) the catalog.

    vectors: (n, d) float32. neighbors: the catalog's top-k (self excluded);
    reused when it covers every row and k >= n_neighbors - 1, else recomputed
    on the sample. dim: 2 or 3.
    """
    if dim not in (2, 3):
        raise ValueError("dim must be 2 or 3")
    n = len(vectors)
    rows = sample_rows(n, max_points, seed=seed)
    x = vectors[rows]
    if len(rows) < MIN_UMAP_ROWS or distinct_rows(x) < MIN_UMAP_ROWS:
        # identical texts share a vector: UMAP would scatter the copies, PCA keeps them on one spot
        return Projection(_pca(x, dim), rows, n, "pca")
    n_neighbors = int(max(2, min(n_neighbors, len(rows) - 1)))
    reuse = (neighbors is not None and len(rows) == n
             and neighbors.indices.shape[0] == n and neighbors.k >= n_neighbors - 1)
    graph = neighbors if reuse else topk(x, n_neighbors - 1, metric=metric)
    knn_idx, knn_dist = _knn_for_umap(graph, n_neighbors)
    import umap

    reducer = umap.UMAP(n_components=dim, n_neighbors=n_neighbors, min_dist=min_dist,
                        metric="cosine" if metric in ("cosine", "dot") else "euclidean",
                        precomputed_knn=(knn_idx, knn_dist), low_memory=True,
                        **layout_options(len(rows), seed))
    global _drawn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coords = reducer.fit_transform(x)
    _drawn = True
    return Projection(np.asarray(coords, dtype=np.float32), rows, n, "umap")


def layout_options(rows: int, seed: int) -> dict:
    """UMAP layout settings by size (bench/perf_umap.py, 2-core CPU).

    PCA initialisation instead of the spectral one (which dominates at 20k+
    rows); up to PARALLEL_FROM rows a seed (deterministic, single-threaded),
    above it no seed so numba runs the epochs on every core; 100 epochs
    above 20k rows (UMAP's own advice: large data needs fewer).
    """
    options: dict = {"init": "pca", "n_epochs": 200 if rows <= 20_000 else 100}
    if rows <= PARALLEL_FROM:
        options["random_state"] = seed
    else:
        options["transform_seed"] = seed
    return options


def _pca(x: np.ndarray, dim: int) -> np.ndarray:
    out = np.zeros((len(x), dim), dtype=np.float32)
    if len(x) < 2:
        return out
    centered = x - x.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centered.astype(np.float64), full_matrices=False)
    comps = centered @ vt[:dim].T
    out[:, : comps.shape[1]] = comps
    return out
