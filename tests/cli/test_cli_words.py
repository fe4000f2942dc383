"""The command line's errors in its own words: core's messages that tell an app user what
to do on a page (upload a file, map a column, the Review page) name the flag to pass when
the CLI raised them, and a nightly job that cannot work fails before anything is embedded.
The app keeps its own wording (tests/app/test_core_messages.py)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.cli import EXIT_INPUT, EXIT_MODEL
from core.errors import CatalogError, cli_text
from tests.cli.conftest import cli_runner
from tests.conftest import make_csv_bytes

ROWS = [["sku", "title", "note"],
        ["A1", "red running shoe", ""],
        ["A2", "blue running shoe", ""],
        ["B1", "green tea 40 bags", ""],
        ["B2", "green tea 20 bags", ""],
        ["C1", "usb c cable 2m", ""]]

# what only an app user can do
APP_WORDS = re.compile(r"\bupload|\bpage\b|\bclick|\bbutton|sidebar|\bmap (a|one|another)\b",
                       re.IGNORECASE)


@pytest.fixture
def run(tmp_path: Path, tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]):
    """run(*args) -> (code, stdout, stderr) with the tiny model and a workspace in tmp_path."""
    return cli_runner(ROWS, tmp_path, tiny_bert_dir, capsys)


def _error(code: int, out: str, err: str) -> str:
    """The one error line of a refused run (after any 'text columns (automatic)' notes)."""
    assert code == EXIT_INPUT and out == "" and "Traceback" not in err, (code, err)
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert lines[-1].startswith("error:") and not any(
        ln.startswith("error:") for ln in lines[:-1]), lines
    assert not APP_WORDS.search(lines[-1]), lines[-1]
    return lines[-1]


def test_an_empty_catalog_file_asks_for_no_upload(run, tmp_path: Path) -> None:
    # "empty.csv is empty: upload a file with a header row and products"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    line = _error(*run("neighbors", str(empty), "--out", str(tmp_path / "l.csv")))
    assert "empty.csv is empty: the file needs a header row and products" in line


def test_a_zipped_catalog_is_to_be_unzipped_not_uploaded(run, tmp_path: Path) -> None:
    archive = tmp_path / "shop.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(run.catalog, "shop.csv")
    line = _error(*run("neighbors", str(archive), "--out", str(tmp_path / "l.csv")))
    assert "unzip it and use the catalog file inside" in line


def test_duplicate_ids_name_the_flags_that_resolve_them(run, tmp_path: Path) -> None:
    # "... choose keep-first or suffix for duplicate ids, or map another id column"
    dup = tmp_path / "dup.csv"
    dup.write_bytes(make_csv_bytes([["sku", "title"], ["A", "red shoe"], ["A", "blue shoe"],
                                    ["B", "tea"]]))
    line = _error(*run("neighbors", str(dup), "--id-col", "sku", "--out",
                       str(tmp_path / "l.csv")))
    assert "Column 'sku' has 1 duplicate ids (e.g. A)" in line
    assert "--on-duplicate-ids keep-first or suffix" in line and "--id-col" in line


def test_a_wrong_encoding_names_the_encoding_flag(run, tmp_path: Path) -> None:
    # "... does not decode; choose another encoding": with no word of --encoding
    western = tmp_path / "western.csv"
    western.write_bytes("sku,title\n1,Café crème\n2,naïve tea\n".encode("cp1252"))
    line = _error(*run("neighbors", str(western), "--encoding", "utf-8", "--out",
                       str(tmp_path / "l.csv")))
    assert "--encoding utf-8: western.csv is not utf-8" in line
    assert "leave --encoding out to have it detected" in line


def test_a_graphics_card_precision_on_a_cpu_names_the_flag(run, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # it said "precision fp16 needs a CUDA device; use bf16 or fp32 on CPU" (which flag?)
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code, out, err = run("neighbors", str(run.catalog), "--precision", "fp16", "--out",
                         str(tmp_path / "l.csv"))
    line = err.strip().splitlines()[-1]
    assert code == EXIT_MODEL and out == "" and not APP_WORDS.search(line), (code, err)
    assert line.startswith("error: --precision fp16") and "no" in line.split("needs a CUDA")[1]
    assert "use --precision auto, fp32, bf16 or onnx" in line and "Advanced" not in line
    assert not (tmp_path / "l.csv").exists()


def test_an_empty_text_column_names_the_text_cols_flag(run, tmp_path: Path) -> None:
    # "Text column(s) note are empty in every row; map a column that holds product text"
    line = _error(*run("neighbors", str(run.catalog), "--text-cols", "note", "--out",
                       str(tmp_path / "l.csv")))
    assert "give --text-cols with a column that holds product text" in line


def test_a_price_range_without_a_price_column_fails_before_embedding(run, tmp_path: Path) -> None:
    # it said "map one on the Catalog page", after every text was embedded
    code, out, err = run("neighbors", str(run.catalog), "--price-ratio", "0.5,2", "--out",
                         str(tmp_path / "l.csv"))
    line = _error(code, out, err)
    assert line.startswith("error: --price-ratio: the price range rule needs a price column")
    assert "price_column in the settings file (--config)" in line
    assert "embedded" not in err and not (tmp_path / "l.csv").exists()


def test_labelled_pairs_with_unknown_ids_name_the_id_flag(run, tmp_path: Path) -> None:
    # "... check the id column mapping (use row numbers if the file holds row numbers)"
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], ["X9", "Y9", "1"]]))
    line = _error(*run("evaluate", str(run.catalog), "--judgements", str(pairs)))
    assert "None of the pairs' ids are in the catalog" in line
    assert "check --id-col (--id-col @row if the file holds row numbers)" in line


def test_threshold_on_matches_only_fails_before_embedding(run, tmp_path: Path) -> None:
    # it embedded the catalog, then said "(the Review page's rejections, for example)"
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], ["A1", "A2", "1"],
                                      ["B1", "B2", "1"]]))
    code, out, err = run("threshold", str(run.catalog), "--pairs", str(pairs))
    line = _error(code, out, err)
    assert "The labelled pairs are all matches (label 1)" in line
    assert "python -m core review-pairs CATALOG --out FILE writes them" in line
    assert "embedded" not in err


def _threshold_with_holdout(run, tmp_path: Path, holdout_row: list[str]):
    """(holdout path, run result) of `threshold` with good pairs and a one-row holdout."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], ["A1", "A2", "1"],
                                      ["A1", "C1", "0"]]))
    holdout = tmp_path / "holdout.csv"
    holdout.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], holdout_row]))
    return holdout, run("threshold", str(run.catalog), "--pairs", str(pairs), "--holdout",
                        str(holdout))


def test_threshold_reads_a_holdout_with_unknown_ids_before_embedding(run,
                                                                     tmp_path: Path) -> None:
    holdout, (code, out, err) = _threshold_with_holdout(run, tmp_path, ["Q1", "Q2", "1"])
    line = _error(code, out, err)
    assert line.startswith(f"error: --holdout {holdout}: None of the pairs' ids")
    assert "embedded" not in err


def test_a_mistyped_settings_key_gets_the_key_it_looks_like(run, tmp_path: Path) -> None:
    settings = tmp_path / "tuned.json"
    settings.write_text('{"k": 5, "metirc": "dot"}', encoding="utf-8")
    line = _error(*run("neighbors", str(run.catalog), "--config", str(settings), "--out",
                       str(tmp_path / "l.csv")))
    assert "Unknown configuration key(s): metirc (did you mean metric?); known keys:" in line
    assert f"(in the settings file --config {settings})" in line


def test_the_app_keeps_its_own_words() -> None:
    """str(exc) is what a page shows: the app's wording, unchanged; the CLI's is cli_text."""
    from core.catalog.table import ColumnMapping, build_catalog, read_table

    raw = read_table(make_csv_bytes([["sku", "title"], ["A", "x"], ["A", "y"]]), "d.csv")
    with pytest.raises(CatalogError) as info:
        build_catalog(raw, ColumnMapping(text_columns=("title",), id_column="sku"))
    assert str(info.value).endswith("choose keep-first or suffix for duplicate ids, or map "
                                    "another id column")
    assert "--on-duplicate-ids" in cli_text(info.value)
    assert cli_text(ValueError("plain")) == "plain"


def test_vectors_that_are_no_npy_file_are_refused_plainly(run, tmp_path: Path) -> None:
    # numpy's own words: "This file contains pickled (object) data. If you trust the file you
    # can load it unsafely using the `allow_pickle=` keyword argument or `pickle.load()`"
    line = _error(*run("neighbors", "--vectors", str(run.catalog), "--out",
                       str(tmp_path / "l.csv")))
    assert f"--vectors {run.catalog} is not a .npy file of vectors" in line
    assert "embed --out vectors.npy" in line and "pickle" not in line


@pytest.mark.parametrize(("array", "said"), [
    (np.array([np.zeros(3), np.zeros(2)], dtype=object), "holds Python objects"),
    (np.array([["a", "b"]]), "holds text"),
])
def test_npy_vectors_that_are_no_numbers_are_refused_plainly(run, tmp_path: Path, array,
                                                             said: str) -> None:
    # numpy's own words for an object array: "Object arrays cannot be loaded when
    # allow_pickle=False"; for text, np.isfinite's "ufunc 'isfinite' not supported"
    path = tmp_path / "v.npy"
    np.save(path, array)
    line = _error(*run("neighbors", "--vectors", str(path), "--out", str(tmp_path / "l.csv")))
    assert f"--vectors {path} {said}" in line and "not numbers" in line
    assert "pickle" not in line and "ufunc" not in line


def test_finetune_pairs_with_unknown_ids_name_the_id_flag(run, tmp_path: Path) -> None:
    # "... (columns used: left_id, right_id); check the id column"
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], ["X9", "Y9", "1"],
                                      ["X8", "Y8", "1"]]))
    line = _error(*run("finetune", str(run.catalog), "--pairs", str(pairs), "--out",
                       str(tmp_path / "tuned")))
    assert "None of the 2 pairs matches two different catalog ids" in line
    assert line.endswith("check --id-col (--id-col @row if the file holds row numbers)")
    assert not (tmp_path / "tuned").exists()


@pytest.mark.parametrize(("blank", "said"), [
    (["A3"], "is empty in 1 row (row 3); fill it in"),
    (["A3", "B1"], "is empty in 2 rows (rows 3, 5); fill them in"),
])
def test_empty_ids_name_the_id_flag(run, tmp_path: Path, blank: list[str], said: str) -> None:
    # "... fill them in, map another id column or use row numbers"
    rows = [[("" if r[0] in blank else r[0]), *r[1:]] for r in SHOP_ROWS]
    shop = tmp_path / "blank.csv"
    shop.write_bytes(make_csv_bytes([["sku", "title"], *rows]))
    line = _error(*run("neighbors", str(shop), "--id-col", "sku", "--out",
                       str(tmp_path / "l.csv")))
    assert f"Id column 'sku' {said}, or give --id-col with another column (--id-col @row " \
           "for row numbers)" in line


SHOP_ROWS = [["A1", "red running shoe"], ["A2", "blue running shoe"], ["A3", "trail shoe"],
             ["B2", "green tea 20 bags"], ["B1", "green tea 40 bags"]]


def test_a_second_night_reuses_the_store_and_counts_as_the_first_did(run,
                                                                     tmp_path: Path) -> None:
    # the log mixed "embedded 1,200 new texts" with "reused 1200" and "x 1200 products"
    rows = [["sku", "title"]] + [[f"P{i}", f"product {i} colour {i % 7} size {i % 13}"]
                                 for i in range(1200)]
    shop = tmp_path / "big.csv"
    shop.write_bytes(make_csv_bytes(rows))
    args = ("neighbors", str(shop), "--k", "3", "--out", str(tmp_path / "l.csv"))
    code, _, first = run(*args)
    assert code == 0 and ("1,200 products, 1,200 different texts: embedded 1,200, reused 0 "
                          "from the store") in first, first
    code, _, second = run(*args)
    assert code == 0 and ("1,200 products, 1,200 different texts: embedded 0, reused 1,200 "
                          "from the store") in second, second
    assert "embedding:" not in second  # no progress: nothing was embedded
    wrote = re.search(r"wrote .*l\.csv: (\d,\d{3}) rows \(3 neighbours x 1,200 products", second)
    assert wrote, second  # up to 3,600 rows: the relevance floor may shorten a list


def test_products_with_the_same_text_are_counted_as_one_text(run, tmp_path: Path) -> None:
    # "embedded 1,079 new texts, reused 0" for a 1,092-product catalog left 13 unexplained
    rows = [["sku", "title"], ["A1", "red running shoe"], ["A2", "red running shoe"],
            ["A3", "blue running shoe"], ["A4", "green tea"], ["A5", "green tea"],
            ["A6", "oak desk chair"]]
    shop = tmp_path / "dupes.csv"
    shop.write_bytes(make_csv_bytes(rows))
    args = ("neighbors", str(shop), "--k", "2", "--out", str(tmp_path / "l.csv"))
    code, _, first = run(*args)
    assert code == 0 and ("6 products, 4 different texts: embedded 4, reused 0 from the "
                          "store") in first, first
    rows.append(["A7", "oak desk chair"])  # next night: a seventh product, its text known
    shop.write_bytes(make_csv_bytes(rows))
    code, _, second = run(*args)
    assert code == 0 and ("7 products, 4 different texts: embedded 0, reused 4 from the "
                          "store") in second, second


def test_the_ray_engines_duplicate_ids_name_the_id_flag(tmp_path: Path) -> None:
    # the Ray engine runs from the command line only: it said "map another id column"
    import pyarrow as pa
    import pyarrow.parquet as pq

    from core.scale.pipeline import ids_and_titles

    (tmp_path / "vectors").mkdir()
    pq.write_table(pa.table({"row": [0, 1, 2], "id": ["A", "A", "B"],
                             "title": ["red shoe", "blue shoe", "tea"]}),
                   tmp_path / "vectors" / "part-0.parquet")
    with pytest.raises(CatalogError) as info:
        ids_and_titles(tmp_path)
    said = str(info.value)
    assert "1 duplicate ids (e.g. A)" in said and not APP_WORDS.search(said)
    assert said.endswith("give --id-col with another column, or --id-col @row for row numbers")


def test_a_mistyped_rules_key_gets_the_key_it_looks_like(run, tmp_path: Path) -> None:
    settings = tmp_path / "tuned.json"
    settings.write_text('{"rules": {"sam": ["brand"], "max_pr": {"brand": 2}}}',
                        encoding="utf-8")
    line = _error(*run("neighbors", str(run.catalog), "--config", str(settings), "--out",
                       str(tmp_path / "l.csv")))
    assert "Unknown rules key(s): max_pr, sam (did you mean max_per, same?); known rules " \
           "keys: same, different, max_per" in line


def test_a_file_that_reads_wrong_names_only_the_flags(run, tmp_path: Path) -> None:
    # "(app: the 'Read it as' choices; CLI: --delimiter, ...) ... (app: 'Read anyway'; ...)"
    ragged = tmp_path / "ragged.csv"
    ragged.write_bytes(b"sku,title\n" + b"".join(f"P{i},shoe, size {i}\n".encode()
                                                 for i in range(20)))
    line = _error(*run("neighbors", str(ragged), "--out", str(tmp_path / "l.csv")))
    assert "ragged.csv may not be read right: 20 of 20 rows have a different number" in line
    assert line.endswith("Look at its first lines and give the delimiter, header and encoding "
                         "yourself (--delimiter, --no-header, --encoding), or read it anyway "
                         "(--allow-ragged)")
    assert "app:" not in line and "Read anyway" not in line


def test_a_holdout_without_matches_fails_before_embedding(run, tmp_path: Path) -> None:
    # it embedded, chose the threshold, then said "a threshold needs at least one" positive
    holdout, (code, out, err) = _threshold_with_holdout(run, tmp_path, ["B1", "C1", "0"])
    line = _error(code, out, err)
    assert line == (f"error: --holdout {holdout}: no pair is labelled 1 (the same product), so "
                    "the threshold's precision and recall cannot be measured on it; add pairs "
                    "of the same product, labelled 1")
    assert "embedded" not in err


def test_groups_say_the_size_chosen_for_the_catalog(tmp_path: Path, tiny_bert_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Without --size the typical size is chosen for the catalog (as on the Groups page) and
    the line says so and names the flag; a given size is used as given."""
    import pandas as pd

    kinds = ["running shoe", "green tea", "usb cable", "desk lamp"]
    rows = [["sku", "title"]] + [[f"{k[:3]}{i}", f"{k} model {i}"]
                                 for k in kinds for i in range(6)]
    run = cli_runner(rows, tmp_path, tiny_bert_dir, capsys)
    out_file = tmp_path / "groups.csv"
    code, out, err = run("groups", str(run.catalog), "--out", str(out_file))
    assert code == 0, err
    found = re.search(r"(\d+) groups \(agglomerative\), typical size (\d+) \(chosen for this "
                      r"catalog; --size to change\)", out + err)
    assert found, out + err
    groups, size = int(found.group(1)), int(found.group(2))
    assert pd.read_csv(out_file)["group"].nunique() == groups == max(2, 24 // size)
    code, out, err = run("groups", str(run.catalog), "--out", str(out_file), "--size", "12")
    assert code == 0 and "2 groups (agglomerative), typical size 12, " in out + err
    assert "chosen" not in out + err


def test_neighbors_writes_a_row_per_product_with_the_same_lists(run, tmp_path: Path) -> None:
    import pandas as pd

    pairs, per = tmp_path / "pairs.csv", tmp_path / "per.csv"
    assert run("neighbors", str(run.catalog), "--out", str(pairs), "--k", "2")[0] == 0
    code, out, err = run("neighbors", str(run.catalog), "--out", str(per), "--k", "2",
                         "--layout", "products")
    assert code == 0, err
    assert "wrote" in out + err and "5 rows (one per product, up to 2 neighbours in each" \
        in out + err
    long = pd.read_csv(pairs, dtype=str)
    wide = pd.read_csv(per, dtype=str, keep_default_na=False)
    assert wide["source_id"].tolist() == ["A1", "A2", "B1", "B2", "C1"]
    for _, row in wide.iterrows():
        mine = long[long.source_id == row.source_id].sort_values("rank")
        assert row.neighbor_ids.split(",") == mine.neighbor_id.tolist()
    code, out, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "res") + "/",
                         "--layout", "products")
    assert code == 0 and "warning: --layout products is not used" in out + err


def test_neighbors_says_when_the_titles_do_not_name_the_brand(tmp_path: Path, tiny_bert_dir: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    rows = [["ISBN", "Title", "Author", "Genre"]] + [
        [f"97800{i:08d}", f"Book {i} (Paperback)", f"Writer {i % 3}", ["Fantasy", "Classics"][i % 2]]
        for i in range(8)]
    run = cli_runner(rows, tmp_path, tiny_bert_dir, capsys)
    code, out, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"))
    assert code == 0, err
    assert ('note: the titles seldom name the Author (0% of them) and the lists compare only '
            'Title; give --text-cols "Title,Author,Genre" for lists that follow Author and Genre '
            'too') in out + err
    code, out, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"),
                         "--text-cols", "Title,Author,Genre")
    assert code == 0 and "seldom name" not in out + err
