"""The rules specification: :class:`Rules`, the validated form of ``Config.rules``.

Applying them is core.lists.rules.apply_rules (re-exported there with Rules).

Missing values: an empty source value puts no constraint on ``same`` or
``different``; an empty neighbour value fails ``same`` and passes ``different``;
empty values are not counted by ``max_per``. An unknown source price puts no
constraint on ``price_ratio``; an unknown neighbour price fails it.
Pinned pairs are always included (first, best score first) and bypass the
filters; blocked pairs never appear. Review decisions (accept -> pin, reject ->
block, both directions) are merged in when ``use_review`` is on; the explicit
``pinned`` / ``blocked`` lists win over them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from core.errors import ConfigError, did_you_mean

RULE_KEYS: dict[str, str] = {
    "same": "list of columns the neighbour must share with the product (e.g. [\"category\"])",
    "different": "list of columns the neighbour must differ in (e.g. [\"brand\"] for substitutes)",
    "max_per": "column -> int: at most N neighbours per value in one list (e.g. {\"brand\": 2})",
    "price_ratio": "[low, high]: neighbour price / product price must lie in this band",
    "min_score": "minimum similarity score of a neighbour",
    "diversity": "0..1 maximal-marginal-relevance weight (0 = pure similarity order)",
    "pinned": "list of [product_id, neighbor_id] pairs always included",
    "blocked": "list of [product_id, neighbor_id] pairs never included",
    "in_stock_column": "column whose truthy value (1, yes, true, in stock, > 0) marks stock",
    "keep_duplicates": "true keeps neighbours in the 'duplicate' band (excluded by default)",
    "leave_out_variants": "true leaves out the product itself in other colours and sizes (titles "
                          "alike but for them, or one variant group: item_group_id, "
                          "parent_sku...; core.lists.variants)",
    "use_review": "false ignores review decisions (accepted pairs pinned, rejected blocked)",
}
_TRUTHY = {"1", "true", "yes", "y", "t", "in stock", "instock", "available", "x"}


@dataclass(frozen=True)
class Rules:
    """Validated rules. Defaults mean "no rule"; ``to_dict`` keeps only non-defaults."""

    same: tuple[str, ...] = ()
    different: tuple[str, ...] = ()
    max_per: dict[str, int] = field(default_factory=dict)
    price_ratio: tuple[float, float] | None = None
    min_score: float | None = None
    diversity: float = 0.0
    pinned: tuple[tuple[str, str], ...] = ()
    blocked: tuple[tuple[str, str], ...] = ()
    in_stock_column: str | None = None
    keep_duplicates: bool = False
    use_review: bool = True
    leave_out_variants: bool = False

    def __bool__(self) -> bool:
        """True when any rule differs from its default."""
        return bool(self.to_dict())

    @classmethod
    def parse(cls, data: Rules | dict[str, Any] | None) -> Rules:
        """A Rules as it is, or a JSON rules object validated (the one parsing step)."""
        return data if isinstance(data, Rules) else cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Rules:
        """Validate a JSON rules object; raises ConfigError saying what to fix."""
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise ConfigError("rules must be a JSON object")
        unknown = sorted(set(data) - set(RULE_KEYS))
        if unknown:
            raise ConfigError(f"Unknown rules key(s): {', '.join(unknown)}"
                              f"{did_you_mean(unknown, RULE_KEYS)}; known rules keys: "
                              f"{', '.join(RULE_KEYS)}")
        pinned, blocked = _pairs(data.get("pinned"), "pinned"), _pairs(data.get("blocked"), "blocked")
        both = sorted(set(pinned) & set(blocked))
        if both:
            raise ConfigError(f"rules: pair {list(both[0])} is both pinned and blocked")
        return cls(same=_columns(data.get("same"), "same"),
                   different=_columns(data.get("different"), "different"),
                   max_per=_max_per(data.get("max_per")),
                   price_ratio=_price_ratio(data.get("price_ratio")),
                   min_score=_score(data.get("min_score"), "min_score"),
                   diversity=_diversity(data.get("diversity", 0.0)),
                   pinned=pinned, blocked=blocked,
                   in_stock_column=_column(data.get("in_stock_column"), "in_stock_column"),
                   keep_duplicates=_flag(data.get("keep_duplicates", False), "keep_duplicates"),
                   use_review=_flag(data.get("use_review", True), "use_review"),
                   leave_out_variants=_flag(data.get("leave_out_variants", False),
                                            "leave_out_variants"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the non-default rules (``{}`` = no rules)."""
        out: dict[str, Any] = {}
        default = Rules()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[f.name] = dict(value) if isinstance(value, dict) else value
        return out

    def columns(self) -> set[str]:
        """Catalog columns these rules read (price comes from the mapped role)."""
        cols = {*self.same, *self.different, *self.max_per}
        return cols | ({self.in_stock_column} if self.in_stock_column else set())


def _columns(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)) \
            or not all(isinstance(c, str) and c for c in value):
        raise ConfigError(f"rules.{name} must be a list of column names, got {value!r}")
    return tuple(dict.fromkeys(value))


def _column(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"rules.{name} must be a column name, got {value!r}")
    return value


def _score(value: Any, name: str) -> float | None:
    """A number on the lists' 0-1 score scale (3 emptied every list without a word)."""
    number = _number(value, name)
    if number is not None and not 0 <= number <= 1:
        raise ConfigError(f"rules.{name} must be a score from 0 to 1 (the scale of the lists' "
                          f"scores), got {value!r}")
    return number


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"rules.{name} must be a number, got {value!r}")
    return float(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"rules.{name} must be true or false, got {value!r}")
    return value


def _diversity(value: Any) -> float:
    number = _number(value, "diversity")
    if number is None or not 0.0 <= number <= 1.0:
        raise ConfigError(f"rules.diversity must be between 0 and 1, got {value!r}")
    return number


def _max_per(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"rules.max_per must map column -> int, got {value!r}")
    for col, n in value.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigError(f"rules.max_per['{col}'] must be an integer >= 1, got {n!r}")
    return {str(c): int(n) for c, n in value.items()}


def _price_ratio(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    ok = isinstance(value, (list, tuple)) and len(value) == 2
    low, high = (_number(v, "price_ratio") for v in value) if ok else (None, None)
    if not ok or low is None or high is None or low < 0 or high <= 0 or low > high:
        raise ConfigError(f"rules.price_ratio must be [low, high] with 0 <= low <= high, "
                          f"got {value!r}")
    return (low, high)


def _pairs(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    bad = not isinstance(value, (list, tuple)) or not all(
        isinstance(p, (list, tuple)) and len(p) == 2 for p in value)
    if bad:
        raise ConfigError(f"rules.{name} must be a list of [product_id, neighbor_id] pairs")
    return tuple(dict.fromkeys((str(a), str(b)) for a, b in value))


RULES_POOL_K = 200
_FILTER_KEYS = ("same", "different", "max_per", "price_ratio", "min_score", "diversity",
                "in_stock_column", "leave_out_variants")


def filters_active(rules: Rules) -> bool:
    """Whether rules drop candidates (so the pool must be deeper: RULES_POOL_K)."""
    return any(rules.to_dict().get(key) for key in _FILTER_KEYS)


def column_codes(values: pd.Series) -> np.ndarray:
    """(n,) int64 codes of stripped, case-folded values; -1 for empty/missing."""
    text = values.astype(str).str.strip().str.casefold()
    text = text.where(values.notna() & (text != "") & (text != "nan"), None)
    return pd.factorize(text, use_na_sentinel=True)[0].astype(np.int64)


def stock_mask(values: pd.Series) -> np.ndarray:
    """(n,) bool: in stock when the value is truthy text or a number > 0."""
    text = values.astype(str).str.strip().str.casefold()
    numbers = pd.to_numeric(text, errors="coerce")
    return (text.isin(_TRUTHY) | (numbers > 0)).to_numpy(dtype=bool)


__all__ = ["RULES_POOL_K", "RULE_KEYS", "Rules", "column_codes", "filters_active", "stock_mask"]
