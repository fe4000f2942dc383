"""Single-process vs Ray top-k at catalog scale, on synthetic vectors.

    .venv/bin/python bench/perf_ray.py --n 200000 --index exact
    .venv/bin/python bench/perf_ray.py --n 1000000 --index approximate --query-fraction 0.1

Embedding 200k-1M texts takes hours on 2 CPU cores, so the vectors are
synthetic (seeded, clustered, 384-d like MiniLM) and written as the vectors/
parts of a results folder, which the Ray shard actors read. Both engines run in
this process, the single-process one first (the baseline). For each: wall
time, extra peak memory (RSS of this process and every child, i.e. the Ray workers
and raylet, sampled every 0.2 s; shared object-store pages count once per
process, so the Ray figure is an upper bound) and whether the lists are the
same. With --query-fraction below 1 Ray answers only that share of query
blocks: the shard build cost is measured in full, the search cost per block
measured and extrapolated (printed as such). Per-shard costs feed docs/scale.md.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

import numpy as np
import psutil
from perf_topk import vectors

from core.scale.runtime import RaySettings, ray_session
from core.scale.topk import sharded_topk
from core.scale.vectors import write_vectors
from core.search.ann import sample_recall
from core.search.dense import dense_search
from core.search.neighbors import Neighbors, to_score_distance


class TreeRss:
    """Peak RSS of this process plus all its descendants while the block runs (bytes)."""

    def __enter__(self) -> Self:
        self.proc = psutil.Process()
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _rss(self) -> int:
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_gb(self) -> float:
        """Peak above the start (the vectors already in this process do not count)."""
        return (self.peak - self.start) / 1e9


def run_local(x: np.ndarray, k: int, index: str):
    with TreeRss() as mem:
        t = time.perf_counter()
        nb = dense_search(x, k, index=index)
        secs = time.perf_counter() - t
    return nb, secs, mem.peak_gb


def run_ray(folder: Path, n: int, k: int, index: str, shards: int, block: int,
            fraction: float, actor_cpus: float):
    blocks = max(1, round(fraction * -(-n // block)))
    rows, raw, marks = [], [], []
    with TreeRss() as mem:
        t = time.perf_counter()
        with ray_session(RaySettings()):
            t_up = time.perf_counter()
            for _start, r, s in sharded_topk(str(folder), n, k, metric="cosine", index=index,
                                            shards=shards, block=block, limit_blocks=blocks,
                                            actor_cpus=actor_cpus, timeout_s=3600):
                rows.append(r)
                raw.append(s)
                marks.append(time.perf_counter())
        secs = time.perf_counter() - t
    return (np.concatenate(rows), np.concatenate(raw), secs, mem.peak_gb, t_up - t, marks,
            blocks)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--index", default="exact", choices=["exact", "approximate"])
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--block", type=int, default=4096)
    ap.add_argument("--query-fraction", type=float, default=1.0)
    ap.add_argument("--actor-cpus", type=float, default=1.0,
                    help="CPUs per shard actor (1 here: the job has no read tasks to starve)")
    ap.add_argument("--skip-local", action="store_true", help="Ray only (no baseline)")
    args = ap.parse_args()
    x = vectors(args.n, "clustered")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vectors"
        write_vectors(folder, x)
        print(f"n={args.n:,} d={x.shape[1]} k={args.k} index={args.index} "
              f"shards={args.shards} block={args.block}")
        local = None
        if not args.skip_local:
            local, secs, gb = run_local(x, args.k, args.index)
            print(f"single-process: {secs:8.1f} s  extra peak {gb:5.2f} GB")
        rows, raw, secs, gb, startup, marks, blocks = run_ray(
            folder, args.n, args.k, args.index, args.shards, args.block, args.query_fraction,
            args.actor_cpus)
    total_blocks = -(-args.n // args.block)
    per_block = np.diff(marks).mean() if len(marks) > 1 else float("nan")
    print(f"ray ({args.shards} shards): {secs:8.1f} s  extra peak {gb:5.2f} GB  (shard "
          f"load/build {marks[0] - startup if marks else 0:.1f} s after {startup:.1f} s of "
          f"ray.init; {per_block:.2f} s per {args.block}-row query block, {blocks} of "
          f"{total_blocks} blocks run)")
    if blocks < total_blocks:
        est = secs + per_block * (total_blocks - blocks)
        print(f"ray, all {total_blocks} blocks (extrapolated from the measured per-block "
              f"time): {est:.0f} s")
    if local is not None:
        same = (local.indices[:len(rows)] == rows).all(1).mean()
        print(f"same lists: {same:.4%} of {len(rows):,} products identical "
              f"(single-process vs ray, same k)")
    if args.index == "approximate" and len(rows) == args.n:
        scores, dists = to_score_distance(raw, "cosine")
        found = Neighbors(rows, scores, dists, "cosine")
        print(f"recall@{args.k} on a 1,000-row sample: ray {sample_recall(x, found):.4f}"
              + (f", single-process {sample_recall(x, local):.4f}" if local is not None else ""))


if __name__ == "__main__":
    main()
