"""Product pairs for fine-tuning: labelled pairs over one catalog, and text pairs.

:class:`LabelledPairs` (rows + labels) come from an uploaded table
``left_id,right_id[,label]`` (label 1 = same product / good neighbour, 0 =
different; no label column = 1; a row whose label cell is empty is skipped, as Evaluate
leaves it out) or from review decisions (accepted = 1, rejected = 0,
``core.lists.review.ReviewStore``); they are combined, and split into train and
held-out validation by left product. :class:`TextPairs` holds the positive
(anchor text, positive text) examples the trainer consumes, with the product row
of each side so in-batch negatives never include a known match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.catalog.table import Catalog, read_table
from core.errors import CatalogError, short_list
from core.lists.review import ReviewStore

LEFT_HINTS = ("left_id", "left", "ltable_id", "id1", "source_id", "a")
RIGHT_HINTS = ("right_id", "right", "rtable_id", "id2", "neighbor_id", "b")


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


def empty_pairs(source: str = "pairs") -> LabelledPairs:
    z = np.zeros(0, dtype=np.int64)
    return LabelledPairs(z, z.copy(), np.zeros(0, dtype=np.int8), source)


LABEL_COLUMNS = ("label", "match", "is_match", "same", "is_same")


@dataclass(frozen=True)
class PairColumns:
    """The columns of a pairs file: left and right ids, the label (None: every pair is the
    same product). not_label: an unnamed third column that was not read as labels (none of
    its cells is a label value: a note), for the reader to say so."""

    left: object
    right: object
    label: object | None
    not_label: object | None = None


def pair_columns(frame: pd.DataFrame) -> PairColumns:
    """How Evaluate, Duplicate threshold and Fine-tune (app and CLI) read a pairs file.

    Ids: columns named like left_id/ltable_id/a/... and right_id/rtable_id/b/..., else the
    first columns that are not the other id. Label: a column named label/match/is_match/
    same/is_same; else the third column when it holds labels (every cell filled in is
    1/0, yes/no...; one holding only other text, such as notes, is not a label: every
    pair is then the same product and not_label names it; one holding both raises
    CatalogError naming the values that are not labels)."""
    cols = list(frame.columns)
    if len(cols) < 2:
        raise CatalogError(
            "Labelled pairs need columns left_id,right_id[,label] (or ltable_id,rtable_id); "
            f"found: {', '.join(map(str, cols))}")
    lower: dict[str, object] = {}
    for col in cols:
        lower.setdefault(str(col).strip().lower(), col)
    left = next((lower[h] for h in LEFT_HINTS if h in lower), None)
    right = next((lower[h] for h in RIGHT_HINTS if h in lower and lower[h] is not left), None)
    rest = [c for c in cols if c is not left and c is not right]
    left = rest.pop(0) if left is None else left
    right = rest.pop(0) if right is None else right
    label = next((lower[n] for n in LABEL_COLUMNS if n in lower
                  and lower[n] is not left and lower[n] is not right), None)
    if label is not None or len(cols) < 3 or cols[2] is left or cols[2] is right:
        return PairColumns(left, right, label)
    cells = frame[cols[2]]
    filled = cells[~_blank(cells)]
    text = filled.astype(str).str.strip().str.lower()
    if not text.isin(list(LABEL_VALUES)).any():
        return PairColumns(left, right, None, not_label=cols[2])
    return PairColumns(left, right, cols[2])


def not_label_note(column: object) -> str:
    """What a reader says of PairColumns.not_label."""
    return (f"The third column, {column}, is not read as labels (none of its cells is 1/0, "
            "yes/no or y/n): every pair counts as the same product. If it holds labels, write "
            "1 (same product) or 0 (different) in it")


# a label cell as written (stripped, lower case) -> 1 same product, 0 different
LABEL_VALUES = {"1": 1, "1.0": 1, "true": 1, "yes": 1, "y": 1, "same": 1, "match": 1,
                "accepted": 1, "accept": 1, "0": 0, "0.0": 0, "false": 0, "no": 0, "n": 0,
                "different": 0, "rejected": 0, "reject": 0, "是": 1, "相同": 1, "否": 0,
                "不同": 0}


def pair_labels(series: pd.Series | None, n: int) -> np.ndarray:
    """(n,) int8 labels of a pairs file's label column: 1/0, yes/no, y/n, true/false,
    accepted/rejected, same/different, match (any case), 是/否, 相同/不同; an empty cell
    or no column is 1 (callers leave rows with empty cells out: :func:`empty_labels`).
    Other values raise CatalogError naming them."""
    if series is None:
        return np.ones(n, dtype=np.int8)
    text = series.astype(str).str.strip().str.lower()
    mapping = {**LABEL_VALUES, "": 1}
    bad = sorted(set(text) - set(mapping))
    if bad:
        raise CatalogError(f"Pair labels must be 1/0 (or yes/no, y/n, accepted/rejected); "
                           f"found {', '.join(repr(b) for b in bad[:5])}")
    return text.map(mapping).to_numpy(dtype=np.int8)


def _blank(cells: pd.Series) -> pd.Series:
    """Which cells are empty (missing, or only spaces)."""
    return cells.isna() | (cells.astype(str).str.strip() == "")


def empty_labels(cells: pd.Series, column: str) -> np.ndarray:
    """(n,) bool: the rows whose label cell is empty. Every cell empty raises
    CatalogError: a label column nobody filled in is not "all the same product"."""
    empty = _blank(cells).to_numpy()
    if len(empty) and empty.all():
        raise CatalogError(
            f"Every label cell (column {column}) is empty: write 1 (same product) or 0 "
            "(different) in it, or remove the column if every pair is the same product")
    return empty


def pairs_from_frame(frame: pd.DataFrame, catalog: Catalog, *,
                     source: str = "pairs") -> LabelledPairs:
    """Map a ``left_id,right_id[,label]`` table onto catalog rows.

    Columns are found as :func:`pair_columns` finds them (as Evaluate reads the file).
    Pairs naming an unknown id or a product with itself are skipped with a warning; none
    left raises CatalogError.
    """
    found = pair_columns(frame)
    left_col, right_col, label_col = found.left, found.right, found.label
    left = catalog.rows_of(frame[left_col])
    right = catalog.rows_of(frame[right_col])
    cells = frame[label_col] if label_col else None
    empty = np.zeros(len(frame), bool) if cells is None else empty_labels(cells, label_col)
    label = pair_labels(None if cells is None else cells.where(~empty, "1"), len(frame))
    known = left.notna().to_numpy() & right.notna().to_numpy()
    warnings = [] if found.not_label is None else [not_label_note(found.not_label)]
    if (known & empty).any():
        n = int((known & empty).sum())
        warnings.append(f"{n} of {len(frame)} pairs {'has' if n == 1 else 'have'} an empty "
                        "label (write 1 for the same product or 0 for different); skipped")
    if (~known).any():
        unknown = pd.concat([frame.loc[left.isna().to_numpy(), left_col],
                             frame.loc[right.isna().to_numpy(), right_col]])
        n = int((~known).sum())
        warnings.append(f"{n} of {len(frame)} pairs {'names' if n == 1 else 'name'} ids that "
                        "are not in the catalog "
                        f"({short_list(unknown.astype(str).str.strip().unique(), 5)}); "
                        "skipped")
    left_a = left.fillna(-1).to_numpy(dtype=np.int64)
    right_a = right.fillna(-1).to_numpy(dtype=np.int64)
    same = known & ~empty & (left_a == right_a)
    if same.any():
        warnings.append("1 pair joins a product with itself; skipped" if same.sum() == 1 else
                        f"{int(same.sum())} pairs join a product with itself; skipped")
    keep = known & ~same & ~empty
    if not keep.any():
        none = (f"None of the {len(frame)} pairs matches two different catalog ids "
                f"(columns used: {left_col}, {right_col})")
        raise CatalogError(f"{none}; check the id column",
                           cli=f"{none}; check --id-col (--id-col @row if the file holds row "
                           "numbers)")
    return LabelledPairs(left_a[keep], right_a[keep], label[keep], source, tuple(warnings))


def read_pairs(data: bytes | str | Path, catalog: Catalog, *,
               filename: str | None = None) -> LabelledPairs:
    """Read an uploaded pairs file (CSV/TSV/Excel/Parquet) onto catalog rows."""
    table = read_table(data, filename=filename)
    return pairs_from_frame(table.frame, catalog, source="uploaded pairs")


def review_pairs(db_path: str | Path, catalog: Catalog, *,
                 owner: str | None = None) -> LabelledPairs:
    """Accepted (1) / rejected (0) review decisions applied to this catalog (made on it or
    carried over from an earlier version); empty when none.

    owner: one reviewer's decisions (the app's session), None for every reviewer (CLI).
    """
    if not Path(db_path).exists():
        return empty_pairs("review decisions")
    rows = ReviewStore(db_path, catalog, owner=owner).as_labelled_pairs()
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
