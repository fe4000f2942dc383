"""No English left in the Chinese interface: every page rendered in Chinese with a small
Chinese catalog and the tiny BERT, in the states a user reaches on the main path (a
product's list, a rule set, review, export, search with a query, groups, health...), and
every text a user reads collected from the element tree (titles, markdown, captions,
alerts, toasts, widget labels, help, options as shown, placeholders, expander and tab
labels, metric labels, table headers and cells, chart titles and series). A run of three
or more English words fails the test, with the page and the text.

tests/app/test_i18n.py checks the literals given to t(); this finds what escapes it:
f-strings, core's messages, option names shown without format_func, table headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Table

from components.advanced import OTHER_MODEL
from components.i18n_zh import ZH
from tests.conftest import REPO_ROOT, element_texts

pytestmark = pytest.mark.app

ENGLISH_RUN = re.compile(r"[A-Za-z]+(?:[ \t]+[A-Za-z]+){2,}")
# One English word put before a Chinese value ("same 类目": a rule named by core with the
# user's column): English glued into a Chinese sentence, caught even when it is short.
# (not the end of a path or file name: "/data/results 不是...").
ENGLISH_BEFORE_CHINESE = re.compile(r"(?<![\w/.\\-])[a-z]{3,} [\u4e00-\u9fff]")

# Names that stay as they are in Chinese text (each is a name, not a sentence):
# the models' published ids, "Hugging Face" (a site) and the benchmark catalogs' names
# (walmart, walmart-amazon, Abt-Buy). File formats (CSV, Excel, Parquet, JSON) and measures
# (UMAP, BM25, MRR) are single words, never a run. Anything else in English is a miss.
ALLOWED = ("Hugging Face", "walmart", "sentence-transformers", "all-MiniLM-L6-v2",
           "multilingual-e5-small", "paraphrase-multilingual-MiniLM-L12-v2",
           "bge-small-zh-v1.5")
ALLOWED_RUN = re.compile("|".join(re.escape(a) for a in ALLOWED))
# Not prose either: `code`, CLI commands and flags (the CLI stays English: a command the
# user types is shown as it is typed), $ENVIRONMENT_VARIABLES.
NOT_PROSE = re.compile(r"`[^`]*`|python -m core[A-Za-z0-9_ ./=<>\[\]|-]*|--[a-z][a-z-]*|\$[A-Z_]+")
# Proto fields that are not shown as text (ids, icons, number formats, kinds).
HIDDEN_FIELDS = {"id", "form_id", "icon", "format", "type", "spec", "columns", "data",
                 "arrow_data", "url", "mime", "file_name", "shortcut", "default",
                 "value", "raw_value", "language", "placement", "width_config",
                 "height_config", "text_alignment_config", "color"}
# Elements whose text is not prose: code blocks show commands and file contents (the CLI
# stays English), the language switch names both languages on purpose.
SKIP_ELEMENTS = {"code", "exception"}
LANGUAGE_SWITCH = "Language · 语言"
# Names a table header may hold as they are (measures known by these letters).
HEADER_NAMES = {"F1", "MRR", "NDCG", "BM25", "CSV"}
# The neighbour file's columns (DESIGN.md's contract): its preview shows them as in the file.
FILE_COLUMNS = {"source_id", "source_title", "rank", "neighbor_id", "neighbor_title", "score",
                "band"}

TITLES = ["山水U3一拖二无线话筒", "兰芝隔离霜 保湿提亮", "小米 Redmi Note 11 Pro 5G手机",
          "索尼 WH-1000XM4 无线降噪耳机", "苹果11原装手机壳真皮", "南极人家用空气炸锅",
          "华为 MatePad 11 平板电脑", "美的电饭煲 4升 智能预约", "李宁跑步鞋 男款 轻便",
          "红色保温杯 500毫升", "联想拯救者 游戏笔记本电脑", "九阳豆浆机 家用全自动"]
CATEGORIES = ["影音", "美妆", "手机", "影音", "手机配件", "厨房电器", "电脑", "厨房电器",
              "运动鞋", "杯具", "电脑", "厨房电器"]
BRANDS = ["山水", "兰芝", "小米", "索尼", "苹果", "南极人", "华为", "美的", "李宁", "富光",
          "联想", "九阳"]


def chinese_catalog() -> bytes:
    """24 products (each title twice, a different price): GB18030 CSV, Chinese headers."""
    rows = ["编号,标题,类目,品牌,价格"]
    for copy in range(2):
        for i, (title, cat, brand) in enumerate(zip(TITLES, CATEGORIES, BRANDS, strict=True)):
            rows.append(f"SP{copy}{i:02d},{title} {'新款' if copy else ''},{cat},{brand},"
                        f"{99 + 37 * i + copy * 10}.00")
    return ("\n".join(rows) + "\n").encode("gb18030")


def pairs_file() -> bytes:
    """Labelled pairs over the catalog: each title with its copy (1), and with the next (0)."""
    lines = ["left_id,right_id,label"]
    lines += [f"SP0{i:02d},SP1{i:02d},1" for i in range(len(TITLES))]
    lines += [f"SP0{i:02d},SP0{(i + 1) % len(TITLES):02d},0" for i in range(len(TITLES))]
    return ("\n".join(lines) + "\n").encode()


def _strings(msg: Message) -> Iterator[str]:
    for field, value in msg.ListFields():
        if field.name in HIDDEN_FIELDS:
            continue
        values = value if hasattr(value, "__len__") and not isinstance(value, (str, bytes,
                                                                                Message)) \
            else [value]
        for v in values:
            if isinstance(v, Message):
                yield from _strings(v)
            elif isinstance(v, str):
                yield v


def table_headers(frame: Dataframe | Table) -> Iterator[tuple[str, str]]:
    """(header as shown: a column_config label, else the column's name; its help)."""
    columns = getattr(frame.proto, "columns", "")  # st.table has no column_config
    config = json.loads(columns) if columns else {}
    for name in frame.value.columns:
        shown = config.get(f"col:name:{name}", config.get(str(name), {}))
        shown = shown if isinstance(shown, dict) else {}
        yield str(shown.get("label") or name), shown.get("help") or ""


def _table_texts(frame: Dataframe | Table, *, cells: bool) -> Iterator[str]:
    """Headers as shown, their help, and the cells."""
    table = frame.value
    for header, help_text in table_headers(frame):
        yield from (header, help_text)
    for col in table.columns if cells else ():
        if not pd.api.types.is_numeric_dtype(table[col]):
            yield from (str(v) for v in table[col].head(50))


def _chart_texts(spec: str) -> Iterator[str]:
    fig = json.loads(spec)
    layout = fig.get("layout", {})
    for part in ("title", "xaxis", "yaxis", "legend"):
        title = layout.get(part, {}).get("title") if part != "title" else layout.get("title")
        if isinstance(title, dict):
            yield title.get("text") or ""
    yield from (n.get("text") or "" for n in layout.get("annotations", ()))
    for trace in fig.get("data", ()):
        yield trace.get("name") or ""
        yield trace.get("hovertemplate") or ""


def chart_labels(spec: str) -> Iterator[str]:
    """A chart's one-word labels (legend and colour bar titles): held to the headers' rule."""
    fig = json.loads(spec)
    title = fig.get("layout", {}).get("legend", {}).get("title", {})
    yield title.get("text") or "" if isinstance(title, dict) else ""
    for trace in fig.get("data", ()):
        yield ((trace.get("colorbar") or {}).get("title") or {}).get("text") or ""
        yield (((trace.get("marker") or {}).get("colorbar") or {}).get("title") or {}).get(
            "text") or ""


# An alert (error, warning, info, success, toast) says what to fix: in the Chinese interface
# it holds Chinese once the user's quoted values ('重复=0.95，相近=0.8') are taken out. An
# English message with punctuation between its words ("bands: write name=score, got ...")
# has no run of three words, and escapes ENGLISH_RUN.
ALERTS = {"error", "warning", "info", "success", "toast"}
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_alerts(at: AppTest) -> list[str]:
    """Alerts with English words and not one Chinese character outside the user's values."""
    found = []
    for node in _nodes(at._tree):
        if getattr(node, "type", "") not in ALERTS:
            continue
        body = str(getattr(node, "value", "") or "")
        plain = ALLOWED_RUN.sub(" ", NOT_PROSE.sub(" ", QUOTED.sub(" ", body)))
        if re.search(r"[A-Za-z]{3,}", plain) and not CJK.search(plain):
            found.append(body)
    return found


def default_placeholders(at: AppTest) -> list[str]:
    """Multiselects left to Streamlit's own placeholder: the browser shows "Choose options"
    in English when nothing is chosen (the element tree holds an empty placeholder)."""
    return [f"(multiselect without a placeholder) {node.label}" for node in _nodes(at._tree)
            if getattr(node, "type", "") == "multiselect" and not node.proto.placeholder]


def legend_names(at: AppTest, key: str) -> list[str]:
    """The names a plotly chart's legend shows (its traces), by the chart's widget key."""
    for node in _nodes(at._tree):
        if getattr(node, "type", "") == "plotly_chart" and key in node.proto.id:
            return [trace.get("name") or "" for trace in json.loads(node.proto.spec)["data"]]
    raise AssertionError(f"no chart {key!r} on the page")


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def visible_texts(node, *, cells: bool = True) -> Iterator[str]:
    """Every text a user reads in the AppTest tree under node."""
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    if kind in SKIP_ELEMENTS:
        return
    if isinstance(node, (Dataframe, Table)):
        yield from _table_texts(node, cells=cells)
    elif kind == "plotly_chart":
        yield from _chart_texts(node.proto.spec)
    elif isinstance(proto, Message):
        yield from (s for s in _strings(proto) if s != LANGUAGE_SWITCH)
    for child in getattr(node, "children", {}).values():
        yield from visible_texts(child, cells=cells)


def english_runs(at: AppTest, *, cells: bool = True) -> list[str]:
    """The texts of the page that hold 3 or more English words in a row (cells: table
    cells too; off where the catalog is the English demo)."""
    found = []
    for text in visible_texts(at._tree, cells=cells):
        plain = ALLOWED_RUN.sub(" ", NOT_PROSE.sub(" ", text))
        if ENGLISH_RUN.search(plain) or ENGLISH_BEFORE_CHINESE.search(plain):
            found.append(text)
    return list(dict.fromkeys(found))


def english_headers(at: AppTest) -> list[str]:
    """Table headers with an English word: a header is a label of one or two words, so one
    English word is already a miss (the catalog's own columns are Chinese here; the
    exported file's own column names show only in the Export preview, as in the file)."""
    found = []
    charts = [label for node in _nodes(at._tree) if getattr(node, "type", "") == "plotly_chart"
              for label in chart_labels(node.proto.spec) if label]
    for frame in [*at.dataframe, *at.table, charts]:
        headers = charts if frame is charts else [h for h, _ in table_headers(frame)]
        if set(headers) <= FILE_COLUMNS:  # the Export page's preview of the file
            continue
        for header in headers:
            words = re.findall(r"[A-Za-z]{2,}", ALLOWED_RUN.sub(" ", header))
            if any(w not in HEADER_NAMES for w in words):
                found.append(header)
    return list(dict.fromkeys(found))


class Audit:
    """Runs the app and records the English found on each page state."""

    def __init__(self, at: AppTest) -> None:
        self.at = at
        self.found: dict[str, list[str]] = {}

    def check(self, where: str, *, cells: bool = True) -> None:
        assert not self.at.exception, (where, self.at.exception)
        runs = english_runs(self.at, cells=cells) + (english_headers(self.at) if cells else [])
        runs += english_alerts(self.at) + default_placeholders(self.at)
        if runs:
            self.found.setdefault(where, []).extend(r for r in runs
                                                   if r not in self.found.get(where, []))

    def page(self, path: str, where: str | None = None) -> AppTest:
        self.at.switch_page(path).run()
        self.check(where or path)
        return self.at

    def report(self) -> str:
        return "\n".join(f"[{where}] {text[:300]!r}" for where, texts in self.found.items()
                         for text in texts)


class MissRecorder(dict):
    """The ZH table, recording every text t() looked up and did not find: a text shown
    through t(variable) (a button named by a dict's key, "Accept") escapes the literal
    check of test_i18n.py and, one or two words long, the English-run check here."""

    def __init__(self, table: dict) -> None:
        super().__init__(table)
        self.misses: set[str] = set()

    def get(self, key, default=None):
        if key not in self:
            self.misses.add(key)
        return super().get(key, default)


@pytest.fixture
def audit(tiny_bert_dir, workspace, monkeypatch) -> Audit:
    import components.i18n as i18n

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    monkeypatch.setenv("CATSIM_LANGUAGE", "zh")
    monkeypatch.setattr(i18n, "ZH", MissRecorder(i18n.ZH))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    at.session_state["groups.show_map"] = True
    at.run()
    out = Audit(at)
    out.check("catalog (demo)", cells=False)  # the demo's products are English
    return out


def _set(at: AppTest, **widgets) -> None:
    for key, value in widgets.items():
        at.get_by_key(key).set_value(value)
    at.run()


def test_every_page_in_chinese_shows_no_english(audit):
    at = audit.at
    at.file_uploader(key="catalog.upload").set_value(("商品.csv", chinese_catalog(),
                                                      "text/csv")).run()
    audit.check("catalog (uploaded)")
    at.button(key="catalog.embed").click().run()
    audit.check("catalog (lists ready)")

    audit.page("pages/neighbors.py")
    _set(at, **{"neighbors.rules.same": ["类目"], "neighbors.rules.max_per": ["品牌"],
                "neighbors.rules.diversity": 0.3})
    audit.check("neighbors (rules set)")
    _set(at, **{"neighbors.bands.text": "重复=0.95，相近=高"})  # a word for a score: refused
    audit.check("neighbors (score ranges written wrong)")
    assert "请写成 名称=得分" in element_texts(at.error)
    _set(at, **{"neighbors.bands.text": ""})
    at.text_input(key="neighbors.find").input("手机").run()
    audit.check("neighbors (a product found)")

    at.button(key="neighbors.to_heatmap").click().run()
    audit.check("heatmap (a product's list sent)")

    audit.page("pages/review.py")
    cards = [c.value for c in at.caption if re.fullmatch(r"\S+ SP\d{3}", c.value)]  # each id
    assert len(cards) == 2 and all(c.startswith("编号 ") for c in cards), cards  # not "id SP000"
    at.button(key="review.accept").click().run()
    audit.check("review (one accepted)")
    at.button(key="review.reject").click().run()
    audit.check("review (one rejected)")

    audit.page("pages/export.py")
    at.file_uploader(key="settings.config_file.load").set_value(
        ("tuned.json", b'{"k": 5, "colour": "red"}', "application/json")).run()
    audit.check("export (a bad settings file)")
    audit.page("pages/search.py")
    at.text_input(key="search.query").input("无线耳机").run()
    audit.check("search (a query)")
    at.toggle(key="search.parts").set_value(True).run()
    audit.check("search (score parts)")
    at.text_input(key="search.query").input("lanzhi").run()  # pinyin for 兰芝
    audit.check("search (pinyin respelt in the catalog's characters)")
    assert "显示的是 **兰芝** 的结果" in element_texts(at.info)

    audit.page("pages/map.py")
    _set(at, **{"map.color": "标题"})  # 24 titles: the 19 largest, then one "other" trace
    audit.check("map (coloured by title)")
    assert legend_names(at, "map.chart")[-1] == ZH["(other)"]
    audit.page("pages/heatmap.py")
    audit.page("pages/groups.py")
    audit.page("pages/open_results.py")
    at.text_input(key="open_results.path").input("/no/such/results")
    at.button(key="open_results.open").click().run()
    audit.check("open results (no such folder)")
    audit.page("pages/health.py")
    audit.page("pages/prices.py")
    audit.page("pages/compare.py")
    shown = [at.get_by_key(key).options for key in ("compare.model", "compare.metric", "compare.rules")]
    assert not re.findall(r"[A-Za-z]{2,}", str(shown)), shown  # "(as A)", "cosine", "none" before
    at.selectbox(key="compare.metric").set_value("dot")
    next(b for b in at.button if b.label == ZH["Compare"]).click().run()
    audit.check("compare (B compared)")
    axis = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["title"]["text"]
    assert axis.startswith(ZH["overlap"] + "@"), axis  # it read overlap@10
    audit.page("pages/explain.py")
    audit.page("pages/threshold.py")
    at.file_uploader(key="threshold.upload").set_value(("pairs.csv", pairs_file(),
                                                        "text/csv")).run()
    audit.check("threshold (labelled pairs)")
    audit.page("pages/evaluate.py")
    shown = at.get_by_key("evaluate.metrics").options  # the sidebar's names, not "cosine"
    assert not re.findall(r"[A-Za-z]{2,}", ALLOWED_RUN.sub(" ", str(shown))), shown
    at.file_uploader(key="evaluate.upload").set_value(("pairs.csv", pairs_file(),
                                                       "text/csv")).run()
    audit.check("evaluate (labelled pairs)")
    at.button(key="evaluate.run").click().run()
    audit.check("evaluate (compared)")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["x"]
    assert bars[0] == ZH["recall"] + "@1", bars  # the measures were English under the bars
    at.file_uploader(key="evaluate.upload").set_value(
        ("pairs.csv", b"left_id,right_id,label\nSP000,SP100,maybe\n", "text/csv")).run()
    audit.check("evaluate (bad labels)")

    audit.page("pages/finetune.py")
    at.radio(key="finetune.source").set_value("Both")
    at.file_uploader(key="finetune.pairs").set_value(("pairs.csv", pairs_file(),
                                                      "text/csv")).run()
    audit.check("finetune (pairs uploaded)")
    at.number_input(key="finetune.epochs").set_value(1)
    at.checkbox(key="finetune.keep_always").check().run()
    at.button(key="finetune.start").click().run()
    job = at.session_state["finetune.job"]
    job.join(timeout=600)
    assert not job.running and job.error is None, job.error
    at.run()
    audit.check("finetune (trained)")

    at.selectbox(key="settings.model_choice").set_value(OTHER_MODEL).run()
    at.text_input(key="settings.model_other").input("/no/such/model-folder").run()
    audit.check("finetune (a model that cannot load)")
    audit.page("pages/catalog.py", "catalog (a model that cannot load)")
    assert not audit.found, "English in the Chinese interface:\n" + audit.report()
    import components.i18n as i18n

    assert not i18n.ZH.misses, f"texts t() found no Chinese for: {sorted(i18n.ZH.misses)}"


def test_the_audit_sees_english(audit):
    """The check itself: English text on a page is found (so a pass means something)."""
    assert english_runs(audit.at, cells=False) == []
    audit.at.radio(key="ui.language").set_value("en").run()
    assert "Products per list" in english_runs(audit.at, cells=False)


