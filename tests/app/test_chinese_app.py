"""A Chinese catalog in the app: language shown, model and weight chosen from it (kept
when the user set them), a notice when the model cannot read it, GB18030 exports."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.catalog.language import LANGUAGE_DEFAULTS
from tests.conftest import REPO_ROOT, element_texts

pytestmark = pytest.mark.app
TITLES = ["Sansui/山水U3一拖二无线话筒", "兰芝隔离霜 保湿提亮", "小米 Redmi Note 11 Pro 5G手机",
          "索尼 WH-1000XM4 无线降噪耳机", "苹果11原装手机壳真皮", "南极人家用空气炸锅"]


def _gb18030_csv() -> bytes:
    rows = "".join(f"{i},{t} {i}\n" for i, t in enumerate(TITLES * 2))
    return ("id,title\n" + rows).encode("gb18030")


def _app(monkeypatch, model: str | None) -> AppTest:
    if model is None:
        monkeypatch.delenv("CATSIM_MODEL", raising=False)
    else:
        monkeypatch.setenv("CATSIM_MODEL", model)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    at.file_uploader(key="catalog.upload").set_value(("zh.csv", _gb18030_csv(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_chinese_upload_chooses_multilingual_and_warns_for_an_english_model(workspace,
                                                                            monkeypatch):
    at = _app(monkeypatch, None)
    cfg = at.session_state["settings.config"]
    zh = LANGUAGE_DEFAULTS["zh"]
    assert (cfg.model, cfg.hybrid_weight) == (zh.model, zh.hybrid_weight)
    assert at.selectbox(key="settings.model_choice").value == "multilingual"
    assert "Chinese" in element_texts(at.caption)
    assert "Chosen for a catalog in Chinese" in element_texts(at.info)
    assert "model Built-in multilingual" in element_texts(at.info)  # the sidebar's name, not an id
    at.selectbox(key="settings.model_choice").set_value("bundled").run()
    assert "reads English only" in element_texts(at.sidebar.warning)
    # set to English by hand: the English weight; the model the user chose stands
    at.selectbox(key="settings.model_choice").set_value("multilingual").run()
    at.selectbox(key="catalog.language_setting").set_value("en").run()
    cfg = at.session_state["settings.config"]
    en = LANGUAGE_DEFAULTS["en"]
    assert (cfg.language, cfg.model, cfg.hybrid_weight) == ("en", "multilingual", en.hybrid_weight)
    assert not at.sidebar.warning


def test_model_set_by_the_environment_is_kept_and_exports_offer_gb18030(tiny_bert_dir,
                                                                       workspace, monkeypatch):
    at = _app(monkeypatch, str(tiny_bert_dir))
    cfg = at.session_state["settings.config"]
    assert cfg.model == str(tiny_bert_dir)
    assert cfg.hybrid_weight == LANGUAGE_DEFAULTS["zh"].hybrid_weight
    at.switch_page("pages/export.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="neighbors.export.encoding").value == "gb18030"
    at.sidebar.radio(key="ui.language").set_value("zh").run()
    assert "以及得分（0 = 无关，1 = 文本相同）" in element_texts(at.markdown)


def test_what_the_score_means_reads_in_chinese_with_and_without_photos() -> None:
    import numpy as np

    from components.i18n_core import to_chinese
    from core.embed.image_vectors import ImageVectors
    from core.export.tables import score_meaning

    images = ImageVectors(np.zeros((2, 4), np.float32), np.array([True, False]), (b"x", b""),
                          (), "fake")
    assert to_chinese(score_meaning(0.0, images)) == "0 = 无关，1 = 文本相同"
    assert to_chinese(score_meaning(1.0, images)).startswith("0 = 无关，1 = 文本和图片都相同；得分来自图片")
    assert to_chinese(score_meaning(0.25, images)) == (
        "0 = 无关，1 = 文本和图片都相同；得分中 25% 来自图片，其中一个商品没有图片的一对只按文本打分")


def test_a_utf8_catalog_with_accents_exports_csv_with_a_bom_for_excel(tiny_bert_dir, workspace,
                                                                     monkeypatch):
    """Excel reads a UTF-8 CSV without a BOM in the system code page: "café" or "中文" come
    out garbled. A catalog with non-ASCII text defaults to UTF-8 with a BOM; a plain ASCII
    one stays plain UTF-8 (what data tools expect)."""
    from tests.conftest import make_csv_bytes

    at = _app(monkeypatch, str(tiny_bert_dir))
    for rows, expected in (([["title"], ["café crème cup"], ["blue mug"], ["tea pot"]], "utf-8-sig"),
                           ([["title"], ["cafe cup"], ["blue mug"], ["tea pot"]], "utf-8")):
        at.switch_page("pages/catalog.py").run()
        at.file_uploader(key="catalog.upload").set_value(
            ("shop.csv", make_csv_bytes(rows), "text/csv")).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        at.switch_page("pages/export.py").run()
        assert not at.exception, at.exception
        assert at.selectbox(key="neighbors.export.encoding").value == expected


def test_a_gb18030_catalog_with_a_character_beyond_gbk_exports_utf8_with_a_bom(
        tiny_bert_dir, workspace, monkeypatch):
    """Chinese Excel reads a CSV without a mark as GBK: a GB18030 export of "⭐" or "³" comes
    out garbled there, so such a catalog defaults to UTF-8 with a BOM (read right
    everywhere); one whose every character is in GBK keeps GB18030 (the test above)."""
    at = _app(monkeypatch, str(tiny_bert_dir))
    rows = "".join(f"{i},{t} {i}\n" for i, t in enumerate([*TITLES, "⭐五星推荐 保温杯 500ml³"]))
    at.file_uploader(key="catalog.upload").set_value(
        ("star.csv", ("id,title\n" + rows).encode("gb18030"), "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["catalog.table"].encoding == "gb18030"
    at.switch_page("pages/export.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="neighbors.export.encoding").value == "utf-8-sig"


def test_after_a_reload_a_chinese_upload_still_gets_the_chinese_defaults_and_a_choice_stays(
        workspace, monkeypatch):
    """Restored work used to mark the model and weight as the user's own, so a Chinese
    catalog uploaded after a reload kept the English model (with its warning). Only what
    the user set comes back as set."""
    monkeypatch.delenv("CATSIM_MODEL", raising=False)
    first = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    first.run()
    first.slider(key="settings.k").set_value(5).run()  # saved work, nothing language-set
    again = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    again.query_params["s"] = first.session_state["session.token"]
    again.run()
    assert again.session_state["settings.config"].k == 5
    again.file_uploader(key="catalog.upload").set_value(("zh.csv", _gb18030_csv(),
                                                         "text/csv")).run()
    assert not again.exception, again.exception
    cfg, zh = again.session_state["settings.config"], LANGUAGE_DEFAULTS["zh"]
    assert (cfg.model, cfg.hybrid_weight) == (zh.model, zh.hybrid_weight)
    # a model chosen by hand is the user's: it comes back, and an upload keeps it
    again.selectbox(key="settings.model_choice").set_value("bundled").run()
    third = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    third.query_params["s"] = first.session_state["session.token"]
    third.run()
    assert third.session_state["settings.config"].model == "bundled"
    third.file_uploader(key="catalog.upload").set_value(("zh2.csv", _gb18030_csv(),
                                                         "text/csv")).run()
    assert third.session_state["settings.config"].model == "bundled"
