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

import numbers
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import streamlit as st

from components.i18n_zh import ZH

LANGUAGES = {"en": "English", "zh": "中文"}
ENV_VAR = "CATSIM_LANGUAGE"


def default_language() -> str:
    """'zh' when $CATSIM_LANGUAGE starts with zh (zh, zh-CN, zh_TW), else 'en'."""
    return "zh" if os.environ.get(ENV_VAR, "").strip().lower().startswith("zh") else "en"


def language() -> str:
    """The session's interface language: 'en' or 'zh'."""
    from components import state  # state imports t(): imported here, not at the top

    code = state.ui_language()
    return code if code in LANGUAGES else default_language()


def t(text: str, /, **values: object) -> str:
    """text in the interface language, with {name} fields filled from values."""
    if language() == "zh":
        out = ZH.get(text, text)
    else:
        out = singular(text, values) if values else text
    return out.format(**values) if values else out


# English counts of one: "{n:,} products give" reads "1 product gives" (never "1 photo
# files"); the template changes, never a value (catalog text passed in stays as it is)
_ONE = {"products": "product", "photos": "photo", "photo files": "photo file",
        "pairs": "pair", "labelled pairs": "labelled pair", "rows": "row", "lists": "list",
        "texts": "text", "points": "point", "groups": "group", "duplicate groups":
        "duplicate group", "ids": "id", "queries": "query", "tiles": "tile",
        "columns": "column", "neighbours": "neighbour", "steps": "step",
        "review decisions": "review decision", "new texts": "new text"}
_VERB = {"are": "is", "have": "has", "give": "gives", "name": "names", "appear": "appears",
         "use": "uses"}
_COUNTED = re.compile(r"(\{(\w+)(?:![rsa])?(?::[^{}]*)?\}) ("
                      + "|".join(sorted(map(re.escape, _ONE), key=len, reverse=True))
                      + r")\b(?: (" + "|".join(_VERB) + r")\b)?")


def singular(text: str, values: Mapping[str, object]) -> str:
    """text with the nouns counted by a value of exactly 1 in the singular (English)."""
    def one(match: re.Match) -> str:
        value = values.get(match.group(2))
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value != 1:
            return match.group(0)
        verb = match.group(4)
        return f"{match.group(1)} {_ONE[match.group(3)]}" + (f" {_VERB[verb]}" if verb else "")

    return _COUNTED.sub(one, text)


def tr(text: str) -> str:
    """t() without values: for format_func= of option lists."""
    return t(str(text))


def language_switch() -> None:
    """The sidebar's English / 中文 switch (its default from $CATSIM_LANGUAGE)."""
    from components import state

    state.init_ui_language(default_language())
    st.sidebar.radio("Language · 语言", list(LANGUAGES), key=state.UI_LANGUAGE,
                     index=list(LANGUAGES).index(language()), on_change=state.keep_ui_language,
                     format_func=LANGUAGES.__getitem__, horizontal=True)
    if language() == "zh":
        st.html(uploader_css())


def uploader_css() -> str:
    """Streamlit's file uploader says "Upload" and "500MB per file • CSV, ..." in English
    whatever the interface language, and has no parameter for them (streamlit issue
    #13500): in Chinese, a style sheet (no catalog text in it) shows them in Chinese. The
    file types are left out there; every uploader's label names them. Text boxes' hints
    ("Press Enter to apply", "... to submit form" in a form, "Press Ctrl+Enter to apply"
    under a text area) likewise."""
    mb = int(st.get_option("server.maxUploadSize"))
    button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    limit = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    hint = '[data-testid="InputInstructions"] > span:first-child'
    return (f"<style>{button}, {limit}, {hint} {{font-size: 0}} "
            f'{button}::after {{content: "{t("Upload")}"; font-size: 14px}} '
            f'{limit}::after {{content: "{t("Up to {mb:,} MB per file", mb=mb)}"; '
            "font-size: 14px} "
            f'{hint}::after {{content: "{t("Press Enter to apply")}"; font-size: 12px}} '
            f'[data-testid="stForm"] {hint}::after {{content: "{t("Press Enter to submit")}"}} '
            f'[data-testid="stTextArea"] {hint}::after {{content: '
            f'"{t("Press Ctrl+Enter to apply")}"}}</style>')


def join_list(items: Iterable[str]) -> str:
    """Translated items as a list in a sentence: "a, b" in English, "a、b" in Chinese."""
    return t(", ").join(items)


def labels(names: Mapping[str, str] | Sequence[str]) -> Callable[[object], str]:
    """format_func for options named in a {value: English name} dict, or options that are
    their own English names: the names are translated now, when the widget is drawn (a
    callback never looks the language up); other values show as they are."""
    pairs = names.items() if isinstance(names, Mapping) else ((n, n) for n in names)
    shown = {key: t(name) for key, name in pairs}
    return lambda value: shown.get(value, str(value))


def N_(text: str) -> str:
    """Mark a literal for translation where it is defined (a constant, an option name);
    t() translates it where it is shown. Returns text unchanged."""
    return text


NO_COLUMN = N_("(none)")  # the "no column" option of column pickers


def column_option() -> Callable[[object], str]:
    """format_func for a column picker: the "(none)" option translated (now, when the
    widget is drawn, as labels() does), column names (the user's own words) as they are."""
    return labels((NO_COLUMN,))


LANGUAGE_NAMES = {"en": N_("English"), "zh": N_("Chinese"), "ja": N_("Japanese"),
                  "ko": N_("Korean"),
                  "cyrillic": N_("Cyrillic script (Russian, Ukrainian...)"),
                  "greek": N_("Greek"), "arabic": N_("Arabic script (Arabic, Persian...)"),
                  "hebrew": N_("Hebrew"), "thai": N_("Thai"),
                  "indic": N_("an Indian script (Hindi, Bengali...)"),
                  "mixed": N_("mixed languages"),
                  "unknown": N_("unknown (no letters)")}


def language_name(code: str) -> str:
    """A catalog language's name in the interface language."""
    return t(LANGUAGE_NAMES.get(code, code))


def describe_language(lang) -> str:
    """A core.catalog.language.CatalogLanguage for people: "Chinese (99% of the 1,000 texts checked)"."""
    if lang.code == "mixed":
        parts = join_list(f"{language_name(k)} {v:.0%}" for k, v in lang.shares.items())
        return f"{language_name('mixed')} ({parts})"
    if not lang.sampled:
        return language_name(lang.code)
    return t("{name} ({share:.0%} of the {n:,} texts checked)", name=language_name(lang.code),
             share=lang.shares.get(lang.code, 0.0), n=lang.sampled)


# What each channel reads (core.search.settings.CHANNELS words), as NeighborIndex.describe(tr)
# shows it: "30% meaning + 70% words and model numbers".
CHANNEL_WORDS = (N_("meaning"), N_("words and model numbers"), N_("photos"), N_("meaning only"))

# Texts the figure builders in core/ put on charts (titles, axes, series, hover).
CHART_TEXTS = (
    N_("all pairs"), N_("same product (1)"), N_("different (0)"), N_("duplicate score"),
    N_("pairs"), N_("threshold (duplicate score)"), N_("value"), N_("precision"), N_("recall"),
    N_("f1"), N_("measure"), N_("the parts of the score"), N_("meaning"),
    N_("shared words and model numbers"), N_("photos"), N_("same-product evidence"), N_("the total"),
    N_("the parts add up before the score is put on its 0 to 1 scale"),
    N_("(other)"),
    N_("configuration"), N_("in line"), N_("over-priced"), N_("under-priced"),
    N_("median price of similar products"), N_("price"), N_("products"),
    N_("appears in this many other products' lists"), N_("your lists"), N_("without rules"),
    N_("with your rules"), N_("%{y} products appear in %{x} lists<extra></extra>"),
    N_("%{text}<br>price %{y:.2f}<br>median of similar products %{x:.2f}<extra></extra>"),
    # the heatmap's colour bar: what a cell shows (core.search.subset.CELL_KINDS, metrics)
    N_("match"), N_("lexical"), N_("cosine"), N_("dot"), N_("euclidean"), N_("manhattan"),
)


OTHER_TRACE = N_("(other)")  # core.figures.build_map's trace of the categories past the largest


def map_legend(fig):
    """A map from core.figures.build_map with its "(other)" trace (every category past the
    largest ones) named in the interface language. Only that name changes: the other
    traces are the user's own categories or groups, shown as they are."""
    for trace in fig.data:
        if trace.name == OTHER_TRACE:
            trace.name = t(OTHER_TRACE)
    return fig


def chart(fig):
    """A plotly figure from core with its titles, axis titles, series names, legend title,
    annotations and hover templates in the interface language (catalog text untouched:
    only texts listed in CHART_TEXTS, or starting with one of them, change)."""
    if language() == "en":
        return fig

    def tr(text):
        if not isinstance(text, str):
            return text
        for known in CHART_TEXTS:  # "threshold 0.812", "overlap@10": translate the words part
            if text == known:
                return t(known)
        return text

    for axis in ("xaxis", "yaxis"):
        title = fig.layout[axis].title
        if title is not None and title.text:
            title.text = tr(title.text)
    if fig.layout.legend.title.text:
        fig.layout.legend.title.text = tr(fig.layout.legend.title.text)
    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = tr(trace.name)
        if getattr(trace, "hovertemplate", None):
            trace.hovertemplate = tr(trace.hovertemplate)
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is not None and colorbar.title.text:
            colorbar.title.text = tr(colorbar.title.text)
        if isinstance(getattr(trace, "y", None), tuple):  # category names (bar, mark)
            trace.y = tuple(tr(v) for v in trace.y)
    for note in fig.layout.annotations or ():
        if isinstance(note.text, str) and note.text.startswith("threshold "):
            note.text = t("threshold {value}", value=note.text.removeprefix("threshold "))
    return fig
