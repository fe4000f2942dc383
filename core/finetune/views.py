"""Self-supervised training pairs: two *views* of the same product, from the catalog alone.

For shops with no labels at all: a product's inference text paired with another
text column, a brand + model-number view, its title with model numbers written
another way, or a corrupted copy of its title (:func:`self_supervised_pairs`).
"""

from __future__ import annotations

import re

import numpy as np

from core.catalog.table import Catalog
from core.finetune.pairs import TextPairs

_EDGE = ",.;:()[]{}'\"-_!?"


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
