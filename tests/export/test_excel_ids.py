"""Ids that Excel changes when it opens a CSV (it reads them as numbers)."""

from __future__ import annotations

import numpy as np

from core.export.tables import excel_changes


def test_ids_excel_reads_as_other_numbers_are_found():
    changed = ["0001", "-00001", "007.5", "+12", "1.50", "2.", ".5", "12E3", "1e-2",
               "123456789012", "1234567890123456789", " 42"]
    kept = ["1", "42", "-5", "3.25", "12345678901", "A0001", "0001-B", "=0001", "", "0",
            "SKU 12", "1,5", "0x1F", "１２３"]
    mask = excel_changes(np.array(changed + kept, dtype=object))
    assert mask.dtype == bool and mask.shape == (len(changed) + len(kept),)
    assert dict(zip(changed + kept, mask.tolist())) == {**dict.fromkeys(changed, True),
                                                         **dict.fromkeys(kept, False)}


def test_no_ids_and_non_text_ids():
    assert excel_changes(np.array([], dtype=object)).shape == (0,)
    assert excel_changes(np.array([1, 2], dtype=np.int64)).tolist() == [False, False]
