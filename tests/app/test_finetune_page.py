"""The Fine-tune page as a merchandiser meets it: a reload during a run, the names shown.

Each AppTest is a fresh server-side session (what a browser reload gives); the work's
token travels in the page address (?s=...), as in tests/app/test_persistence.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.finetune.card import model_display_name
from tests.conftest import REPO_ROOT, element_texts, open_session

pytestmark = pytest.mark.app


def _open(token: str | None = None) -> AppTest:
    return open_session(token, "pages/finetune.py")


def _start_a_long_run(page) -> None:
    """Start a self-supervised run long enough to be still running when the test looks."""
    page.checkbox(key="finetune.self_supervised").check().run()
    page.number_input(key="finetune.epochs").set_value(50)
    page.number_input(key="finetune.batch_size").set_value(2).run()
    page.button(key="finetune.start").click().run()


def test_a_reload_during_a_run_shows_the_run_and_can_cancel_it(env):
    first = _open()
    _start_a_long_run(first)
    assert not first.exception, first.exception
    job = first.session_state["finetune.job"]
    try:
        again = _open(first.session_state["session.token"])  # the browser reloads
        assert again.session_state["finetune.job"] is job
        assert job.running  # 50 passes of 2 pairs a step: minutes on the tiny model
        assert again.button(key="finetune.start").disabled  # no second run on top
        assert again.get("progress"), "the reloaded page shows the run's progress"
        assert "its progress and Cancel are at the top of this page" in element_texts(first.caption)
        again.button(key="finetune.cancel").click().run()
    finally:
        job.cancel()
        job.join(timeout=120)
    assert not job.running and job.cancelled
    again.run()
    assert not again.exception, again.exception
    assert any("cancelled" in w.value for w in again.warning)
    again.checkbox(key="finetune.self_supervised").check().run()
    assert not again.button(key="finetune.start").disabled  # usable again
    other = _open()  # another person (another token) never sees this run
    assert "finetune.job" not in other.session_state


def test_the_page_names_the_model_as_the_picker_does(tiny_bert_dir, workspace, monkeypatch):
    """A fine-tuned model in the workspace is "Fine-tuned: <name>" in the caption and the
    progress line, as in the Model picker, not its full folder path."""
    tuned = workspace / "models" / "shop-ft-v1"
    shutil.copytree(tiny_bert_dir, tuned)
    monkeypatch.setenv("CATSIM_MODEL", str(tuned))
    at = _open()
    caption = element_texts(at.caption)
    assert "Fine-tuned: shop-ft-v1" in caption and str(tuned) not in caption, caption
    at.checkbox(key="finetune.self_supervised").check()
    at.number_input(key="finetune.epochs").set_value(50)
    at.number_input(key="finetune.batch_size").set_value(2).run()
    at.button(key="finetune.start").click().run()
    job = at.session_state["finetune.job"]
    try:
        line = element_texts([SimpleNamespace(value=at.get("progress")[0].proto.text)])
        assert line.startswith("Fine-tuning (from Fine-tuned: shop-ft-v1):"), line
    finally:
        job.cancel()
        job.join(timeout=120)


def test_each_training_setting_names_the_flag_that_sets_it_on_the_command_line(env):
    """'Pairs per step (--batch-size)' named the model's embedding batch flag: the nightly
    command with --batch-size 8 trained with 32 pairs a step."""
    from core.cli import build_parser
    from core.cli.finetune import settings_from_args

    at = _open()
    parser, _ = build_parser()
    for key, field, value in (("finetune.epochs", "epochs", "7"),
                              ("finetune.batch_size", "batch_size", "8")):
        flag = re.search(r"\((--[\w-]+)\)", at.number_input(key=key).label).group(1)
        args = parser.parse_args(["finetune", "catalog.csv", flag, value])
        assert getattr(settings_from_args(args), field) == int(value), (key, flag)
    # left empty on the page and on the command line: the job picks the measured number of
    # passes for the model it trains (2 for the multilingual model, 4 for others)
    passes = at.number_input(key="finetune.epochs")
    assert passes.value is None and "2 for the multilingual model, 4 for the English" in passes.help
    assert settings_from_args(parser.parse_args(["finetune", "catalog.csv"])).epochs is None
    flag = re.search(r"\((--[\w-]+)\)", at.select_slider(key="finetune.learning_rate").label)
    args = parser.parse_args(["finetune", "catalog.csv", flag.group(1), "3e-5"])
    assert settings_from_args(args).learning_rate == 3e-5


def _twins_csv(n: int) -> bytes:
    """n products sold twice (A<i>, B<i>), titles written differently."""
    rows = "".join(f"A{i},red lamp model x{i}\nB{i},lamp x{i} in red\n" for i in range(n))
    return ("id,title\n" + rows).encode()


def _pairs_csv(n: int) -> bytes:
    return ("a,b,match\n" + "".join(f"A{i},B{i},yes\n" for i in range(n))).encode()


def test_the_page_says_what_it_needs_and_warns_when_too_few_products_check_the_model(env):
    at = _open()
    need = element_texts(at.info)
    assert "`left_id` and `right_id`" in need and "`1`, `yes` or `y` = the same product" in need, need
    at.switch_page("pages/catalog.py").run()
    at.file_uploader(key="catalog.upload").set_value(("shop.csv", _twins_csv(120), "text/csv")).run()
    at.switch_page("pages/finetune.py").run()
    at.file_uploader(key="finetune.pairs").set_value(("three.csv", _pairs_csv(3), "text/csv")).run()
    assert not at.exception, at.exception
    assert "2 training pairs · 1 held-out validation queries" in element_texts(at.caption)
    assert "Held-out products that will check the new model: 1. Too few" in element_texts(at.warning)
    assert "about 100 give 10 held-out products" in element_texts(at.warning)
    at.file_uploader(key="finetune.pairs").set_value(("many.csv", _pairs_csv(120), "text/csv")).run()
    assert "12 held-out validation queries" in element_texts(at.caption)
    assert not at.warning  # enough held-out products: no warning


def test_the_tuned_models_own_weight_is_explained_in_chinese(tiny_bert_dir, workspace,
                                                             monkeypatch):
    """The sidebar's note on a fine-tuned model's own weight read half English in the Chinese
    interface ('(chosen for shop-ft-v1 on held-out pairs after fine-tuning)')."""
    tuned = workspace / "models" / "shop-ft-v1"
    shutil.copytree(tiny_bert_dir, tuned)
    (tuned / "card.json").write_text(json.dumps({"config": {"hybrid_weight": 0.6}}))
    monkeypatch.setenv("CATSIM_MODEL", str(tuned))
    monkeypatch.setenv("CATSIM_LANGUAGE", "zh")
    at = _open()
    shown = element_texts(at.sidebar.caption)
    assert "这个模型自带的权重：0.6（微调后在留出商品对上为 shop-ft-v1 选定）" in shown, shown


def test_the_unknown_ids_of_a_pairs_file_are_listed_in_chinese():
    import pandas as pd

    from components.i18n_core import to_chinese
    from core.catalog.table import ColumnMapping, build_catalog
    from core.finetune.pairs import pairs_from_frame

    catalog = build_catalog(pd.DataFrame({"id": ["1", "2"], "title": ["红色鞋", "茶叶"]}),
                            ColumnMapping(text_columns=("title",), id_column="id"))
    frame = pd.DataFrame({"a": ["1", *(f"未知{i}" for i in range(8))], "b": ["2"] * 9})
    warning = pairs_from_frame(frame, catalog).warnings[0]
    assert to_chinese(warning) == ("9 对中有 8 对用到了目录中没有的编号（未知0, 未知1, 未知2, 未知3, "
                                   "未知4 等另外 3 个）；已跳过")


def test_start_over_stops_and_forgets_the_run(env):
    """Start over forgets the work: a run of the old address went on (and kept its model
    for the old address), and whoever still held the old address found its progress and
    result on this page."""
    first = _open()
    _start_a_long_run(first)
    job = first.session_state["finetune.job"]
    old = first.session_state["session.token"]
    try:
        assert job.running
        first.button(key="session.start_over").click().run()
        assert not first.exception, first.exception
        job.join(timeout=120)
        assert not job.running and job.cancelled, job.status
    finally:
        job.cancel()
        job.join(timeout=120)
    again = _open(old)  # whoever still holds the old address
    assert "finetune.job" not in again.session_state
    assert not again.get("progress")


def test_the_picker_names_a_sessions_models_by_their_own_numbers(tiny_bert_dir, workspace):
    """A session's models are named by the session's own versions (its first is v1, in a
    folder of its own); where a shared model made on the command line reads the same, the
    session's own goes by its folder's name, so no two entries of the picker read alike."""
    from core.finetune.card import owner_tag
    from core.workspace import session_model_owner

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    owner = session_model_owner(at.session_state["session.token"])
    models = workspace / "models"
    shutil.copytree(tiny_bert_dir, models / "shop-ft-v1")  # the command line's: everyone's
    for version in (1, 2):
        own = models / f"shop-ft-v{version}-{owner_tag(owner)}"
        shutil.copytree(tiny_bert_dir, own)
        (own / "card.json").write_text(json.dumps({"owner": owner, "name": f"shop-ft-v{version}"}))
    at.run()
    options = list(at.sidebar.selectbox(key="settings.model_choice").options)
    assert options[2:-1] == ["Fine-tuned: shop-ft-v1", f"Fine-tuned: shop-ft-v1-{owner_tag(owner)}",
                             "Fine-tuned: shop-ft-v2"], options
    other = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    other.run()
    assert list(other.sidebar.selectbox(key="settings.model_choice").options)[2:-1] == \
        ["Fine-tuned: shop-ft-v1"]


def _finished_run(at: AppTest):
    """A short run on a small catalog with the tiny model, kept whatever its figures; the
    page rerun after it ended (its result shown)."""
    at.switch_page("pages/catalog.py").run()
    at.file_uploader(key="catalog.upload").set_value(("shop.csv", _twins_csv(60), "text/csv")).run()
    at.switch_page("pages/finetune.py").run()
    at.file_uploader(key="finetune.pairs").set_value(("pairs.csv", _pairs_csv(60), "text/csv"))
    at.number_input(key="finetune.epochs").set_value(1)
    at.checkbox(key="finetune.keep_always").check().run()
    at.button(key="finetune.start").click().run()
    job = at.session_state["finetune.job"]
    job.join(timeout=600)
    assert not job.running and job.result is not None and job.result.kept, job.status
    at.run()
    assert not at.exception, at.exception
    return job


def test_use_the_new_model_is_still_the_model_after_a_reload(env):
    """'Use the new model' changed the model in the page but not in the saved work: after a
    reload (or the bookmarked address the next day) the lists were back on the old model,
    and the sidebar said so without a word."""
    first = _open()
    job = _finished_run(first)
    first.button(key="finetune.use").click().run()
    folder = str(job.result.folder.resolve())
    assert first.session_state["settings.config"].model == folder
    assert "is in use" in element_texts(first.success), element_texts(first.success)
    again = _open(first.session_state["session.token"])  # the browser reloads
    assert again.session_state["settings.config"].model == folder
    assert "is in use" in element_texts(again.success)


def test_the_run_and_its_result_come_first_on_the_page(env):
    """After a reload during a run (or after it ended) the page led with 'Upload a pairs
    file…' and the Start button; the run's progress, then its result, were under them, out
    of sight at 1024x768."""
    first = _open()
    job = _finished_run(first)
    again = _open(first.session_state["session.token"])
    order = [getattr(n, "key", None) or (n.value if isinstance(getattr(n, "value", None), str)
                                         else None) for n in again.main]
    assert order.index("Result") < order.index("finetune.source") < \
        order.index("finetune.start"), order
    # whoever clicked Start far down the page is told where the run went
    assert "The last fine-tuning run is shown at the top of this page." in \
        element_texts(again.caption)
    assert job.result.kept


def test_the_result_tables_fit_with_their_count_in_the_heading(env):
    """The held-out count was a last column, the same on every row, cut off at 1024 px; the
    headings say it and the tables keep the figures."""
    at = _open()
    job = _finished_run(at)
    again = _open(at.session_state["session.token"])
    n = job.result.before.queries
    headings = element_texts(again.markdown)
    assert f"**The neighbour lists** (on {n:,} held-out products, before and after)" in headings, \
        headings
    assert f"(meaning only, on {n:,} held-out products)" in headings, headings
    for frame in again.dataframe:
        assert not any("held-out" in str(c) for c in frame.value.columns), frame.value.columns


def test_a_model_this_work_made_can_be_deleted_and_no_other(tiny_bert_dir, workspace,
                                                            monkeypatch):
    """Every run keeps a new version in the Model picker and there was no way to delete one
    from the app. Only this work's own models are offered (one made on the command line is
    everyone's: a nightly job may use it); deleting the model in use goes back to the
    bundled model, and that stays after a reload."""
    from core.finetune.card import owner_tag
    from core.workspace import session_model_owner

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    first = _open()
    token = first.session_state["session.token"]
    owner = session_model_owner(token)
    models = workspace / "models"
    shutil.copytree(tiny_bert_dir, models / "shop-ft-v1")  # the command line's: everyone's
    own = models / f"shop-ft-v1-{owner_tag(owner)}"
    shutil.copytree(tiny_bert_dir, own)
    lists = {"weight": 0.4, "current_weight": 0.7,
             "before": [{"weight": w, "recall_at_1": r1, "queries": 30}
                        for w, r1 in ((0.4, 0.70), (0.7, 0.767))],
             "after": [{"weight": w, "recall_at_1": r1, "queries": 30}
                       for w, r1 in ((0.4, 0.867), (0.7, 0.833))]}
    (own / "card.json").write_text(json.dumps({"owner": owner, "name": "shop-ft-v1",
                                               "created": "2026-12-05T07:30:00+00:00",
                                               "pipeline": lists}))
    first.run()
    first.sidebar.selectbox(key="settings.model_choice").select(str(own.resolve())).run()
    assert first.session_state["settings.config"].model == str(own.resolve())
    assert list(first.selectbox(key="finetune.own_model").options) == ["shop-ft-v1"]
    # the figures that tell versions apart: the lists before (today's model and weight)
    # and with the model at its own weight
    assert "Made 2026-12-05 07:30 UTC" in element_texts(first.caption)
    assert "Match found first on its held-out products: 0.767 before, 0.867 with it (30 " \
        "products)." in element_texts(first.caption)
    first.button(key="finetune.delete_model").click().run()
    assert not first.exception, first.exception
    assert not own.exists() and (models / "shop-ft-v1").is_dir()
    assert [toast.value for toast in first.toast] == ["shop-ft-v1 was deleted."]
    assert first.session_state["settings.config"].model == "bundled"
    assert not first.get("selectbox") or "finetune.own_model" not in \
        [s.key for s in first.selectbox]
    again = _open(token)
    assert again.session_state["settings.config"].model == "bundled"


def test_delete_own_model_refuses_any_other_folder(tiny_bert_dir, tmp_path):
    from core.finetune.card import delete_own_model
    from core.finetune.settings import FinetuneError

    models = tmp_path / "models"
    shared, other, mine = models / "shop-ft-v1", models / "shop-ft-v1-aa", models / "shop-ft-v1-bb"
    for folder, owner in ((shared, None), (other, "someone"), (mine, "me")):
        shutil.copytree(tiny_bert_dir, folder)
        if owner:
            (folder / "card.json").write_text(json.dumps({"owner": owner}))
    outside = tmp_path / "elsewhere"
    shutil.copytree(mine, outside)
    for folder in (shared, other, outside, models / "nothing"):
        with pytest.raises(FinetuneError, match="not a model fine-tuned in this work"):
            delete_own_model(folder, models, owner="me")
    delete_own_model(mine, models, owner="me")
    assert not mine.exists() and shared.is_dir() and other.is_dir() and outside.is_dir()
    assert sorted(p.name for p in models.iterdir()) == ["shop-ft-v1", "shop-ft-v1-aa"]


def test_review_decisions_without_any_say_where_to_make_them(env):
    """With 'Review decisions' chosen and none made yet the page said 'Upload a pairs
    file…', and no uploader was there to do it."""
    at = _open()
    at.radio(key="finetune.source").set_value("Review decisions").run()
    assert not at.exception, at.exception
    said = element_texts(at.info)
    assert "No review decisions for this catalog yet" in said and "Upload a pairs file" not in said
    assert at.button(key="finetune.start").disabled


def _server_restart() -> None:
    """What a server restart loses: the runs held in memory (components.resources)."""
    from components.resources import finetune_jobs

    finetune_jobs.clear()


def _tables(at: AppTest) -> list[list]:
    return [frame.value.values.tolist() for frame in at.dataframe]


def test_the_last_runs_result_comes_back_after_a_server_restart(env):
    """After a server restart the page said nothing of the last run: its before/after
    figures, the weight chosen and the time were gone (only the model card kept them). It
    comes back from the session's folder, tied to its model: once that model is deleted the
    page says so instead of showing figures of a model that is not there."""
    first = _open()
    job = _finished_run(first)
    token, shown = first.session_state["session.token"], _tables(first)
    assert len(shown) == 2, shown
    _server_restart()
    again = _open(token)
    assert again.session_state["finetune.job"] is not job  # read back from the folder
    assert _tables(again) == shown
    said = element_texts(again.caption)
    assert f"Finished {job.finished_at[:10]} " in said and " s training" in said, said
    assert f"balance is {job.result.weight_choice.weight:g}" in said, said
    assert again.button(key="finetune.use")  # the model can still be picked from here
    name = model_display_name(job.result.folder)
    again.button(key="finetune.delete_model").click().run()
    assert not again.exception, again.exception
    assert not job.result.folder.exists()
    gone = f"{name}, the model the last fine-tuning run made, was deleted; its figures are no " \
        "longer shown."
    assert gone in element_texts(again.info) and not again.dataframe
    _server_restart()
    later = _open(token)
    assert gone in element_texts(later.info) and not later.dataframe


def test_a_kept_model_made_again_under_its_name_is_not_called_deleted(env):
    """The page said the last run's model "was deleted" when its folder held a model made
    later under the same name (or by another session): it says the folder holds another
    model, and shows none of the old run's figures."""
    first = _open()
    job = _finished_run(first)
    token, folder = first.session_state["session.token"], job.result.folder
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    (folder / "card.json").write_text(json.dumps({**card, "created": "2099-01-01T00:00:00"}),
                                      encoding="utf-8")
    _server_restart()
    again = _open(token)
    assert not again.exception, again.exception
    said = element_texts(again.info)
    assert "now holds another model than the one the last fine-tuning run made" in said, said
    assert "was deleted" not in said and not again.dataframe
    assert folder.exists()  # nothing of the other model was touched


def test_a_run_cut_short_by_a_server_restart_says_so(env):
    first = _open()
    _start_a_long_run(first)
    job = first.session_state["finetune.job"]
    try:
        assert job.running
        _server_restart()
        again = _open(first.session_state["session.token"])
    finally:
        job.cancel()
        job.join(timeout=120)
    said = element_texts(again.warning)
    assert f"The fine-tuning run started {job.started_at[:10]} " in said, said
    assert "stopped when the app was restarted; nothing was saved" in said, said
    assert not again.get("progress")
    again.checkbox(key="finetune.self_supervised").check().run()
    assert not again.button(key="finetune.start").disabled


def _unchanged_run(at: AppTest, workspace, keep: str):
    """A real run whose model does not change (a learning rate of 1e-12): its held-out
    lists are exactly today's, so not better."""
    from dataclasses import replace

    from components.finetune_job import start_job
    from core.catalog.table import ColumnMapping, build_catalog
    from core.finetune.data import build_training_set, pairs_from_frame
    from core.finetune.settings import FinetuneSettings
    from core.workspace import session_model_owner

    frame = pd.DataFrame({"id": [f"{s}{i}" for i in range(12) for s in "AB"],
                          "title": [t for i in range(12) for t in
                                    (f"red lamp model x{i}", f"lamp x{i} in red")]})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    pairs = pairs_from_frame(pd.DataFrame({"a": [f"A{i}" for i in range(12)],
                                           "b": [f"B{i}" for i in range(12)]}), catalog)
    settings = replace(FinetuneSettings(), epochs=1, batch_size=4, learning_rate=1e-12,
                       valid_fraction=0.25, keep=keep, device="cpu")
    job = start_job(catalog.texts, build_training_set(catalog, pairs, valid_fraction=0.25),
                    base_model=str(at.session_state["settings.config"].model),
                    base_vectors=None, settings=settings, models_dir=workspace / "models",
                    owner=session_model_owner(at.session_state["session.token"]))
    job.join(timeout=600)
    assert job.result is not None and not job.result.improved, job.error
    return job


def test_a_model_that_is_not_better_says_so_and_the_current_model_stays(env):
    """Kept with 'Keep the new model even if its lists are not better', a model whose
    held-out lists were no better read 'Saved as … it is now in the Model picker' with
    'Use the new model', as if it were an improvement. The page says it is not better and
    the current model stays; nothing changes unless the user picks it."""
    at = _open()
    model = at.session_state["settings.config"].model
    job = _unchanged_run(at, env, "always")
    assert job.result.kept
    at.session_state["finetune.job"] = job
    at.run()
    assert not at.exception, at.exception
    said = element_texts(at.warning)
    assert "The new model's lists are not better than today's on the held-out products. " \
        f"{model_display_name(job.result.folder)} was saved only because you asked to keep " \
        "it; your current model stays in use." in said, said
    assert not at.success
    assert at.button(key="finetune.use").label == "Use it anyway"
    assert at.session_state["settings.config"].model == model  # nothing chosen for the user
    not_kept = _unchanged_run(at, env, "improved")  # the default: not saved at all
    assert not not_kept.result.kept
    at.session_state["finetune.job"] = not_kept
    at.run()
    assert "The new model did not find the held-out products' matches better than today's " \
        "lists, so it was not saved. Your current model stays in use." in element_texts(at.warning)
    assert not at.success and "finetune.use" not in [b.key for b in at.button]
    assert at.session_state["settings.config"].model == model


def test_the_page_trains_with_the_catalogs_model_numbers(env, monkeypatch):
    """The demo's modelno column is mapped as the model number on first use; the run the
    page starts gets every product's number, so the held-out lists it chooses its weight
    and calibration on compare them as the Neighbours page does."""
    import components.finetune_job as finetune_job
    from core.finetune.settings import FinetuneCancelled

    seen: list = []

    def recorded(texts, data, **kwargs):
        seen.append((len(texts), kwargs.get("model_numbers")))
        raise FinetuneCancelled("recorded")

    monkeypatch.setattr(finetune_job, "finetune", recorded)
    page = _open()
    page.checkbox(key="finetune.self_supervised").check().run()
    page.button(key="finetune.start").click().run()
    job = page.session_state["finetune.job"]
    job.join(timeout=60)
    demo = pd.read_csv(REPO_ROOT / "data" / "demo_walmart.csv", dtype=str, keep_default_na=False)
    assert seen == [(len(demo), demo["modelno"].tolist())]


def test_the_page_trains_the_model_chosen_to_start_from(env, monkeypatch):
    """A model the merchant chose (here the tests' small BERT) is tuned further by default;
    the bundled multilingual or English model can be picked instead. "Before" stays the
    model the lists use (base_model). (With a bundled model in use the multilingual one is
    the default: tests/finetune/test_finetune_multilingual.py.)"""
    import components.finetune_job as finetune_job
    from core.finetune.settings import FinetuneCancelled

    seen: list = []

    def recorded(texts, data, **kwargs):
        seen.append((kwargs["base_model"], kwargs["start_from"]))
        raise FinetuneCancelled("recorded")

    monkeypatch.setattr(finetune_job, "finetune", recorded)
    page = _open()
    model = page.session_state["settings.config"].model
    radio = page.radio(key="finetune.start_from")
    assert len(radio.options) == 3 and radio.value == "current"
    assert radio.options[0].startswith("Built-in multilingual")
    assert radio.options[2].startswith("The model your lists use now")
    page.checkbox(key="finetune.self_supervised").check().run()
    for choice in ("current", "multilingual", "bundled"):
        page.radio(key="finetune.start_from").set_value(choice).run()
        page.button(key="finetune.start").click().run()
        assert not page.exception, page.exception
        page.session_state["finetune.job"].join(timeout=120)
    assert seen == [(model, model), (model, "multilingual"), (model, "bundled")]


def test_start_reads_the_catalog_on_the_runs_thread_and_the_pages_find_it_read(env, monkeypatch):
    """Start read the catalog with the model in the page's own script first (about a minute
    for 4.6k products on 2 cores): leaving the page in that minute stopped the script and no
    run started. The run's thread reads it now, under its progress line and Cancel, into the
    workspace's store: the run gets the vectors and the words index the lists use, and the
    Neighbours page afterwards finds every product read."""
    import components.finetune_job as finetune_job
    from core.finetune.settings import FinetuneCancelled

    seen: list = []

    def recorded(texts, data, **kwargs):
        seen.append((kwargs["base_vectors"].shape, type(kwargs["words"]).__name__))
        raise FinetuneCancelled("recorded")

    monkeypatch.setattr(finetune_job, "finetune", recorded)
    page = _open()
    page.checkbox(key="finetune.self_supervised").check().run()
    assert page.session_state["results"] is None  # the catalog is not read yet
    page.button(key="finetune.start").click().run()
    assert not page.exception, page.exception
    assert page.session_state["results"] is None  # the page's script did not read it
    job = page.session_state["finetune.job"]
    job.join(timeout=120)
    demo = pd.read_csv(REPO_ROOT / "data" / "demo_walmart.csv", dtype=str, keep_default_na=False)
    assert seen == [((len(demo), seen[0][0][1]), "LexicalIndex")], seen
    page.switch_page("pages/neighbors.py").run()
    assert not page.exception, page.exception
    res = page.session_state["results"]
    assert res.embedded == 0 and res.reused == len(demo), (res.embedded, res.reused)


def test_cancel_while_the_run_reads_the_catalog_stops_it_and_keeps_what_was_read(tiny_bert_dir):
    """Cancel during the reading stops the run at the next progress update: nothing is
    trained, and the job says it was cancelled; the status names the reading meanwhile."""
    import threading

    import numpy as np

    from components.finetune_job import READING, start_job
    from components.finetune_panel import progress_text
    from core.finetune.data import TrainingSet
    from core.finetune.settings import FinetuneSettings

    inside, go_on, calls = threading.Event(), threading.Event(), []

    def prepare(progress):
        progress(10, 100)
        inside.set()
        go_on.wait(30)
        calls.append("after cancel")
        progress(20, 100)  # Cancel was pressed meanwhile: the run stops here
        calls.append("never")
        return np.zeros((100, 4), np.float32), None

    data = TrainingSet(train=[("a", "b"), ("c", "d")], valid=None, known={}, rejected={},
                       description={})
    job = start_job([str(i) for i in range(100)], data, base_model=str(tiny_bert_dir),
                    base_vectors=None, settings=FinetuneSettings(), models_dir=Path("unused"),
                    prepare=prepare)
    assert inside.wait(30)
    assert job.status == READING and progress_text(job).endswith(" · 10% read")
    job.cancel()
    go_on.set()
    job.join(timeout=30)
    assert job.cancelled and job.result is None and calls == ["after cancel"]


def test_neighbours_opened_while_the_run_reads_the_catalog_waits_for_that_reading(env, monkeypatch):
    """Neighbours opened (another tab, or another person on the demo) while a fine-tuning
    run reads the catalog read it a second time beside the run, on the same two cores: it
    waits for the run's reading now, with its progress, and the texts are read once."""
    import threading
    import time

    import components.embedding as embedding
    import components.finetune_job as finetune_job
    from core.finetune.settings import FinetuneCancelled

    real, calls, gate = embedding.embed_with_store, [], threading.Event()

    def slow(encoder, texts, store, **kwargs):
        calls.append(threading.current_thread().name)
        gate.wait(60)
        return real(encoder, texts, store, **kwargs)

    def recorded(texts, data, **kwargs):
        raise FinetuneCancelled("recorded")

    monkeypatch.setattr(embedding, "embed_with_store", slow)
    monkeypatch.setattr(finetune_job, "finetune", recorded)
    page = _open()
    page.checkbox(key="finetune.self_supervised").check().run()
    page.button(key="finetune.start").click().run()
    job = page.session_state["finetune.job"]
    while not calls:
        time.sleep(0.05)
    other: dict = {}
    tab = threading.Thread(target=lambda: other.setdefault(
        "page", open_session(None, "pages/neighbors.py")))
    tab.start()
    time.sleep(3)  # the tab reaches the reading and waits for the run's
    assert calls == ["finetune"] and tab.is_alive()
    gate.set()
    tab.join(240)
    job.join(timeout=120)
    assert calls == ["finetune"], calls  # read once
    res = other["page"].session_state["results"]
    demo = pd.read_csv(REPO_ROOT / "data" / "demo_walmart.csv", dtype=str, keep_default_na=False)
    assert res.vectors.shape[0] == len(demo)
