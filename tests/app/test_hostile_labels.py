"""Names the user typed or a settings file brought (score ranges, model folders) reach
Markdown escaped: they show as the characters they are, never as bold, links or colour."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, element_texts

pytestmark = pytest.mark.app

BAND = "**loud** [x](javascript:alert(1)) :red[y]"


def test_a_score_range_name_on_the_review_page_is_text(tiny_bert_dir, workspace, monkeypatch):
    """The Review page names the pair's score range ("range *close*"): a range named in
    Markdown showed bold, as a link and red."""
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    at.switch_page("pages/neighbors.py").run()
    at.text_input(key="neighbors.bands.text").input(f"{BAND}=0").run()
    assert not at.exception and not at.error, element_texts(at.error)
    assert dict(at.session_state["settings.config"].bands) == {BAND: 0.0}
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    heads = [str(m.value) for m in at.markdown if "range" in str(m.value)]
    assert heads, [m.value for m in at.markdown]
    assert r"\*\*loud\*\* \[x\](javascript\:alert(1)) \:red\[y\]" in heads[0], heads[0]
    assert BAND in element_texts([m for m in at.markdown if "range" in str(m.value)])


def test_the_model_in_the_language_warning_is_text(tiny_bert_dir, tmp_path, workspace,
                                                   monkeypatch):
    """The sidebar warns when an English-only model meets a Chinese catalog, naming the
    model: a folder such as /srv/shop_data/all-MiniLM-L6-v2_tuned_v2 read as italics
    ('_data/all-MiniLM-L6-v2_' slanted, the underscores gone)."""
    import shutil

    from tests.conftest import make_csv_bytes

    folder = tmp_path / "shop_data" / "all-MiniLM-L6-v2_tuned_v2"
    shutil.copytree(tiny_bert_dir, folder)
    monkeypatch.setenv("CATSIM_MODEL", str(folder))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    rows = [["sku", "title"], *[[f"S{i}", f"红色{w}杯子{i}号"] for i, w in
                                enumerate(["陶瓷", "玻璃", "塑料", "不锈钢"] * 3)]]
    at.file_uploader(key="catalog.upload").set_value(("zh.csv", make_csv_bytes(rows),
                                                      "text/csv")).run()
    assert not at.exception, at.exception
    warnings = [str(w.value) for w in at.sidebar.warning if "reads English only" in str(w.value)]
    assert warnings, [w.value for w in at.sidebar.warning]
    assert r"shop\_data/all-MiniLM-L6-v2\_tuned\_v2" in warnings[0], warnings[0]


def test_a_column_name_as_a_word_weight_label_is_text(tiny_bert_dir, workspace, monkeypatch):
    """Advanced names each column whose words count ('Column weights for word matching'):
    a catalog's column header written in Markdown showed bold and red in that label."""
    from tests.conftest import make_csv_bytes

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    column = "**Title** :red[x] [y](http://evil.example)"
    rows = [["sku", column], *[[f"S{i}", f"{c} {w} {i}"] for i, (c, w) in enumerate(
        [(c, w) for c in ("red", "blue", "green") for w in ("cup", "lamp", "pen", "desk")])]]
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    at.file_uploader(key="catalog.upload").set_value(("shop.csv", make_csv_bytes(rows),
                                                      "text/csv")).run()
    assert not at.exception, at.exception
    assert at.session_state["catalog.catalog"].mapping.text_columns == (column,)
    at.run()  # the sidebar was drawn before the upload changed the catalog
    label = at.sidebar.number_input(key=f"settings.field.{column}").label
    assert label.startswith(r"\*\*Title\*\* \:red\[x\] \[y\](http"), label
    assert "http\u200b" in label, label  # no bare address for GFM to turn into a link


RLO, PDF = "\u202e", "\u202c"


def test_a_direction_override_in_a_name_stops_at_the_name():
    """A right-to-left override left open in a cell or file name ('shop<RLO>vsc.txt.csv',
    shown as 'shopcsv.txt.csv') reversed every word after it on the same line: the Review
    caption read '0 :noisses siht ni dediced sriap'. Each name is closed where it ends."""
    from components.text import md
    from core.errors import close_bidi, short_list
    from core.figures import safe_label

    assert md(f"shop{RLO}vsc.txt.csv") == f"shop{RLO}vsc.txt.csv{PDF}"
    assert safe_label(f"{RLO}<b>x</b>") == f"{RLO}&lt;b&gt;x&lt;/b&gt;{PDF}"
    assert short_list([f"a{RLO}", "b"]) == f"a{RLO}{PDF}, b"  # one id never turns the next
    assert close_bidi(f"a{RLO}b{PDF}c") == f"a{RLO}b{PDF}c"  # closed already: as it is
    assert close_bidi("a\u2067b\u202bc") == "a\u2067b\u202bc\u202c\u2069"  # inner one first
    assert close_bidi("plain") == "plain"


def test_the_review_caption_keeps_a_file_names_override_to_the_name(tiny_bert_dir, workspace,
                                                                      monkeypatch):
    from tests.conftest import make_csv_bytes

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    rows = [["sku", "title"], *[[f"S{i}", f"{c} {w} {i}"] for i, (c, w) in enumerate(
        [(c, w) for c in ("red", "blue", "green") for w in ("cup", "lamp", "pen", "desk")])]]
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    at.file_uploader(key="catalog.upload").set_value((f"shop{RLO}vsc.txt.csv",
                                                      make_csv_bytes(rows), "text/csv")).run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    tally = [str(c.value) for c in at.caption if "pairs decided" in str(c.value)]
    assert tally and f"vsc.txt.csv{PDF} · pairs decided" in tally[0], tally
