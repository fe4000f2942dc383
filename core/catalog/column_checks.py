"""What :func:`core.catalog.table.build_catalog` notes about the mapped id, model number and
price columns.

Two things a spreadsheet does to a shop's export that the reader cannot undo and
the user should hear about: long numeric ids saved in scientific notation
(``4.01E+12``: the last digits are gone, so different products can share an
id) or as decimals (``10011646.0``), and prices the price rules cannot read
(``call us``, ``12-15``). Each note says which rows and what to fix.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.errors import one_line, short_list

_SCIENTIFIC = re.compile(r"[+-]?\d(?:[.,]\d+)?E[+-]?\d+", re.IGNORECASE)
# as a spreadsheet writes a rounded number: always a sign after the E (4.02952E+12, 4E+12);
# a model number such as "3E25" has none
EXCEL_SCIENTIFIC = re.compile(r"[+-]?\d(?:[.,]\d+)?E[+-]\d+", re.IGNORECASE)
_DECIMAL_ZERO = re.compile(r"[+-]?\d+\.0")
# Cells that say "no price" on purpose: not reported as unreadable.
NO_PRICE = frozenset({"n/a", "na", "n.a.", "-", "--", "—", "none", "null", "nan", "tbd"})


def unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """(names, renamed): a name's second and later columns as "name (2)", "name (3)"..., never
    a name already in use; renamed lists the new names."""
    taken, seen = set(names), {}
    out, renamed = [], []
    for label in names:
        seen[label] = seen.get(label, 0) + 1
        if seen[label] == 1:
            out.append(label)
            continue
        n = seen[label]
        while f"{label} ({n})" in taken:
            n += 1
        new = f"{label} ({n})"
        taken.add(new)
        out.append(new)
        renamed.append(new)
    return out, renamed


def repeated_names_warning(name: str, renamed: list[str]) -> str:
    return (f"{name} has repeated column names; the later ones were named "
            f"{short_list(renamed)} to tell them apart (rename them in the file to choose "
            "other names)")


def _rows(positions: list[int]) -> str:
    """'rows 3, 9, 12...' (1-based, at most five)."""
    shown = ", ".join(str(p + 1) for p in positions[:5])
    return f"rows {shown}{'...' if len(positions) > 5 else ''}"


def _examples(values) -> str:
    """Up to three distinct values, quoted: "'N/A', 'call us'"."""
    return ", ".join(f"'{one_line(v, 40)}'" for v in list(dict.fromkeys(values))[:3])


def scientific_ids(ids: np.ndarray) -> list[int]:
    """Positions of ids written in scientific notation (1.23E+12)."""
    return [i for i, v in enumerate(ids) if _SCIENTIFIC.fullmatch(v)]


def rounded_ids_message(column: str, ids: np.ndarray, positions: list[int]) -> str:
    """Why ids in scientific notation are a problem and how to fix the file."""
    return (f"{len(positions):,} ids in column '{column}' are written in scientific notation "
            f"({_rows(positions)}: {_examples(ids[p] for p in positions)}): a spreadsheet "
            "rounded these numbers, so their last digits are lost and different products can "
            "share an id; format the column as Text in the spreadsheet and export the file again")


def id_notes(column: str, ids: np.ndarray) -> list[str]:
    """Warnings about an id column a spreadsheet changed (ids: (n,) str, none empty)."""
    sci = scientific_ids(ids)
    if sci:
        return [rounded_ids_message(column, ids, sci)]
    if len(ids) and all(_DECIMAL_ZERO.fullmatch(v) for v in ids):
        return [f"Every id in column '{column}' ends in '.0' (e.g. {ids[0]}), as a spreadsheet "
                "writes numbers; the lists keep the ids as written. If your shop's ids have no "
                "'.0', format the column as Text in the spreadsheet and export the file again"]
    return []


def model_number_notes(column: str, values: pd.Series) -> list[str]:
    """A warning when model numbers or barcodes were rounded into scientific notation (an
    EAN saved by a spreadsheet as 4.02952E+12): they are not compared (different products
    would share one), and the note says how to export them whole."""
    text = values.fillna("").astype(str).str.strip().to_numpy()
    sci = [i for i, v in enumerate(text) if EXCEL_SCIENTIFIC.fullmatch(v)]
    if not sci:
        return []
    return [f"{len(sci):,} values in column '{column}' are written in scientific notation "
            f"({_rows(sci)}: {_examples(text[p] for p in sci)}): a spreadsheet rounded these "
            "numbers, so different products can share one; they are not compared. Format the "
            "column as Text in the spreadsheet and export the file again"]


def price_notes(column: str, values: pd.Series) -> list[str]:
    """A warning when filled price cells are not prices the price rules can read."""
    from core.lists.pricecheck import parse_prices  # the parser the rules use

    text = values.fillna("").astype(str).str.strip()
    unread = ~np.isfinite(parse_prices(text))
    filled = text.ne("").to_numpy() & ~text.str.lower().isin(NO_PRICE).to_numpy()
    zero = (text.str.contains(r"\d") & ~text.str.contains(r"[1-9]")).to_numpy()  # 0, 0.00
    bad = np.flatnonzero(unread & filled & ~zero).tolist()
    if not bad:
        return []
    return [f"{len(bad):,} prices in column '{column}' cannot be read as a price "
            f"({_rows(bad)}: {_examples(text.iloc[bad])}); price rules and the price check treat them as "
            "unknown; write them as numbers (e.g. 12.50) or leave them empty"]


__all__ = ["EXCEL_SCIENTIFIC", "NO_PRICE", "id_notes", "model_number_notes", "price_notes",
           "rounded_ids_message", "scientific_ids"]
