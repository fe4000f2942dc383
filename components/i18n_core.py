"""Core's messages in the interface language: ``tr_core(str(exc))``.

core/ writes its errors and warnings in English for every front end (the CLI prints them
as they are). The interface shows them through :func:`tr_core`: in the Chinese interface a
message is matched against the templates of :data:`components.i18n_core_zh.CORE_ZH`
(core's English with a {field} where core puts a value in; anchored, a field matches any
text, shortest first, a number field only a number) and comes back in Chinese with the
values put back unchanged; a message no template matches stays English. The user's values
(file, column and sheet names, ids, rows) are never translated or re-read; only the pieces
core itself adds from fixed lists (``part``/``parts`` fields, short_list's "and 3 more")
are. Markdown safety is the caller's, as before: show the result with components.text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from components.i18n import language
from components.i18n_core_zh import CORE_ZH, LIST_MORE_ZH, LIST_WORDS_ZH

FIELD = re.compile(r"\{(\w+)\}")
NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
_MORE = re.compile(r" and (\d[\d,]*) more\Z")


@dataclass(frozen=True)
class Template:
    """One CORE_ZH entry, compiled: pattern matches core's whole message."""

    english: str
    chinese: str
    pattern: re.Pattern[str]


def _is_number(name: str) -> bool:
    return re.fullmatch(r"n\d*", name) is not None


def compile_template(english: str) -> re.Pattern[str]:
    """core's English template as an anchored regex: a named group per field (a field
    named twice must hold the same text twice)."""
    out, seen, pos = [], set(), 0
    for m in FIELD.finditer(english):
        out.append(re.escape(english[pos:m.start()]))
        name = m.group(1)
        if name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>{NUMBER if _is_number(name) else '.+?'})")
        pos = m.end()
    out.append(re.escape(english[pos:]))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


@cache
def templates() -> tuple[Template, ...]:
    """Every template, the most literal text first (so the most specific one wins)."""
    found = [Template(en, zh, compile_template(en)) for en, zh in CORE_ZH.items()]
    return tuple(sorted(found, key=lambda tp: -len(FIELD.sub("", tp.english))))


# Longer messages stay English: a template's free fields backtrack over a hostile value
# (a 30 kB header cell repeating the template's words took 13 s to fail every template).
MAX_MESSAGE = 2000


def to_chinese(message: str, used: set[str] | None = None) -> str:
    """message in Chinese when a template matches, else message as it is (also when it is
    longer than MAX_MESSAGE). used (optional) collects the English templates that matched,
    pieces included."""
    if len(message) > MAX_MESSAGE:
        return message
    for tp in templates():
        m = tp.pattern.match(message)
        if m is None:
            continue
        if used is not None:
            used.add(tp.english)
        values = {name: _value(name, text, used) for name, text in m.groupdict().items()}
        return FIELD.sub(lambda f, values=values: values[f.group(1)], tp.chinese)
    return message


def _value(name: str, text: str, used: set[str] | None) -> str:
    if name.startswith("parts"):
        return _pieces(text, used)
    if name.startswith("part"):
        return to_chinese(text, used)
    if name.startswith("list"):
        return _short_list(text)
    return text


# core joins at most 5 pieces; a user's value may hold "; " (a hostile header cell, a file
# name): a run is looked for over at most RUN pieces, and pieces past MAX_PIECES stay as
# they are, so a message costs O(pieces), never O(pieces^3) (300 pieces took 30 s).
RUN = 8
MAX_PIECES = 40


def _pieces(text: str, used: set[str] | None) -> str:
    """core's pieces joined by "; " (a trailing "..." kept): each piece, or the longest run
    of them (up to RUN) that one template matches (a user's value may hold "; "),
    translated."""
    tail = "..." if text.endswith("...") else ""
    pieces = text.removesuffix(tail).split("; ")
    pieces, rest = pieces[:MAX_PIECES], pieces[MAX_PIECES:]
    out, i = [], 0
    while i < len(pieces):
        for j in range(min(len(pieces), i + RUN), i, -1):
            joined = "; ".join(pieces[i:j])
            zh = to_chinese(joined, used)
            if zh != joined:
                out.append(zh)
                i = j
                break
        else:
            out.append(pieces[i])
            i += 1
    return "；".join(out + (["; ".join(rest)] if rest else [])) + tail


def _short_list(text: str) -> str:
    """core.errors.short_list's "a, b and 12 more" with its own words translated."""
    more = _MORE.search(text)
    head = text[:more.start()] if more else text
    for en, zh in LIST_WORDS_ZH.items():
        if head == en or head.endswith(", " + en):
            head = head[: len(head) - len(en)] + zh
    return head + (" " + LIST_MORE_ZH.format(n=more.group(1)) if more else "")


def tr_core(message: object) -> str:
    """A message from core (an exception or a warning) in the interface language."""
    text = str(message)
    return to_chinese(text) if language() == "zh" else text


__all__ = ["Template", "compile_template", "templates", "to_chinese", "tr_core"]
