"""Variant families: the same product in other colours and sizes.

A clothing shop lists each size and colour of a T-shirt as a product of its own
("Classic Crew Neck T-Shirt - Black / S", "... - Navy / M"): every one is the most
similar product to the others, so a T-shirt's list is the same T-shirt ten times over,
which a customer choosing a size and a colour on the product page does not need. The
rule ``leave_out_variants`` keeps other products instead: two products are one family
when their titles are the same once colour words and clothing sizes are taken out.

A catalog that names its variant groups says so itself: a Google Shopping feed's
item_group_id, a YML offer's group_id, a parent SKU (WooCommerce, Magento, Shopware), a
Chinese shop's SPU or 款号 (style number). Products that share such a value are one
family too, whatever their titles say ("Scented candle - Vanilla" and "- Lavender"): the
families are the union of the two.

What is taken out: colour words (the ones same-product evidence reads, English and
Chinese, and common fashion shades), clothing sizes as words of their own (XS-XXXL,
2XL-5XL, S / M / L, small / medium / large, one size, "size 42" and the like; in
Chinese 码 and 尺码 sizes), a book's formats (paperback, hardcover, Kindle edition,
audiobook...), and the separators between them. Capacities, lengths and
model numbers stay: a 32GB and a 64GB drive are two products a list may offer.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import pandas as pd

_COLOURS = (
    "black", "white", "red", "blue", "green", "yellow", "pink", "purple", "orange", "silver",
    "gold", "gray", "grey", "brown", "cyan", "magenta", "beige", "navy", "tan", "teal",
    "olive", "khaki", "ivory", "maroon", "burgundy", "charcoal", "turquoise", "lavender",
    "lilac", "indigo", "violet", "multicolor", "multicolour",
)
# "light", "dark" and the like only before a colour ("Light Grey"): alone they are product
# words (a light bulb, dark chocolate)
_SHADE = re.compile(r"\b(?:light|dark|pale|bright|deep|off)[\s-]+(?=(?:" + "|".join(_COLOURS)
                    + r")\b)")
# written with 色 ("colour"): a lone 红 or 白 is part of words (红酒 red wine, 白酒 baijiu,
# 蓝牙 Bluetooth), and taking it out would make two products one
_ZH_COLOURS = ("黑色", "白色", "红色", "蓝色", "绿色", "黄色", "粉色", "紫色", "橙色", "银色", "金色",
               "灰色", "棕色", "青色", "米色", "藏青色", "卡其色", "咖啡色", "酒红色", "深蓝色",
               "浅蓝色", "深灰色", "浅灰色", "玫红色", "天蓝色")
_SIZES = ("xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "5xl", "small",
          "medium", "large", "x-large", "xx-large", "xxx-large", "extra-large", "x-small",
          "xx-small", "extra-small", "petite", "tall", "regular")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[\u4e00-\u9fff]+|[^\sa-z0-9\u4e00-\u9fff]")
_SIZE_PHRASE = re.compile(
    r"\b(?:size|sz)\b\s*:?\s*[a-z0-9./-]+|\b(?:eu|us|uk)\s*\d+(?:[.,/]\d+)?\b|\bone\s+size\b|"
    r"\bextra\s+(?:small|large)\b|"
    r"(?:尺码|码数|尺寸)\s*[:：]?\s*[a-z0-9]+|[a-z0-9]+\s*码")
# a book's formats are its sizes: "Cosmos (Paperback)" and "Cosmos (Hardcover)" are one title
# ("kindle" alone is also an e-reader: only "kindle edition")
_FORMAT = re.compile(r"\b(?:mass[\s-]+market\s+)?(?:paperback|hardcover|hardback|softcover|"
                     r"kindle\s+edition|e-?book|audiobook|audio\s+cd|board\s+book|"
                     r"library\s+binding|spiral[\s-]+bound|large\s+print)\b")
_ZH_COLOUR = re.compile("|".join(sorted(map(re.escape, _ZH_COLOURS), key=len, reverse=True)))
_DROP = frozenset(_COLOURS) | frozenset(_SIZES) | frozenset(("colour", "color", "颜色"))
_NAMES = re.compile("[a-z0-9\u4e00-\u9fff]")
MAX_TITLE_CHARS = 300  # a family is told by a title's start; bounds the work per cell


def family_key(title: object) -> str:
    """The title with colours, clothing sizes and punctuation taken out, in lower case
    ("" when nothing is left: a title that is only a colour names no family)."""
    text = str(title or "")[:MAX_TITLE_CHARS].lower().replace("'", "").replace("’", "")
    text = _FORMAT.sub(" ", _SIZE_PHRASE.sub(" ", _SHADE.sub(" ", text)))
    text = _ZH_COLOUR.sub(" ", text)
    words = [w for w in _WORD.findall(text) if _NAMES.search(w)]  # punctuation left out
    return " ".join(w for w in words if w not in _DROP)


def variant_families(titles: Sequence[object],
                     groups: Sequence[object] | None = None) -> np.ndarray:
    """(n,) int64: one code per family of two or more products whose titles differ only
    in colour and size, or (groups: each product's variant group, "" for none) that share a
    group; -1 for a product with no such sibling (no rule applies to it)."""
    by_title = _shared(pd.Series([family_key(t) for t in titles], dtype=object))
    if groups is None:
        return by_title
    named = pd.Series(list(groups), dtype=object).fillna("").astype(str).str.strip()
    return _union(by_title, _shared(named))


def _shared(keys: pd.Series) -> np.ndarray:
    """(n,) int64: one code per key two or more products share; -1 for "" and a key alone."""
    keys = keys.where((keys != "") & keys.map(keys.value_counts()).ge(2))
    return pd.factorize(keys, use_na_sentinel=True)[0].astype(np.int64)


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Families joined where either partition joins them (-1: in no family of either)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(a)
    rows, cols = [], []
    for codes in (a, b):
        members = np.flatnonzero(codes >= 0)
        if len(members):  # each member joined to its family's first member
            first = pd.Series(members).groupby(codes[members]).transform("min").to_numpy()
            rows.append(members)
            cols.append(first)
    if not rows:
        return np.full(n, -1, dtype=np.int64)
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    joined = pd.Series(labels).where((a >= 0) | (b >= 0))  # NaN: in no family
    return pd.factorize(joined, use_na_sentinel=True)[0].astype(np.int64)


# Columns that name a product's variant group, in order of preference (names compared in
# lower case with spaces, dashes and dots as underscores)
GROUP_NAMES = ("item_group_id", "variant_group_id", "variant_group", "group_id", "groupid",
               "parent_sku", "parent_id", "parentid", "parent_number", "parentnumber",
               "parent", "spu_id", "spuid", "spu", "款号", "spu编号")
MAX_GROUP_SHARE = 0.05  # a column whose largest group holds more names no variant group


def group_column(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> str | None:
    """The catalog's variant-group column: named as GROUP_NAMES says, filled for at least
    one group of two, not the id column (exclude), and no group larger than a twentieth of
    the catalog (above 200 products: a 'group' of thousands is a category, not variants)."""
    names = {str(c).strip().lower().replace(" ", "_").replace("-", "_").replace(".", "_"): c
             for c in frame.columns if str(c) not in exclude}
    for wanted in GROUP_NAMES:
        column = names.get(wanted)
        if column is None:
            continue
        values = frame[column].fillna("").astype(str).str.strip()
        counts = values[values != ""].value_counts()
        if counts.empty or counts.iloc[0] < 2:
            continue
        if len(frame) > 200 and counts.iloc[0] > MAX_GROUP_SHARE * len(frame):
            continue
        return str(column)
    return None


def catalog_groups(catalog) -> list[str] | None:
    """Each product's variant group from the catalog's group column (None without one)."""
    column = group_column(catalog.frame, exclude=(catalog.mapping.id_column or "",))
    if column is None:
        return None
    return catalog.frame[column].fillna("").astype(str).tolist()

HINT_SHARE = 0.25  # of the list entries: a clothing shop's lists, not a stray pair
_KEPT = 4  # catalogs whose families are kept (an (n,) int64 array each: 8 MB per 1M products)
_FAMILIES: OrderedDict[str, np.ndarray] = OrderedDict()
_LOCK = threading.Lock()


def catalog_families(catalog) -> np.ndarray:
    """variant_families of a catalog's titles, kept for its content identity: every change
    of another rule re-applies the rules, and reading 100,000 titles takes about 2 s."""
    key = catalog.identity
    with _LOCK:
        if key in _FAMILIES:
            _FAMILIES.move_to_end(key)
            return _FAMILIES[key]
    families = variant_families(catalog.titles(), catalog_groups(catalog))
    families.setflags(write=False)
    with _LOCK:
        _FAMILIES[key] = families
        while len(_FAMILIES) > _KEPT:
            _FAMILIES.popitem(last=False)
    return families


def listed_variant_share(titles: Sequence[object], indices: np.ndarray,
                         sample: int = 2000, groups: Sequence[object] | None = None) -> float:
    """Share of the list entries that are the product itself in another colour or size
    (titles alike but for them, or the same title: a shop that keeps size and colour in
    columns of their own titles each variant row alike), read on at most `sample` lists
    spread over the catalog (indices (n, k), -1 = none): a hint that leave_out_variants
    would list other products."""
    idx = np.asarray(indices)
    n = len(idx)
    if not n:
        return 0.0
    rows = np.unique(np.linspace(0, n - 1, min(n, sample)).astype(np.int64))
    lists = [idx[row][idx[row] >= 0].tolist() for row in rows.tolist()]
    seen = {*rows.tolist(), *(r for x in lists for r in x)}
    keys = {r: family_key(titles[r]) for r in seen}
    group = {r: str(groups[r] or "").strip() for r in seen} if groups is not None else \
        dict.fromkeys(seen, "")
    pairs = [(row, other) for row, listed in zip(rows.tolist(), lists) for other in listed]
    same = sum((bool(keys[a]) and keys[b] == keys[a]) or (bool(group[a]) and group[a] == group[b])
               for a, b in pairs)
    return same / len(pairs) if pairs else 0.0

__all__ = ["GROUP_NAMES", "HINT_SHARE", "catalog_families", "catalog_groups", "family_key",
           "group_column", "listed_variant_share", "variant_families"]
