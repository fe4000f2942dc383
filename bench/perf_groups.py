"""Product groups on 24,628 products: the old path (sklearn's connectivity-restricted Ward
on the 15-NN graph, dense c-TF-IDF) vs the new one (core.lists.groups: Ward in rounds of
mutual cheapest merges on the 10-NN graph, sparse c-TF-IDF), in the same run.

The catalog of the Groups page's slow case: walmart.csv + amazon.csv stacked (ids WM-/AZ-,
title), the bundled model, default settings; vectors and the candidate pool are made
once and cached under --cache (bench/perf_duplicates.prepared). Agreement with the
retailers' category column: NMI, ARI and purity (the share of products in their group's
most common category) on walmart's 2,554 rows (63 categories) and on every row with a
category. Labels: the old dense code and the new sparse one name the same groups alike.
"Only tight groups" (HDBSCAN): every pair (old) vs each product's 50 nearest (new) on the
first --hdbscan-rows products (the old way takes over ten minutes on all of them), and
the new way on all of them with the candidate pool. Not a test.

    PYTHONPATH=. .venv/bin/python bench/perf_groups.py [--cache /tmp/catsim_bench_duplicates]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.perf_duplicates import prepared


def old_cluster(unit: np.ndarray, n_clusters: int, pool) -> np.ndarray:
    """cluster_labels' agglomerative path before: sklearn Ward on the 15-NN graph."""
    from scipy.sparse import csr_matrix
    from sklearn.cluster import AgglomerativeClustering

    idx = pool.indices[:, :15]
    rows = np.repeat(np.arange(len(unit)), idx.shape[1])
    ok = idx.reshape(-1) >= 0
    graph = csr_matrix((np.ones(ok.sum()), (rows[ok], idx.reshape(-1)[ok])),
                       shape=(len(unit), len(unit)))
    model = AgglomerativeClustering(n_clusters=n_clusters, linkage="ward", connectivity=graph)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return model.fit_predict(unit)


def old_labels(texts: list[str], labels: np.ndarray, words: int = 3) -> dict[int, str]:
    """ctfidf_labels before: a dense (groups x vocabulary) matrix, one argsort per row."""
    from sklearn.feature_extraction.text import CountVectorizer

    from core.lists.groups import CJK_RUN, _label_terms, _overlaps, _whole_phrase

    groups = sorted(int(g) for g in np.unique(labels) if g >= 0)
    docs = [" ".join(texts[i] for i in np.nonzero(labels == g)[0]) for g in groups]
    vectorizer = CountVectorizer(analyzer=_label_terms)
    counts = vectorizer.fit_transform(docs).toarray().astype(np.float64)
    vocab = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(1, keepdims=True), 1.0)
    idf = np.log1p(counts.sum() / len(groups) / np.maximum(counts.sum(0), 1.0))
    scores = tf * idf[None, :]
    out = {}
    for row, g in enumerate(groups):
        best: list[str] = []
        for j in np.argsort(-scores[row], kind="stable"):
            if len(best) == words or scores[row, j] <= 0:
                break
            term = vocab[j]
            if CJK_RUN.fullmatch(term):
                if counts[row, j] < 2:
                    continue
                term = _whole_phrase(term, docs[row].lower())
            if not _overlaps(term, best):
                best.append(term)
        out[g] = ", ".join(best) or f"group {g}"
    return out


def agreement(labels: np.ndarray, categories: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    table = pd.crosstab(labels, categories)
    return {"NMI": normalized_mutual_info_score(categories, labels),
            "ARI": adjusted_rand_score(categories, labels),
            "purity": table.max(axis=1).sum() / len(labels)}


def main() -> int:
    from core.lists.groups import _renumber, _unit, cluster_labels, ctfidf_labels

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/catsim_bench_duplicates"))
    parser.add_argument("--size", type=int, default=20)
    parser.add_argument("--hdbscan-rows", type=int, default=5000)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    cat, vectors, _, pool, _ = prepared(args.cache)
    categories = cat.frame["category"].astype(str).to_numpy()
    walmart = np.char.startswith(np.asarray(cat.ids, dtype=str), "WM-")
    known = categories != ""
    n_clusters = len(vectors) // args.size
    runs = {}
    start = time.perf_counter()
    old = _renumber(old_cluster(_unit(vectors), n_clusters, pool))
    runs["old"] = [old, time.perf_counter() - start]
    start = time.perf_counter()
    new = cluster_labels(vectors, size=args.size, neighbors=pool)
    runs["new"] = [new, time.perf_counter() - start]
    rows = []
    for name, (labels, cluster_s) in runs.items():
        start = time.perf_counter()
        names = (old_labels if name == "old" else ctfidf_labels)(cat.texts, labels)
        label_s = time.perf_counter() - start
        runs[name] += [names, label_s]
        rows.append({"path": name, "groups": int(labels.max()) + 1,
                     **{f"walmart {k}": v for k, v in agreement(labels[walmart],
                                                                 categories[walmart]).items()},
                     **{f"all {k}": v for k, v in agreement(labels[known],
                                                             categories[known]).items()},
                     "cluster s": cluster_s, "labels s": label_s,
                     "total s": cluster_s + label_s})
    print(f"{len(vectors):,} products, {n_clusters:,} groups asked for")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    (_, old_c, _, old_l), (_, new_c, new_names, new_l) = runs["old"], runs["new"]
    print(f"clustering {old_c / new_c:.1f}x, labels {old_l / new_l:.1f}x, "
          f"total {(old_c + old_l) / (new_c + new_l):.1f}x faster")
    print("labels of the new groups, old dense code == new sparse code:",
          old_labels(cat.texts, new) == new_names)
    alone(vectors[walmart], categories[walmart], args.size)
    tight(vectors, pool, categories, args.size, args.hdbscan_rows)
    return 0


def alone(vectors: np.ndarray, categories: np.ndarray, size: int) -> None:
    """walmart.csv on its own (each product's 50 nearest by cosine as the graph)."""
    from core.lists.groups import _renumber, _unit, cluster_labels
    from core.search.exact import topk

    nearest = topk(_unit(vectors), 50)
    print(f"walmart.csv alone ({len(vectors):,} products, {len(vectors) // size} groups):")
    for name, make in (("old", lambda: _renumber(old_cluster(_unit(vectors), len(vectors) // size,
                                                             nearest))),
                       ("new", lambda: cluster_labels(vectors, size=size, neighbors=nearest))):
        start = time.perf_counter()
        labels = make()
        took = time.perf_counter() - start
        shown = ", ".join(f"{k} {v:.3f}" for k, v in agreement(labels, categories).items())
        print(f"  {name}: {took:.2f} s, {shown}")


def tight(vectors: np.ndarray, pool, categories: np.ndarray, size: int, rows: int) -> None:
    """HDBSCAN over every pair vs over the nearest: time, groups, share grouped, NMI of the
    grouped products with the category, agreement of the two."""
    from sklearn.cluster import HDBSCAN
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from core.lists.groups import _unit, cluster_labels

    def line(name, labels, seconds, cats):
        grouped = labels >= 0
        nmi = normalized_mutual_info_score(cats[grouped], labels[grouped])
        print(f"  {name:34s} {seconds:7.1f} s  {labels.max() + 1:4d} groups  "
              f"{grouped.mean():.1%} grouped  NMI {nmi:.3f}")

    print(f"only tight groups (HDBSCAN, min_cluster_size {size}):")
    part = vectors[:rows]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(_unit(part))
    line(f"old, every pair, {rows:,} rows", old, time.perf_counter() - start, categories[:rows])
    start = time.perf_counter()
    new = cluster_labels(part, method="hdbscan", size=size)
    line(f"new, 50 nearest, {rows:,} rows", new, time.perf_counter() - start, categories[:rows])
    print(f"  the same groups? ARI old/new {adjusted_rand_score(old, new):.3f}")
    start = time.perf_counter()
    every = cluster_labels(vectors, method="hdbscan", size=size, neighbors=pool)
    line(f"new, the pool, {len(vectors):,} rows", every, time.perf_counter() - start, categories)


if __name__ == "__main__":
    raise SystemExit(main())
