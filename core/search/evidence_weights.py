"""From same-product evidence to a change of a pair's fused score.

A pair's features (:data:`PAIR_FEATURES`) are how close the two are to being each
other's best candidate (closeness, margin: from the fused scores, gated by how related
the two are in meaning, :func:`relatedness`) and what their texts say
(:mod:`core.search.evidence`: a shared model code, size, colour, condition or version
conflicts). :func:`evidence_change` turns them into a change of the fused score with
weights in fused-score units, fitted on labelled list entries by
:func:`fit_evidence_weights` and kept with the score calibration
(:mod:`core.search.calibration`); :mod:`core.search.rerank` applies it.
"""

from __future__ import annotations

import numpy as np

from core.search.evidence import FEATURES

PAIR_FEATURES = ("closeness", "margin", *FEATURES)
# What each feature means to a merchandiser (Explain, the CLI's explain, docs).
EVIDENCE_WORDS = {
    "closeness": "how far the two are from being each other's best match "
                 "(a pair unrelated in meaning counts as far)",
    "margin": "how far ahead of (or behind) the first product's other candidates "
              "(a pair unrelated in meaning counts as behind)",
    "code_shared": "the same model code",
    "code_conflict": "different model codes of one series (cs3 against cs4), or different model "
                     "numbers",
    "size_conflict": "different sizes or capacities, or other parts of a series (season 3 "
                     "against season 4)",
    "colour_conflict": "different colours",
    "condition_conflict": "one is remanufactured, compatible or used, the other is not",
    "version_conflict": "different years, versions or editions (Home against Professional, "
                        "an upgrade against the full product, Spanish against French, a Wii "
                        "game against a PS3 one, men's against women's), or Mac against "
                        "Windows",
    "price_conflict": "prices far apart (one more than twice the other)",
    "same_text": "the same text (scores 1)",
}
RERANK = 30  # lists are re-ranked by the changed score within each product's best RERANK


def pair_features(fused: np.ndarray, reverse: np.ndarray | None, best: np.ndarray,
                  runner_up: np.ndarray, best_reverse: np.ndarray | None,
                  text: np.ndarray | None, related: np.ndarray | None = None) -> np.ndarray:
    """(p, len(PAIR_FEATURES)) float32 features of pairs (a, b) from their fused scores.

    fused: a's fused score of b; reverse: b's fused score of a; best/runner_up: a's
    best and second-best fused scores; best_reverse: b's best; text: TextEvidence
    features of the pairs (None: no texts, zeros). reverse/best_reverse None (a search
    query, which no product lists): closeness reads a's side only. closeness = how far
    the pair falls short of being each other's best candidate (0 = mutual best, down
    to -1); margin = how far b leads a's other candidates (b is a's best) or trails a's
    best (it is not), within [-1, 1]. related: (p,) in [0, 1], how related the two are
    in meaning (:func:`relatedness`; None: fully): being each other's best candidate is
    evidence of the same product only for related products (the best neighbour of a
    product with nothing like it in the catalog is not its twin), so closeness and
    margin move towards a random pair's (-1) as the pair's meaning falls to random
    pairs' levels.
    """
    f = np.asarray(fused, dtype=np.float32)
    closeness = f - best if reverse is None else \
        np.minimum(f - best, np.asarray(reverse, dtype=np.float32) - best_reverse)
    leads = f >= best - 1e-6
    margin = np.where(leads, f - runner_up, f - best)
    out = np.empty((len(f), len(PAIR_FEATURES)), dtype=np.float32)
    out[:, 0] = np.clip(np.nan_to_num(closeness, nan=-1.0, neginf=-1.0), -1.0, 0.0)
    out[:, 1] = np.clip(np.nan_to_num(margin, nan=-1.0, neginf=-1.0, posinf=1.0), -1.0, 1.0)
    if related is not None:
        r = np.asarray(related, dtype=np.float32)[:, None]
        out[:, :2] = r * out[:, :2] - (1.0 - r)
    out[:, 2:] = 0.0 if text is None else text
    return out


# Shares of random pairs of products whose meaning score a pair must pass to count as
# related (0 below the first, 1 from the second on, linear between): true twins of the
# labelled catalogs are above the second in 99.3-100% of pairs (train and valid splits).
RELATED_SHARES = (0.9, 0.99)


def relatedness(meaning: np.ndarray, low: float, high: float) -> np.ndarray:
    """(p,) float32 in [0, 1]: 0 at or below the meaning score `low` (as related as the
    RELATED_SHARES[0] share of random pairs), 1 from `high` on; NaN (unknown) counts as 1."""
    m = np.asarray(meaning, dtype=np.float32)
    r = (m - np.float32(low)) / np.float32(max(high - low, 1e-6))
    return np.clip(np.nan_to_num(r, nan=1.0), 0.0, 1.0).astype(np.float32)


def evidence_change(weights, features: np.ndarray) -> np.ndarray:
    """(p,) float32 change of the fused score.

    weights: ((feature name, weight in fused-score units), ...); features: (..., F)
    columns in PAIR_FEATURES order. The weighted sum of closeness, margin and a shared
    code; a conflict (a feature named *_conflict among the weights: different sizes,
    colours, condition) keeps the pair from being lifted, so a variant never reads as
    the same product, yet stays where its meaning and words put it among similar
    products (it is not pushed below unrelated ones). No weights: no change."""
    out = np.zeros(features.shape[:-1], dtype=np.float32)
    conflict = np.zeros(features.shape[:-1], dtype=bool)
    for name, w in weights:
        x = features[..., PAIR_FEATURES.index(name)]
        if name.endswith("_conflict"):
            conflict |= x > 0
        else:
            out += np.float32(w) * x
    return np.where(conflict, np.minimum(out, 0.0), out).astype(np.float32)


def evidence_ceiling(weights) -> float:
    """The most the evidence can add (a mutual best with every feature for it)."""
    high = {"closeness": 0.0}
    return float(sum(max(w, 0.0) * high.get(name, 1.0) for name, w in weights
                     if not name.endswith("_conflict")))


def fit_evidence_weights(features: np.ndarray, fused: np.ndarray,
                         twin: np.ndarray, *, c: float = 1.0) -> tuple[tuple[str, float], ...]:
    """Weights in fused-score units from list entries with known twins.

    A logistic regression of twin on (fused, features); each feature's weight is
    its coefficient over the fused score's, so ``fused + change`` orders entries as
    the regression does and stays on the fused score's scale. A feature whose
    weight comes out against its meaning (a conflict counting for a pair, closeness
    or a shared code against it) is left out and the rest fitted again, so every
    weight reads as the feature's name says."""
    from sklearn.linear_model import LogisticRegression

    x = np.c_[np.asarray(fused, dtype=np.float64), features]
    y = np.asarray(twin, dtype=bool)
    sign = np.array([-1.0 if name.endswith("_conflict") else 1.0 for name in PAIR_FEATURES])
    use = np.ones(len(PAIR_FEATURES), dtype=bool)
    while True:
        cols = np.r_[0, 1 + np.flatnonzero(use)]
        coef = LogisticRegression(C=c, max_iter=5000).fit(x[:, cols], y).coef_[0]
        if coef[0] <= 0:
            return ()
        w = np.zeros(len(PAIR_FEATURES))
        w[use] = coef[1:] / coef[0]
        wrong = use & (w * sign < 0)
        if not wrong.any():
            return tuple((name, round(float(v), 4)) for name, v, u in
                         zip(PAIR_FEATURES, w, use) if u)
        use &= ~wrong


__all__ = ["EVIDENCE_WORDS", "PAIR_FEATURES", "RELATED_SHARES", "RERANK", "evidence_ceiling",
           "evidence_change", "fit_evidence_weights", "pair_features", "relatedness"]
