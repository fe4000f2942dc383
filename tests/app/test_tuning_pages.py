"""Tuning pages with AppTest and the tiny BERT: rules panel, review, groups, health,
compare, prices, and a configuration saved from the app replayed by the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, element_texts, running_app

pytestmark = pytest.mark.app
TUNE_PAGES = ["pages/groups.py", "pages/review.py", "pages/health.py", "pages/compare.py",
              "pages/prices.py"]


@pytest.fixture(scope="module")
def app(tiny_bert_dir, tmp_path_factory):
    """One app for the module (the demo catalog embedded once), its own workspace."""
    # UMAP is covered by test_pages' map
    with running_app(tiny_bert_dir, tmp_path_factory.mktemp("tuning_ws"), timeout=240,
                     state={"groups.show_map": False}) as at:
        at.switch_page("pages/neighbors.py").run()
        assert not at.exception, at.exception
        yield at


def _config(at: AppTest):
    return at.session_state["settings.config"]


def _set_rules(at: AppTest, **values) -> None:
    """Set rule widgets by key (neighbors.rules.<name>) and rerun."""
    for name, value in values.items():
        at.get_by_key(f"neighbors.rules.{name}").set_value(value)
    at.run()
    assert not at.exception, at.exception


def _clear_rules(at: AppTest) -> None:
    at.switch_page("pages/neighbors.py").run()
    _set_rules(at, same=[], different=[], max_per=[], diversity=0.0, price_on=False)
    assert _config(at).rules.to_dict() == {}


@pytest.mark.parametrize("page", TUNE_PAGES)
def test_tuning_pages_render(app, page):
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not app.error, element_texts(app.error)


def test_same_category_rule_applies_live_and_counts_short_lists(app):
    app.switch_page("pages/neighbors.py").run()
    _set_rules(app, same=["category"], max_per=["brand"], max_per_n=2)
    cfg = _config(app)
    assert cfg.rules.to_dict() == {"same": ["category"], "max_per": {"brand": 2}}
    product = app.dataframe[0].value
    source_row = app.session_state["catalog.catalog"].frame
    picked = app.selectbox(key="neighbors.product").value
    assert (product["category"] == source_row["category"].iloc[picked]).all()
    assert product["brand"].value_counts().max() <= 2
    assert "lists are shorter than 10, made short by: " in element_texts(app.caption)
    assert "same category" in element_texts(app.caption)
    assert any("Short lists after the rules" in str(h.value) for h in app.subheader)
    # what the rules compare, then the id: after a wide title the id hid them at 1280 px
    order = list(app.dataframe[0].proto.column_order)
    assert order[:3] == ["rank", "score", "title"] and order[-1] == "id", order
    assert order.index("category") < order.index("id") and "brand" in order
    # how short before the title: after it the count was out of sight at 1024 px
    short = next(d.value for d in app.dataframe if "neighbours" in d.value.columns)
    assert list(short.columns) == ["id", "neighbours", "title"]
    _clear_rules(app)


def test_heatmap_of_a_product_follows_short_lists_and_diversity(app):
    app.switch_page("pages/neighbors.py").run()
    _set_rules(app, same=["category"], diversity=0.3)
    app.switch_page("pages/heatmap.py").run()
    app.radio(key="heatmap.source_choice").set_value("A product and its neighbours").run()
    assert not app.exception, app.exception
    assert not app.error, element_texts(app.error)
    _clear_rules(app)


def test_bad_bands_text_shows_an_error_and_keeps_the_config(app):
    app.switch_page("pages/neighbors.py").run()
    before = _config(app)
    app.text_input(key="neighbors.bands.text").input("duplicate=high").run()
    assert not app.exception
    assert "bands" in element_texts(app.error)
    assert _config(app) == before
    app.text_input(key="neighbors.bands.text").input("").run()
    assert not app.error


def test_a_malformed_pair_line_shows_an_error_and_keeps_what_is_typed(app):
    """A pair line without two ids showed a traceback (its error was raised outside the
    panel's check), and the full-width comma a Chinese keyboard types was not a comma."""
    app.switch_page("pages/neighbors.py").run()
    app.text_area(key="neighbors.rules.blocked").input("1， 2").run()
    assert _config(app).rules.to_dict() == {"blocked": [["1", "2"]]}
    before = _config(app)
    app.text_area(key="neighbors.rules.pinned").input("0, 5\nonly-one-id").run()
    assert not app.exception, app.exception
    assert "line 2: write a product id, a comma and a neighbour id" in element_texts(app.error)
    assert _config(app) == before
    assert app.text_area(key="neighbors.rules.blocked").value == "1， 2"  # nothing typed is lost
    app.text_input(key="neighbors.bands.text").input("duplicate＝0.95， close=0.8").run()
    app.text_area(key="neighbors.rules.pinned").input("0, 5").run()
    assert not app.exception and not app.error, element_texts(app.error)
    cfg = _config(app)
    assert cfg.rules.to_dict() == {"pinned": [["0", "5"]], "blocked": [["1", "2"]]}
    assert cfg.bands == {"duplicate": 0.95, "close": 0.8}
    app.text_input(key="neighbors.bands.text").input("").run()
    _set_rules(app, pinned="", blocked="")
    assert _config(app).rules.to_dict() == {}


def test_review_accept_is_stored_and_pins_the_pair(app):
    from core.lists.review import ReviewStore, review_key
    from core.workspace import Workspace

    app.switch_page("pages/review.py").run()
    first = [c.value for c in app.caption if str(c.value).startswith("id ")][:2]
    app.button(key="review.accept").click().run()
    assert not app.exception, app.exception
    catalog = app.session_state["catalog.catalog"]
    decided = ReviewStore(Workspace.default().db_path, review_key(catalog), owner=None).decisions()
    assert list(decided["decision"]) == ["accept"]
    assert [f"id {decided.left_id[0]}", f"id {decided.right_id[0]}"] == first
    now = [c.value for c in app.caption if str(c.value).startswith("id ")][:2]
    assert now != first
    app.button(key="review.undo").click().run()
    assert ReviewStore(Workspace.default().db_path, review_key(catalog), owner=None).decisions().empty


def test_saved_configuration_replays_unchanged_in_the_cli(app, tmp_path):
    from components.state import DEMO_PATH
    from components.widgets import config_bytes
    from core.cli import main

    app.switch_page("pages/neighbors.py").run()
    _set_rules(app, same=["category"], different=[], max_per=["brand"], max_per_n=1,
               diversity=0.3)
    app.switch_page("pages/export.py").run()
    assert any(b.label == "Save configuration" for b in app.get("download_button"))
    app.switch_page("pages/neighbors.py").run()
    saved = tmp_path / "tuned.json"
    saved.write_bytes(config_bytes(_config(app)))
    rows_label = app.number_input(key="neighbors.all.page").label
    shown = app.dataframe[1].value.reset_index(drop=True)
    out = tmp_path / "lists.csv"
    assert main(["neighbors", str(DEMO_PATH), "--config", str(saved), "--out", str(out),
                 "--no-excel-safe"]) == 0
    cli = pd.read_csv(out, dtype={"source_id": str, "neighbor_id": str}, keep_default_na=False)
    assert f"{len(cli):,} rows" in rows_label
    head = cli.head(len(shown))
    assert head["source_id"].tolist() == shown["source_id"].astype(str).tolist()
    assert head["neighbor_id"].tolist() == shown["neighbor_id"].astype(str).tolist()
    assert head["rank"].tolist() == shown["rank"].tolist()
    assert (head["score"] - shown["score"]).abs().max() < 1e-6
    assert json.loads(saved.read_text())["rules"]["diversity"] == 0.3
    _clear_rules(app)


def test_loading_a_configuration_file_sets_rules_and_widgets(app, tmp_path):
    cfg = _config(app).with_changes(rules={"same": ["category"]}, bands={"duplicate": 0.99})
    app.switch_page("pages/export.py").run()
    app.file_uploader(key="settings.config_file.load").set_value(
        ("tuned.json", cfg.to_json().encode("utf-8-sig"), "application/json")).run()  # Notepad
    assert not app.exception, app.exception
    assert not app.error, element_texts(app.error)
    assert _config(app).rules.to_dict() == {"same": ["category"]}
    assert _config(app).bands == {"duplicate": 0.99}
    app.file_uploader(key="settings.config_file.load").set_value(None).run()
    app.switch_page("pages/neighbors.py").run()
    assert app.multiselect(key="neighbors.rules.same").value == ["category"]
    assert "band" in app.dataframe[0].value.columns
    app.text_input(key="neighbors.bands.text").input("").run()
    _clear_rules(app)


def test_a_configuration_with_an_unknown_key_is_refused(app):
    app.switch_page("pages/export.py").run()
    before = _config(app)
    bad = json.dumps({**before.to_dict(), "rules": {"smae": ["category"]}}).encode()
    app.file_uploader(key="settings.config_file.load").set_value(
        ("bad.json", bad, "application/json")).run()
    assert not app.exception
    assert "Unknown rules key(s): smae" in element_texts(app.error)
    assert _config(app) == before
    app.file_uploader(key="settings.config_file.load").set_value(None).run()


def test_compare_metric_change_reports_overlap(app):
    app.switch_page("pages/compare.py").run()
    app.selectbox(key="compare.metric").set_value("manhattan")
    app.button[[b.label for b in app.button].index("Compare")].click().run()
    assert not app.exception, app.exception
    assert "How meaning is compared: Angle (recommended) → Grid distance" in element_texts(app.markdown)
    labels = [m.label for m in app.metric]
    assert "Mean overlap@10" in labels
    helps = {m.label: m.proto.help for m in app.metric}  # each figure says what it means
    assert "1 = the same products (in any order)" in helps["Mean overlap@10"]
    assert "below 0 = mostly different products" in helps["Mean rank correlation"]
    assert not app.dataframe[0].value.empty


def test_compare_b_identical_to_a_reads_identical_lists(tiny_bert_dir, tmp_path):
    """With B = A, the page said 'B is identical to A' and then 0.914 overlap and 2,230 of
    2,554 lists identical: lists the relevance floor cut short were measured against k."""
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        at.switch_page("pages/compare.py").run()
        at.radio(key="compare.rules").set_value("none")  # A has none either
        at.button[[b.label for b in at.button].index("Compare")].click().run()
        assert not at.exception, at.exception
        assert "B is identical to A" in element_texts(at.markdown)
        shown = {m.label: m.value for m in at.metric}
        assert shown["Mean overlap@10"] == "1.000"
        assert shown["Identical lists (of 2,554)"] == "2,554"


def test_groups_page_lists_groups_and_duplicates(app):
    app.switch_page("pages/groups.py").run()
    table = app.dataframe[0].value
    assert table["size"].sum() == 2554
    assert table["label"].str.len().min() > 0
    app.number_input(key="groups.duplicate_threshold").set_value(0.999).run()
    assert not app.exception, app.exception


def test_groups_start_at_the_size_chosen_for_the_catalog(app):
    """The typical group size starts where this catalog's groups stand furthest apart (a
    fixed 20 made 2 groups of a 59-product shop); moving the slider regroups."""
    from core.lists.groups import MAX_GROUPS_PER_ROOT, SIZE_GRID

    app.switch_page("pages/groups.py").run()
    slider = next(s for s in app.slider if s.label == "Typical group size")
    chosen, groups = slider.value, len(app.dataframe[0].value)
    assert chosen in SIZE_GRID and "furthest apart" in slider.help
    assert 2 <= groups <= MAX_GROUPS_PER_ROOT * 2554 ** 0.5
    assert f"{groups:,} groups" in element_texts(app.caption)
    slider.set_value(chosen * 2).run()
    assert not app.exception, app.exception
    assert len(app.dataframe[0].value) == 2554 // (chosen * 2)
    assert f"{2554 // (chosen * 2):,} groups" in element_texts(app.caption)


def test_the_groups_map_is_drawn_last_so_a_cancelled_map_keeps_the_duplicate_groups(
        app, monkeypatch):
    """The map (a minute the first time on 24,628 products) was drawn before the duplicate
    groups: they waited behind it, and Cancel on its progress bar (which stops the page)
    took them off the page. It is drawn last now, in its place above them."""
    import streamlit as st

    import components.tuning_groups as tuning_groups

    def cancelled(*_args, **_kwargs):
        st.info("Cancelled.")
        st.stop()

    monkeypatch.setattr(tuning_groups, "groups_map", cancelled)
    app.session_state["groups.show_map"] = True
    try:
        app.switch_page("pages/groups.py").run()
        assert not app.exception, app.exception
        assert "duplicate groups" in element_texts(app.caption), element_texts(app.caption)
        assert app.dataframe[0].value["size"].sum() == 2554
    finally:
        app.session_state["groups.show_map"] = False


def test_groups_start_at_the_duplicate_threshold_chosen_on_labelled_pairs(tiny_bert_dir,
                                                                          tmp_path):
    """The Duplicate threshold page saved duplicate_threshold and said nothing reads it:
    the Groups page started at 0.95 on another score. Duplicate groups now use the same
    duplicate score (both products' scores for each other) and start at the saved value."""
    from core.config import Config
    from tests.conftest import make_csv_bytes

    rows = [["id", "title"], *[[str(i), f"{w} item"] for i, w in
                               enumerate(["lamp", "lamp", "cable", "mouse", "tea", "shoe"])]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        at.file_uploader(key="catalog.upload").set_value(
            ("six.csv", make_csv_bytes(rows), "text/csv")).run()
        cfg = at.session_state["settings.config"]
        at.session_state["settings.config"] = Config.from_dict(
            {**cfg.to_dict(), "duplicate_threshold": 0.999})
        at.switch_page("pages/groups.py").run()
        assert not at.exception, at.exception
        assert at.number_input(key="groups.duplicate_threshold").value == pytest.approx(0.999)
        assert "the threshold saved in your settings" in element_texts(at.caption)
        assert "1 duplicate group ·" in element_texts(at.caption)  # the two 'lamp item' rows
        merge = [d.value for d in at.dataframe if "id of the product kept" in d.value.columns]
        assert [m["size"].tolist() for m in merge] == [[2]]


def test_groups_use_the_thresholds_chosen_per_category(tiny_bert_dir, tmp_path):
    """The Duplicate threshold page saves a threshold per category with enough labelled
    pairs and says the others use the global one; nothing read them. Pairs within such a
    category now use its threshold, and the page names them (as literal text)."""
    from core.config import Config
    from tests.conftest import make_csv_bytes

    rows = [["id", "title", "category"], ["0", "red lamp", "**lights**"],
            ["1", "blue lamp stand", "**lights**"], ["2", "cable", "wires"],
            ["3", "usb cable long", "wires"], ["4", "green tea", "tea"], ["5", "shoe", "shoes"]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        at.file_uploader(key="catalog.upload").set_value(
            ("six.csv", make_csv_bytes(rows), "text/csv")).run()
        cfg = at.session_state["settings.config"]
        assert cfg.category_column == "category"
        at.session_state["settings.config"] = Config.from_dict(
            {**cfg.to_dict(), "duplicate_threshold": 1.0,
             "category_thresholds": {"**lights**": 0.0, "absent": 0.5}})
        at.switch_page("pages/groups.py").run()
        assert not at.exception, at.exception
        assert "1 duplicate group ·" in element_texts(at.caption)
        merge = [d.value for d in at.dataframe if "id of the product kept" in d.value.columns]
        assert [m["size"].tolist() for m in merge] == [[2]]
        (own,) = [c.value for c in at.caption if "use the threshold chosen for them" in c.value]
        assert r"\*\*lights\*\* 0.000." in own and "absent" not in own


def test_a_catalog_without_duplicates_says_so_instead_of_an_empty_table(tiny_bert_dir,
                                                                        tmp_path):
    """Only the same text scores 1: at 1.0, distinct products make no duplicate group, and
    the page says so (it showed an empty table reading 'empty')."""
    from tests.conftest import make_csv_bytes

    rows = [["id", "title"], *[[str(i), f"{w} item {i}"] for i, w in
                               enumerate(["lamp", "cable", "mouse", "speaker", "tea", "shoe"])]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        at.file_uploader(key="catalog.upload").set_value(
            ("six.csv", make_csv_bytes(rows), "text/csv")).run()
        at.switch_page("pages/groups.py").run()
        assert at.session_state["settings.config"].duplicate_threshold is None  # a visit sets none
        at.number_input(key="groups.duplicate_threshold").set_value(1.0).run()
        assert not at.exception, at.exception
        assert "0 duplicate groups" in element_texts(at.caption)
        assert "nothing here is a duplicate at this threshold" in element_texts(at.info)
        assert "Export the duplicates to merge" not in element_texts(at.markdown)  # nor an empty file
        # set here, it is in the settings file a nightly merge-map replays (it was not)
        assert at.session_state["settings.config"].duplicate_threshold == 1.0
        at.switch_page("pages/export.py").run()
        assert json.loads(at.session_state["settings.config"].to_json())[
            "duplicate_threshold"] == 1.0


def test_review_and_a_neighbour_list_open_explain_on_their_pair(app):
    """"Why is this pair 1.00?" had no answer from where a merchandiser asks it: Explain
    opened on the catalog's first product and its best neighbour, to be picked again."""
    app.switch_page("pages/review.py").run()
    first = [str(c.value)[3:] for c in app.caption if str(c.value).startswith("id ")][:2]
    app.button(key="review.explain").click().run()
    assert not app.exception, app.exception
    assert app.text_input(key="explain.left.find").value == first[0]
    assert app.text_input(key="explain.right.find").value == first[1]
    assert app.radio(key="explain.mode").value == "Pick another"
    assert app.get("metric"), "the pair is explained"
    app.switch_page("pages/neighbors.py").run()
    app.text_input(key="neighbors.find").input("2").run()  # the product with id "2"
    row = app.selectbox(key="neighbors.product").value
    third = app.selectbox(key="neighbors.explain_row").options[2]
    app.selectbox(key="neighbors.explain_row").select(third).run()
    app.button(key="neighbors.to_explain").click().run()
    assert not app.exception, app.exception
    catalog = app.session_state["catalog.catalog"]
    assert app.selectbox(key="explain.left.product").value == row
    chosen = app.selectbox(key="explain.right.product").value
    assert chosen != row and app.text_input(key="explain.right.find").value == \
        str(catalog.ids[chosen])
    assert third.startswith(f"{catalog.ids[chosen]} — ")


def test_a_group_member_opens_its_neighbour_list(app):
    app.switch_page("pages/groups.py").run()
    members = app.selectbox(key="groups.open_row").options
    assert len(members) > 1
    app.selectbox(key="groups.open_row").select(members[1]).run()
    app.button(key="groups.to_neighbors").click().run()
    assert not app.exception, app.exception
    catalog = app.session_state["catalog.catalog"]
    row = app.selectbox(key="neighbors.product").value
    assert members[1].startswith(f"{catalog.ids[row]} — ")


def test_review_keyboard_shortcuts_are_set(app):
    app.switch_page("pages/review.py").run()
    shortcuts = {b.key: b.proto.shortcut for b in app.button if b.key and b.key.startswith(
        "review.")}
    assert shortcuts["review.accept"] == "a" and shortcuts["review.reject"] == "x"
    assert shortcuts["review.skip"] == "s"


def test_pages_are_in_the_navigation():
    source = (REPO_ROOT / "app.py").read_text(encoding="utf-8")
    for page in TUNE_PAGES:
        assert f'"{page}"' in source
        assert Path(REPO_ROOT / page).exists()


def test_relevance_floor_slider_reaches_the_config_and_names_the_short_lists(app):
    app.switch_page("pages/neighbors.py").run()
    slider = app.slider(key="neighbors.relevance_floor")
    assert slider.value == pytest.approx(_config(app).relevance_floor)
    slider.set_value(0.99).run()
    assert not app.exception, app.exception
    assert _config(app).relevance_floor == pytest.approx(0.99)
    captions = element_texts(app.caption)
    assert "lists are shorter than 10, made short by: unrelated products hidden" in captions
    said = captions + " ".join(c.proto.help for c in app.caption)  # in the text or its help
    assert "0.90 and up = the same product" in said  # what scores mean
    scores = app.dataframe[0].value["score"]
    assert scores.between(0, 1).all()
    app.slider(key="neighbors.relevance_floor").set_value(0.0).run()
    assert "unrelated products hidden" not in element_texts(app.caption)
    app.slider(key="neighbors.relevance_floor").set_value(0.9).run()


def test_a_column_name_in_the_short_lists_line_is_text_not_markdown(tiny_bert_dir, workspace,
                                                                     monkeypatch):
    """The rule names in "made short by: same <column>" quote the user's column name: it
    must reach the Neighbours and Export captions escaped (no bold, no link)."""
    from tests.conftest import make_csv_bytes

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    column = "**Kind** [x](http://evil.example)"
    rows = [["sku", "title", column],
            *[[f"S{i}", f"{c} {w} {i}", c] for i, (c, w) in
              enumerate([(c, w) for c in ("red", "blue", "green") for w in ("cup", "lamp", "pen",
                                                                            "desk")])]]
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    at.file_uploader(key="catalog.upload").set_value(("shop.csv", make_csv_bytes(rows),
                                                      "text/csv")).run()
    at.switch_page("pages/neighbors.py").run()
    _set_rules(at, same=[column])
    for page in ("pages/neighbors.py", "pages/export.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        short = [str(c.value) for c in at.caption if "made short by" in str(c.value)]
        assert short, page
        assert r"\*\*Kind\*\* \[x\]" in short[0] and "**Kind**" not in short[0], short[0]



def test_price_check_says_which_products_it_could_not_check(app):
    """'2,347 products checked' of the demo's 2,554, with no word on the other 207."""
    import re

    from core.lists.pricecheck import parse_prices

    app.switch_page("pages/prices.py").run()
    assert not app.exception, app.exception
    cat = app.session_state["catalog.catalog"]
    unpriced = int(np.isnan(parse_prices(cat.frame[cat.mapping.price])).sum())
    assert unpriced > 0  # the demo has empty and zero prices
    captions = element_texts(app.caption)
    found = re.search(r"([\d,]+) products checked.*\nNot checked: ([\d,]+) products without a "
                      r"price, ([\d,]+) with fewer than 3 similar", captions)
    assert found, captions
    checked, none, few = (int(g.replace(",", "")) for g in found.groups())
    assert none == unpriced and checked + none + few == len(cat)


def _price_counts(at: AppTest) -> tuple[int, int, int]:
    """(checked, over, under) from the Price check page's caption."""
    import re

    found = re.search(r"([\d,]+) products checked.* ([\d,]+) over-priced · ([\d,]+) under",
                      element_texts(at.caption))
    assert found, element_texts(at.caption)
    return tuple(int(g.replace(",", "")) for g in found.groups())


def test_price_check_leaves_out_the_price_range_rule(app):
    """With the price-range rule on (0.5 to 2 times), each product was checked only against
    products priced like it: on walmart 0 over- and 0 under-priced (42 and 33 without it),
    with no word why. The check now leaves that one rule out, says so, and keeps the rest."""
    _clear_rules(app)
    app.switch_page("pages/prices.py").run()
    plain = _price_counts(app)
    assert plain[1] + plain[2] > 0
    app.switch_page("pages/neighbors.py").run()
    _set_rules(app, price_on=True)
    assert _config(app).rules.price_ratio == (0.5, 2.0)
    app.switch_page("pages/prices.py").run()
    assert not app.exception, app.exception
    assert _price_counts(app) == plain
    assert "price-range rule is left out" in element_texts(app.caption)
    _clear_rules(app)


def test_the_figures_of_hubs_and_price_outliers_lead_their_tables(app):
    """At 1024 px the hubs' 'in lists' count and the outliers' flag, median and ratio were cut
    off to the right of a wide title and the id: they now come right after the title."""
    _clear_rules(app)
    app.switch_page("pages/health.py").run()
    hubs = next(d for d in app.dataframe if "in lists" in d.value.columns)
    assert list(hubs.proto.column_order) == ["title", "in lists", "product_id"]
    # narrow: a long header (Chinese) widened it and pushed its numbers out of sight; wide
    # enough for that header (出现在列表中) now that the table has the page's width
    assert json.loads(hubs.proto.columns)["in lists"]["width"] == 100
    app.switch_page("pages/prices.py").run()
    outliers = next(d for d in app.dataframe if "flag" in d.value.columns)
    assert list(outliers.proto.column_order)[:5] == ["title", "flag", "price",
                                                     "median of similar", "price / median"]
    assert list(outliers.proto.column_order)[-1] == "product_id"
    # two decimals each: 70416.5 over 10682.45 over 1584, a ratio of 90.246 took more room
    shown = json.loads(outliers.proto.columns)
    assert [shown[c]["type_config"]["format"] for c in
            ("price", "median of similar", "price / median", "how unusual")] == [
        "%.2f", "%.2f", "%.2f", "%.1f"]
    # in the legend's words (and the interface language), not core's codes over / under
    assert set(outliers.value["flag"]) <= {"over-priced", "under-priced"}
    assert len(set(outliers.value["flag"])) == 2


def test_a_price_column_with_no_price_says_so_instead_of_an_empty_check(tiny_bert_dir,
                                                                        tmp_path):
    """A price column of 'call us' cells drew an empty chart and 'No price stands out at this
    setting. Move the first slider to the left': it now says that no cell reads as a price
    and where to choose another column."""
    from tests.conftest import make_csv_bytes

    rows = [["id", "title", "price"], *[[f"S{i}", f"lamp {w} {i}", "call us"]
                                         for i, w in enumerate(["red", "blue", "big"] * 3)]]
    with running_app(tiny_bert_dir, tmp_path / "ws") as at:
        at.file_uploader(key="catalog.upload").set_value(("shop.csv", make_csv_bytes(rows),
                                                          "text/csv")).run()
        at.switch_page("pages/prices.py").run()
        assert not at.exception, at.exception
        assert "No cell of the price column price reads as a price" in element_texts(at.warning)
        assert "Move the first slider" not in element_texts(at.caption)
        assert not at.get("plotly_chart")


def test_price_check_says_which_products_are_priced_in_another_currency(tiny_bert_dir,
                                                                        tmp_path):
    """Etsy's PRICE beside CURRENCY_CODE: the yen products are no price to compare with
    dollars, and the page says so rather than counting them as products without a price."""
    from tests.conftest import make_csv_bytes

    rows = [["SKU", "TITLE", "PRICE", "CURRENCY_CODE"],
            *[[f"E{i}", f"handmade {w} {i}", "1980" if i % 5 == 0 else f"{12 + i % 4}.50",
               "JPY" if i % 5 == 0 else "USD"]
              for i, w in enumerate(["scarf", "hat", "mug", "ring"] * 5)]]
    with running_app(tiny_bert_dir, tmp_path / "ws") as at:
        at.file_uploader(key="catalog.upload").set_value(("etsy.csv", make_csv_bytes(rows),
                                                          "text/csv")).run()
        at.switch_page("pages/prices.py").run()
        assert not at.exception, at.exception
        captions = element_texts(at.caption)
        assert "Not checked: 4 products without a price" in captions, captions
        assert "4 of the products without a price are priced in another currency" in captions


def test_a_price_column_in_two_units_is_named_on_the_catalog_and_price_check_pages(
        tiny_bert_dir, tmp_path):
    """Two shops' prices, one in cents: products that name the same model number are 100x
    apart, so the scores leave the column out and both pages say so, with an example."""
    from tests.catalog.test_shop_exports import _cents_beside_dollars

    with running_app(tiny_bert_dir, tmp_path / "ws") as at:
        at.file_uploader(key="catalog.upload").set_value(
            ("two.csv", _cents_beside_dollars(100).encode(), "text/csv")).run()
        assert not at.exception, at.exception
        said = "Prices in column 'price' are left out of the scores"
        assert said in element_texts(at.warning)
        assert "a29 at 39.99 and b29 at 3,900.00" in element_texts(at.warning)
        at.switch_page("pages/prices.py").run()
        assert not at.exception, at.exception
        assert said in element_texts(at.warning)
        at.switch_page("pages/explain.py").run()  # a pair's evidence reads no price
        assert not at.exception, at.exception
        assert "Prices are not compared in this catalog" in element_texts(at.caption)


def test_many_duplicate_groups_are_shown_a_page_at_a_time(tiny_bert_dir, tmp_path):
    """5,780 duplicate groups (24,628 products at 0.7) went to the browser in one table:
    the table now shows a page of them, says how many there are, and every group is on
    some page (the filter finds the last one)."""
    from components.tables import PAGE_ROWS

    n = PAGE_ROWS + 101  # two pages of groups, each two copies of one title
    rows = [["id", "title"], *[[f"p{i}-{c}", f"lamp {i} model x{i * 7}"] for i in range(n)
                               for c in "ab"]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=300) as at:
        _duplicate_groups_at(at, "copies.csv", rows, 1.0)
        assert f"{n:,} duplicate groups" in element_texts(at.caption)
        page = at.number_input(key="groups.duplicates.page")
        assert page.label == f"Page (of 2; {n:,} rows)"
        shown = _duplicates_table(at)
        assert len(shown) == PAGE_ROWS and shown["size"].tolist() == [2] * PAGE_ROWS
        page.set_value(2).run()
        assert len(_duplicates_table(at)) == n - PAGE_ROWS
        at.text_input(key="groups.duplicates.filter").input(f"LAMP {n - 1} ").run()
        found = _duplicates_table(at)
        assert found["product kept"].tolist() == [f"lamp {n - 1} model x{(n - 1) * 7}"]


def _duplicate_groups_at(at: AppTest, name: str, rows: list[list[str]],
                         threshold: float) -> None:
    """Upload rows as a catalog and open the Groups page (no map) at this duplicate threshold."""
    from tests.conftest import make_csv_bytes

    at.file_uploader(key="catalog.upload").set_value((name, make_csv_bytes(rows), "text/csv")).run()
    at.session_state["groups.show_map"] = False
    at.switch_page("pages/groups.py").run()
    at.number_input(key="groups.duplicate_threshold").set_value(threshold).run()
    assert not at.exception, at.exception


def _duplicates_table(at: AppTest) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe if "product kept" in d.value.columns]
    return table


def test_duplicate_groups_do_not_chain_through_other_products(tiny_bert_dir, tmp_path):
    """At 0.6, 12,978 of 24,628 products made one duplicate group by chaining (each a near
    neighbour of the next), and the merge map would fold them all into one product they
    did not duplicate; the page only warned. Each group is now a product and its own
    duplicates: even at 0.01 the 152 products make many groups, none of them all."""
    words = ["lamp", "desk", "cable", "mouse", "chair", "shoe", "phone", "paper"]
    rows = [["id", "title"], *[[f"p{i}", f"{words[i % 8]} {words[(i * 3 + 1) % 8]} {i}"]
                               for i in range(150)],  # more than a pool's 50 candidates
            ["c1", "oak desk chair"], ["c2", "oak desk chair"]]
    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=300) as at:
        _duplicate_groups_at(at, "chain.csv", rows, 1.0)
        assert _duplicates_table(at)["size"].tolist() == [2]  # the two copies
        at.number_input(key="groups.duplicate_threshold").set_value(0.01).run()
        assert not at.exception, at.exception
        sizes = _duplicates_table(at)["size"]
        assert len(sizes) > 1 and sizes.max() < 152 and sizes.sum() <= 152
        assert "every other product in the group is a duplicate of it" in \
            element_texts(at.caption)
        assert not [w.value for w in at.warning if "only through other" in w.value]


def test_a_graphics_card_precision_on_a_cpu_is_warned_where_it_is_chosen(app, monkeypatch):
    """Half (graphics card) on a computer without one failed only when products were read,
    with "fp16 needs a CUDA device"; the choice now says so where it is made."""
    import core.embed.models as models

    monkeypatch.setattr(models, "default_device", lambda: "cpu")
    app.switch_page("pages/catalog.py").run()
    box = app.selectbox(key="settings.precision")
    assert "no graphics card" not in element_texts(app.warning)
    box.set_value("fp16").run()
    try:
        assert not app.exception, app.exception
        assert "This computer has no graphics card" in element_texts(app.warning)
        assert "Choose Automatic" in element_texts(app.warning)
    finally:
        app.selectbox(key="settings.precision").set_value("auto").run()
    assert "no graphics card" not in element_texts(app.warning)
