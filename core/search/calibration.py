"""One score a merchandiser can read: the fused score mapped to 0..1 by measured points.

The fused score (:mod:`core.search.fusion`) ranks well but reads badly: it is
relative to the query (0 = its 100th-best candidate, so it goes negative) and a
true twin gets about 0.65. Where the lists read words and texts, the
calibration's ``evidence`` weights first change it by the pair's same-product
evidence (:mod:`core.search.evidence`, applied in :mod:`core.search.rerank`,
which re-ranks lists by the changed score). A :class:`Calibration` then maps it
through five points measured on labelled catalogs, linear between them; the map
is increasing, so it keeps the order of the score it maps. Every page, Explain
and every export show this score.

======  =================================================================
score   the fused score at this point
======  =================================================================
0       the median random pair of products
0.5     the median labelled "different product" pair (close substitutes:
        pairs people looked at as possible matches and called different)
0.85    the median true twin (the lowest of the samples' medians)
0.9     from here on, list entries across two shops are the same product at
        least 9 times in 10, in every sample it was fitted on
1       the same text
======  =================================================================

The first point is scored 0.001 and scores below it fall towards 0 (never
below; still increasing, so no new ties). The points are fitted per hybrid weight by
:func:`fit_calibration` (bench/score_quality.py fits the bundled model's on the
train and valid splits of abt-buy and walmart-amazon, one sample per catalog and
split) and interpolated between weights.
A calibration belongs to one model: :func:`calibration_for` finds it (the
bundled one, or ``calibration.json`` in a fine-tuned model's folder); another
model gets the bundled one, marked approximate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from core.search.evidence_weights import PAIR_FEATURES, evidence_ceiling

LEVELS = (0.0, 0.5, 0.85, 0.9, 1.0)
# What scores mean, for captions and docs (the same words everywhere).
BANDS_TEXT = ("Scores run from 0 to 1 and mean the same on every page and in every export: "
              "0.90 and up = the same product (9 times in 10 across two shops); 0.85-0.90 = "
              "probably the same product or a variant (half of true twins score 0.85 or more); "
              "0.50-0.85 = a close substitute or a similar product; below 0.50 = loosely "
              "related; near 0 = as unrelated as two random products.")
LOOSELY = LEVELS[1]  # scores below it read "loosely related" (BANDS_TEXT)
PRECISION = 0.9
FILE_NAME = "calibration.json"
_GAP = 1e-3
_TAIL = 1e-3  # scores below the first point lie in [0, _TAIL)
MEANING_SHARES = (0.5, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99)


@dataclass(frozen=True)
class CalibrationSample:
    """Fused scores measured on one labelled catalog, each (m,) float.

    entries/twins: list entries across the two shops, and whether each is a true
    twin; same/different: labelled same-product and different-product pairs;
    random: random pairs of products.
    """

    entries: np.ndarray
    twins: np.ndarray
    same: np.ndarray
    different: np.ndarray
    random: np.ndarray


@dataclass(frozen=True)
class Calibration:
    """Fused score -> 0..1 for one model.

    weights: (w,) hybrid weights it was fitted at, increasing; knots[i]: the
    fused scores at LEVELS for weights[i], increasing, the last one 1.
    random_meaning: ((share, cosine), ...) quantiles of the model's meaning
    (cosine) scores over random pairs of a broad reference catalog: the
    relevance floor of a share (empty: the catalog's own random pairs decide).
    approximate: fitted for another model (no calibration of this one exists).
    evidence: ((feature, weight), ...) how same-product evidence
    (:mod:`core.search.evidence`) changes the fused score of a pair of products
    before the map; empty: no change. plain_knots: the map's points for the fused
    score alone (lists without words or without texts) at plain_weights; empty: the
    bundled model's. priced: the map for catalogs with a price column, whose evidence
    reads prices too (price_conflict: another evidence, another map); None: this one.
    """

    model: str
    weights: tuple[float, ...]
    knots: tuple[tuple[float, ...], ...]
    fitted_on: str = ""
    approximate: bool = False
    random_meaning: tuple[tuple[float, float], ...] = ()
    evidence: tuple[tuple[str, float], ...] = ()
    plain_weights: tuple[float, ...] = ()
    plain_knots: tuple[tuple[float, ...], ...] = ()
    priced: Calibration | None = None

    def with_prices(self, prices: np.ndarray | None = None) -> Calibration:
        """The map for a catalog whose prices are known (its priced one, else this one),
        for the same model and as approximate as this one. prices: the catalog's (NaN:
        none); this map when none is known."""
        known = prices is None or np.isfinite(np.asarray(prices, dtype=np.float64)).any()
        if self.priced is None or not known:
            return self
        return replace(self.priced, model=self.model, approximate=self.approximate)

    def without_evidence(self) -> Calibration:
        """The map of the fused score alone (lists with no words or no texts to read):
        plain_weights/plain_knots, else the bundled model's (marked approximate)."""
        if not self.evidence:
            return self
        if self.plain_knots:
            return replace(self, weights=self.plain_weights, knots=self.plain_knots,
                           evidence=(), plain_weights=(), plain_knots=(), priced=None)
        return replace(FUSED_ONLY, approximate=True)

    def meaning_floor(self, share: float) -> float | None:
        """The cosine that `share` of random reference pairs stay below (None: unknown)."""
        if not self.random_meaning or self.approximate:
            return None
        shares, scores = zip(*self.random_meaning)
        return float(np.interp(share, shares, scores))

    def knots_at(self, weight: float) -> np.ndarray:
        """(len(LEVELS),) fused scores at LEVELS for a weight (linear between fitted ones)."""
        k = np.asarray(self.knots, dtype=np.float64)
        return _increasing(np.array([np.interp(weight, self.weights, k[:, j])
                                     for j in range(k.shape[1])]))

    def score(self, fused: np.ndarray, weight: float) -> np.ndarray:
        """Calibrated scores in [0, 1], float32, fused's shape; NaN and -inf stay as they are."""
        f = np.asarray(fused, dtype=np.float64)
        x = self.knots_at(weight)
        with np.errstate(over="ignore", invalid="ignore"):
            tail = _TAIL * np.exp(np.minimum(f - x[0], 0.0) / max(x[1] - x[0], _GAP))
            s = np.where(f < x[0], tail, np.interp(f, x, (_TAIL, *LEVELS[1:])))
        s = np.where(np.isfinite(f) | np.isnan(f), s, f)
        return np.clip(s, None, 1.0).astype(np.float32)

    def fused_at(self, score: float, weight: float) -> float:
        """The fused score where the calibrated score reaches `score` (0 < score <= 1)."""
        return float(np.interp(score, LEVELS, self.knots_at(weight)))

    def to_dict(self) -> dict:
        out = {"model": self.model, "weights": list(self.weights),
               "knots": [list(k) for k in self.knots], "fitted_on": self.fitted_on,
               "random_meaning": [list(p) for p in self.random_meaning],
               "evidence": dict(self.evidence),
               "plain_weights": list(self.plain_weights),
               "plain_knots": [list(k) for k in self.plain_knots]}
        if self.priced is not None:
            out["priced"] = self.priced.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> Calibration:
        try:
            weights = tuple(float(w) for w in data["weights"])
            knots = tuple(tuple(float(x) for x in k) for k in data["knots"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"A score calibration needs 'weights' and 'knots' lists ({exc})") \
                from None
        if not weights or len(knots) != len(weights) or any(len(k) != len(LEVELS) for k in knots):
            raise ConfigError(f"A score calibration needs one list of {len(LEVELS)} knots "
                              "per weight")
        meaning = tuple((float(a), float(b)) for a, b in data.get("random_meaning", ()))
        evidence = data.get("evidence") or {}
        if not isinstance(evidence, Mapping) or any(n not in PAIR_FEATURES for n in evidence):
            raise ConfigError("A score calibration's 'evidence' maps feature names "
                              f"({', '.join(PAIR_FEATURES)}) to weights")
        try:
            plain = tuple(tuple(float(x) for x in k) for k in data.get("plain_knots") or ())
            plain_weights = tuple(float(w) for w in data.get("plain_weights") or ())
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"A score calibration's 'plain_knots' are lists of numbers ({exc})"
                              ) from None
        if plain and (len(plain) != len(plain_weights)
                      or any(len(k) != len(LEVELS) for k in plain)):
            raise ConfigError(f"A score calibration needs one list of {len(LEVELS)} plain knots "
                              "per weight")
        priced = data.get("priced")
        if priced is not None and (not isinstance(priced, Mapping) or "priced" in priced):
            raise ConfigError("A score calibration's 'priced' is one calibration (weights, "
                              "knots, evidence) without a 'priced' of its own")
        return cls(str(data.get("model", "")), weights, knots, str(data.get("fitted_on", "")),
                   random_meaning=meaning,
                   evidence=tuple((str(n), float(w)) for n, w in evidence.items()),
                   plain_weights=plain_weights, plain_knots=plain,
                   priced=None if priced is None else cls.from_dict(priced))

    def save(self, folder: str | Path) -> Path:
        """Write calibration.json into a model folder (a fine-tuned model's)."""
        path = Path(folder) / FILE_NAME
        path.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
        return path


def _increasing(x: np.ndarray, top: float | None = None) -> np.ndarray:
    """Knots made strictly increasing, the top one `top` (default: as given)."""
    x = x.astype(np.float64).copy()
    if top is not None:
        x[-1] = top
    for j in range(len(x) - 2, -1, -1):
        x[j] = min(x[j], x[j + 1] - _GAP)
    return x


def precision_point(scores: np.ndarray, positive: np.ndarray, target: float = PRECISION) -> float:
    """The lowest score s such that entries scoring >= s are positive at least
    `target` of the time (1 when no cut reaches it)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last = np.r_[s[1:] != s[:-1], True] if len(s) else np.zeros(0, dtype=bool)
    precision = np.cumsum(y)[last] / (np.arange(len(s)) + 1)[last]
    ok = np.flatnonzero(precision >= target)
    return float(s[last][ok[-1]]) if len(ok) else 1.0


def fit_knots(samples: Sequence[CalibrationSample], *,
              precision: float = PRECISION, top: float = 1.0) -> tuple[float, ...]:
    """Fused scores at LEVELS from labelled catalogs (the table of the module text);
    top: the score of the same text (1, plus the most the evidence can add)."""
    if not samples:
        raise ConfigError("Fitting a score calibration needs at least one labelled catalog")
    for s in samples:
        if not (len(s.same) and len(s.different) and len(s.random) and np.any(s.twins)):
            raise ConfigError("Each labelled catalog needs same-product and different-product "
                              "pairs, random pairs and list entries with at least one twin")
    random = float(np.median(np.concatenate([s.random for s in samples])))
    different = float(np.median(np.concatenate([s.different for s in samples])))
    twin = min(float(np.median(s.same)) for s in samples)
    point = max(precision_point(s.entries, s.twins, precision) for s in samples)
    return tuple(float(v) for v in _increasing(np.array([random, different, twin, point, top]),
                                               top))


def fit_calibration(samples: Mapping[float, Sequence[CalibrationSample]], *, model: str,
                    fitted_on: str = "", precision: float = PRECISION,
                    random_meaning: np.ndarray | None = None,
                    evidence: tuple[tuple[str, float], ...] = (),
                    plain: Mapping[float, Sequence[CalibrationSample]] | None = None
                    ) -> Calibration:
    """A Calibration from labelled catalogs measured at one or more hybrid weights.

    samples: {hybrid weight: [one CalibrationSample per labelled catalog]} (measured with
    the evidence weights `evidence`); plain: the same measured without evidence, for
    plain_knots (same weights); model:
    the identity of the model whose scores they are; random_meaning: the model's
    cosines of random pairs of a broad catalog (for the relevance floor).
    """
    weights = sorted(float(w) for w in samples)
    by_weight = {float(w): v for w, v in samples.items()}
    meaning = () if random_meaning is None else tuple(
        (s, round(float(np.quantile(random_meaning, s)), 4)) for s in MEANING_SHARES)
    return Calibration(model, tuple(weights),
                       tuple(fit_knots(by_weight[w], precision=precision,
                                       top=1.0 + evidence_ceiling(evidence)) for w in weights),
                       fitted_on, random_meaning=meaning, evidence=evidence,
                       plain_weights=tuple(sorted(float(w) for w in plain or ())),
                       plain_knots=tuple(fit_knots(plain[w], precision=precision)
                                         for w in sorted(plain or ())))


_FITTED_ON = "abt-buy + walmart-amazon train and valid pairs, k=10 lists across the two shops"
# cosine quantiles of 20,000 random pairs of walmart.csv titles (seed 1, 63 categories)
_RANDOM_MEANING = ((0.5, 0.1236), (0.75, 0.1958), (0.8, 0.216), (0.85, 0.241), (0.9, 0.2744),
                   (0.95, 0.3348), (0.99, 0.5036))

# The bundled model's map of the fused score alone, the previous release's (fitted on the valid
# splits; bench/score_quality.py --fit prints a train + valid refit, whose points differ by
# under 0.004): lists without words or without texts (meaning only, a vectors file),
# tests of the fusion, and the "before" column of bench/score_quality.py.
FUSED_ONLY = Calibration(
    "all-MiniLM-L6-v2 (bundled), fused score only", (0.0, 0.3, 0.5, 0.7, 0.85, 1.0),
    ((-0.4624, 0.4692, 0.6931, 0.9598, 1.0), (-0.3418, 0.3913, 0.6621, 0.9075, 1.0),
     (-0.2626, 0.3398, 0.6373, 0.8898, 1.0), (-0.1822, 0.2802, 0.6268, 0.8974, 1.0),
     (-0.1215, 0.2414, 0.6172, 0.9120, 1.0), (-0.0604, 0.2001, 0.6098, 0.9409, 1.0)),
    _FITTED_ON, random_meaning=_RANDOM_MEANING)


# The bundled all-MiniLM-L6-v2, cosine, fitted by bench/score_quality.py --fit on the
# train and valid splits of abt-buy and walmart-amazon (two-shop catalogs, k=10 lists).
BUNDLED = Calibration(
    "all-MiniLM-L6-v2 (bundled)",
    (0.30, 0.50, 0.70, 0.85, 1.00),
    ((-3.1423, -0.7376, 0.8776, 1.5306, 3.3091),
     (-3.0625, -0.8397, 0.8877, 1.4980, 3.3091),
     (-2.9813, -0.9727, 0.8701, 1.5142, 3.3091),
     (-2.9199, -1.0721, 0.8626, 1.5367, 3.3091),
     (-2.2019, -1.1669, 0.8619, 1.5401, 3.3091)),
    _FITTED_ON, random_meaning=_RANDOM_MEANING,
    plain_weights=FUSED_ONLY.weights, plain_knots=FUSED_ONLY.knots,
    # same-product evidence, fitted on the same list entries (bench/score_quality.py --fit)
    evidence=(('closeness', 1.6124),
              ('margin', 1.1884),
              ('code_shared', 1.1207),
              ('code_conflict', -0.9807),
              ('size_conflict', -0.883),
              ('colour_conflict', -0.9871),
              ('condition_conflict', -1.5113),
              ('version_conflict', -0.7645)),
    # a catalog with a price column: prices more than twice apart are evidence too, and the
    # map is fitted with them (bench/score_quality.py --fit, both shops' prices mapped)
    priced=Calibration(
        "all-MiniLM-L6-v2 (bundled)",
        (0.30, 0.50, 0.70, 0.85, 1.00),
        ((-3.3462, -0.8175, 0.8499, 1.4571, 3.4934),
         (-3.2664, -0.9232, 0.8523, 1.4615, 3.4934),
         (-3.1852, -1.0596, 0.8464, 1.4779, 3.4934),
         (-3.1237, -1.1646, 0.8317, 1.4674, 3.4934),
         (-3.0587, -1.2618, 0.8267, 1.5065, 3.4934)),
        _FITTED_ON + ", both shops' prices mapped", random_meaning=_RANDOM_MEANING,
        plain_weights=FUSED_ONLY.weights, plain_knots=FUSED_ONLY.knots,
        evidence=(('closeness', 1.6929),
                  ('margin', 1.3118),
                  ('code_shared', 1.1816),
                  ('code_conflict', -1.0661),
                  ('size_conflict', -0.8627),
                  ('colour_conflict', -1.0853),
                  ('condition_conflict', -1.484),
                  ('version_conflict', -0.7056),
                  ('price_conflict', -0.5832))))


def calibration_for(model: str | Path | None) -> Calibration:
    """The calibration of a model: the bundled one, a folder's calibration.json, or
    the bundled one marked approximate."""
    from core.embed.models import is_bundled

    name = str(model or "").strip()
    if is_bundled(name):
        return BUNDLED
    path = Path(name).expanduser() / FILE_NAME
    if path.is_file():
        try:
            return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} is not valid JSON (line {exc.lineno}): refit it or "
                              "delete it to use the bundled calibration") from None
    return replace(BUNDLED, model=name, approximate=True)


__all__ = ["BANDS_TEXT", "BUNDLED", "FUSED_ONLY", "LEVELS", "LOOSELY", "Calibration", "CalibrationSample",
           "calibration_for", "fit_calibration", "fit_knots", "precision_point"]
