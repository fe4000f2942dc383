"""Catalogs: mapping a read table's columns, validating, and the report.

:func:`read_table` (in :mod:`core.catalog.read`, re-exported here) turns a
file into a :class:`RawTable`; :func:`build_catalog` applies a
:class:`ColumnMapping` and returns a :class:`Catalog` with a
:class:`ValidationReport`. Nothing is silently "fixed": problems are reported
and, where the user must choose, refused with a message that says how to choose.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from core.catalog.column_checks import (
    id_notes,
    model_number_notes,
    price_notes,
    rounded_ids_message,
    scientific_ids,
)
from core.catalog.limits import current_limits
from core.catalog.product_rows import PER_VARIANT, one_row_per_handle
from core.catalog.read import MAX_FILE_BYTES, RawTable, read_table
from core.errors import CatalogError, short_list

DUPLICATE_POLICIES = ("error", "keep-first", "suffix")
# An id as the formula-safe export writes it: ' before = + - @ (core.export.tables).
_GUARDED_ID = r"^'[=+\-@]"
TITLE_HINTS = ("title", "name", "product", "item", "标题", "名称", "品名", "商品",
               # German, French, Spanish, Italian shop exports (Bezeichnung;Beschreibung: the
               # longest column, the description, was taken for the title)
               "bezeichnung", "titel", "désignation", "designation", "libellé", "libelle",
               "titre", "nombre", "título", "titulo", "denominazione", "titolo",
               # Russian, Japanese (商品名 holds 商品), Korean
               "наименование", "название", "товар", "상품명", "제품명", "상품")
TEXT_HINTS = ("desc", "brand", "category", "manufacturer", "类", "描述", "品牌",
              "описание", "説明", "설명")
# product identifiers of marketplaces and barcodes (ASIN, UPC, EAN, GTIN, ISBN) are ids too
ID_HINTS = ("id", "sku", "code", "key", "编号", "asin", "upc", "ean", "gtin", "isbn",
            # European shop exports: ref;désignation;famille;prix, Artikelnummer, Art.-Nr.
            "ref", "ref.", "reference", "référence", "referencia", "riferimento",
            "artikelnummer", "art.-nr.", "art.nr.", "artnr", "item number", "item no",
            "item no.", "product code", "codice", "артикул", "код", "品番",
            "handle")  # Shopify's product id (core.catalog.product_rows)


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns play which part. ``id_column=None`` means row numbers."""

    text_columns: tuple[str, ...]
    id_column: str | None = None
    category: str | None = None
    brand: str | None = None
    price: str | None = None
    image: str | None = None
    model_number: str | None = None  # the maker's model number (MPN), not the shop's SKU

    def roles(self) -> dict[str, str]:
        """Mapped optional roles as {role: column}."""
        pairs = {"category": self.category, "brand": self.brand,
                 "price": self.price, "image": self.image, "model_number": self.model_number}
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True)
class ValidationReport:
    """What the reader found; shown to the user, never acted on silently."""

    rows: int
    duplicate_ids: tuple[str, ...] = ()
    duplicate_policy: str = "error"
    empty_texts: tuple[int, ...] = ()
    long_texts: int | None = None
    max_tokens: int | None = None
    warnings: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"{self.rows:,} rows"]
        if self.duplicate_ids:
            shown = ", ".join(self.duplicate_ids[:5])
            out.append(f"{len(self.duplicate_ids)} duplicate ids ({shown}"
                       f"{'...' if len(self.duplicate_ids) > 5 else ''}); "
                       f"policy: {self.duplicate_policy}")
        if self.empty_texts:
            rows = ", ".join(str(r + 1) for r in self.empty_texts[:5])
            out.append(f"1 row with empty text (row {rows})" if len(self.empty_texts) == 1
                       else f"{len(self.empty_texts)} rows with empty text (rows {rows}"
                       f"{'...' if len(self.empty_texts) > 5 else ''})")
        if self.long_texts:
            out.append(f"{self.long_texts} texts longer than the model reads "
                       f"({self.max_tokens} tokens); they are truncated")
        out.extend(self.warnings)
        return out


@dataclass(frozen=True)
class Catalog:
    """A mapped catalog: ids, the text each product is embedded from, roles.

    ids: (n,) object array of str, unique. texts: list of n str.
    """

    frame: pd.DataFrame
    mapping: ColumnMapping
    ids: np.ndarray
    texts: list[str]
    report: ValidationReport
    name: str = "catalog"

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def _titles(self) -> list[str]:
        col = self.mapping.text_columns[0]
        return self.frame[col].astype(str).tolist()

    def titles(self) -> list[str]:
        """A short label per product: its first text column (built once per catalog)."""
        return self._titles

    def model_numbers(self) -> list[str] | None:
        """Each product's model number (the mapped column's text; "" where blank), or None
        when no model number column is mapped."""
        col = self.mapping.model_number
        if not col or col not in self.frame.columns:
            return None
        return self.frame[col].fillna("").astype(str).tolist()

    def prices(self) -> np.ndarray | None:
        """Each product's price from the mapped price column ((n,) float64, NaN where blank,
        unreadable or in another currency than most: core.lists.pricecheck.one_currency), or
        None when none is mapped."""
        col = self.mapping.price
        if not col or col not in self.frame.columns:
            return None
        return self._prices

    @cached_property
    def _prices(self) -> np.ndarray:
        from core.lists.pricecheck import one_currency

        cells = self.frame[self.mapping.price]
        currency = currency_column(self.frame, self.mapping.price)
        if currency is not None:  # Etsy's PRICE beside CURRENCY_CODE: read as "12.99 EUR"
            named = self.frame[currency].fillna("").astype(str).str.strip()
            cells = cells.fillna("").astype(str).str.strip().str.cat(named, sep=" ")
        prices = one_currency(cells)
        prices.setflags(write=False)
        return prices

    def other_currency_count(self) -> int:
        """Products whose price reads as a number but is in another currency than most of
        the column's (prices() has none for them), read once per catalog; 0 without a price
        column."""
        return self._other_currency

    @cached_property
    def _other_currency(self) -> int:
        from core.lists.pricecheck import parse_prices

        prices = self.prices()
        if prices is None:
            return 0
        return int((np.isfinite(parse_prices(self.frame[self.mapping.price]))
                    & ~np.isfinite(prices)).sum())

    def price_evidence(self) -> np.ndarray | None:
        """prices() where they can be compared as same-product evidence (the scores read
        them), None when no price column is mapped or it does not price the products that
        are surely one product alike (price_note says so; the price rules and the price
        check still read prices())."""
        prices = self.prices()
        if prices is None or not self._price_agreement.comparable:
            return None
        return prices

    def price_note(self) -> str | None:
        """Why the mapped price column is left out of the scores, or None when it is not."""
        prices = self.prices()
        if prices is None:
            return None
        agreement = self._price_agreement
        if agreement.comparable:
            return None
        a, b = agreement.example
        share = agreement.far / agreement.pairs
        return (f"Prices in column '{self.mapping.price}' are left out of the scores: of "
                f"{agreement.pairs:,} pairs of products that name the same model number, "
                f"{share:.0%} are priced more than twice apart (e.g. {_cut(self.ids[a])} at "
                f"{prices[a]:,.2f} and {_cut(self.ids[b])} at {prices[b]:,.2f}). If the column "
                "mixes currencies, or cents and whole units, put one currency and unit in it; "
                "if those are packs or bundles of one model, nothing needs fixing. The price "
                "rules and the price check still read it")

    @cached_property
    def _price_agreement(self):
        from core.search.evidence import price_agreement

        ev = self.text_evidence()
        numbers = self.model_numbers()
        if numbers is not None:
            ev = ev.with_model_numbers(numbers)
        return price_agreement(ev, self.prices())

    def text_evidence(self):
        """What each product's text says about its exact product
        (core.search.evidence.TextEvidence of texts), read once per catalog."""
        return self._text_evidence

    @cached_property
    def _text_evidence(self):
        from core.search.evidence import TextEvidence

        return TextEvidence.build(self.texts)

    def column(self, name: str) -> pd.Series:
        if name not in self.frame.columns:
            raise CatalogError(f"Column '{name}' is not in the catalog; "
                               f"available: {short_list(self.frame.columns)}")
        return self.frame[name]

    def position_of(self) -> dict[str, int]:
        """Map id -> row position."""
        return {pid: i for i, pid in enumerate(self.ids)}

    def rows_of(self, ids: pd.Series) -> pd.Series:
        """Row position (float, NaN when unknown) of each id in a file the user uploads
        (labelled pairs, judgements), spaces around it ignored. An id the formula-safe
        export wrote with a leading ' ("'-B07X", so that Excel shows it as text) is found
        as the catalog's id without it when that one exists."""
        pos = self.position_of()
        text = ids.astype(str).str.strip()
        rows = text.map(pos)
        guarded = rows.isna() & text.str.match(_GUARDED_ID)
        if guarded.any():
            rows[guarded] = text[guarded].str[1:].map(pos)
        return rows

    @cached_property
    def identity(self) -> str:
        """Content identity: a hash of everything in the catalog that can change a result.

        The mapping (id, text columns, roles), the ids, the embedded texts and every
        cell of every column (rules, field weights and roles read other columns than
        the texts). Two uploads of the same content share it; a corrected brand
        column changes it. 24 hex characters; ~50 ms for 50k rows x 6 columns.
        """
        return catalog_identity(self.frame, self.mapping, self.ids, self.texts)


def catalog_identity(frame: pd.DataFrame, mapping: ColumnMapping, ids, texts) -> str:
    """sha256 over mapping, column names, ids, texts and per-row cell hashes (24 hex)."""
    digest = hashlib.sha256(repr(sorted(asdict(mapping).items())).encode())
    digest.update(repr([str(c) for c in frame.columns]).encode())
    for values in (ids, texts):
        digest.update("\x1f".join(map(str, values)).encode("utf-8", "surrogatepass"))
    for col in frame.columns:
        digest.update(str(col).encode("utf-8", "surrogatepass"))
        series = frame[col]
        if series.dtype == object:
            series = series.map(lambda v: v if isinstance(v, str) or v is None
                                else repr(v))
        try:
            digest.update(pd.util.hash_pandas_object(series, index=False).to_numpy().tobytes())
        except (TypeError, UnicodeEncodeError):  # unhashable cells, lone surrogates
            digest.update("\x1f".join(map(repr, series)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def guess_text_columns(frame: pd.DataFrame) -> list[str]:
    """Pick text columns: title/name-like first, then other textual columns.

    Id-like columns ('product_id', 'sku') are never chosen. Falls back to the
    string column with the longest average text.
    """
    cols = [str(c) for c in frame.columns]
    textual = [c for c in cols if not _is_id_name(c) and _is_textual(frame[c])]
    # the strongest hint first: a Magento export's "name", not its "product_type" before it
    rank = {c: min((i for i, h in enumerate(TITLE_HINTS) if h in c.lower()), default=None)
            for c in textual}
    titles = sorted((c for c in textual if rank[c] is not None), key=lambda c: rank[c])
    if titles:
        return titles[:1]
    if not textual:
        raise CatalogError("No text column found: the catalog needs at least one column "
                           f"of product text (title, name or description); columns: "
                           f"{short_list(cols, 20)}")
    lengths = {c: frame[c].astype(str).str.len().mean() for c in textual}
    return [max(textual, key=lambda c: lengths[c])]


# Chinese shops name ids 商品编号, 商品编码, 货号, 商品代码, 条码, 商品ID: the names hold
# 商品 (a title hint), so they are recognised as ids first
ZH_ID_SUFFIXES = ("编号", "编码", "货号", "代码", "条码", "条形码",
                  "コード", "番号", "코드", "번호")  # Japanese and Korean: 商品コード, 상품번호


def _is_id_name(col: str) -> bool:
    low = col.lower().strip()
    return (low in ID_HINTS or "sku" in low
            or low.endswith(("_id", " id", "-id", "_sku", "_code", *ZH_ID_SUFFIXES))
            or (low.endswith("id") and any("\u4e00" <= ch <= "\u9fff" for ch in low)))


MIN_ID_DISTINCT_SHARE = 0.9


def _id_like_columns(frame: pd.DataFrame) -> list[str]:
    """Columns named like ids ('id', 'sku', 'code', '...id', 'Variant SKU'), in order."""
    return [c for c in map(str, frame.columns) if _is_id_name(c) or c.lower().endswith("id")]


def guess_id_column(frame: pd.DataFrame) -> str | None:
    """An id-like column ('id', 'sku', 'code', '...id', 'Variant SKU'): the first whose
    values are unique, else (a few repeated or blank ids, which build_catalog then
    names) the one with the most distinct values if at least 90% of the rows have
    their own; else None (row numbers)."""
    named = _id_like_columns(frame)
    for col in named:
        if frame[col].astype(str).is_unique:
            return col
    if not named or frame.empty:
        return None
    share = {c: frame[c].astype(str).str.strip().nunique() / len(frame) for c in named}
    best = max(named, key=lambda c: share[c])
    return best if share[best] >= MIN_ID_DISTINCT_SHARE else None


def passed_over_id_column(frame: pd.DataFrame) -> tuple[str, int] | None:
    """(column, its different ids) of the id-like column guess_id_column passed over (too
    many repeated or blank ids for one per product; the one with the most different ids),
    so that the products are named by row number; None when it took one, or no column is
    named like ids. For saying why an export carries row numbers, not the shop's ids."""
    if frame.empty or guess_id_column(frame) is not None:
        return None
    named = _id_like_columns(frame)
    if not named:
        return None
    distinct = {c: int(frame[c].astype(str).str.strip().replace("", np.nan).nunique())
                for c in named}
    best = max(named, key=lambda c: distinct[c])
    return best, distinct[best]


def guess_role(frame: pd.DataFrame, role: str) -> str | None:
    """A column whose name suggests a role (category, brand, price, image) and that
    holds at least one value."""
    # a bookshop's genre is its category, and its author (else publisher) its brand: "at most
    # 2 per author", "another genre" (the first named column in the file's order)
    hints = {"category": ("category", "categor", "kategor", "department", "famille", "familia",
                          "rubrique", "rayon", "warengruppe", "genre", "类目", "分类", "类别",
                          "品类", "категори", "раздел", "カテゴリ", "分類", "카테고리", "분류",
                          "product_type", "product type"),  # the weakest last
             "brand": ("brand", "manufacturer", "vendor", "maker", "marke", "marque", "author",
                       "publisher", "品牌", "厂商", "厂家", "制造商", "作者", "出版社", "бренд",
                       "производитель", "марка", "ブランド", "メーカー", "브랜드", "제조사"),
             # not a bare 价: 评价 is a review
             "price": ("price", "preis", "prix", "precio", "价格", "售价", "单价", "零售价",
                       "现价", "定价", "标价", "一口价",  # 一口价: Taobao's fixed price
                       "цена", "стоимость", "価格", "値段", "가격", "판매가"),
             "image": ("image", "img", "picture", "photo", "图片", "主图", "图像", "照片",
                       "изображени", "фото", "картинк", "画像", "写真", "이미지", "사진"),
             # the maker's number; a shop's own SKU or item number (货号) is no model number,
             # nor is a marketplace's 型号, which sellers fill with their own codes (zh-dev:
             # 24 of 75 labelled same-product pairs with one on both sides differ in it): it
             # is mapped by hand where it is the maker's
             "model_number": ("modelno", "model_no", "model no", "model number", "model_number",
                              "modelnumber", "mpn", "manufacturer part", "part number", "partno",
                              "part_no", "vendorcode", "型番", "모델명")}[role]  # vendorCode: YML
    named = [col for col in map(str, frame.columns)
             if any(_hint_in(h, col.lower()) for h in hints) and _has_values(frame[col])]
    if role == "category":
        # the strongest name first: Magento's "categories", not its "product_type" (simple,
        # configurable) before it; then words before codes: a Google feed's
        # google_product_category holds taxonomy numbers (212), its product_type the shop's
        # own "Apparel > Tops"
        named.sort(key=lambda col: min(i for i, h in enumerate(hints)
                                       if _hint_in(h, col.lower())))
        words = [col for col in named if _is_textual(frame[col])]
        named = words or named
    if role == "price" and len(named) > 1:
        named = _best_prices(frame, named)
    if named:
        return named[0]
    if role == "model_number":  # a column named just "model" (not "model year")
        for col in map(str, frame.columns):
            if col.strip().lower() == "model" and _has_values(frame[col]):
                return col
        for col in map(str, frame.columns):  # else a barcode: one per item, as a model number
            if _BARCODE_NAME.search(col) and _has_values(frame[col]):
                return col
    return None


# A column that names each price's currency (Etsy's CURRENCY_CODE, a merged catalog's
# "currency"): read with the price, so that prices in another currency than most are not
# compared (core.lists.pricecheck.one_currency)
_CURRENCY_NAME = re.compile(r"(?i)^(?:price[ _.-]?)?(?:currency|curr|ccy)(?:[ _.-]?(?:code|id|iso))?$"
                            r"|^currencyid$|^währung$|^devise$|^moneda$|^valuta$|^币种$|^货币$|^通貨$")


def currency_column(frame: pd.DataFrame, price: str | None) -> str | None:
    """The column beside the price that names its currency (by its name, with a value),
    or None."""
    if not price:
        return None
    for col in map(str, frame.columns):
        if col != price and _CURRENCY_NAME.match(col.strip()) and _has_values(frame[col]):
            return col
    return None


# Price columns that are not the product's price: WooCommerce's "Date sale price starts"
# (dates), a sale or compare-at price (most cells empty), a shipping amount, a maker's
# list price, what the shop pays (PrestaShop's "Wholesale price", a cost price); a price
# with or without tax is the selling price either way
_OTHER_PRICE = re.compile(r"(?i)date|start|end|sale|compare|old|was|original|shipping|"
                          r"msrp|rrp|uvp|list|cost|wholesale|purchase|einkauf|min|max|from|"
                          r"to\b|原价|划线|运费|进货|成本|批发")
PRICE_SAMPLE = 10_000  # rows read to rank candidate price columns


def _best_prices(frame: pd.DataFrame, named: list[str]) -> list[str]:
    """Candidate price columns, the one with the most readable prices (in the first
    PRICE_SAMPLE rows) first; ties: a plain name (not a sale, compare-at, shipping or date
    column), then the file's order. WooCommerce exports "Date sale price starts" and "Sale
    price" before "Regular price", Google feeds may put sale_price before price, and each
    was taken as the price (dates; a price on a few sale items)."""
    from core.lists.pricecheck import parse_prices

    head = frame.head(PRICE_SAMPLE)
    readable = {col: int(np.isfinite(parse_prices(head[col])).sum()) for col in named}
    return sorted(named, key=lambda col: (-readable[col], bool(_OTHER_PRICE.search(col)),
                                          named.index(col)))


# A barcode column (EAN, UPC, GTIN, ISBN) names one item as a model number does: equal
# codes are the same item, different codes different items (a 330 ml can and a 1.5 l bottle
# of one drink); whole words only ("ean" is in "mean", "ocean", "clean")
_BARCODE_NAME = re.compile(r"(?i)(?<![a-z])(?:ean|gtin|upc|isbn|barcode|bar code)"
                           r"(?![a-z])|条码|条形码")


# hints that are a whole word of the column's name ("Author", "Book genre"), not a part of
# another word ("Authorised dealer", "Genres allowed" is still a genre)
_WHOLE_WORD_HINTS = frozenset(("author", "publisher", "genre"))


def _hint_in(hint: str, name: str) -> bool:
    if hint in _WHOLE_WORD_HINTS:
        return re.search(rf"(?<![a-z]){hint}(?:s)?(?![a-z])", name) is not None
    return hint in name


def _has_values(series: pd.Series) -> bool:
    """Whether any cell is filled (a column left entirely empty plays no role)."""
    return bool(series.fillna("").astype(str).str.strip().ne("").any())


def _is_textual(series: pd.Series) -> bool:
    values = series.astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return False
    numeric = pd.to_numeric(values.str.replace(r"[$,€£¥]", "", regex=True), errors="coerce")
    return numeric.notna().mean() < 0.8


def build_texts(frame: pd.DataFrame, text_columns: tuple[str, ...] | list[str],
                *, separator: str = " | ") -> list[str]:
    """One text per row: the non-empty values of ``text_columns`` joined in order, each
    read as plain text (plain_text: a shop's HTML description without its markup)."""
    parts = [_plain_column(frame[c]) for c in text_columns]
    texts = []
    for values in zip(*parts):
        texts.append(separator.join(v for v in values if v))
    return texts


def _plain_column(values: pd.Series) -> pd.Series:
    """plain_text of every cell, read only where a cell could hold markup ("<" or "&")."""
    text = values.fillna("").astype(str).str.strip()
    marked = text.str.contains("<", regex=False) | text.str.contains("&", regex=False)
    if marked.any():
        text = text.where(~marked, text[marked].map(plain_text))
    return text


# An HTML tag of the elements descriptions are written in (<p>, </strong>, <br/>,
# <a href="...">), so "cable <1m", "a < b > c" and "size <M>" stay text
_TAG_NAMES = ("p|br|hr|div|span|strong|b|i|em|u|s|small|big|sup|sub|font|center|ul|ol|li|dl|"
              "dt|dd|a|img|h[1-6]|table|thead|tbody|tfoot|tr|td|th|caption|section|article|"
              "header|footer|blockquote|pre|code|meta|style|script|iframe|label|mark|del|ins|"
              "figure|figcaption|picture|source|video|wbr|nav|main|aside|details|summary")
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_HIDDEN_OPEN = re.compile(r"<(style|script)\b")  # on the lower-cased text
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def plain_text(value: str) -> str:
    """A cell as the model and the word index read it: stripped, and when it holds HTML
    (Shopify's "Body (HTML)", a description copied from a web page) without its tags and
    with its entities read (&amp; -> &, &nbsp; -> a space), so that "<p>Soft
    <strong>cotton</strong></p>" is compared as "Soft cotton". The catalog's table keeps
    the cell as written."""
    text = str(value).strip()
    if "<" not in text and "&" not in text:
        return text
    if _TAG.search(text) is None and not _ENTITY.search(text):
        return text
    import html

    text = _without_hidden(text)  # a style or script block's content is no text
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()


def _without_hidden(text: str) -> str:
    """text without its <style> and <script> blocks (an unclosed one runs to the end), in
    one pass: a regex with a lazy .*? read a cell of 100,000 unclosed "<style>" to its end
    once per opening."""
    low = text.lower()
    out, pos = [], 0
    while True:
        found = _HIDDEN_OPEN.search(low, pos)
        if found is None:
            out.append(text[pos:])
            break
        out.append(text[pos:found.start()])
        end = low.find("</" + found.group(1), found.end())
        if end < 0:
            break
        close = low.find(">", end)
        pos = len(text) if close < 0 else close + 1
    return " ".join(out)


def build_catalog(table: RawTable | pd.DataFrame, mapping: ColumnMapping, *,
                  on_duplicate_ids: str = "error", name: str | None = None,
                  max_text_chars: int | None = None) -> Catalog:
    """Apply a column mapping, validate, and return a Catalog.

    on_duplicate_ids: "error" (refuse, say how to choose), "keep-first" (drop
    later rows with the same id) or "suffix" (make ids unique as id#2, id#3).
    Texts over max_text_chars (default: core.catalog.limits) are truncated for the
    model, with a warning; the table keeps the full cells.
    """
    frame = table.frame if isinstance(table, RawTable) else table
    warnings = list(table.warnings) if isinstance(table, RawTable) else []
    name = name or (table.source if isinstance(table, RawTable) else "catalog")
    _check_mapping(frame, mapping, on_duplicate_ids)
    ids, dup_ids = _ids(frame, mapping.id_column)
    if mapping.id_column is not None:
        rounded = scientific_ids(ids)
        if rounded and dup_ids:  # the repeats are the spreadsheet's rounding: no policy helps
            raise CatalogError(rounded_ids_message(mapping.id_column, ids, rounded))
        warnings += id_notes(mapping.id_column, ids)
    if mapping.price is not None:
        warnings += price_notes(mapping.price, frame[mapping.price])
    if mapping.model_number is not None and mapping.model_number in frame.columns:
        warnings += model_number_notes(mapping.model_number, frame[mapping.model_number])
    if dup_ids:
        if on_duplicate_ids == "error":
            repeats = (f"Column '{mapping.id_column}' has {len(dup_ids)} duplicate ids "
                       f"(e.g. {short_list(dup_ids, 3)})")
            raise CatalogError(f"{repeats}; choose keep-first or suffix for duplicate ids, or "
                               "map another id column",
                               cli=f"{repeats}; give --on-duplicate-ids keep-first or suffix, "
                               "or --id-col with another column ('@row' for row numbers)")
        frame, ids = _resolve_duplicates(frame, ids, on_duplicate_ids)
    texts = build_texts(frame, mapping.text_columns)
    empty = tuple(i for i, t in enumerate(texts) if not t.strip())
    if len(empty) == len(texts):
        empty_all = f"Text column(s) {', '.join(mapping.text_columns)} are empty in every row"
        raise CatalogError(f"{empty_all}; map a column that holds product text",
                           cli=f"{empty_all}; give --text-cols with a column that holds "
                           "product text")
    limit = current_limits().max_text_chars if max_text_chars is None else max_text_chars
    texts, long_rows = truncate_texts(texts, limit)
    if long_rows:
        rows = ", ".join(str(r + 1) for r in long_rows[:5])
        warnings.append(f"1 text is over {limit:,} characters (row {rows}); the model and the "
                        f"word index read only its first {limit:,} characters"
                        if len(long_rows) == 1 else
                        f"{len(long_rows)} texts are over {limit:,} characters (rows {rows}"
                        f"{'...' if len(long_rows) > 5 else ''}); the model and the word index "
                        "read only their "
                        f"first {limit:,} characters")
    report = ValidationReport(rows=len(frame), duplicate_ids=tuple(dup_ids),
                              duplicate_policy=on_duplicate_ids, empty_texts=empty,
                              warnings=tuple(warnings))
    return Catalog(frame.reset_index(drop=True), mapping, ids, texts, report, name)


def _cut(text: object, most: int = 40) -> str:
    """A user's value in a message, cut to `most` characters."""
    text = str(text)
    return text if len(text) <= most else text[:most - 1] + "…"


def truncate_texts(texts: list[str], limit: int) -> tuple[list[str], list[int]]:
    """Texts cut to ``limit`` characters; returns (texts, positions that were cut)."""
    cut = [i for i, t in enumerate(texts) if len(t) > limit]
    if not cut:
        return texts, []
    out = list(texts)
    for i in cut:
        out[i] = out[i][:limit]
    return out, cut


def _check_mapping(frame: pd.DataFrame, mapping: ColumnMapping, policy: str) -> None:
    if policy not in DUPLICATE_POLICIES:
        raise CatalogError(f"on_duplicate_ids must be one of {', '.join(DUPLICATE_POLICIES)}")
    if not mapping.text_columns:
        raise CatalogError("Choose at least one text column to embed")
    cols = set(map(str, frame.columns))
    named = [mapping.id_column, *mapping.text_columns, *mapping.roles().values()]
    missing = [c for c in named if c is not None and c not in cols]
    if missing:
        raise CatalogError(f"Column(s) {short_list(missing)} not in the catalog; "
                           f"available: {short_list(frame.columns)}")


def _ids(frame: pd.DataFrame, id_column: str | None) -> tuple[np.ndarray, list[str]]:
    if id_column is None:
        return np.array([str(i) for i in range(len(frame))], dtype=object), []
    ids = id_strings(frame[id_column])
    empty = [i for i, v in enumerate(ids) if not v]
    if empty:
        rows = ", ".join(str(i + 1) for i in empty[:5])
        cli = ", or give --id-col with another column (--id-col @row for row numbers)"
        if len(empty) == 1:
            where = f"Id column '{id_column}' is empty in 1 row (row {rows}); fill it in"
        else:
            where = (f"Id column '{id_column}' is empty in {len(empty)} rows (rows {rows}"
                     f"{'...' if len(empty) > 5 else ''}); fill them in")
        raise CatalogError(f"{where}, map another id column or use row numbers", cli=where + cli)
    counts = pd.Series(ids).value_counts()
    return ids, [str(i) for i in counts[counts > 1].index]


def id_strings(column: pd.Series) -> np.ndarray:
    """Ids as text, stripped. Missing values (None, NaN) become "" (refused as empty ids);
    whole-number floats are written as integers (10.0 -> "10", 1e20 ->
    "100000000000000000000"), never as "10.0" or "1e+20"."""
    if pd.api.types.is_float_dtype(column.dtype):
        values = [("" if not np.isfinite(v) else
                   str(int(v)) if float(v).is_integer() else repr(float(v)))
                  for v in column.to_numpy(dtype=np.float64)]
        return np.array(values, dtype=object)
    values = [("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
              for v in column.tolist()]
    return np.array(values, dtype=object)


def _resolve_duplicates(frame: pd.DataFrame, ids: np.ndarray,
                        policy: str) -> tuple[pd.DataFrame, np.ndarray]:
    """keep-first drops later rows; suffix renames them id#2, id#3... never reusing an id."""
    if policy == "keep-first":
        keep = ~pd.Series(ids).duplicated(keep="first").to_numpy()
        return frame.loc[keep], ids[keep]
    taken = set(ids.tolist())
    seen: set[str] = set()
    out = []
    for pid in ids:
        if pid not in seen:
            seen.add(pid)
            out.append(pid)
            continue
        n = 2
        while f"{pid}#{n}" in taken:
            n += 1
        taken.add(f"{pid}#{n}")
        out.append(f"{pid}#{n}")
    return frame, np.array(out, dtype=object)


def field_defaults(frame: pd.DataFrame) -> ColumnMapping:
    """A sensible automatic mapping for a frame."""
    return ColumnMapping(text_columns=tuple(guess_text_columns(frame)),
                         id_column=guess_id_column(frame),
                         category=guess_role(frame, "category"),
                         brand=guess_role(frame, "brand"),
                         price=guess_role(frame, "price"),
                         image=guess_role(frame, "image"),
                         model_number=guess_model_number_column(frame))


UNREAD_TEXT_CHARS = 20  # shorter on average: a label (a size, a colour, a category)
_LINK = r"(?i)^\s*(?:https?://|www\.)"


def unread_text_columns(frame: pd.DataFrame, mapping: ColumnMapping,
                        sample: int = 2000) -> list[str]:
    """Columns of descriptive text the mapping leaves out, the longest first: textual,
    not named like an id, no role, not links, UNREAD_TEXT_CHARS or more on average (read
    from the first `sample` rows). The texts compared are the text columns only (by
    default the title): a catalog whose descriptions are left out searches "warm hat for
    winter" among its titles, where "Wool Beanie - Navy / S" scores like a sweatshirt."""
    used = {*mapping.text_columns, mapping.id_column, *mapping.roles().values()}
    found: list[tuple[float, str]] = []
    for col in map(str, frame.columns):
        if col in used or _is_id_name(col) or col not in frame.columns:
            continue
        head = frame[col].head(sample)
        if not _is_textual(head):
            continue
        values = head.astype(str).str.strip()
        values = values[values != ""]
        if values.str.contains(_LINK, regex=True).mean() > 0.5:
            continue
        length = float(values.str.len().mean())
        if length >= UNREAD_TEXT_CHARS:
            found.append((length, col))
    return [col for _, col in sorted(found, key=lambda x: -x[0])]


UNNAMED_BRAND_SHARE = 0.2  # titles that name their brand at most this often do not say it


def unnamed_role_columns(frame: pd.DataFrame, mapping: ColumnMapping,
                         sample: int = 2000) -> tuple[list[str], float]:
    """([brand column, category column], share of titles naming their brand) when the
    mapped brand column (a bookshop's Author) is left out of the texts and the titles name
    it in at most UNNAMED_BRAND_SHARE of the first `sample` rows with one: the lists then
    compare titles that do not say who made the product ("Cosmos (Paperback)", "Emma
    (Hardcover)"), and reading the brand and category too put Emma by other Austen novels
    (a 78-book shop: same genre in 59% of list entries, 84% with Author and Genre read).
    ([], share) otherwise; a shop whose titles start with the brand (the demo) gets none."""
    used = set(mapping.text_columns)
    brand = mapping.brand
    if not brand or brand in used or brand not in frame.columns or not mapping.text_columns:
        return [], 1.0
    head = frame.head(sample)
    names = head[brand].fillna("").astype(str).str.strip().str.lower()
    titles = head[mapping.text_columns[0]].fillna("").astype(str).str.lower()
    given = names.str.len() >= 2
    if given.sum() < 5:  # too few to tell
        return [], 1.0
    named = [n in t for n, t in zip(names[given], titles[given])]
    share = float(np.mean(named))
    if share > UNNAMED_BRAND_SHARE:
        return [], share
    extra = [brand]
    if mapping.category and mapping.category not in used and mapping.category in frame.columns:
        extra.append(mapping.category)
    return extra, share


def guess_model_number_column(frame: pd.DataFrame) -> str | None:
    """guess_role's model number column, unless it is the id column (a shop whose ids are
    its model numbers: every pair would differ, duplicate listings included)."""
    col = guess_role(frame, "model_number")
    if col is not None and col.strip().lower() in PER_VARIANT and one_row_per_handle(frame):
        return None  # a Shopify product's first variant's barcode is not the product's
    return None if col is not None and col == guess_id_column(frame) else col


__all__ = [
    "DUPLICATE_POLICIES",
    "MAX_FILE_BYTES",
    "Catalog",
    "ColumnMapping",
    "RawTable",
    "ValidationReport",
    "build_catalog",
    "build_texts",
    "field_defaults",
    "guess_id_column",
    "guess_model_number_column",
    "guess_role",
    "guess_text_columns",
    "passed_over_id_column",
    "plain_text",
    "read_table",
    "truncate_texts",
    "unnamed_role_columns",
    "unread_text_columns",
]
