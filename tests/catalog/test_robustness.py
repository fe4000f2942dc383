"""Every bad catalog of issue 6, through the reader AND the CLI; safe exports; safe models.

Each :class:`Case` is one input from docs/robustness.md. It is read with
``read_table`` + ``build_catalog`` (the API the app uses) and with
``python -m core embed`` (in-process ``core.cli.main``): a fatal problem gives
a CatalogError / exit code 2 with ONE line ``error: ...`` and no traceback; a
recovered one gives a warning (``warning: ...`` from the CLI) and a catalog.
"""

from __future__ import annotations

import io
import json
import pickle
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.catalog.limits import Limits, current_limits
from core.catalog.table import ColumnMapping, build_catalog, guess_text_columns, read_table
from core.cli import main
from core.embed.encoders import BertEncoder
from core.errors import CatalogError, ModelLoadError
from core.export.tables import FORMATS, is_formula_like, to_bytes, write_table
from tests.conftest import make_csv_bytes, make_xlsx_bytes

ROWS = [["id", "title", "brand"], ["1", "red shoe", "acme"], ["2", "blue shirt", "wear"],
        ["3", "green tea", "leafco"]]
LONG = "red shoe " * 20_000  # 180,000 characters



TWO_SHEETS = make_xlsx_bytes({"Notes": pd.DataFrame({"note": ["exported 2024"]}),
                    "Products": pd.DataFrame({"id": ["a", "b"], "title": ["red shoe", "tea"]})})


@dataclass(frozen=True)
class Case:
    """One input. fatal: regex of the error; warn: regex of a warning; titles: expected."""

    name: str
    filename: str
    data: bytes
    fatal: str | None = None
    warn: str | None = None
    titles: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None
    text: str | None = "title"
    id_col: str | None = "id"
    policy: str = "error"
    sheet: str | None = None
    env: dict[str, str] = field(default_factory=dict)


def _csv(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    return make_csv_bytes(rows, encoding, delimiter)


CJK = [["id", "title"], ["1", "红色 手机"], ["2", "苹果 电脑"]]
WEST = [["id", "title"], ["1", "Crème brûlée"], ["2", "Müller Señor naïve €5"]]
CASES = [
    # --- read correctly -------------------------------------------------------------------
    Case("utf-8", "a.csv", _csv(ROWS), titles=("red shoe", "blue shirt", "green tea")),
    Case("utf-8 with BOM: header reads id", "a.csv", _csv(ROWS, "utf-8-sig"),
         ids=("1", "2", "3")),
    Case("utf-16 with BOM, tab (Excel Unicode text)", "a.txt", _csv(CJK, "utf-16", "\t"),
         titles=("红色 手机", "苹果 电脑")),
    Case("utf-16-le without BOM", "a.csv", _csv(ROWS, "utf-16-le"), ids=("1", "2", "3")),
    Case("gb18030", "a.csv", _csv(CJK, "gb18030"), titles=("红色 手机", "苹果 电脑")),
    Case("gbk", "a.csv", _csv(CJK, "gbk"), titles=("红色 手机", "苹果 电脑")),
    Case("cp1252", "a.csv", _csv(WEST, "cp1252"), titles=("Crème brûlée", "Müller Señor naïve €5")),
    Case("comma", "a.csv", _csv(ROWS, delimiter=","), ids=("1", "2", "3")),
    Case("semicolon", "a.csv", _csv(ROWS, delimiter=";"), ids=("1", "2", "3")),
    Case("tab", "a.tsv", _csv(ROWS, delimiter="\t"), ids=("1", "2", "3")),
    Case("pipe", "a.csv", _csv(ROWS, delimiter="|"), ids=("1", "2", "3")),
    Case("quoted newlines and doubled quotes", "a.csv",
         b'id,title\n1,"multi\nline, ""quoted"""\n2,plain\n',
         titles=('multi\nline, "quoted"', "plain")),
    Case("ids that are URLs or Unicode", "a.csv",
         _csv([["id", "title"], ["https://shop.example/p?id=1&x=2", "red shoe"],
               ["商品-2", "tea"], ["café-3 ☕", "cup"]]),
         ids=("https://shop.example/p?id=1&x=2", "商品-2", "café-3 ☕")),
    # --- recovered, with a warning -----------------------------------------------------------
    Case("ragged rows", "a.csv", b"id,title,brand\n1,a,x\n2,b\n3,c,z,extra\n4,d,w\n",
         warn=r"2 ragged rows were skipped.*line 3: 2 fields.*line 4: 4 fields", ids=("1", "4")),
    Case("duplicate ids, suffix", "a.csv", _csv([["id", "title"], ["a", "x"], ["a", "y"]]),
         policy="suffix", warn="1 duplicate ids", ids=("a", "a#2")),
    Case("duplicate ids, keep-first", "a.csv", _csv([["id", "title"], ["a", "x"], ["a", "y"]]),
         policy="keep-first", warn="1 duplicate ids", ids=("a",)),
    Case("cell over 100k characters", "a.csv", _csv([["id", "title"], ["1", LONG], ["2", "tea"]]),
         warn=r"1 text is over 100,000 characters \(row 1\)"),
    Case(".xlsx with several sheets, user picks one", "b.xlsx", TWO_SHEETS, sheet="Products",
         warn="has 2 sheets; reading 'Products'", ids=("a", "b")),
    Case("unnamed header cell", "a.csv", b"id,title,\n1,red shoe,x\n2,tea,y\n",
         warn="header cells were empty; named them column_3"),
    # --- fatal, with the problem named --------------------------------------------------------
    Case("empty file", "e.csv", b"", fatal="e.csv is empty"),
    Case("blank lines only", "e.csv", b"  \n\n", fatal="e.csv is empty"),
    Case("header only", "h.csv", b"id,title\n", fatal="has a header but no product rows"),
    Case("no usable text column", "n.csv", _csv([["id", "price"], ["1", "3.5"], ["2", "4"]]),
         text=None, fatal="No text column found"),
    Case("text column entirely empty", "t.csv", _csv([["id", "title"], ["1", ""], ["2", " "]]),
         fatal="are empty in every row"),
    Case("duplicate ids, no choice made", "d.csv",
         _csv([["id", "title"], ["a", "x"], ["a", "y"]]),
         fatal="1 duplicate ids.*(choose|--on-duplicate-ids) keep-first or suffix"),
    Case("empty ids", "i.csv", _csv([["id", "title"], ["1", "x"], ["", "y"]]),
         fatal=r"Id column 'id' is empty in 1 row \(row 2\)"),
    Case("file over the size limit", "big.csv", _csv(ROWS) + b"4,x,y\n" * 200_000,
         env={"CATSIM_MAX_UPLOAD_MB": "1"}, fatal=r"over the 1\.0 MB limit"),
    Case("file over the row limit", "rows.csv", _csv(ROWS), env={"CATSIM_MAX_ROWS": "2"},
         fatal="more than 2 rows, the limit"),
    Case(".xlsx over the row limit", "rows.xlsx", TWO_SHEETS, sheet="Products",
         env={"CATSIM_MAX_ROWS": "1"}, fatal="more than 1 rows"),
    Case("random bytes renamed .csv", "photo.csv",
         np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes(),
         fatal="looks like a binary file"),
    Case("PNG renamed .csv", "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(200),
         fatal="binary file.*PNG image"),
    Case("Excel workbook renamed .csv", "book.csv", TWO_SHEETS,
         warn="book.csv is an Excel workbook despite its name; it was read as one"),
    Case("PDF renamed .csv", "doc.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nstream\n",
         fatal="binary file.*PDF"),
    Case("text with NUL bytes", "nul.csv", b"id,title\n1,red\x00shoe\n2,x\x00\x00\n",
         fatal="binary file"),
    # a database export's stray NUL: was "looks like a binary file (...; export the catalog
    # as CSV, Excel or Parquet)", of a CSV file, naming no line
    Case("a stray NUL byte in a text catalog", "stray.csv",
         _csv([["id", "title"], *([str(i), f"product number {i}"] for i in range(40))])
         .replace(b"product number 7", b"product\x00number 7"),
         fatal=r"stray.csv is text with 1 zero byte \(NUL\), the first on line 9; remove"),
    Case("unterminated quote", "q.csv", b'id,title\n1,a\n2,"unterminated\n3,c\n',
         fatal="quoted field that starts on line 3 is never closed"),
    Case("UTF-8 BOM on non-UTF-8 bytes", "bom.csv", b"\xef\xbb\xbfid,title\n1,caf\xe9\n",
         fatal="starts with a UTF-8 mark"),
    Case("corrupt .xlsx", "bad.xlsx", b"PK\x03\x04 not really a workbook",
         fatal="not a readable Excel workbook"),
    Case("unknown sheet", "b.xlsx", TWO_SHEETS, sheet="Nope",
         fatal="Sheet 'Nope' is not in b.xlsx; sheets: Notes, Products"),
    Case("damaged .xls", "old.xls", b"\xd0\xcf\x11\xe0junk",
         fatal=r"not a readable Excel 97-2003 workbook \(the file is damaged or was cut short\)"),
    Case("corrupt .parquet", "bad.parquet", b"PAR1 nope", fatal="not a readable Parquet file"),
    Case("HTML table saved as .xls (a shop backend's export)", "export.xls",
         b"<html><body><table><tr><th>id</th><th>title</th></tr><tr><td>1</td>"
         b"<td>red <b>shoe</b></td></tr><tr><td>2</td><td>blue hat</td></tr></table>"
         b"</body></html>",
         warn="export.xls is a web page with a table", titles=("red shoe", "blue hat")),
    Case("tab-separated text saved as .xls", "export.xls",
         b"id\ttitle\n1\tred shoe\n2\tblue hat\n",
         warn=r"export.xls is text \(CSV\), not a workbook", titles=("red shoe", "blue hat")),
]


def _api(case: Case, path: Path):
    table = read_table(path, sheet=case.sheet)
    text = (case.text,) if case.text else tuple(guess_text_columns(table.frame))
    mapping = ColumnMapping(text_columns=text, id_column=case.id_col)
    return build_catalog(table, mapping, on_duplicate_ids=case.policy)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reader(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    if case.fatal:
        with pytest.raises(CatalogError, match=case.fatal) as info:
            _api(case, path)
        assert "\n" not in str(info.value)
        return
    catalog = _api(case, path)
    lines = "\n".join(catalog.report.lines())
    if case.warn:
        assert re.search(case.warn, lines), lines
    if case.titles is not None:
        assert tuple(catalog.titles()) == case.titles
    if case.ids is not None:
        assert tuple(catalog.ids) == case.ids
    if case.id_col:
        assert case.id_col in catalog.frame.columns
    assert all(len(t) <= current_limits().max_text_chars for t in catalog.texts)


@pytest.fixture
def cli(tiny_bert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--model", str(tiny_bert_dir), "--workspace", str(tmp_path / "ws")])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli(case: Case, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    out = tmp_path / "v.npy"
    args = ["embed", str(path), "--out", str(out), "--on-duplicate-ids", case.policy,
            "--id-col", case.id_col or "@row"]
    args += ["--text-cols", case.text] if case.text else []
    args += ["--sheet", case.sheet] if case.sheet else []
    code, stdout, err = cli(*args)
    assert "Traceback" not in err and "Traceback" not in stdout
    if case.fatal:
        assert code == 2, err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
        assert lines[0].startswith("error: ") and re.search(case.fatal, lines[0]), lines[0]
        assert not out.exists()
        return
    assert code == 0, err
    if case.warn:
        warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
        assert any(re.search(case.warn, w) for w in warnings), err
    vectors = np.load(out)
    if case.ids is not None:
        assert vectors.shape[0] == len(case.ids)


# --- limits: refused before the file is read --------------------------------------------------

def test_oversized_path_is_refused_before_it_is_read(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(ROWS))

    def never(*_a, **_k):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(CatalogError, match="over the"):
        read_table(path, max_bytes=10)


def test_oversized_upload_is_refused_before_it_is_read() -> None:
    class Upload(io.BytesIO):
        name = "up.csv"
        size = 5_000_000

        def read(self, *_a):
            raise AssertionError("the upload was read")

        getvalue = read

    with pytest.raises(CatalogError, match=r"up.csv is 5\.0 MB, over the 1\.0 MB limit"):
        read_table(Upload(), max_bytes=1_000_000)


def test_file_objects_are_read_like_bytes() -> None:
    table = read_table(io.BytesIO(_csv(ROWS, "utf-8-sig", ";")), "x.csv")
    assert list(table.frame.columns) == ["id", "title", "brand"] and table.delimiter == ";"


def test_row_limit_stops_while_counting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows past the limit are never parsed: a malformed tail after it is not reached."""
    data = _csv(ROWS) + b"4,a,b\n" + b'5,"never closed\n' + b"6,x,y\n" * 10
    with pytest.raises(CatalogError, match="more than 3 rows"):
        read_table(data, "r.csv", max_rows=3)
    with pytest.raises(CatalogError, match="never closed"):
        read_table(data, "r.csv", max_rows=4)


def test_limits_come_from_config_toml_and_environment(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from core.config import ConfigError

    toml = tmp_path / "config.toml"
    toml.write_text("[server]\nmaxUploadSize = 7\n", encoding="utf-8")
    for var in ("CATSIM_MAX_UPLOAD_MB", "STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "CATSIM_MAX_ROWS",
                "CATSIM_MAX_TEXT_CHARS"):
        monkeypatch.delenv(var, raising=False)
    assert current_limits(config_toml=toml) == Limits(max_upload_mb=7)
    assert current_limits().max_upload_mb == 500  # the project's .streamlit/config.toml
    monkeypatch.setenv("CATSIM_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("CATSIM_MAX_ROWS", "1_000")
    monkeypatch.setenv("CATSIM_MAX_TEXT_CHARS", "50")
    assert current_limits(config_toml=toml) == Limits(3, 1000, 50)
    monkeypatch.setenv("CATSIM_MAX_ROWS", "many")
    with pytest.raises(ConfigError, match="CATSIM_MAX_ROWS must be a whole number"):
        current_limits()
    with pytest.raises(ConfigError, match="positive"):
        Limits(max_rows=0)


def test_long_cells_stay_whole_in_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATSIM_MAX_TEXT_CHARS", "20")
    table = read_table(_csv([["id", "title"], ["1", "x" * 30], ["2", "short"]]), "l.csv")
    catalog = build_catalog(table, ColumnMapping(("title",), "id"))
    assert catalog.texts == ["x" * 20, "short"]
    assert catalog.frame["title"][0] == "x" * 30
    assert "1 text is over 20 characters (row 1)" in catalog.report.lines()[-1]


# --- safe exports ---------------------------------------------------------------------------

EVIL = pd.DataFrame({
    "source_id": ["=1+1", "@SUM(A1)", "-2", "plain", "+cmd|' /C calc'!A0"],
    "source_title": ["=HYPERLINK(\"http://x\",\"click\")", "\t=tab", "\r=cr", "3-pack", "a=b"],
    "rank": [1, 2, 3, 4, 5],
    "neighbor_id": ["-1+2", "ok", "1e5", "=A1", "@x"],
    "score": [0.5, -0.25, 1.0, -1.0, 0.0],
})


def _xlsx_cells(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _formula_like_cells(cells: list[list[object]]) -> list[object]:
    return [v for row in cells for v in row if is_formula_like(v)]


def test_csv_and_xlsx_neutralise_formulas_ids_included_by_default() -> None:
    csv_back = pd.read_csv(io.BytesIO(to_bytes(EVIL, "csv")), dtype=str, keep_default_na=False)
    assert _formula_like_cells(csv_back.values.tolist()) == []
    assert csv_back["source_id"].tolist()[:3] == ["'=1+1", "'@SUM(A1)", "-2"]
    cells = _xlsx_cells(to_bytes(EVIL, "xlsx"))
    assert _formula_like_cells(cells) == []
    assert cells[1][0] == "'=1+1" and cells[3][0] == "-2" and cells[1][4] == 0.5


def test_excel_safe_off_keeps_cells_but_xlsx_never_writes_formulas() -> None:
    raw = pd.read_csv(io.BytesIO(to_bytes(EVIL, "csv", excel_safe_csv=False)), dtype=str,
                      keep_default_na=False)
    assert raw["source_id"].tolist() == EVIL["source_id"].tolist()
    cells = _xlsx_cells(to_bytes(EVIL, "xlsx", excel_safe_csv=False))
    assert [r[0] for r in cells[1:]] == EVIL["source_id"].tolist()


def test_parquet_and_json_are_never_altered() -> None:
    back = pd.read_parquet(io.BytesIO(to_bytes(EVIL, "parquet")))
    pd.testing.assert_frame_equal(back, EVIL, check_dtype=False)
    records = json.loads(to_bytes(EVIL, "json"))
    assert [r["source_title"] for r in records] == EVIL["source_title"].tolist()


def test_a_bare_carriage_return_cannot_start_a_formula_row() -> None:
    frame = pd.DataFrame({"source_id": ["a\r=1+1", "b"], "score": [1.0, 2.0]})
    for safe in (True, False):
        back = pd.read_csv(io.BytesIO(to_bytes(frame, "csv", excel_safe_csv=safe)), dtype=str)
        assert back["source_id"].tolist() == ["a\r=1+1", "b"]


def test_bom_option() -> None:
    assert to_bytes(EVIL, "csv", bom=True).startswith(b"\xef\xbb\xbf")
    assert not to_bytes(EVIL, "csv").startswith(b"\xef\xbb\xbf")
    assert "xlsx" in FORMATS


def test_xlsx_write_by_extension_and_control_characters(tmp_path: Path) -> None:
    frame = pd.DataFrame({"source_id": ["a\x01b", "手机"], "score": [1.0, np.nan]})
    path = write_table(frame, tmp_path / "nb.xlsx")
    cells = _xlsx_cells(path.read_bytes())
    assert cells[1:] == [["a\ufffdb", 1.0], ["手机", None]]


def test_cli_exports_are_safe_by_default(cli, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_bytes(_csv([["id", "title"], ["=1+1", "=cmd|' /C calc'!A0 red shoe"],
                           ["@x", "blue shirt"], ["-3", "green tea"]]))
    for ext in ("csv", "xlsx"):
        out = tmp_path / f"nb.{ext}"
        code, _, err = cli("neighbors", str(path), "--out", str(out), "--id-col", "id",
                           "--text-cols", "title", "--k", "2")
        assert code == 0, err
        frame = (pd.read_csv(out, dtype=str) if ext == "csv"
                 else pd.DataFrame(_xlsx_cells(out.read_bytes())[1:]))
        assert _formula_like_cells(frame.values.tolist()) == []
        assert "'=1+1" in frame.values
    out = tmp_path / "raw.csv"
    code, _, err = cli("neighbors", str(path), "--out", str(out), "--id-col", "id",
                       "--text-cols", "title", "--k", "2", "--no-excel-safe", "--bom")
    assert code == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "=1+1" in pd.read_csv(out, dtype=str, encoding="utf-8-sig")["source_id"].tolist()


# --- model loading --------------------------------------------------------------------------

class _Trap:
    """Unpickling this creates the marker file: proof that a pickle was opened."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_weights_are_never_opened(tiny_bert_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pickle-model"
    folder.mkdir()
    for item in tiny_bert_dir.iterdir():
        if item.suffix != ".safetensors":
            shutil.copy(item, folder / item.name)
    marker = tmp_path / "unpickled"
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(marker)))
    with pytest.raises(ModelLoadError, match=r"holds its weights only as pytorch_model\.bin: "
                                             r"such files can run code"):
        BertEncoder(folder, device="cpu")
    assert not marker.exists()


def test_remote_code_is_never_run(tiny_bert_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "remote-code-model"
    shutil.copytree(tiny_bert_dir, folder)
    marker = tmp_path / "code-ran"
    (folder / "evil.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
                                    "from transformers import BertModel as EvilModel\n")
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    try:
        encoder = BertEncoder(folder, device="cpu")
    except ModelLoadError:
        pass
    else:
        assert encoder.encode(["red shoe"]).shape == (1, 32)
    assert not marker.exists()


def test_offline_unknown_id_says_offline(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError) as info:
        BertEncoder("catsim-tests/not-a-model", device="cpu")
    message = str(info.value)
    assert "offline mode is on (HF_HUB_OFFLINE)" in message and "bundled" in message
    assert "\n" not in message


# --- the app keeps what the user has --------------------------------------------------------

@pytest.fixture
def app(tiny_bert_dir, workspace, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    return at


def _mapped(at) -> str:
    return next(str(h.value) for h in at.subheader if "Mapped catalog" in str(h.value))


@pytest.mark.app
def test_bad_uploads_keep_the_loaded_catalog(app, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Demo" in _mapped(app)
    uploader = app.file_uploader(key="catalog.upload")
    uploader.set_value(("good.csv", _csv(ROWS), "text/csv")).run()
    assert not app.exception and not app.error
    assert "good.csv" in _mapped(app)
    bad = [("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(300), "binary file"),
           ("empty.csv", b"", "is empty"),
           ("q.csv", b'id,title\n1,"open\n2,b\n', "never closed")]
    for name, data, message in bad:
        app.file_uploader(key="catalog.upload").set_value((name, data, "text/csv")).run()
        assert not app.exception, app.exception
        assert any(message in str(e.value) for e in app.error), [e.value for e in app.error]
        assert "good.csv" in _mapped(app), "the catalog loaded before must stay"
        assert any("still in use" in str(c.value) for c in app.caption)
    monkeypatch.setenv("CATSIM_MAX_UPLOAD_MB", "1")
    app.file_uploader(key="catalog.upload").set_value(
        ("huge.csv", _csv(ROWS) + b"9,x,y\n" * 200_000, "text/csv")).run()
    assert any("over the 1.0 MB limit" in str(e.value) for e in app.error)
    assert "good.csv" in _mapped(app)


@pytest.mark.app
def test_workbook_sheet_picker(app) -> None:
    app.file_uploader(key="catalog.upload").set_value(
        ("book.xlsx", TWO_SHEETS, "application/octet-stream")).run()
    assert not app.exception
    app.selectbox(key="catalog.sheet").set_value("Products").run()
    assert not app.exception, app.exception
    assert "sheet 'Products'" in "\n".join(str(m.value) for m in app.markdown)
    assert "book.xlsx" in _mapped(app)


@pytest.mark.app
@pytest.mark.slow
def test_unloadable_model_offers_the_bundled_one_and_keeps_the_catalog(app) -> None:
    app.file_uploader(key="catalog.upload").set_value(("good.csv", _csv(ROWS), "text/csv")).run()
    from components.advanced import OTHER_MODEL

    app.selectbox(key="settings.model_choice").set_value(OTHER_MODEL).run()
    app.text_input(key="settings.model_other").input("/no/such/model-folder").run()
    assert any("does not exist" in str(e.value) for e in app.error)
    fallback = app.button(key="model_fallback.truncated")
    fallback.click().run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert app.selectbox(key="settings.model_choice").value == "bundled"
    assert "good.csv" in _mapped(app)


@pytest.mark.app
@pytest.mark.parametrize("page", ["pages/neighbors.py", "pages/search.py", "pages/map.py",
                                  "pages/heatmap.py"])
def test_a_tiny_catalog_works_on_every_page(app, page: str) -> None:
    """Three products (fewer than k, the map's sample size, the heatmap's pool)."""
    app.file_uploader(key="catalog.upload").set_value(("tiny.csv", _csv(ROWS), "text/csv")).run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]


def _outcome(case: Case, tmp: Path) -> tuple[str, str]:  # pragma: no cover - report helper
    import os

    old = {k: os.environ.get(k) for k in case.env}
    os.environ.update(case.env)
    path = tmp / case.filename
    path.write_bytes(case.data)
    try:
        catalog = _api(case, path)
    except CatalogError as exc:
        return "refused", str(exc)
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    table = read_table(path, sheet=case.sheet)
    facts = (f"{len(catalog)} products; encoding {table.encoding}, delimiter "
             f"{table.delimiter!r}; ids {', '.join(map(str, catalog.ids[:3]))}"
             if table.encoding else f"{len(catalog)} products")
    extra = catalog.report.lines()[1:]
    return ("read, warned" if extra else "read"), "; ".join([*extra, facts])


def print_table() -> None:  # pragma: no cover - prints the table of docs/robustness.md
    import tempfile

    print("| input | outcome | message (reader and CLI) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            outcome, message = _outcome(case, Path(tmp))
            text = message.replace("|", "\\|").replace("\n", "\\n")
            print(f"| {case.name} | {outcome} | {text[:260]} |")


if __name__ == "__main__":  # pragma: no cover
    print_table()


def test_a_folder_without_weights_says_what_it_lacks(tiny_bert_dir: Path, tmp_path: Path) -> None:
    """An empty folder is no model (not 'save with safe_serialization'); a model's files
    without its weights ask for the whole folder; pickle weights are named and refused."""
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelLoadError, match=r"holds no model: a model folder has config\.json"):
        BertEncoder(empty, device="cpu")
    partial = tmp_path / "partial"
    partial.mkdir()
    for item in tiny_bert_dir.iterdir():
        if item.suffix != ".safetensors":
            shutil.copy(item, partial / item.name)
    with pytest.raises(ModelLoadError, match=r"has no weights file \(\.safetensors\): copy the "
                                             r"whole model folder"):
        BertEncoder(partial, device="cpu")


def test_formulas_whose_result_was_never_saved_are_named():
    """A workbook written by a program (openpyxl, a report generator) holds formulas with no
    saved result: those cells read as empty and the only word was '3 products have empty
    text'. The reader says which sheet and what to do; a workbook saved by Excel (results
    kept beside the formulas) says nothing."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Products"
    sheet.append(["id", "title", "price"])
    for i in range(3):
        sheet.append([f"P{i}", f'=CONCAT("running shoe ",{i})', 5])
    buf = io.BytesIO()
    book.save(buf)
    table = read_table(buf.getvalue(), "report.xlsx")
    said = [w for w in table.warnings if "never saved" in w]
    assert said == ["Sheet 'Products' of report.xlsx: 3 cells hold formulas whose result was "
                    "never saved (a program wrote the workbook), read as empty; open it in "
                    "Excel or LibreOffice and save it, or export the sheet as CSV"]
    assert (table.frame["title"] == "").all()
    # the same workbook with the results saved, as Excel writes it
    saved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            part = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                part = re.sub(rb"<v\s*/>", b"<v>7</v>", part)  # a number: no type attribute
            dst.writestr(item, part)
    assert not [w for w in read_table(saved.getvalue(), "excel.xlsx").warnings
                if "never saved" in w]
