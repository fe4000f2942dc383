"""The Open results page: a results folder paged, filtered and exported from disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from core.export.results import ListWriter, write_manifest
from tests.conftest import REPO_ROOT, element_texts

pytestmark = pytest.mark.app


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    n, k = 120, 3
    ids = np.array([f"P{i}" for i in range(n)], dtype=object)
    titles = np.array([f"=cmd {i}" if i == 5 else f"lamp {i}" for i in range(n)], dtype=object)
    rng = np.random.default_rng(0)
    writer = ListWriter(tmp_path)
    writer.write(np.arange(n), rng.integers(0, n, (n, k)), np.sort(rng.random((n, k)))[:, ::-1],
                 ids, titles)
    (tmp_path / "map").mkdir()
    pq.write_table(pa.table({"row": np.arange(n), "id": ids.astype(str).tolist(),
                             "x": rng.random(n), "y": rng.random(n)}),
                   tmp_path / "map" / "part-00000.parquet")
    write_manifest(tmp_path, {"engine": "ray", "products": n, "k": k, "metric": "cosine",
                              "where": {"dense top-k": "Ray corpus-shard actors"}})
    return tmp_path


def lists(at: AppTest):
    """The lists table (the one with a source_id column)."""
    return next(d.value for d in at.dataframe if "source_id" in d.value.columns)


@pytest.fixture
def page(workspace) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/open_results.py").run()
    assert not at.exception, at.exception
    return at


def test_opens_pages_and_filters_a_results_folder(page: AppTest, folder: Path) -> None:
    page.text_input(key="open_results.path").input(str(folder))
    page.button(key="open_results.open").click().run()
    assert not page.exception and not page.error, element_texts(page.error)
    assert "120 products" in element_texts(page.caption)
    table = lists(page)
    assert len(table) == 50 and list(table["source_id"][:3]) == ["P0"] * 3
    page.number_input(key="open_results.page").set_value(3).run()
    table = lists(page)
    assert len(table) == 50 and table["source_id"].iloc[0] == "P33"  # rows 100-149
    page.text_input(key="open_results.query").input("cmd").run()
    table = lists(page)
    assert set(table["source_id"]) == {"P5"} and table["source_title"].iloc[0] == "=cmd 5"
    page.text_input(key="open_results.query").input("**cmd**").run()  # typed text stays text
    assert "matching '\\*\\*cmd\\*\\*'" in "\n".join(c.value for c in page.caption)
    assert len(page.get("plotly_chart")) == 1


def test_the_csv_export_warns_when_excel_would_change_the_ids(page: AppTest,
                                                             tmp_path: Path) -> None:
    """A nightly job's ids 000123... became 123 in Excel when the page's CSV was opened
    there, and the page said nothing (Export says so for the app's own lists)."""
    for name, ids in (("zeros", [f"{i:06d}" for i in range(30)]), ("text", [f"P{i}" for i in range(30)])):
        folder = tmp_path / name
        writer = ListWriter(folder)
        writer.write(np.arange(30), np.tile(np.arange(1, 4), (30, 1)) % 30,
                     np.full((30, 3), 0.9), np.array(ids, dtype=object), None)
        write_manifest(folder, {"products": 30, "k": 3, "metric": "cosine"})
        page.text_input(key="open_results.path").input(str(folder))
        page.button(key="open_results.open").click().run()
        assert not page.exception, page.exception
        said = element_texts(page.warning)
        assert ("Excel changes ids such as 000000 (it shows 0)" in said) is (name == "zeros"), said


def test_a_folder_that_is_not_results_is_an_error(page: AppTest, tmp_path: Path) -> None:
    page.text_input(key="open_results.path").input(str(tmp_path))
    page.button(key="open_results.open").click().run()
    assert "not a results folder" in element_texts(page.error)
    assert not page.exception


def _lists_bytes(fmt: str) -> bytes:
    """Lists as the Export page downloads them (core.export.tables.to_bytes): 4 products,
    3 neighbours each, one title a formula (Excel-safe in the CSV)."""
    import pandas as pd

    from core.export.tables import to_bytes

    ids = ["000123", "A-2", "A-3", "A-4"]
    rows = [{"source_id": ids[s], "source_title": "=cmd" if s == 0 else f"lamp {s}",
             "rank": r + 1, "neighbor_id": ids[(s + r + 1) % 4],
             "neighbor_title": f"lamp {(s + r + 1) % 4}", "score": round(0.9 - r / 10, 6)}
            for s in range(4) for r in range(3)]
    return to_bytes(pd.DataFrame(rows), fmt)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "xlsx"])
def test_a_lists_file_downloaded_from_export_opens(page: AppTest, fmt: str) -> None:
    """A merchandiser with the lists file Export gave them got '... is not a results folder
    (no manifest.json); give the folder written by python -m core neighbors ... --out
    FOLDER/' for it, by path, and had no way to upload it."""
    page.file_uploader(key="open_results.upload").set_value(
        (f"lists.{fmt}", _lists_bytes(fmt), "application/octet-stream")).run()
    assert not page.exception and not page.error, element_texts(page.error)
    assert "4 products · up to 3 neighbours each · 12 list rows · from the file lists." \
        in element_texts(page.caption)
    table = lists(page)
    assert list(table["source_id"][:3]) == ["000123"] * 3  # ids stay text, zeros kept
    assert table["rank"].tolist()[:3] == [1, 2, 3] and table["score"].iloc[0] == 0.9
    assert "--map" not in element_texts(page.caption)  # a file has no map to add
    # the title, rank and score first, as on the Neighbours page (at 1024 px the score was
    # off to the right of the ids and both titles)
    shown = next(d for d in page.dataframe if "source_id" in d.value.columns)
    assert list(shown.proto.column_order)[:3] == ["source_title", "rank", "score"]


def test_a_lists_file_on_the_server_opens_by_its_path(page: AppTest, tmp_path: Path) -> None:
    path = tmp_path / "lists.csv"  # what neighbors --out lists.csv writes
    path.write_bytes(_lists_bytes("csv"))
    page.text_input(key="open_results.path").input(str(path))
    page.button(key="open_results.open").click().run()
    assert not page.exception and not page.error, element_texts(page.error)
    assert "12 list rows · from the file lists.csv" in element_texts(page.caption)


@pytest.mark.parametrize(("name", "data", "said"), [
    ("prices.csv", b"product_id,title,price\n1,lamp,9\n",
     "prices.csv is not a list of neighbours: it lacks source_id, rank, neighbor_id, score"),
    ("lists.csv", b"source_id,rank,neighbor_id,score\nA,1,B,high\n",
     "lists.csv: the score of list row 1 is 'high', not a number"),
    ("lists.json", b'{"source_id": "A"}', "lists.json is not a list of neighbours"),
    ("lists.json", b"[{", "lists.json cannot be read as JSON"),
])
def test_a_foreign_or_broken_lists_file_says_what_to_fix(page: AppTest, name: str, data: bytes,
                                                         said: str) -> None:
    page.file_uploader(key="open_results.upload").set_value(
        (name, data, "application/octet-stream")).run()
    assert not page.exception
    assert said in element_texts(page.error), element_texts(page.error)
    assert not any("source_id" in d.value.columns for d in page.dataframe)


def test_a_path_that_does_not_exist_says_so(page: AppTest, tmp_path: Path) -> None:
    """A mistyped path was told it 'is not a results folder (no manifest.json)'."""
    page.text_input(key="open_results.path").input(str(tmp_path / "nightly" / "resluts"))
    page.button(key="open_results.open").click().run()
    assert "resluts does not exist on the server: check the path" in element_texts(page.error)


def test_the_spinner_over_a_lists_file_shows_its_name_literally(monkeypatch, tmp_path: Path
                                                                ) -> None:
    """st.spinner reads Markdown: the uploaded file's name is escaped (components.text.md)."""
    import contextlib

    from components import results_view

    shown: list[str] = []

    @contextlib.contextmanager
    def spinner(text: str):
        shown.append(text)
        yield

    def broken(data: bytes, name: str, root: Path):
        raise results_view.CatalogSimilarityError("no")

    monkeypatch.setattr(results_view.st, "spinner", spinner)
    monkeypatch.setattr(results_view, "import_lists_file", broken)
    monkeypatch.setattr(results_view, "_imported_root", lambda: tmp_path)
    monkeypatch.setattr(results_view.state, "set_opened_results", lambda path: None)
    assert results_view._import(b"", "*bold*_[x](y).csv") is not None
    assert shown and "\\*bold\\*" in shown[0] and "*bold*" not in shown[0].replace("\\*", "")
