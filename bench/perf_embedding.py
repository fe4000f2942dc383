"""Embedding throughput: BertEncoder per precision vs SentenceTransformer.encode, same texts.

    .venv/bin/python bench/perf_embedding.py [--n 4000] [--precisions auto,fp32,onnx] [--rounds 2]

Texts: walmart + amazon titles from ../shared/benchmarks (real product titles).
Baseline: SentenceTransformer(bundled MiniLM).encode(batch_size=64), timed in
the same process, alternating with ours each round. Every precision's vectors
are compared with our torch fp32 vectors: the minimum cosine over all texts
must be >= 0.999 for the precision to count. On a CUDA machine add fp16.

Tried 2026-12-07 on an Intel Xeon with AMX (2 cores; ``--precisions fp32,onnx,bf16``): onnx
1.36x / 1.45x the baseline, torch fp32 1.47x / 1.61x, bf16 autocast 2.77x / 3.14x (min cosine
to fp32 0.999970). "auto" as bf16 on CPUs with AMX (amx_bf16 in /proc/cpuinfo; a /work-only
branch) left bench/score_quality.py's valid and test figures the same to 3 decimals, but
fine-tuning with it (the catalog embedded, hard negatives mined and the tuned model
validated in bf16) lost 3 queries on each valid catalog (bench/finetune_abt_buy.py --prices,
multilingual start, 2 passes: abt-buy 0.917 -> 0.893, walmart-amazon 0.692 -> 0.677; the
whole walmart job 423 s -> 285 s). Not kept: "auto" stays fp32 (torch or ONNX Runtime).

Since 2026-12-07 "auto" on a CPU picks the engine at run time (core.embed.cpu): torch fp32 on
Intel processors when torch is built with MKL, ONNX Runtime elsewhere (MKL's generic paths
on an AMD EPYC Zen 3: onnx 3.38x / 3.29x the baseline against torch fp32 1.18x). The same
run on the Intel Xeon with AMX: auto (as fp32) 1.47x / 1.36x, fp32 1.42x / 1.54x, onnx
1.38x / 1.50x, min cosine 1.000000 for all; loading + 128 texts 0.6 s (auto) against 5.3 s
with the ONNX export onnx makes first (MiniLM; the 12-layer multilingual copy's: 13-27 s,
470 MB). At one thread, as each Ray embedding actor runs (torch.set_num_threads(1), 2,000
titles, two rounds; a /work-only script): torch fp32 6.7 / 6.6 s, ONNX Runtime 7.5 / 7.1 s, so
the Ray engine's CPU actors take the same run-time choice.
Rerun 2026-12-07 on a second AMD EPYC Zen 3 (family 25, model 1, AVX2; 2 cores, idle): auto (as
onnx) 1.55x / 1.54x the baseline, fp32 1.36x / 1.50x, onnx 1.56x / 1.53x, min cosine 1.000000;
loading and exporting + 128 texts 5.9 s against 0.8 s through torch. The multilingual copy
(bench-free /work-only script, 2,000 demo titles): torch 138 texts/s, ONNX 154/s after a 25 s
export. With the test suite running on the same 2 cores ONNX Runtime was 1.9x torch (MiniLM, 256
titles): "auto" keeps ONNX Runtime on processors other than Intel (core/embed/cpu.py).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import pandas as pd
from common import SHARED, walmart

from core.embed import cpu
from core.embed.encoders import BertEncoder, bundled_model_path


def titles(n: int) -> list[str]:
    amazon = pd.read_csv(SHARED / "walmart-amazon" / "amazon.csv", dtype=str,
                         keep_default_na=False)["title"].tolist()
    texts = [t for t in walmart()["title"].tolist() + amazon if t.strip()]
    return list(dict.fromkeys(texts))[:n]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    import torch

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--precisions", default="auto,fp32,onnx")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    texts = titles(args.n)
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    st_model = SentenceTransformer(str(bundled_model_path()), device=device)
    ours = {p: BertEncoder(precision=p, device=device) for p in args.precisions.split(",")}
    reference = BertEncoder(precision="fp32", device=device)
    st_model.encode(texts[:128], batch_size=64)
    os.environ["CATSIM_CACHE"] = tempfile.mkdtemp(prefix="catsim-cache-")  # exports made here
    for name, enc in ours.items():
        _, t = timed(lambda enc=enc: enc.encode(texts[:128]))  # warm-up: load (and export)
        made = " and exporting" if enc.precision == "onnx" else ""
        print(f"{name}: runs as {enc.precision}; loading{made} + 128 texts {t:.1f} s")
    ref = reference.encode(texts)
    print(f"{len(texts):,} product titles, device {device}, torch threads "
          f"{torch.get_num_threads()}; processor {cpu.vendor() or 'unknown'}, "
          f"auto runs {cpu.auto_engine()} here")
    for r in range(args.rounds):
        _, t_base = timed(lambda: st_model.encode(texts, batch_size=64,
                                                  normalize_embeddings=True))
        print(f"round {r + 1}: {'SentenceTransformer.encode(batch_size=64)':42s} "
              f"{len(texts) / t_base:7.1f} texts/s  1.00x (baseline)", flush=True)
        for name, enc in ours.items():
            vecs, t = timed(lambda enc=enc: enc.encode(texts))
            cos = (vecs * ref).sum(1)
            print(f"round {r + 1}: {'BertEncoder precision=' + name:42s} "
                  f"{len(texts) / t:7.1f} texts/s  {t_base / t:4.2f}x  "
                  f"min cosine to fp32 {cos.min():.6f}", flush=True)


if __name__ == "__main__":
    main()
