"""The command line as the engineer who sets up a nightly job meets it: a usage error, a
wrong delimiter, an unwritable place, bad evaluation flags are each one line naming the
flag to fix, with the exit status of the README's table, and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.cli import EXIT_INPUT, EXIT_IO, main
from tests.cli.conftest import cli_runner
from tests.conftest import make_csv_bytes, make_xlsx_bytes

ROWS = [["sku", "title", "brand"],
        ["A1", "red running shoe", "acme"],
        ["A2", "blue running shoe", "acme"],
        ["B1", "green tea 40 bags", "leafco"],
        ["B2", "green tea 20 bags", "leafco"],
        ["C1", "usb c cable 2m", "wired"]]


@pytest.fixture
def run(tmp_path: Path, tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]):
    """run(*args) -> (code, stdout, stderr) with the tiny model and a workspace in tmp_path."""
    return cli_runner(ROWS, tmp_path, tiny_bert_dir, capsys)


def _one_error(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("error:"), lines
    return lines[0]


def test_a_usage_error_is_one_line_naming_the_help_to_read(run, tmp_path: Path) -> None:
    # argparse printed the whole usage (about 40 lines for neighbors) before the error
    code, out, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"),
                         "--k", "ten")
    assert code == EXIT_INPUT and out == ""
    line = _one_error(err)
    assert "--k" in line and "'ten'" in line
    assert "python -m core neighbors --help" in line
    assert not (tmp_path / "l.csv").exists()


def test_a_mistyped_flag_names_the_commands_help(run, tmp_path: Path) -> None:
    # the line said "see: python -m core --help", whose page lists no option of neighbors
    code, out, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"),
                         "--sme", "brand")
    assert code == EXIT_INPUT and out == ""
    line = _one_error(err)
    assert "unrecognized arguments: --sme brand" in line
    assert line.endswith("(see: python -m core neighbors --help)"), line


def test_a_missing_required_flag_is_one_line(run) -> None:
    code, _, err = run("neighbors", str(run.catalog))
    assert code == EXIT_INPUT
    assert "--out" in _one_error(err)


@pytest.mark.parametrize(("given", "named"), [(";", "--delimiter ','"),
                                               ("tab", "--delimiter ','"),
                                               ("|", "--delimiter ','")])
def test_a_delimiter_that_splits_nothing_is_refused(run, tmp_path: Path, given: str,
                                                    named: str) -> None:
    # read with ';' a comma file was one column 'sku,title,brand': exit 0 and lists of
    # whole lines with row numbers for ids
    out = tmp_path / "l.csv"
    code, _, err = run("neighbors", str(run.catalog), "--out", str(out), "--delimiter", given)
    assert code == EXIT_INPUT
    line = _one_error(err)
    assert named in line and "'sku,title,brand'" in line
    assert not out.exists()


def test_the_right_delimiter_given_still_reads(run, tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes(make_csv_bytes(ROWS, delimiter=";"))
    out = tmp_path / "l.csv"
    code, _, err = run("neighbors", str(path), "--out", str(out), "--delimiter", ";",
                       "--k", "1")
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("source_id,")


# --- evaluate and threshold: flags named, bad values refused before any embedding ----------

def _pairs_file(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.csv"
    path.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], ["A1", "A2", 1],
                                     ["B1", "B2", 1], ["A1", "C1", 0]]))
    return path


@pytest.mark.parametrize("ks", ["0,5", "-1", "2.5", "a"])
def test_evaluate_refuses_cut_offs_below_one(run, tmp_path: Path, ks: str) -> None:
    # 0 gave a NaN precision@0 and a RuntimeWarning (exit 0); -1 'unexpected ValueError' (1)
    code, out, err = run("evaluate", str(run.catalog), "--judgements",
                         str(_pairs_file(tmp_path)), "--ks", ks)
    assert code == EXIT_INPUT and out == ""
    assert "--ks" in _one_error(err)
    assert "embedded" not in err


@pytest.mark.parametrize(("flag", "value", "needle"),
                         [("--compare-weights", "0,2", "between 0 and 1"),
                          ("--compare-metrics", "cosin", "cosin")])
def test_evaluate_names_the_compare_flag(run, tmp_path: Path, flag: str, value: str,
                                         needle: str) -> None:
    code, _, err = run("evaluate", str(run.catalog), "--judgements",
                       str(_pairs_file(tmp_path)), flag, value, "-q")
    assert code == EXIT_INPUT
    line = _one_error(err)
    assert f"{flag} {value}:" in line and needle in line


def test_labels_files_are_named_by_their_flag(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(make_csv_bytes([["l"], ["A1"]]))  # one column: no pairs
    code, _, err = run("evaluate", str(run.catalog), "--judgements", str(bad), "-q")
    assert code == EXIT_INPUT
    assert _one_error(err).startswith(f"error: --judgements {bad}: Labelled pairs need")
    code, _, err = run("evaluate", str(run.catalog), "--judgements",
                       str(tmp_path / "nope.csv"))
    assert code == EXIT_INPUT
    assert "--judgements" in _one_error(err) and "no such file" in err
    # a missing holdout was found only after the catalog was embedded and calibrated
    code, out, err = run("threshold", str(run.catalog), "--pairs", str(_pairs_file(tmp_path)),
                         "--holdout", str(tmp_path / "nope.csv"))
    assert code == EXIT_INPUT and out == ""
    assert "--holdout" in _one_error(err)


def test_evaluate_with_labels_still_measures(run, tmp_path: Path) -> None:
    code, out, err = run("evaluate", str(run.catalog), "--judgements",
                         str(_pairs_file(tmp_path)), "--ks", "1,2", "--text-cols", "title")
    assert code == 0, err
    assert "recall@1" in out and "recall@2" in out and "nan" not in out.lower()


def test_evaluate_says_which_rows_of_the_labels_it_left_out(run, tmp_path: Path) -> None:
    """'1 judged pairs; 1 rows with ids not in the catalog skipped': a blank label was
    measured as a match and the other rows left out went unmentioned."""
    pairs = tmp_path / "messy.csv"
    pairs.write_bytes(make_csv_bytes([["idAbt", "idBuy", "match"], ["A1", "A2", "yes"],
                                      ["A1", "A2", "yes"], ["B1", "B2", ""],
                                      ["NOPE", "A2", "no"], ["A1", "C1", "no"]]))
    code, _, err = run("evaluate", str(run.catalog), "--judgements", str(pairs),
                       "--text-cols", "title")
    assert code == 0, err
    assert "2 labelled pairs: 1 product with a labelled match measured" in err
    assert (f"warning: 3 of 5 rows of {pairs} left out: 1 row names an id that is not in the "
            "catalog (such as NOPE); 1 row has an empty label; 1 row is the same as an earlier "
            "row") in err  # it read "1 name an id", "1 have an empty label"


# --- finetune: its help lists what applies to it; the catalog's language is read ------------

def test_finetune_help_lists_only_what_applies(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["finetune", "--help"])
    text = capsys.readouterr().out
    for absent in ("--index", "--relevance-floor", "--image-col", "--image-weight", "--images",
                   "--fetch-images"):
        assert absent not in text, absent  # it trains on texts; these did nothing
    for present in ("--pairs", "--model", "--language", "--hybrid-weight", "--text-cols"):
        assert present in text, present


def test_finetune_reads_the_catalogs_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # --language was listed and ignored: a Chinese catalog fine-tuned the English model.
    # The lists of a Chinese catalog use the multilingual model: it is the current model
    # ("before") and, through its trainable copy, the one trained (the run is stopped here
    # before training: tests/finetune/test_finetune_multilingual.py trains it).
    import core.finetune.run as run
    from core.finetune.settings import FinetuneCancelled

    seen: list = []

    def recorded(texts, data, **kwargs):
        seen.append((kwargs["base_model"],
                     run.model_to_train(kwargs["base_model"], kwargs["start_from"])))
        raise FinetuneCancelled("recorded")

    monkeypatch.setattr(run, "finetune", recorded)
    catalog = tmp_path / "zh.csv"
    catalog.write_bytes(make_csv_bytes([["编号", "商品名称"], ["Z1", "兰芝 睡眠面膜 补水保湿"],
                                        ["Z2", "雅诗兰黛 小棕瓶 精华"], ["Z3", "小米 手环 智能运动"],
                                        ["Z4", "华为 手环 NFC版"]], "gb18030"))
    main(["finetune", str(catalog), "--self-supervised", "--out", str(tmp_path / "m"),
          "--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert "catalog language (automatic): Chinese" in err
    assert seen == [("multilingual", "multilingual")], err
    assert not (tmp_path / "m").exists()


# --- places that cannot be written: found before any work, named ----------------------------

@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a folder no one may write: /sys")
def test_an_unwritable_out_folder_is_found_before_any_work(run) -> None:
    # as root os.access said yes to /sys: every text was embedded, then
    # 'PermissionError: ... /sys/.l.csv.123.tmp' (exit 4)
    code, _, err = run("neighbors", str(run.catalog), "--out", "/sys/l.csv")
    assert code == EXIT_INPUT
    assert _one_error(err).startswith("error: --out /sys/l.csv: cannot write in the folder /sys")


def test_an_out_that_is_a_file_the_command_reads_is_refused(run, tmp_path: Path) -> None:
    # --out shop.csv (a slip in a nightly job's line) replaced the catalog with its own lists,
    # exit 0; --out settings.json replaced the settings file
    before = run.catalog.read_bytes()
    code, _, err = run("neighbors", str(run.catalog), "--out", str(run.catalog))
    assert code == EXIT_INPUT
    assert _one_error(err).startswith(f"error: --out {run.catalog} is the catalog this "
                                      "command reads")
    assert run.catalog.read_bytes() == before
    settings = tmp_path / "settings.json"
    settings.write_text('{"k": 2}', encoding="utf-8")
    code, _, err = run("neighbors", str(run.catalog), "--config", str(settings),
                       "--out", str(tmp_path / "." / "settings.json"))
    assert code == EXIT_INPUT and "is the --config file this command reads" in err
    assert settings.read_text(encoding="utf-8") == '{"k": 2}'


def test_save_config_may_replace_the_settings_file_it_read(run, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(make_csv_bytes([["left_id", "right_id", "label"], ["A1", "A2", "1"],
                                      ["B1", "B2", "1"], ["A1", "C1", "0"],
                                      ["B1", "C1", "0"]]))
    settings = tmp_path / "settings.json"
    settings.write_text('{"k": 2}', encoding="utf-8")
    code, _, err = run("threshold", str(run.catalog), "--pairs", str(pairs), "--config",
                       str(settings), "--save-config", str(settings))
    assert code == 0, err
    code, _, err = run("threshold", str(run.catalog), "--pairs", str(pairs),
                       "--save-config", str(pairs))
    assert code == EXIT_INPUT and "is the --pairs file this command reads" in err


@pytest.mark.parametrize("command", ["neighbors", "health"])
def test_a_session_key_that_cannot_be_one_fails_before_embedding(run, tmp_path: Path,
                                                                  command: str) -> None:
    # every text was embedded first, then "--session 'nosuchkey' is not an app session key"
    out = ["--out", str(tmp_path / "l.csv")] if command == "neighbors" else []
    code, _, err = run(command, str(run.catalog), *out, "--session", "nosuchkey")
    assert code == EXIT_INPUT
    assert _one_error(err).startswith("error: --session 'nosuchkey' is not an app session key")


@pytest.mark.parametrize(("flag", "value"), [("--ray-actors", "0"), ("--ray-actor-cpus", "0"),
                                           ("--ray-shards", "0"), ("--ray-gpus", "-1"),
                                           ("--ray-timeout", "-5")])
def test_ray_numbers_out_of_range_are_refused_before_ray_starts(run, tmp_path: Path, flag: str,
                                                                value: str) -> None:
    # --ray-actors 0 ran with 1 actor without a word; the others reached Ray (or a run that
    # timed out at once)
    code, _, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"),
                       "--engine", "ray", flag, value)
    assert code == EXIT_INPUT
    assert _one_error(err).startswith(f"error: {flag} {value}: give "), err


def test_a_workspace_that_cannot_be_made_is_named(run, tmp_path: Path) -> None:
    # was 'error: NotADirectoryError: [Errno 20] Not a directory: ...' naming no flag
    blocker = tmp_path / "not a folder"
    blocker.write_text("x", encoding="utf-8")
    code = main(["neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"),
                 "--workspace", str(blocker / "ws")])
    assert code == EXIT_IO
    line = _one_error(run.capsys.readouterr().err)
    assert f"the workspace {blocker / 'ws'} (--workspace) cannot be written" in line
    assert "--no-store" in line
    assert not (tmp_path / "l.csv").exists()


def test_the_default_workspace_is_named_as_such(run, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # a nightly job run from cron starts in another folder, where ./workspace is looked for
    blocker = tmp_path / "job"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CATSIM_WORKSPACE", str(blocker / "ws"))
    code = main(["neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv")])
    assert code == EXIT_IO
    assert "($CATSIM_WORKSPACE)" in _one_error(run.capsys.readouterr().err)


# --- help in plain words ---------------------------------------------------------------------

JARGON = ("lexical", "dense", "fused", "MMR", "z-score", "HNSW", "cosine from")


@pytest.mark.parametrize("command", ["embed", "neighbors", "search", "duplicate-photos",
                                     "health", "groups", "merge-map", "compare",
                                     "price-check", "evaluate", "threshold", "explain",
                                     "finetune"])
def test_help_speaks_plain_words(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    # '--hybrid-weight: lexical share of the fused score, 0 = dense only', '--diversity: 0..1
    # MMR weight', '--z: robust z-score threshold', and a bare 'catalog' argument
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    for word in JARGON:
        assert word not in text, word
    positional = text.split("positional arguments:")[1].split("options:")[0]
    assert "the catalog file: CSV" in positional


# --- the tuning commands: their own numbers and files checked before any embedding ----------

@pytest.mark.parametrize(("args", "needle"), [
    (["groups", "--size", "0"], "--size 0: give a whole number from 2"),
    (["price-check", "--z", "-1"], "--z -1: give a number above 0"),
    (["price-check", "--min-peers", "0"], "--min-peers 0:"),
    (["merge-map", "--threshold", "95"], "--threshold 95: give a duplicate score"),
    (["merge-map"], "No duplicate threshold"),
])
def test_tuning_numbers_are_checked_first(run, tmp_path: Path, args: list[str],
                                          needle: str) -> None:
    # --z -1 was 'unexpected ValueError' (exit 1) after embedding; --size 0 ran as 2; a
    # missing merge-map threshold was said after the whole catalog was embedded
    command, *rest = args
    code, _, err = run(command, str(run.catalog), "--out", str(tmp_path / "o.csv"), *rest)
    assert code == EXIT_INPUT
    assert needle in _one_error("\n".join(ln for ln in err.splitlines()
                                          if "(automatic)" not in ln))
    assert "embedded" not in err and not (tmp_path / "o.csv").exists()


def test_compare_finds_a_missing_other_file_first(run, tmp_path: Path) -> None:
    code, _, err = run("compare", str(run.catalog), "--other", str(tmp_path / "b.json"))
    assert code == EXIT_INPUT
    assert "--other" in _one_error(err) and "embedded" not in err


def test_price_check_still_runs(run, tmp_path: Path) -> None:
    path = tmp_path / "priced.csv"
    path.write_bytes(make_csv_bytes([["sku", "title", "price"], ["A1", "red shoe", "10"],
                                     ["A2", "blue shoe", "11"], ["A3", "green shoe", "12"],
                                     ["A4", "black shoe", "90"]]))
    code, _, err = run("price-check", str(path), "--out", str(tmp_path / "o.csv"),
                       "--min-peers", "1", "--z", "2", "--relevance-floor", "0")
    assert code == 0, err
    assert (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("command", ["evaluate", "threshold", "explain"])
def test_a_misspelt_category_col_names_the_flag(run, command: str) -> None:
    # it said 'the settings file --config None names columns ...' (no settings file given)
    extra = {"evaluate": ["--coherence", "brand"], "threshold": [],
             "explain": ["--left", "A1", "--right", "A2"]}[command]
    code, _, err = run(command, str(run.catalog), "--category-col", "brnd", *extra)
    assert code == EXIT_INPUT
    line = _one_error("\n".join(ln for ln in err.splitlines() if "(automatic)" not in ln))
    assert line.startswith("error: --category-col: column(s) brnd not in the catalog")
    assert "None" not in line


def test_a_misspelt_coherence_column_is_found_before_embedding(run) -> None:
    code, _, err = run("evaluate", str(run.catalog), "--coherence", "brnd")
    assert code == EXIT_INPUT
    assert _one_error("\n".join(ln for ln in err.splitlines() if "(automatic)" not in ln)
                      ).startswith("error: --coherence: column(s) brnd not in the catalog")
    assert "embedded" not in err


@pytest.mark.parametrize("value", ["3", "-0.1", "50"])
def test_a_min_score_off_the_scale_is_refused(run, tmp_path: Path, value: str) -> None:
    # --min-score 3 wrote a file of 0 rows with exit 0 (the scores run from 0 to 1)
    out = tmp_path / "l.csv"
    code, _, err = run("neighbors", str(run.catalog), "--out", str(out), "--min-score", value)
    assert code == EXIT_INPUT
    line = _one_error("\n".join(ln for ln in err.splitlines() if "(automatic)" not in ln))
    assert line.startswith(f"error: --min-score {value}: give a score from 0 to 1")
    assert "embedded" not in err and not out.exists()


def test_duplicate_photos_threshold_is_a_similarity(run, tmp_path: Path) -> None:
    # --threshold 80 (a percent) read every photo, found no pair and exited 0
    out = tmp_path / "pairs.csv"
    code, _, err = run("duplicate-photos", str(run.catalog), "--out", str(out),
                       "--image-col", "title", "--threshold", "80")
    assert code == EXIT_INPUT
    assert _one_error(err).startswith("error: --threshold 80: give a photo similarity from 0")
    assert not out.exists()


def test_reading_options_the_file_does_not_use_are_said(run, tmp_path: Path) -> None:
    # --sheet on a CSV file, --encoding on a workbook: ignored without a word
    out = tmp_path / "l.csv"
    code, _, err = run("neighbors", str(run.catalog), "--out", str(out), "--sheet", "Prices",
                       "--k", "1")
    assert code == 0, err
    assert f"warning: --sheet Prices is not used: {run.catalog} is not an Excel workbook" in err
    book = tmp_path / "shop.xlsx"
    book.write_bytes(make_xlsx_bytes({"Prices": pd.DataFrame(ROWS[1:], columns=ROWS[0])}))
    code, _, err = run("neighbors", str(book), "--out", str(out), "--encoding", "gb18030",
                       "--k", "1")
    assert code == 0, err
    assert "warning: --encoding is not used:" in err and "--sheet" not in err


@pytest.mark.parametrize(("out", "flags", "said"), [
    ("l.parquet", ["--bom"], "--bom is not used: l.parquet is a Parquet file"),
    ("l.xlsx", ["--out-encoding", "gb18030"], "--out-encoding is not used: l.xlsx is an Excel"),
    ("l.json", ["--no-excel-safe"], "--no-excel-safe is not used: l.json is a JSON file"),
    ("results/", ["--bom"], "--bom is not used: results/ is a results folder"),
])
def test_writing_options_the_output_does_not_use_are_said(run, tmp_path: Path, out: str,
                                                         flags: list[str], said: str) -> None:
    # --bom on a .parquet, --out-encoding on an .xlsx: ignored without a word
    code, _, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / out), *flags,
                       "--k", "1")
    assert code == 0, err
    assert f"warning: {said.replace(out, str(tmp_path / out))}" in err, err
    code, _, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"),
                       *flags, "--k", "1")
    assert code == 0 and "is not used" not in err, err


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_bom_and_another_out_encoding_are_refused_together(run, tmp_path: Path,
                                                           encoding: str) -> None:
    # --bom --out-encoding utf-8 (or gb18030) wrote no byte-order mark, --bom dropped unsaid
    out = tmp_path / "l.csv"
    code, _, err = run("neighbors", str(run.catalog), "--out", str(out), "--bom",
                       "--out-encoding", encoding)
    assert code == EXIT_INPUT and not out.exists()
    assert _one_error(err) == (f"error: --bom and --out-encoding {encoding} disagree: --bom "
                               "is --out-encoding utf-8-sig; give one of them")


def test_map_on_a_file_output_is_said_unused(run, tmp_path: Path) -> None:
    # neighbors --out lists.csv --map: no map written, nothing said
    code, _, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"), "--map",
                       "--k", "1")
    assert code == 0, err
    assert (f"warning: --map is not used: {tmp_path / 'l.csv'} is a file; map coordinates go "
            "into a results folder (--out FOLDER/)") in err


@pytest.mark.parametrize(("flags", "named"), [(["--epochs", "0"], "--epochs 0:"),
                                              (["--train-batch-size", "1"],
                                               "--train-batch-size 1:"),
                                              (["--valid-fraction", "2"], "--valid-fraction 2:"),
                                              (["--pairs", "nope.csv"], "--pairs nope.csv: no such file")])
def test_finetune_errors_name_their_flag(run, tmp_path: Path, flags: list[str],
                                         named: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 'valid_fraction must be in [0, 1)', 'File not found: nope.csv': no flag named
    monkeypatch.chdir(tmp_path)
    code, _, err = run("finetune", str(run.catalog), "--self-supervised", "--out",
                       str(tmp_path / "m"), *flags)
    assert code == EXIT_INPUT
    assert _one_error(err).startswith(f"error: {named}")
    assert not (tmp_path / "m").exists()


def test_finetune_names_a_pairs_file_that_does_not_fit(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(make_csv_bytes([["l", "r"], ["X1", "X2"]]))
    code, _, err = run("finetune", str(run.catalog), "--pairs", str(bad), "--out",
                       str(tmp_path / "m"))
    assert code == EXIT_INPUT
    assert f"--pairs {bad}: " in _one_error("\n".join(
        ln for ln in err.splitlines() if ln.startswith("error:")))


def test_explain_names_the_id_flag_that_is_not_in_the_catalog(run) -> None:
    # 'Id(s) Z9 not in the catalog': which of --left and --right, looked for where?
    code, out, err = run("explain", str(run.catalog), "--left", "A1", "--right", "Z9")
    assert code == EXIT_INPUT and out == ""
    line = _one_error("\n".join(ln for ln in err.splitlines() if "(automatic)" not in ln))
    assert line.startswith("error: --right Z9: not in the catalog")
    assert "the id column 'sku'" in line and "--left" not in line


def test_row_numbers_in_place_of_a_column_of_repeated_ids_are_explained(
        tmp_path: Path, tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'id column (automatic): row numbers' said nothing of the sku column that repeats
    ids (variants sharing their parent's): the nightly export named products by row. The
    line says which column was passed over and the flags that name products by it."""
    rows = [ROWS[0], *[[f"A{i // 2}", f"shoe size {i}", "acme"] for i in range(6)]]
    run = cli_runner(rows, tmp_path, tiny_bert_dir, capsys)
    code, _, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "l.csv"))
    assert code == 0, err
    assert "id column (automatic): row numbers" in err
    assert ("note: column 'sku' has 3 different ids in 6 rows, too few for one per product"
            in err), err
    assert "--id-col 'sku' with --on-duplicate-ids keep-first or suffix" in err
    assert pd.read_csv(tmp_path / "l.csv")["source_id"].tolist()[0] == 0  # a row number
    code, _, err = run("neighbors", str(run.catalog), "--out", str(tmp_path / "m.csv"),
                       "--id-col", "sku", "--on-duplicate-ids", "suffix")
    assert code == 0 and "passed over" not in err and "note: column" not in err, err
