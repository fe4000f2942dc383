"""Similarity quality of the default pipeline on the shared benchmarks.

    .venv/bin/python bench/quality.py

Abt->Buy same-product retrieval on `name` (every Abt record with a gold match
ranks all Buy records) and walmart category precision@10 on `title`.
Reference (../shared/benchmarks/README.md): MiniLM 0.722 / 0.966 / 0.810; 0.660.
"""

from __future__ import annotations

import time

from common import abt_buy, category_precision, retrieval_metrics, walmart

from core.embed.encoders import BertEncoder
from core.search.exact import topk


def main() -> None:
    encoder = BertEncoder()
    abt, buy, gold = abt_buy()
    t = time.perf_counter()
    a = encoder.encode(abt["name"].tolist())
    b = encoder.encode(buy["name"].tolist())
    pos_abt = {v: i for i, v in enumerate(abt["id"])}
    pos_buy = {v: i for i, v in enumerate(buy["id"])}
    truth: dict[int, set[int]] = {}
    for ia, ib in zip(gold["idAbt"], gold["idBuy"]):
        if ia in pos_abt and ib in pos_buy:
            truth.setdefault(pos_abt[ia], set()).add(pos_buy[ib])
    queries = sorted(truth)
    nb = topk(b, 10, queries=a[queries], exclude_self=False)
    m = retrieval_metrics(nb.indices, [truth[q] for q in queries])
    print(f"Abt->Buy ({len(queries)} queries, name, cosine): recall@1 {m['recall@1']:.3f}  "
          f"recall@10 {m['recall@10']:.3f}  MRR {m['mrr']:.3f}   (reference MiniLM 0.722/0.966/0.810)")
    w = walmart()
    v = encoder.encode(w["title"].tolist())
    nbw = topk(v, 10)
    p = category_precision(nbw.indices, w["category"].to_numpy())
    print(f"walmart category precision@10 (title, cosine): {p:.3f}   (reference MiniLM 0.660)")
    print(f"total {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
