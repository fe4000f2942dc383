"""A lists file (what Export downloads) read back for the Open results page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.export.lists_file import import_lists_file, read_lists_file
from core.export.results import ResultsError, export_frame
from core.export.tables import to_bytes


def _lists(n: int = 5, k: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ids = ["007", "=1+1", "**b**", "<b>x</b>", "[a](http://x)"][:n]
    return pd.DataFrame({
        "source_id": [ids[s] for s in range(n) for _ in range(k)],
        "source_title": [f"$x$ lamp {s}" for s in range(n) for _ in range(k)],
        "rank": [r + 1 for _ in range(n) for r in range(k)],
        "neighbor_id": [ids[(s + r + 1) % n] for s in range(n) for r in range(k)],
        "neighbor_title": [f"lamp {(s + r + 1) % n}" for s in range(n) for r in range(k)],
        "score": np.sort(rng.random((n, k)))[:, ::-1].round(6).reshape(-1)})


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "xlsx"])
def test_every_export_format_reads_back_as_written(fmt: str) -> None:
    lists = _lists()
    got = read_lists_file(to_bytes(lists, fmt, excel_safe_csv=False), f"lists.{fmt}")
    pd.testing.assert_frame_equal(got.astype({"source_id": object}), lists,
                                  check_dtype=False)
    assert got["rank"].dtype == np.int64 and got["score"].dtype == np.float64


def test_an_imported_file_pages_and_exports_like_a_results_folder(tmp_path: Path) -> None:
    lists = _lists()
    data = to_bytes(lists, "parquet")
    folder = import_lists_file(data, "lists.parquet", tmp_path / "opened")
    assert folder.count() == len(lists) and folder.manifest["products"] == 5
    assert folder.manifest["k"] == 3 and folder.count("lamp 4") == 3
    pd.testing.assert_frame_equal(export_frame(folder).astype(object), lists.astype(object))
    other = import_lists_file(to_bytes(lists.head(3), "csv"), "b.csv", tmp_path / "opened")
    assert [p.name for p in (tmp_path / "opened").iterdir()] == [other.root.name]  # one kept


@pytest.mark.parametrize(("csv", "said"), [
    ("source_id,rank,neighbor_id\nA,1,B\n", "lacks score (its columns: source_id, rank"),
    ("source_id,rank,neighbor_id,score\nA,1,B,0.5\nA,1.5,C,0.4\n",
     "the rank of list row 2 is '1.5', not a whole number from 1"),
    ("source_id,rank,neighbor_id,score\nA,1,B,inf\n", "the score of list row 1 is 'inf'"),
])
def test_a_file_off_the_contract_is_refused_naming_what_to_fix(csv: str, said: str) -> None:
    with pytest.raises(ResultsError) as info:
        read_lists_file(csv.encode(), "x.csv")
    assert said in str(info.value)
