"""The settings file saved by the app, replayed by a nightly job: hand-edited values of the
wrong type and a file saved for another catalog are refused naming the setting and the file
(no traceback, nothing embedded first), and review decisions the lists cannot use are said,
never dropped without a word."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from core.catalog.table import read_table
from core.cli import EXIT_INPUT, main
from core.cli.common import Output
from core.config import Config
from core.errors import CatalogSimilarityError, ConfigError
from core.lists.review import ReviewStore, forget_owner, not_applied
from core.lists.spec import Rules
from core.pipeline import catalog_from_config
from core.workspace import DB_NAME
from tests.conftest import element_texts, make_csv_bytes

ROWS = [["sku", "title", "brand", "category", "price", "stock"],
        ["A1", "red running shoe", "acme", "shoes", "49.90", "yes"],
        ["A2", "blue running shoe", "acme", "shoes", "52.00", "yes"],
        ["A3", "green running shoe", "stride", "shoes", "47.00", "no"],
        ["B1", "green tea 20 bags", "leafco", "tea", "3.50", "yes"],
        ["B2", "green tea 40 pack", "leafco", "tea", "6.50", "yes"],
        ["B3", "black tea 40 pack", "brewco", "tea", "5.90", "yes"],
        ["C1", "usb c cable 2m", "wired", "electronics", "8.00", "yes"],
        ["C2", "usb c cable 1m", "wired", "electronics", "6.00", "yes"],
        ["C3", "usb c charger 20w", "volt", "electronics", "15.00", "yes"]]


@pytest.fixture(autouse=True)
def _loud() -> None:
    Output.quiet = False  # as main() leaves it for the next run in this process


@pytest.fixture
def job(tmp_path: Path, tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]):
    """The catalog, the settings file the app's Save button gives (every kind of setting
    changed) and run(*args) -> (code, stderr) in a workspace of the job's own."""
    catalog = tmp_path / "shop.csv"
    catalog.write_bytes(make_csv_bytes(ROWS))
    cfg = Config(id_column="sku", text_columns=("title", "brand"), category_column="category",
                 brand_column="brand", price_column="price", model=str(tiny_bert_dir), k=3,
                 metric="euclidean", hybrid_weight=0.55, field_weights={"brand": 2.0},
                 relevance_floor=0.0, bands={"duplicate": 0.99},
                 rules=Rules.from_dict({"max_per": {"brand": 2}, "in_stock_column": "stock",
                                        "diversity": 0.3}))
    settings = tmp_path / "tuned.json"
    settings.write_bytes(cfg.to_json().encode("utf-8"))
    ws = tmp_path / "workspace"

    def run(*args: str) -> tuple[int, str]:
        code = main([*args, "--workspace", str(ws)])
        return code, capsys.readouterr().err

    run.catalog, run.settings, run.folder, run.workspace, run.cfg = (catalog, settings,
                                                                     tmp_path, ws, cfg)
    return run


def _edited(job, name: str, **changes) -> Path:
    data = json.loads(job.settings.read_text(encoding="utf-8"))
    data.update(changes)
    path = job.folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _error_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err and "unexpected" not in err, err
    return lines[0]


# --- a hand-edited settings file ------------------------------------------------------------

@pytest.mark.parametrize(("changes", "needle"), [
    ({"category_column": ["category"]},
     'category_column must be a column name in quotes (or null), got ["category"]'),
    ({"id_column": 5}, "id_column must be a column name in quotes (or null), got 5"),
    ({"text_columns": "title"},
     'text_columns must be a list of column names in quotes, e.g. ["title", "brand"], '
     'got "title"'),
    ({"text_columns": ["title", 3]}, "text_columns must be a list of column names"),
    ({"model": None}, "model must be \"bundled\", \"multilingual\", a model folder or a "
                      "Hugging Face id, in quotes, got null"),
    ({"batch_size": True}, "batch_size must be a positive integer, got True"),
])
def test_a_setting_of_the_wrong_type_is_named_with_the_file(job, changes: dict,
                                                            needle: str) -> None:
    edited = _edited(job, "edited.json", **changes)
    code, err = job("neighbors", str(job.catalog), "--config", str(edited),
                    "--out", str(job.folder / "l.csv"))
    line = _error_line(err)
    assert code == EXIT_INPUT
    assert needle in line and line.endswith(f"(in the settings file --config {edited})")
    assert not job.workspace.exists()  # refused before any text was embedded


@pytest.mark.parametrize("changes", [{"text_columns": 5}, {"text_columns": {"title": 1}},
                                     {"brand_column": ""}, {"price_column": 9.5}])
def test_the_app_refuses_the_same_settings_with_a_config_error(changes: dict) -> None:
    """The Export page's Load reads a file through Config.from_dict too: a ConfigError it
    shows, never a TypeError further on."""
    with pytest.raises(ConfigError, match=next(iter(changes))):
        Config.from_dict({"k": 3, **changes})


# --- a settings file saved for another catalog ----------------------------------------------

@pytest.mark.parametrize(("changes", "named"), [
    ({"category_column": "cat"}, 'category_column "cat"'),
    ({"id_column": "product_id"}, 'id_column "product_id"'),
    ({"text_columns": ["name", "brand"], "price_column": "cost"},
     'text_columns "name", price_column "cost"'),
    ({"field_weights": {"colour": 1.0}}, 'field_weights "colour"'),
])
def test_a_settings_file_for_another_catalog_says_so(job, changes: dict, named: str) -> None:
    other = _edited(job, "other shop.json", **changes)
    code, err = job("neighbors", str(job.catalog), "--config", str(other),
                    "--out", str(job.folder / "l.csv"))
    line = _error_line(err)
    assert code == EXIT_INPUT
    assert (f"the settings file --config {other} names columns the catalog {job.catalog} "
            f"does not have: {named} (was it saved for another catalog?") in line
    assert "the catalog's columns: sku, title, brand, category, price, stock" in line
    assert not job.workspace.exists()  # refused before any text was embedded


def test_compare_names_the_other_settings_file_when_it_is_for_another_catalog(job) -> None:
    other = _edited(job, "other shop.json", text_columns=["name"])
    code, err = job("compare", str(job.catalog), "--config", str(job.settings),
                    "--other", str(other))
    assert code == EXIT_INPUT
    assert _error_line(err).startswith(f"error: the settings file --other {other} names "
                                       f"columns the catalog {job.catalog} does not have: "
                                       'text_columns "name"')


def test_a_missing_column_given_by_a_flag_names_the_flag(job) -> None:
    code, err = job("neighbors", str(job.catalog), "--config", str(job.settings),
                    "--text-cols", "title,colour", "--out", str(job.folder / "l.csv"))
    assert code == EXIT_INPUT
    assert _error_line(err).startswith("error: --text-cols: column(s) colour not in the "
                                       f"catalog {job.catalog}")


def test_the_app_names_the_settings_another_catalog_lacks(job) -> None:
    """What the Export page's Load (components.state.adopt_config) shows for such a file:
    the settings by name, rules included."""
    cfg = Config.from_dict({**json.loads(job.settings.read_text(encoding="utf-8")),
                            "brand_column": "maker",
                            "rules": {"same": ["colour"], "max_per": {"brand": 2}}})
    raw = read_table(job.catalog)
    with pytest.raises(ConfigError) as caught:
        cfg.check_columns(raw.frame.columns)
    assert str(caught.value).startswith('The settings name columns this catalog does not have: '
                                        'brand_column "maker", rules "colour" (saved for '
                                        "another catalog?)")
    with pytest.raises(ConfigError, match='brand_column "maker"'):
        catalog_from_config(raw, cfg)


# --- review decisions -----------------------------------------------------------------------

def _review(job, catalog_path: Path) -> None:
    """Decisions a merchandiser made in the app on the catalog in catalog_path."""
    catalog, _ = catalog_from_config(read_table(catalog_path), job.cfg)
    store = ReviewStore(job.workspace / DB_NAME, catalog, owner="session-a")
    store.record("A1", "A3", "accept")
    store.record("B1", "C1", "reject")
    store.record("C1", "C3", "skip")


def test_the_job_says_which_review_decisions_its_lists_use(job) -> None:
    _review(job, job.catalog)
    out = job.folder / "l.csv"
    code, err = job("neighbors", str(job.catalog), "--config", str(job.settings), "--out", str(out))
    assert code == 0, err
    assert f"review decisions used: 1 accepted, 1 rejected (workspace {job.workspace})" in err
    assert "warning" not in err
    lists = pd.read_csv(out, dtype=str)
    pairs = set(zip(lists["source_id"], lists["neighbor_id"]))
    assert {("A1", "A3"), ("A3", "A1")} <= pairs and not {("B1", "C1"), ("C1", "B1")} & pairs


def test_decisions_carry_over_to_the_next_export_and_the_ones_that_cannot_are_named(
        job) -> None:
    """A nightly job reads a fresh export of the catalog. One product added since the review:
    every decision still applies (they were filed under the exact catalog they were made on,
    and a nightly job dropped them all with a warning). A product's title edited: only the
    decisions on it are not applied, and the job names them and how to list them."""
    _review(job, job.catalog)  # accept A1-A3, reject B1-C1, skip C1-C3
    tonight = job.folder / "tonight.csv"
    tonight.write_bytes(make_csv_bytes([*ROWS, ["D1", "oak desk chair", "sitwell", "home",
                                                "89.00", "yes"]]))
    code, err = job("neighbors", str(tonight), "--config", str(job.settings),
                    "--out", str(job.folder / "l.csv"))
    assert code == 0, err
    assert "review decisions used: 1 accepted, 1 rejected" in err and "warning" not in err, err
    lists = pd.read_csv(job.folder / "l.csv", dtype=str)
    pairs = set(zip(lists["source_id"], lists["neighbor_id"]))
    assert ("A1", "A3") in pairs and ("B1", "C1") not in pairs

    edited = job.folder / "edited.csv"  # A3's title fixed, B1 gone
    edited.write_bytes(make_csv_bytes([ROWS[0], ROWS[1], ROWS[2],
                                       ["A3", "green trail running shoe", *ROWS[3][2:]],
                                       *ROWS[5:]]))
    code, err = job("neighbors", str(edited), "--config", str(job.settings), "--quiet",
                    "--out", str(job.folder / "l.csv"))
    assert code == 0, err
    assert err.strip() == (
        "warning: 2 earlier review decisions are not applied: 1 because a product's text was "
        "edited since (ids: A3); 1 because a product is no longer in the catalog (ids: B1). "
        "Review those pairs again in the app; list them with: python -m core review-pairs "
        f"{edited} --not-applied --out FILE; forget those on products no longer in the "
        f"catalog with: python -m core review-pairs {edited} --session KEY --forget-gone "
        "--out FILE"), err
    out = job.folder / "not applied.csv"
    code, err = job("review-pairs", str(edited), "--config", str(job.settings),
                    "--not-applied", "--out", str(out))
    assert code == 0, err
    listed = pd.read_csv(out, dtype=str)
    assert listed[["left_id", "right_id", "decision", "reason", "left_now", "right_now"]] \
        .values.tolist() == [["A1", "A3", "accept", "changed", "same", "changed"],
                             ["B1", "C1", "reject", "gone", "gone", "same"]]
    catalog, _ = catalog_from_config(read_table(edited), job.cfg)
    assert len(not_applied(job.workspace / DB_NAME, catalog, owner="session-b")) == 0
    ReviewStore(job.workspace / DB_NAME, catalog, owner="session-a").record(
        "A3", "A1", "accept")  # decided again on the edited catalog: applied, not named
    assert not_applied(job.workspace / DB_NAME, catalog)["left_id"].tolist() == ["B1"]


def test_a_workspace_without_decisions_is_named(job) -> None:
    code, err = job("neighbors", str(job.catalog), "--config", str(job.settings),
                    "--out", str(job.folder / "l.csv"))
    assert code == 0, err
    assert f"review decisions: none on this catalog in the workspace folder {job.workspace}" in err
    off = _edited(job, "no review.json", rules={**job.cfg.rules.to_dict(), "use_review": False})
    code, err = job("neighbors", str(job.catalog), "--config", str(off),
                    "--out", str(job.folder / "l.csv"))
    assert code == 0 and "review decisions" not in err, err


def test_decisions_forgotten_by_start_over_are_not_replayed(job) -> None:
    """The app's Start over forgets the session's review decisions (its new session never
    sees them); the nightly job, which reads every session's, must not apply them either."""
    _review(job, job.catalog)  # session-a's: accept A1-A3, reject B1-C1
    catalog, _ = catalog_from_config(read_table(job.catalog), job.cfg)
    ReviewStore(job.workspace / DB_NAME, catalog, owner="session-b").record(
        "A2", "A3", "accept")
    assert forget_owner(job.workspace / DB_NAME, "session-a") == 3
    code, err = job("neighbors", str(job.catalog), "--config", str(job.settings),
                    "--out", str(job.folder / "l.csv"))
    assert code == 0, err
    assert "review decisions used: 1 accepted, 0 rejected" in err
    with pytest.raises(CatalogSimilarityError, match="needs their owner"):
        forget_owner(job.workspace / DB_NAME, "")  # never every owner's at once
    assert forget_owner(job.folder / "no such.sqlite", "session-a") == 0


@pytest.mark.app
def test_start_over_in_the_app_forgets_the_sessions_review_decisions(tiny_bert_dir, workspace,
                                                                     monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from core.workspace import Workspace
    from tests.conftest import REPO_ROOT

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    token = at.session_state["session.token"]
    db = Workspace.default().db_path
    ReviewStore(db, "catalog-1", owner=token).record("P1", "P2", "accept")
    ReviewStore(db, "catalog-1", owner="someone-else").record("P1", "P3", "reject")
    at.button(key="session.start_over").click().run()
    assert not at.exception, at.exception
    left = ReviewStore(db, "catalog-1", owner=None).decisions()
    assert list(zip(left["left_id"], left["decision"])) == [("P1", "reject")]


def test_pinned_and_blocked_pairs_the_catalog_lacks_are_named(job) -> None:
    """A product gone since the settings were saved (or an id typed wrong in the app's
    'Always show these pairs'): the pair cannot be applied, and the job says which."""
    rules = {**job.cfg.rules.to_dict(), "pinned": [["A1", "A3"], ["A1", "Z9"]],
             "blocked": [["Q1", "B1"], ["B1", "B2"]]}
    edited = _edited(job, "pins.json", rules=rules)
    code, err = job("neighbors", str(job.catalog), "--config", str(edited), "--quiet",
                    "--out", str(job.folder / "l.csv"))
    assert code == 0, err
    assert err.splitlines() == [
        "warning: 1 pinned pair(s) of the rules name ids not in the catalog, so they are not "
        "applied: A1 -> Z9",
        "warning: 1 blocked pair(s) of the rules name ids not in the catalog, so they are not "
        "applied: Q1 -> B1"]


def test_a_session_key_never_starts_like_an_option() -> None:
    """`--session KEY` as the Export page's key reads: a key starting with "-" was taken for
    another option (argparse: expected one argument); about one key in 64 did."""
    from core.workspace import new_session_token, valid_session_token

    keys = [new_session_token() for _ in range(2000)]
    assert all(valid_session_token(k) and not k.startswith("-") for k in keys)


# --- a settings file loaded in the app ------------------------------------------------------

def _shown(widget) -> object:
    """What the browser shows after a run: the script's value when the run sets one
    (set_value), else the value the browser already had (None here: the old one), which it
    sends back with the next click."""
    proto = widget.proto
    return widget.value if proto.set_value else None


@pytest.mark.app
def test_a_settings_file_loaded_in_the_app_stays_in_the_sidebar(tiny_bert_dir, workspace) -> None:
    """Loading a file drew the sidebar from it, but the browser kept showing the old k,
    metric, words weight and column weights and sent them back with the next click: the
    lists went back to the old settings and the next saved settings file held them."""
    from tests.conftest import running_app

    with running_app(tiny_bert_dir, workspace) as at:
        at.switch_page("pages/export.py").run()
        cfg = at.session_state["settings.config"].with_changes(
            k=7, metric="manhattan", hybrid_weight=0.35, field_weights={"title": 2.0})
        at.file_uploader(key="settings.config_file.load").set_value(
            ("tuned.json", cfg.to_json().encode("utf-8"), "application/json")).run()
        assert not at.exception and not at.error, (at.exception, element_texts(at.error))
        assert at.session_state["settings.config"] == cfg
        assert _shown(at.slider(key="settings.k")) == 7
        assert _shown(at.selectbox(key="settings.metric")) == "manhattan"
        assert _shown(at.slider(key="settings.hybrid_weight")) == pytest.approx(0.35)
        assert _shown(at.number_input(key="settings.field.title")) == 2.0
        at.radio(key="neighbors.export.format").set_value("json").run()  # the next click
        assert at.session_state["settings.config"] == cfg
        assert not at.slider(key="settings.k").proto.set_value  # assigned once, not each run


# --- the app's files and the nightly job's, entry by entry --------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_the_export_page_files_and_the_nightly_job_files_are_the_same(job, tiny_encoder,
                                                                      fmt: str) -> None:
    """The Export page's path (the session's review decisions, the rules, bands, lists_frame,
    to_bytes with its defaults) and `neighbors --config --session` on the same catalog:
    the same bytes, so every id, rank, score and column agrees."""
    from core.embed.store import embed_with_store
    from core.export.tables import excel_encoding, to_bytes
    from core.lists.review import load_decisions
    from core.lists.rules import apply_config, lists_frame
    from core.pipeline import candidate_pool
    from core.workspace import new_session_token

    token = new_session_token()
    catalog, _ = catalog_from_config(read_table(job.catalog), job.cfg)
    store = ReviewStore(job.workspace / DB_NAME, catalog, owner=token)
    store.record("A1", "C3", "accept")  # a pin the lists would not hold by themselves
    store.record("B1", "B2", "reject")  # B1's best neighbour without the decision
    vectors = embed_with_store(tiny_encoder, catalog.texts, None).vectors
    decisions = load_decisions(job.workspace / DB_NAME, catalog, owner=token)
    nb = apply_config(catalog, candidate_pool(catalog, vectors, job.cfg), job.cfg,
                      vectors=vectors, decisions=decisions).neighbors
    encoding = excel_encoding([*catalog.texts, *map(str, catalog.ids)])  # the page's default
    app = to_bytes(lists_frame(catalog, nb, bands=job.cfg.bands), fmt, excel_safe_csv=True,
                   encoding=encoding)
    out = job.folder / f"nightly.{fmt}"
    code, err = job("neighbors", str(job.catalog), "--config", str(job.settings),
                    f"--session={token}", "--out", str(out), "--out-encoding", encoding)
    assert code == 0, err
    assert "review decisions used: 1 accepted, 1 rejected" in err
    if fmt == "xlsx":  # a zip: compare what the cells hold
        pd.testing.assert_frame_equal(pd.read_excel(out, dtype=str),
                                      pd.read_excel(io.BytesIO(app), dtype=str))
    else:
        assert out.read_bytes() == app
    lists = pd.read_csv(io.BytesIO(to_bytes(lists_frame(catalog, nb), "csv")), dtype=str)
    pairs = set(zip(lists["source_id"], lists["neighbor_id"]))
    assert ("A1", "C3") in pairs and ("B1", "B2") not in pairs


@pytest.mark.app
def test_an_older_settings_file_loaded_in_the_app_names_what_it_lacks(tiny_bert_dir,
                                                                     workspace) -> None:
    """As the nightly job warns for it: the settings the file does not set take today's
    defaults, so the app's lists may differ from the ones saved with it."""
    from tests.conftest import running_app

    with running_app(tiny_bert_dir, workspace) as at:
        at.switch_page("pages/export.py").run()
        data = at.session_state["settings.config"].to_dict()
        for key in ("relevance_floor", "language", "index"):  # added after the first version
            data.pop(key)
        old = ("old tuned.json", json.dumps(data).encode("utf-8"), "application/json")
        at.file_uploader(key="settings.config_file.load").set_value(old).run()
        assert not at.exception, at.exception
        assert "old tuned.json does not set index, language, relevance_floor (saved by an " \
               "older version?)" in element_texts(at.warning)
        short = ("short.json", b'{"k": 4}', "application/json")  # by hand: no warning
        at.file_uploader(key="settings.config_file.load").set_value(short).run()
        assert "does not set" not in element_texts(at.warning)
        assert at.session_state["settings.config"].k == 4
        at.file_uploader(key="settings.config_file.load").set_value(old).run()
        assert "does not set" in element_texts(at.warning)
        at.slider(key="settings.k").set_value(9).run()  # the merchant's own settings from now
        assert "does not set" not in element_texts(at.warning)
