"""The Chinese interface: every text given to t() / N_() has a translation with the same
{fields}, no st.* call shows an untranslated English literal, and the switch works."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.glossary import TERMS
from components.guide import STEPS
from components.i18n_zh import ZH
from core.search.calibration import BANDS_TEXT
from tests.conftest import REPO_ROOT, element_texts

UI_FILES = [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "pages").glob("*.py")),
            *sorted((REPO_ROOT / "components").glob("*.py"))]
# st.* calls whose first argument (or these keywords) is shown to the user.
TEXT_CALLS = {"title", "header", "subheader", "caption", "markdown", "write", "info", "warning",
              "error", "success", "button", "download_button", "checkbox", "toggle", "radio",
              "selectbox", "multiselect", "slider", "select_slider", "number_input",
              "text_input", "text_area", "file_uploader", "expander", "form_submit_button",
              "metric", "spinner", "toast", "popover", "segmented_control", "pills", "tabs"}
TEXT_KEYWORDS = {"help", "placeholder", "label", "text", "title", "caption"}
FIELD = re.compile(r"\{[^{}]*\}")


def _marked(tree: ast.AST) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("t", "N_") and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            out.add(node.args[0].value)
    return out


def _source_texts() -> set[str]:
    texts = set()
    for path in UI_FILES:
        texts |= _marked(ast.parse(path.read_text(encoding="utf-8")))
    texts |= set(TERMS.values()) | {k.capitalize() for k in TERMS}
    texts |= {part for step in STEPS for part in step}
    texts.add(BANDS_TEXT)  # core's, shown through t() on four pages
    return texts


def test_every_marked_text_has_a_chinese_translation_with_the_same_fields() -> None:
    texts = _source_texts()
    assert len(texts) > 300
    missing = sorted(texts - set(ZH))
    assert not missing, f"{len(missing)} texts without Chinese: {missing[:5]}"
    wrong = [en for en in texts if set(FIELD.findall(en)) != set(FIELD.findall(ZH[en]))]
    assert not wrong, wrong[:5]
    stale = sorted(set(ZH) - texts)
    assert not stale, f"translations of texts no longer in the code: {stale[:5]}"


def test_the_score_bands_text_is_translated_as_core_words_it() -> None:
    assert BANDS_TEXT in _source_texts()  # the pages translate core's own text
    assert ZH[BANDS_TEXT] != BANDS_TEXT and "0.90" in ZH[BANDS_TEXT]


def _untranslated(path: Path) -> list[str]:
    """Literal English shown by st.* calls without t(); f-strings count when their literal
    parts hold a word (catalog values and numbers alone are fine)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in TEXT_CALLS):
            continue
        args = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        if node.func.attr == "tabs" and node.args and isinstance(node.args[0], ast.List):
            args = list(node.args[0].elts)
        for arg in args:
            words = _literal_words(arg)
            if re.search(r"[A-Za-z]{3,}", words):
                out.append(f"{path.name}:{arg.lineno}: {words[:60]!r}")
    return out


def _literal_words(arg: ast.AST) -> str:
    """The literal text of an argument, through f-strings, + and if/else (not through t())."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        return "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
    if isinstance(arg, ast.BinOp):
        return _literal_words(arg.left) + " " + _literal_words(arg.right)
    if isinstance(arg, ast.IfExp):
        return _literal_words(arg.body) + " " + _literal_words(arg.orelse)
    return ""


def test_no_st_call_shows_untranslated_english() -> None:
    found = [hit for path in UI_FILES if path.name != "i18n.py" for hit in _untranslated(path)]
    assert not found, found


@pytest.mark.app
def test_chinese_from_the_environment_and_the_sidebar_switch(tiny_bert_dir, workspace,
                                                            monkeypatch) -> None:
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    monkeypatch.setenv("CATSIM_LANGUAGE", "zh")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == ZH["Catalog"]
    assert ZH["Products per list"] == at.sidebar.slider(key="settings.k").label
    # Streamlit's uploader says "Upload" / "500MB per file" in English whatever the
    # language: a style sheet shows them in Chinese (the file types are in the label)
    (css,) = [h.proto.body for h in at.get("html")]
    assert 'content: "上传"' in css and 'content: "每个文件最大 500 MB"' in css
    assert "（CSV、Excel、LibreOffice、Parquet，或商品数据源：XML 或 JSON）" in \
        at.file_uploader(key="catalog.upload").label
    at.sidebar.radio(key="ui.language").set_value("en").run()
    assert at.title[0].value == "Catalog"
    assert not at.get("html")  # English: Streamlit's own words
    assert at.sidebar.slider(key="settings.k").label == "Products per list"
    at.switch_page("pages/neighbors.py").run()  # the choice survives a page switch
    assert not at.exception and at.title[0].value == "Neighbours"
    assert at.sidebar.radio(key="ui.language").value == "en"
    at.sidebar.radio(key="ui.language").set_value("zh").run()
    assert at.title[0].value == ZH["Neighbours"]
    assert "Neighbours" not in element_texts(at.caption)
    for page, title in (("pages/export.py", "Export"), ("pages/catalog.py", "Catalog")):
        at.switch_page(page).run()
        assert not at.exception and at.title[0].value == ZH[title]
        assert at.sidebar.radio(key="ui.language").value == "zh"


@pytest.mark.app
def test_a_radio_keeps_its_choice_shown_after_a_language_switch(tiny_bert_dir, workspace,
                                                                monkeypatch) -> None:
    """The browser keeps a radio's choice by its label: after a switch, 'Highest score
    first' matched none of the Chinese labels and every translated radio showed nothing
    chosen (the page still used the choice). The switch sends each choice again, in the
    new language."""
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    at.switch_page("pages/review.py").run()
    order = next(r for r in at.radio if r.key == "review.order")
    order.set_value("lowest").run()
    at.sidebar.radio(key="ui.language").set_value("zh").run()
    assert not at.exception, at.exception
    order = next(r for r in at.radio if r.key == "review.order")
    assert order.value == "lowest"
    assert order.proto.set_value and order.proto.raw_value == ZH["Lowest score first"]
    assert order.proto.raw_value in order.proto.options


def test_charts_from_core_get_chinese_titles_series_and_hover(monkeypatch) -> None:
    import numpy as np

    from components.i18n import chart
    from core.quality.threshold import histogram_figure

    monkeypatch.setenv("CATSIM_LANGUAGE", "zh")
    scores = np.linspace(0, 1, 20)
    fig = chart(histogram_figure(scores, (scores > 0.5).astype(int), threshold=0.5))
    assert fig.layout.xaxis.title.text == ZH["duplicate score"]
    assert {trace.name for trace in fig.data} == {ZH["same product (1)"], ZH["different (0)"]}
    assert any(ZH["threshold {value}"].split()[0] in a.text for a in fig.layout.annotations)
    monkeypatch.setenv("CATSIM_LANGUAGE", "en")
    english = chart(histogram_figure(scores, threshold=0.5))
    assert english.layout.xaxis.title.text == "duplicate score"


def test_english_counts_of_one_read_in_the_singular() -> None:
    """'1 photo files cannot be used', '1 products give a web address' were shown for a
    count of one; the template changes, never a value (catalog text stays as it is)."""
    import numpy as np

    from components.i18n import singular

    def shown(text, **values):
        return singular(text, values).format(**values)

    assert shown("{n:,} photo files cannot be used", n=1) == "1 photo file cannot be used"
    assert shown("{n:,} products give a web address", n=np.int64(1)) == \
        "1 product gives a web address"
    assert shown("{found:,} of {files:,} photo files found; {empty:,} products have no photo.",
                 found=1, files=1, empty=3) == \
        "1 of 1 photo file found; 3 products have no photo."
    assert shown("{n:,} ids appear in column {column}", n=1, column="2 products are") == \
        "1 id appears in column 2 products are"
    assert shown("{n:,} products give", n=2) == "2 products give"
    assert shown("{n:,} products use a later photo", n=1) == "1 product uses a later photo"
    # Evaluate's line ("the 1 product with a labelled match are measured" before)
    assert shown("{rows:,} labelled pairs read: measured on the {n:,} products with a labelled "
                 "match", rows=2, n=1) == \
        "2 labelled pairs read: measured on the 1 product with a labelled match"
    assert shown("{n:,} products", n=True) == "1 products"  # a flag, not a count
    assert shown("{n:,} productsx", n=1) == "1 productsx"
