"""A warm nightly run: every text already in the embedding store, before and after.

    .venv/bin/python bench/warm_nightly.py [--before REV] [--runs 3] [CATALOG]

Runs ``python -m core neighbors CATALOG`` (default: the abt-buy Buy.csv) as a nightly
job does, in a fresh process each time, with the code at git revision REV (default
f60c3ad, where the encoder loaded the model to compute its store key) and with this
working tree. One cold run fills a temporary workspace's store (both share it: the key
is the same); then each side runs --runs warm times, alternating. Prints the median
wall time of each, the ratio, and whether this tree's warm run loaded the model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUY = Path("/work/shared/benchmarks/abt-buy/Buy.csv")
# Prints whether the model was loaded and torch imported, after the job, in one process.
PROBE = ("import runpy, sys; from core.embed import bert\n"
         "loads = []; original = bert._load\n"
         "bert._load = lambda *a: loads.append(1) or original(*a)\n"
         "sys.argv = ['core'] + sys.argv[1:]\n"
         "try:\n    runpy.run_module('core', run_name='__main__')\n"
         "except SystemExit as exc:\n"
         "    print(f'exit {exc.code}; model loaded: {bool(loads)}; '\n"
         "          f'torch imported: {\"torch\" in sys.modules}', file=sys.stderr)\n")


def run(code: Path, catalog: Path, workspace: Path, out: Path, *, probe: bool = False) -> float:
    argv = ["neighbors", str(catalog), "--out", str(out), "--workspace", str(workspace), "-q"]
    cmd = [sys.executable, "-c", PROBE, *argv] if probe else [sys.executable, "-m", "core", *argv]
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{code}: exit {done.returncode}\n{done.stderr}")
    if probe:
        print(f"  this tree, warm: {done.stderr.strip().splitlines()[-1]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("catalog", nargs="?", type=Path, default=BUY)
    ap.add_argument("--before", default="f60c3ad")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="warm_nightly.") as tmp:
        before = Path(tmp) / "before"
        before.mkdir()
        archive = subprocess.run(["git", "archive", args.before, "core"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        workspace, out = Path(tmp) / "ws", Path(tmp) / "lists.csv"
        cold = run(ROOT, args.catalog, workspace, out)
        print(f"cold run (fills the store): {cold:.1f} s")
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.runs):
            times["before"].append(run(before, args.catalog, workspace, out))
            times["after"].append(run(ROOT, args.catalog, workspace, out))
        run(ROOT, args.catalog, workspace, out, probe=True)
    b, a = statistics.median(times["before"]), statistics.median(times["after"])
    print(f"warm run, {args.catalog.name}: before ({args.before}) {b:.2f} s, "
          f"after (this tree) {a:.2f} s, {b / a:.2f}x faster (median of {args.runs})")


if __name__ == "__main__":
    main()
