"""Relationship bands: score ranges named by the user.

``Config.bands`` maps a band name to its lower score threshold, e.g.
``{"duplicate": 0.95, "substitute": 0.80}``: a score >= 0.95 is a duplicate,
0.80 <= score < 0.95 a substitute, anything lower carries no band (plain
"similar"). The band named ``duplicate`` is special: its products are the same
item listed twice, so they are left out of "similar" lists unless the rules say
``keep_duplicates``, and duplicate groups start at its threshold unless one was chosen
on labelled pairs. Bands are on the list scores, one product's score for another;
``Config.duplicate_threshold`` (the Duplicate threshold page) is on the duplicate score,
the lower of the two products' scores for each other: the lists' band does not read it,
duplicate groups and the merge map do (:func:`groups_threshold`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError

if TYPE_CHECKING:
    from core.config import Config

DUPLICATE = "duplicate"
NO_BAND = ""


def validate_bands(bands: Any) -> dict[str, float]:
    """Check {name: threshold}; raises ConfigError saying what to fix."""
    if not isinstance(bands, dict):
        raise ConfigError("bands must be a JSON object of name -> lower score threshold")
    for name, value in bands.items():
        if not isinstance(name, str) or not name.strip():
            raise ConfigError("bands: every band needs a non-empty name")
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ConfigError(f"bands['{name}'] must be a number (the band's lowest score), "
                              f"got {value!r}")
        if not 0 <= value <= 1:
            raise ConfigError(f"bands['{name}'] must be a score from 0 to 1 (the scale of the "
                              f"lists' scores), got {value!r}")
    thresholds = [float(v) for v in bands.values()]
    if len(set(thresholds)) != len(thresholds):
        raise ConfigError("bands: two bands share the same threshold; give each its own")
    return {str(k): float(v) for k, v in bands.items()}


def ordered(bands: dict[str, float]) -> list[tuple[str, float]]:
    """Bands from the highest threshold down."""
    return sorted(bands.items(), key=lambda kv: -kv[1])


def band_of(scores: np.ndarray, bands: dict[str, float]) -> np.ndarray:
    """Band name for every score (any shape); "" below every band or for NaN."""
    scores = np.asarray(scores, dtype=np.float64)
    out = np.full(scores.shape, NO_BAND, dtype=object)
    done = np.zeros(scores.shape, dtype=bool)
    for name, low in ordered(bands):
        hit = ~done & (scores >= low)
        out[hit] = name
        done |= hit
    return out


def duplicate_threshold(cfg: Config) -> float | None:
    """The list score from which two products are duplicates (the 'duplicate' band), or None."""
    return float(cfg.bands[DUPLICATE]) if DUPLICATE in cfg.bands else None


def groups_threshold(cfg: Config) -> float | None:
    """Where duplicate groups (and the merge map) start: the threshold chosen on labelled
    pairs (the Duplicate threshold page, ``threshold --save-config``), else where the
    'duplicate' band starts; None when neither is set."""
    if cfg.duplicate_threshold is not None:
        return float(cfg.duplicate_threshold)
    return duplicate_threshold(cfg)


def groups_categories(cfg: Config, catalog: Any) -> tuple[np.ndarray | None, dict[str, float]]:
    """(each product's category as text, {category: threshold}) for duplicate groups and
    the merge map: the thresholds chosen per category on labelled pairs
    (``Config.category_thresholds``) of the categories this catalog has, when it maps a
    category column; else (None, {}) and every pair uses :func:`groups_threshold`."""
    column = catalog.mapping.category
    if not cfg.category_thresholds or not column or column not in catalog.frame.columns:
        return None, {}
    values = catalog.column(column).astype(str).to_numpy(dtype=object)
    present = set(values.tolist())
    return values, {str(k): float(v) for k, v in cfg.category_thresholds.items()
                    if str(k) in present}


def band_ranges(bands: dict[str, float]) -> list[tuple[str, float, float | None]]:
    """(name, low, high-or-None) per band, highest first, for display."""
    out, upper = [], None
    for name, low in ordered(bands):
        out.append((name, low, upper))
        upper = low
    return out


__all__ = [
    "DUPLICATE",
    "NO_BAND",
    "band_of",
    "band_ranges",
    "duplicate_threshold",
    "groups_categories",
    "groups_threshold",
    "ordered",
    "validate_bands",
]
