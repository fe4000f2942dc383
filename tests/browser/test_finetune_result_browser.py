"""The last fine-tuning run's result as a merchandiser finds it after a server restart, at
1024x768, in English and Chinese: both tables whole (the lists table's last column, the
rank score, was out of sight past the right edge at 1024 px in English).

The server starts on a workspace that already holds two sessions' work and their last run
(as a restarted server finds them); no model is read, so this runs in seconds. Then a kept
model (the tiny test BERT) is put in use with "Use the new model"."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.browser.test_browser import CHROMIUM, LAUNCH_ARGS, ROOT
from tests.browser.test_walk_browser import Server, settled

pytestmark = [pytest.mark.browser]

# Where a table is wider than its frame (a column cut at the right edge, reached only by
# scrolling sideways), its grid's scroller is wider than what it shows.
CUT_TABLES = """() => Array.from(document.querySelectorAll(
    '[data-testid=stDataFrame] .dvn-scroller')).map(e => e.scrollWidth - e.clientWidth)"""


def _session(workspace, language: str, weights=None) -> str:
    """A session's saved work and last fine-tuning run (kept); weights: a model folder whose
    files the kept model gets (else it has only its card, as no model is read)."""
    from components.finetune_job import FinetuneJob
    from core.catalog.table import field_defaults, read_table
    from core.config import Config
    from core.finetune.card import owner_tag
    from core.finetune.settings import FinetuneResult, FinetuneSettings, RetrievalMetrics
    from core.finetune.weight import ListScore, WeightChoice
    from core.workspace import (
        SavedSource,
        SavedState,
        SessionStore,
        new_session_token,
        session_model_owner,
    )

    token = new_session_token()
    store = SessionStore(workspace, token)
    mapping = field_defaults(read_table(ROOT / "data" / "demo_walmart.csv",
                                        filename="walmart.csv").frame)  # the demo's, as opened
    config = Config().with_changes(id_column=mapping.id_column, text_columns=mapping.text_columns,
                                   category_column=mapping.category, brand_column=mapping.brand,
                                   price_column=mapping.price)
    store.save(SavedState(SavedSource(), config.to_dict(),
                          {"guide_done": True, "language": language}))
    owner = session_model_owner(token)
    folder = workspace.models_dir / f"all-MiniLM-L6-v2-ft-v1-{owner_tag(owner)}"
    if weights is not None:
        shutil.copytree(weights, folder)
    folder.mkdir(parents=True, exist_ok=True)
    created = "2026-12-05T10:09:14+00:00"
    (folder / "card.json").write_text(json.dumps({"name": "all-MiniLM-L6-v2-ft-v1",
                                                  "owner": owner, "created": created}))
    scores = [tuple(ListScore(w, r1, 0.967, r1 + 0.05, 10, 30) for w, r1 in rows)
              for rows in (((0.4, 0.700), (0.7, 0.767)), ((0.4, 0.867), (0.7, 0.833)))]
    result = FinetuneResult(RetrievalMetrics(0.533, 0.867, 0.651, 10, 30),
                            RetrievalMetrics(0.733, 0.967, 0.812, 10, 30), True, folder, 6,
                            233.0, 301.0, 180, "all-MiniLM-L6-v2", FinetuneSettings(epochs=1),
                            weight_choice=WeightChoice(0.4, 0.7, *scores),
                            config={"hybrid_weight": 0.4}, epochs_run=1)
    job = FinetuneJob("bundled", 180, result=result, finished_at="2026-12-05T10:09:30+00:00",
                      model_created=created)
    store.keep_finetune_run(job.record())
    return token


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """A server started on a workspace with an English and a Chinese session's last run."""
    from core.workspace import Workspace

    workspace = Workspace(tmp_path_factory.mktemp("ws"))
    tokens = {language: _session(workspace, language) for language in ("en", "zh")}
    server = Server(workspace.root, tmp_path_factory.mktemp("log") / "streamlit.log")
    server.start()
    try:
        yield server.url, tokens
    finally:
        server.stop()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_result_comes_back_whole_at_1024_px(restarted, language):
    from playwright.sync_api import sync_playwright

    base, tokens = restarted
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.goto(f"{base}/finetune?s={tokens[language]}", wait_until="domcontentloaded")
        page.locator("[data-testid='stDataFrame'] .dvn-scroller").nth(1).wait_for(
            timeout=120_000)
        settled(page)
        finished = "完成于 2026-12-05 10:09 UTC · " if language == "zh" else \
            "Finished 2026-12-05 10:09 UTC · "
        assert page.get_by_text(finished, exact=False).count() == 1
        seen = [page.evaluate(CUT_TABLES)]
        while len(seen) < 3 or seen[-1] != seen[-2]:  # the grids size their columns late
            page.wait_for_timeout(200)
            seen.append(page.evaluate(CUT_TABLES))
            assert len(seen) < 50, seen
        assert seen[-1] == [0, 0], seen
        browser.close()


def test_use_the_new_model_shows_it_in_the_picker_without_a_warning(tmp_path, tiny_bert_dir):
    """"Use the new model" sets the picker's value from the button: the picker (under
    Advanced) shows the new model, and the server does not log Streamlit's warning that the
    widget was "created with a default value but also had its value set via the Session
    State API" (logged on every such switch before; a picker left to start again from its
    index instead kept showing the old choice in the browser)."""
    from playwright.sync_api import sync_playwright

    from core.workspace import Workspace

    workspace = Workspace(tmp_path / "ws")
    token = _session(workspace, "en", weights=tiny_bert_dir)
    log = tmp_path / "streamlit.log"
    server = Server(workspace.root, log)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server.url}/finetune?s={token}", wait_until="domcontentloaded")
            use = page.get_by_role("button", name="Use the new model")
            use.wait_for(timeout=120_000)
            settled(page)
            picker = page.locator("[data-testid='stSidebar'] input[aria-label='Language model']")
            page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(
                has_text="Advanced").first.click()
            picker.first.wait_for(timeout=60_000)
            assert picker.first.input_value() == "Built-in (English)"
            use.click()
            page.get_by_text("is in use: the lists of every page come from it",
                             exact=False).wait_for(timeout=120_000)
            settled(page)
            assert picker.first.input_value() == "Fine-tuned: all-MiniLM-L6-v2-ft-v1"
            browser.close()
    finally:
        server.stop()
    assert "Session State API" not in log.read_text()
