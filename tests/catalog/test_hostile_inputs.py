"""Issue 14 (hostile testing, round two) and issue 13 item 5: every case is a test.

Reader cases go through ``read_table`` + ``build_catalog`` and ``python -m core
embed`` with the harness of tests/test_robustness.py (one line ``error: ...``,
exit 2, no traceback). The memory of the bombs is measured by
``bench/hostile_memory.py`` (figures in docs/robustness.md), not here.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.catalog.read import read_table
from core.errors import CatalogSimilarityError, ParseCheckError
from tests.catalog.test_robustness import Case, cli  # noqa: F401 (the CLI harness fixture)
from tests.catalog.test_robustness import test_cli as run_cli_case
from tests.catalog.test_robustness import test_reader as run_reader_case
from tests.conftest import make_csv_bytes


def far_cell_xlsx(rows: int = 300) -> bytes:
    """A small workbook whose used range is A1:XFD1000000 (one cell far away)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Products"
    sheet.append(["id", "title"])
    for i in range(rows):
        sheet.append([f"p{i}", f"widget number {i}"])
    sheet["XFD1000000"] = "x"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def wide_xlsx(rows: int, cols: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    sheet.append(["id", "title", *[f"c{j}" for j in range(cols)]])
    for i in range(rows):
        sheet.append([f"p{i}", "same title", *["aaaa"] * cols])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def many_sheets_xlsx(n: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for s in range(n):
        sheet = book.create_sheet(f"sheet number {s}")
        if s == 0:
            sheet.append(["id", "title"])
            sheet.append(["1", "red shoe"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def parquet(columns: dict) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def one_bad_byte() -> bytes:
    text = "id,title\n" + "".join(f"café-{i},crème brûlée {i}\n" for i in range(20))
    data = bytearray(text.encode("utf-8"))
    at = data.index(b"cr\xc3\xa8me", data.index(b"caf\xc3\xa9-2,"))
    data[at:at] = b"\xff"  # one stray byte on line 4
    return bytes(data)


TITLES5 = [f"item {i}" for i in range(5)]
CATEGORICAL = io.BytesIO()
pd.DataFrame({"id": list("abcde"), "title": TITLES5,
              "category": pd.Categorical(["x", None, "y", "x", None])}).to_parquet(CATEGORICAL)
WRONG_DELIMITER = ("id;x#####title#####image\n" + "".join(
    f"{i}#####product {i}{'; a' * (i % 4)}#####http://x/{i}.jpg\n" for i in range(40))).encode()
HEADERLESS = "".join(f"{1000 + i},Widget {i} blue,{9.99 + i}\n" for i in range(10)).encode()

HOSTILE = [
    Case("13 KB workbook with a cell at XFD1000000", "far.xlsx", far_cell_xlsx(),
         ids=tuple(f"p{i}" for i in range(300))),
    Case("workbook that unpacks past the XML limit", "wide.xlsx", wide_xlsx(2000, 40),
         env={"CATSIM_MAX_XLSX_MB": "1"}, fatal=r"unpacks to \d+ MB of XML.*export the sheet "
         r"as CSV"),
    Case("3,000 sheets: the warning names 5", "sheets.xlsx", many_sheets_xlsx(3000),
         warn=r"has 3,000 sheets; reading 'sheet number 0' \(others: .* and 2,994 more\)",
         ids=("1",)),
    Case("UTF-8 with one bad byte", "u.csv", one_bad_byte(),
         warn=r"1 bytes are not UTF-8 \(lines 4\)",
         ids=tuple(f"café-{i}" for i in range(20))),
    Case("Parquet float ids with NaN", "f.parquet",
         parquet({"id": [1.0, 2.0, np.nan, 10.0, 1e20], "title": TITLES5}),
         fatal=r"Id column 'id' is empty in 1 row \(row 3\)"),
    Case("Parquet float ids that are whole numbers", "f.parquet",
         parquet({"id": [1.0, 2.0, 3.0, 10.0, 1e20], "title": TITLES5}),
         ids=("1", "2", "3", "10", "100000000000000000000")),
    Case("Parquet binary column, unmapped", "b.parquet",
         parquet({"id": list("abcde"), "title": TITLES5,
                  "blob": pa.array([b"\x00\x01", b"x", None, b"\xff", b"y"], pa.binary())}),
         warn=r"1 columns hold binary or nested data and were left out \(blob\)",
         ids=tuple("abcde")),
    Case("Parquet categorical column with nulls", "c.parquet", CATEGORICAL.getvalue(),
         ids=tuple("abcde")),
    Case("Parquet NUL and ESC in ids and titles", "n.parquet",
         parquet({"id": ["a\x00b", "c\x1b[31m", "d", "e", "f"], "title": TITLES5}),
         warn=r"control characters .* in id were replaced",
         ids=("a\ufffdb", "c\ufffd[31m", "d", "e", "f")),
    Case("'#####'-separated text read with ';': most rows ragged", "w.txt", WRONG_DELIMITER,
         fatal=r"may not be read right: 30 of 40 rows have a different number of fields.*"
         r"--delimiter, --no-header, --encoding.*--allow-ragged"),
    Case("header line that is a product", "h.csv", HEADERLESS,
         fatal=r"first line looks like a product, not column names \(1000, 9\.99\)"),
    Case("5,000 columns, none of them text: a short message", "wide.csv",
         make_csv_bytes([[f"col_{j}" for j in range(5000)], ["1"] * 5000]), text=None,
         id_col=None, fatal=r"No text column found.*and 4,980 more"),
]


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_reader(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_reader_case(case, tmp_path, monkeypatch)


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_cli(case: Case, cli, tmp_path: Path,  # noqa: F811
                     monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli_case(case, cli, tmp_path, monkeypatch)


def test_messages_are_capped() -> None:
    table = read_table(make_csv_bytes([[f"c{j}" for j in range(2500)] * 2, ["1"] * 5000]),
                       "rep.csv")  # 2,500 repeated names, told apart
    assert len(table.warnings) == 1, table.warnings
    assert len(table.warnings[0]) < 600 and "and 2,490 more" in table.warnings[0]
    assert list(table.frame.columns[2500:2502]) == ["c0 (2)", "c1 (2)"]


# --- issue 13 item 5: a badly parsed file is stopped, with the raw lines ----------------------
def test_a_doubtful_parse_carries_the_first_raw_lines() -> None:
    with pytest.raises(ParseCheckError) as err:
        read_table(WRONG_DELIMITER, "w.txt")
    assert err.value.first_lines[0] == "id;x#####title#####image"
    assert len(err.value.first_lines) == 10 and err.value.delimiter == ";"


def test_the_user_can_choose_delimiter_header_encoding_or_read_anyway() -> None:
    table = read_table(HEADERLESS, "h.csv", header=False)
    assert list(table.frame.columns) == ["column_1", "column_2", "column_3"]
    assert table.frame.iloc[0, 0] == "1000" and len(table.frame) == 10
    anyway = read_table(WRONG_DELIMITER, "w.txt", allow_ragged=True)
    assert len(anyway.frame) == 10 and "30 ragged rows were skipped" in anyway.warnings[0]
    piped = read_table(b"id|title\n1|a;b\n2|c\n", "p.csv", delimiter="|")
    assert piped.frame["title"].tolist() == ["a;b", "c"]
    chinese = "id,title\n1,无线鼠标\n".encode("gb18030")
    assert read_table(chinese, "g.csv", encoding="gb18030").frame["title"][0] == "无线鼠标"
    with pytest.raises(CatalogSimilarityError, match="is not utf-8: byte"):
        read_table(chinese, "g.csv", encoding="utf-8")


def test_the_cli_reads_with_the_override_flags(cli, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "h.csv"
    path.write_bytes(HEADERLESS)
    code, _, err = cli("embed", str(path), "--out", str(tmp_path / "v.npy"), "--no-header",
                       "--id-col", "column_1", "--text-cols", "column_2")
    assert code == 0, err
    assert np.load(tmp_path / "v.npy").shape[0] == 10


def test_every_row_ragged_read_anyway_says_so() -> None:
    with pytest.raises(CatalogSimilarityError, match=r"all 3 rows were skipped as ragged"):
        read_table(b"id,title,brand\n1,a\n2,b\n3,c\n", "r.csv", allow_ragged=True)


# --- 1b: text limits apply to every channel ----------------------------------------------------
def test_the_word_index_reads_no_more_than_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.catalog.table import ColumnMapping, build_catalog
    from core.search.channels import lexical_fields

    monkeypatch.setenv("CATSIM_MAX_TEXT_CHARS", "1000")
    huge = " ".join(f"w{i}" for i in range(50_000))
    table = read_table(make_csv_bytes([["id", "title"], ["1", huge], ["2", "tea"]]), "b.csv")
    catalog = build_catalog(table, ColumnMapping(text_columns=("title",), id_column="id"))
    fields, _ = lexical_fields(catalog.frame, ("title",), {})
    assert max(len(t) for t in fields["title"]) == 1000 == len(catalog.texts[0])
    assert len(catalog.frame["title"][0]) == len(huge), "the table keeps the whole cell"


# --- the app: a doubtful parse shows the raw lines and asks ---------------------------------
@pytest.mark.app
def test_the_app_stops_a_doubtful_parse_and_reads_it_as_told(tiny_bert_dir, workspace,
                                                             monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT, element_texts

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    app.run()
    app.file_uploader(key="catalog.upload").set_value(("h.csv", HEADERLESS, "text/csv")).run()
    assert not app.exception, app.exception
    assert "looks like a product, not column names" in element_texts(app.error)
    assert app.code[0].value.splitlines()[0] == "1000,Widget 0 blue,9.99"  # as in the file
    assert "Demo" in element_texts(app.subheader), "the catalog loaded before stays"
    app.checkbox(key="catalog.read.header").uncheck()
    app.button(key="FormSubmitter:catalog.read-Read the file again").click().run()
    assert not app.exception and not app.error, element_texts(app.error)
    assert "Mapped catalog: h.csv" in element_texts(app.subheader)
    raw = app.session_state["catalog.table"]
    assert list(raw.frame.columns) == ["column_1", "column_2", "column_3"] and len(raw.frame) == 10
    app.file_uploader(key="catalog.upload").set_value(("w.txt", WRONG_DELIMITER, "text/plain"))
    app.run()
    assert "30 of 40 rows have a different number of fields" in element_texts(app.error)
    assert app.checkbox(key="catalog.read.header").value, "a new file starts from detection"


def test_a_categorical_column_with_nulls_can_be_mapped_as_text() -> None:
    from core.catalog.table import ColumnMapping, build_catalog

    table = read_table(CATEGORICAL.getvalue(), "c.parquet")
    catalog = build_catalog(table, ColumnMapping(text_columns=("title", "category"),
                                                 id_column="id", category="category"))
    assert catalog.texts[:2] == ["item 0 | x", "item 1"]  # was: TypeError (new category '')
