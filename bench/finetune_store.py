"""What the embedding store saves around a fine-tuning job, through the CLI as a merchant runs it.

    .venv/bin/python bench/finetune_store.py                          # abt-buy
    .venv/bin/python bench/finetune_store.py --dataset walmart-amazon # 24.6k rows

The two shops are one catalog CSV (title/name and price columns), the training pairs
are pairs_train.csv's positives (as bench/finetune_abt_buy.py trains), in a fresh
workspace. The run, each command timed as a whole process:

1. ``neighbors`` with the current (bundled) model: the lists a merchant has before;
2. ``finetune`` (the default recipe: the multilingual copy trained, 2 passes) with the
   store: the job embeds the catalog with the model to train and, at validation, with
   the new model, and keeps both in the store;
3. ``neighbors --model <new> --no-store``: the first lists with the new model as they
   were before the job kept its vectors (the catalog embedded again with it);
4. ``neighbors --model <new>``: the same lists, the vectors reused from the store;
5. ``finetune`` again (another --out): a second run on the same catalog, its model to
   train's vectors reused.

Printed: each step's seconds and what it embedded, and the ratios 3/4 (first lists
with the new model) and 2/5 (a second job), measured in the same run.

Measured 2026-12-07 (Intel Xeon, 2 cores, load 0.1-0.4; the lists from steps 3 and 4
identical):
  abt-buy (2,173 products, 616 pairs): first lists with the new model 16.3 s -> 2.9 s
      (5.5x); a second job 114.1 s -> 100.2 s (1.14x)
  walmart-amazon (24,628 products, 576 pairs): first lists 133.6 s -> 14.1 s (9.5x); a
      second job 408.5 s -> 288.1 s (1.42x); the job and its first lists 542 s -> 423 s
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pandas as pd
from finetune_abt_buy import load, split_pairs

ROOT = Path(__file__).resolve().parent.parent


def write_inputs(dataset: str, folder: Path) -> tuple[Path, Path]:
    left, right, col, _extra, _gold, to_row = load(dataset)
    frame = pd.concat([left[[col, "price"]], right[[col, "price"]]], ignore_index=True)
    frame.insert(0, "rid", [f"L{i}" for i in range(len(left))] +
                 [f"R{i}" for i in range(len(right))])
    catalog = folder / "catalog.csv"
    frame.to_csv(catalog, index=False)
    tr = split_pairs(dataset, "train")
    tr = tr[tr.label == 1]
    pairs = pd.DataFrame({"left_id": [f"L{to_row[0](v)}" for v in tr.ltable_id],
                          "right_id": [f"R{to_row[1](v)}" for v in tr.rtable_id]})
    path = folder / "pairs.csv"
    pairs.to_csv(path, index=False)
    return catalog, path


def cli(*args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stderr


def embedded(err: str) -> str:
    found = re.findall(r"embedded [\d,]+, reused [\d,]+ from the store", err)
    return "; ".join(found) or "-"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="abt-buy", choices=["abt-buy", "walmart-amazon"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        catalog, pairs = write_inputs(args.dataset, tmp)
        ws = tmp / "ws"
        read = [str(catalog), "--id-col", "rid", "--text-cols",
                "name" if args.dataset == "abt-buy" else "title", "--price-col", "price",
                "--workspace", str(ws)]
        rows = len(pd.read_csv(catalog))
        print(f"{args.dataset}: {rows:,} products, {len(pd.read_csv(pairs)):,} training pairs; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        steps = {}
        steps["1 lists, current model"] = cli("neighbors", *read, "--out", str(tmp / "l0.csv"))
        tuned = ws / "models" / "tuned"
        steps["2 finetune"] = cli("finetune", *read, "--pairs", str(pairs), "--out", str(tuned),
                                  "--keep-always")
        steps["3 lists, new model, no store"] = cli(
            "neighbors", *read, "--model", str(tuned), "--no-store", "--out", str(tmp / "l1.csv"))
        steps["4 lists, new model, store"] = cli(
            "neighbors", *read, "--model", str(tuned), "--out", str(tmp / "l2.csv"))
        steps["5 finetune again"] = cli("finetune", *read, "--pairs", str(pairs), "--out",
                                        str(ws / "models" / "tuned2"), "--keep-always")
        same = pd.read_csv(tmp / "l1.csv").equals(pd.read_csv(tmp / "l2.csv"))
        for name, (seconds, err) in steps.items():
            print(f"  {name:32s} {seconds:7.1f} s   {embedded(err)}")
        s = {k: v[0] for k, v in steps.items()}
        print(f"first lists with the new model: {s['3 lists, new model, no store']:.1f} s -> "
              f"{s['4 lists, new model, store']:.1f} s "
              f"({s['3 lists, new model, no store'] / s['4 lists, new model, store']:.1f}x); "
              f"lists identical: {same}")
        print(f"a second job: {s['2 finetune']:.1f} s -> {s['5 finetune again']:.1f} s "
              f"({s['2 finetune'] / s['5 finetune again']:.2f}x)")
        print(f"merchant's path (job, then its first lists): "
              f"{s['2 finetune'] + s['3 lists, new model, no store']:.1f} s -> "
              f"{s['2 finetune'] + s['4 lists, new model, store']:.1f} s")


if __name__ == "__main__":
    main()
