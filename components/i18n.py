"""The interface language: ``t("English text")`` gives the text in the session's language.

English is the source language: labels are written in English in the code and
looked up in :data:`components.i18n_zh.ZH` when the interface is Chinese (a
missing entry falls back to English; tests/app/test_i18n.py keeps the table
complete for every literal passed to ``t``). Values go in by name, after the
lookup, so a translation can move them: ``t("{n:,} products", n=len(cat))``.
Catalog text is never passed through ``t``.

The sidebar switch sets the session's language; the default comes from
``$CATSIM_LANGUAGE`` (``zh`` or ``en``; English when unset). CLI messages stay English.
"""

from __future__ import annotations

import os

import streamlit as st

from components import state
from components.i18n_zh import ZH

LANGUAGES = {"en": "English", "zh": "中文"}
ENV_VAR = "CATSIM_LANGUAGE"


def default_language() -> str:
    """'zh' when $CATSIM_LANGUAGE starts with zh (zh, zh-CN, zh_TW), else 'en'."""
    return "zh" if os.environ.get(ENV_VAR, "").strip().lower().startswith("zh") else "en"


def language() -> str:
    """The session's interface language: 'en' or 'zh'."""
    code = state.ui_language()
    return code if code in LANGUAGES else default_language()


def t(text: str, /, **values: object) -> str:
    """text in the interface language, with {name} fields filled from values."""
    out = ZH.get(text, text) if language() == "zh" else text
    return out.format(**values) if values else out


def tr(text: str) -> str:
    """t() without values: for format_func= of option lists."""
    return t(str(text))


def language_switch() -> None:
    """The sidebar's English / 中文 switch (its default from $CATSIM_LANGUAGE)."""
    state.init_ui_language(default_language())
    st.sidebar.radio("Language · 语言", list(LANGUAGES), key=state.UI_LANGUAGE,
                     format_func=LANGUAGES.__getitem__, horizontal=True)
