"""The command line as a nightly job runs it: a settings file saved by the app, paths with
spaces and Chinese, a log instead of a terminal, --quiet, exit statuses a cron wrapper
can act on, errors that name the flag, and outputs that are whole or untouched."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli import EXIT_INPUT, EXIT_IO, EXIT_MODEL, main
from core.cli.common import Progress, save_vectors
from core.config import Config
from core.lists.spec import Rules
from core.workspace import DB_NAME
from tests.conftest import REPO_ROOT, make_csv_bytes

ROWS = [["id", "title", "brand", "category", "price"],
        ["P1", "red running shoe", "acme", "shoes", "49.90"],
        ["P2", "blue running shoe", "acme", "shoes", "52.00"],
        ["P3", "=HYPERLINK(\"http://x\",\"green tea\")", "leafco", "tea", "3.50"],
        ["P4", "black coffee cup", "mugs", "kitchen", "7.25"],
        ["P5", "+white desk lamp", "lumen", "home", "19.99"],
        ["P6", "usb c cable 2m", "wired", "electronics", "8.00"],
        ["P7", "@phone case red", "wired", "electronics", "12.00"],
        ["P8", "-oak desk chair", "sitwell", "home", "89.00"],
        ["P9", "green tea 40 pack", "leafco", "tea", "6.50"]]


@pytest.fixture
def night(tmp_path: Path, tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]):
    """A job folder with spaces and Chinese in its path, the catalog, the app's settings
    file (the tiny model named in it) and run(*args) -> (code, stdout, stderr)."""
    folder = tmp_path / "店 nightly job"
    folder.mkdir()
    catalog = folder / "shop catalog.csv"
    catalog.write_bytes(make_csv_bytes(ROWS))
    cfg = Config(id_column="id", text_columns=("title",), category_column="category",
                 brand_column="brand", price_column="price", model=str(tiny_bert_dir), k=3,
                 relevance_floor=0.0, rules=Rules.from_dict({"max_per": {"brand": 2}}))
    settings = folder / "tuned settings.json"
    settings.write_bytes(cfg.to_json().encode("utf-8"))  # what the app's Save button gives
    ws = folder / "workspace"

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--workspace", str(ws)])
        out, err = capsys.readouterr()
        return code, out, err

    run.catalog, run.settings, run.folder, run.workspace = catalog, settings, folder, ws
    return run


def _error_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- the job, two nights -------------------------------------------------------------------

def test_two_nights_reuse_the_store_and_replace_the_lists(night) -> None:
    out = night.folder / "结果 lists.csv"
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(out))
    assert code == 0, err
    assert "9 products, 9 different texts: embedded 9, reused 0 from the store" in err
    assert "\r" not in err  # a log, not a terminal: plain lines, no carriage returns
    first = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(first["source_id"]) == {f"P{i}" for i in range(1, 10)}
    cells = first[["source_title", "neighbor_title"]].to_numpy().ravel()
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]  # Excel-safe
    assert "'=HYPERLINK(\"http://x\",\"green tea\")" in set(cells)

    rows = [r for r in ROWS if r[0] != "P4"]  # next night: one removed, one edited, one added
    rows[1] = ["P1", "red running shoe v2", "acme", "shoes", "49.90"]
    rows.append(["P10", "blue tea cup", "mugs", "kitchen", "6.00"])
    night.catalog.write_bytes(make_csv_bytes(rows))
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(out))
    assert code == 0, err
    assert "9 products, 9 different texts: embedded 2, reused 7 from the store" in err
    second = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "P4" not in set(second["source_id"]) | set(second["neighbor_id"])
    assert "P10" in set(second["source_id"])
    assert not list(night.folder.glob("*.tmp"))
    rows.append(["P11", "green tea 80 pack", "leafco", "tea", "9.50"])  # a third night: one new
    night.catalog.write_bytes(make_csv_bytes(rows))
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(out))
    assert code == 0 and "10 products, 10 different texts: embedded 1, reused 9" in err, err


def test_a_catalog_cut_to_one_product_keeps_last_nights_lists(night) -> None:
    """A catalog export cut short to one product wrote an empty lists file with exit 0 over
    the previous night's lists; the job now fails and the old file stays."""
    out = night.folder / "lists.csv"
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(out))
    assert code == 0, err
    kept = out.read_bytes()
    night.catalog.write_bytes(make_csv_bytes(ROWS[:2]))  # the header and one product
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(out))
    assert code == EXIT_INPUT
    assert "has 1 product: neighbour lists need at least 2, so nothing was written" \
        in _error_line(err)
    assert out.read_bytes() == kept
    vectors = night.folder / "one.npy"
    np.save(vectors, np.ones((1, 4), dtype=np.float32))
    code, _, err = night("neighbors", "--vectors", str(vectors), "--out", str(out))
    assert code == EXIT_INPUT and "has 1 row: neighbour lists need at least 2" in err, err
    assert out.read_bytes() == kept


def test_the_wrote_line_counts_in_words(night) -> None:
    """'(1 neighbours x ...)' for a list of one, and 'out//vectors' for a folder named with
    its slash."""
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--k", "1", "--out", str(night.folder / "top1.csv"))
    assert code == 0 and "rows (1 neighbour x 9 products, metric cosine)" in err, err
    folder = night.folder / "emb"
    code, _, err = night("embed", str(night.catalog), "--config", str(night.settings),
                         "--out", f"{folder}/")
    assert code == 0, err
    assert f"wrote {folder / 'vectors'}: 9 vectors" in err and "//" not in err, err


def test_ray_options_without_the_ray_engine_are_said_unused(night) -> None:
    """--ray-actors and the other --ray-* options were ignored without a word when --engine
    ray was left out: a job meant for the cluster ran on this machine, silently."""
    args = ["neighbors", str(night.catalog), "--config", str(night.settings),
            "--out", str(night.folder / "l.csv")]
    code, _, err = night(*args, "--ray-actors", "4", "--ray-timeout=30")
    assert code == 0, err
    assert "warning: --ray-actors, --ray-timeout are not used: they apply only with --engine " \
        "ray; this run is local" in err
    code, _, err = night(*args)
    assert code == 0 and "--engine ray" not in err, err


# --- progress and --quiet --------------------------------------------------------------------

def test_progress_in_a_log_is_a_line_per_tenth() -> None:
    log = io.StringIO()  # not a terminal, like a cron log
    with Progress("embedding", "text", stream=log) as progress:
        for done in range(0, 100_001, 64):
            progress(done, 100_000)
        progress(100_000, 100_000)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert 9 <= len(lines) <= 11, lines
    assert lines[-1] == "embedding: 100,000/100,000 texts (100%)"


def test_progress_names_each_phase_in_a_log() -> None:
    log = io.StringIO()
    with Progress("starting", "step", stream=log) as progress:
        progress.describe("training: epoch 1 of 2")
        progress(5, 10)
        progress.describe("saving")
    assert log.getvalue().splitlines() == ["training: epoch 1 of 2",
                                           "training: epoch 1 of 2: 5/10 steps (50%)", "saving"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_prints_nothing_on_success(night, where: str) -> None:
    args = ["neighbors", str(night.catalog), "--config", str(night.settings),
            "--out", str(night.folder / "lists.parquet")]
    code, out, err = night(*(["--quiet", *args] if where == "before" else [*args, "-q"]))
    assert code == 0 and err == "" and out == ""
    assert len(pd.read_parquet(night.folder / "lists.parquet")) > 0


def test_quiet_still_prints_warnings_and_errors(night) -> None:
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "lists.csv"), "--quiet", "--k", "0")
    assert code == EXIT_INPUT and err.startswith("error: --k 0:")


# --- exit statuses ----------------------------------------------------------------------------

def test_a_missing_model_has_its_own_exit_status(night) -> None:
    code, _, err = night("neighbors", str(night.catalog), "--out", str(night.folder / "l.csv"),
                         "--model", str(night.folder / "models" / "gone"))
    assert code == EXIT_MODEL
    assert "does not exist" in _error_line(err)


def test_a_full_disk_has_its_own_exit_status(night) -> None:
    """search writes its CSV to stdout; stdout on /dev/full is a disk with no room."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "core", "search", str(night.catalog),
                               "--query", "tea", "--config", str(night.settings),
                               "--workspace", str(night.workspace)],
                              cwd=REPO_ROOT, stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=300)
    assert done.returncode == EXIT_IO, done.stderr
    assert "No space left on device" in _error_line(done.stderr)


def test_help_documents_the_exit_statuses() -> None:
    help_text = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=120).stdout
    for line in ("0    done", "2    bad command line", "3    the model cannot be loaded",
                 "4    a file or the workspace cannot be read or written"):
        assert line in help_text


# --- errors that name what to fix --------------------------------------------------------------

@pytest.mark.parametrize(("flags", "start"), [
    (["--k", "0"], "error: --k 0: k must be a positive integer"),
    (["--hybrid-weight", "1.5"], "error: --hybrid-weight 1.5: hybrid_weight must be between"),
    (["--relevance-floor", "2"], "error: --relevance-floor 2.0: relevance_floor"),
    (["--field-weights", "title=lots"], "error: --field-weights title=lots:"),
    (["--max-per", "brand=0"], "error: --max-per brand=0: rules.max_per['brand']"),
    (["--price-ratio", "3,1"], "error: --price-ratio 3,1:"),
    (["--bands", "duplicate=nan"], "error: --bands duplicate=nan:"),
])
def test_a_bad_flag_value_names_the_flag(night, flags: list[str], start: str) -> None:
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "l.csv"), *flags)
    assert code == EXIT_INPUT
    assert _error_line(err).startswith(start)


def test_an_output_that_cannot_be_written_fails_before_any_work(night) -> None:
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.catalog / "lists.csv"))
    assert code == EXIT_INPUT
    assert _error_line(err).startswith(f"error: --out {night.catalog / 'lists.csv'}: ")
    assert "is a file, not a folder" in err
    assert not (night.workspace / DB_NAME).exists()  # nothing was embedded first


def test_a_table_command_checks_its_output_name_first(night) -> None:
    code, _, err = night("groups", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "groups.txt"))
    assert code == EXIT_INPUT and "must end in .csv" in _error_line(err)
    assert not (night.workspace / DB_NAME).exists()


# --- the settings file --------------------------------------------------------------------------

def test_a_settings_file_with_a_byte_order_mark_replays_the_same_lists(night) -> None:
    plain = night.folder / "plain.csv"
    assert night("neighbors", str(night.catalog), "--config", str(night.settings),
                 "--out", str(plain))[0] == 0
    notepad = night.folder / "notepad.json"  # re-saved in Windows Notepad: UTF-8 with BOM
    notepad.write_bytes(b"\xef\xbb\xbf" + night.settings.read_bytes())
    code, _, err = night("neighbors", str(night.catalog), "--config", str(notepad),
                         "--out", str(night.folder / "bom.csv"))
    assert code == 0, err
    assert (night.folder / "bom.csv").read_bytes() == plain.read_bytes()


def test_an_older_settings_file_is_used_with_a_warning_naming_what_it_lacks(night) -> None:
    data = json.loads(night.settings.read_text(encoding="utf-8"))
    for key in ("relevance_floor", "language", "index"):  # keys added after the first version
        data.pop(key)
    older = night.folder / "older.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = night("neighbors", str(night.catalog), "--config", str(older),
                         "--out", str(night.folder / "l.csv"))
    assert code == 0, err
    warning = next(ln for ln in err.splitlines() if ln.startswith("warning:"))
    assert f"--config {older} does not set index, language, relevance_floor" in warning
    short = night.folder / "by hand.json"  # a short file written by hand: defaults, no warning
    short.write_text(json.dumps({"k": 3, "model": data["model"]}), encoding="utf-8")
    code, _, err = night("neighbors", str(night.catalog), "--config", str(short),
                         "--out", str(night.folder / "l.csv"))
    assert code == 0 and "warning" not in err, err


def test_a_settings_file_with_an_unknown_key_is_refused_naming_the_file(night) -> None:
    data = json.loads(night.settings.read_text(encoding="utf-8"))
    data["colour_column"] = "colour"  # a newer version's key, or a typo
    newer = night.folder / "newer settings.json"
    newer.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = night("neighbors", str(night.catalog), "--config", str(newer),
                         "--out", str(night.folder / "l.csv"))
    line = _error_line(err)
    assert code == EXIT_INPUT
    assert "Unknown configuration key(s): colour_column" in line
    assert line.endswith(f"(in the settings file --config {newer})")


@pytest.mark.parametrize(("content", "needle"), [
    (b'{"k": 0}', "k must be a positive integer, got 0 (in the settings file --config"),
    (b'{"k": 5', "is not valid JSON (line 1"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "is not a text file"),
])
def test_a_bad_settings_file_names_itself(night, content: bytes, needle: str) -> None:
    bad = night.folder / "bad.json"
    bad.write_bytes(content)
    code, _, err = night("neighbors", str(night.catalog), "--config", str(bad),
                         "--out", str(night.folder / "l.csv"))
    assert code == EXIT_INPUT
    line = _error_line(err)
    assert needle in line and str(bad) in line


# --- embed's vectors file -------------------------------------------------------------------------

def test_embed_refuses_an_output_numpy_would_rename(night) -> None:
    code, _, err = night("embed", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "vectors.bin"))
    assert code == EXIT_INPUT and "--out" in _error_line(err) and ".npy" in err
    assert not list(night.folder.glob("vectors.bin*"))


def test_a_failed_vectors_write_leaves_last_nights_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    last_night = np.arange(12, dtype=np.float32).reshape(3, 4)
    save_vectors(str(path), last_night)
    unsaveable = np.array([lambda: None], dtype=object)  # np.save fails while writing
    with pytest.raises(Exception):  # noqa: B017 - whatever pickle raises
        save_vectors(str(path), unsaveable)
    np.testing.assert_array_equal(np.load(path), last_night)
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.npy"]


# --- duplicates ------------------------------------------------------------------------------------

def test_merge_map_starts_at_the_threshold_chosen_on_labelled_pairs(night) -> None:
    """A file from `threshold --save-config` holds duplicate_threshold, the duplicate score
    chosen on labelled pairs: merge-map refused it ("not used here") and asked for
    --threshold or a 'duplicate' band; it starts there now, on that same score. Without
    any threshold it says where one comes from."""
    code, _, err = night("merge-map", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "merge.csv"))
    line = _error_line(err)
    assert code == EXIT_INPUT
    assert "--threshold SCORE" in line and "--bands duplicate=0.95" in line
    assert "threshold --save-config" in line
    data = json.loads(night.settings.read_text(encoding="utf-8"))
    data["duplicate_threshold"] = 0.0  # every pair of the pool: groups for sure
    tuned = night.folder / "with threshold.json"
    tuned.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = night("merge-map", str(night.catalog), "--config", str(tuned),
                         "--out", str(night.folder / "merge.csv"))
    assert code == 0, err
    frame = pd.read_csv(night.folder / "merge.csv")
    assert list(frame.columns) == ["product_id", "canonical_id", "score"] and len(frame)
    assert "threshold 0.0" in err
    # --chain: the old connected groups, at least as many products folded into fewer kept
    code, _, err = night("merge-map", str(night.catalog), "--config", str(tuned),
                         "--out", str(night.folder / "chained.csv"), "--chain")
    chained = pd.read_csv(night.folder / "chained.csv")
    assert code == 0 and len(chained) >= len(frame), err
    assert chained.canonical_id.nunique() <= frame.canonical_id.nunique()
    code, _, err = night("merge-map", str(night.catalog), "--config", str(tuned),
                         "--out", str(night.folder / "merge.csv"), "--threshold", "1")
    assert code == 0 and pd.read_csv(night.folder / "merge.csv").empty, err  # the flag wins


def test_merge_map_uses_the_thresholds_chosen_per_category(night) -> None:
    """category_thresholds (the app's Duplicate threshold page saves them with the global
    one) were recorded and read by nothing: a category whose labelled pairs chose a lower
    threshold merged nothing more. Pairs within such a category now use its threshold."""
    data = json.loads(night.settings.read_text(encoding="utf-8"))
    data.update(duplicate_threshold=1.0, category_thresholds={"shoes": 0.0, "absent": 0.1})
    tuned = night.folder / "per category.json"
    tuned.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = night("merge-map", str(night.catalog), "--config", str(tuned),
                         "--out", str(night.folder / "merge.csv"))
    assert code == 0, err
    frame = pd.read_csv(night.folder / "merge.csv", dtype=str)
    assert sorted([*frame.product_id, *frame.canonical_id]) == ["P1", "P2"]  # the shoes only
    assert "1 category with their own threshold chosen on labelled pairs (shoes 0)" in err


def test_a_misspelt_rule_column_fails_before_embedding(night) -> None:
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "l.csv"), "--same", "categroy")
    assert code == EXIT_INPUT
    assert _error_line(err).startswith("error: --same: column(s) categroy not in the catalog; "
                                       "available: id, title, brand, category, price")
    assert not (night.workspace / DB_NAME).exists()  # the model read nothing first
    data = json.loads(night.settings.read_text(encoding="utf-8"))
    data["rules"] = {"max_per": {"colour": 1}}
    other = night.folder / "colour.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = night("health", str(night.catalog), "--config", str(other))
    assert code == EXIT_INPUT
    assert f"the rules of the settings file --config {other}: column(s) colour" in err
    assert not (night.workspace / DB_NAME).exists()


# --- results folders -------------------------------------------------------------------------------

def test_a_results_folder_is_replaced_whole_each_night(night) -> None:
    from core.export.results import ResultsFolder

    out = night.folder / "结果 results"
    args = ["neighbors", str(night.catalog), "--config", str(night.settings), "--out", f"{out}/"]
    assert night(*args)[0] == 0
    first = ResultsFolder.open(out)
    night.catalog.write_bytes(make_csv_bytes(ROWS[:6]))  # next night: 5 products
    code, _, err = night(*args)
    assert code == 0, err
    assert f"wrote results folder {out}/" in err
    second = ResultsFolder.open(out)
    assert first.manifest["products"] == 9 and second.manifest["products"] == 5
    assert second.count() == second.manifest["list_rows"]
    assert set(second.page(0, 100)["source_id"]) == {"P1", "P2", "P3", "P4", "P5"}
    assert sorted(p.name for p in night.folder.iterdir() if "results" in p.name) == \
        ["结果 results"]  # no staging or old copy left beside it


def test_a_failed_run_leaves_the_earlier_results_folder_whole(tmp_path: Path) -> None:
    from core.export.results import MANIFEST, staged_folder

    target = tmp_path / "results"
    with staged_folder(target) as stage:
        (stage / MANIFEST).write_text("{}", encoding="utf-8")
        (stage / "lists").mkdir()
        (stage / "lists" / "part-00000.parquet").write_bytes(b"last night")
    with pytest.raises(RuntimeError), staged_folder(target) as stage:
        (stage / "lists").mkdir()
        (stage / "lists" / "part-00000.parquet").write_bytes(b"half")
        raise RuntimeError("killed halfway")
    assert (target / "lists" / "part-00000.parquet").read_bytes() == b"last night"
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_a_folder_of_other_files_is_never_taken_for_results(night) -> None:
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", f"{night.folder}/")
    assert code == EXIT_INPUT
    assert "holds other files and is not a results folder" in _error_line(err)
    assert night.catalog.is_file() and night.settings.is_file()
    assert not (night.workspace / DB_NAME).exists()



def test_sigterm_stops_with_its_own_exit_status(night, tmp_path: Path) -> None:
    """A scheduler's time limit sends SIGTERM: one line and exit 143, no traceback. The run
    is caught while it reads its settings file from a pipe (opening the pipe's other end
    waits until the command is reading it, so the signal never comes too early)."""
    import os
    import signal

    from core.cli import EXIT_STOPPED

    pipe = tmp_path / "settings.json"
    os.mkfifo(pipe)
    child = subprocess.Popen([sys.executable, "-m", "core", "neighbors", str(night.catalog),
                              "--config", str(pipe), "--out", str(night.folder / "l.csv")],
                             cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
    with open(pipe, "w", encoding="utf-8"):  # returns once the command has opened it
        child.send_signal(signal.SIGTERM)
    # closing the pipe ends the command's read: a SIGTERM the kernel handed to one of its
    # library threads (numpy's, torch's) instead of the main one did not interrupt that
    # read, and the run waited for settings until the test timed out (2 of 6 runs)
    _, err = child.communicate(timeout=120)
    assert child.returncode == EXIT_STOPPED
    assert err.strip() == "error: stopped (SIGTERM); earlier outputs are left as they were"


def test_a_stopped_run_leaves_no_staging_folder(tmp_path: Path) -> None:
    from core.export.results import staged_folder

    with pytest.raises(SystemExit), staged_folder(tmp_path / "results") as stage:
        (stage / "manifest.json").write_text("{}", encoding="utf-8")
        raise SystemExit(143)  # what SIGTERM raises in python -m core
    assert list(tmp_path.iterdir()) == []


def test_a_relative_model_folder_says_where_it_was_looked_for(night, tmp_path: Path,
                                                              monkeypatch) -> None:
    """The app (workspace ./workspace) saves a fine-tuned model as workspace/models/...;
    cron starts the job in another folder."""
    data = json.loads(night.settings.read_text(encoding="utf-8"))
    data["model"] = "workspace/models/bundled-ft-v1"
    saved = night.folder / "fine-tuned.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(home)
    code, _, err = night("neighbors", str(night.catalog), "--config", str(saved),
                         "--out", str(night.folder / "l.csv"))
    assert code == EXIT_MODEL
    line = _error_line(err)
    assert "Model folder workspace/models/bundled-ft-v1 does not exist" in line
    assert f"looked for from the folder the command runs in, {home}: give the model's " \
        "full path" in line


def test_a_plain_utf8_csv_with_non_ascii_text_says_how_to_open_it_in_excel(night) -> None:
    """The nightly CSV is plain UTF-8 (right for machines) while the app's CSV download has a
    BOM: Chinese titles opened in Excel came out garbled, and nothing said why."""
    zh = night.folder / "zh.csv"
    zh.write_bytes(make_csv_bytes([ROWS[0], *([r[0], f"红色商品 {r[0]}", *r[2:]] for r in ROWS[1:])]))
    out = night.folder / "lists.csv"
    code, _, err = night("neighbors", str(zh), "--config", str(night.settings), "--out", str(out))
    assert code == 0, err
    assert "add --bom (or --out-encoding gb18030) for a file people open in Excel" in err
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, err = night("neighbors", str(zh), "--config", str(night.settings), "--out",
                         str(out), "--bom")
    assert code == 0 and "--bom" not in err, err
    code, _, err = night("neighbors", str(night.catalog), "--config", str(night.settings),
                         "--out", str(night.folder / "ascii.csv"))  # ASCII only: nothing to say
    assert code == 0 and "--bom" not in err, err


def test_price_check_leaves_out_the_price_range_rule(night) -> None:
    """Under a price range of 0.5 to 2 times, a product is only checked against products
    priced like it and no price can stand out: price-check leaves that rule out (as the Price
    check page does), says so, and gives what the same settings without it give."""
    ranged = night.folder / "ranged.json"
    data = json.loads(night.settings.read_text("utf-8"))
    data["rules"] = {**data["rules"], "price_ratio": [0.5, 2.0]}
    ranged.write_text(json.dumps(data), "utf-8")
    outs = []
    for name, settings in (("plain", night.settings), ("ranged", ranged)):
        out = night.folder / f"{name}.csv"
        code, _, err = night("price-check", str(night.catalog), "--config", str(settings),
                             "--out", str(out), "--min-peers", "1")
        assert code == 0, err
        outs.append((err.splitlines()[-1].split(": ", 1)[1], out.read_bytes()))
    assert outs[0] == outs[1]
    assert "price-range rule is left out" in err
