"""The typical group size: a fixed 20 against the size chosen per catalog
(core.lists.groups.suggested_size), by agreement with the shops' own categories.

    .venv/bin/python bench/group_size.py

Agreement = adjusted mutual information (AMI) of the Groups page's default grouping
(agglomerative) with a category column. Catalogs: walmart.csv (2,554 products, 63
categories; the demo), 5,000 random amazon.csv rows (706 categories), zh-dev
classify_titles (1,000 Chinese titles, 136 fine classes; the multilingual model), and
small shops made of whole categories (a random 5, 10, 20 or 40 categories of one of them
with up to 6, 12 or 30 products each, 3 draws): a shop's categories hold a handful of
products each whatever its size, which a random sample of a large catalog does not show.
"best" is the size of the grid that agrees best (an oracle that reads the categories);
"fixed" the old default, min(20, n // 2). English titles through the bundled model,
vectors from the workspace's store. Not a test.

Measured 2026-12-06 (2-core Intel Xeon, AMX), mean AMI over 96 catalogs: fixed 20 0.623,
chosen 0.789, best of the grid 0.816; chosen >= fixed on 90% of them. Small shops (6 or 12
products per category): fixed 0.42-0.76, chosen 0.62-0.95. walmart.csv 0.410 -> 0.423
(size 30), amazon 5,000 0.449 -> 0.474 (size 50), zh-dev 0.719 -> 0.746 (size 16; its
best, 8, reads 0.784). Choosing took at most 0.27 s (5,000 products). walmart + amazon
stacked (24,628 products, a /work-only run): size 200, 123 groups, AMI 0.415 at 20 -> 0.512,
choosing 0.5-1.1 s.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from chinese_quality import embed
from common import SHARED
from sklearn.metrics import adjusted_mutual_info_score

from core.lists.groups import SIZE_GRID, cluster_labels, suggested_size
from core.search.exact import topk

SHOPS = ((6, (5, 10, 20, 40)), (12, (5, 10, 20, 40)), (30, (5, 10, 20)))


def catalogs():
    a = pd.read_csv(SHARED / "walmart-amazon" / "amazon.csv", dtype=str, keep_default_na=False)
    yield "amazon", a.title.tolist(), a.category.to_numpy(), None
    w = pd.read_csv(SHARED / "walmart-amazon" / "walmart.csv", dtype=str, keep_default_na=False)
    yield "walmart", w.title.tolist(), w.category.to_numpy(), None
    z = pd.read_csv(SHARED / "zh-dev" / "classify_titles.tsv", sep="\t", dtype=str)
    yield "zh-dev", z.title.tolist(), z.fine.to_numpy(), "multilingual"


def measure(vectors: np.ndarray, cats: np.ndarray) -> dict:
    n = len(vectors)
    pool = topk(vectors, 10)
    t = time.perf_counter()
    chosen = suggested_size(vectors, pool)
    secs = time.perf_counter() - t

    def ami(size: int) -> float:
        return adjusted_mutual_info_score(cats, cluster_labels(vectors, size=size, neighbors=pool))

    grid = {s: ami(s) for s in SIZE_GRID if n >= 2 * s and s <= 40}
    fixed = min(20, n // 2)
    best = max(grid, key=grid.get)
    return {"n": n, "categories": len(set(cats)), "fixed": grid.get(fixed, ami(fixed)),
            "chosen": grid.get(chosen, ami(chosen)) if n >= 2 * chosen else ami(chosen),
            "best": grid[best], "chosen_size": chosen, "best_size": best, "seconds": secs}


def main() -> None:
    rows = []
    for name, texts, cats, model in catalogs():
        vectors = embed(texts, model)
        if name == "amazon":
            pick = np.random.default_rng(0).choice(len(texts), 5000, replace=False)
            rows.append({"catalog": "amazon 5,000", **measure(vectors[pick], cats[pick])})
        else:
            rows.append({"catalog": name, **measure(vectors, cats)})
        counts = pd.Series(cats).value_counts()
        for per, shops in SHOPS:
            usable = counts[counts >= min(per, 5)].index.to_numpy()
            for c in (c for c in shops if c <= len(usable)):
                for seed in range(3):
                    rng = np.random.default_rng(seed)
                    chosen = rng.choice(usable, c, replace=False)
                    pick = np.concatenate([rng.permutation(np.flatnonzero(cats == k))[:per]
                                           for k in chosen])
                    rows.append({"catalog": f"{name} {c} categories x {per}",
                                 **measure(vectors[pick], cats[pick])})
        print(f"{name} done", flush=True)
    frame = pd.DataFrame(rows)
    table = frame.groupby("catalog", sort=False).mean(numeric_only=True)
    pd.set_option("display.width", 160)
    print(table.round(3).to_string())
    print(f"\nmean AMI over {len(frame)} catalogs: fixed 20 {frame.fixed.mean():.3f}, "
          f"chosen {frame.chosen.mean():.3f}, best of the grid {frame.best.mean():.3f}; "
          f"chosen >= fixed on {(frame.chosen >= frame.fixed - 1e-9).mean():.0%}; "
          f"choosing took at most {frame.seconds.max():.2f} s")


if __name__ == "__main__":
    main()
