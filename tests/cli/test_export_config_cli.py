"""Neighbour tables as files, the JSON configuration, and the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.config import DEFAULT_K, Config
from core.errors import CatalogSimilarityError, ConfigError
from core.export.tables import excel_safe, neighbors_frame, to_bytes, write_table
from core.search.exact import topk
from core.search.neighbors import Neighbors
from core.workspace import DB_NAME
from tests.conftest import PRODUCT_ROWS, REPO_ROOT, make_csv_bytes

IDS = np.array(["A1", "B2", "C3", "D4", "E5"], dtype=object)
TITLES = ["red shoe", 'tea, "green"', "手机\ncase", "lamp", "cup"]


def _neighbors(k: int = 2) -> Neighbors:
    x = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)
    return topk(x, k)


# --- neighbors_frame ---------------------------------------------------------------------

def test_neighbors_frame_long_format() -> None:
    nb = _neighbors(3)
    frame = neighbors_frame(IDS, nb)
    assert list(frame.columns) == ["source_id", "rank", "neighbor_id", "score"]
    assert len(frame) == 5 * 3
    assert frame["rank"].tolist() == [1, 2, 3] * 5
    assert frame["source_id"].tolist() == [i for i in IDS for _ in range(3)]
    assert frame["neighbor_id"].tolist() == list(IDS[nb.indices.reshape(-1)])
    np.testing.assert_allclose(frame["score"], nb.scores.reshape(-1), atol=1e-6)
    assert (frame["source_id"] != frame["neighbor_id"]).all()


def test_neighbors_frame_with_titles() -> None:
    nb = _neighbors(2)
    frame = neighbors_frame(IDS, nb, titles=TITLES)
    assert list(frame.columns) == ["source_id", "source_title", "rank", "neighbor_id",
                                   "neighbor_title", "score"]
    lookup = dict(zip(IDS, TITLES, strict=True))
    assert all(frame["source_title"] == frame["source_id"].map(lookup))
    assert all(frame["neighbor_title"] == frame["neighbor_id"].map(lookup))


def test_neighbors_frame_for_queries_against_a_corpus() -> None:
    corpus = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)
    nb = topk(corpus, 2, queries=corpus[:2] + 0.01)
    frame = neighbors_frame(np.array(["q1", "q2"], dtype=object), nb, corpus_ids=IDS)
    assert frame["source_id"].tolist() == ["q1", "q1", "q2", "q2"]
    assert frame["neighbor_id"].tolist() == list(IDS[nb.indices.reshape(-1)])


# --- to_bytes and excel safety ---------------------------------------------------------------

@pytest.fixture
def table() -> pd.DataFrame:
    return neighbors_frame(IDS, _neighbors(2), titles=TITLES)


def test_csv_round_trip(table: pd.DataFrame) -> None:
    data = to_bytes(table, "csv")
    assert not data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), dtype={"source_id": str, "neighbor_id": str,
                                                "source_title": str, "neighbor_title": str})
    pd.testing.assert_frame_equal(back, table, check_dtype=False)


def test_csv_bom_option(table: pd.DataFrame) -> None:
    data = to_bytes(table, "csv", bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == list(table.columns)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_encodings_for_excel_round_trip_chinese(table: pd.DataFrame, encoding: str) -> None:
    data = to_bytes(table, "csv", encoding=encoding)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert "手机".encode(encoding).lstrip(b"\xef\xbb\xbf") in data
    back = pd.read_csv(io.BytesIO(data), encoding=encoding, dtype=str, keep_default_na=False)
    assert back["neighbor_title"].tolist() == table["neighbor_title"].astype(str).tolist()
    with pytest.raises(CatalogSimilarityError, match="not one of utf-8, utf-8-sig, gb18030"):
        to_bytes(table, "csv", encoding="latin-1")


def test_cli_writes_gb18030_csv(cli, tmp_path: Path, capsys) -> None:
    src = tmp_path / "zh.csv"
    src.write_bytes("id,title\n1,红色手机\n2,苹果电脑\n3,蓝色手机壳\n".encode("gb18030"))
    out = tmp_path / "lists.csv"
    code, _, err = cli("neighbors", str(src), "--out", str(out), "--out-encoding", "gb18030",
                       "--k", "1")
    assert code == 0, err
    back = pd.read_csv(out, encoding="gb18030", dtype=str)
    assert set(back["source_title"]) == {"红色手机", "苹果电脑", "蓝色手机壳"}


def test_the_ray_engine_writes_the_csv_encoding_asked_for(tmp_path: Path) -> None:
    # --engine ray --out lists.csv --out-encoding gb18030 wrote UTF-8: the Ray engine's
    # writer passed --bom on and dropped --out-encoding
    import argparse
    from types import SimpleNamespace

    from core.cli.engine import _finish

    frame = pd.DataFrame({"source_id": ["1"], "source_title": ["红色手机"], "rank": [1],
                          "neighbor_id": ["2"], "neighbor_title": ["苹果电脑"], "score": [0.5]})
    out = tmp_path / "lists.csv"
    args = argparse.Namespace(out=str(out), no_excel_safe=False, bom=False,
                              out_encoding="gb18030", map=False)
    lists = SimpleNamespace(frame=lambda: frame, rows=len(frame))
    assert _finish(args, Config(k=1), tmp_path, lists, "ray", 2, folder_out=False) == 0
    assert out.read_bytes().decode("gb18030").splitlines()[1].startswith("1,红色手机,1,2")


def test_parquet_round_trip(table: pd.DataFrame) -> None:
    back = pd.read_parquet(io.BytesIO(to_bytes(table, "parquet")))
    pd.testing.assert_frame_equal(back, table, check_dtype=False)


def test_json_round_trip(table: pd.DataFrame) -> None:
    records = json.loads(to_bytes(table, "json").decode("utf-8"))
    assert records == json.loads(table.to_json(orient="records"))
    assert records[0]["source_id"] == "A1" and records[0]["rank"] == 1
    assert "手机" in to_bytes(table, "json").decode("utf-8")  # not \u-escaped


def test_unknown_format() -> None:
    with pytest.raises(CatalogSimilarityError, match="Unknown export format 'xml'"):
        to_bytes(pd.DataFrame({"a": [1]}), "xml")


@pytest.mark.parametrize("value", ["=1+1", "+x", "-x", "@x", "\tx", "\r=x", "=HYPERLINK(\"a\")",
                                   "-1+1"])
def test_excel_safe_neutralises_formulas(value: str) -> None:
    out = excel_safe(pd.DataFrame({"title": [value]}))
    assert out["title"].tolist() == ["'" + value]


@pytest.mark.parametrize("value", ["-3.5", "+2", "-7", "1e5", ".5", "hello", "", "3-pack",
                                   "a=b", " =not-first"])
def test_excel_safe_keeps_numbers_and_plain_text(value: str) -> None:
    out = excel_safe(pd.DataFrame({"title": [value]}))
    assert out["title"].tolist() == [value]


def test_excel_safe_leaves_numeric_columns_and_neutralises_headers() -> None:
    frame = pd.DataFrame({"score": [-1.5, 2.0], "rank": [1, 2], "=cmd": ["a", "@b"]})
    out = excel_safe(frame)
    assert list(out.columns) == ["score", "rank", "'=cmd"]
    assert out["score"].tolist() == [-1.5, 2.0] and out["rank"].tolist() == [1, 2]
    assert out["'=cmd"].tolist() == ["a", "'@b"]
    assert list(frame.columns) == ["score", "rank", "=cmd"], "input must not be modified"


def test_csv_export_is_excel_safe_by_default_only() -> None:
    frame = pd.DataFrame({"source_id": ["=1+1"], "score": [-0.5]})
    assert b"'=1+1" in to_bytes(frame, "csv")
    assert b"'=1+1" not in to_bytes(frame, "csv", excel_safe_csv=False)
    assert pd.read_parquet(io.BytesIO(to_bytes(frame, "parquet")))["source_id"][0] == "=1+1"
    assert json.loads(to_bytes(frame, "json"))[0]["source_id"] == "=1+1"


def test_write_table_by_extension(tmp_path: Path, table: pd.DataFrame) -> None:
    for ext in ("csv", "parquet", "json"):
        path = write_table(table, tmp_path / "out" / f"nb.{ext}")
        assert path.is_file() and path.read_bytes() == to_bytes(table, ext)
    assert not list((tmp_path / "out").glob("*.tmp"))
    with pytest.raises(CatalogSimilarityError,
                       match=r"must end in \.csv, \.xlsx, \.parquet or \.json"):
        write_table(table, tmp_path / "nb.xml")


# --- Config --------------------------------------------------------------------------------

def test_config_json_round_trip(tmp_path: Path) -> None:
    cfg = Config(id_column="sku", text_columns=("title", "brand"), category_column="cat",
                 model="my/model", precision="fp32", batch_size=16, metric="manhattan", k=7,
                 on_duplicate_ids="suffix", extra={"umap": {"min_dist": 0.2}})
    assert Config.from_dict(json.loads(cfg.to_json())) == cfg
    path = cfg.save(tmp_path / "cfg.json")
    assert Config.load(path) == cfg
    assert json.loads(path.read_text(encoding="utf-8"))["text_columns"] == ["title", "brand"]
    assert Config().k == DEFAULT_K and "extra" not in Config().to_dict()
    assert Config.from_dict(Config().to_dict()) == Config()


def test_config_mapping() -> None:
    mapping = Config(id_column="id", text_columns=["title"], brand_column="b").mapping()
    assert mapping.text_columns == ("title",) and mapping.id_column == "id"
    assert mapping.roles() == {"brand": "b"}
    assert Config().mapping(("name",)).text_columns == ("name",)


def test_unknown_config_key_is_named() -> None:
    with pytest.raises(ConfigError, match="Unknown configuration key\\(s\\): metrik"):
        Config.from_dict({"metrik": "dot", "k": 3})


@pytest.mark.parametrize("changes, message", [
    ({"metric": "cos"}, "metric 'cos' is not one of"),
    ({"k": 0}, "k must be a positive integer"),
    ({"k": -2}, "k must be a positive integer"),
    ({"k": 2.5}, "k must be a positive integer"),
    ({"k": "5"}, "k must be a positive integer"),
    ({"k": True}, "k must be a positive integer"),
    ({"precision": "int4"}, "precision must be one of"),
    ({"on_duplicate_ids": "drop"}, "on_duplicate_ids must be one of"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
])
def test_bad_config_values_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_dict(changes)
    with pytest.raises(ConfigError, match=message):
        Config().with_changes(**changes)


def test_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Config.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  'k': 3\n}", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON \\(line 2"):
        Config.load(bad)
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a JSON object"):
        Config.load(listing)


# --- CLI -----------------------------------------------------------------------------------

N_PRODUCTS = len(PRODUCT_ROWS) - 1


@pytest.fixture
def cli(tiny_bert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Run core.cli.main with the tiny model and a temporary workspace."""
    ws = tmp_path / "ws"

    def run(*args: str, model: bool = True) -> tuple[int, str, str]:
        argv = list(args)
        if model:
            argv += ["--model", str(tiny_bert_dir), "--workspace", str(ws)]
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    run.workspace = ws
    return run


def test_cli_embed_writes_vectors(cli, catalog_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "vectors.npy"
    code, _, err = cli("embed", str(catalog_csv), "--out", str(out))
    assert code == 0, err
    vectors = np.load(out)
    assert vectors.shape == (N_PRODUCTS, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert "text columns (automatic): title" in err
    assert f"embedded {N_PRODUCTS}, reused 0 from the store" in err
    assert (cli.workspace / DB_NAME).is_file()
    code, _, err = cli("embed", str(catalog_csv), "--out", str(out))
    assert code == 0 and f"embedded 0, reused {N_PRODUCTS} from the store" in err
    np.testing.assert_array_equal(np.load(out), vectors)


def test_cli_embed_uses_workspace_from_environment(tiny_bert_dir: Path, catalog_csv: Path,
                                                   workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.npy"
    assert main(["embed", str(catalog_csv), "--out", str(out), "--model", str(tiny_bert_dir),
                 "--text-cols", "title,brand"]) == 0
    assert (workspace / DB_NAME).is_file()
    assert np.load(out).shape == (N_PRODUCTS, 32)


def test_cli_embed_without_store(cli, catalog_csv: Path, tmp_path: Path) -> None:
    code, _, err = cli("embed", str(catalog_csv), "--out", str(tmp_path / "v.npy"),
                       "--no-store")
    assert code == 0, err
    assert not (cli.workspace / DB_NAME).exists()


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_cli_neighbors_formats(cli, catalog_csv: Path, tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"nb.{ext}"
    code, _, err = cli("neighbors", str(catalog_csv), "--out", str(out), "--k", "3",
                       "--id-col", "id")
    assert code == 0, err
    if ext == "csv":
        frame = pd.read_csv(out, dtype={"source_id": str, "neighbor_id": str})
    elif ext == "parquet":
        frame = pd.read_parquet(out)
    else:
        frame = pd.DataFrame(json.loads(out.read_text(encoding="utf-8")))
    assert len(frame) == N_PRODUCTS * 3
    assert list(frame.columns) == ["source_id", "source_title", "rank", "neighbor_id",
                                   "neighbor_title", "score"]
    ids = [f"P{i}" for i in range(1, N_PRODUCTS + 1)]
    assert frame["source_id"].tolist() == [i for i in ids for _ in range(3)]
    assert frame["rank"].tolist() == [1, 2, 3] * N_PRODUCTS
    assert set(frame["neighbor_id"]) <= set(ids)
    assert (frame["source_id"] != frame["neighbor_id"]).all()
    assert f"wrote {out}: {N_PRODUCTS * 3} rows" in err


def test_cli_neighbors_without_id_col_uses_row_numbers_when_no_id_like_column(
        cli, tmp_path: Path) -> None:
    rows = [["title", "brand"], ["red shoe", "acme"], ["blue shoe", "acme"], ["tea", "leaf"]]
    path = tmp_path / "noid.csv"
    path.write_bytes(make_csv_bytes(rows))
    out = tmp_path / "nb.csv"
    code, _, err = cli("neighbors", str(path), "--out", str(out), "--k", "1")
    assert code == 0, err
    assert pd.read_csv(out, dtype=str)["source_id"].tolist() == ["0", "1", "2"]


def test_cli_default_id_column_is_the_id_like_column(cli, catalog_csv: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "nb.csv"
    code, _, err = cli("neighbors", str(catalog_csv), "--out", str(out), "--k", "1")
    assert code == 0, err
    assert pd.read_csv(out, dtype=str)["source_id"].tolist()[:2] == ["P1", "P2"]


def test_cli_neighbors_no_titles_and_config(cli, catalog_csv: Path, tmp_path: Path) -> None:
    cfg = Config(id_column="id", text_columns=("title", "brand"), metric="euclidean", k=2,
                 model="bundled").save(tmp_path / "cfg.json")
    out = tmp_path / "nb.csv"
    code, _, err = cli("neighbors", str(catalog_csv), "--out", str(out), "--config", str(cfg),
                       "--no-titles")
    assert code == 0, err
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["source_id", "rank", "neighbor_id", "score"]
    assert len(frame) == N_PRODUCTS * 2
    assert "metric euclidean" in err
    assert ((frame["score"] > 0) & (frame["score"] <= 1)).all()


def test_cli_neighbors_from_vectors(cli, tmp_path: Path) -> None:
    vectors = np.random.default_rng(0).standard_normal((9, 6)).astype(np.float32)
    path = tmp_path / "v.npy"
    np.save(path, vectors)
    out = tmp_path / "nb.parquet"
    code, _, err = cli("neighbors", "--vectors", str(path), "--out", str(out), "--k", "4",
                       "--metric", "dot", model=False)
    assert code == 0, err
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["source_id", "rank", "neighbor_id", "score"]
    assert len(frame) == 9 * 4
    want = topk(vectors, 4, metric="dot")
    assert frame["neighbor_id"].tolist() == [str(i) for i in want.indices.reshape(-1)]
    assert frame["source_id"].tolist() == [str(i) for i in range(9) for _ in range(4)]


def test_cli_neighbors_from_vectors_refuses_what_it_cannot_apply(cli, catalog_csv: Path,
                                                                  tmp_path: Path) -> None:
    # Both were taken and dropped without a word: the rules (lists written unfiltered) and
    # a CATALOG given beside --vectors (ids written as row numbers, not the catalog's ids).
    path = tmp_path / "v.npy"
    np.save(path, np.random.default_rng(0).standard_normal((9, 6)).astype(np.float32))
    out = tmp_path / "nb.csv"
    settings = tmp_path / "cfg.json"
    settings.write_text(json.dumps({"rules": {"min_score": 0.5}}), encoding="utf-8")
    for args, said in ((["--same", "brand"], "rules (same)"),
                       (["--config", str(settings)], "rules (min_score)"),
                       (["--bands", "duplicate=0.9"], "score bands"),
                       ([str(catalog_csv)], f"the catalog {catalog_csv} is not read")):
        _assert_one_error_line(*cli("neighbors", "--vectors", str(path), "--out", str(out),
                                    *args, model=False), "--vectors", said)
        assert not out.exists()


def test_cli_search_prints_csv(cli, catalog_csv: Path) -> None:
    code, out, err = cli("search", str(catalog_csv), "--query", "red shoe", "--k", "3",
                         "--id-col", "id")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), dtype={"product_id": str})
    assert list(frame.columns) == ["rank", "product_id", "title", "score"]
    assert frame["rank"].tolist() == [1, 2, 3]
    assert frame["score"].is_monotonic_decreasing
    titles = {row[0]: row[1] for row in PRODUCT_ROWS[1:]}
    assert (frame["title"] == frame["product_id"].map(titles)).all()


def test_cli_search_empty_query_prints_header_only(cli, catalog_csv: Path) -> None:
    code, out, err = cli("search", str(catalog_csv), "--query", "  ")
    assert code == 0, err
    assert out.strip() == "rank,product_id,title,score"
    # in a nightly job an empty query is usually a shell variable that was not set: said
    assert "warning: the query is empty, so nothing was searched" in err and "--query" in err


def _assert_one_error_line(code: int, out: str, err: str, *needles: str) -> None:
    assert code != 0
    assert "Traceback" not in err and "Traceback" not in out
    # Informational lines (automatic column choices) may come first; one error line.
    lines = [ln for ln in err.strip().splitlines() if "(automatic):" not in ln]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:")
    for needle in needles:
        assert needle in lines[0]


def test_cli_missing_catalog_file(cli, tmp_path: Path) -> None:
    _assert_one_error_line(*cli("embed", str(tmp_path / "nope.csv"), "--out",
                                str(tmp_path / "v.npy")), "File not found")


def test_cli_bad_output_extension(cli, catalog_csv: Path, tmp_path: Path) -> None:
    _assert_one_error_line(*cli("neighbors", str(catalog_csv), "--out",
                                str(tmp_path / "nb.txt")),
                           "must end in .csv, .xlsx, .parquet or .json")


def test_cli_unknown_column(cli, catalog_csv: Path, tmp_path: Path) -> None:
    _assert_one_error_line(*cli("neighbors", str(catalog_csv), "--out", str(tmp_path / "n.csv"),
                                "--text-cols", "title,colour"),
                           "colour not in the catalog", "available: id, title")


def test_cli_bad_k(cli, catalog_csv: Path, tmp_path: Path) -> None:
    _assert_one_error_line(*cli("neighbors", str(catalog_csv), "--out", str(tmp_path / "n.csv"),
                                "--k", "0"), "k must be a positive integer")


def test_cli_unknown_config_key(cli, catalog_csv: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"metrik": "dot"}), encoding="utf-8")
    _assert_one_error_line(*cli("neighbors", str(catalog_csv), "--out", str(tmp_path / "n.csv"),
                                "--config", str(cfg)), "metrik")


def test_cli_missing_model_folder(catalog_csv: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["embed", str(catalog_csv), "--out", str(tmp_path / "v.npy"), "--text-cols",
                 "title", "--model", str(tmp_path / "no-model"), "--workspace",
                 str(tmp_path / "ws")])
    _assert_one_error_line(code, *capsys.readouterr(), "does not exist")


def test_cli_bad_vectors_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    np.save(path, np.zeros(5, dtype=np.float32))
    _assert_one_error_line(*cli("neighbors", "--vectors", str(path), "--out",
                                str(tmp_path / "n.csv"), model=False), "(n, d) array")
    np.save(path, np.array([[1.0, np.nan]], dtype=np.float32))
    _assert_one_error_line(*cli("neighbors", "--vectors", str(path), "--out",
                                str(tmp_path / "n.csv"), model=False), "NaN")
    _assert_one_error_line(*cli("neighbors", "--vectors", str(tmp_path / "missing.npy"),
                                "--out", str(tmp_path / "n.csv"), model=False), "error:")


def test_cli_neighbors_needs_a_catalog_or_vectors(cli, tmp_path: Path) -> None:
    _assert_one_error_line(*cli("neighbors", "--out", str(tmp_path / "n.csv"), model=False),
                           "Give a CATALOG file or --vectors")


def test_cli_binary_catalog(cli, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    _assert_one_error_line(*cli("neighbors", str(path), "--out", str(tmp_path / "n.csv")),
                           "binary file")


def test_cli_semicolon_catalog_with_duplicates(cli, tmp_path: Path) -> None:
    rows = [["sku", "name"], ["a", "red shoe"], ["a", "blue shoe"], ["b", "green tea"]]
    path = tmp_path / "dups.csv"
    path.write_bytes(make_csv_bytes(rows, "utf-8-sig", ";"))
    _assert_one_error_line(*cli("neighbors", str(path), "--out", str(tmp_path / "n.csv"),
                                "--id-col", "sku", "--text-cols", "name"), "duplicate ids")
    code, _, err = cli("neighbors", str(path), "--out", str(tmp_path / "n.csv"), "--id-col",
                       "sku", "--text-cols", "name", "--on-duplicate-ids", "suffix", "--k", "1")
    assert code == 0, err
    assert pd.read_csv(tmp_path / "n.csv")["source_id"].tolist() == ["a", "a#2", "b"]


def test_python_m_core_help() -> None:
    result = subprocess.run([sys.executable, "-m", "core", "neighbors", "--help"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "--vectors" in result.stdout and "--metric" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_python_api_gives_the_cli_lists(cli, catalog_csv: Path, tmp_path: Path,
                                            tiny_encoder) -> None:
    """`from core import ...` (a notebook) and `python -m core neighbors` give the same lists
    for the same configuration: hybrid scoring and a rule, not a dense-only shortcut."""
    import core

    cfg = core.Config(text_columns=("title",), id_column="id", k=3, hybrid_weight=0.6,
                      rules={"max_per": {"brand": 1}}, brand_column="brand")
    cfg_path = cfg.save(tmp_path / "cfg.json")
    out = tmp_path / "cli.parquet"
    code, _, err = cli("neighbors", str(catalog_csv), "--config", str(cfg_path), "--out", str(out))
    assert code == 0, err
    catalog, _ = core.catalog_from_config(core.read_table(catalog_csv), cfg)
    vectors = core.embed_catalog(catalog, tiny_encoder, None).vectors
    api = core.lists_frame(catalog, core.final_lists(catalog, vectors, cfg))
    got = pd.read_parquet(out)
    pd.testing.assert_frame_equal(got[["source_id", "rank", "neighbor_id"]].reset_index(drop=True),
                                  api[["source_id", "rank", "neighbor_id"]].reset_index(drop=True))
    np.testing.assert_allclose(got["score"].to_numpy(), api["score"].to_numpy(), atol=1e-6)
    assert core.neighbor_index(catalog, vectors, cfg).names == ("dense", "lexical")
