"""Re-uploading a catalog with 1% of rows edited: only those rows are embedded again.

    .venv/bin/python bench/perf_incremental.py [--n 5000] [--edited 0.01]

Real product titles (walmart + amazon). First upload: empty store, every text
embedded. Second upload: the same catalog with a seeded 1% of titles edited;
the store (keyed by model identity + text hash) returns the rest. Prints
embedded / reused counts and times of both, in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from perf_embedding import titles

from core.embed.encoders import load_encoder
from core.embed.store import EmbeddingStore, embed_with_store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--edited", type=float, default=0.01)
    args = ap.parse_args()
    texts = titles(args.n)
    rng = np.random.default_rng(0)
    edited = rng.choice(len(texts), size=max(1, int(len(texts) * args.edited)), replace=False)
    second = list(texts)
    for i in edited:
        second[i] = second[i] + " (new version)"
    encoder = load_encoder(None)
    encoder.encode(texts[:64])
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddingStore(Path(tmp) / "store.sqlite")
        for label, batch in (("first upload", texts), ("re-upload, 1% edited", second)):
            start = time.perf_counter()
            result = embed_with_store(encoder, batch, store)
            seconds = time.perf_counter() - start
            print(f"{label:22s} {len(batch):,} rows: embedded {result.embedded:,}, reused "
                  f"{result.reused:,}, {seconds:.1f} s", flush=True)
        store.close()
    print(f"(edited rows: {len(edited):,}; the app's toast and the neighbours caption show "
          "the same two counts)")


if __name__ == "__main__":
    main()
