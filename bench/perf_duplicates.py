"""Duplicate groups at a new threshold: the old per-threshold scoring vs the new code.

The catalog of the Groups page's slow case: walmart.csv + amazon.csv of the shared
walmart-amazon benchmark stacked (24,628 products; ids WM-/AZ-), the bundled model,
default settings. Vectors are embedded once and cached under --cache (default /tmp).
For each threshold: the old function (duplicate_groups before this change, the oracle of
tests/lists/test_duplicates.py: every pool pair above the threshold scored both ways
again on each call) and the new
one (core.lists.groups.duplicate_groups(chain=True), with a DuplicateScorer kept across
thresholds as the Groups page keeps it); groups are checked equal. Not a test. (Groups
around a lead, the default since, are measured in bench/duplicate_chaining.py.)

    PYTHONPATH=. .venv/bin/python bench/perf_duplicates.py [--thresholds 0.95,0.7,0.5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SHARED


def stacked_csv(cache: Path) -> Path:
    path = cache / "walmart_amazon_stacked.csv"
    if not path.exists():
        folder = SHARED / "walmart-amazon"
        parts = []
        for name, prefix in (("walmart.csv", "WM-"), ("amazon.csv", "AZ-")):
            frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
            frame["id"] = prefix + frame["id"]
            parts.append(frame[["id", "title", "category", "brand", "price"]])
        pd.concat(parts, ignore_index=True).to_csv(path, index=False)
    return path


def prepared(cache: Path):
    from core.catalog.table import build_catalog, read_table
    from core.config import Config
    from core.embed.encoders import load_encoder
    from core.pipeline import candidate_pool, neighbor_index

    table = read_table(stacked_csv(cache))
    cfg = Config(id_column="id", text_columns=("title",), category_column="category",
                 brand_column="brand", price_column="price")
    cat = build_catalog(table, cfg.mapping(cfg.text_columns), name="walmart_amazon.csv")
    vec_path = cache / "walmart_amazon_vectors.npy"
    if vec_path.exists():
        vectors = np.load(vec_path)
    else:
        start = time.perf_counter()
        vectors = load_encoder(None).encode(cat.texts)
        np.save(vec_path, vectors)
        print(f"embedded {len(cat):,} texts in {time.perf_counter() - start:.0f} s", flush=True)
    index = neighbor_index(cat, vectors, cfg)
    start = time.perf_counter()
    pool = candidate_pool(cat, vectors, cfg, index=index)
    index.anchors()
    print(f"{len(cat):,} products, pool {pool.indices.shape}, "
          f"searched in {time.perf_counter() - start:.0f} s", flush=True)
    filled = (cat.frame.astype(str).apply(lambda s: s.str.strip() != "")).sum(axis=1).to_numpy()
    return cat, vectors, index, pool, filled


def old_duplicate_groups(pool, threshold, *, vectors=None, completeness=None, both_ways=None):
    """duplicate_groups as it was before the shared scorer: the oracle of
    tests/lists/test_duplicates.py (one copy of the old computation)."""
    import importlib.util

    from core.lists.duplicates import DuplicateGroups

    path = Path(__file__).resolve().parent.parent / "tests" / "lists" / "test_duplicates.py"
    spec = importlib.util.spec_from_file_location("duplicates_oracle", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    group, canonical, score = module.oracle(pool, threshold, vectors=vectors,
                                            completeness=completeness, both_ways=both_ways)
    return DuplicateGroups(group, canonical, score, float(threshold))


def same(a, b) -> bool:
    return (np.array_equal(a.group, b.group) and np.array_equal(a.canonical, b.canonical)
            and np.array_equal(a.score_to_canonical, b.score_to_canonical, equal_nan=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.95,0.7,0.5,0.6")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/catsim_bench_duplicates"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    from core.lists.groups import DuplicateScorer, duplicate_groups

    _, vectors, index, pool, filled = prepared(args.cache)
    both = lambda a, b: index.pair_scores(a, b).match
    scorer = DuplicateScorer(pool, both)
    old_total = new_total = 0.0
    for threshold in [float(x) for x in args.thresholds.split(",")]:
        start = time.perf_counter()
        old = old_duplicate_groups(pool, threshold, vectors=vectors, completeness=filled,
                                   both_ways=both)
        old_s = time.perf_counter() - start
        start = time.perf_counter()
        new = duplicate_groups(pool, threshold, vectors=vectors, completeness=filled,
                               both_ways=both, scorer=scorer, chain=True)
        new_s = time.perf_counter() - start
        old_total, new_total = old_total + old_s, new_total + new_s
        print(f"threshold {threshold:.2f}: {old.n_groups:,} groups; old {old_s:6.2f} s, "
              f"new {new_s:6.2f} s ({old_s / max(new_s, 1e-9):.1f}x); same groups: "
              f"{same(old, new)}", flush=True)
    print(f"all thresholds: old {old_total:.1f} s, new {new_total:.1f} s "
          f"({old_total / max(new_total, 1e-9):.1f}x; the new total includes scoring the pool "
          f"once)")


if __name__ == "__main__":
    main()
