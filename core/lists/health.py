"""List health without labels: is every product served, and fairly?

For final lists (n, k) (short lists padded with -1):

- coverage: share of products with a full list of k;
- orphans: products never recommended by anyone (in-degree 0);
- hubs: the in-degree distribution; hub share = share of all list slots taken
  by the most-recommended 1 % of products (1 % of k when lists are uniform);
- category agreement@k: share of list entries in the product's own category;
- brand concentration: mean share of the most frequent brand within a list.

Compare before (the pool's best k) and after rules with :func:`health_table`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.search.neighbors import Neighbors

HUB_TOP_SHARE = 0.01


@dataclass(frozen=True)
class ListHealth:
    """Figures of one set of lists. in_degree: (n,) int64 times each product is recommended."""

    n: int
    k: int
    coverage: float
    mean_length: float
    orphans: int
    in_degree: np.ndarray
    hub_share: float
    max_in_degree: int
    gini: float
    category_agreement: float | None
    brand_concentration: float | None

    @property
    def orphan_share(self) -> float:
        return self.orphans / self.n if self.n else 0.0


def list_health(lists: Neighbors, *, k: int | None = None, categories: np.ndarray | None = None,
                brands: np.ndarray | None = None) -> ListHealth:
    """Health of lists (n, w). k: the intended length (default w).

    categories / brands: (n,) int codes with -1 for unknown (core.lists.spec.column_codes).
    """
    idx = lists.indices
    n, width = idx.shape
    k = width if k is None else int(k)
    valid = idx >= 0
    lengths = valid.sum(1)
    full = min(k, max(n - 1, 0))
    in_degree = np.bincount(idx[valid], minlength=n).astype(np.int64)
    slots = int(valid.sum())
    top = max(1, int(np.ceil(HUB_TOP_SHARE * n)))
    hub = np.sort(in_degree)[::-1][:top].sum() / slots if slots else 0.0
    return ListHealth(
        n=n, k=k, coverage=float((lengths >= full).mean()) if n else 0.0,
        mean_length=float(lengths.mean()) if n else 0.0,
        orphans=int((in_degree == 0).sum()), in_degree=in_degree, hub_share=float(hub),
        max_in_degree=int(in_degree.max()) if n else 0, gini=gini(in_degree),
        category_agreement=None if categories is None else _agreement(idx, valid, categories),
        brand_concentration=None if brands is None else _concentration(idx, valid, brands))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, -> 1 = one takes all)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    total = x.sum()
    if len(x) == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, len(x) + 1)
    return float((2 * (ranks * x).sum() / (len(x) * total)) - (len(x) + 1) / len(x))


def _agreement(idx: np.ndarray, valid: np.ndarray, codes: np.ndarray) -> float | None:
    src = codes[:, None]
    known = valid & (src >= 0)
    if not known.any():
        return None
    same = codes[np.clip(idx, 0, None)] == src
    return float((same & known).sum() / known.sum())


def _concentration(idx: np.ndarray, valid: np.ndarray, codes: np.ndarray) -> float | None:
    nb = np.where(valid, codes[np.clip(idx, 0, None)], -1)
    lengths = (nb >= 0).sum(1)
    rows = lengths > 0
    if not rows.any():
        return None
    srt = np.sort(nb[rows], axis=1)
    run = np.ones(srt.shape, dtype=np.int64)
    for j in range(1, srt.shape[1]):
        same = (srt[:, j] == srt[:, j - 1]) & (srt[:, j] >= 0)
        run[:, j] = np.where(same, run[:, j - 1] + 1, 1)
    run[srt < 0] = 0
    return float((run.max(1) / lengths[rows]).mean())


def health_table(before: ListHealth, after: ListHealth) -> pd.DataFrame:
    """Side-by-side figures: metric, before, after."""
    def rows(h: ListHealth) -> dict[str, float | int | None]:
        return {f"coverage@{h.k} (full lists)": round(h.coverage, 4),
                "mean list length": round(h.mean_length, 2),
                "orphans (never recommended)": h.orphans,
                "orphan share": round(h.orphan_share, 4),
                "hub share (top 1% of products)": round(h.hub_share, 4),
                "max in-degree": h.max_in_degree,
                "in-degree Gini": round(h.gini, 4),
                f"category agreement@{h.k}": _round(h.category_agreement),
                "brand concentration": _round(h.brand_concentration)}
    a, b = rows(before), rows(after)
    return pd.DataFrame({"metric": list(a), "before rules": list(a.values()),
                         "after rules": list(b.values())})


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def top_hubs(ids: np.ndarray, titles: list[str], health: ListHealth, *,
             top: int = 20) -> pd.DataFrame:
    """The most-recommended products: product_id, title, in_degree (products in no list
    are left out: they are the orphans, not hubs)."""
    order = np.argsort(-health.in_degree, kind="stable")[:top]
    order = order[health.in_degree[order] > 0]
    return pd.DataFrame({"product_id": np.asarray(ids, dtype=object)[order],
                         "title": np.asarray(titles, dtype=object)[order],
                         "in_degree": health.in_degree[order]})


def in_degree_figure(before: ListHealth, after: ListHealth):
    """Bars: how many products appear in 0, 1, 2, ... lists, before and after rules
    (one series when the rules change nothing). Linear axes, whole-number ticks."""
    import plotly.graph_objects as go

    top = int(max(before.in_degree.max(initial=0), after.in_degree.max(initial=0)))
    same = np.array_equal(before.in_degree, after.in_degree)
    series = [("your lists", after)] if same else [("without rules", before),
                                                    ("with your rules", after)]
    fig = go.Figure()
    tallest = 0
    for name, h in series:
        counts = np.bincount(h.in_degree, minlength=top + 1)
        tallest = max(tallest, int(counts.max(initial=0)))
        fig.add_trace(go.Bar(x=np.arange(top + 1), y=counts, name=name,
                             hovertemplate="%{y} products appear in %{x} lists<extra></extra>"))
    fig.update_layout(barmode="group", bargap=0.15, height=360, showlegend=not same,
                      legend={"orientation": "h", "y": 1.1},
                      xaxis={"title": {"text": "appears in this many other products' lists"},
                             "tickformat": "d", "rangemode": "tozero", **_whole(top)},
                      yaxis={"title": {"text": "products"}, "tickformat": ",d",
                             "rangemode": "tozero", **_whole(tallest)},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def _whole(top: int) -> dict:
    """A tick at every whole number up to a small top (plotly's own steps of 0.2 read
    0, 0, 0, 1, 1, 1 under a whole-number format); plotly's spacing above it."""
    return {"dtick": 1, "tick0": 0} if top < 10 else {}
