"""Products a search query names by their model number (the catalog's mapped column).

A merchandiser types a model number into search ("PC509", "bj-2c7559") to find that
product. The words and the meaning of the title do not find it when the title does not
write the number (1,864 of the demo's 2,554 titles do not write their model number), so the
products whose mapped model number the query names are looked up directly and come first.

What counts as naming a number: the whole query read as a model number as the product
finders read one (core.catalog.views.number_code: full width, as typed in Chinese, read as
ASCII, then core.search.evidence.model_number: lower case, letters and digits only, so
"BJ 2C7559", "bj-2c7559" and "ＢＪ２Ｃ７５５９" read alike) when it has a digit, or one of
its words that reads like a code: letters and digits ("wc1200red"), or digits only when at
least MIN_DIGITS long (a long number names a product; "500" in "500 watt inverter" is a
quantity). A number that more than MAX_NAMED products share names no one product and is
not looked up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from core.catalog.views import number_code, number_codes

MAX_NAMED = 20
MIN_DIGITS = 5  # digits-only words shorter than this are quantities, sizes, years
_SPLIT = re.compile(r"[\s,;|]+")


def number_readings(query: str) -> list[str]:
    """The model numbers a query may name, the whole query first ("" and duplicates left
    out)."""
    out: list[str] = []
    whole = number_code(query)
    if whole and any(ch.isdigit() for ch in whole):
        out.append(whole)
    for word in _SPLIT.split(query):
        number = number_code(word)
        if not number or number in out or not any(ch.isdigit() for ch in number):
            continue
        if number.isdigit() and len(number) < MIN_DIGITS:
            continue
        out.append(number)
    return out


class NumberLookup:
    """Rows by model number (number_code() of each product's mapped value)."""

    def __init__(self, model_numbers: Sequence[object]) -> None:
        rows: dict[str, list[int]] = {}
        for row, number in enumerate(number_codes(model_numbers)):
            if number:
                rows.setdefault(number, []).append(row)
        self._rows = {n: np.asarray(r, dtype=np.int64) for n, r in rows.items()
                      if len(r) <= MAX_NAMED}

    def named_by(self, query: str) -> tuple[np.ndarray, str | None]:
        """(rows whose model number the query names, that number as compared); the
        whole query's reading wins over its words'. Empty rows and None: it names none."""
        for number in number_readings(query):
            found = self._rows.get(number)
            if found is not None:
                return found, number
        return np.zeros(0, dtype=np.int64), None


__all__ = ["MAX_NAMED", "MIN_DIGITS", "NumberLookup", "number_readings"]
