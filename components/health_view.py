"""List health in plain words: the figures of core.lists.health.ListHealth as a table."""

from __future__ import annotations

import pandas as pd

from components.i18n import t
from core.lists.health import ListHealth


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def health_rows(h: ListHealth) -> list[str]:
    """One value per row of plain_health_table, formatted for reading."""
    # the mean length with two decimals: 9.98, not "10.0" beside 99.6% of lists full
    return [_pct(h.coverage), f"{h.mean_length:.2f}", f"{h.orphans:,} ({h.orphan_share:.1%})",
            _pct(h.hub_share), f"{h.max_in_degree:,}", f"{h.gini:.2f}",
            _pct(h.category_agreement), _pct(h.brand_concentration)]


def plain_health_table(before: ListHealth, after: ListHealth) -> pd.DataFrame:
    """Measure, without rules, with your rules; measures named in plain words."""
    # a list holds the other n - 1 products at most: 4 products make full lists of 3, not of k
    names = [t("Products with a full list of {k}", k=min(after.k, max(after.n - 1, 0))),
             t("Average list length"),
             t("Products in nobody's list"),
             t("List places taken by the 1% most recommended products"),
             t("Most lists a single product appears in"),
             t("Unevenness (0 = all equally often, 1 = one product everywhere)"),
             t("Neighbours from the product's own category"),
             t("Share of a list taken by its most common brand")]
    return pd.DataFrame({"measure": names, t("without rules"): health_rows(before),
                         t("with your rules"): health_rows(after)})
