"""The filter rules as one (c, m) mask over candidate rows (core.lists.rules.apply_rules).

:class:`Features` holds the per-product arrays the rules read, :class:`Floor` the
relevance floor; :func:`filter_candidates` applies every filter at once and counts
what each removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.lists.spec import Rules

RELEVANCE = "relevance floor"
VARIANTS = "other colours and sizes"
SHARED_WORD = 1e-6  # the words-only floor: a words score above 0, a word in common


@dataclass(frozen=True)
class Floor:
    """The relevance floor: candidates whose meaning score (meaning(rows, idx) -> (c, m),
    NaN for padding; with words alone, the words score) is below threshold, or whose list
    score is below min_score (the score of the same share of random pairs; None: not
    checked), are left out; so are products with no text (blank, when the lists read no
    photos), for which every other product is as close as any."""

    threshold: float
    meaning: Callable[[np.ndarray, np.ndarray], np.ndarray]
    min_score: float | None = None
    blank: np.ndarray | None = None  # (n,) bool: products with no text, related to none


@dataclass(frozen=True)
class Features:
    """Per-product arrays the rules read: codes (n,) int64, prices (n,) float, stock (n,) bool."""

    same: tuple[tuple[str, np.ndarray], ...]
    different: tuple[tuple[str, np.ndarray], ...]
    max_per: tuple[tuple[str, np.ndarray, int], ...]
    prices: np.ndarray | None
    stock: np.ndarray | None
    variants: np.ndarray | None = None  # (n,) family codes (core.lists.variants), -1 = none


def filter_candidates(rows: np.ndarray, cand: tuple[np.ndarray, ...], n: int,
                      feats: Features, rules: Rules, dup: float | None, block_keys: np.ndarray,
                      removed: dict[str, int], floor: Floor | None = None,
                      per_row: dict[str, np.ndarray] | None = None,
                      meaning: np.ndarray | None = None) -> np.ndarray:
    """(c, m) bool: candidates (indices, scores, ...) of these rows passing every filter.

    floor: the relevance floor (None: off); meaning: (c, m) the candidates' meaning
    scores when known (a pool's own), else the floor computes them; per_row:
    name -> (n,) counts of candidates each filter removed per row, updated in place."""
    idx, scores = cand[0], cand[1]
    ok = idx >= 0
    nb = np.clip(idx, 0, None)
    checks: list[tuple[str, np.ndarray]] = []
    for col, codes in feats.same:
        src = codes[rows][:, None]
        checks.append((f"same {col}", (src < 0) | (codes[nb] == src)))
    for col, codes in feats.different:
        src = codes[rows][:, None]
        checks.append((f"different {col}", (src < 0) | (codes[nb] != src)))
    if feats.variants is not None:
        src = feats.variants[rows][:, None]
        checks.append((VARIANTS, (src < 0) | (feats.variants[nb] != src)))
    if feats.prices is not None:
        low, high = rules.price_ratio
        src = feats.prices[rows][:, None]
        ratio = feats.prices[nb] / src
        checks.append(("price ratio", np.isnan(src) | ((ratio >= low) & (ratio <= high))))
    if rules.min_score is not None:
        checks.append(("min score", scores >= rules.min_score))
    if dup is not None:
        checks.append(("duplicate", scores < dup))
    if feats.stock is not None:
        checks.append(("in stock", feats.stock[nb]))
    if len(block_keys):
        checks.append(("blocked", ~np.isin(rows[:, None] * n + nb, block_keys)))
    if floor is not None:
        known = floor.meaning(rows, idx) if meaning is None else meaning
        related = known >= floor.threshold
        if floor.min_score is not None:
            related &= scores >= floor.min_score
        if floor.blank is not None:
            related &= ~floor.blank[nb] & ~floor.blank[rows][:, None]
        checks.append((RELEVANCE, related))
    passed = ok.copy()
    for name, mask in checks:
        fails = ok & ~mask
        removed[name] = removed.get(name, 0) + int(fails.sum())
        if per_row is not None:
            per_row.setdefault(name, np.zeros(n, dtype=np.int64))[rows] += fails.sum(1)
        passed &= mask
    return passed
