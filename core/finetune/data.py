"""Training data for fine-tuning: labelled pairs, review decisions, or the catalog itself.

Three sources, all turned into row positions of one :class:`~core.catalog.table.Catalog`:

- uploaded labelled pairs, a table ``left_id,right_id[,label]`` (label 1 = same
  product / good neighbour, 0 = different; missing label = 1);
- review decisions (accepted = 1, rejected = 0) from ``core.lists.review.ReviewStore``;
- self-supervised pairs built from the catalog alone: two *views* of the same
  product (its inference text <-> another text column, an attribute view, or a
  corrupted copy of its title), for shops with no labels at all.

:class:`LabelledPairs` holds rows + labels; :class:`TextPairs` holds the positive
(anchor text, positive text) examples the trainer consumes, with the product row
of each side so in-batch negatives never include a known match.

Here: the held-out :class:`ValidationSet` and the :class:`TrainingSet` built from
them all (:func:`build_training_set`). Reading, combining and splitting labelled
pairs is core.finetune.pairs, the self-supervised views core.finetune.views; their
public names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.catalog.table import Catalog
from core.errors import CatalogError
from core.finetune.pairs import (
    LEFT_HINTS,
    RIGHT_HINTS,
    LabelledPairs,
    TextPairs,
    combine,
    empty_pairs,
    pairs_from_frame,
    positive_text_pairs,
    read_pairs,
    review_pairs,
    split_validation,
)
from core.finetune.views import (
    catalog_views,
    code_view,
    corrupt,
    model_tokens,
    self_supervised_pairs,
    vary_code,
    vary_codes,
    view_columns,
)


@dataclass(frozen=True)
class ValidationSet:
    """Held-out queries: texts, their own catalog row (-1: not a row), true rows."""

    queries: list[str]
    query_rows: np.ndarray
    truth: list[frozenset[int]]
    source: str = "held-out pairs"

    def __len__(self) -> int:
        return len(self.queries)


def validation_from_pairs(valid: LabelledPairs, texts: Sequence[str],
                          known: dict[int, set[int]], corpus_rows: np.ndarray):
    """Held-out labelled pairs as retrieval queries: each left product must find its
    known matches (those in corpus_rows) among corpus_rows."""
    corpus = {int(r) for r in corpus_rows}
    lefts = sorted({int(r) for r in valid.left[valid.label == 1]})
    truth = [frozenset(known.get(r, set()) & corpus) for r in lefts]
    keep = [i for i, t in enumerate(truth) if t]
    rows = np.asarray([lefts[i] for i in keep], dtype=np.int64)
    return ValidationSet([texts[r] for r in rows], rows, [truth[i] for i in keep])


def validation_from_views(pairs: TextPairs):
    """Held-out self-supervised pairs as queries: a view must find its own product."""
    return ValidationSet(list(pairs.positives), np.full(len(pairs), -1, dtype=np.int64),
                         [frozenset({int(r)}) for r in pairs.anchor_rows], "held-out views")


@dataclass(frozen=True)
class TrainingSet:
    """What :func:`core.finetune.train.finetune` consumes.

    train: positive examples; valid: held-out queries (None when too few);
    known: {row: rows} known matches (never used as negatives);
    rejected: {row: rows} known non-matches (used first as hard negatives).
    """

    train: TextPairs
    valid: ValidationSet | None
    known: dict[int, set[int]]
    rejected: dict[int, set[int]]
    description: dict


def build_training_set(catalog: Catalog, pairs: LabelledPairs | None = None, *,
                       self_supervised: bool = False, valid_fraction: float = 0.1,
                       max_self_pairs: int = 4000, seed: int = 0) -> TrainingSet:
    """Labelled pairs (split into train / held-out validation by left product) and/or
    self-supervised views. With labels, validation always uses held-out labelled pairs;
    without, held-out views (a weaker check)."""
    pairs = pairs if pairs is not None else empty_pairs()
    if not self_supervised and pairs.n_positive < 2:
        raise CatalogError("Fine-tuning needs at least 2 positive pairs (label 1), or the "
                           "self-supervised mode for a catalog without labels")
    corpus = np.arange(len(catalog))
    known, rejected = pairs.positives_of(), _negatives_of(pairs)
    fit, held = split_validation(pairs, fraction=valid_fraction, seed=seed)
    train = positive_text_pairs(fit, catalog.texts)
    valid = validation_from_pairs(held, catalog.texts, known, corpus) if len(held) else None
    if self_supervised:
        views = self_supervised_pairs(catalog, max_pairs=max_self_pairs, seed=seed)
        if valid is None or not len(valid):
            n_val = round(len(views) * valid_fraction) if len(views) >= 10 else 0
            valid = validation_from_views(_take(views, slice(0, n_val))) if n_val else None
            views = _take(views, slice(n_val, None))
        train = views if not len(train) else train + views
    description = {"labelled_pairs": len(pairs), "positive_pairs": pairs.n_positive,
                   "sources": pairs.source if len(pairs) else "", "self_supervised": self_supervised,
                   "catalog": catalog.name, "products": len(catalog)}
    return TrainingSet(train, valid if valid is not None and len(valid) else None, known,
                       rejected, description)


def _take(pairs: TextPairs, part: slice) -> TextPairs:
    return TextPairs(pairs.anchors[part], pairs.positives[part], pairs.anchor_rows[part],
                     pairs.positive_rows[part], pairs.source)


def _negatives_of(pairs: LabelledPairs) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    neg = pairs.label == 0
    for a, b in zip(pairs.left[neg], pairs.right[neg]):
        out.setdefault(int(a), set()).add(int(b))
        out.setdefault(int(b), set()).add(int(a))
    return out


__all__ = [
    "LEFT_HINTS",
    "RIGHT_HINTS",
    "LabelledPairs",
    "TextPairs",
    "TrainingSet",
    "ValidationSet",
    "build_training_set",
    "catalog_views",
    "code_view",
    "combine",
    "corrupt",
    "empty_pairs",
    "model_tokens",
    "pairs_from_frame",
    "positive_text_pairs",
    "read_pairs",
    "review_pairs",
    "self_supervised_pairs",
    "split_validation",
    "validation_from_pairs",
    "validation_from_views",
    "vary_code",
    "vary_codes",
    "view_columns",
]
