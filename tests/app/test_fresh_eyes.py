"""What a merchandiser new to the app stumbled on in a first walk through every page
(headless Chromium at 1280x720 and 1024x768, English and Chinese): jargon in the waits of
the main path and a model's name in brackets inside brackets. Layout (labels cut short)
is checked in a real browser: tests/browser/test_layout_browser.py."""

from __future__ import annotations

import ast
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.app

# Engineers' words a merchandiser does not know; the pages say "the model reads" products
# ("Ready: 2,554 products read by the model") and draw "the map".
JARGON = re.compile(r"embedd|umap|vector|project", re.IGNORECASE)


def _t_literals(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "t" and node.args and isinstance(node.args[0], ast.Constant)]


def test_the_waits_of_the_main_path_speak_plain_words() -> None:
    """The progress bars and notes shown while the Neighbours, Map and Groups pages wait
    (the first visit waits 15 s or more on a real catalog) were "Embedding 1,092
    products…", "Projecting 1,092 products with UMAP…" and, after Cancel, "(embedded
    vectors stay in the store)"."""
    texts = _t_literals(REPO_ROOT / "components" / "embedding.py")
    assert any("The model is reading" in x for x in texts), texts
    assert [x for x in texts if JARGON.search(x)] == []


@pytest.mark.parametrize(("language", "marks"), [("en", ("(", ")")), ("zh", ("（", "）"))])
def test_the_fine_tune_page_names_the_model_without_brackets_in_brackets(
        workspace, monkeypatch, language, marks) -> None:
    """"Teaches the current model (Built-in (English)) which of..." read as a typo."""
    monkeypatch.delenv("CATSIM_MODEL", raising=False)
    monkeypatch.setenv("CATSIM_LANGUAGE", language)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/finetune.py").run()
    assert not at.exception, at.exception
    caption = at.caption[0].value
    name = "Built-in (English)" if language == "en" else "内置（英文）"
    assert name in caption, caption
    opened, closed = marks
    assert opened * 2 not in caption and closed * 2 not in caption, caption


def test_the_heatmaps_colour_bar_names_what_the_caption_names(tiny_bert_dir, tmp_path) -> None:
    """The caption says "Colour = the duplicate score", the colour bar said "match" (and
    "lexical" for shared words): core's names for the cell kinds."""
    import json

    from tests.conftest import element_texts, running_app

    def bar(at: AppTest) -> str:
        heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        return heat["colorbar"]["title"]["text"]

    with running_app(tiny_bert_dir, tmp_path / "ws") as at:
        at.switch_page("pages/heatmap.py").run()
        assert not at.exception, at.exception
        assert at.radio(key="heatmap.cells").value == "match"
        assert "the duplicate score" in element_texts(at.caption)
        assert bar(at) == "duplicate score"
        at.radio(key="heatmap.cells").set_value("lexical").run()
        assert bar(at) == "shared words"
        at.radio(key="heatmap.cells").set_value("dense").run()
        assert bar(at) == "cosine"
