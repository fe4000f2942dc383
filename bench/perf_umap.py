"""Map (UMAP) time: core.projection.project reusing the top-k graph vs umap-learn defaults.

    .venv/bin/python bench/perf_umap.py [--sizes 20000,100000] [--baseline-max 20000]

Vectors: seeded, clustered 384-d unit rows (catalog-like). The graph is the
candidate pool the app already holds (dense_search, k=50), so its time is
printed apart. Baseline: umap.UMAP(n_neighbors=15, metric="cosine",
random_state=42) computing its own graph, as before this work. Both are run
once on 2,000 rows first so numba compilation is not timed.
"""

from __future__ import annotations

import argparse
import time
import warnings

from perf_topk import vectors

from core.projection import project
from core.search.dense import dense_search


def baseline(x) -> float:
    import umap

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        umap.UMAP(n_neighbors=15, metric="cosine", random_state=42).fit_transform(x)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--baseline-max", type=int, default=20_000)
    args = ap.parse_args()
    warm = vectors(2000, "clustered")
    project(warm, neighbors=dense_search(warm, 50), max_points=2000)
    baseline(warm)
    for n in (int(s) for s in args.sizes.split(",")):
        x = vectors(n, "clustered")
        start = time.perf_counter()
        nb = dense_search(x, 50)
        graph = time.perf_counter() - start
        start = time.perf_counter()
        proj = project(x, neighbors=nb, max_points=n)
        seconds = time.perf_counter() - start
        line = (f"{n:>7,} products: project() {seconds:6.1f} s (method {proj.method}, "
                f"{len(proj.rows):,} points; top-k graph {graph:.1f} s, reused)")
        if n <= args.baseline_max:
            base = baseline(x)
            line += f"   baseline umap defaults {base:6.1f} s   {base / seconds:4.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
