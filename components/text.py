"""The one place where user text meets Markdown.

Streamlit renders Markdown in st.markdown, st.caption, st.error / warning /
info / success / toast, widget labels and st.radio options. Catalog text (ids,
titles, categories, column and file names) and messages that quote it are
data, not markup: ``md()`` escapes every Markdown and HTML character, so a
title like ``![x](http://tracker/p.png)`` or ``[Verify your account](...)``
shows as those characters, loads nothing and links nowhere. Use it wherever a
string that came from a file, an upload or an exception goes into one of the
calls above; plain tables (st.dataframe) and st.text need nothing.
"""

from __future__ import annotations

import re

import streamlit as st

from core.errors import one_line

# The characters that start Markdown, HTML or Streamlit syntax inside a line
# (emphasis, code, links and images, raw HTML, headings, strikethrough, LaTeX,
# entities, :red[...] / :material/...: directives); a backslash makes each
# literal, and list markers at the start get one too.
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>#~$&:@]")
_LIST_START = re.compile(r"^(\s*)(\d*)([-+=|.)])")
# GFM turns bare URLs, www. names and e-mail addresses into links AFTER escapes are
# resolved, so no backslash stops it: a zero-width space after the scheme, after
# "www" and after "@" does (the text reads the same).
_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto)(?=:)|\bwww(?=\.)|@)")
ZWSP = "\u200b"


def md(text: object, limit: int = 2000) -> str:
    """User text made literal for any Markdown element: one line, escaped, cut at limit."""
    line = _AUTOLINK.sub(lambda m: m.group(0) + ZWSP, one_line(text, limit))
    line = _MD_SPECIAL.sub(r"\\\g<0>", line)
    return _LIST_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3), line)


def error(message: object) -> None:
    """An error whose whole text is data (e.g. ``str(exc)`` quoting a file's ids)."""
    st.error(md(message), icon=":material/error:")


def warning(message: object) -> None:
    """A warning whose whole text is data (e.g. a reader warning naming columns)."""
    st.warning(md(message), icon=":material/warning:")


def caption(message: object) -> None:
    """A caption whose whole text is data."""
    st.caption(md(message))


__all__ = ["caption", "error", "md", "warning"]
