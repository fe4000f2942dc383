"""Top-k of every product at catalog scale: the project's search vs the plain blocked one.

    .venv/bin/python bench/perf_topk.py [--n 100000] [--k 10] [--metric cosine]
        [--methods int8,fp32,blocked] [--data random|clustered]
    .venv/bin/python bench/perf_topk.py --n 1000000 --methods hnsw     # approximate index

Vectors are seeded, L2-normalised, 384-d (MiniLM's size). "blocked" is the
previous implementation (query blocks x whole corpus, fp32 matmul + topk): the
baseline. For each method: wall time, extra peak memory (RSS sampled every
50 ms, minus the RSS before the call) and recall@k against exact fp32 search
on a seeded sample of 1,000 rows.
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import Self

import numpy as np
import psutil

from core.search.ann import ann_topk, sample_recall
from core.search.exact import topk


def vectors(n: int, kind: str, seed: int = 0, clusters: int = 2000) -> np.ndarray:
    """(n, 384) float32 unit rows: isotropic noise, or `clusters` clusters (catalog-like)."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        x = rng.standard_normal((n, 384), dtype=np.float32)
    else:
        centres = rng.standard_normal((clusters, 384), dtype=np.float32)
        x = centres[rng.integers(0, clusters, n)]
        x += 0.7 * rng.standard_normal((n, 384), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


class PeakRss:
    """Peak resident memory above the starting point while the block runs (bytes)."""

    def __enter__(self) -> Self:
        self.proc = psutil.Process()
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def extra_gb(self) -> float:
        return (self.peak - self.start) / 1e9


def run(x: np.ndarray, k: int, metric: str, method: str):
    if method == "hnsw":
        return ann_topk(x, k, metric=metric)
    return topk(x, k, metric=metric, method=method)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--metric", default="cosine")
    ap.add_argument("--methods", default="int8,fp32,blocked")
    ap.add_argument("--data", default="random", choices=["random", "clustered"])
    ap.add_argument("--sample", type=int, default=1000)
    args = ap.parse_args()
    x = vectors(args.n, args.data)
    topk(x[:3000], 5, metric=args.metric, method="int8")  # compile the kernels once
    import torch

    print(f"{args.n:,} x 384 {args.data} vectors, top-{args.k}, {args.metric}; "
          f"torch threads {torch.get_num_threads()}, {psutil.cpu_count()} CPUs")
    base, times = None, {}
    for method in args.methods.split(","):
        with PeakRss() as mem:
            start = time.perf_counter()
            nb = run(x, args.k, args.metric, method)
            seconds = time.perf_counter() - start
        recall = sample_recall(x, nb, sample=args.sample)
        base = seconds if method == "blocked" else base
        times[method] = seconds
        print(f"{method:8s} {seconds:8.1f} s   extra peak memory {mem.extra_gb:5.2f} GB   "
              f"recall@{args.k} {recall:.4f} (sample of {min(args.sample, args.n):,})",
              flush=True)
    if base is not None:
        print("speed-up over the blocked baseline (same run): " + ", ".join(
            f"{m} {base / t:.2f}x" for m, t in times.items() if m != "blocked"))


if __name__ == "__main__":
    main()
