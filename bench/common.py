"""Shared helpers for benchmark scripts (not tests): data paths and loaders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"


def abt_buy() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(abt, buy, gold) from ../shared/benchmarks/abt-buy (latin-1 files)."""
    folder = SHARED / "abt-buy"
    abt = pd.read_csv(folder / "Abt.csv", encoding="latin-1", dtype=str, keep_default_na=False)
    buy = pd.read_csv(folder / "Buy.csv", encoding="latin-1", dtype=str, keep_default_na=False)
    gold = pd.read_csv(folder / "abt_buy_perfectMapping.csv", dtype=str)
    return abt, buy, gold


def walmart() -> pd.DataFrame:
    return pd.read_csv(SHARED / "walmart-amazon" / "walmart.csv", dtype=str,
                       keep_default_na=False)


def retrieval_metrics(ranked: np.ndarray, truth: list[set[int]]) -> dict[str, float]:
    """Recall@1, Recall@10, MRR of ranked (q, K) row indices against true sets."""
    r1 = r10 = mrr = 0.0
    for row, good in zip(ranked, truth):
        hits = [i for i, c in enumerate(row) if int(c) in good]
        if hits:
            r1 += hits[0] == 0
            r10 += hits[0] < 10
            mrr += 1.0 / (hits[0] + 1)
    n = len(truth)
    return {"recall@1": r1 / n, "recall@10": r10 / n, "mrr": mrr / n}


def category_precision(neighbors: np.ndarray, categories: np.ndarray) -> float:
    """Mean share of each product's neighbours with its category."""
    same = categories[neighbors] == categories[:, None]
    return float(same.mean())


def zh_search_set() -> tuple[list[str], list[str], np.ndarray]:
    """zh-dev search: (queries, catalog titles: the matched ones then the classify set's,
    the answer row of each query, -1 when none)."""
    pairs = pd.read_csv(SHARED / "zh-dev" / "query_item_pairs.tsv", sep="\t", dtype=str)
    served, titles = list(dict.fromkeys(pairs["query"])), list(dict.fromkeys(pairs.title))
    more = pd.read_csv(SHARED / "zh-dev" / "classify_titles.tsv", sep="\t", dtype=str).title
    titles += [t for t in dict.fromkeys(more) if t not in set(titles)]
    pos = {t: i for i, t in enumerate(titles)}
    answer = np.full(len(served), -1)
    for q, t, m in zip(pairs["query"], pairs.title, pairs.match):
        if m == "1":
            answer[served.index(q)] = pos[t]
    return served, titles, answer
