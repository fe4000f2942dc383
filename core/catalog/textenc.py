"""Text encodings, delimiters and binary-file detection of uploaded files.

Catalogs arrive as UTF-8 (with or without BOM), UTF-16 (Excel "Unicode
text"), GB18030/GBK Chinese exports, the code pages Excel saves "CSV" in on Japanese,
Korean and Russian Windows (Shift-JIS cp932, cp949, cp1251) and cp1252/latin-1 Western
exports.
:func:`decode_text` picks one deterministically and says which;
:func:`binary_kind` recognises files that are not text at all (a zip archive,
an image or a PDF renamed ``.csv``) so they are refused with a clear message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata

from core.catalog.checks import header_row
from core.errors import CatalogError

DELIMITERS = (",", ";", "\t", "|")
# Magic numbers of files people give by mistake: (prefix, what it is, what to do), in words
# that fit the app and the CLI alike.
_MAGIC = (
    # (workbooks, old .xls files and Parquet are read by what they hold: core.catalog.read)
    (b"PK\x03\x04", "a zip archive", "unzip it and use the catalog file inside"),
    (b"%PDF", "a PDF document", "export the catalog as CSV, Excel or Parquet"),
    (b"\x89PNG", "a PNG image", "use the catalog file, not an image"),
    (b"\xff\xd8\xff", "a JPEG image", "use the catalog file, not an image"),
    (b"GIF8", "a GIF image", "use the catalog file, not an image"),
    (b"SQLite format 3\x00", "an SQLite database", "export a table as CSV"),
    (b"\x7fELF", "a program", "use the catalog file"),
)
_SAMPLE = 65536


def binary_kind(data: bytes) -> str | None:
    """None for text; else a message part naming what the bytes look like.

    Checks known magic numbers, then zero bytes that are not UTF-16 text.
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    for prefix, what, todo in _MAGIC:
        if data.startswith(prefix):
            return f"{what}; {todo}"
    sample = data[:_SAMPLE]
    if b"\x00" in sample and _utf16_codec(sample) is None:
        return "binary data; export the catalog as CSV, Excel or Parquet"
    return None


def stray_zero_bytes(data: bytes) -> str | None:
    """'1 zero byte (NUL), the first on line 9; ...' for text holding a few zero bytes (a
    database export's stray ones), which binary_kind takes for binary data; None when the
    bytes hold none, or are not otherwise text (binary, UTF-16)."""
    if b"\x00" not in data:
        return None
    sample = data[:_SAMPLE]
    controls = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if controls > len(sample) // 100 or _utf16_codec(sample) is not None:
        return None
    line = data[:data.index(b"\x00")].count(b"\n") + 1
    total = data.count(b"\x00")
    return (f"{total:,} zero byte{'s' if total != 1 else ''} (NUL), the first on line "
            f"{line:,}; remove them (in a text editor, or with: "
            "tr -d '\\000' < FILE > FIXED) and read the file again")


def decode_text(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode bytes to str; returns (text, encoding name). Never a leading BOM.

    Order: BOMs (UTF-8, UTF-16 LE/BE), UTF-16 without BOM (zero bytes at one
    parity), strict UTF-8, Japanese cp932 when it reads as Japanese (kana, few
    half-width katakana), Korean cp949 when it reads as EUC-KR's common Hangul (Korean
    bytes are valid GB18030 too, as gibberish common Chinese), Russian cp1251 when it
    reads as words of Cyrillic letters cased as words are (cp1252 text such as 'Crème'
    reads as lone Cyrillic letters inside Latin words, and GBK Chinese as letters of any
    case in any order), GB18030 when its non-ASCII text is mostly common (GB2312)
    Chinese, cp932 when it reads as kanji without kana, else cp1252, else latin-1.
    Raises CatalogError when a BOM lies.
    """
    text, encoding = _decode(data, name)
    return text.removeprefix("\ufeff"), encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise CatalogError(f"{name} starts with a UTF-8 mark but byte {exc.start + 3} is "
                               "not UTF-8; save it again as UTF-8") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CatalogError(f"{name} starts with a UTF-16 mark but is not valid "
                               "UTF-16; save it again as UTF-8 or UTF-16") from None
    codec = _utf16_codec(data[:_SAMPLE])  # before UTF-8: ASCII UTF-16 is valid UTF-8 too
    if codec is not None:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = mostly_utf8(data)
    if mostly is not None:
        return mostly[0], "utf-8"
    for codec, reads in (("cp932", _reads_japanese), ("cp949", _reads_korean),
                         ("cp1251", _reads_cyrillic)):
        text = _read_as(data, codec, reads)
        if text is not None:
            return text, codec
    gb = _try_gb18030(data)
    if gb is not None:
        return gb, "gb18030"
    text = _read_as(data, "cp932", _reads_kanji)  # Japanese of kanji only, after GB18030
    if text is not None:
        return text, "cp932"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


MAX_BAD_UTF8_BYTES = 100


def mostly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """UTF-8 text with a few bad bytes: (text with U+FFFD for each, their 1-based lines).

    None when the bad bytes are not rare next to valid multi-byte characters
    (then the file is in another encoding). At most MAX_BAD_UTF8_BYTES are
    tolerated; the decoder walks a memoryview, so nothing is copied.
    """
    view = memoryview(data)
    parts: list[str] = []
    bad: list[int] = []
    pos = 0
    while True:
        try:
            parts.append(codecs.utf_8_decode(view[pos:], "strict", True)[0])
            break
        except UnicodeDecodeError as exc:
            parts.append(codecs.utf_8_decode(view[pos:pos + exc.start], "strict", True)[0])
            parts.append("\ufffd")
            bad.append(pos + exc.start)
            pos += exc.end
            if len(bad) > MAX_BAD_UTF8_BYTES:
                return None
    text = "".join(parts)
    multibyte = len(data) - len(text)  # bytes beyond one per character: valid non-ASCII
    if not bad or multibyte < 4 * len(bad):
        return None
    return text, sorted({data.count(b"\n", 0, p) + 1 for p in bad})


def _utf16_codec(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when zero bytes sit at one parity only (ASCII-ish UTF-16)."""
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


def _read_as(data: bytes, codec: str, reads) -> str | None:
    """The text in codec when its first 256 kB read as that language (reads) and the whole
    decodes; the sample is checked first, so a large file in another code page is not
    decoded whole three more times."""
    if not reads(data[:4 * _SAMPLE].decode(codec, errors="ignore")):
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


_KANA = re.compile(r"[\u3040-\u30ff]")
_HALF_KANA = re.compile(r"[\uff61-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{2,}")


def _non_ascii(text: str) -> int:
    return sum(1 for c in text if ord(c) > 127)


def _reads_japanese(text: str) -> bool:
    """Kana, and few half-width katakana: GBK or cp949 bytes read as cp932 are mostly
    half-width katakana (their lead bytes 0xA1-0xDF are single characters in cp932)."""
    total = _non_ascii(text)
    kana = len(_KANA.findall(text))
    return total > 0 and kana > 0 and len(_HALF_KANA.findall(text)) < 0.05 * total \
        and kana >= 0.2 * total


_JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff60]")


def _reads_kanji(text: str) -> bool:
    """Mostly kanji and full-width forms, few half-width katakana (Japanese without kana;
    GB18030 was tried first)."""
    total = _non_ascii(text)
    return total > 0 and len(_JAPANESE.findall(text)) >= 0.9 * total \
        and len(_HALF_KANA.findall(text)) < 0.05 * total


def _reads_korean(text: str) -> bool:
    """Mostly Hangul, of the 2,350 syllables of EUC-KR: Chinese GBK bytes read as cp949 are
    Hanja as often as Hangul, and Japanese cp932 kanji read as cp949's rare extra syllables."""
    total = _non_ascii(text)
    hangul = _HANGUL.findall(text)
    if not total or len(hangul) < 0.9 * total:
        return False
    return sum(_in_euc_kr(c) for c in hangul) >= 0.9 * len(hangul)


def _in_euc_kr(ch: str) -> bool:
    """One of EUC-KR's 2,350 precomposed syllables (Python writes the others as 8-byte
    jamo sequences)."""
    try:
        return len(ch.encode("euc_kr")) == 2
    except UnicodeEncodeError:
        return False


def _reads_cyrillic(text: str) -> bool:
    """Mostly Cyrillic letters, in words (most of them next to another one: a Western
    accent read as cp1251 is a lone Cyrillic letter inside a Latin word) cased as words
    are: lower case, a capital then lower case, or all capitals (GBK Chinese read as
    cp1251 mixes the cases at random)."""
    total = _non_ascii(text)
    cyrillic = len(_CYRILLIC.findall(text))
    if not total or cyrillic < 0.9 * total:
        return False
    words = _CYRILLIC_WORD.findall(text)
    paired = sum(len(w) for w in words)
    cased = sum(len(w) for w in words if w.islower() or w.isupper() or w[1:].islower())
    return paired >= 0.6 * cyrillic and cased >= 0.8 * paired


def _try_gb18030(data: bytes) -> str | None:
    """The GB18030 reading when most non-ASCII characters are GB2312 (common) ones.

    cp1252 text such as 'Crème' is valid GB18030 too, but its pairs have an
    ASCII trail byte, which common Chinese characters never have.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return text
    common = sum(1 for c in non_ascii if _is_gb2312(c))
    if common / len(non_ascii) < 0.8 or _mostly_alone(text[:4 * _SAMPLE]):
        return None
    return text


def _mostly_alone(text: str) -> bool:
    """Whether most non-ASCII characters stand alone inside ASCII words and are two
    Western letters in cp1252.

    Chinese words are runs of characters ('红色 手机'); a Western letter pair that
    happens to be a common GB2312 character ('Größe': 'ö' + 'ß' read as one) sits
    alone inside an ASCII word ('Gr鰏e'), next to a letter. A lone Chinese character
    between delimiters or digits ('1,是\n', '5 个') is kept: a labels file whose only
    Chinese is 是/否 was read as cp1252 and its labels refused.
    """
    alone = total = 0
    for i, ch in enumerate(text):
        if ord(ch) <= 127:
            continue
        total += 1
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        in_word = _ascii_letter(before) or _ascii_letter(after)
        alone += ord(before) <= 127 and ord(after) <= 127 and in_word and _letters_in_cp1252(ch)
    return 2 * alone > total


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _letters_in_cp1252(ch: str) -> bool:
    return ch.encode("gb18030").decode("cp1252", errors="replace").isalpha()


def _is_gb2312(ch: str) -> bool:
    code = ch.encode("gb18030")
    return len(code) == 2 and code[0] >= 0xA1 and code[1] >= 0xA1


def control_share(text: str) -> float:
    """Share of control characters (other than tab, CR, LF) in the first 64k characters."""
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if c not in "\t\r\n" and unicodedata.category(c) == "Cc")
    return bad / len(sample)


def detect_delimiter(text: str, sample_lines: int = 50) -> str:
    """Choose the delimiter among , ; tab | whose field count is most consistent.

    Scores each candidate on the first lines parsed with csv (quotes respected):
    the header (after any title lines, see :func:`~core.catalog.checks.header_row`) must
    split into 2+ fields and most rows must match its count.
    Single-column files fall back to ",".
    """
    sample = _head(text, sample_lines)
    best, best_score = ",", 0.0
    for delim in DELIMITERS:
        rows = _sample_rows(sample, delim)
        rows = rows[header_row(rows):]  # title lines above the column names
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = sum(1 for r in rows[1:] if len(r) == width) / max(1, len(rows) - 1)
        score = agree * 10 + min(width, 50) / 50
        if score > best_score:
            best, best_score = delim, score
    return best


def _head(text: str, n: int) -> str:
    end = 0
    for _ in range(n):
        nxt = text.find("\n", end)
        if nxt < 0:
            return text
        end = nxt + 1
    return text[:end]


def _sample_rows(sample: str, delim: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delim))
    except csv.Error:
        return []
    if len(rows) > 1:
        rows = rows[:-1] if sample and not sample.endswith("\n") else rows
    return [r for r in rows if r]
