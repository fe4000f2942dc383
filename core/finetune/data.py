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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.catalog.table import Catalog, read_table
from core.errors import CatalogError
from core.lists.review import ReviewStore, review_key

LEFT_HINTS = ("left_id", "left", "ltable_id", "id1", "source_id", "a")
RIGHT_HINTS = ("right_id", "right", "rtable_id", "id2", "neighbor_id", "b")
_EDGE = ",.;:()[]{}'\"-_!?"


@dataclass(frozen=True)
class LabelledPairs:
    """Labelled product pairs over one catalog.

    left, right: (m,) int64 catalog rows; label: (m,) int8 (1 same, 0 different).
    warnings: what was skipped while reading (unknown ids, self pairs...).
    """

    left: np.ndarray
    right: np.ndarray
    label: np.ndarray
    source: str = "pairs"
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.left.shape[0])

    @property
    def n_positive(self) -> int:
        return int((self.label == 1).sum())

    def subset(self, mask: np.ndarray) -> LabelledPairs:
        return LabelledPairs(self.left[mask], self.right[mask], self.label[mask],
                             self.source, self.warnings)

    def positives_of(self) -> dict[int, set[int]]:
        """Known matches of every row, both directions: {row: {rows}}."""
        out: dict[int, set[int]] = {}
        for a, b in zip(self.left[self.label == 1], self.right[self.label == 1]):
            out.setdefault(int(a), set()).add(int(b))
            out.setdefault(int(b), set()).add(int(a))
        return out


@dataclass(frozen=True)
class TextPairs:
    """Positive training examples.

    anchors, positives: m texts each. anchor_rows, positive_rows: (m,) int64 product
    rows (for a self-supervised pair both are the same row).
    """

    anchors: list[str]
    positives: list[str]
    anchor_rows: np.ndarray
    positive_rows: np.ndarray
    source: str = "pairs"

    def __len__(self) -> int:
        return len(self.anchors)

    def __add__(self, other: TextPairs) -> TextPairs:
        return TextPairs(self.anchors + other.anchors, self.positives + other.positives,
                         np.concatenate([self.anchor_rows, other.anchor_rows]),
                         np.concatenate([self.positive_rows, other.positive_rows]),
                         f"{self.source}+{other.source}")


@dataclass(frozen=True)
class ValidationSet:
    """Held-out queries: texts, their own catalog row (-1: not a row), true rows."""

    queries: list[str]
    query_rows: np.ndarray
    truth: list[frozenset[int]]
    source: str = "held-out pairs"

    def __len__(self) -> int:
        return len(self.queries)


def empty_pairs(source: str = "pairs") -> LabelledPairs:
    z = np.zeros(0, dtype=np.int64)
    return LabelledPairs(z, z.copy(), np.zeros(0, dtype=np.int8), source)


def _pick(columns: list[str], hints: Sequence[str], fallback: int) -> str:
    lower = {str(c).strip().lower(): c for c in columns}
    for hint in hints:
        if hint in lower:
            return lower[hint]
    return columns[fallback]


def _labels(series: pd.Series | None, n: int) -> np.ndarray:
    if series is None:
        return np.ones(n, dtype=np.int8)
    text = series.astype(str).str.strip().str.lower()
    mapping = {"1": 1, "1.0": 1, "true": 1, "yes": 1, "same": 1, "match": 1, "accepted": 1,
               "accept": 1, "0": 0, "0.0": 0, "false": 0, "no": 0, "different": 0,
               "rejected": 0, "reject": 0, "": 1}
    bad = sorted(set(text) - set(mapping))
    if bad:
        raise CatalogError(f"Pair labels must be 1/0 (or yes/no, accepted/rejected); "
                           f"found {', '.join(repr(b) for b in bad[:5])}")
    return text.map(mapping).to_numpy(dtype=np.int8)


def pairs_from_frame(frame: pd.DataFrame, catalog: Catalog, *,
                     source: str = "pairs") -> LabelledPairs:
    """Map a ``left_id,right_id[,label]`` table onto catalog rows.

    Columns are found by name (left_id/ltable_id/..., right_id/rtable_id/...,
    label) or else taken as the first, second and third columns. Pairs naming an
    unknown id or a product with itself are skipped with a warning; none left
    raises CatalogError.
    """
    cols = [str(c) for c in frame.columns]
    if len(cols) < 2:
        raise CatalogError("A pairs file needs two id columns: left_id,right_id[,label]")
    frame = frame.rename(columns=dict(zip(frame.columns, cols)))
    left_col, right_col = _pick(cols, LEFT_HINTS, 0), _pick(cols, RIGHT_HINTS, 1)
    label_col = next((c for c in cols if c.strip().lower() in ("label", "match", "same")),
                     cols[2] if len(cols) > 2 and cols[2] not in (left_col, right_col) else None)
    pos = catalog.position_of()
    left = frame[left_col].astype(str).str.strip().map(pos)
    right = frame[right_col].astype(str).str.strip().map(pos)
    label = _labels(frame[label_col] if label_col else None, len(frame))
    known = left.notna().to_numpy() & right.notna().to_numpy()
    warnings = []
    if (~known).any():
        warnings.append(f"{int((~known).sum())} of {len(frame)} pairs name ids that are not "
                        "in the catalog; skipped")
    left_a = left.fillna(-1).to_numpy(dtype=np.int64)
    right_a = right.fillna(-1).to_numpy(dtype=np.int64)
    same = known & (left_a == right_a)
    if same.any():
        warnings.append(f"{int(same.sum())} pairs join a product with itself; skipped")
    keep = known & ~same
    if not keep.any():
        raise CatalogError(f"None of the {len(frame)} pairs matches two different catalog ids "
                           f"(columns used: {left_col}, {right_col}); check the id column")
    return LabelledPairs(left_a[keep], right_a[keep], label[keep], source, tuple(warnings))


def read_pairs(data: bytes | str | Path, catalog: Catalog, *,
               filename: str | None = None) -> LabelledPairs:
    """Read an uploaded pairs file (CSV/TSV/Excel/Parquet) onto catalog rows."""
    table = read_table(data, filename=filename)
    return pairs_from_frame(table.frame, catalog, source="uploaded pairs")


def review_pairs(db_path: str | Path, catalog: Catalog, *,
                 owner: str | None = None) -> LabelledPairs:
    """Accepted (1) / rejected (0) review decisions on this catalog; empty when none.

    owner: one reviewer's decisions (the app's session), None for every reviewer (CLI).
    """
    if not Path(db_path).exists():
        return empty_pairs("review decisions")
    rows = ReviewStore(db_path, review_key(catalog), owner=owner).as_labelled_pairs()
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        return empty_pairs("review decisions")
    try:
        return pairs_from_frame(frame, catalog, source="review decisions")
    except CatalogError:
        return empty_pairs("review decisions")


def combine(*parts: LabelledPairs) -> LabelledPairs:
    """Concatenate pair sets; a later label for the same (left, right) wins."""
    parts = tuple(p for p in parts if len(p))
    if not parts:
        return empty_pairs()
    left = np.concatenate([p.left for p in parts])
    right = np.concatenate([p.right for p in parts])
    label = np.concatenate([p.label for p in parts])
    key = np.minimum(left, right) * (int(max(left.max(), right.max())) + 1) + np.maximum(left, right)
    _, last = np.unique(key[::-1], return_index=True)
    keep = np.sort(len(key) - 1 - last)
    warnings = tuple(w for p in parts for w in p.warnings)
    return LabelledPairs(left[keep], right[keep], label[keep],
                         " + ".join(dict.fromkeys(p.source for p in parts)), warnings)


def split_validation(pairs: LabelledPairs, *, fraction: float = 0.1, seed: int = 0,
                     min_valid: int = 1) -> tuple[LabelledPairs, LabelledPairs]:
    """Hold out whole left products (all their pairs) for validation.

    Returns (train, valid). With fewer than 2 positive left products the valid
    part is empty.
    """
    lefts = np.unique(pairs.left[pairs.label == 1])
    if len(lefts) < 2 or fraction <= 0:
        return pairs, pairs.subset(np.zeros(len(pairs), dtype=bool))
    n_valid = int(np.clip(round(len(lefts) * fraction), min_valid, len(lefts) - 1))
    chosen = np.random.default_rng(seed).choice(lefts, size=n_valid, replace=False)
    mask = np.isin(pairs.left, chosen)
    return pairs.subset(~mask), pairs.subset(mask)


def positive_text_pairs(pairs: LabelledPairs, texts: Sequence[str]) -> TextPairs:
    """The positive pairs as (left text, right text) training examples."""
    pos = pairs.label == 1
    left, right = pairs.left[pos], pairs.right[pos]
    return TextPairs([texts[i] for i in left], [texts[i] for i in right],
                     left.astype(np.int64), right.astype(np.int64), pairs.source)


def code_view(text: str) -> str | None:
    """First word (usually the brand) + the model-number-like tokens, or None without any."""
    codes = model_tokens(text)
    return " ".join([text.split()[0], *codes]) if codes and text.split()[0] not in codes \
        else (" ".join(codes) if codes else None)


def model_tokens(text: str) -> list[str]:
    """Tokens that look like model numbers / codes (contain a digit), in order."""
    words = (w.strip(_EDGE) for w in re.split(r"[\s/]+", text))
    return [w for w in words if len(w) >= 3 and any(c.isdigit() for c in w)]


def corrupt(text: str, rng: np.random.Generator, *, drop: float = 0.25) -> str:
    """A noisy copy of a title: drop words (never model-number tokens), maybe swap two."""
    words = text.split()
    if len(words) < 3:
        return text
    codes = set(model_tokens(text))
    kept = [w for w in words if w.strip(_EDGE) in codes or rng.random() >= drop] or words
    if len(kept) > 3 and rng.random() < 0.5:
        i = int(rng.integers(0, len(kept) - 1))
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return " ".join(kept)


def vary_code(code: str, rng: np.random.Generator) -> str:
    """The same model number written another way: separators dropped ("DVD-VR375" ->
    "DVDVR375"), or a hyphen put at a letter/digit boundary ("DVDVR375" -> "DVDVR-375")."""
    plain = re.sub(r"[-/. ]", "", code)
    if plain != code:
        return plain
    cuts = [i for i in range(1, len(code)) if code[i - 1].isdigit() != code[i].isdigit()]
    cuts = cuts or ([len(code) // 2] if len(code) >= 6 else [])
    if not cuts:
        return code
    i = cuts[int(rng.integers(len(cuts)))]
    return f"{code[:i]}-{code[i:]}"


def vary_codes(text: str, rng: np.random.Generator) -> str:
    """text with every model-number-like token rewritten by :func:`vary_code`."""
    out = text
    for code in dict.fromkeys(model_tokens(text)):
        out = re.sub(rf"(?<![\w-]){re.escape(code)}(?![\w-])", vary_code(code, rng), out)
    return out


def view_columns(catalog: Catalog) -> list[str]:
    """Columns whose text describes one product on its own: the text columns after the
    first, and other columns named like a description. (Category or brand alone are
    shared by many products, so they never make a view by themselves.)"""
    hinted = [c for c in catalog.frame.columns if "desc" in str(c).lower()]
    cols = [*catalog.mapping.text_columns[1:], *hinted]
    return [c for c in dict.fromkeys(cols) if c in catalog.frame.columns]


def catalog_views(catalog: Catalog, row: int, rng: np.random.Generator) -> list[str]:
    """Other views of one product: its descriptive columns (:func:`view_columns`), a
    brand + model-number view, its title with model numbers written differently, and a
    noisy copy of its title."""
    text, frame = catalog.texts[row], catalog.frame
    title = str(frame.at[row, catalog.mapping.text_columns[0]]).strip() or text
    values = [str(frame.at[row, c]).strip()[:300] for c in view_columns(catalog)]
    views = [v for v in values if len(v.split()) >= 4 and v != text]
    codes = code_view(title)
    if codes:
        views += [codes, vary_codes(title, rng)]
    views.append(corrupt(title, rng))
    return [v for v in dict.fromkeys(views) if v.strip() and v != text]


def self_supervised_pairs(catalog: Catalog, *, max_pairs: int = 4000, per_product: int = 1,
                          seed: int = 0) -> TextPairs:
    """Pairs (inference text, another view of the same product) from the catalog alone.

    Up to per_product views for each of up to max_pairs / per_product products
    (chosen at random, seeded). Empty texts are skipped.
    """
    rng = np.random.default_rng(seed)
    n = len(catalog)
    rows = rng.permutation(n)[: max(1, max_pairs // max(per_product, 1))]
    anchors, positives, idx = [], [], []
    for row in sorted(int(r) for r in rows):
        if not catalog.texts[row].strip():
            continue
        views = catalog_views(catalog, row, rng)
        for view in list(rng.permutation(views))[:per_product] if views else []:
            anchors.append(catalog.texts[row])
            positives.append(str(view))
            idx.append(row)
    rows_a = np.asarray(idx, dtype=np.int64)
    return TextPairs(anchors, positives, rows_a, rows_a.copy(), "self-supervised")


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
