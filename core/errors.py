"""The project's own exception types.

Every problem a user can fix (a bad file, a wrong column name, an unknown
model) raises a subclass of :class:`CatalogSimilarityError` whose message says
what is wrong and what to do. Pages show it with ``st.error``; the CLI prints it
as one line and exits non-zero.
"""

from __future__ import annotations


class CatalogSimilarityError(Exception):
    """Base class for every user-facing error of the project.

    cli: the message in the command line's words, where the message names what to do in
    the app (a choice on a page) and the CLI has a flag for it instead; :func:`cli_text`
    reads it. The app shows ``str(exc)``.
    """

    def __init__(self, *args: object, cli: str | None = None) -> None:
        super().__init__(*args)
        self.cli = cli


def cli_text(exc: BaseException) -> str:
    """exc's message for the command line: its ``cli`` wording when it has one."""
    return getattr(exc, "cli", None) or str(exc)


class CatalogError(CatalogSimilarityError, ValueError):
    """The catalog file or its column mapping cannot be used."""


class ModelLoadError(CatalogSimilarityError):
    """A model id or folder cannot be loaded (offline, missing, unsafe)."""


class ConfigError(CatalogSimilarityError, ValueError):
    """A configuration file or option is invalid."""


class ParseCheckError(CatalogError):
    """The file was read, but the result looks wrong (many ragged rows, a header of data).

    first_lines: the file's first raw lines, to show so the user can pick the
    delimiter, header and encoding; skipped / total: ragged rows and all rows.
    """

    def __init__(self, message: str, *, first_lines: tuple[str, ...] = (),
                 encoding: str | None = None, delimiter: str | None = None,
                 cli: str | None = None) -> None:
        super().__init__(message, cli=cli)
        self.first_lines = first_lines
        self.encoding = encoding
        self.delimiter = delimiter


class StoreError(CatalogSimilarityError):
    """The workspace database cannot be read or written (damaged, full, read-only)."""


def did_you_mean(unknown, known) -> str:
    """' (did you mean metric?)': the known names that the unknown ones look like
    misspellings of ('metirc' -> 'metric'), each once, in the order of the unknown names;
    '' when none looks like one."""
    from difflib import get_close_matches

    found: list[str] = []
    for name in unknown:
        for guess in get_close_matches(name, sorted(known), n=1, cutoff=0.75):
            if guess not in found:
                found.append(guess)
    return f" (did you mean {', '.join(found)}?)" if found else ""


MAX_MESSAGE_CHARS = 600


def short_list(items, limit: int = 10) -> str:
    """'a, b, c and 12 more': at most ``limit`` items of a list named in a message."""
    items = [str(i) for i in items]
    shown = ", ".join(one_line(i, 80) for i in items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


_BIDI_OPEN = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c",
              "\u202e": "\u202c", "\u2066": "\u2069", "\u2067": "\u2069",
              "\u2068": "\u2069"}
_BIDI = frozenset(_BIDI_OPEN) | {"\u202c", "\u2069"}


def close_bidi(text: str) -> str:
    """text with the direction overrides, embeddings and isolates it leaves open closed
    at its end: a name such as 'shop<U+202E>vsc.txt.csv' reads reversed itself, but can no
    longer reverse the words that follow it on the page or the terminal line."""
    if _BIDI.isdisjoint(text):
        return text
    stack: list[str] = []
    for ch in text:
        if ch in _BIDI_OPEN:
            stack.append(_BIDI_OPEN[ch])
        elif ch == "\u202c" and stack and stack[-1] == "\u202c":
            stack.pop()
        elif ch == "\u2069" and "\u2069" in stack:  # closes the embeddings inside it too
            while stack.pop() != "\u2069":
                pass
    return text + "".join(reversed(stack))


def one_line(text: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Text safe to print on one terminal line: control characters shown as escapes
    (``\\x1b``), newlines as spaces, cut at ``limit`` characters, direction overrides
    it leaves open closed (close_bidi)."""
    out = []
    for ch in str(text):
        if ch in "\n\r\t":
            out.append(" ")
        elif ord(ch) < 32 or 127 <= ord(ch) < 160:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    line = "".join(out)
    return close_bidi(line if len(line) <= limit else line[: limit - 1] + "…")
