"""The fine-tuning job's "choosing weight" phase: the current model's held-out lists at the
weight in use only, against at every weight of the grid (before 2026-12-07), in one run.

    .venv/bin/python bench/finetune_weight_choice.py                          # abt-buy
    .venv/bin/python bench/finetune_weight_choice.py --dataset walmart-amazon

The catalog and held-out products are the ones ``python -m core finetune`` builds from
pairs_train.csv's positives (bench/finetune_abt_buy.py's training_data, prices mapped);
the current model is the bundled MiniLM with its calibration. The phase computes the
tuned model's lists at every weight (unchanged, not timed here) and the current model's:
these are timed both ways, each the best of --repeat runs, and their R@1 at the weight in
use compared (the same lists either way).

Measured 2026-12-07 (Intel Xeon, 2 cores, load 0.8-2.0; R@1 at 0.7 the same both ways):
  abt-buy (2,173 products, 61 held-out): 2.1 s -> 0.3 s (7.9x)
  walmart-amazon (24,628 products, 54 held-out): 35.1 s -> 7.0 s (5.0x), of a phase of
      about 65 s in the whole job (bench/finetune_abt_buy.py's phase seconds)
"""

from __future__ import annotations

import argparse
import os
import time
from types import SimpleNamespace

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
from finetune_abt_buy import load, training_data

from core.config import Config
from core.embed.encoders import load_encoder
from core.finetune.calibrate import Corpus
from core.finetune.weight import WEIGHT_GRID, pipeline_scores
from core.search.calibration import BUNDLED
from core.search.channels import catalog_index


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="abt-buy", choices=["abt-buy", "walmart-amazon"])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    left, right, col, extra, _gold, to_row = load(args.dataset)
    opts = SimpleNamespace(dataset=args.dataset, prices=True, model_numbers=False,
                           self_supervised=False, with_views=0, ss_pairs=0)
    catalog, rows, data = training_data(opts, left, right, col, extra, to_row, len(left))
    t0 = time.perf_counter()
    vectors = load_encoder("bundled").encode(catalog.texts)
    print(f"{args.dataset}: {len(catalog):,} products, {len(data.valid)} held-out queries; "
          f"embedded in {time.perf_counter() - t0:.0f} s; {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}")
    corpus = Corpus(vectors, catalog_index(catalog), rows, catalog.texts, None,
                    catalog.price_evidence())
    weight = Config().hybrid_weight
    timed = {}
    for name, weights in (("every weight (before)", WEIGHT_GRID), ("weight in use (now)", (weight,))):
        best = np.inf
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            scores = pipeline_scores(corpus, data.valid, BUNDLED, weights=weights)
            best = min(best, time.perf_counter() - t0)
        at = min(scores, key=lambda s: abs(s.weight - weight))
        timed[name] = best
        print(f"  current model's lists, {name:22s} {len(weights):2d} weights: {best:6.1f} s; "
              f"R@1 at {weight:g}: {at.recall_at_1:.3f}, MRR {at.mrr:.3f}")
    a, b = timed.values()
    print(f"the current model's part of the phase: {a:.1f} s -> {b:.1f} s ({a / b:.1f}x)")


if __name__ == "__main__":
    main()
