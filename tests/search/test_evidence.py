"""core.search.evidence, core.search.evidence_weights and the evidence-changed scores of the NeighborIndex."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import ConfigError
from core.search.calibration import BUNDLED, FUSED_ONLY, Calibration
from core.search.evidence import FEATURES, TextEvidence, model_number, read_text
from core.search.evidence_weights import PAIR_FEATURES, evidence_change, fit_evidence_weights
from core.search.generic_codes import GENERIC_CODES
from core.search.index import NeighborIndex
from core.search.lexical import build_index


def _each_pair(texts: list[str], feature: str) -> list[float]:
    """The feature of each pair of texts in turn (the 1st with the 2nd, the 3rd with the
    4th, ...)."""
    pairs = TextEvidence.build(texts).pairs(np.arange(0, len(texts), 2),
                                            np.arange(1, len(texts), 2))
    return pairs[:, FEATURES.index(feature)].tolist()

def test_model_codes_sizes_colours_and_condition_are_read():
    codes, sizes, colours, used, _ = read_text("Brother HL-4570CDW colour laser, 16 GB, Black")
    assert "hl4570cdw" in codes and sizes == {"gb=16"} and colours and not used
    assert read_text("brother hl4570cdw")[0] & read_text("brother hl 4570cdw")[0] == {"hl4570cdw"}
    # speeds, sizes and file formats are not model codes; "mp3" is not 3 megapixels
    codes, sizes, _, _, _ = read_text("verbatim 52x cd-r 700 mb mp3 player 1080p")
    assert codes == {"mp3"} and sizes == {"mb=700"}
    assert read_text("lbs 36 x 1000 ft")[0] == set()  # a unit and a number are not a code
    assert read_text("hp 45 remanufactured ink")[3] and read_text("兼容 墨盒")[3]
    assert read_text("红色 手机壳")[2] == read_text("red phone case")[2] != 0


def test_pairs_and_blocks_agree_and_common_codes_do_not_count():
    texts = ["sandisk ultra 16gb sdhc card black", "sandisk ultra 32gb sdhc card black",
             "sandisk sdsdu-016g ultra 16 gb card", "hp c8560a drum unit red",
             "hp c8560a drum unit blue", "ink cartridge compatible with hp c8560a",
             "logitech m310 mouse", "logitech m310 wireless mouse"]
    texts += [f"generic usb3 hub {i}" for i in range(10)]  # usb3 in 10 of 18 products
    ev = TextEvidence.build(texts)
    left, right = np.repeat(np.arange(len(texts)), len(texts)), np.tile(np.arange(len(texts)),
                                                                       len(texts))
    np.testing.assert_array_equal(ev.pairs(left, right).reshape(len(texts), len(texts), -1),
                                  ev.block(np.arange(len(texts)), np.arange(len(texts))))
    f = dict(zip(FEATURES, ev.pairs([0, 3, 3, 6, 8], [1, 4, 5, 7, 9]).T))
    assert f["size_conflict"].tolist() == [1, 0, 0, 0, 0]  # 16gb vs 32gb
    assert f["colour_conflict"].tolist() == [0, 1, 0, 0, 0]  # red vs blue
    assert f["condition_conflict"].tolist() == [0, 0, 1, 0, 0]  # a compatible copy
    assert f["code_shared"].tolist() == [0, 1, 1, 1, 0]  # "usb3" names no one product
    assert ev.same_text([0, 0], [0, 1]).tolist() == [True, False]
    queries = ev.read(["HP C8560A drum", "sandisk 64 gb card", "unheard x999z"])
    q = dict(zip(FEATURES, ev.pairs([0, 1, 2], [3, 0, 3], queries).T))
    assert q["code_shared"].tolist() == [1, 0, 0] and q["size_conflict"].tolist() == [0, 1, 0]


def test_versions_standards_and_resolutions_are_not_model_codes():
    """"usb 2.0" read as the code usb20, "lcd 1080p" as lcd1080p and "802.11" as 80211: two
    usb 2.0 enclosures or two 1080p TVs of different makers "shared a model code"."""
    for text in ("sabrent usb 2.0 wireless 802.11 g adapter", "philips 46 class lcd 1080p",
                 "midland hd 720p action camera", "uniden dect 6.0 phone", "asus dvd 24x drive"):
        assert read_text(text)[0] == set(), text
    assert read_text("fellowes sh 230 shredder")[0] == {"sh230"}  # a model, glued as before
    assert read_text("canon eos 60d body")[0] == {"eos60d"}
    assert read_text("acer ps.val03 desktop")[0] == {"psval03"}


def test_different_decimal_numbers_are_different_versions_standards_or_sizes():
    """A decimal number is no model code (usb 2.0), but two texts that both name some and
    share none differ in a version, a standard or a size whose unit the shop dropped."""
    texts = ["verbatim store n go usb 2.0 portable hard drive 500gb",
             "verbatim store n go usb 3.0 portable hard drive 500 gb",
             "adobe photoshop 6.0 for windows", "adobe photoshop 7.0 windows",
             "vantec nexstar dual 3.5 sata enclosure", "vantec nexstar dual 3.5-inch enclosure",
             "netgear 802.11n wireless router", "netgear 802.11g wireless router",
             "green onions supply screen protector for 10.1 tablet",
             "green onions supply screen protector for 7.0 tablet",
             "photoshop 6.0.1 update", "adobe photoshop 6.0 for windows"]
    ev = TextEvidence.build(texts)
    f = dict(zip(FEATURES, ev.pairs([0, 2, 4, 6, 8, 10], [1, 3, 5, 7, 9, 11]).T))
    # usb 2.0/3.0 | 6.0/7.0 | 3.5/3.5-inch | 802.11 both | 10.1/7.0 | 6.0.1 is no decimal
    assert f["size_conflict"].tolist() == [1, 1, 0, 0, 1, 0]
    assert not read_text("usb 2.0")[0] and read_text("usb 2.0")[1] == {"dec=2"}


def test_codes_common_in_the_reference_catalogs_are_not_model_codes_in_a_small_one():
    """In a small catalog every code is rare: "ddr3" and "cat6" read as model codes there,
    and two memory modules or two network cables of different makers were lifted to "the
    same product". A real code still counts."""
    texts = ["kingston valueram 2gb ddr3 desktop memory", "corsair vengeance 4gb ddr3 memory",
             "link depot 3 ethernet cat6 cable gray", "v7 10 cat6 patch cable gray",
             "hp q1413a universal paper", "hewlett packard heavyweight paper q1413a"]
    assert {"ddr3", "cat6"} <= GENERIC_CODES
    ev = TextEvidence.build(texts)
    shared = ev.pairs([0, 2, 4], [1, 3, 5])[:, FEATURES.index("code_shared")]
    assert shared.tolist() == [0, 0, 1]
    assert read_text(texts[0])[0] == {"ddr3"}  # read as a code, left out by the catalog


def test_model_codes_of_one_series_conflict_and_other_codes_do_not():
    """cs3 / cs4, hd6870 / hd6850 and mb225lla / mb226ll/a are models of one series (the same
    letters, digits that differ); u5140 / u5140900 (more digits: one shop's longer part
    number) and two unrelated codes are not, and a shared code outweighs a second one."""
    texts = ["adobe photoshop cs3", "adobe photoshop cs4 upgrade", "radeon hd6870 1gb",
             "radeon hd 6850 1 gb card", "apple ipod shuffle mb225lla", "ipod shuffle mb226ll/a",
             "hoover u5140 vacuum", "hoover company u5140900 upright", "sony kdl40v4100 tv",
             "logitech m310 mouse", "canon cli221 2948b001 magenta", "canon cli221 2949b001 cyan"]
    ev = TextEvidence.build(texts)
    left, right = [0, 2, 4, 6, 8, 10], [1, 3, 5, 7, 9, 11]
    f = dict(zip(FEATURES, ev.pairs(left, right).T))
    assert f["code_conflict"].tolist() == [1, 1, 1, 0, 0, 0]
    assert f["code_shared"].tolist() == [0, 0, 0, 0, 0, 1]
    block = ev.block(np.arange(len(texts)), np.arange(len(texts)))
    assert block[left, right, FEATURES.index("code_conflict")].tolist() == [1, 1, 1, 0, 0, 0]
    # a search query is read against the catalog's codes: a code the catalog names
    queries = ev.read(["photoshop cs4", "photoshop cs9"])
    q = ev.pairs([0, 1], [0, 0], queries)[:, FEATURES.index("code_conflict")]
    assert q.tolist() == [1, 0]  # cs9 is in no product: no series known for it


def test_years_and_platforms_tell_editions_apart():
    """A software title's year, version or platform names its edition: "quickbooks pro 2008"
    is not "... 2009", version 9 not version 8, and the Mac edition is not the Windows one;
    a product for both, a year inside a model range ("2004-2011") or volts ("5 v") conflict
    with nothing."""
    texts = ["intuit quickbooks pro 2008", "intuit quickbooks pro 2009 for windows",
             "microsoft office 2008 for mac", "microsoft office 2008 windows",
             "kensington mouse for mac or pc", "kensington mouse for windows",
             "quickbooks pro 2008 2009 bundle", "truck visor 2004-2011 f250",
             "truck visor 2010", "visual foxpro v. 9.0 professional",
             "microsoft visual foxpro version 8 pro", "foxpro v9 .0", "usb charger 5 v 2 a",
             "usb charger 5 v 1 a"]
    ev = TextEvidence.build(texts)
    conflict = ev.pairs([0, 2, 4, 0, 1, 7, 0, 9, 9, 11], [1, 3, 5, 6, 6, 8, 2, 10, 11, 12])[
        :, FEATURES.index("version_conflict")]
    assert conflict.tolist() == [1, 1, 0, 0, 0, 0, 0, 1, 0, 0]
    # a search query reads years and platforms as products do
    q = ev.read(["quickbooks 2009", "office for mac"])
    assert ev.pairs([0, 0, 1, 1], [0, 1, 3, 2], q)[:, FEATURES.index("version_conflict")] \
        .tolist() == [1, 0, 1, 0]


def test_edition_words_tell_editions_apart():
    """Both name editions and each names one the other does not ("standard" against
    "home and student"; "home premium" against "home basic"; QuickBooks Premier against
    Pro), or one is an upgrade of
    the other: a conflict. Synonyms ("pro" = "professional"), one naming more of the
    same ("premium home theater" against "home theater") or one naming none ("memory
    upgrade" against a module) conflict with nothing; "da-lite" is a brand, not "lite"."""
    texts = ["microsoft office 2007 standard", "microsoft office home and student 2007",
             "windows vista home premium", "windows vista home basic",
             "sony home theater system", "sony premium home theater system",
             "adobe creative suite cs5 design premium upgrade", "adobe cs5 design premium",
             "kingston 4gb memory upgrade", "kingston 4gb ddr3 module",
             "adobe acrobat 9 professional", "acrobat 9 pro for windows",
             "da-lite da-plex deluxe screen", "da-plex deluxe rear screen",
             "办公软件 专业版", "办公软件 家庭版",
             "quickbooks premier 2008", "intuit quickbooks pro 2008"]
    assert _each_pair(texts, "version_conflict") == [1, 1, 0, 1, 0, 0, 0, 1, 1]
    ev = TextEvidence.build(texts)
    q = ev.read(["office 2007 professional", "office standard"])
    assert ev.pairs([0, 1], [0, 0], q)[:, FEATURES.index("version_conflict")].tolist() == [1, 0]


def test_a_language_edition_is_another_product():
    """A course, a dictionary or a software in another language is another product (each
    names a language the other does not); one naming a language the other leaves out, or
    both naming the same, is no conflict, nor are words that only look like a language
    edition ("english" muffins against none, Chinese "英文印花": a print of letters)."""
    texts = ["instant immersion spanish deluxe", "instant immersion french deluxe",
             "learn to speak spanish 9", "learn to speak french 9",
             "french-english dictionary", "spanish-english dictionary",
             "哈利波特 英文版", "哈利波特 中文版",
             "microsoft office basic 2007 spanish", "microsoft office basic 2007",
             "rosetta stone v3: spanish (latin america) level 1",
             "rosetta stone version 3 spanish latin america level 1",
             "bodum chambord french press 8 cup", "bodum french press 8-cup german made",
             "小熊英文印花卫裤", "小熊卫裤 宽松"]
    assert _each_pair(texts, "version_conflict") == [1, 1, 1, 1, 0, 0, 0, 0]


def test_a_game_for_another_console_is_another_product():
    """Each names a console the other does not: another product. The same console written
    two ways, a charger for two consoles against one of them, a "ps2" keyboard (the PS/2
    port) against a USB one and a network switch are no conflict."""
    texts = ["madden nfl 09 wii", "madden nfl 09 playstation 3",
             "lego star wars the complete saga nintendo ds", "lego star wars: the complete saga wii",
             "wii u gamepad charger", "wii remote charger",
             "call of duty 4 xbox 360", "call of duty 4: modern warfare (xbox360)",
             "nyko charge base for xbox 360 and ps3", "nyko charge base ps3",
             "logitech keyboard ps2", "logitech keyboard usb",
             "netgear 8 port switch", "nintendo switch dock"]
    assert _each_pair(texts, "version_conflict") == [1, 1, 1, 0, 0, 0, 0]


def test_another_part_of_a_series_is_another_product():
    """A season, a volume, a level, a grade, a generation: another number of the same kind
    is another product; a range holds its numbers, "4th gen" is "4th generation", and a
    "series" number (a TV's line) is no part."""
    texts = ["the office season 3 dvd", "the office: season 4 (dvd)",
             "rosetta stone spanish level 1", "rosetta stone spanish level 2",
             "rosetta stone spanish levels 1-3", "rosetta stone spanish level 2",
             "reader rabbit 1st grade", "reader rabbit 2nd grade",
             "now that's what i call music vol. 28", "now that's what i call music volume 29",
             "apple ipod touch 32gb 4th gen", "apple ipod touch 4th generation 32 gb",
             "samsung 46 series 6 lcd hdtv", "samsung 6 series ln46a650 lcd tv",
             "samsung 52 series 5 lcd hdtv", "samsung ln52a550 52 lcd hdtv 30,000:1"]
    assert _each_pair(texts, "size_conflict") == [1, 1, 0, 1, 1, 0, 0, 0]


def test_clothes_for_another_wearer_or_in_another_size_are_other_products():
    """Men's is not women's, boys' not girls', men's not kids'; "kids" agrees with girls',
    "unisex" with men's; cable ends (male, female) and Spider-Man are nobody. A size named
    as such (size m, size: large, size 10.5) is a size: "s/m" holds m; "travel size 2 oz"
    is ounces."""
    texts = ["nike air max 90 men's running shoe", "nike air max 90 women's running shoe",
             "carhartt men's knit beanie", "carhartt kids knit beanie",
             "boys crew t-shirt", "girls crew t-shirt",
             "girls' party dress pink", "kids party dress pink",
             "unisex zip hoodie grey", "mens zip hoodie grey",
             "hdmi cable male to female", "hdmi cable male to male",
             "spider-man action figure", "spider-man action figure for girls",
             "nike耐克女鞋 cortez", "nike耐克男士 cortez"]
    assert _each_pair(texts, "version_conflict") == [1, 1, 1, 0, 0, 0, 0, 1]
    sizes = ["hanes crew t-shirt black size m", "hanes crew t-shirt black size: large",
             "nike pegasus size 10.5", "nike pegasus size 10",
             "hanes t-shirt size s/m", "hanes t-shirt size m",
             "travel size 2 oz lotion", "travel size lotion 2oz"]
    assert _each_pair(sizes, "size_conflict") == [1, 1, 0, 0]


def test_an_upgrade_is_not_the_full_software():
    """An upgrade against a text that names no edition word conflicts where the two read
    as software (a year, a version or an edition word on either side, or a platform on
    both, without a capacity): "photoshop cs3 upgrade (mac)" is not "photoshop cs3 (mac)".
    A memory upgrade kit, for laptops or for a Mac, may be the module the other names, and
    "photoshop cs3 upgrade" against "photoshop cs3" says no more than a word."""
    texts = ["adobe photoshop cs3 upgrade (mac)", "adobe photoshop cs3 (mac)",
             "quickbooks pro 2008 upgrade", "intuit quickbooks 2008",
             "acrobat x standard upgrade", "adobe acrobat x windows",
             "corel draw v 15 upg", "coreldraw graphics suite v 15",
             "升级版 办公软件 2010", "办公软件 2010",
             "wintec 4gb ddr2 memory upgrade kit for laptops", "wintec 4gb ddr2 kit",
             "kingston 4gb memory upgrade for mac", "kingston 4gb ddr3 module for mac",
             "photoshop cs3 upgrade", "photoshop cs3",
             "adobe photoshop cs3 upgrade (mac)", "photoshop cs3 upgrade for mac"]
    assert _each_pair(texts, "version_conflict") == [1, 1, 1, 1, 1, 0, 0, 0, 0]


def test_a_yearly_edition_is_not_lifted_as_the_same_product(rng):
    """Shop B sells the same edition as shop A for some products and the next year's for
    others: a same-year pair is lifted as the same product, the next year's edition (each
    other's best candidate all the same) is not, so it scores below the twins."""
    names = ["quickbooks pro", "turbotax deluxe", "norton antivirus", "office home student",
             "photoshop elements", "acrobat standard"]
    texts, vectors = [], []
    centres = rng.normal(size=(len(names), 16))
    for i, name in enumerate(names):
        other = 2008 if i % 2 == 0 else 2009
        texts += [f"{name} 2008", f"new {name} {other} edition"]
        vectors += [centres[i] + 0.05 * rng.normal(size=16) for _ in range(2)]
    vectors = np.asarray(vectors, dtype=np.float32)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts)
    col = PAIR_FEATURES.index("version_conflict")
    s = index.pair_scores(np.arange(0, len(texts), 2), np.arange(1, len(texts), 2))
    assert s.evidence[:, col].tolist() == [0, 1] * 3
    assert (s.change[0::2] > 0).all() and (s.change[1::2] <= 0).all()
    assert s.score[1::2].max() < s.score[0::2].min()


def test_weights_are_fitted_in_fused_units_and_keep_the_meaning_of_their_names(rng):
    n = 4000
    features = np.zeros((n, len(PAIR_FEATURES)), dtype=np.float32)
    features[:, 2] = rng.random(n) < 0.5  # code_shared: evidence for
    features[:, 4] = rng.random(n) < 0.2  # size_conflict: evidence against
    features[:, 6] = rng.random(n) < 0.2  # condition_conflict: noise that helps a little
    fused = rng.normal(size=n)
    logit = 3 * fused + 1.5 * features[:, 2] - 2.0 * features[:, 4] + 0.4 * features[:, 6] - 1
    twin = rng.random(n) < 1 / (1 + np.exp(-logit))
    w = dict(fit_evidence_weights(features, fused, twin))
    assert w["code_shared"] == pytest.approx(0.5, abs=0.15)
    assert w["size_conflict"] == pytest.approx(-0.67, abs=0.2)
    assert "condition_conflict" not in w  # came out for a pair: left out, the rest refitted
    change = evidence_change(tuple(w.items()), features)
    lift = features[:, 2] * w["code_shared"] + features[:, 0] * w["closeness"] \
        + features[:, 1] * w["margin"]
    # a conflict keeps a pair from being lifted (it is not the same product) but does not
    # push it below where meaning and words put it (a variant is still a close substitute)
    np.testing.assert_allclose(change, np.where(features[:, 4] > 0, np.minimum(lift, 0), lift),
                               atol=1e-5)
    assert change[(features[:, 4] > 0) & (features[:, 2] > 0)].max() <= 0


def test_evidence_weights_travel_with_the_calibration(tmp_path):
    assert Calibration.from_dict(BUNDLED.to_dict()) == BUNDLED
    data = BUNDLED.to_dict() | {"evidence": {"shoe_size": 1.0}}
    with pytest.raises(ConfigError, match="evidence"):
        Calibration.from_dict(data)
    assert FUSED_ONLY.evidence == () and BUNDLED.evidence


def _shop(rng):
    """Two shops of the same 12 products; each product has a colour variant in shop B."""
    base = ["oak desk", "steel chair", "usb cable", "desk lamp", "laser printer", "office mouse",
            "paper tray", "ink pack", "wall clock", "photo frame", "filing cabinet", "note pad"]
    texts, vectors = [], []
    centres = rng.normal(size=(len(base), 16))
    for i, name in enumerate(base):
        code = f"zx{100 + i}q"
        for shop, colour in (("a", "black"), ("b", "black"), ("b", "white")):
            texts.append(f"{name} {code} {colour}" if shop == "b" else f"{code} {name} {colour}")
            vectors.append(centres[i] + 0.05 * rng.normal(size=16))
    return np.asarray(vectors, dtype=np.float32), texts


def test_lists_rank_by_the_changed_score_and_every_path_gives_the_same_score(rng):
    vectors, texts = _shop(rng)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts)
    pool = index.pool(6)
    assert pool.scores.min() >= 0 and pool.scores.max() <= 1
    assert (np.diff(pool.fused, axis=1) <= 1e-6).all()  # ranked by the changed fused score
    np.testing.assert_allclose(pool.scores, BUNDLED.score(pool.fused, 0.5), atol=1e-6)
    left = np.repeat(np.arange(len(texts)), 6)
    pairs = index.pair_scores(left, pool.indices.ravel())
    np.testing.assert_allclose(pairs.score, pool.scores.ravel(), atol=1e-5)
    np.testing.assert_allclose(pairs.fused - pairs.change,
                               index.pair_evidence(left, pool.indices.ravel())[0], atol=1e-5)
    block = index.block_scores(np.arange(len(texts)), np.arange(len(texts)))
    np.testing.assert_allclose(np.take_along_axis(block, pool.indices, 1), pool.scores, atol=1e-5)
    # the same colour outranks the colour variant, and the variant's colour counts against it
    for i in range(12):
        a, same, variant = 3 * i, 3 * i + 1, 3 * i + 2
        assert pool.indices[a, 0] == same
        s = index.pair_scores([a, a], [same, variant])
        assert s.score[0] > s.score[1]
        assert s.evidence[1, PAIR_FEATURES.index("colour_conflict")] == 1


def test_the_same_text_scores_one_and_search_queries_read_their_codes(rng):
    vectors, texts = _shop(rng)
    vectors[5], texts[5] = vectors[4], texts[4]
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts)
    pool = index.pool(3)
    assert pool.indices[4, 0] == 5 and pool.scores[4, 0] == pytest.approx(1.0)
    assert (pool.scores[np.arange(len(texts)) // 3 != 1] < 1.0).all()
    from core.search.channels import Queries

    hits = index.query(3, Queries(vectors[[0]], ["zx100q oak desk"]))
    assert hits.indices[0, 0] in (0, 1) and 0 <= hits.scores.min() <= hits.scores.max() <= 1


def test_a_product_with_nothing_like_it_does_not_read_its_best_neighbour_as_a_twin(rng):
    """Being each other's best candidate is evidence of the same product only for products
    related in meaning: the best neighbour of a lone product scores near 0 (as unrelated
    as random pairs), while related pairs keep their evidence."""
    vectors, texts = _shop(rng)
    vectors = np.c_[vectors, np.zeros((len(vectors), 240), dtype=np.float32)]
    lone = rng.normal(size=256).astype(np.float32)  # cosine with the others ~N(0, 1/16)
    vectors = np.vstack([vectors, lone])
    texts = [*texts, "solar garden gnome"]
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts)
    pool = index.pool(3)
    n = len(texts) - 1
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    best = int(pool.indices[n, 0])
    assert float(unit[n] @ unit[best]) < BUNDLED.meaning_floor(0.9)  # as unrelated as random
    _, x = index.pair_evidence([n], [best])
    assert x[0, PAIR_FEATURES.index("closeness")] == -1 and x[0, PAIR_FEATURES.index("margin")] == -1
    gated = float(pool.scores[n, 0])
    assert gated < 0.1
    related = index.pair_evidence(np.arange(3), pool.indices[:3, 0])[1]
    index.related = lambda meaning: None  # the same index without the gate
    assert index.pair_scores([n], [best]).score[0] > gated
    np.testing.assert_array_equal(related, index.pair_evidence(np.arange(3), pool.indices[:3, 0])[1])


def test_model_numbers_are_compared_as_the_maker_writes_them():
    assert model_number(" MB225LL/A ") == "mb225lla" == model_number("mb225-ll-a")
    assert model_number("") == model_number(None) == model_number("a1") == ""  # too short
    assert model_number("A" * 41) == model_number("great lamp " * 10_000) == ""  # no number
    texts = ["hp 45 black inkjet cartridge", "hp 45 black inkjet cartridge",
             "hp 45 black inkjet cartridge 51645a", "sony dsc-t110 camera red",
             "sony dsc-t110 camera violet", "tea"]
    numbers = ["51645A", "51645-b", "hp51645a140", "DSC-T110R", "dsc t110", ""]
    ev = TextEvidence.build(texts).with_model_numbers(numbers)
    left, right = [0, 0, 3, 3, 5, 1], [1, 2, 4, 0, 0, 2]
    f = dict(zip(FEATURES, ev.pairs(left, right).T))
    # differ | one holds the other | one holds the other | differ | one has none | differ
    assert f["code_shared"].tolist() == [0, 1, 1, 0, 0, 0]
    assert f["code_conflict"].tolist() == [1, 0, 0, 1, 0, 1]
    plain = dict(zip(FEATURES, TextEvidence.build(texts).pairs(left, right).T))
    assert f["size_conflict"].tolist() == plain["size_conflict"].tolist()
    n = len(texts)
    np.testing.assert_array_equal(
        ev.pairs(np.repeat(np.arange(n), n), np.tile(np.arange(n), n)).reshape(n, n, -1),
        ev.block(np.arange(n), np.arange(n)))
    # the same words but two model numbers: two products
    assert ev.same_text([0], [1]).tolist() == [False]
    assert TextEvidence.build(texts).same_text([0], [1]).tolist() == [True]
    assert ev.numbers_differ([0, 0, 5], [1, 2, 0]).tolist() == [True, False, False]
    queries = ev.read(["hp 45 black inkjet cartridge"])  # a search query has no number
    assert queries.numbers is None and ev.same_text([0], [0], queries).tolist() == [True]


def test_two_products_with_different_model_numbers_never_read_as_the_same_product(rng):
    """One shop's listings with the same title and two model numbers (a colour or a pack
    size the title leaves out) scored 1.000, "the same product"; with the model number
    column they are two products, and a listing repeated under the same number still
    reads as the same product."""
    vectors, texts = _shop(rng)
    texts[2], vectors[2] = texts[1], vectors[1]  # 1 and 2: the same words
    texts[5], vectors[5] = texts[4], vectors[4]  # 4 and 5: the same words
    numbers = [f"M-{i:03d}" for i in range(len(texts))]
    numbers[5] = numbers[4]  # 4 and 5: one product listed twice
    plain = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.5, texts=texts,
                                     model_numbers=numbers)
    assert plain.pair_scores([1, 4], [2, 5]).score.tolist() == pytest.approx([1.0, 1.0])
    s = index.pair_scores([1, 4], [2, 5])
    assert s.score[0] < 0.9 and s.score[1] == pytest.approx(1.0)
    assert s.evidence[0, PAIR_FEATURES.index("code_conflict")] == 1
    pool = index.pool(3)
    np.testing.assert_allclose(np.take_along_axis(
        index.block_scores(np.arange(len(texts)), np.arange(len(texts))), pool.indices, 1),
        pool.scores, atol=1e-5)
    assert pool.scores[1][pool.indices[1] == 2][0] < 0.9


def test_prices_far_apart_are_a_conflict_unless_the_model_numbers_agree():
    texts = ["canon pg-245 black ink", "canon pg-245 black ink", "canon pg-245 black ink xl",
             "canon pg-245 black ink", "tea", "tea"]
    prices = [19.99, 21.50, 45.00, float("nan"), 3.0, 0.0]
    ev = TextEvidence.build(texts).with_prices(prices)
    left, right = [0, 0, 0, 4, 2], [1, 2, 3, 5, 1]
    f = dict(zip(FEATURES, ev.pairs(left, right).T))
    # 1.08x | 2.25x | a price unknown | 0 is no price | 2.09x
    assert f["price_conflict"].tolist() == [0, 1, 0, 0, 1]
    unpriced = TextEvidence.build(texts).pairs(left, right)
    assert not unpriced[:, FEATURES.index("price_conflict")].any()  # no price column: never
    n = len(texts)
    np.testing.assert_array_equal(  # list pairs and a block of rules score alike
        ev.pairs(np.repeat(np.arange(n), n), np.tile(np.arange(n), n)).reshape(n, n, -1),
        ev.block(np.arange(n), np.arange(n)))
    # equal maker's numbers are one product whatever two shops ask for it
    numbered = TextEvidence.build(texts).with_model_numbers(
        ["8279B001", "8279b001", "8279B001", "", "", ""]).with_prices(prices)
    g = dict(zip(FEATURES, numbered.pairs([0, 2], [2, 1]).T))
    assert g["price_conflict"].tolist() == [0, 0] and g["code_shared"].tolist() == [1, 1]
    # a search query has no price
    queries = ev.read(["canon pg-245 black ink"])
    assert not ev.pairs([0], [2], queries)[:, FEATURES.index("price_conflict")].any()


def test_a_catalog_with_prices_reads_them_under_the_map_fitted_with_them(rng):
    vectors, texts = _shop(rng)
    prices = np.full(len(texts), 20.0)
    prices[2] = 90.0  # product 0's white variant in shop B: priced far apart
    words = build_index(texts)
    plain = NeighborIndex.from_parts(vectors, words, hybrid_weight=0.7, texts=texts)
    priced = NeighborIndex.from_parts(vectors, words, hybrid_weight=0.7, texts=texts,
                                      prices=prices)
    assert plain.calibration is BUNDLED and priced.calibration == BUNDLED.with_prices()
    assert dict(priced.calibration.evidence)["price_conflict"] < 0
    assert priced.query_calibration is BUNDLED  # a search query has no price
    s = priced.pair_scores([0], [2])
    assert s.evidence[0, PAIR_FEATURES.index("price_conflict")] == 1
    assert s.change[0] <= 0  # a conflict keeps the pair from being lifted
    unknown = NeighborIndex.from_parts(vectors, words, hybrid_weight=0.7, texts=texts,
                                       prices=np.full(len(texts), np.nan))
    assert unknown.calibration is BUNDLED  # a price column with no price in it


def test_the_priced_map_round_trips_and_keeps_the_models_name():
    data = BUNDLED.to_dict()
    assert "priced" in data and "priced" not in data["priced"]
    assert Calibration.from_dict(data) == BUNDLED
    approximate = Calibration.from_dict({**data, "model": "other", "priced": data["priced"]})
    approximate = approximate.__class__(**{**approximate.__dict__, "approximate": True})
    assert approximate.with_prices().approximate and approximate.with_prices().model == "other"
    with pytest.raises(ConfigError, match="'priced' is one calibration"):
        Calibration.from_dict({**data, "priced": {**data["priced"], "priced": data["priced"]}})
    assert FUSED_ONLY.with_prices() is FUSED_ONLY and BUNDLED.without_evidence().priced is None


def _two_shops_priced(pairs: int, factor: float) -> tuple[list[str], list[float]]:
    """`pairs` products in two shops naming the same model code; shop B's prices times
    `factor` (cents beside dollars: 100)."""
    texts, prices = [], []
    for i in range(pairs):
        texts += [f"qx{1000 + i}k widget {i}", f"widget qx{1000 + i}k"]
        prices += [10.0 + i, (10.0 + i) * 1.1 * factor]
    return texts, prices


def test_a_price_column_that_prices_one_model_far_apart_is_not_compared():
    from core.search.evidence import PRICE_PAIRS, price_agreement

    texts, prices = _two_shops_priced(30, 100)
    ev = TextEvidence.build(texts)
    cents = price_agreement(ev, prices)
    assert (cents.pairs, cents.far) == (30, 30) and not cents.comparable
    assert cents.example is not None and set(cents.example) == {58, 59}  # the furthest apart
    texts, prices = _two_shops_priced(30, 1)
    assert price_agreement(TextEvidence.build(texts), prices).comparable  # 1.1x apart
    # too few pairs to tell: the prices are kept
    texts, prices = _two_shops_priced(PRICE_PAIRS - 1, 100)
    few = price_agreement(TextEvidence.build(texts), prices)
    assert few.pairs == PRICE_PAIRS - 1 and few.comparable
    # equal model numbers count as one product too, each pair once
    numbers = [f"MX{100 + i // 2}" for i in range(2 * PRICE_PAIRS)]
    plain = [f"gadget {i // 2} {'red' if i % 2 else ''}" for i in range(2 * PRICE_PAIRS)]
    priced = [5.0 if i % 2 else 500.0 for i in range(2 * PRICE_PAIRS)]
    numbered = TextEvidence.build(plain).with_model_numbers(numbers)
    got = price_agreement(numbered, priced)
    assert (got.pairs, got.far, got.comparable) == (PRICE_PAIRS, PRICE_PAIRS, False)
    assert price_agreement(TextEvidence.build(plain), priced).pairs == 0  # no code, no number
    # an unknown price (NaN, 0) leaves a pair out
    assert price_agreement(numbered, [np.nan] * len(plain)).pairs == 0


def test_licences_for_other_numbers_of_users_or_devices_are_other_products():
    texts = ["norton antivirus 2011 1 user", "norton antivirus 2011 3-user",
             "wooden puzzle for ages 3 years and up", "wooden puzzle ages 3-5 years",
             "philips 4 device universal remote", "philips 6-device universal remote",
             "quickbooks pro 2008 5 users", "quickbooks pro 2008 (5 user licence)",
             "office 2010 1 user", "office 2010 3 pcs",
             "norton antivirus 2009 single user", "norton antivirus 2009 5 user",
             "norton 360 three users", "norton 360 3-user",
             "one user guide included", "user guide"]
    # 1 vs 3 users | a toy's ages written two ways | 4 vs 6 devices | 5 users both | users
    # vs pieces: no unit shared | counts in words: single vs 5, three and 3 | one guide
    assert _each_pair(texts, "size_conflict") == [1, 0, 1, 0, 0, 1, 0, 0]
