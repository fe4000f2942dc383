"""What a search query typed through a pinyin keyboard meant, in the catalog's own words.

Chinese shoppers type through pinyin input methods, so their usual typo is a homophone:
the right sound, the wrong character (兰之 for 兰芝); and some type the pinyin itself
(``lanzhi``, ``lan zhi shui ru``). Neither meets the catalog's words, and the query gate
(:mod:`core.search.query_gate`) then reads the right products as unrelated.
:meth:`Speller.respell` writes such a query the way the catalog writes it:

- a Chinese query: each character pair (bigram) the catalog does not have is replaced by
  the catalog's most common pair that sounds the same (tones ignored, every reading of a
  character counts), when that adds a pair the catalog has;
- a query in Latin letters, in a catalog written in Chinese: each run of words the
  catalog does not have that spells whole pinyin syllables (``lanzhi shuiru``, ``lv``
  for 绿) becomes the catalog's characters with those sounds, fewest pieces first
  (pairs before single characters), with at least one pair.

- a query in Latin letters, in a catalog written in Latin letters: each word of four
  letters or more that the catalog does not have, one typo away (a letter missing, added,
  changed, or two swapped: ``samsng``, ``logitec``, ``cabel``) from words the catalog has,
  becomes the most common of them (:data:`MAX_WORD_FIXES` words at most); a word of the
  English dictionary the bundled model reads (its WordPiece vocabulary's 20,362 whole
  words: ``hose``, ``litter``, ``clubs``) is no typo and stays, so a query for what the
  shop does not sell is not turned into what it does ("garden hose" was "garden home"),
  unless it is the plural of a word the catalog has ("cables" -> "cable"). Only the
  catalog's :data:`MAX_LATIN_WORDS` most common words are looked at, through their
  one-letter deletions (the symmetric-delete method), so a lookup is a few dict reads.

Readings come from pypinyin's character table (MIT; ``pypinyin.pinyin_dict``, 41,923
characters), loaded on the first Chinese catalog only: an English catalog never builds
the pinyin tables. Whether the respelt query's results are shown
instead of the typed one's is :meth:`Speller.shows` (:func:`core.pipeline.search_as_meant`):
only when they score higher and their first product has a word the respelling made.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from core.search.hant_hans import TO_SIMPLIFIED
from core.search.lexical import LexicalIndex

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_PAIR = re.compile(rf"^[{_HAN}]{{2}}$")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_LETTERS = re.compile(r"^[a-zü]+$")
# Readings of a character looked at (the table lists the common one first).
MAX_READINGS = 3
# Characters of a Chinese query respelt: a typo is one character; more changes turned
# zh-dev's off-topic queries into the catalog's words (bench/chinese_spelling.py).
MAX_CHANGES = 1
# Latin typos: the shortest word corrected, the catalog words looked at (the most common),
# and the words of one query corrected at most (bench/english_spelling.py)
MIN_LATIN_LETTERS = 4
MAX_LATIN_WORDS = 30_000
MAX_WORD_FIXES = 2
_LATIN_WORD = re.compile(r"^[a-zà-öø-ÿ]+$")


def _syllable(reading: str) -> str:
    """"lǜ" -> "lv" (tones dropped, ü typed as v as on a pinyin keyboard)."""
    plain = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    return "".join(c for c in plain if not unicodedata.combining(c))


def readings(char: str) -> tuple[str, ...]:
    """The toneless pinyin readings of one character, most common first; () if none."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(char))
    if not raw:
        return ()
    return tuple(dict.fromkeys(_syllable(r) for r in raw.split(",")))[:MAX_READINGS]


@dataclass
class Speller:
    """A catalog's Chinese character pairs and characters by their sound.

    left / right: (character, syllable) / (syllable, character) -> the catalog's most
    common pair of that character with a character of that sound (any reading);
    spelt: "lanzhi" -> (pair, where its second syllable starts, readings used that are
    not the characters' first); chars: syllable -> (character, 0 or 1 the same way).
    Pairs and characters read by their first reading come before those read by another.
    words: the words index it was built from (which products have which pairs, for
    :meth:`shows`).
    """

    vocab: dict[str, int]
    words: LexicalIndex | None = field(default=None, repr=False, compare=False)
    left: dict[tuple[str, str], str] = field(default_factory=dict)
    right: dict[tuple[str, str], str] = field(default_factory=dict)
    spelt: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    chars: dict[str, tuple[str, int]] = field(default_factory=dict)
    # Latin words, the most common first, and each word's one-letter deletions (and the word
    # itself) -> the ranks of the words that give it
    deletions: dict[str, list[int]] = field(default_factory=dict, repr=False)
    latin: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, index: LexicalIndex) -> Speller:
        """From a words index: its Han character pairs and characters, common first."""
        speller = cls(index.vocab, index)
        if not _HAN_RUN.search("".join(index.vocab)):
            speller._add_latin(index)  # not a Chinese catalog: its Latin words' typos
            return speller
        han = [(tok, col) for tok, col in index.vocab.items() if _HAN_PAIR.match(tok)
               or (len(tok) == 1 and _HAN_RUN.match(tok))]
        if not any(len(tok) == 2 for tok, _ in han):
            return speller
        order = np.argsort(index.idf[[c for _, c in han]], kind="stable")  # common first
        sound = {ch: readings(ch) for ch in {ch for tok, _ in han for ch in tok}}
        toks = [han[j][0] for j in order]
        for tok in toks:  # by first readings: "ru" is 乳, never 女 (nǚ, rǔ)
            first = [sound[ch][:1] for ch in tok]
            if len(tok) == 1:
                for syl in first[0]:
                    speller.chars.setdefault(syl, (tok, 0))
            else:
                speller._add(tok, first, sound)
        for tok in toks:  # then by every reading: 银行 is yinhang too
            if len(tok) == 2 and (len(sound[tok[0]]) > 1 or len(sound[tok[1]]) > 1):
                speller._add(tok, [sound[tok[0]], sound[tok[1]]], sound)
        return speller

    def _add_latin(self, index: LexicalIndex) -> None:
        """The one-letter deletions of the catalog's MAX_LATIN_WORDS most common words of
        MIN_LATIN_LETTERS - 1 letters or more (a word one letter short of a query word)."""
        words = [(tok, col) for tok, col in index.vocab.items()
                 if len(tok) >= MIN_LATIN_LETTERS - 1 and _LATIN_WORD.match(tok)]
        if not words:
            return
        idf = index.idf[[c for _, c in words]]
        order = np.argsort(idf, kind="stable")[:MAX_LATIN_WORDS]  # common first
        self.latin = [words[j][0] for j in order]
        for rank, word in enumerate(self.latin):
            for d in _deletions(word):
                self.deletions.setdefault(d, []).append(rank)

    def _word_fix(self, word: str) -> str | None:
        """The catalog's most common word one typo from ``word`` (a letter missing, added,
        changed, or two neighbours swapped), or None."""
        ranks: set[int] = set()
        for d in _deletions(word):
            ranks.update(self.deletions.get(d, ()))
        for rank in sorted(ranks):
            if _one_typo(word, self.latin[rank]):
                return self.latin[rank]
        return None

    def _singular(self, word: str) -> str | None:
        """The catalog's singular of an English plural it lacks ("cables" -> "cable",
        "batteries" -> "battery", "boxes" -> "box"), or None."""
        for ending, replacement in (("ies", "y"), ("es", ""), ("s", "")):
            if word.endswith(ending) and not word.endswith("ss"):
                stem = word[: -len(ending)] + replacement
                if len(stem) >= MIN_LATIN_LETTERS - 1 and stem in self.vocab:
                    return stem
        return None

    def _latin_typos(self, text: str) -> str | None:
        """The query with its unknown Latin words of MIN_LATIN_LETTERS letters or more put
        right (at most MAX_WORD_FIXES); None when none is."""
        words = text.split()
        fixes = 0
        for i, word in enumerate(words):
            if fixes >= MAX_WORD_FIXES:
                break
            if len(word) < MIN_LATIN_LETTERS or word in self.vocab \
                    or not _LATIN_WORD.match(word):
                continue
            fixed = self._singular(word) if word in english_words() else self._word_fix(word)
            if fixed is not None:
                words[i], fixes = fixed, fixes + 1
        return " ".join(words) if fixes else None

    def _add(self, tok: str, options: list[tuple[str, ...]],
             sound: dict[str, tuple[str, ...]]) -> None:
        for b in options[1]:
            self.left.setdefault((tok[0], b), tok)
        for a in options[0]:
            self.right.setdefault((a, tok[1]), tok)
        for a, b in itertools.product(*options):
            second = int(a != sound[tok[0]][0]) + int(b != sound[tok[1]][0])
            self.spelt.setdefault(a + b, (tok, len(a), second))

    @property
    def chinese(self) -> bool:
        return bool(self.spelt)

    def respell(self, query: str) -> str | None:
        """The query in the catalog's characters, or its Latin typos put right (a Latin
        catalog); None when nothing changes."""
        if not self.chinese:
            if not self.latin:
                return None
            return self._latin_typos(unicodedata.normalize("NFKC", query).lower())
        text = unicodedata.normalize("NFKC", query).lower().translate(TO_SIMPLIFIED)
        if _HAN_RUN.search(text):
            out = self._homophones(text)
            return out if out != text else None
        return self._pinyin(text)

    def made_words(self, typed: str, respelt: str) -> list[str]:
        """The catalog's character pairs the respelling put into the query: the respelt
        query's pairs that the typed one lacks (for pinyin, every pair)."""
        if self.words is None:
            return []
        before = set(self.words.tokenizer(typed))
        return [tok for tok in dict.fromkeys(self.words.tokenizer(respelt))
                if (_HAN_PAIR.match(tok) or _LATIN_WORD.match(tok)) and tok in self.vocab
                and tok not in before]

    def shows(self, typed: str, respelt: str, typed_best: float, respelt_first: int,
              respelt_best: float) -> bool:
        """Whether the search shows the respelt query's results instead of the typed one's:
        they score higher, and their first product (a row of the words index) has a word
        the respelling made (:meth:`made_words`). Otherwise the higher score came from
        elsewhere than the correction: an off-topic query respelt into the catalog's words
        (明星离婚八卦 -> 明星礼婚八卦, whose first product has no 礼婚) reads as related by
        meaning alone. The same rule for a Chinese query and for pinyin. On zh-dev
        (bench/chinese_spelling.py), against the rule it replaces (the typed query's results
        must hold the respelt query's first product, pinyin exempt): homophone typos' R@1
        0.838 and pinyin's 0.695 kept, the served queries' 0.844 -> 0.850 (= not respelt),
        off-topic queries read "nothing close" 52% -> 64% (72% not respelt)."""
        if respelt_best <= typed_best or self.words is None or respelt_first < 0:
            return False
        made = [self.vocab[tok] for tok in self.made_words(typed, respelt)]
        has = self.words.weights[respelt_first].indices
        return bool(np.isin(made, has).any())

    def _homophones(self, text: str) -> str:
        """The text with up to MAX_CHANGES characters replaced, each by one that sounds
        the same and makes the most of the text's pairs ones the catalog has."""
        chars = list(text)
        for _ in range(MAX_CHANGES):
            known = self._known(chars)
            best: tuple[int, list[str]] | None = None
            for i in range(len(chars)):
                for c in self._sound_alikes(chars, i):
                    trial = [*chars[:i], c, *chars[i + 1:]]
                    gain = self._known(trial) - known
                    if gain > 0 and (best is None or gain > best[0]):
                        best = (gain, trial)
            if best is None:
                break
            chars = best[1]
        return "".join(chars)

    def _sound_alikes(self, chars: list[str], i: int) -> list[str]:
        """Characters sounding like chars[i] that the catalog pairs with a neighbour it
        does not pair with now."""
        out = []
        for syl in readings(chars[i]):
            if i > 0 and chars[i - 1] + chars[i] not in self.vocab:
                tok = self.left.get((chars[i - 1], syl))
                out += [tok[1]] if tok else []
            if i + 1 < len(chars) and chars[i] + chars[i + 1] not in self.vocab:
                tok = self.right.get((syl, chars[i + 1]))
                out += [tok[0]] if tok else []
        return list(dict.fromkeys(c for c in out if c != chars[i]))

    def _known(self, chars: list[str]) -> int:
        return sum(chars[i] + chars[i + 1] in self.vocab for i in range(len(chars) - 1))

    def _pinyin(self, text: str) -> str | None:
        """Runs of Latin words that spell pinyin -> the catalog's characters (a word that
        does not, a brand, stays); None when no run has a pair the catalog has."""
        out: list[str] = []
        run: list[str] = []
        changed = False
        for word in [*text.split(), ""]:
            if word and _LETTERS.match(word):
                run.append(word.replace("ü", "v"))
                continue
            if run:
                spelt = self._spell(run)
                changed = changed or spelt is not None
                out.append(spelt or " ".join(run))
                run = []
            if word:
                out.append(word)
        return " ".join(out) if changed else None

    def _spell(self, words: list[str]) -> str | None:
        """Words as catalog pieces: the fewest words kept as typed, then the fewest pieces,
        the most pairs, the fewest second readings; None without a pair. A piece never
        splits a syllable at a space the shopper typed."""
        letters = "".join(words)
        ends = set(itertools.accumulate(len(w) for w in words))
        # "zhong hua lv xian": one syllable a word, so "xian" is 线, not 西安
        syllabic = len(words) > 1 and all(w in self.chars for w in words)
        starts = {0} | ends
        n = len(letters)
        best: list[tuple | None] = [None] * (n + 1)  # ((kept, pieces, -pairs, second), text)
        best[0] = ((0, 0, 0, 0), [])

        def offer(j: int, cost: tuple, text: list[str]) -> None:
            if best[j] is None or _rank(cost) < _rank(best[j][0]):
                best[j] = (cost, text)

        for i in range(n):
            if best[i] is None:
                continue
            (kept, pieces, pairs, second), text = best[i]
            if i in starts:  # a whole word kept as typed
                j = min(e for e in ends if e > i)
                offer(j, (kept + 1, pieces + 1, pairs, second), [*text, f" {letters[i:j]} "])
            for j in range(i + 1, min(n, i + 12) + 1):
                inside = {e for e in ends if i < e < j}
                pair = self.spelt.get(letters[i:j])
                if pair is not None and inside <= {i + pair[1]} and (
                        not syllabic or (i + pair[1] in ends and j in ends)):
                    offer(j, (kept, pieces + 1, pairs - 1, second + pair[2]), [*text, pair[0]])
                char = self.chars.get(letters[i:j])
                if char is not None and not inside and (not syllabic or j in ends):
                    offer(j, (kept, pieces + 1, pairs, second + char[1]), [*text, char[0]])
        end = best[n]
        if end is None or end[0][2] == 0:
            return None
        return " ".join("".join(end[1]).split())


@functools.cache
def english_words() -> frozenset[str]:
    """Whole English words of 4+ letters: those of the bundled model's WordPiece vocabulary
    (not its "##" pieces); empty when the model's folder cannot be read."""
    from core.embed.models import bundled_model_path
    from core.errors import ModelLoadError

    try:
        lines = (bundled_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError, ModelLoadError):  # no dictionary: every unknown
        return frozenset()                                # word may be a typo
    return frozenset(w for w in lines if len(w) >= MIN_LATIN_LETTERS and w.isascii()
                     and w.isalpha())


def _deletions(word: str) -> set[str]:
    """The word and the words one letter shorter it holds: two words one typo apart share one
    (the symmetric-delete method)."""
    return {word[:i] + word[i + 1:] for i in range(len(word))} | {word}


def _one_typo(a: str, b: str) -> bool:
    """Whether a and b differ by one typo: a letter missing, added or changed, or two
    neighbouring letters swapped (optimal string alignment distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def _rank(cost: tuple[int, int, int, int]) -> tuple[int, ...]:
    """(words kept, pieces, -pairs, second readings) -> the order pieces are chosen by: a
    second reading counts as a piece more, and a pair wins a tie, so 银行 (yin hang) beats
    银+航 (zh-dev pinyin queries joined: R@1 0.689 -> 0.695). Without a table of words the
    same tie makes "shuiru" the pair 水女 (女 read rǔ, from 防水女鞋) in a catalog whose
    titles lack 水乳."""
    kept, pieces, pairs, second = cost
    return kept, pieces + second, pairs, second


__all__ = ["MAX_CHANGES", "MAX_READINGS", "Speller", "readings"]
