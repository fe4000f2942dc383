"""Duplicate groups that chain (connected components, the old default) vs groups around
the product kept (the new default), on Abt-Buy with its gold mapping.

Abt.csv + Buy.csv stacked (2,173 products; ids A-/B-; text: name), the bundled model,
default settings, the duplicate score of the Duplicate threshold page. Vectors are
embedded once and cached under --cache (default /tmp). For each threshold, both ways:

- groups, products in them, the largest group;
- chained: members with no pair at or above the threshold with the product kept, and
  chained_groups: the groups holding one;
- pair precision: of every two products sharing a group, the share the gold mapping
  calls the same item (the gold pairs are Abt-Buy pairs; each shop lists an item once);
- pair recall: of the gold pairs, the share put in one group;
- merge precision: of the merge map's rows (a duplicate -> the product kept), the share
  that are gold pairs; and the time. Not a test.

    PYTHONPATH=. .venv/bin/python bench/duplicate_chaining.py [--thresholds 0.95,0.9,0.8]
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import abt_buy


def prepared(cache: Path):
    from core.catalog.table import RawTable, build_catalog
    from core.config import Config
    from core.embed.encoders import load_encoder
    from core.pipeline import candidate_pool, neighbor_index

    abt, buy, gold = abt_buy()
    frame = pd.concat([abt.assign(id="A-" + abt["id"])[["id", "name", "price"]],
                       buy.assign(id="B-" + buy["id"])[["id", "name", "price"]]],
                      ignore_index=True)
    cfg = Config(id_column="id", text_columns=("name",), price_column="price")
    cat = build_catalog(RawTable(frame, "abt_buy.csv"), cfg.mapping(cfg.text_columns),
                        name="abt_buy.csv")
    path = cache / "abt_buy_name_vectors.npy"
    if path.exists():
        vectors = np.load(path)
    else:
        vectors = load_encoder(None).encode(cat.texts)
        np.save(path, vectors)
    index = neighbor_index(cat, vectors, cfg)
    pool = candidate_pool(cat, vectors, cfg, index=index)
    row = {v: i for i, v in enumerate(frame["id"])}
    truth = {frozenset((row["A-" + a], row["B-" + b])) for a, b in zip(gold.idAbt, gold.idBuy)
             if "A-" + a in row and "B-" + b in row}
    filled = (frame.astype(str).apply(lambda s: s.str.strip() != "")).sum(axis=1).to_numpy()
    return cat, vectors, index, pool, filled, truth


def figures(dups, truth: set[frozenset]) -> dict[str, float]:
    groups: dict[int, list[int]] = {}
    for r, g in enumerate(dups.group.tolist()):
        if g >= 0:
            groups.setdefault(g, []).append(r)
    pairs = {frozenset(p) for members in groups.values() for p in combinations(members, 2)}
    members = np.flatnonzero(dups.group >= 0)
    members = members[~np.isin(members, dups.canonical)]
    merged = {frozenset((int(m), int(dups.canonical[dups.group[m]]))) for m in members}
    score = dups.score_to_canonical[members]
    weak = ~(score >= dups.threshold)  # no pair at or above the threshold with the one kept
    return {"groups": dups.n_groups, "products": dups.n_products, "largest": dups.largest,
            "chained": dups.chained, "chained_groups": len(set(dups.group[members[weak]])),
            "pair_precision": len(pairs & truth) / max(len(pairs), 1),
            "pair_recall": len(pairs & truth) / len(truth),
            "merge_precision": len(merged & truth) / max(len(merged), 1)}


def main() -> int:
    from core.lists.duplicates import DuplicateScorer, duplicate_groups

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp"))
    parser.add_argument("--thresholds", default="0.95,0.9,0.85,0.8,0.75,0.7")
    args = parser.parse_args()
    _, _, index, pool, filled, truth = prepared(args.cache)
    scorer = DuplicateScorer(pool, lambda a, b: index.pair_scores(a, b).match)
    print(f"{pool.indices.shape[0]:,} products, {len(truth):,} gold pairs")
    rows = []
    for threshold in (float(x) for x in args.thresholds.split(",")):
        for chain in (True, False):
            start = time.perf_counter()
            dups = duplicate_groups(pool, threshold, completeness=filled, scorer=scorer,
                                    chain=chain)
            took = time.perf_counter() - start
            rows.append({"threshold": threshold, "way": "chain (old)" if chain else "lead (new)",
                         **figures(dups, truth), "seconds": round(took, 3)})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    old, new = table[table.way == "chain (old)"], table[table.way == "lead (new)"]
    ratio = new.pair_precision.to_numpy() / np.maximum(old.pair_precision.to_numpy(), 1e-9)
    print("pair precision new/old per threshold:",
          ", ".join(f"{t:g}: {r:.2f}x" for t, r in zip(old.threshold, ratio)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
