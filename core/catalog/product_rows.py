"""Shop platform exports that write a row per variant, read as one row per product.

Shopify's product CSV (Products > Export) writes a row per variant and a row per extra
photo: the first row of a product holds its Title, description, vendor and type, the rows
after it only its Handle and a variant's options, SKU, price and barcode, or a photo's
address. Read as it is, a 10-product shop is 110 "products", 100 of them with no text,
named by row number, and Shopify imports recommendations by Handle. So such a file is
read as one row per Handle: each column holds the first value given for that product
(the Title and description of its first row, the first variant's price, SKU and barcode,
its first photo), and the reader says so. Files without Shopify's columns, and exports
that already have one row per Handle, are left as they are.

WooCommerce's product CSV (Products > Export) writes each variable product's variations
(sizes, colours) as rows of their own, of Type "variation", after a row of Type "variable"
for the product; its related products and cross-sells name products, not variations. Such a
file is read without the variation rows, and the reader says how many were left out.

Magento's product export (System > Export) writes a row per product and store view (rows
with a store_view_code repeat a product for one store's language), and the simple products
of a configurable product as products of their own, "Not Visible Individually": shoppers
never see them, so a list must not offer them. Both are left out, and said.

Any table: rows with every cell empty (a spreadsheet's spacer rows, written ",,,," to CSV)
and a totals row at the end ("Total" or "合计" beside a sum, the other cells empty) are no
products, nor is a row of units under the column names (",,kg,EUR": Weight in kg, Price in
EUR, the numbers below); they are left out, and said, instead of stopping the catalog as
rows without an id.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from core.errors import CatalogError

HANDLE = "handle"
TITLE = "title"
# Columns only Shopify's product export has together with Handle and Title
_VARIANT_COLUMNS = ("variant sku", "variant price", "option1 value", "variant barcode")
# Per-variant codes: after the rows are joined they are the first variant's, not the product's
PER_VARIANT = ("variant barcode", "variant sku")


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    """lower-cased, stripped name -> the column's name."""
    return {str(c).strip().lower(): str(c) for c in frame.columns}


def is_shopify_export(frame: pd.DataFrame) -> bool:
    """Whether the frame has the columns of a Shopify product export (Handle, Title and
    at least one variant column)."""
    names = _columns(frame)
    return HANDLE in names and TITLE in names and any(c in names for c in _VARIANT_COLUMNS)


def one_row_per_handle(frame: pd.DataFrame) -> bool:
    """A Shopify export already read as one row per product (no Handle repeats)."""
    if not is_shopify_export(frame):
        return False
    return bool(frame[_columns(frame)[HANDLE]].astype(str).str.strip().is_unique)


def products_of(frame: pd.DataFrame) -> pd.DataFrame | None:
    """One row per Handle, in the order products first appear, each column the first value
    given for the product (blank when none), or None when the frame is no Shopify product
    export or already has one row per Handle. Rows without a Handle stay rows of their own."""
    if not is_shopify_export(frame):
        return None
    handle = frame[_columns(frame)[HANDLE]].astype(str).str.strip()
    if handle.is_unique:
        return None
    key = handle.where(handle != "", "\x00row " + pd.Series(range(len(frame)),
                                                         index=frame.index).astype(str))
    cells = frame.astype(str).apply(lambda s: s.str.strip())
    first = cells.where(cells != "").groupby(key.to_numpy(), sort=False).first()
    return first.reindex(columns=frame.columns).fillna("").reset_index(drop=True)


WOO_TYPES = frozenset(("simple", "variable", "variation", "grouped", "external"))


def woo_variations(frame: pd.DataFrame) -> pd.Series | None:
    """(n,) bool: the variation rows of a WooCommerce product export (columns Type and
    Parent, every Type one of WooCommerce's, some variations and some products; a Type may
    carry flags: "variation, virtual"), or None for any other frame."""
    names = _columns(frame)
    if "type" not in names or "parent" not in names or not ({"name", "sku"} & set(names)):
        return None
    kind = frame[names["type"]].astype(str).str.split(",").str[0].str.strip().str.lower()
    if not kind.isin(WOO_TYPES | {""}).all():
        return None
    variation = kind == "variation"
    return variation if variation.any() and not variation.all() else None


HIDDEN = "not visible individually"


def magento_rows(frame: pd.DataFrame) -> tuple[pd.Series, int, int] | None:
    """(rows to keep, store-view rows, hidden rows) of a Magento product export (columns sku,
    product_type and visibility) that has rows to leave out, or None."""
    names = _columns(frame)
    if not {"sku", "product_type", "visibility"} <= set(names):
        return None
    store = names.get("store_view_code")
    other_view = (frame[store].astype(str).str.strip() != "") if store else \
        pd.Series(False, index=frame.index)
    hidden = frame[names["visibility"]].astype(str).str.strip().str.lower() == HIDDEN
    hidden &= ~other_view
    keep = ~(other_view | hidden)
    if keep.all() or not keep.any():
        return None
    return keep, int(other_view.sum()), int(hidden.sum())


# A cell that names a totals row, lower-cased, without a trailing colon
TOTAL_WORDS = frozenset({
    "total", "totals", "grand total", "sum", "subtotal", "sub-total", "sub total", "summe",
    "gesamt", "gesamtsumme", "total général", "total general", "totale", "totaal", "somme",
    "合计", "总计", "小计", "合計", "總計", "小計"})
_TAIL_ROWS = 3  # a totals row is one of the last rows


def _blank(column: pd.Series) -> pd.Series:
    """Cells that are missing or only whitespace."""
    blank = column.isna()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        blank |= column.astype(str).str.strip().eq("")
    return blank


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Positions of rows whose every cell is empty. Column by column over the rows still
    blank, so a catalog without such rows costs one pass over its first column."""
    rows = np.arange(len(frame))
    for col in range(frame.shape[1]):
        if not len(rows):
            break
        rows = rows[_blank(frame.iloc[rows, col]).to_numpy()]
    return rows


def total_rows(frame: pd.DataFrame) -> list[tuple[int, str]]:
    """(position, the cell that says so) of the last rows that read as totals: a cell that is
    a total word ("Total", "Summe", "合计"...) and at least half the other cells empty (a
    product of the TotalEnergies brand has its id, title and price)."""
    found = []
    width = frame.shape[1]
    for pos in range(max(0, len(frame) - _TAIL_ROWS), len(frame)):
        row = frame.iloc[pos]
        cells = ["" if pd.isna(v) else str(v).strip() for v in row.tolist()]
        words = [c for c in cells if c.lower().rstrip(":").strip() in TOTAL_WORDS]
        if words and width > 1 and sum(not c for c in cells) * 2 >= width - 1:
            found.append((pos, words[0]))
    return found


# a unit or a currency as a report writes it under a column name: "kg", "(EUR)", "[mm]", "in €"
_UNIT = re.compile(
    r"(?i)^[(\[]?\s*(?:in\s+)?(?:kg|g|mg|lbs?|oz|t|cm|mm|m|km|in|inch(?:es)?|ft|ml|cl|l|gal|"
    r"pcs?|pieces?|stk|st[üu]ck|units?|%|w|kw|v|mah|gb|tb|mb|hz|px|days?|h|min|sec|"
    r"eur|usd|gbp|chf|cny|rmb|jpy|rub|sek|nok|dkk|pln|czk|aud|cad|€|\$|£|¥|₽|"
    r"元|件|个|克|千克|公斤|厘米|毫米|米|毫升|升|天)\s*[)\]]?$")
_NUMBER = re.compile(r"^[-+]?[$€£¥]?\s*\d[\d\s.,']*\s*(?:[$€£¥%]|[a-z]{0,3})?$", re.IGNORECASE)


def units_row(frame: pd.DataFrame) -> str | None:
    """The units of a first row that holds only units under the column names (",,kg,EUR":
    no id, no title), each over a column of numbers; None when the first row is a product."""
    if len(frame) < 2 or frame.shape[1] < 2:
        return None
    cells = ["" if pd.isna(v) else str(v).strip() for v in frame.iloc[0].tolist()]
    filled = [i for i, c in enumerate(cells) if c]
    if not filled or len(filled) * 2 > len(cells) or not all(_UNIT.match(cells[i])
                                                             for i in filled):
        return None
    below = frame.iloc[1:51]
    for i in filled:
        values = [str(v).strip() for v in below.iloc[:, i].tolist() if not pd.isna(v)]
        values = [v for v in values if v]
        if not values or sum(bool(_NUMBER.match(v)) for v in values) < 0.8 * len(values):
            return None
    return ", ".join(cells[i].strip("()[] ") for i in filled)


def without_blank_and_totals(table):
    """The table without empty rows and a totals row at its end, each said in a warning."""
    frame = table.frame
    if frame.empty:
        return table
    blank = blank_rows(frame)
    drop = np.zeros(len(frame), dtype=bool)
    drop[blank] = True
    notes = []
    if len(blank):
        notes.append(f"{table.source}: {len(blank):,} empty row{'s' if len(blank) != 1 else ''} "
                     f"(every cell blank) {'were' if len(blank) != 1 else 'was'} left out")
    rest = frame[~drop]
    units = units_row(rest)
    if units is not None:
        drop[np.flatnonzero(~drop)[0]] = True
        notes.append(f"{table.source}: the row under the column names holds units ({units}), "
                     "not a product; left out")
        rest = frame[~drop]
    totals = total_rows(rest)
    if totals and len(totals) < len(rest):
        positions = np.flatnonzero(~drop)[[p for p, _ in totals]]
        drop[positions] = True
        said = ", ".join(f"'{cell}'" for _, cell in totals)
        notes.append(f"{table.source}: the last rows hold a total ({said}), not a product; "
                     f"left out")
    if not notes:
        return table
    if drop.all():
        raise CatalogError(f"{table.source} has a header but no product rows")
    kept = frame[~drop].reset_index(drop=True)
    return replace(table, frame=kept, warnings=(*table.warnings, *notes))


def as_products(table):
    """A RawTable of a Shopify product export with a row per variant or photo -> one row per
    product, of a WooCommerce export -> its products without their variations, of a Magento
    export -> its products shoppers see, once each; each with a warning that says what was
    done; any other table as it is. Empty rows and a totals row are left out first."""
    table = without_blank_and_totals(table)
    magento = magento_rows(table.frame)
    if magento is not None:
        keep, views, hidden = magento
        kept = table.frame[keep.to_numpy()].reset_index(drop=True)
        note = (f"{table.source} is a Magento product export of {len(table.frame):,} rows; left "
                f"out: rows of another store view {views:,}, products not visible on their own "
                f"(the simple products of configurable ones) {hidden:,}. The lists are of the "
                f"{len(kept):,} products shoppers see")
        return replace(table, frame=kept, warnings=(note, *table.warnings))
    variation = woo_variations(table.frame)
    if variation is not None:
        kept = table.frame[~variation.to_numpy()].reset_index(drop=True)
        n = int(variation.sum())
        note = (f"{table.source} is a WooCommerce product export: its {len(table.frame):,} "
                f"rows hold {len(kept):,} products and {n:,} variations (sizes, colours and "
                "other options of variable products); the variations were left out, so the "
                "lists are of the products")
        return replace(table, frame=kept, warnings=(note, *table.warnings))
    products = products_of(table.frame)
    if products is None:
        return table
    handle = _columns(table.frame)[HANDLE]
    note = (f"{table.source} is a Shopify product export: its {len(table.frame):,} rows describe "
            f"{len(products):,} products (the other rows are their variants and extra photos), "
            f"so it was read as one row per product, named by its {handle}, with the first "
            "variant's price, SKU and barcode and the first photo")
    return replace(table, frame=products, warnings=(note, *table.warnings))


__all__ = [
    "HIDDEN",
    "PER_VARIANT",
    "WOO_TYPES",
    "as_products",
    "is_shopify_export",
    "magento_rows",
    "one_row_per_handle",
    "products_of",
    "woo_variations",
]
