"""Duplicate groups at a new threshold: the old per-threshold scoring vs the new code.

The catalog of the Groups page's slow case: walmart.csv + amazon.csv of the shared
walmart-amazon benchmark stacked (24,628 products; ids WM-/AZ-), the bundled model,
default settings. Vectors are embedded once and cached under --cache (default /tmp).
For each threshold: the old function (a copy of duplicate_groups before this change,
scoring every pool pair above the threshold both ways again on each call) and the new
one (core.lists.groups.duplicate_groups, with a DuplicateScorer kept across thresholds
as the Groups page keeps it); groups are checked equal. Not a test.

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
    """duplicate_groups as it was before the shared scorer (no per-category thresholds)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from core.lists.duplicates import _MAX_EXACT_GROUP, DuplicateGroups
    from core.search.exact import pairwise_scores
    from core.search.neighbors import METRICS

    n = pool.indices.shape[0]
    src = np.repeat(np.arange(n), pool.indices.shape[1])
    dst, sc = pool.indices.reshape(-1), pool.scores.reshape(-1)
    edge = (dst >= 0) & (sc >= threshold)
    src, dst, sc = src[edge], dst[edge], sc[edge]
    if both_ways is not None and len(src):
        sc = np.asarray(both_ways(src, dst), dtype=np.float32)
        keep = sc >= threshold
        src, dst, sc = src[keep], dst[keep], sc[keep]
    graph = coo_matrix((sc.astype(np.float64), (src, dst)), shape=(n, n)).tocsr()
    _, comp = connected_components(graph, directed=True, connection="weak")
    sizes = np.bincount(comp, minlength=comp.max() + 1 if n else 0)
    multi = np.nonzero(sizes >= 2)[0]
    group = np.full(n, -1, dtype=np.int64)
    score = np.full(n, np.nan, dtype=np.float32)
    canon: list[int] = []
    sym = graph.maximum(graph.T).tocsr()
    fill = np.zeros(n) if completeness is None else np.asarray(completeness, dtype=np.float64)
    exact = pool.metric in METRICS
    order = np.argsort(comp, kind="stable")
    starts = np.searchsorted(comp[order], multi)
    by_first = sorted(zip(multi, starts), key=lambda cs: int(order[cs[1]]))
    for g, (c, start) in enumerate(by_first):
        members = order[start:start + sizes[c]]
        if vectors is not None and exact and len(members) <= _MAX_EXACT_GROUP:
            sims = pairwise_scores(vectors[members], metric=pool.metric).astype(np.float64)
        else:
            sims = sym[members][:, members].toarray()
            sims[sims == 0] = np.nan
        np.fill_diagonal(sims, 0.0)
        best = members[np.lexsort((members, -fill[members], -np.nansum(sims, axis=1)))[0]]
        group[members] = g
        canon.append(int(best))
        score[members] = sims[:, np.nonzero(members == best)[0][0]]
        score[best] = np.nan
    canonical = np.array(canon, dtype=np.int64)
    unknown = np.flatnonzero((group >= 0) & np.isnan(score))
    unknown = unknown[~np.isin(unknown, canonical)]
    if both_ways is not None and len(unknown):
        to = canonical[group[unknown]]
        score[unknown] = np.asarray(both_ways(unknown, to), dtype=np.float32)
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
                               both_ways=both, scorer=scorer)
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
