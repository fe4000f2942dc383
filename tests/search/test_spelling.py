"""Queries typed through a pinyin keyboard: homophone typos and pinyin respelt in the
catalog's characters, English typos put right (core/search/spelling.py), and the search
that shows them."""

from __future__ import annotations

import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.config import Config
from core.pipeline import search, search_as_meant
from core.search.index import NeighborIndex
from core.search.lexical import build_index
from core.search.spelling import MAX_CHANGES, Speller, english_words, readings

# Synthetic titles written for these tests.
ZH_TITLES = ["兰芝水乳套装 补水保湿", "兰芝雪纱隔离霜 紫色", "雅诗兰黛小棕瓶精华", "绿色保温杯 不锈钢",
             "银行卡套 男士真皮", "Sony 耳机 WH-1000XM4 降噪", "大落地窗 铝合金", "种花吕条线 盆景",
             "西安特产 肉夹馍", "DA 果汁 橙味"]
EN_TITLES = ["usb cable 2m", "hdmi cable gold", "wireless mouse", "long dress red", "men shoes"]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller.build(build_index(ZH_TITLES))


def test_readings_drop_tones_and_type_u_umlaut_as_v():
    assert readings("兰") == ("lan",)
    assert readings("绿")[0] == "lv" and "lu" in readings("绿")
    assert readings("a") == ()


@pytest.mark.parametrize("typed, meant", [
    ("兰之", "兰芝"),                   # a homophone from the pinyin keyboard
    ("兰之水乳", "兰芝水乳"),
    ("蘭之水乳", "兰芝水乳"),           # traditional characters read as simplified
    ("lanzhi", "兰芝"),                 # pinyin, joined
    ("lan zhi shui ru", "兰芝水乳"),    # pinyin, a syllable a word
    ("lanzhi shuiru", "兰芝水乳"),
    ("LanZhi", "兰芝"),
    ("lüse baowenbei", "绿色保温杯"),   # ü typed as it is, or as v
    ("lvse baowenbei", "绿色保温杯"),
    ("sony erji", "sony 耳机"),         # a brand stays as typed
    ("da luo di chuang", "大落地窗"),   # "da" is a word of the catalog (DA 果汁), still pinyin here
    ("zhong hua lv xian", "种花吕线"),  # spaced syllables: "xian" is 线, not 西安
    ("xian", "西安"),
])
def test_respell_writes_the_query_as_the_catalog_does(speller, typed, meant):
    assert speller.respell(typed) == meant


@pytest.mark.parametrize("typed", ["兰芝", "兰芝水乳", "耳机", "sony", "usb cable", "xyz", "", "  ",
                                   "lan", "WH-1000XM4", "兰"])
def test_respell_leaves_alone_what_the_catalog_has_or_nothing_sounds_like(speller, typed):
    assert speller.respell(typed) is None


def test_a_chinese_query_changes_one_character_at_most(speller):
    # 兰之 and 保问杯 are two typos; only the one that adds the most catalog pairs is fixed
    out = speller.respell("兰之保问杯")
    assert out is not None and sum(a != b for a, b in zip("兰之保问杯", out)) == MAX_CHANGES == 1


def test_an_english_catalog_respells_typos_of_its_own_words_only():
    """A letter missing, added, changed or two swapped, in a word of 4+ letters the catalog
    lacks, becomes the catalog's word; known words, short words, English words of the
    dictionary (a query for what the shop does not sell) and Chinese stay as typed."""
    speller = Speller.build(build_index([*EN_TITLES, "garden home decor", "samsung tv 40"]))
    assert not speller.chinese
    for typed, meant in [("usb cabel", "usb cable"), ("wireles mouse", "wireless mouse"),
                         ("Samsng TV", "samsung tv"), ("long dres", "long dress"),
                         ("wirelesss mousse", "wireless mouse")]:
        assert speller.respell(typed) == meant, typed
    assert speller.respell("samsng wirless cabel") == "samsung wireless cabel"  # two at most
    # a plural is an English word, but the catalog writes it in the singular
    assert speller.respell("usb cables") == "usb cable"
    assert speller.respell("mice") is None and speller.respell("dresses") == "dress"
    for q in ["lanzhi", "long dress", "men", "mou", "兰之", "banana", "garden hose"]:
        assert speller.respell(q) is None, q  # "hose" is a word, not a typo of "home"
    assert "hose" in english_words() and "samsng" not in english_words()
    assert speller.made_words("usb cabel", "usb cable") == ["cable"]


def test_made_words_are_the_catalog_pairs_the_respelling_put_in(speller):
    assert speller.made_words("兰之水乳", "兰芝水乳") == ["兰芝", "芝水"]  # 水乳 was typed
    assert speller.made_words("lan zhi shui ru", "兰芝水乳") == ["兰芝", "芝水", "水乳"]
    assert speller.made_words("兰之保问杯", "兰芝保问杯") == ["兰芝"]  # 芝保 no catalog pair
    assert speller.made_words("兰芝", "兰芝") == []


def test_shows_the_respelling_only_when_it_scores_higher_and_its_first_product_has_its_word(
        speller):
    assert speller.shows("兰之", "兰芝", 0.3, 0, 0.8)  # P0 兰芝水乳套装 has 兰芝
    assert speller.shows("兰之", "兰芝", 0.3, 1, 0.8)  # P1 兰芝雪纱隔离霜 too
    assert not speller.shows("兰之", "兰芝", 0.8, 0, 0.8)  # not better
    # higher, but the first product (绿色保温杯) lacks 兰芝: the score came from elsewhere
    assert not speller.shows("兰之", "兰芝", 0.3, 3, 0.8)
    assert speller.shows("lan zhi shui ru", "兰芝水乳", 0.1, 0, 0.8)  # pinyin: the same rule
    assert not speller.shows("lan zhi shui ru", "兰芝水乳", 0.1, 5, 0.8)
    assert not speller.shows("兰之", "兰芝", 0.3, -1, 0.8)  # no product (an empty list's pad)


def _index(titles: list[str], encoder, weight: float) -> tuple[NeighborIndex, object]:
    catalog = build_catalog(pd.DataFrame({"id": [f"P{i}" for i in range(len(titles))],
                                          "title": titles}),
                            ColumnMapping(text_columns=("title",), id_column="id"))
    return NeighborIndex.build(catalog, encoder.encode(catalog.texts),
                               Config(hybrid_weight=weight)), catalog


def test_search_as_meant_shows_the_respelt_results_when_they_match_better(tiny_encoder):
    index, cat = _index(ZH_TITLES, tiny_encoder, 1.0)
    typed = search("兰之水乳", tiny_encoder, index, k=5, ids=cat.ids)
    answer = search_as_meant("兰之水乳", tiny_encoder, index, k=5, ids=cat.ids)
    assert answer.respelt and (answer.query, answer.typed) == ("兰芝水乳", "兰之水乳")
    assert answer.hits[0].product_id == "P0" and answer.hits[0].score > typed[0].score
    assert [(h.index, h.score) for h in answer.typed_hits] == [(h.index, h.score) for h in typed]
    pinyin = search_as_meant("lan zhi shui ru", tiny_encoder, index, k=5, ids=cat.ids)
    assert pinyin.respelt and pinyin.hits[0].product_id == "P0"
    exact = search_as_meant("兰芝水乳", tiny_encoder, index, k=5, ids=cat.ids)
    assert not exact.respelt and exact.hits == exact.typed_hits


def test_search_as_meant_on_an_english_catalog_fixes_typos_only(tiny_encoder):
    index, cat = _index(EN_TITLES * 3, tiny_encoder, 0.7)
    for q in ["usb cable", "lanzhi", "long dress", "men", "兰之"]:
        answer = search_as_meant(q, tiny_encoder, index, k=4, ids=cat.ids)
        typed = search(q, tiny_encoder, index, k=4, ids=cat.ids)
        assert not answer.respelt and answer.query == q
        assert [(h.index, h.score) for h in answer.hits] == [(h.index, h.score) for h in typed]
    typed = search("wireles mouse", tiny_encoder, index, k=4, ids=cat.ids)
    answer = search_as_meant("wireles mouse", tiny_encoder, index, k=4, ids=cat.ids)
    assert answer.respelt and answer.query == "wireless mouse"
    assert cat.texts[answer.hits[0].index] == "wireless mouse"
    assert answer.hits[0].score > typed[0].score


def test_cli_search_prints_the_respelt_results_and_exact_the_typed_ones(tmp_path, workspace,
                                                                        tiny_bert_dir, capsys):
    from core.cli import main

    path = tmp_path / "zh.csv"
    path.write_text("id,title\n" + "".join(f"P{i},{t}\n" for i, t in enumerate(ZH_TITLES)),
                    encoding="utf-8")
    args = ["search", str(path), "--model", str(tiny_bert_dir), "--text-cols", "title",
            "--id-col", "id", "--hybrid-weight", "1", "--k", "3", "--query", "lanzhi shuiru"]
    assert main(args) == 0
    out = capsys.readouterr()
    first = out.out.splitlines()[1].split(",")  # rank, product_id, title, score
    assert first[1] == "P0"
    assert "showing results for '兰芝水乳'" in out.err and "--exact" in out.err
    assert main([*args, "--exact"]) == 0
    out = capsys.readouterr()
    assert "showing results" not in out.err
    assert float(out.out.splitlines()[1].split(",")[-1]) < float(first[-1])
