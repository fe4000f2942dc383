"""Text encodings and delimiters of uploaded files.

Catalogs arrive as UTF-8 (with or without BOM), UTF-16 (Excel "Unicode
text"), GB18030/GBK Chinese exports and cp1252/latin-1 Western exports.
:func:`decode_text` picks one deterministically and says which.
"""

from __future__ import annotations

import csv
import io

from core.errors import CatalogError

DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode bytes to str; returns (text, encoding name).

    Order: BOMs (UTF-8, UTF-16 LE/BE), strict UTF-8, UTF-16 without BOM,
    GB18030 when it decodes and yields mostly CJK, else cp1252, else latin-1.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise CatalogError(f"{name} starts with a UTF-16 mark but is not valid UTF-16") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _try_utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    gb = _try_gb18030(data)
    if gb is not None:
        return gb, "gb18030"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _try_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    codec = "utf-16-le" if odd > len(sample) // 4 else "utf-16-be" if even > len(sample) // 4 else None
    if codec is None:
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def _try_gb18030(data: bytes) -> str | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return text
    cjk = sum(1 for c in non_ascii if _is_cjk(c))
    return text if cjk / len(non_ascii) >= 0.6 else None


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2A6DF)


def detect_delimiter(text: str, sample_lines: int = 50) -> str:
    """Choose the delimiter among , ; tab | whose field count is most consistent.

    Scores each candidate on the first lines parsed with csv (quotes respected):
    the header must split into 2+ fields and most rows must match its count.
    Single-column files fall back to ",".
    """
    sample = _head(text, sample_lines)
    best, best_score = ",", 0.0
    for delim in DELIMITERS:
        rows = _sample_rows(sample, delim)
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
