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


def test_a_row_per_product_keeps_every_product_and_each_list_in_rank_order() -> None:
    """The layout a shop's import of related products reads: ids joined by ',' in rank
    order ('|' when an id holds a comma), an empty list a row with no ids; in a CSV for
    Excel an id that looks like a formula is still neutralised."""
    from core.export.tables import products_frame, to_bytes
    from core.search.neighbors import Neighbors

    nb = Neighbors(np.array([[2, 1], [0, -1], [-1, -1]]),
                   np.array([[0.912345678, 0.5], [0.9, np.nan], [np.nan, np.nan]],
                            dtype=np.float32), None, "cosine")
    frame = products_frame(np.array(["a", "b", "=c"], dtype=object), nb, titles=["A", "B", "C"])
    assert frame.to_dict("list") == {
        "source_id": ["a", "b", "=c"], "source_title": ["A", "B", "C"], "neighbors": [2, 1, 0],
        "neighbor_ids": ["=c,b", "a", ""], "scores": ["0.912346,0.5", "0.9", ""]}
    assert "'=c,b" in to_bytes(frame, "csv").decode()
    comma = products_frame(np.array(["a,1", "b", "c"], dtype=object), nb)
    assert comma["neighbor_ids"].tolist() == ["c|b", "a,1", ""]
