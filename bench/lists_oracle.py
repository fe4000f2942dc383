"""Identical lists before and after a refactor: run the CLI of two source trees on the
shared benchmark catalogs and compare every list (ids, ranks, scores).

    python bench/lists_oracle.py --tree /path/to/old/checkout --out bench/out/oracle-old
    python bench/lists_oracle.py --tree . --out bench/out/oracle-new
    python bench/lists_oracle.py --compare bench/out/oracle-old bench/out/oracle-new

Both runs share one workspace (--workspace), so each text is embedded once. The CLI
is the interface both trees have in common; it goes through the same pipeline as
the app (catalog -> store -> neighbour index -> rules -> export).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
CASES = {
    "abt-default": ["abt-buy/Abt.csv", "--text-cols", "name"],
    "abt-dense": ["abt-buy/Abt.csv", "--text-cols", "name", "--hybrid-weight", "0"],
    "abt-lexical": ["abt-buy/Abt.csv", "--text-cols", "name", "--hybrid-weight", "1"],
    "buy-euclidean": ["abt-buy/Buy.csv", "--text-cols", "name", "--metric", "euclidean"],
    "walmart-default": ["walmart-amazon/walmart.csv", "--text-cols", "title"],
    "walmart-fields": ["walmart-amazon/walmart.csv", "--text-cols", "title",
                       "--field-weights", "title=1,brand=0.5,modelno=1"],
    "walmart-rules": ["walmart-amazon/walmart.csv", "--text-cols", "title", "--same", "category",
                      "--different", "brand", "--max-per", "brand=2"],
    "walmart-dense-k20": ["walmart-amazon/walmart.csv", "--text-cols", "title",
                          "--hybrid-weight", "0", "--k", "20"],
    # 22,074 rows: above the int8-tile threshold (20,000), the fast exact path.
    "amazon-default": ["walmart-amazon/amazon.csv", "--text-cols", "title"],
    "amazon-dense": ["walmart-amazon/amazon.csv", "--text-cols", "title", "--hybrid-weight", "0"],
}


def run(tree: Path, out: Path, workspace: Path, cases: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    for name in cases:
        args = CASES[name]
        start = time.perf_counter()
        cmd = [python, "-m", "core", "neighbors", str(DATA / args[0]), *args[1:],
               "--out", str(out / f"{name}.parquet"), "--workspace", str(workspace)]
        subprocess.run(cmd, cwd=tree, check=True, stderr=subprocess.DEVNULL)
        print(f"{name:20s} {time.perf_counter() - start:6.1f} s")


def compare(a: Path, b: Path, cases: list[str]) -> int:
    bad = 0
    for name in cases:
        x = pd.read_parquet(a / f"{name}.parquet")
        y = pd.read_parquet(b / f"{name}.parquet")
        same_ids = len(x) == len(y) and (x[["source_id", "rank", "neighbor_id"]].to_numpy()
                                         == y[["source_id", "rank", "neighbor_id"]].to_numpy()).all()
        diff = float(np.abs(x["score"].to_numpy() - y["score"].to_numpy()).max()) \
            if len(x) == len(y) else float("nan")
        ok = same_ids and diff == 0.0
        bad += not ok
        print(f"{name:20s} rows {len(x):7,d} / {len(y):7,d}  same lists: {same_ids}  "
              f"max |score diff|: {diff:.3g}  {'IDENTICAL' if ok else 'DIFFERENT'}")
    return 1 if bad else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tree", type=Path, default=Path("."))
    p.add_argument("--out", type=Path)
    p.add_argument("--workspace", type=Path, default=Path("bench/out/oracle-workspace"))
    p.add_argument("--compare", nargs=2, type=Path)
    p.add_argument("--cases", default=",".join(CASES),
                   help=f"comma-separated, of: {', '.join(CASES)}")
    args = p.parse_args()
    cases = [c for c in args.cases.split(",") if c]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        p.error(f"unknown case(s): {', '.join(unknown)}")
    if args.compare:
        return compare(*args.compare, cases)
    run(args.tree.resolve(), args.out.resolve(), args.workspace.resolve(), cases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
