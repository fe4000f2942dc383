"""Embedding throughput: our BertEncoder vs SentenceTransformer.encode, same texts, same run.

    .venv/bin/python bench/embedding.py [--n 2554] [--precisions fp32,bf16]

Prints texts/s for each and the minimum cosine of our vectors to the
SentenceTransformer fp32 vectors (the baseline).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import walmart

from core.encoders import BertEncoder, bundled_model_path


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2554)
    ap.add_argument("--precisions", default="fp32,bf16")
    args = ap.parse_args()
    texts = walmart()["title"].tolist()[: args.n]
    from sentence_transformers import SentenceTransformer

    st_model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    st_model.encode(texts[:64], batch_size=64)  # warm-up
    base, t_base = timed(lambda: st_model.encode(texts, batch_size=64,
                                                 normalize_embeddings=True))
    print(f"{len(texts)} walmart titles; torch threads: {__import__('torch').get_num_threads()}")
    print(f"{'SentenceTransformer.encode(batch_size=64)':44s} {len(texts) / t_base:8.1f} texts/s  "
          f"1.00x  (baseline)")
    for precision in args.precisions.split(","):
        enc = BertEncoder(precision=precision, batch_size=64)
        enc.encode(texts[:64])  # warm-up
        vecs, t = timed(lambda: enc.encode(texts))
        cos = (vecs * base).sum(1)
        print(f"{'BertEncoder precision=' + precision:44s} {len(texts) / t:8.1f} texts/s  "
              f"{t_base / t:4.2f}x  min cosine to baseline {cos.min():.5f}")


if __name__ == "__main__":
    main()
