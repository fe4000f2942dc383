"""Time to re-apply rules after changing one, vs recomputing the neighbours.

    .venv/bin/python bench/rules_speed.py              # amazon.csv, first 10,000 rows
    .venv/bin/python bench/rules_speed.py --synthetic  # random vectors, no model needed
    .venv/bin/python bench/rules_speed.py --refill 50000  # completing short lists (same rule)

Real run: the first 10,000 products of ../shared/benchmarks/walmart-amazon/amazon.csv
(title embedded with the bundled MiniLM, vectors cached in bench/out/bench.sqlite;
category, brand, price mapped). The baseline measured in the same run is the
candidate-pool search (what the neighbours page would redo without a pool),
dense cosine and then the app's default hybrid (dense + lexical) retrieval.
Then the rules same=[category], max_per={brand: 2}, price_ratio=[0.5, 2.0] are
applied, and each edit below is timed (median of 3) on the same pool.

--refill N: a synthetic catalog of N products (60 categories of Zipf sizes,
clustered vectors, dense pool of 50) where a ``same category`` rule leaves most
lists short, so they are completed from each product's group. Timed: the
two-pass refill (core.lists.rules.REFILL_START first, then REFILL_DEPTH) against a
single pass at REFILL_DEPTH in the same run, and the lists compared.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from common import ROOT, SHARED

from core.catalog.table import ColumnMapping, build_catalog
from core.config import DEFAULT_HYBRID_WEIGHT, Config
from core.lists.rules import apply_config
from core.pipeline import candidate_pool

N = 10_000
BASE = {"same": ["category"], "max_per": {"brand": 2}, "price_ratio": [0.5, 2.0]}
EDITS = [
    ("max_per brand 2 -> 1", {**BASE, "max_per": {"brand": 1}}),
    ("price_ratio -> [0.7, 1.5]", {**BASE, "price_ratio": [0.7, 1.5]}),
    ("+ different brand", {**BASE, "different": ["brand"]}),
    ("+ min_score 0.5", {**BASE, "min_score": 0.5}),
    ("- same category", {k: v for k, v in BASE.items() if k != "same"}),
    ("+ diversity 0.3 (MMR)", {**BASE, "diversity": 0.3}),
]


def load(synthetic: bool):
    frame = pd.read_csv(SHARED / "walmart-amazon" / "amazon.csv", dtype=str,
                        keep_default_na=False).head(N)
    mapping = ColumnMapping(text_columns=("title",), id_column="id", category="category",
                            brand="brand", price="price")
    catalog = build_catalog(frame, mapping, name="amazon.csv[:10000]")
    if synthetic:
        return catalog, np.random.default_rng(0).normal(size=(N, 384)).astype(np.float32)
    from core.embed.encoders import BertEncoder
    from core.embed.store import EmbeddingStore, embed_with_store

    store = EmbeddingStore(ROOT / "bench" / "out" / "bench.sqlite")
    vectors = embed_with_store(BertEncoder(), catalog.texts, store).vectors
    store.close()
    return catalog, vectors


def timed(fn, repeats: int = 3) -> tuple[float, object]:
    """Median wall seconds of fn() (and its last result); CPU seconds in CPU_SECONDS."""
    times, cpu, out = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU_SECONDS.append(float(np.median(cpu)))
    return float(np.median(times)), out


CPU_SECONDS: list[float] = []  # the work done, steady when other jobs share the cores


def refill(n: int) -> None:
    import core.lists.rules as rules_mod
    from core.lists.select import REFILL_DEPTH

    rng = np.random.default_rng(0)
    sizes = 1 / np.arange(1, 61)
    cat = rng.choice(60, size=n, p=sizes / sizes.sum())
    centers = rng.normal(size=(200, 384))
    vectors = (centers[rng.integers(0, 200, n)] + 1.2 * rng.normal(size=(n, 384))).astype(np.float32)
    frame = pd.DataFrame({"id": [f"p{i}" for i in range(n)], "title": [f"item {i}" for i in range(n)],
                          "category": [f"c{c}" for c in cat],
                          "brand": [f"b{x}" for x in rng.integers(0, 300, n)],
                          "price": rng.uniform(5, 500, n).round(2)})
    mapping = ColumnMapping(text_columns=("title",), id_column="id", category="category",
                            brand="brand", price="price")
    catalog = build_catalog(frame, mapping)
    t_pool, pool = timed(lambda: candidate_pool(catalog, vectors, Config(hybrid_weight=0.0)), 1)
    print(f"{n:,} synthetic products, dense pool of {pool.k}: {t_pool:.1f} s")
    print("| rules (k=10) | short before refill | one pass at 2000 | two passes | same lists |")
    print("|---|---|---|---|---|")
    start = rules_mod.REFILL_START
    for rules in ({"same": ["category"]}, {"same": ["category"], "max_per": {"brand": 1}},
                  {"same": ["category"], "diversity": 0.3},
                  {"same": ["category"], "price_ratio": [0.9, 1.1]}):
        cfg = Config(hybrid_weight=0.0, rules=rules, k=10)
        plain = cfg.with_changes(rules={k: v for k, v in rules.items() if k != "diversity"})
        short = int((apply_config(catalog, pool, plain).lengths < 10).sum())  # no vectors: no refill
        rules_mod.REFILL_START = REFILL_DEPTH
        t_one, one = timed(lambda cfg=cfg: apply_config(catalog, pool, cfg, vectors=vectors), 1)
        rules_mod.REFILL_START = start
        t_two, two = timed(lambda cfg=cfg: apply_config(catalog, pool, cfg, vectors=vectors), 1)
        same = np.array_equal(one.neighbors.indices, two.neighbors.indices)
        print(f"| {rules} | {short:,} | {t_one:.1f} s | {t_two:.1f} s ({t_one / t_two:.1f}x) "
              f"| {same} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", action="store_true", help="random vectors (no model)")
    parser.add_argument("--refill", type=int, metavar="N",
                        help="time completing short lists on N synthetic products")
    args = parser.parse_args()
    if args.refill:
        refill(args.refill)
        return
    catalog, vectors = load(args.synthetic)
    for weight in (0.0, DEFAULT_HYBRID_WEIGHT):  # dense only, and the app's default
        run(catalog, vectors, weight, args.synthetic)


def run(catalog, vectors, hybrid_weight: float, synthetic: bool) -> None:
    cfg = Config(category_column="category", brand_column="brand", price_column="price",
                 k=10, rules=BASE, hybrid_weight=hybrid_weight)
    t_pool, pool = timed(lambda: candidate_pool(catalog, vectors, cfg), repeats=1)
    print(f"\n{len(catalog):,} products ({'synthetic vectors' if synthetic else 'MiniLM'}), "
          f"k=10, hybrid_weight {hybrid_weight}, pool depth {pool.k}")
    print(f"baseline: recompute the neighbours (top-{pool.k} search): {t_pool:.3f} s wall, "
          f"{CPU_SECONDS[-1]:.3f} s CPU")
    t_base, res = timed(lambda: apply_config(catalog, pool, cfg, vectors=vectors))
    print(f"apply {BASE}: {t_base:.3f} s wall, {CPU_SECONDS[-1]:.3f} s CPU  "
          f"(full lists {np.mean(res.lengths >= 10):.3f})")
    for name, rules in EDITS:
        new = cfg.with_changes(rules=rules)
        secs, res = timed(lambda new=new: apply_config(catalog, pool, new, vectors=vectors))
        print(f"  change one rule: {name:26s} {secs:.3f} s wall, {CPU_SECONDS[-1]:.3f} s CPU "
              f"({t_pool / secs:5.1f}x faster than recomputing; full lists "
              f"{np.mean(res.lengths >= 10):.3f})")


if __name__ == "__main__":
    main()
