"""Refilling short lists under a same rule: the relevance floor's meaning scores.

    .venv/bin/python bench/candidate_scale.py [--n 24628]

Refill (core.lists.refill) calls the floor's meaning (NeighborIndex.meaning ->
channels.candidate_dense) once per group block: many small calls against the whole
catalog. Before, each call also worked out the norm of every product's vector; a
DenseChannel now holds them (corpus_scale). Prints the seconds of the same calls both
ways, in one run, and that the scores are the same.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from core.search.channels import DenseChannel, candidate_dense


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=24_628)
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.n, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    channel = DenseChannel(vectors, "cosine")
    # a refill block: a few short rows of one group against its first 64 members
    calls = [(rng.integers(0, args.n, 8), rng.integers(0, args.n, (8, 64)))
             for _ in range(args.calls)]
    candidate_dense(vectors[:2], vectors, calls[0][1][:2], "cosine")  # compile (numba)
    start = time.perf_counter()
    before = [candidate_dense(vectors[r], vectors, c, "cosine") for r, c in calls]
    old = time.perf_counter() - start
    start = time.perf_counter()
    after = [candidate_dense(vectors[r], vectors, c, "cosine", corpus_scale=channel.corpus_scale)
             for r, c in calls]
    new = time.perf_counter() - start
    same = all(np.array_equal(a, b) for a, b in zip(before, after))
    print(f"{args.calls} calls of 8 rows x 64 candidates against {args.n:,} products: "
          f"{old:.3f} s -> {new:.3f} s ({old / new:.1f}x); the same scores: {same}")


if __name__ == "__main__":
    main()
