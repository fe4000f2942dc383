"""Same-product evidence in two product texts: model codes, sizes, colours, condition.

Meaning and words scores say how alike two texts are; they cannot tell a twin
from its colour or size variant ("sandisk 16gb sdhc card" vs "... 32gb ...")
or from a remanufactured copy, and they undersell twins that share a model code
but little else ("hp q1413a universal paper" vs "hewlett packard hp universal
heavyweight coated paper q1413a"). :class:`TextEvidence` reads, once per
catalog, what each text says about its exact product, and compares pairs:

======================  ======================================================
feature                 1 when
======================  ======================================================
``code_shared``         both name the same model code (letters and digits,
                        e.g. ``hl-4570cdw`` = ``hl4570cdw`` = ``hl 4570cdw``)
``code_conflict``       both name a model code of one series and no code is
                        shared: the same letters, digits that differ
                        (``cs3`` / ``cs4``, ``hd6870`` / ``hd6850``,
                        ``mb225lla`` / ``mb226lla``; ``u5140`` / ``u5140900``
                        are not one series: more digits)
``size_conflict``       both give a size in the same unit (16gb, 2.5", 12 mp,
                        50-pack, a licence for 5 users, season 3, level 1,
                        4th generation ...) and share no value in it, or
                        both name
                        decimal numbers and share none (usb 2.0 / 3.0,
                        photoshop 6.0 / 7.0, a 15.6 / 17.3 laptop)
``colour_conflict``     both name colours and none is shared
``condition_conflict``  one says remanufactured, refurbished, compatible or
                        used and the other does not
``price_conflict``      both have a price (a mapped price column, catalog pairs only)
                        and one is more than PRICE_RATIO times the other
``version_conflict``    both name a year (1980-2039: "quickbooks pro 2008" vs
                        "... 2009") or a version ("v 4.0", "version 12": the
                        major number) and none is shared, or each names one
                        platform (Mac vs Windows) and they differ, or both
                        name editions (home, standard, professional,
                        premium ..., a language: spanish, french ..., or a
                        game console: wii, ps3 ...)
                        and each names one the other does not, or one is
                        an upgrade and the other is not
                        (where the two read as software: either names a
                        year, a version or an edition word, or both name a
                        platform and neither a capacity)
======================  ======================================================

A series conflict is a sharper "different model codes" than "both name codes and none is
shared", which also fires where one shop adds its own catalog number (335 of the 6,412
abt-buy list entries across the shops that it fired on were twins, 5.2%, and its fitted
weight came out for the pair, so the fit left it out): in the labelled catalogs' train,
valid and test lists the series conflict fires on 1,082 abt-buy entries, 13 of them
labelled twins (mostly labels that pair two model numbers, MB225LL/A with MB226LL/A), and
on 1,108 walmart-amazon entries, none a twin; on zh-dev's 500 labelled title pairs on 10,
one labelled the same (SPF25 against SPF20 sunscreen).

A version conflict is what tells a software or a yearly edition from the next one (in
the labelled catalogs' train and valid lists it fires on 38 entries, none of them a twin),
and "Office Standard" from "Office Home and Student", a deluxe projection screen from the
standard one, an upgrade from the full edition: of the labelled pairs of abt-buy and
walmart-amazon (train, valid and test) that name editions, not the same ones, 1 of 134 is
a twin.

Pairs are scored with sparse products (no Python loop per pair), so a block of
rows x members (rules refilling lists) costs one sparse product per feature.
How these features, with how close the two are in the lists, change a pair's score is
:mod:`core.search.evidence_weights`; the fitted weights live with the score calibration
(:mod:`core.search.calibration`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from core.catalog.column_checks import EXCEL_SCIENTIFIC
from core.search.generic_codes import GENERIC_CODES

FEATURES = ("code_shared", "code_conflict", "size_conflict", "colour_conflict",
            "condition_conflict", "version_conflict", "price_conflict")
# Two prices further apart than this ratio are two products (a mapped price column): of the
# labelled pairs of walmart-amazon's train split with both prices known, 10% of the twins
# and 36% of the other pairs (hard negatives: the same kind of product) are
PRICE_RATIO = 2.0
# Prices are evidence only where they agree on what is surely one product: pairs of
# products that name the same model code (named by at most CODE_ROWS products) or have
# equal model numbers. When more than PRICE_FAR_SHARE of at least PRICE_PAIRS such pairs
# are priced more than PRICE_RATIO apart, the column does not price products alike (two
# shops' currencies, cents beside whole units) and is left out of the scores
# (:func:`price_agreement`). As they are: abt-buy's 222 priced code pairs 6% far,
# walmart-amazon's 1,213 21% (its code pairs hold colour and pack variants); one shop's
# prices x100 (cents, yen beside dollars): 80% and 56%; x3: 62% and 48%.
PRICE_PAIRS = 20
PRICE_FAR_SHARE = 0.4

CODE_ROWS = 5
CODE_SHARE = 0.001
_WORDS = re.compile(r"\w+")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-./][a-z0-9]+)*")
_SQUASH = re.compile(r"[-./]")
# A number with a decimal point (2.0, 6.0, 802.11) is a version, a standard or a measure,
# not a model code, and is not glued to the word before it ("usb 2.0", "dect 6.0"); nor is
# a resolution or speed ("lcd 1080p", "hd 720p", "dvd 16x", "uhd 4k").
_DECIMAL = re.compile(r"\d+(?:\.\d+)+")
_RATING = re.compile(r"\d+[pikx]")
_UNITS = {
    "gb": "gb", "g": None, "tb": "tb", "mb": "mb", "kb": "kb", "ghz": "ghz", "mhz": "mhz",
    "mp": "mp", "megapixel": "mp", "w": "w", "watt": "w", "watts": "w", "v": "v", "volt": "v",
    "mah": "mah", "mm": "mm", "cm": "cm", "in": "in", "inch": "in", "inches": "in", '"': "in",
    "ft": "ft", "feet": "ft", "foot": "ft", "m": None, "lb": "lb", "lbs": "lb", "oz": "oz",
    "ml": "ml", "l": None, "pack": "pack", "pk": "pack", "ct": "pack", "count": "pack",
    "pcs": "pack", "sheet": "sheet", "sheets": "sheet", "rpm": "rpm", "x": None,
    "port": "port", "ports": "port", "outlet": "outlet", "outlets": "outlet", "tab": "tab",
    "tabs": "tab", "channel": "channel", "mbps": "mbps", "dpi": "dpi", "hz": "hz",
    # software: licences for how many users or devices (not years or months: shops write
    # a toy's ages as "3 years and up" or "3-5 years", one product)
    "user": "user", "users": "user", "seat": "user", "seats": "user", "license": "user",
    "licenses": "user", "licence": "user", "licences": "user", "device": "device",
    "devices": "device",
}
_GLUE = frozenset(["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "per",
                   "the", "to", "up", "w", "with", "x"])
_SIZE = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*-?\s*([a-z]+|\")(?![a-z0-9])")
_SPEC = re.compile(r"\d+[a-z]")  # 52x, 609m, 1080p, 4k: a speed or size, not a model
_COLOURS = (
    ("black", "黑"), ("white", "白"), ("red", "红"), ("blue", "蓝"), ("green", "绿"),
    ("yellow", "黄"), ("pink", "粉"), ("purple", "紫"), ("orange", "橙"), ("silver", "银"),
    ("gold", "金色"), ("gray", "灰"), ("grey", "灰"), ("brown", "棕"), ("cyan", "青"),
    ("magenta", "品红"), ("beige", "米色"), ("navy", "藏青"), ("tan", None), ("teal", None),
)
_COLOUR_BIT = {}
for _bit, (_en, _zh) in enumerate(dict.fromkeys(_COLOURS)):
    _COLOUR_BIT.setdefault(_en, 1 << _bit)
_COLOUR_BIT["grey"] = _COLOUR_BIT["gray"]
_ZH_COLOUR = [(zh, _COLOUR_BIT[en]) for en, zh in _COLOURS if zh]
# Editions: a year as a bit 0..59 (1980-2039), a platform family as bit 60 (Mac) or 61
# (Windows). "for mac or pc" names both families: no platform conflict with either. A
# year counts standing alone, not inside a code or a range, nor glued to Chinese: in
# "2021新款" ("new in 2021") it dates the listing, and 3 of zh-dev's 224 twins differ so.
_YEAR = re.compile(r"(?<![\w.\-/])(19[89]\d|20[0-3]\d)(?![\w\-/]|\.\d)")
_FIRST_YEAR = 1980
_MAC = 1 << 60
_WINDOWS = 1 << 61
_PLATFORMS = _MAC | _WINDOWS
_CAPACITY = 1 << 62  # names a capacity in GB, MB or TB (memory, not software: below)
_CAPACITY_WORDS = re.compile(r"\d\s*(?:gb|mb|tb)\b")
# A version named as such ("v 4.0", "version 12", "ver. 9", "v3 .0"): its major number
# ("5 v 2 a" is volts).
_VERSION = re.compile(r"(?<![\w.])(?<!\d\s)(?:v|ver|version)\.?\s*(\d{1,2})(?:\s*\.\s*\d{1,2})?(?!\w)")
_MAX_VERSION = 62
# Editions named by a word: both texts name some, and each names one the other does not
# ("home premium" is not "home basic"; "home theater" may be "premium home theater") or
# one is an upgrade and the other is not ("design premium upgrade" is not "design
# premium", nor "photoshop cs3 upgrade (mac)" "photoshop cs3 (mac)": edition_conflict). A
# text that names none otherwise says nothing ("kingston memory upgrade" may be "kingston
# 4gb ddr3 module").
_TIERS = {"home": 0, "professional": 1, "pro": 1, "standard": 2, "std": 2, "premium": 3,
          "ultimate": 4, "enterprise": 5, "deluxe": 6, "basic": 7, "business": 8,
          "academic": 9, "edu": 9, "education": 9, "student": 10, "upgrade": 11, "upg": 11,
          "express": 12, "platinum": 13, "plus": 14, "starter": 15, "essentials": 16,
          "premier": 17,
          "家庭版": 0, "专业版": 1, "标准版": 2, "高级版": 3, "旗舰版": 4, "企业版": 5,
          "豪华版": 6, "基础版": 7, "商业版": 8, "教育版": 9, "学生版": 10, "升级版": 11}
_EDITION_BIT = iter(range(max(_TIERS.values()) + 1, 63))  # the further editions' bits
# Languages, as edition words: a course, a dictionary or a software's language edition
# ("instant immersion spanish deluxe" is not "... french deluxe"; "french-english" is not
# "spanish-english", but "office basic spanish" may be "office basic"). Chinese names only
# the edition ("英文版"): "英文印花" is a print of letters. ("latin" is mostly Latin America,
# "polish" nail or shoe polish, "turkish" towels: left out)
_LANGUAGES = ("english", "spanish", "french", "german", "italian", "portuguese", "japanese",
              "chinese", "korean", "russian", "arabic", "hebrew", "dutch", "swedish", "greek",
              "hindi", "vietnamese", "thai")
_TIERS.update({w: next(_EDITION_BIT) for w in _LANGUAGES})
_TIERS.update({alias: _TIERS[en] for alias, en in (
    ("mandarin", "chinese"), ("英文版", "english"), ("中文版", "chinese"), ("日文版", "japanese"),
    ("韩文版", "korean"), ("法文版", "french"), ("德文版", "german"), ("西班牙文版", "spanish"),
    ("俄文版", "russian"))})
_LANGUAGE_BITS = sum(1 << _TIERS[w] for w in _LANGUAGES)
# Game consoles, as edition words: a game or an accessory for another console is another
# product ("madden nfl 09 wii" is not "... playstation 3"); one naming two ("for xbox 360
# and ps3") conflicts with neither. Named whole: "ds" or "switch" alone are other things,
# and the PS/2 port is written "ps/2" (a "ps2" keyboard names it against no console).
_CONSOLES = {"xbox 360": "x360", "xbox360": "x360", "x360": "x360", "xbox one": "xone",
             "xbox series x": "xseries", "xbox series s": "xseries", "ps2": "ps2",
             "playstation 2": "ps2", "ps3": "ps3", "playstation 3": "ps3", "ps4": "ps4",
             "playstation 4": "ps4", "ps5": "ps5", "playstation 5": "ps5", "psp": "psp",
             "playstation portable": "psp", "ps vita": "vita", "playstation vita": "vita",
             "wii u": "wiiu", "wii": "wii", "nintendo ds": "ds", "ds lite": "ds", "dsi": "ds",
             "3ds": "3ds", "nintendo 3ds": "3ds", "nintendo switch": "switch",
             "gamecube": "gamecube", "game boy advance": "gba", "gameboy advance": "gba"}
_CONSOLE_BIT = {c: 1 << next(_EDITION_BIT) for c in dict.fromkeys(_CONSOLES.values())}
_CONSOLE_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(_CONSOLES, key=len,
                                                                        reverse=True)) + r")\b")
# Who a product is for, as edition words: men's is not women's, boys' is not girls' or
# men's; "kids" names boys and girls, "unisex" men and women, so each agrees with either.
# Not "man", "male", "female" (Spider-Man, cable ends) nor "junior" (a junior hacksaw); in
# Chinese only the words for a style or line (男款, 女装, 童装).
_MEN, _WOMEN, _BOYS, _GIRLS = (1 << next(_EDITION_BIT) for _ in range(4))
_KIDS = _BOYS | _GIRLS
_AUDIENCE = {"men": _MEN, "mens": _MEN, "women": _WOMEN, "womens": _WOMEN, "ladies": _WOMEN,
             "boys": _BOYS, "boy": _BOYS, "girls": _GIRLS, "girl": _GIRLS, "kids": _KIDS,
             "kid": _KIDS, "children": _KIDS, "childrens": _KIDS, "youth": _KIDS,
             "unisex": _MEN | _WOMEN, "男童": _BOYS, "女童": _GIRLS, "童装": _KIDS, "儿童": _KIDS,
             **dict.fromkeys(("男款", "男士", "男装", "男式", "男鞋", "男表"), _MEN),
             **dict.fromkeys(("女款", "女士", "女装", "女式", "女鞋", "女表"), _WOMEN)}
_AUDIENCE_BITS = _MEN | _WOMEN | _BOYS | _GIRLS
_WORD_BITS = {**{w: 1 << b for w, b in _TIERS.items()}, **_AUDIENCE}  # edition words' bits
_UPGRADE = 1 << _TIERS["upgrade"]
_TIER_WORDS = re.compile(r"[a-z]+|" + "|".join(sorted((w for w in _WORD_BITS if not w.isascii()),
                                                      key=len, reverse=True)))
_MAC_WORDS = re.compile(r"\b(mac|macintosh|osx|os x|macos)\b")
_WINDOWS_WORDS = re.compile(r"\b(windows|win|pc|xp|vista)\b")
_CONDITION = re.compile(r"\b(remanufactured|refurbished|recertified|compatible|used|renewed|"
                        r"reman|generic|replacement for)\b|翻新|兼容|二手")


def _is_code(tok: str) -> bool:
    """Letters and digits of at least 3 characters, or digits alone of at least 5, not a
    speed or size (_SPEC). Tokens hold only [a-z0-9] (_TOKEN, squashed): most are words,
    answered without looking at each character (a third of reading a catalog's texts)."""
    if tok.isalpha():
        return False
    if tok.isdigit():
        return len(tok) >= 5
    if _SPEC.fullmatch(tok):
        return False
    has_digit = any(c.isdigit() for c in tok)
    has_alpha = any(c.isalpha() for c in tok)
    return has_digit and ((has_alpha and len(tok) >= 3) or len(tok) >= 5)


# A licence's count in words ("single user" against "5 user", "three devices")
_COUNT_WORDS = {"single": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_LICENCE_WORDS = re.compile(r"\b(" + "|".join(_COUNT_WORDS) + r")[\s-]*(" + "|".join(
    u for u, v in _UNITS.items() if v in ("user", "device")) + r")\b")


# Numbered parts of a series, read as sizes in their own unit: a season, a volume, a
# course's level, a school grade, a generation ("season 3" is not "season 4"; "levels 1-3"
# holds "level 2"; "4th generation" is "4th gen"). Not "series": shops write a TV's size,
# a product line or a model number after it.
_PART_KINDS = {"season": "season", "seasons": "season", "volume": "volume", "volumes": "volume",
               "vol": "volume", "vols": "volume", "level": "level", "levels": "level",
               "grade": "grade", "grades": "grade", "part": "part", "parts": "part",
               "book": "book", "episode": "episode", "chapter": "chapter",
               "edition": "edition", "gen": "generation", "generation": "generation"}
_PART_AFTER = re.compile(r"\b(" + "|".join(_PART_KINDS) + r")\.?\s*(\d{1,3}(?:\s*(?:-|–|to|&|and|,|/)"
                         r"\s*\d{1,3})*)(?![\w.])")
_PART_BEFORE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+(" + "|".join(_PART_KINDS) + r")\b")
_PART_RANGE = re.compile(r"(\d+)\s*(?:-|–|to)\s*(\d+)|(\d+)")


def _numbered_parts(low: str) -> set[str]:
    out = set()
    for kind, numbers in _PART_AFTER.findall(low):
        for first, last, one in _PART_RANGE.findall(numbers):
            lo, hi = (int(first), int(last)) if first else (int(one), int(one))
            out.update(f"{_PART_KINDS[kind]}={n}" for n in range(lo, min(hi, lo + 20) + 1))
    for number, kind in _PART_BEFORE.findall(low):
        out.add(f"{_PART_KINDS[kind]}={int(number)}")
    return out


# A size named as such ("size m", "size: xl", "size 10"): clothes and shoes. Letters and
# words are one scale (medium = m); a bare "medium" or "large" says nothing (large capacity).
_NAMED_SIZE = re.compile(r"\bsize[:\s]*((?:xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|4xl)(?:\s*/\s*(?:xs|s|m|"
                         r"l|xl|xxl))*|small|medium|large|x-large|xx-large|extra large|"
                         r"\d{1,2}(?:\.5)?)(?![\w.])"
                         r"(?!\s*(?:oz|ml|fl|g|kg|lb|lbs|pack|pk|ct|count|in|inch|inches|mm|cm)\b)")
_SIZE_LETTERS = {"small": "s", "medium": "m", "large": "l", "x-large": "xl", "extra large": "xl",
                 "xx-large": "xxl", "2xl": "xxl", "3xl": "xxxl"}


_PART_HINT = re.compile("|".join(sorted({k[:4] for k in _PART_KINDS} | {"gen"})))


def _unit_sizes(low: str) -> set[str]:
    """Sizes written as a number and its unit ("32gb", "2.5 in"): a token's too."""
    out = set()
    for value, unit in _SIZE.findall(low):
        u = _UNITS.get(unit)
        if u:
            out.add(f"{u}={float(value):g}")
    return out


def _sizes(low: str) -> set[str]:
    """A text's sizes: numbers with units, licence counts in words, numbered parts of a
    series and sizes named as such."""
    out = _unit_sizes(low)
    for word, unit in _LICENCE_WORDS.findall(low):
        out.add(f"{_UNITS[unit]}={_COUNT_WORDS[word]:g}")
    if _PART_HINT.search(low):
        out |= _numbered_parts(low)
    if "size" in low:
        out.update(f"size={_SIZE_LETTERS.get(v, v)}" for named in _NAMED_SIZE.findall(low)
                   for v in re.split(r"\s*/\s*", named))  # "s/m" is both
    return out


def edition(low: str) -> tuple[int, int, int]:
    """(bit set of the years and platform families, bit set of the major versions, bit
    set of the edition words) a lower-cased text names."""
    bits = 0
    for year in _YEAR.findall(low):
        bits |= 1 << (int(year) - _FIRST_YEAR)
    if _MAC_WORDS.search(low):
        bits |= _MAC
    if _WINDOWS_WORDS.search(low):
        bits |= _WINDOWS
    if _CAPACITY_WORDS.search(low):
        bits |= _CAPACITY
    versions = 0
    for major in _VERSION.findall(low):
        versions |= 1 << min(int(major), _MAX_VERSION)
    tiers = 0
    for word in _WORD_BITS.keys() & set(_TIER_WORDS.findall(low)):
        tiers |= _WORD_BITS[word]
    for console in _CONSOLE_WORDS.findall(low):
        tiers |= _CONSOLE_BIT[_CONSOLES[console]]
    return bits, versions, tiers


def edition_conflict(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Of (..., 3) edition() rows: both name years and share none, or both name versions
    and share none, or each names one platform family, not the same, or both name
    edition words and each names one the other does not, or one is an upgrade and the
    other is not where the two read as software (either names a year, a version or an
    edition word, or both name a platform and neither a capacity in GB, MB or TB)."""
    ya, yb = a[..., 0] & ~(_PLATFORMS | _CAPACITY), b[..., 0] & ~(_PLATFORMS | _CAPACITY)
    pa, pb = a[..., 0] & _PLATFORMS, b[..., 0] & _PLATFORMS
    va, vb = a[..., 1], b[..., 1]
    years = (ya != 0) & (yb != 0) & ((ya & yb) == 0)
    versions = (va != 0) & (vb != 0) & ((va & vb) == 0)
    platforms = (pa != 0) & (pa != _PLATFORMS) & (pb != 0) & (pb != _PLATFORMS) & (pa != pb)
    ta, tb = a[..., 2] & ~_UPGRADE, b[..., 2] & ~_UPGRADE
    apart = ((ta & ~tb) != 0) & ((tb & ~ta) != 0)  # neither names all the other's
    upgrade = (a[..., 2] & _UPGRADE) != (b[..., 2] & _UPGRADE)
    # An upgrade against a text that names no edition word is another product where the
    # two read as software: either names a year, a version or an edition word, or both
    # name a platform and neither a capacity ("photoshop cs3 upgrade (mac)" is not
    # "photoshop cs3 (mac)"); a "4gb memory upgrade for mac" may be the module a text
    # without the word names.
    memory = ((a[..., 0] | b[..., 0]) & _CAPACITY) != 0
    # edition words, not languages or who a product is for
    ea, eb = ta & ~(_LANGUAGE_BITS | _AUDIENCE_BITS), tb & ~(_LANGUAGE_BITS | _AUDIENCE_BITS)
    software = (ya != 0) | (yb != 0) | (va != 0) | (vb != 0) | (ea != 0) | (eb != 0) | \
        ((pa != 0) & (pb != 0) & ~memory)
    tiers = ((ta != 0) & (tb != 0) & (apart | upgrade)) | (upgrade & software)
    return years | versions | platforms | tiers


def read_text(text: str) -> tuple[set[str], set[str], int, bool, tuple[int, int]]:
    """(codes, sizes as "unit=value", colour bits, condition word?, edition() bits) of
    one text."""
    low = str(text).lower()
    raw = _TOKEN.findall(low)
    tokens = [_SQUASH.sub("", t) for t in raw]
    plain = [not _DECIMAL.fullmatch(t) for t in raw]  # not a decimal number
    codes = {t for t, ok in zip(tokens, plain) if ok and _is_code(t) and not _unit_sizes(t)}
    for i, (a, b) in enumerate(pairwise(tokens)):  # "sh 230" -> "sh230"
        if not (b[:1].isdigit() and len(b) >= 2 and len(a) <= 4 and a.isalpha()):
            continue  # most pairs: the cheap tests first
        joined = a + b
        unit_next = i + 2 < len(tokens) and tokens[i + 2] in _UNITS  # "cd-r 700 mb": a size
        if not unit_next and plain[i + 1] and a not in _UNITS and a not in _GLUE \
                and not _unit_sizes(b) and not _RATING.fullmatch(b) and _is_code(joined):
            codes.add(joined)
    colours = 0
    for t in tokens:
        colours |= _COLOUR_BIT.get(t, 0)
    if not low.isascii():  # Chinese colour words
        for zh, bit in _ZH_COLOUR:
            if zh in low:
                colours |= bit
    return codes, _sizes(low) | _decimals(low), colours, bool(_CONDITION.search(low)), \
        edition(low)


# A number with a decimal point, with or without a unit: a version (photoshop 6.0, after
# effects 6.5), a standard (usb 2.0 / 3.0) or a size whose unit catalogs drop (a 15.6 or
# 17.3 laptop, a 3.5 drive bay). Two texts that both name some and share none differ in
# one ("dec=" sizes: the size conflict); "3.5-inch" and "3.5 bay" share 3.5.
_DECIMAL_NUMBER = re.compile(r"(?<![\w.])\d{1,4}\.\d{1,3}(?![\d.]*\d)")


def _decimals(low: str) -> set[str]:
    return {f"dec={float(v):g}" for v in _DECIMAL_NUMBER.findall(low)}


def _sparse(rows: Sequence[set[str]], vocab: dict[str, int], *, grow: bool = True,
            units: bool = False) -> sp.csr_matrix:
    """Binary (n, columns) CSR matrix of strings (the unit alone when units=True).

    vocab: string -> column, extended when grow; otherwise a string it lacks gets a
    column of its own that nothing else has (it can match no product)."""
    indptr, indices = [0], []
    fresh = len(vocab)
    for items in rows:
        keys = set()
        for item in items:
            key = item.split("=")[0] if units else item
            col = vocab.setdefault(key, len(vocab)) if grow else vocab.get(key)
            if col is None:
                col, fresh = fresh, fresh + 1
            keys.add(col)
        indices.extend(sorted(keys))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    width = max(1, len(vocab) if grow else fresh)
    return sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                         shape=(len(rows), width))


def _widen(x: sp.csr_matrix, width: int) -> sp.csr_matrix:
    return x if x.shape[1] >= width else sp.csr_matrix((x.data, x.indices, x.indptr),
                                                       shape=(x.shape[0], width))


def _cross(x: sp.csr_matrix, y: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """x and y with as many columns as the wider of the two."""
    width = max(x.shape[1], y.shape[1])
    return _widen(x, width), _widen(y, width)


@dataclass(frozen=True)
class TextEvidence:
    """What each product's text says about its exact product (one catalog)."""

    codes: sp.csr_matrix
    sizes: sp.csr_matrix
    size_units: sp.csr_matrix
    colours: np.ndarray  # (n,) int64 bit sets
    condition: np.ndarray  # (n,) bool
    editions: np.ndarray  # (n, 3) int64 bit sets (edition())
    keys: np.ndarray  # (n,) int64: equal for the same words in the same order (-1: no words)
    series: sp.csr_matrix  # (n, series) the series of each text's model codes
    vocab: tuple[dict, ...] = ({}, {}, {}, {}, {})  # codes, sizes, units, word keys, series
    numbers: ModelNumbers | None = None  # the model number column's (with_model_numbers)
    prices: np.ndarray | None = None  # (n,) float64 the price column's, NaN = none (with_prices)

    def with_model_numbers(self, values: Sequence[str]) -> TextEvidence:
        """This evidence with each product's model number (a mapped column; "" = none)."""
        return replace(self, numbers=ModelNumbers.read(values))

    def with_prices(self, values: Sequence[float] | np.ndarray) -> TextEvidence:
        """This evidence with each product's price (a mapped column, parsed; NaN, 0 or less
        = none): prices more than PRICE_RATIO apart are a conflict."""
        prices = np.asarray(values, dtype=np.float64).copy()
        prices[~(prices > 0)] = np.nan
        return replace(self, prices=prices)

    @classmethod
    def build(cls, texts: Sequence[str]) -> TextEvidence:
        """Read every text. A code counts as a model code when at most
        max(CODE_ROWS, CODE_SHARE of the catalog) products name it and it is not one of
        GENERIC_CODES (common in the reference catalogs, which a small catalog cannot
        tell): "mp3", "ddr3" or "cat6" name a kind of product, not one product."""
        read = [read_text(t) for t in texts]
        vocab: tuple[dict, ...] = ({}, {}, {}, {}, {})
        codes = _sparse([r[0] for r in read], vocab[0])
        df = np.bincount(codes.indices, minlength=codes.shape[1])
        limit = max(CODE_ROWS, CODE_SHARE * len(read))
        keep = df <= limit
        for code, col in list(vocab[0].items()):
            if not keep[col] or code in GENERIC_CODES:
                keep[col] = False
                del vocab[0][code]
        codes = (codes @ sp.diags(keep.astype(np.float32))).tocsr()
        codes.eliminate_zeros()
        return cls(codes, _sparse([r[1] for r in read], vocab[1]),
                   _sparse([r[1] for r in read], vocab[2], units=True),
                   np.array([r[2] for r in read], dtype=np.int64),
                   np.array([r[3] for r in read], dtype=bool),
                   np.array([r[4] for r in read], dtype=np.int64).reshape(-1, 3),
                   _keys(texts, vocab[3], grow=True),
                   _sparse(_series_of(read, vocab[0]), vocab[4]), vocab)

    def read(self, texts: Sequence[str]) -> TextEvidence:
        """Other texts (search queries) read against this catalog's codes and sizes."""
        read = [read_text(t) for t in texts]
        v = self.vocab
        return TextEvidence(_sparse([r[0] for r in read], v[0], grow=False),
                            _sparse([r[1] for r in read], v[1], grow=False),
                            _sparse([r[1] for r in read], v[2], grow=False, units=True),
                            np.array([r[2] for r in read], dtype=np.int64),
                            np.array([r[3] for r in read], dtype=bool),
                            np.array([r[4] for r in read], dtype=np.int64).reshape(-1, 3),
                            _keys(texts, v[3], grow=False),
                            _sparse(_series_of(read, v[0]), v[4], grow=False), v)

    def __len__(self) -> int:
        return len(self.colours)

    def same_text(self, left, right, queries: TextEvidence | None = None, *,
                  also: np.ndarray | None = None) -> np.ndarray:
        """(p,) bool: the pair's texts have the same words in the same order, or `also`
        says the pair is the same (a fused score of 1), unless the two products' model
        numbers differ (two products, whatever their texts say)."""
        q = self if queries is None else queries
        ka = q.keys[np.asarray(left, dtype=np.int64)]
        kb = self.keys[np.asarray(right, dtype=np.int64)]
        same = (ka == kb) & (ka >= 0)
        if also is not None:
            same |= also
        return same & ~self.numbers_differ(left, right, queries)

    def numbers_differ(self, left, right, queries: TextEvidence | None = None) -> np.ndarray:
        """(p,) bool: both products have a model number and they differ (search queries
        have none)."""
        numbers = self._numbers_for(queries)
        if numbers is None:
            return np.zeros(len(np.asarray(left)), dtype=bool)
        return numbers.agree(left, right) == -1

    def _numbers_for(self, queries: TextEvidence | None) -> ModelNumbers | None:
        """The model numbers to compare pairs by: this catalog's, for its own pairs."""
        return self.numbers if queries is None else None

    def pairs(self, left, right, queries: TextEvidence | None = None) -> np.ndarray:
        """(p, len(FEATURES)) float32 features of pairs: left rows of `queries` (default
        this catalog) against right rows of this catalog."""
        q = self if queries is None else queries
        a = np.asarray(left, dtype=np.int64)
        b = np.asarray(right, dtype=np.int64)
        if not len(a):
            return np.zeros((0, len(FEATURES)), dtype=np.float32)

        def both(x: sp.csr_matrix, y: sp.csr_matrix) -> np.ndarray:
            return _rowwise_dot(*_cross(x, y), a, b)

        out = _features(both(q.codes, self.codes), both(q.size_units, self.size_units),
                        both(q.sizes, self.sizes), both(q.series, self.series), (q, a),
                        (self, b))
        numbers = self._numbers_for(queries)
        agree = None if numbers is None else numbers.agree(a, b)
        out = _with_numbers(out, agree)
        return _with_prices(out, self.prices if queries is None else None, a, b, agree)

    def block(self, rows, members) -> np.ndarray:
        """(r, m, len(FEATURES)) float32 features of every row against every member."""
        r = np.asarray(rows, dtype=np.int64)
        m = np.asarray(members, dtype=np.int64)
        if not (len(r) and len(m)):
            return np.zeros((len(r), len(m), len(FEATURES)), dtype=np.float32)

        def both(x: sp.csr_matrix) -> np.ndarray:
            return (x[r] @ x[m].T).toarray()

        out = _features(both(self.codes), both(self.size_units), both(self.sizes),
                        both(self.series),
                        (self, r[:, None]), (self, m[None, :]))
        agree = None if self.numbers is None else self.numbers.agree(r[:, None], m[None, :])
        out = _with_numbers(out, agree)
        return _with_prices(out, self.prices, r[:, None], m[None, :], agree)


@dataclass(frozen=True)
class PriceAgreement:
    """How a price column prices the pairs that are surely one product (price_agreement)."""

    pairs: int  # priced pairs that name the same model code or have equal model numbers
    far: int  # of them, priced more than PRICE_RATIO apart
    example: tuple[int, int] | None = None  # the rows of one far pair, the furthest apart

    @property
    def comparable(self) -> bool:
        """Prices can be compared (or too few pairs to tell otherwise)."""
        return self.pairs < PRICE_PAIRS or self.far <= PRICE_FAR_SHARE * self.pairs


def _pairs_within(indptr: np.ndarray, indices: np.ndarray, most: int) -> np.ndarray:
    """(p, 2) int64 rows of every pair inside each group of a CSC-like layout (group j's
    rows: indices[indptr[j]:indptr[j + 1]]) of 2 to `most` members, vectorised per size."""
    sizes = np.diff(indptr)
    out = [np.zeros((0, 2), dtype=np.int64)]
    for d in range(2, most + 1):
        start = indptr[:-1][sizes == d]
        if not len(start):
            continue
        rows = indices[start[:, None] + np.arange(d)]
        i, j = np.triu_indices(d, 1)
        out.append(np.stack([rows[:, i].ravel(), rows[:, j].ravel()], axis=1).astype(np.int64))
    return np.concatenate(out)


def price_agreement(ev: TextEvidence, prices: np.ndarray) -> PriceAgreement:
    """Of the pairs of products that are surely one product (the same model code, named by
    at most CODE_ROWS products, or equal model numbers) with both prices known, how many
    are priced more than PRICE_RATIO apart."""
    prices = np.asarray(prices, dtype=np.float64)
    codes = ev.codes.tocsc()
    found = [_pairs_within(codes.indptr, codes.indices, CODE_ROWS)]
    if ev.numbers is not None:
        ids = ev.numbers.ids
        named = np.flatnonzero(ids >= 0)
        order = named[np.argsort(ids[named], kind="stable")]
        indptr = np.r_[0, np.cumsum(np.bincount(ids[named]))] if len(named) else np.zeros(1, int)
        found.append(_pairs_within(indptr, order, CODE_ROWS))
    pairs = np.concatenate(found)
    if not len(pairs):
        return PriceAgreement(0, 0)
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    pa, pb = prices[pairs[:, 0]], prices[pairs[:, 1]]
    known = np.isfinite(pa) & np.isfinite(pb) & (pa > 0) & (pb > 0)
    pairs, pa, pb = pairs[known], pa[known], pb[known]
    ratio = np.fmax(pa, pb) / np.fmin(pa, pb) if len(pairs) else np.zeros(0)
    far = ratio > PRICE_RATIO
    example = tuple(int(x) for x in pairs[int(np.argmax(ratio))]) if far.any() else None
    return PriceAgreement(len(pairs), int(far.sum()), example)


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
MIN_NUMBER = 3  # "a1" or "12" says too little to tell two products apart
MAX_NUMBER = 40  # longer is no model number (and bounds the parts ModelNumbers.read tries)


def model_number(value: object) -> str:
    """A model number as compared: lower case, letters and digits only ("MB225LL/A" ->
    "mb225lla"); "" when it is blank, too short to tell products apart, longer than any
    model number (a description in the wrong column) or a number a spreadsheet rounded into
    scientific notation (an EAN saved as 4.02952E+12: different products share it)."""
    text = str(value or "")[:4 * MAX_NUMBER]
    if EXCEL_SCIENTIFIC.fullmatch(text.strip()):
        return ""
    out = _NOT_ALNUM.sub("", text.lower())
    return out if MIN_NUMBER <= len(out) <= MAX_NUMBER else ""


@dataclass(frozen=True)
class ModelNumbers:
    """One catalog's model numbers, compared pair by pair without a Python loop but for
    the rare pairs where one number could hold the other."""

    values: tuple[str, ...]  # model_number() of each product ("" = none)
    ids: np.ndarray  # (n,) int64: equal for equal numbers, -1 for none
    inner: np.ndarray  # (n,) bool: the number is part of another product's longer number

    @classmethod
    def read(cls, values: Sequence[object]) -> ModelNumbers:
        numbers = tuple(model_number(v) for v in values)
        distinct = sorted(set(numbers) - {""})
        at = {v: i for i, v in enumerate(distinct)}
        ids = np.array([at.get(v, -1) for v in numbers], dtype=np.int64)
        known, inside = set(distinct), set()  # the numbers that are part of a longer one
        # only the lengths some number has: 100,000 barcodes of 13 digits (none inside
        # another) took 0.9 s trying every part of each
        lengths = sorted({len(v) for v in distinct})
        for v in distinct:
            for size in lengths:
                if size >= len(v):
                    break
                for start in range(len(v) - size + 1):
                    if v[start:start + size] in known:
                        inside.add(v[start:start + size])
        inner = np.array([v in inside for v in numbers], dtype=bool)
        return cls(numbers, ids, inner)

    def agree(self, a, b) -> np.ndarray:
        """Per pair of rows: 1 the model numbers agree (equal, or one holds the other:
        "dsct110" in "dsct110r"), -1 both are given and differ, 0 one is missing."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
        ia, ib = self.ids[a], self.ids[b]
        both = (ia >= 0) & (ib >= 0)
        out = np.where(both, np.where(ia == ib, 1, -1), 0).astype(np.int8)
        check = np.flatnonzero(both & (ia != ib) & (self.inner[a] | self.inner[b]))
        for flat in check.tolist():  # one may hold the other
            u, v = self.values[a.flat[flat]], self.values[b.flat[flat]]
            if u in v or v in u:
                out.flat[flat] = 1
        return out


def _with_numbers(out: np.ndarray, agree: np.ndarray | None) -> np.ndarray:
    """Features with the model number columns' verdict (ModelNumbers.agree of the pairs:
    1 agree, -1 differ, 0 unknown) over the texts' codes: agreeing numbers are a shared
    code, differing ones a conflict (two products of one shop with different model numbers
    are two products, whatever their titles say)."""
    if agree is None:
        return out
    out[..., 0] = np.where(agree == 1, 1.0, np.where(agree == -1, 0.0, out[..., 0]))
    out[..., 1] = np.where(agree == -1, 1.0, np.where(agree == 1, 0.0, out[..., 1]))
    return out


_PRICE = FEATURES.index("price_conflict")


def _with_prices(out: np.ndarray, prices: np.ndarray | None, a, b,
                 agree: np.ndarray | None = None) -> np.ndarray:
    """Features with a price conflict where both prices are known and more than
    PRICE_RATIO apart (a product and its bundle, its professional edition, its bigger
    size: the same words, another price), unless the model number columns agree: equal
    maker's numbers are one product whatever two shops ask for it (walmart-amazon's
    labelled pairs with equal modelno, train and valid: 384, every one a twin, 20 of them
    priced more than twice apart)."""
    if prices is None:
        return out
    pa, pb = prices[a], prices[b]
    with np.errstate(invalid="ignore"):
        far = np.fmax(pa, pb) > PRICE_RATIO * np.fmin(pa, pb)
    far = far & np.isfinite(pa) & np.isfinite(pb)
    if agree is not None:
        far = far & (agree != 1)
    out[..., _PRICE] = far
    return out


def _features(codes: np.ndarray, units: np.ndarray, sizes: np.ndarray, series: np.ndarray,
              left, right) -> np.ndarray:
    """FEATURES from the pairs' shared code, unit, size and code series counts (any shape)
    and each side's (TextEvidence, rows broadcasting to that shape)."""
    (ea, a), (eb, b) = left, right
    out = np.zeros((*codes.shape, len(FEATURES)), dtype=np.float32)
    shared = codes > 0
    out[..., 0] = shared
    out[..., 1] = (series > 0) & ~shared
    out[..., 2] = units > sizes  # a unit both name with no value both name (approximately)
    ca, cb = ea.colours[a], eb.colours[b]
    out[..., 3] = (ca != 0) & (cb != 0) & ((ca & cb) == 0)
    out[..., 4] = ea.condition[a] != eb.condition[b]
    out[..., 5] = edition_conflict(ea.editions[a], eb.editions[b])
    return out


def code_series(code: str) -> str | None:
    """A model code's series: its letters in place, each digit as # ("cs3" and "cs4" ->
    "cs#"; "u5140" is not "u5140900"'s); None for a code of digits only."""
    out = "".join("#" if ch.isdigit() else ch for ch in code)
    return out if any(ch.isalpha() for ch in out) else None


def _series_of(read: Sequence[tuple], codes: dict) -> list[set[str]]:
    """The series of each read text's model codes among `codes` (the catalog's: a code
    too common to name one product names no series)."""
    return [{x for x in map(code_series, r[0] & codes.keys()) if x is not None} for r in read]


def _keys(texts: Sequence[str], vocab: dict, *, grow: bool) -> np.ndarray:
    """(n,) int64 word-sequence keys (-1: no words or, not growing, unseen)."""
    out = np.full(len(texts), -1, dtype=np.int64)
    for i, t in enumerate(texts):
        words = " ".join(_WORDS.findall(str(t).lower()))
        if words:
            out[i] = vocab.setdefault(words, len(vocab)) if grow else vocab.get(words, -1)
    return out


def _rowwise_dot(x: sp.csr_matrix, y: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(p,) dot products of rows x[a[i]] and y[b[i]] of binary CSR matrices."""
    return np.asarray(x[a].multiply(y[b]).sum(axis=1)).ravel()


__all__ = ["FEATURES", "PriceAgreement", "TextEvidence", "code_series", "edition",
           "edition_conflict", "model_number", "price_agreement", "read_text"]
