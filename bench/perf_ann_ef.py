"""How recall@k of the HNSW index (core.search.ann) grows with efSearch: picks core.search.ann.EF_SEARCH.

    .venv/bin/python bench/perf_ann_ef.py [--n 300000] [--efs 64,96,128,160,200,256]

Builds one graph with core.search.ann's settings (M, efConstruction) on the same
seeded vectors as bench/perf_topk.py, then searches a seeded sample of rows
at each efSearch: recall@k against exact search (self excluded, as in
ann_topk) and the search time per 1,000 queries (the full search of n rows
costs about n / 1,000 times that). Build time and load average are printed.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from perf_topk import vectors

from core.search import ann
from core.search.exact import topk


def main() -> None:
    import faiss
    import torch

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--data", default="random", choices=["random", "clustered"])
    ap.add_argument("--efs", default="64,96,128,160,200,256")
    ap.add_argument("--clusters", type=int, default=2000,
                    help="clustered data: number of centres (n / clusters points each; "
                         "1M with 2,000 has the local density of 250k with 500)")
    ap.add_argument("--sample", type=int, default=2000)
    args = ap.parse_args()
    x = vectors(args.n, args.data, clusters=args.clusters)
    faiss.omp_set_num_threads(max(1, torch.get_num_threads()))
    start = time.perf_counter()
    index = ann._index_for(x, "cosine")
    index.add(x)
    build = time.perf_counter() - start
    print(f"{args.n:,} x 384 {args.data} ({args.clusters:,} centres if clustered): "
          f"HNSW M={ann.HNSW_M} efConstruction={ann.EF_CONSTRUCTION} built in {build:.1f} s; "
          f"load {os.getloadavg()}", flush=True)
    rows = np.sort(np.random.default_rng(0).choice(args.n, args.sample, replace=False))
    exact = topk(x, args.k + 1, queries=x[rows], exclude_self=False, method="blocked")
    truth = [set([j for j in exact.indices[i] if j != r][:args.k]) for i, r in enumerate(rows)]
    depth = 2 * args.k + 1
    for ef in [int(e) for e in args.efs.split(",")]:
        index.hnsw.efSearch = ef
        start = time.perf_counter()
        _, found = index.search(x[rows], depth)
        seconds = time.perf_counter() - start
        hits = sum(len(t & set([j for j in found[i] if j != r][:args.k]))
                   for i, (r, t) in enumerate(zip(rows, truth)))
        recall = hits / (len(rows) * args.k)
        print(f"efSearch {ef:4d}: recall@{args.k} {recall:.4f}   search "
              f"{1000 * seconds / len(rows):.2f} s per 1,000 queries "
              f"(all {args.n:,}: ~{seconds * args.n / len(rows):.0f} s)", flush=True)
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
