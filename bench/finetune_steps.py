"""Fine-tuning step time: fp32 vs bf16 autocast, max_tokens 128 vs the catalog's length cap.

    .venv/bin/python bench/finetune_steps.py            # Abt/Buy names
    .venv/bin/python bench/finetune_steps.py --long     # name + description

One training step = 32 pairs + 32 negatives through core.finetune.train._batch_loss and
backward, on the bundled MiniLM. Configurations alternate step by step (each sees the
same machine load); the first round warms up; medians are printed with the ratio to
fp32 at max_tokens 128 measured in the same run. The cap is the 99th percentile of the
texts' token lengths rounded up to 8 (core.finetune.train.length_cap's rule).

Measured 2026-12-03 (2 shared cores, AVX512-BF16, load 10-11): names 7.00 s -> bf16
3.41 s per step (2.05x); name + description 31.3 s -> 11.0 s (2.84x); the cap made no
difference on names (batches are already padded per length-sorted chunk).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")



import numpy as np
import torch
from common import abt_buy

import core.finetune.train as F
from core.embed.encoders import BertEncoder
from core.finetune.settings import FinetuneSettings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--steps", type=int, default=4)
    args = ap.parse_args()
    torch.set_num_threads(2)
    abt, buy, _ = abt_buy()
    if args.long:
        ta = (abt["name"] + " " + abt["description"]).tolist()
        tb = (buy["name"] + " " + buy["description"]).tolist()
    else:
        ta, tb = abt["name"].tolist(), buy["name"].tolist()
    base = BertEncoder(precision="fp32")
    lengths = base.token_lengths(ta + tb)
    cap = F.length_cap(base, ta + tb, 512)
    print(f"token lengths: median {np.median(lengths):.0f}, p95 {np.percentile(lengths, 95):.0f}, "
          f"p99 {np.percentile(lengths, 99):.0f}, max {lengths.max()}; cap {cap}")
    rng = np.random.default_rng(0)
    configs = [("fp32 max128", False, 128), ("bf16 max128", True, 128),
               ("fp32 cap", False, cap), ("bf16 cap", True, cap)]
    if cap >= 128:
        configs = configs[:2]
    s0 = FinetuneSettings()
    model = F._load_trainable(base, s0, "cpu")
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    times = {c[0]: [] for c in configs}
    for step in range(args.steps + 1):
        for name, bf16, mt in configs:
            idx = rng.choice(len(ta), 32, replace=False)
            texts = ([ta[i] for i in idx], [tb[i % len(tb)] for i in idx],
                     [tb[(i + 7) % len(tb)] for i in idx])
            masks = (torch.zeros(32, 64, dtype=torch.bool), torch.zeros(32, 32, dtype=torch.bool))
            s = FinetuneSettings(max_tokens=mt)
            t = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = F._batch_loss(model, base.tokenizer, texts, masks, s, "cpu")
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            if step:  # the first round warms up
                times[name].append(time.perf_counter() - t)
    ref = np.median(times[configs[0][0]])
    for name, _, _ in configs:
        med = np.median(times[name])
        print(f"{name:12s} median step {med:.2f} s  ({ref / med:.2f}x vs fp32 max128)")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
