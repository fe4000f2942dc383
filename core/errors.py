"""The project's own exception types.

Every problem a user can fix (a bad file, a wrong column name, an unknown
model) raises a subclass of :class:`CatalogSimilarityError` whose message says
what is wrong and what to do. Pages show it with ``st.error``; the CLI prints it
as one line and exits non-zero.
"""

from __future__ import annotations


class CatalogSimilarityError(Exception):
    """Base class for every user-facing error of the project."""


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
                 encoding: str | None = None, delimiter: str | None = None) -> None:
        super().__init__(message)
        self.first_lines = first_lines
        self.encoding = encoding
        self.delimiter = delimiter


class StoreError(CatalogSimilarityError):
    """The workspace database cannot be read or written (damaged, full, read-only)."""


MAX_MESSAGE_CHARS = 600


def short_list(items, limit: int = 10) -> str:
    """'a, b, c and 12 more': at most ``limit`` items of a list named in a message."""
    items = [str(i) for i in items]
    shown = ", ".join(one_line(i, 80) for i in items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


def one_line(text: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Text safe to print on one terminal line: control characters shown as escapes
    (``\\x1b``), newlines as spaces, cut at ``limit`` characters."""
    out = []
    for ch in str(text):
        if ch in "\n\r\t":
            out.append(" ")
        elif ord(ch) < 32 or 127 <= ord(ch) < 160:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    line = "".join(out)
    return line if len(line) <= limit else line[: limit - 1] + "…"
