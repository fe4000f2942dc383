"""The language of a catalog, read from its texts' scripts, and the defaults it implies.

Each text is classed by its letters: Han characters (with no Japanese kana)
make it Chinese, even with a Latin brand or model number in it ("Sansui/山水U3
话筒"); kana Japanese, Hangul Korean; words in Cyrillic, Greek, Arabic, Hebrew, Thai or an
Indian script (Devanagari, Bengali...) make it that script's language when they are at
least half as many as its Latin words (brands and models are written in Latin letters:
"Смартфон Xiaomi Redmi Note 12 256 ГБ" is Cyrillic); Latin
letters alone count as English (the script cannot tell English from French; the defaults
are the same). A catalog
whose texts are 90% or more one language has that language, else it is
"mixed". At most 2,000 texts, spread evenly, are read.

:data:`LANGUAGE_DEFAULTS` gives the model and hybrid weight each language
starts with (the user can change both): English keeps the bundled MiniLM at
0.7 (chosen on the English valid splits); Chinese, and mixed catalogs, get the
bundled multilingual model and 0.5, chosen on zh-dev (bench/chinese_quality.py
--select). A mixed catalog was not measured separately: it needs a model that
reads both languages, and uses the Chinese weight. So do the other scripts (no labelled
catalog in them here): the English-only MiniLM was never trained on them (an 8-product
Russian shop listed an electric kettle second for a pair of sneakers with it, a T-shirt
with the multilingual model), and the word channel reads every script alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LANGUAGE_SETTINGS = ("auto", "en", "zh")
NAMES = {"en": "English", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
         "cyrillic": "Cyrillic script (Russian, Ukrainian...)", "greek": "Greek",
         "arabic": "Arabic script (Arabic, Persian...)", "hebrew": "Hebrew", "thai": "Thai",
         "indic": "an Indian script (Hindi, Bengali...)",
         "mixed": "mixed languages", "unknown": "unknown (no letters)"}
SAMPLE = 2000
MAJORITY = 0.9
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
# Alphabetic scripts the English model was not trained on: words of 2+ letters (Thai and the
# Indian scripts write vowel signs as marks inside a word, so their whole blocks count)
_SCRIPT_WORDS = {
    "cyrillic": re.compile(r"[\u0400-\u04ff\u0500-\u052f]{2,}"),
    "greek": re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]{2,}"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f]{2,}"),
    "hebrew": re.compile(r"[\u0590-\u05ff]{2,}"),
    "thai": re.compile(r"[\u0e00-\u0e7f]{2,}"),
    "indic": re.compile(r"[\u0900-\u0d7f]{2,}"),
}


@dataclass(frozen=True)
class LanguageDefaults:
    model: str
    hybrid_weight: float


LANGUAGE_DEFAULTS: Mapping[str, LanguageDefaults] = {
    "en": LanguageDefaults("bundled", 0.7),
    "zh": LanguageDefaults("multilingual", 0.5),
    "ja": LanguageDefaults("multilingual", 0.5),
    "ko": LanguageDefaults("multilingual", 0.5),
    "mixed": LanguageDefaults("multilingual", 0.5),
    **{script: LanguageDefaults("multilingual", 0.5) for script in _SCRIPT_WORDS},
}
# Models known to read English only (the bundled MiniLM and its fine-tunes).
_ENGLISH_ONLY = ("bundled", "default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2")


@dataclass(frozen=True)
class CatalogLanguage:
    """code: en | zh | ja | ko | mixed | unknown; shares: language -> share of the texts
    read (texts with no letters left out); sampled: how many texts were read."""

    code: str
    shares: dict[str, float]
    sampled: int

    @property
    def name(self) -> str:
        return NAMES[self.code]

    def describe(self) -> str:
        """"Chinese (100% of the 1,000 texts checked)" or "mixed languages (English 50%, Chinese 50%)"."""
        if self.code == "mixed":
            parts = ", ".join(f"{NAMES[k]} {v:.0%}" for k, v in self.shares.items())
            return f"{self.name} ({parts})"
        share = self.shares.get(self.code, 0.0)
        return f"{self.name} ({share:.0%} of the {self.sampled:,} texts checked)"


def text_language(text: str) -> str:
    """en | zh | ja | ko | cyrillic | greek | arabic | hebrew | thai | indic | unknown for
    one text, by its letters."""
    han, kana = len(_HAN.findall(text)), len(_KANA.findall(text))
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN_WORD.findall(text))
    if kana and kana + han >= latin:
        return "ja"
    if hangul and hangul >= latin:
        return "ko"
    if han and han >= latin:
        return "zh"
    if not text.isascii():
        words = {k: len(rx.findall(text)) for k, rx in _SCRIPT_WORDS.items()}
        script, most = max(words.items(), key=lambda kv: kv[1])
        if most and 2 * most >= latin:  # Latin brands in a Russian title: "Смартфон Xiaomi
            return script                 # Redmi Note 12 256 ГБ" (2 Cyrillic words, 3 Latin)
    return "en" if latin else "unknown"


def detect_language(texts: Sequence[str], *, sample: int = SAMPLE) -> CatalogLanguage:
    """The catalog's language from ``sample`` texts spread evenly over it (all of a smaller
    catalog; a stride halved a catalog of 2,008 texts to 1,004 read)."""
    n = len(texts)
    rows = range(n) if n <= sample else (i * (n - 1) // (sample - 1) for i in range(sample))
    picked = [str(texts[i]) for i in rows]
    counts: dict[str, int] = {}
    for text in picked:
        code = text_language(text)
        if code != "unknown":
            counts[code] = counts.get(code, 0) + 1
    total = sum(counts.values())
    if not total:
        return CatalogLanguage("unknown", {}, len(picked))
    shares = {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
    top, share = next(iter(shares.items()))
    return CatalogLanguage(top if share >= MAJORITY else "mixed", shares, len(picked))


def defaults_for(code: str) -> LanguageDefaults | None:
    """The model and hybrid weight a catalog in this language starts with (None: unknown)."""
    return LANGUAGE_DEFAULTS.get(code)


def model_reads(model: str, code: str) -> bool:
    """False when the model is known not to read the language (the English-only MiniLM
    on any catalog but an English one, e.g. Chinese, Russian or mixed); True otherwise, including for
    models whose languages are unknown (a folder or a Hugging Face id)."""
    name = str(model or "").strip().lower()
    english_only = name in _ENGLISH_ONLY or "all-minilm-l6-v2" in name
    return not (english_only and code not in ("en", "unknown"))


__all__ = ["LANGUAGE_DEFAULTS", "LANGUAGE_SETTINGS", "CatalogLanguage", "LanguageDefaults",
           "defaults_for", "detect_language", "model_reads", "text_language"]
