"""Results folders: written by the CLI, paged, filtered and exported without loading all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.export.results import ListWriter, ResultsError, ResultsFolder, write_manifest


def _folder(tmp_path: Path, n: int = 500, k: int = 4, block: int = 137) -> Path:
    rng = np.random.default_rng(0)
    ids = np.array([f"P{i}" for i in range(n)], dtype=object)
    titles = np.array([f"item {i} {'red' if i % 5 == 0 else 'blue'}" for i in range(n)],
                      dtype=object)
    writer = ListWriter(tmp_path, bands={"duplicate": 0.9})
    for s in range(0, n, block):
        e = min(n, s + block)
        nb = rng.integers(0, n, (e - s, k))
        nb[0, -1] = -1  # a short list: the padding is not written
        writer.write(np.arange(s, e), nb, np.sort(rng.random((e - s, k)))[:, ::-1], ids, titles)
    write_manifest(tmp_path, {"engine": "local", "products": n, "k": k})
    return tmp_path


def test_pages_match_the_whole_table(tmp_path: Path) -> None:
    folder = ResultsFolder.open(_folder(tmp_path))
    whole = pd.concat([folder.page(0, 10_000)])
    assert folder.count() == len(whole) == 500 * 4 - 4  # one padded slot per written part
    for offset, limit in [(0, 7), (545, 30), (1990, 50), (5000, 10)]:
        page = folder.page(offset, limit)
        pd.testing.assert_frame_equal(page, whole.iloc[offset:offset + limit]
                                      .reset_index(drop=True))
    assert list(whole.columns) == ["source_id", "source_title", "rank", "neighbor_id",
                                   "neighbor_title", "score", "band"]
    assert set(whole["band"]) <= {"duplicate", ""}
    assert (whole.loc[whole.score >= 0.9, "band"] == "duplicate").all()


def test_filter_by_id_or_title_pages_and_counts(tmp_path: Path) -> None:
    folder = ResultsFolder.open(_folder(tmp_path))
    whole = folder.page(0, 10_000)
    red = whole[whole.source_title.str.contains("RED", case=False)].reset_index(drop=True)
    assert folder.count("RED") == len(red) > 0
    pd.testing.assert_frame_equal(folder.page(13, 21, "RED"), red.iloc[13:34]
                                  .reset_index(drop=True))
    exact = whole[whole.source_id.str.contains("P12")]
    assert folder.count("P12") == len(exact)
    assert folder.count("no such product") == 0 and folder.page(0, 5, "no such").empty
    streamed = pd.concat(b.to_pandas() for b in folder.batches("red"))
    assert len(streamed) == len(red)


def test_not_a_results_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="not a results folder"):
        ResultsFolder.open(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ResultsError, match="not a results manifest"):
        ResultsFolder.open(tmp_path)


def test_cli_writes_a_results_folder_with_the_file_lists(tiny_bert_dir: Path, catalog_csv: Path,
                                                         tmp_path: Path) -> None:
    common = ["--model", str(tiny_bert_dir), "--workspace", str(tmp_path / "ws"), "--k", "3"]
    assert main(["neighbors", str(catalog_csv), "--out", str(tmp_path / "l.csv"),
                 "--no-excel-safe", *common]) == 0
    assert main(["neighbors", str(catalog_csv), "--out", str(tmp_path / "res") + "/",
                 "--map", *common]) == 0
    folder = ResultsFolder.open(tmp_path / "res")
    assert folder.manifest["engine"] == "local" and folder.manifest["products"] == 8
    expected = pd.read_csv(tmp_path / "l.csv", dtype={"source_id": str, "neighbor_id": str})
    got = folder.page(0, 100)
    pd.testing.assert_frame_equal(got[expected.columns.tolist()], expected, check_dtype=False)
    assert folder.has("vectors") and folder.has("map")
    points = folder.map_sample(limit=5)
    assert len(points) == 5 and set(points.columns) == {"id", "x", "y"}


def test_export_frame_holds_the_filtered_lists_and_refuses_too_many(tmp_path: Path) -> None:
    from core.export.results import export_frame

    folder = ResultsFolder.open(_folder(tmp_path))
    red = export_frame(folder, "red")
    pd.testing.assert_frame_equal(red, folder.page(0, 10_000, "red"))
    with pytest.raises(ResultsError, match="over the 100 a download may hold"):
        export_frame(folder, None, max_rows=100)
