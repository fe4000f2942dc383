"""Compare two configurations' lists for the same products.

Per product: overlap@k = |A ∩ B| / max(|A|, |B|) over the first k of each (|A| = k unless
rules or the relevance floor cut the list; two empty lists overlap fully) and a rank
correlation (Spearman over the union of both lists, an item missing from one list ranked
k + 1 there). The biggest movers are the products whose lists changed most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import CatalogSimilarityError
from core.search.neighbors import Neighbors


@dataclass(frozen=True)
class Comparison:
    """overlap, rank_corr: (n,) float64 (rank_corr NaN when undefined: < 2 items or constant)."""

    overlap: np.ndarray
    rank_corr: np.ndarray
    k: int

    @property
    def mean_overlap(self) -> float:
        return float(np.mean(self.overlap)) if len(self.overlap) else 0.0

    @property
    def mean_rank_corr(self) -> float:
        ok = np.isfinite(self.rank_corr)
        return float(self.rank_corr[ok].mean()) if ok.any() else float("nan")

    @property
    def identical(self) -> int:
        return int((self.overlap == 1.0).sum())


def compare_lists(a: Neighbors, b: Neighbors, *, k: int | None = None) -> Comparison:
    """Compare lists a and b (n, *) over the same rows; the first k of each (-1 = none)."""
    if a.indices.shape[0] != b.indices.shape[0]:
        raise CatalogSimilarityError("the two configurations list different products "
                                     f"({a.indices.shape[0]} vs {b.indices.shape[0]})")
    k = int(k or max(a.k, b.k))
    ia, ib = _cut(a.indices, k), _cut(b.indices, k)
    match = (ia[:, :, None] == ib[:, None, :]) & (ia[:, :, None] >= 0)
    in_b = match.any(2)
    # over the longer list, not k: identical lists cut short by rules or the relevance
    # floor read 1 (they read |A| / k and did not count as identical)
    longer = np.maximum((ia >= 0).sum(1), (ib >= 0).sum(1))
    overlap = np.where(longer > 0, in_b.sum(1) / np.maximum(longer, 1), 1.0)
    rank_b_of_a = np.where(in_b, match.argmax(2) + 1, k + 1)
    ranks_a = np.where(ia >= 0, np.arange(1, k + 1)[None, :], np.nan)
    rank_b_of_a = np.where(ia >= 0, rank_b_of_a, np.nan)
    only_b = (ib >= 0) & ~match.any(1)
    ra = np.concatenate([ranks_a, np.where(only_b, k + 1.0, np.nan)], axis=1)
    rb = np.concatenate([rank_b_of_a, np.where(only_b, np.arange(1, k + 1)[None, :], np.nan)],
                        axis=1)
    return Comparison(overlap.astype(np.float64), _rowwise_pearson(ra, rb), k)


def _cut(idx: np.ndarray, k: int) -> np.ndarray:
    out = np.full((idx.shape[0], k), -1, dtype=np.int64)
    w = min(k, idx.shape[1])
    out[:, :w] = idx[:, :w]
    return out


def _rowwise_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson correlation per row over entries where both are finite; NaN if undefined."""
    ok = np.isfinite(x) & np.isfinite(y)
    cnt = ok.sum(1)
    x0, y0 = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
    safe = np.maximum(cnt, 1)
    mx, my = x0.sum(1) / safe, y0.sum(1) / safe
    dx, dy = np.where(ok, x - mx[:, None], 0.0), np.where(ok, y - my[:, None], 0.0)
    num = (dx * dy).sum(1)
    den = np.sqrt((dx * dx).sum(1) * (dy * dy).sum(1))
    out = np.full(len(x), np.nan)
    good = (cnt >= 2) & (den > 0)
    out[good] = num[good] / den[good]
    return out


def movers(ids: np.ndarray, titles: list[str], comparison: Comparison, a: Neighbors,
           b: Neighbors, *, top: int = 20) -> pd.DataFrame:
    """Products whose lists changed most (lowest overlap, then lowest rank correlation)."""
    corr = np.nan_to_num(comparison.rank_corr, nan=-2.0)
    order = np.lexsort((corr, comparison.overlap))[:top]
    ids = np.asarray(ids, dtype=object)
    k = comparison.k

    def names(idx: np.ndarray, other: np.ndarray) -> str:
        return ", ".join(str(ids[i]) for i in idx[:k] if i >= 0 and i not in set(other[:k]))

    return pd.DataFrame({
        "product_id": ids[order], "title": np.asarray(titles, dtype=object)[order],
        "overlap": comparison.overlap[order].round(3),
        "rank_corr": comparison.rank_corr[order].round(3),
        "only_in_a": [names(a.indices[r], b.indices[r]) for r in order],
        "only_in_b": [names(b.indices[r], a.indices[r]) for r in order]})


def side_by_side(ids: np.ndarray, titles: list[str], a: Neighbors, b: Neighbors,
                 row: int) -> pd.DataFrame:
    """One product's two lists next to each other: rank, a_id, a_title, a_score, b_..."""
    ids, titles = np.asarray(ids, dtype=object), np.asarray(titles, dtype=object)
    k = max(a.k, b.k)
    data: dict[str, object] = {"rank": np.arange(1, k + 1)}
    for name, nb in (("a", a), ("b", b)):
        idx = _cut(nb.indices[row:row + 1], k)[0]
        scores = np.full(k, np.nan)
        scores[:min(k, nb.k)] = nb.scores[row, :k]
        data[f"{name}_id"] = np.where(idx >= 0, ids[np.clip(idx, 0, None)], "")
        data[f"{name}_title"] = np.where(idx >= 0, titles[np.clip(idx, 0, None)], "")
        data[f"{name}_score"] = np.round(scores, 4)
    return pd.DataFrame(data)


def overlap_figure(comparison: Comparison):
    """Histogram of overlap@k per product (plotly)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Histogram(x=comparison.overlap, nbinsx=comparison.k + 1))
    fig.update_layout(height=320, xaxis={"title": {"text": f"overlap@{comparison.k}"}},
                      yaxis={"title": {"text": "products"}},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig
