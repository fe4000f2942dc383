"""List health before and after category / brand / price rules on walmart.csv.

    .venv/bin/python bench/list_health.py            # health figures
    .venv/bin/python bench/list_health.py --groups   # + HDBSCAN vs agglomerative

Embeds walmart.csv titles with the bundled MiniLM (vectors cached in
bench/out/bench.sqlite), builds the candidate pool (200 deep with filter rules;
dense cosine, then the app's default hybrid dense + lexical) and prints
coverage@10, orphans, hub share, category agreement and brand concentration for
the plain top-10 (baseline, same run) and for the rules
same=[category], max_per={brand: 2}, price_ratio=[0.5, 2.0].

--groups: clusters the same vectors with both methods at several sizes and
prints NMI / ARI against the retailer's categories, the share of products
grouped and seconds, the measurement behind core.lists.groups.DEFAULT_METHOD.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import ROOT, walmart

from core.catalog.table import ColumnMapping, build_catalog
from core.config import DEFAULT_HYBRID_WEIGHT, Config
from core.lists.health import health_table, list_health
from core.lists.rules import apply_config
from core.lists.spec import column_codes
from core.pipeline import candidate_pool

RULES = {"same": ["category"], "max_per": {"brand": 2}, "price_ratio": [0.5, 2.0]}


def walmart_vectors():
    from core.embed.encoders import BertEncoder
    from core.embed.store import EmbeddingStore, embed_with_store

    frame = walmart()
    mapping = ColumnMapping(text_columns=("title",), id_column="id", category="category",
                            brand="brand", price="price")
    catalog = build_catalog(frame, mapping, name="walmart.csv")
    store = EmbeddingStore(ROOT / "bench" / "out" / "bench.sqlite")
    vectors = embed_with_store(BertEncoder(), catalog.texts, store).vectors
    store.close()
    return catalog, vectors


def health(catalog, vectors, hybrid_weight: float) -> None:
    cfg = Config(category_column="category", brand_column="brand", price_column="price",
                 k=10, rules=RULES, hybrid_weight=hybrid_weight)
    t = time.perf_counter()
    pool = candidate_pool(catalog, vectors, cfg)
    t_pool = time.perf_counter() - t
    t = time.perf_counter()
    result = apply_config(catalog, pool, cfg, vectors=vectors)
    t_rules = time.perf_counter() - t
    cats, brands = column_codes(catalog.frame["category"]), column_codes(catalog.frame["brand"])
    before = list_health(pool.head(10), k=10, categories=cats, brands=brands)
    after = list_health(result.neighbors, k=10, categories=cats, brands=brands)
    print(f"\nwalmart.csv: {len(catalog):,} products, title, bundled MiniLM, cosine, "
          f"hybrid_weight {hybrid_weight}, pool depth {pool.k}")
    print(f"rules: {RULES}")
    print(health_table(before, after).to_string(index=False))
    print(f"short lists after rules: {result.n_short:,}; candidates removed per rule: "
          f"{result.removed}")
    print(f"pool (top-{pool.k} search) {t_pool:.3f} s; applying the rules {t_rules:.3f} s")


def feasible_coverage(catalog, k: int = 10) -> float:
    """Share of products for which k neighbours satisfying RULES exist at all (exhaustive)."""
    from core.lists.pricecheck import parse_prices

    cats, brands = column_codes(catalog.frame["category"]), column_codes(catalog.frame["brand"])
    prices = parse_prices(catalog.frame["price"])
    full = 0
    for i in range(len(catalog)):
        ratio = prices / prices[i]
        ok = (cats == cats[i]) | (cats[i] < 0)
        ok &= np.isnan(prices[i]) | ((ratio >= 0.5) & (ratio <= 2.0))
        ok[i] = False
        b = brands[ok]
        capped = np.minimum(np.bincount(b[b >= 0]), RULES["max_per"]["brand"]).sum()
        full += capped + (b < 0).sum() >= k
    return full / len(catalog)


def groups(catalog, vectors) -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from core.lists.groups import cluster_labels
    from core.search.exact import topk

    truth = column_codes(catalog.frame["category"])
    knn = topk(vectors, 15)
    print(f"\ngroups vs retailer categories ({len(set(truth))} categories), "
          f"{len(catalog):,} products")
    print(f"{'method':14s} {'size':>8s} {'groups':>6s} {'grouped':>8s} {'NMI':>6s} "
          f"{'ARI':>6s} {'NMI(grouped)':>12s} {'seconds':>8s}")
    for method in ("hdbscan", "agglomerative"):
        for size in (5, 10, 20, 40):
            t = time.perf_counter()
            labels = cluster_labels(vectors, method=method, size=size, neighbors=knn)
            secs = time.perf_counter() - t
            g = labels >= 0
            # Ungrouped products count as singletons for NMI / ARI over everything.
            full = np.where(g, labels, labels.max() + 1 + np.arange(len(labels)))
            print(f"{method:14s} {size:8d} {labels.max() + 1:6d} {g.mean():8.3f} "
                  f"{normalized_mutual_info_score(truth, full):6.3f} "
                  f"{adjusted_rand_score(truth, full):6.3f} "
                  f"{normalized_mutual_info_score(truth[g], labels[g]):12.3f} {secs:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", action="store_true", help="also compare clustering methods")
    args = parser.parse_args()
    catalog, vectors = walmart_vectors()
    print(f"upper bound on coverage@10 (products with >= 10 rule-abiding candidates in the "
          f"whole catalog): {feasible_coverage(catalog):.3f}")
    for weight in (0.0, DEFAULT_HYBRID_WEIGHT):  # dense only, and the app's default
        health(catalog, vectors, weight)
    if args.groups:
        groups(catalog, vectors)


if __name__ == "__main__":
    main()
