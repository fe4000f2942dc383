"""Confident pairs (self-training): extra positives from the current model's own lists.

Label-free: the catalog is searched with the current model as the default pipeline
searches it (fused lists, same-product evidence, the model's 0..1 calibration), and
two products that are each other's first entry with a shown score at or above a
threshold become an extra positive pair. Pairs touching a held-out validation product
(its query row or its known matches) are never taken, so validation stays honest;
pairs already known are skipped; at most ``cap`` pairs, the highest scores first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from core.finetune.calibrate import Corpus
from core.finetune.data import TrainingSet, ValidationSet
from core.finetune.pairs import TextPairs
from core.search.calibration import Calibration
from core.search.lexical import LexicalIndex


def held_out_rows(valid: ValidationSet | None) -> set[int]:
    """Catalog rows of the held-out queries and of their true matches."""
    if valid is None:
        return set()
    rows = {int(r) for r in valid.query_rows if r >= 0}
    return rows | {int(r) for truth in valid.truth for r in truth}


def mutual_firsts(first: np.ndarray, score: np.ndarray,
                  threshold: float) -> list[tuple[int, int, float]]:
    """(a, b, score) with a < b, a's first entry b and b's first entry a, both scores at
    or above threshold; positions into first (n,) int (-1: none) and score (n,)."""
    out = []
    for a, b in enumerate(first.tolist()):
        if a < b and first[b] == a and min(score[a], score[b]) >= threshold:
            out.append((a, b, float(min(score[a], score[b]))))
    return out


def confident_pairs(texts: Sequence[str], vectors: np.ndarray, corpus_rows: np.ndarray,
                    words: LexicalIndex | None, *, weight: float, metric: str,
                    calibration: Calibration, threshold: float, cap: int,
                    exclude: set[int], known: dict[int, set[int]],
                    model_numbers: Sequence[str] | None = None,
                    prices: np.ndarray | None = None) -> TextPairs:
    """Up to cap mutual first-entry pairs scored >= threshold (catalog rows), best first.

    vectors: (n, d) current-model vectors of every text; corpus_rows: the rows searched;
    words: the words index of corpus_rows (None: meaning only); exclude: rows never
    paired (held-out products); known: known matches (pairs already trained on);
    model_numbers: every text's model number (None: none; two different ones are never
    a confident pair); prices: every text's price (None: none), read as the lists read it."""
    rows = np.asarray(corpus_rows, dtype=np.int64)
    if cap <= 0 or len(rows) < 2:
        return _pairs([], texts)
    index = Corpus(vectors[rows], words, rows, texts, model_numbers, prices).index(
        weight, metric, calibration)
    nb = index.pool(1)
    first = np.where(nb.indices[:, 0] >= 0, nb.indices[:, 0], -1)
    found = []
    for a, b, s in mutual_firsts(first, nb.scores[:, 0], threshold):
        ra, rb = int(rows[a]), int(rows[b])
        if ra in exclude or rb in exclude or rb in known.get(ra, set()):
            continue
        found.append((s, ra, rb))
    found.sort(key=lambda t: -t[0])
    return _pairs([(ra, rb) for _, ra, rb in found[:cap]], texts)


def _pairs(pairs: list[tuple[int, int]], texts: Sequence[str]) -> TextPairs:
    a = np.asarray([p[0] for p in pairs], dtype=np.int64)
    b = np.asarray([p[1] for p in pairs], dtype=np.int64)
    return TextPairs([texts[r] for r in a], [texts[r] for r in b], a, b, "confident pairs")


def with_confident_pairs(data: TrainingSet, extra: TextPairs) -> TrainingSet:
    """data with extra positive pairs trained on and known (never used as negatives)."""
    if not len(extra):
        return replace(data, description={**data.description, "confident_pairs": 0})
    known = {r: set(m) for r, m in data.known.items()}
    for a, b in zip(extra.anchor_rows.tolist(), extra.positive_rows.tolist()):
        known.setdefault(a, set()).add(b)
        known.setdefault(b, set()).add(a)
    return replace(data, train=data.train + extra, known=known,
                   description={**data.description, "confident_pairs": len(extra)})
