"""Small pure table builders shared by the pages and the CLI."""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from core.catalog.table import Catalog
from core.errors import close_bidi
from core.search.evidence import model_number


# Invisible format characters (Unicode category Cf: zero-width space and joiners, soft
# hyphen, byte-order mark, direction marks and overrides): a title holding them reads as
# its visible letters, so a finder compares without them.
@cache
def _invisible() -> dict[int, None]:
    """str.translate table that drops every Cf character (built on first use: 0.1 s)."""
    return dict.fromkeys(c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")


def fold(text: str) -> str:
    """Text as a finder compares it: NFKC (full-width 'ｉｐｈｏｎｅ' and 'ＺＨ０１', what a
    Chinese keyboard can type, read as 'iphone' and 'ZH01'), case-folded, invisible
    format characters left out ('zero' U+200B 'width' is found by typing 'zerowidth')."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_invisible())


def fold_all(values) -> pd.Series:
    """fold over a column of values (as text); ASCII texts (most) skip the last step."""
    folded = pd.Series(values, dtype=object).astype(str).str.normalize("NFKC").str.casefold()
    wide = ~folded.str.isascii().to_numpy(dtype=bool)
    if wide.any():
        folded[wide] = folded[wide].str.translate(_invisible())
    return folded


def product_label(catalog: Catalog, row: int, limit: int = 90) -> str:
    """'id — title' (the title cut at limit); a direction override left open in the id
    or the title stops where it ends (core.errors.close_bidi)."""
    title = str(catalog.titles()[row])
    title = title if len(title) <= limit else title[: limit - 1] + "…"
    return f"{close_bidi(str(catalog.ids[row]))} — {close_bidi(title)}"


def find_products(catalog: Catalog, text: str, *, limit: int = 200) -> list[int]:
    """Rows whose id or title contains ``text`` (case- and width-insensitive, see
    :func:`fold`), or whose model number (the mapped column) does, compared on letters and
    digits alone ("PC-509" finds "pc509"; at least 3 of them): exact ids first, then exact
    model numbers, then the rest in catalog order."""
    needle = fold(text.strip())
    if not needle:
        return list(range(min(limit, len(catalog))))
    ids = fold_all(catalog.ids)
    titles = fold_all(catalog.titles())
    exact = [np.nonzero((ids == needle).to_numpy())[0]]
    partial = ids.str.contains(needle, regex=False) | titles.str.contains(needle, regex=False)
    folded, code = folded_numbers(catalog), model_number(needle)
    if folded is not None and code:
        exact.append(np.nonzero((folded == code).to_numpy())[0])
        partial |= folded.str.contains(code, regex=False)
    found = [*(r for rows in exact for r in rows.tolist()), *np.nonzero(partial.to_numpy())[0].tolist()]
    return list(dict.fromkeys(found))[:limit]


def folded_numbers(catalog: Catalog) -> pd.Series | None:
    """Each product's model number (the mapped column) as the finders and search compare
    it: folded (:func:`fold`), then as the lists compare model numbers
    (core.search.evidence.model_number: letters and digits, "PC-509" -> "pc509"); None
    when unmapped."""
    numbers = catalog.model_numbers()
    return None if numbers is None else number_codes(numbers)


def number_codes(values) -> pd.Series:
    """:func:`number_code` of each value (as text)."""
    return fold_all(values).map(model_number)


def number_code(text: str) -> str:
    """A text as a model number is compared when a person types it: folded (:func:`fold`:
    full width, as typed in Chinese, reads as "PC509"), then model_number ("" when too
    short or too long to be one)."""
    return model_number(fold(text))


SCORE_DECIMALS = 4  # scores in display tables; pages format them to 2 from these


def shown_scores(scores) -> np.ndarray:
    """Scores as display tables hold them (float64, SCORE_DECIMALS): text that formats a
    score formats this value, so that it reads as the table beside it does (0.25499 as a
    float32 reads 0.25, its table value 0.255 reads 0.26)."""
    return np.round(np.asarray(scores, dtype=np.float64), SCORE_DECIMALS)


def rows_table(catalog: Catalog, rows: list[int] | np.ndarray,
               scores: list[float] | np.ndarray | None = None) -> pd.DataFrame:
    """Display table of products: rank/score (optional), id, title, mapped roles."""
    rows = np.asarray(rows, dtype=np.int64)
    data: dict[str, object] = {}
    if scores is not None:
        data["rank"] = np.arange(1, len(rows) + 1)
    data["id"] = catalog.ids[rows]
    data["title"] = np.asarray(catalog.titles(), dtype=object)[rows]
    if scores is not None:
        data["score"] = shown_scores(scores)
    for role, col in catalog.mapping.roles().items():
        if role != "image":
            data[role] = catalog.frame[col].to_numpy(dtype=object)[rows]
    return pd.DataFrame(data)


def color_columns(catalog: Catalog, max_unique: int = 5000) -> list[str]:
    """Columns worth colouring a map by: mapped roles first, then low-cardinality ones."""
    roles = [c for r, c in catalog.mapping.roles().items() if r != "image"]
    others = [str(c) for c in catalog.frame.columns
              if c not in roles and catalog.frame[c].nunique() <= max_unique
              and catalog.frame[c].nunique() > 1]
    return list(dict.fromkeys([*roles, *others]))
