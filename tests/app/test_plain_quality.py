"""Explain a match, Groups and Compare in a merchandiser's words: the engineer's terms
(dense, lexical, fused score, canonical, merge map, metric, the session's configuration)
only inside a Technical expander or a help tooltip, in English and in Chinese."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import AlertBase, Expander, HeadingBase, Markdown, Text

from tests.conftest import element_texts, running_app

pytestmark = pytest.mark.app
ENGINEER_WORDS = re.compile(r"dense|lexical|fused|canonical|merge map|metric\b|technical|"
                            r"session's configuration|稠密|综合得分|代表商品|合并映射", re.IGNORECASE)


@pytest.fixture(scope="module", params=["en", "zh"])
def app(request, tiny_bert_dir, tmp_path_factory):
    """One app per interface language (switching it under AppTest trips the radios' state)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CATSIM_LANGUAGE", request.param)
        with running_app(tiny_bert_dir, tmp_path_factory.mktemp("plain_ws"), timeout=240,
                         state={"groups.show_map": False}) as at:
            yield at


def _zh(at: AppTest) -> bool:
    return at.sidebar.radio(key="ui.language").value == "zh"


def _main_texts(at: AppTest) -> list[str]:
    """What the page shows outside expanders and tooltips: texts, labels, options, table
    headers and the charts' names."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, Expander):
            return
        for child in getattr(node, "children", {}).values():
            walk(child)
        if isinstance(node, Markdown | Text | AlertBase | HeadingBase):  # not widgets' values
            out.append(str(node.value))
        if isinstance(getattr(node, "label", None), str):
            out.append(node.label)
        out.extend(str(o) for o in getattr(node, "options", None) or ())
        if node.type == "dataframe":  # headers: a column's label where the page sets one
            config = json.loads(node.proto.columns or "{}")
            shown = list(node.proto.column_order) or [str(c) for c in node.value.columns]
            out.extend(str(config.get(c, {}).get("label", c)) for c in shown)
        if node.type == "plotly_chart":
            for trace in json.loads(node.proto.spec)["data"]:
                out.extend([str(trace.get("name", "")), *map(str, trace.get("y", ()))])

    walk(at.main)
    return out


def _engineer_words(at: AppTest) -> list[str]:
    return [text for text in _main_texts(at) if ENGINEER_WORDS.search(text)]


def test_explain_a_match_speaks_plainly_and_keeps_the_technical_sum_in_an_expander(app):
    app.switch_page("pages/explain.py").run()
    assert not app.exception, app.exception
    assert app.get("plotly_chart")  # the bar is read too
    assert _engineer_words(app) == []
    (technical,) = [e for e in app.main.expander if "Technical" in e.label or "技术" in e.label]
    assert re.search(r"Fused score -?[\d.]+ = meaning part \(dense\)|综合得分（fused score）",
                     technical.caption[0].value)
    helps = [m.proto.help for m in app.metric]
    assert helps[2] and helps[3]  # what "meaning part" and "words part" mean
    # the per-field scores come before the two texts, the table is not in a half column:
    # side by side with the shared words, the scores were scrolled out of sight
    fields = [d for d in app.dataframe if "dense" in d.value.columns]
    assert [list(d.proto.column_order)[:3] for d in fields] == [["field", "dense", "lexical"]]
    assert not [c for c in app.main.columns if c.dataframe]


def test_groups_name_the_product_kept_not_the_canonical_one(app):
    app.switch_page("pages/groups.py").run()
    app.number_input(key="groups.duplicate_threshold").set_value(0.9).run()
    assert not app.exception, app.exception
    kept = {"保留商品的编号", "保留的商品"} if _zh(app) else {"id of the product kept", "product kept"}
    assert [d for d in app.dataframe if kept <= set(d.value.columns)]
    assert _engineer_words(app) == []
    export = [m for m in app.markdown if m.proto.help]
    assert any("python -m core merge-map" in m.proto.help for m in export)  # the command's name


def test_compare_says_your_settings_and_names_the_change_as_the_form_does(app):
    app.switch_page("pages/compare.py").run()
    app.selectbox(key="compare.metric").set_value("manhattan")
    app.button[[b.label for b in app.button].index("比较" if _zh(app) else "Compare")].click().run()
    assert not app.exception, app.exception
    assert _engineer_words(app) == []
    changed = element_texts(app.markdown)
    expected = ("语义如何比较: 夹角（推荐） → 网格距离" if _zh(app)
                else "How meaning is compared: Angle (recommended) → Grid distance")
    assert expected in changed, changed
    # the movers table is headed in words, not core's column names (only_in_a, rank_corr)
    headers = _main_texts(app)
    words = ("仅在 A 中", "顺序一致程度（1 = 完全一致）") if _zh(app) \
        else ("only in A", "same order (1 = the same)")
    assert all(w in headers for w in words), headers
    assert not [h for h in headers if re.fullmatch(r"only_in_[ab]|rank_corr|[ab]_(id|title|score)",
                                                   h)]
