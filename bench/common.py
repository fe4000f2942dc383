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
