"""Product fingerprints: how a review decision carries over to the next version of a catalog.

Each decision is saved with a fingerprint of each of its two products: a short hash of the
product's id and of its cells in the text columns the products were compared by (the
column names are saved with the decision). A decision applies to any catalog in which both
products are found with the same fingerprints, recomputed over those same columns: adding
products, removing others, editing other products' texts, changing a price, brand or photo
column, or comparing by more (or fewer) text columns keeps it. A product whose text was
edited since, or whose id is gone, no longer matches: the decision is kept in the database
but not applied, and :func:`classify` says why.

Photos and the other mapped columns (category, brand, price) are left out on purpose: a
corrected price or a new photo address does not make another product, and the decision is
about the two products' identity, which their id and text carry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

import pandas as pd

SAME, CHANGED, GONE = "same", "changed", "gone"


def product_print(product_id: str, cells: Sequence[str], columns: Sequence[str]) -> str:
    """16 hex of sha256 over the id and (column name, cell) pairs, each length-prefixed so
    that no id or cell can pass for another split of the same characters."""
    digest = hashlib.sha256(b"review-p1")
    for part in (product_id, *(f"{c}\x1f{v}" for c, v in zip(columns, cells))):
        data = str(part).encode("utf-8", "surrogatepass")
        digest.update(f"{len(data)}:".encode() + data)
    return digest.hexdigest()[:16]


def columns_json(columns: Sequence[str]) -> str:
    """The text columns a decision's fingerprints are over, as saved with it."""
    return json.dumps([str(c) for c in columns], ensure_ascii=False)


class ProductPrints:
    """Fingerprints of one catalog's products, worked out only for the ids asked about.

    catalog: a core.catalog.table.Catalog (frame, mapping, ids). Memoised per
    (columns, id), so a store reading its decisions several times hashes each once.
    """

    def __init__(self, catalog) -> None:
        self.catalog = catalog
        self.columns = tuple(str(c) for c in catalog.mapping.text_columns)
        self._names = {str(c): c for c in catalog.frame.columns}
        self._rows: dict[str, int] = {}
        self._memo: dict[tuple[str, str], str] = {}
        self._keys: dict[str, str] = {}  # saved columns JSON -> as columns_json writes it
        self._index: pd.Index | None = None  # the catalog's ids, built on the first lookup

    def locate(self, ids: Iterable[str]) -> None:
        """Find the rows of many ids at once (one hash lookup over the catalog's ids)."""
        wanted = [i for i in dict.fromkeys(map(str, ids)) if i not in self._rows]
        if not wanted:
            return
        if self._index is None:
            self._index = pd.Index(self.catalog.ids.astype(str))
        found = self._index.get_indexer(wanted)
        self._rows.update(zip(wanted, map(int, found)))

    def prepare(self, columns: str, ids: Iterable[str]) -> None:
        """Work out the fingerprints of many ids over ``columns`` (saved JSON) at once: one
        slice of the frame, not one cell lookup per product."""
        names = tuple(json.loads(columns))
        key = columns_json(names)
        ids = [i for i in dict.fromkeys(map(str, ids)) if (key, i) not in self._memo]
        self.locate(ids)
        ids = [i for i in ids if self._rows[i] >= 0]
        if not ids:
            return
        if any(c not in self._names for c in names):  # a column gone from the file
            self._memo.update(((key, i), "") for i in ids)
            return
        rows = [self._rows[i] for i in ids]
        cells = [self.catalog.frame[self._names[c]].iloc[rows].fillna("").astype(str)
                 .str.strip().tolist() for c in names]
        for pid, values in zip(ids, zip(*cells) if cells else [()] * len(ids)):
            self._memo[(key, pid)] = product_print(pid, values, names)

    def of(self, product_id: str, columns: str | None = None) -> str | None:
        """The product's fingerprint over ``columns`` (saved JSON; default: the catalog's text
        columns); None when the id is not in the catalog, '' when a column is no longer in
        the file (nothing can match it)."""
        product_id = str(product_id)
        columns = columns_json(self.columns) if columns is None else columns
        self.locate([product_id])
        if self._rows[product_id] < 0:
            return None
        key = (self._key(columns), product_id)
        if key not in self._memo:
            self.prepare(columns, [product_id])
        return self._memo[key]

    def _key(self, columns: str) -> str:
        """``columns`` (saved JSON) as the memo keys it (parsed once per distinct text: a
        store asks about every decision's two products on each read)."""
        key = self._keys.get(columns)
        if key is None:
            key = self._keys[columns] = columns_json(json.loads(columns))
        return key

    def status(self, product_id: str, saved: str, columns: str) -> str:
        """SAME (found, same fingerprint), CHANGED (found, text edited) or GONE (no such id)."""
        now = self.of(product_id, columns)
        return GONE if now is None else SAME if now and now == saved else CHANGED


def classify(left: str, right: str) -> str | None:
    """Why a decision whose products have these statuses is not applied: "changed" (both
    products are here, one or both edited since), "gone" (one is no longer in the catalog)
    or None (neither is here: a decision on another catalog, not this one's business)."""
    if GONE not in (left, right):
        return CHANGED if CHANGED in (left, right) else None
    return None if left == right else GONE
