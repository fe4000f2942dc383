"""core's messages in the Chinese interface (components/i18n_core.py): each message a page
can show is made here by core from a bad input (small files built in the test), and must
come back in Chinese with the user's values unchanged. A reworded core message no longer
matches its template and fails here; a template no message uses any more fails too."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import socket
import threading
import zipfile
from collections.abc import Callable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

import core.catalog.read as read_module
from components.i18n_core import FIELD, compile_template, templates, to_chinese
from components.i18n_core_zh import CORE_ZH
from core.catalog.fetch import UrlFetcher, download_catalog
from core.catalog.htmltable import html_rows
from core.catalog.image_source import ImageSource
from core.catalog.images import decode_image
from core.catalog.limits import current_limits, describe
from core.catalog.table import (
    ColumnMapping,
    ValidationReport,
    build_catalog,
    field_defaults,
    read_table,
)
from core.catalog.xlsx import read_sheet
from core.config import Config
from core.embed.bert import _effective_precision
from core.embed.expand import trainable_multilingual
from core.embed.models import _json_object, _read_settings, _weights_hash, resolve_model
from core.errors import CatalogSimilarityError
from core.export.results import ResultsFolder
from core.finetune.calibrate import Corpus, fit_evidence, refit_calibration
from core.finetune.card import model_defaults
from core.finetune.data import build_training_set, empty_pairs, pairs_from_frame, read_pairs
from core.finetune.run import check_trainable, finetune
from core.finetune.settings import FinetuneSettings
from core.pipeline import apply_rules, candidate_pool, catalog_from_config
from core.quality.evaluate import labelled_pairs, read_judgements
from core.quality.threshold import choose_threshold
from tests.conftest import make_xlsx_bytes
from tests.imagegen import bomb_png

ENGLISH_RUN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){2,}")


def _raised(make: Callable[[], object]) -> list[str]:
    with pytest.raises(CatalogSimilarityError) as info:
        make()
    return [str(info.value)]



def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _png(size: int = 2) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


BOOK = make_xlsx_bytes({"商品": pd.DataFrame({"编号": ["a", "b"], "标题": ["红色鞋", "茶叶"]}),
              "备注": pd.DataFrame({"说明": ["导出 2024"]})})
GOOD = "编号,标题\n1,小米手机\n2,华为耳机\n3,苹果手机壳\n"
CATALOG = build_catalog(read_table(GOOD.encode(), "目录.csv"),
                        ColumnMapping(text_columns=("标题",), id_column="编号"))


HTML_EXPORT = ("<html><head><meta charset='gbk'></head><body><table>"
               "<tr><td colspan='2'>商品导出</td></tr><tr><th>编号</th><th>标题</th></tr>"
               "<tr><td>1</td><td>小米</td></tr></table></body></html>")


def _xls_bytes() -> bytes:
    """An Excel 97-2003 workbook (xlwt writes them; the app reads them with xlrd)."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("商品")
    for r, row in enumerate([["编号", "标题"], ["1", "小米"], ["2", "华为"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _encrypted_xls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What xlrd says of a workbook saved with a password (as its FILEPASS record does)."""
    import xlrd

    def encrypted(**_):
        raise xlrd.XLRDError("Workbook is encrypted")

    with monkeypatch.context() as m:
        m.setattr(xlrd, "open_workbook", encrypted)
        return _raised(lambda: read_table(_xls_bytes(), "密码.xls"))


def _big_page(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import core.catalog.htmltable as htmltable

    with monkeypatch.context() as m:
        m.setattr(htmltable, "MAX_HTML_MB", 0.0001)
        return _raised(lambda: read_table(HTML_EXPORT.encode(), "大网页.xls"))


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def _damaged_sheet() -> bytes:
    """BOOK with a first sheet whose XML parses but holds a number cell that is not one."""
    bad = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<sheetData><row r="1"><c r="A1" t="n"><v>abc</v></c></row></sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BOOK)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, bad if info.filename.endswith("sheet1.xml") else src.read(info))
    return out.getvalue()


class _BrokenReader:
    """csv.reader stand-in failing on a given row (csv.Error is otherwise hard to reach)."""

    def __init__(self, fail_at: int) -> None:
        self.line_num, self.fail_at = 0, fail_at

    def __iter__(self):
        return self

    def __next__(self):
        self.line_num += 1
        if self.line_num >= self.fail_at:
            raise csv.Error("坏行")
        return ["编号", "标题"]


def _csv_error(monkeypatch: pytest.MonkeyPatch, fail_at: int) -> list[str]:
    with monkeypatch.context() as m:
        m.setattr(read_module.csv, "reader", lambda *a, **k: _BrokenReader(fail_at))
        return _raised(lambda: read_module._parse_rows(GOOD, ",", "坏.csv", 10))


def _magic_files() -> list[str]:
    prefixes = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1", b"%PDF", b"\x89PNG", b"\xff\xd8\xff",
                b"GIF8", b"\x1f\x8b", b"SQLite format 3\x00", b"\x7fELF", bytes(range(256)) * 4)
    out = []
    for prefix in prefixes:
        out += _raised(lambda p=prefix: read_table(p + b"\x01" * 20, "文件.csv"))
    return out


def _formula_book(formulas: int) -> bytes:
    """A workbook a program wrote: `formulas` title cells hold formulas with no saved result."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "商品"
    sheet.append(["编号", "标题"])
    for i in range(3):
        sheet.append([i, f'=CONCAT("小米",{i})' if i < formulas else "华为"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _read_messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ragged = "编号,标题\n" + "".join(f"{i},商品{i}\n" for i in range(40)) + "99,a,b\n"
    return [
        *read_table(_formula_book(1), "公式.xlsx").warnings,
        *read_table(_formula_book(3), "公式.xlsx").warnings,
        *_raised(lambda: read_table(b"  \n", "空.csv")),
        *_raised(lambda: read_table(b"\xef\xbb\xbf", "空.csv")),
        *_raised(lambda: read_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 40, "旧.xls")),
        *read_table(_xls_bytes(), "旧.xlsx").warnings,
        *_encrypted_xls(monkeypatch),
        *read_table(HTML_EXPORT.encode("gb18030"), "导出.xls").warnings,
        *_raised(lambda: read_table("<html><body>没有表格</body></html>".encode(), "页.xls")),
        *_raised(lambda: html_rows(HTML_EXPORT, "大.xls", max_rows=9, max_cells=3)),
        *_big_page(monkeypatch),
        *read_table("编号\t标题\n1\t小米\n".encode(), "文本.xlsx").warnings,
        *read_table(BOOK, "表.csv").warnings,
        *read_table('编号,标题\n="00123",小米\n'.encode(), "零.csv").warnings,
        *_raised(lambda: read_table("编号,标题\n".encode(), "表头.csv")),
        *_raised(lambda: read_table(GOOD.encode(), "大.csv", max_bytes=5)),
        *_magic_files(),
        *_raised(lambda: read_table(b"id,t\n1,\x01\x02\x03\x04\n", "控制.csv")),
        *_raised(lambda: read_table("编号,标题,价格\n1\n2\n3\n".encode(), "歪.csv",
                                    allow_ragged=True)),
        *_raised(lambda: read_table(GOOD.encode(), "码.csv", encoding="火星文")),
        *_raised(lambda: read_table(GOOD.encode(), "码.csv", encoding="ascii")),
        *read_table(GOOD.encode() + b"4,\xff\n", "半.csv").warnings,
        *_csv_error(monkeypatch, 1),
        *_csv_error(monkeypatch, 3),
        *_raised(lambda: read_table(GOOD.encode(), "多.csv", max_rows=2)),
        *_raised(lambda: read_table('编号,标题\n1,"小米\n2,华为\n'.encode(), "引号.csv")),
        *read_table(ragged.encode(), "歪.csv").warnings,
        *read_table("编号,,标题,\n1,x,小米,y\n".encode(), "空名.csv").warnings,
        *read_table(BOOK, "两表.xlsx").warnings,
        *read_table("编号,标题,标题\n1,a,b\n".encode(), "重名.csv").warnings,
        *_raised(lambda: read_table(b"\xef\xbb\xbfid\n\xff\n", "标记.csv")),
        *_raised(lambda: read_table(b"\xff\xfea\x00b", "标记.csv")),
        *_raised(lambda: read_table(("编号::标题\n1::a\n2::b\n").encode(), "一列.csv")),
        *_raised(lambda: read_table("编号,标题\n1,a,b\n2,c,d\n3,e,f\n".encode(), "多列.csv")),
        *_raised(lambda: read_table("1,小米手机,99.00\n2,华为,5\n".encode(), "无表头.csv")),
        *read_table("商品导出\n编号,标题\n1,小米\n2,华为\n".encode(), "标题行.csv").warnings,
        *read_table(make_xlsx_bytes({"商品": pd.DataFrame(
            [["编号", "标题"], ["1", "小米"], ["2", "华为"]], columns=["商品导出", ""])}),
            "标题行.xlsx").warnings,
        # two lines above the header: the plural forms (one line reads in the singular)
        *read_table("商品导出\n2026\n编号,标题\n1,小米\n2,华为\n".encode(), "两行.csv").warnings,
        *read_table(make_xlsx_bytes({"商品": pd.DataFrame(
            [["2026", ""], ["编号", "标题"], ["1", "小米"], ["2", "华为"]],
            columns=["商品导出", ""])}), "两行.xlsx").warnings,
        *read_table(HTML_EXPORT.replace("<tr><th>", "<tr><td>2026</td></tr><tr><th>", 1)
                    .encode("gb18030"), "两行.xls").warnings,
    ]


def _feed_messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """core/catalog/feeds.py: XML feeds, an XML spreadsheet and JSON, read and refused."""
    from core.catalog import feeds

    item = "<item><id>1</id><title>小米</title></item>"
    rss = f"<rss><channel>{item}{item}</channel></rss>"
    sheet = ('<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet>'
             "<Table><Row><Cell><Data>编号</Data></Cell></Row><Row><Cell><Data>1</Data>"
             "</Cell></Row></Table></Worksheet></Workbook>")
    lines = '{"编号": 1}\n{"编号": 2}\n'
    with monkeypatch.context() as m:
        m.setattr(feeds, "MAX_COLUMNS", 1)
        m.setattr(feeds, "MAX_PATHS", 2)
        wide = [*_raised(lambda: read_table(b"<r><p><a>1</a><b>2</b></p></r>", "宽.xml")),
                *_raised(lambda: read_table(b'[{"a": 1, "b": 2}]', "宽.json"))]
        kinds = _raised(lambda: feeds.read_xml(b"<r><a><b>1</b></a><c><d>2</d></c><e><f>3</f>"
                                               b"</e></r>", "多.xml", max_rows=10))
    return [
        *read_table(rss.encode(), "源.txt").warnings,
        *read_table(sheet.encode(), "表.xls").warnings,
        *read_table(b'[{"a": 1}]', "数.txt").warnings,
        *read_table("编号,标题\n1,小米\n".encode(), "表.json").warnings,
        *_raised(lambda: read_table(b'<?xml version="1.0" encoding="x-mars"?><r/>', "码.xml")),
        *_raised(lambda: read_table(rss.encode(), "多.xml", max_rows=1)),
        *_raised(lambda: read_table(lines.encode(), "多.jsonl", max_rows=1)),
        *wide, *kinds,
        *_raised(lambda: read_table(b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', "炸.xml")),
        *_raised(lambda: read_table(b"<r><p><a>&nbsp;</a></p></r>", "空格.xml")),
        *_raised(lambda: read_table(b"<r><p><a>1</p></r>", "断.xml")),
        *_raised(lambda: read_table(("<a>" * 70 + "</a>" * 70).encode(), "深.xml")),
        *_raised(lambda: read_table(b"<r></r>", "空.xml")),
        *read_table(rss.encode(), "源.xml").warnings,
        *_raised(lambda: read_table(b'<Workbook xmlns="urn:schemas-microsoft-com:office:'
                                    b'spreadsheet"><x a="1"/></Workbook>', "表.xml")),
        *_raised(lambda: feeds.read_json(b'{"a": 1}\n{"a": 2}', "大.json", max_rows=9,
                                         max_document_bytes=1) and
                 feeds.read_json(b'{\n"a": 1}', "大.json", max_rows=9, max_document_bytes=1)),
        *_raised(lambda: read_table(b'[{"a": 1}\n{"a": 2}]', "坏.json")),
        *_raised(lambda: read_table(("[" * 100_000 + "]" * 100_000).encode(), "深.json")),
        *_raised(lambda: read_table(b'{"a": 1}\n{"a": \n', "坏.jsonl")),
        *_raised(lambda: read_table(b'{"a": 1}\n' + b"[" * 100_000 + b"]" * 100_000,
                                    "深.jsonl")),
        *_raised(lambda: read_table(b'{"a": 1}\n[1]\n', "行.jsonl")),
        *_raised(lambda: read_table(b'["a", "b"]', "值.json")),
        *_raised(lambda: feeds.read_json(b'"a"', "值.json", max_rows=9, max_document_bytes=9)),
        *read_table(lines.encode(), "行.jsonl").warnings,
        *read_table('[{"编号": 1}]'.encode(), "表.json").warnings,
        *read_table('{"甲": {"编号": 1}, "乙": {"编号": 2}}'.encode(), "表.json").warnings,
        *read_table('{"编号": 1}'.encode(), "一.json").warnings,
        *read_table('{"商品": [{"编号": 1}]}'.encode(), "表.json").warnings,
        *_raised(lambda: read_table(gzip.compress(b"a" * 1000), "大.csv.gz", max_bytes=100)),
        *_raised(lambda: read_table(gzip.compress(b"a" * 1000)[:20], "断.csv.gz")),
        *_raised(lambda: download_catalog("ftp://店.example/源.xml", max_bytes=9)),
        *_raised(lambda: download_catalog("https://店.invalid/源.xml", max_bytes=9,
                                          resolver=_no_name)),
    ]


def _no_name(host: str, port: int) -> list[str]:
    raise OSError("[Errno -2]")


def _path_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A saved session's file read again (components/persist.py): gone, a folder, unreadable."""
    unreadable = tmp_path / "锁.csv"
    unreadable.write_bytes(GOOD.encode())
    out = [*_raised(lambda: read_table(tmp_path / "没有.csv")), *_raised(lambda: read_table(tmp_path))]

    def refuse(self: Path) -> bytes:  # as chmod 0 would (the tests may run as root)
        raise PermissionError(13, "Permission denied", str(self))

    with monkeypatch.context() as m:
        m.setattr(read_module.Path, "read_bytes", refuse)
        out += _raised(lambda: read_table(unreadable))
    return out


def _other_file_messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    controls = pa.table({"标题\x1b": ["a\x00b", "c"], "图": pa.array([b"\xff\xfe", b"x"])})
    out = [*read_table(_parquet(controls), "控制.parquet").warnings,
           *_raised(lambda: read_table(_parquet(pa.table({"a": [1, 2]})), "p.parquet", max_rows=1)),
           *_raised(lambda: read_table(b"PAR1 not parquet", "坏.parquet")),
           *_raised(lambda: read_table(b"PK\x03\x04 cut short", "坏.xlsx")),
           *_raised(lambda: read_table(_zip_of({"说明.txt": b"x"}), "坏2.xlsx")),
           *read_table(_parquet(pa.table({"编号": ["1"], "标题": ["小米"]})), "p.csv").warnings,
           *_raised(lambda: read_table(BOOK, "两表.xlsx", sheet="没有")),
           *_raised(lambda: read_table(_damaged_sheet(), "坏表.xlsx")),
           *_raised(lambda: read_sheet(BOOK, "两表.xlsx", None, max_rows=9, max_xml_bytes=10)),
           *_raised(lambda: read_table(BOOK, "两表.xlsx", max_rows=1)),
           *_raised(lambda: read_sheet(BOOK, "两表.xlsx", None, max_rows=9, max_cells=1)),
           describe(current_limits())]
    with monkeypatch.context() as m:
        m.setenv("CATSIM_MAX_ROWS", "很多")
        out += _raised(current_limits)
        m.setenv("CATSIM_MAX_ROWS", "-5")
        out += _raised(current_limits)
    return out


def _catalog_messages() -> list[str]:
    raw = read_table("编号,标题,价格\n1,小米,1\n1,华为,2\n2,,3\n".encode(), "重复.csv")
    by_id = ColumnMapping(text_columns=("标题",), id_column="编号")
    out = []
    for policy in ("suffix", "keep-first"):
        out += build_catalog(raw, by_id, on_duplicate_ids=policy).report.lines()[1:]
    out += ValidationReport(rows=2, duplicate_ids=("1",)).lines()[1:]
    out += build_catalog(raw, ColumnMapping(text_columns=("标题",)),
                         max_text_chars=1).report.lines()[1:]
    numbers = read_table(b"a,b\n1,2\n3,4\n", "数.csv")
    priced = ColumnMapping(text_columns=("标题",), id_column="编号", price="价格")
    for spreadsheet in ("编号,标题,价格\n4.01E+12,小米,面议\n5.02E+12,华为,12\n",
                        "编号,标题,价格\n1.0,小米,3\n2.0,华为,12\n"):
        out += build_catalog(read_table(spreadsheet.encode(), "表格.csv"), priced).report.lines()[1:]
    from tests.catalog.test_shop_exports import _cents_beside_dollars

    cents = build_catalog(read_table(_cents_beside_dollars(100).encode(), "两店.csv"),
                          ColumnMapping(text_columns=("title",), id_column="sku", price="price"))
    out.append(cents.price_note())  # a price column in two units
    barcoded = ColumnMapping(text_columns=("标题",), id_column="编号", model_number="条码")
    out += build_catalog(read_table("编号,标题,条码\n1,小米,6.9E+12\n2,华为,6.9E+12\n".encode(),
                                    "条码.csv"), barcoded).report.lines()[1:]
    for spacer in ("1,a,3\n,,\n2,b,4\n", "1,a,3\n,,\n,,\n2,b,4\n,合计,7\n",
                   ",,元\n1,a,3\n2,b,4\n"):  # spacer rows, a total, a row of units
        out += read_table(f"id,name,price\n{spacer}".encode(), "表.csv").warnings
    from tests.catalog.test_ods import HEADER as ODS_HEADER
    from tests.catalog.test_ods import _products, ods_bytes

    ods = ods_bytes(f'<table:table table:name="商品">{ODS_HEADER}{_products()}</table:table>')
    out += read_table(ods, "表格.xlsx").warnings  # LibreOffice's file under an Excel name

    out += [*_raised(lambda: read_table(ods[:-40], "表格.ods")),  # cut short
            *_raised(lambda: read_table(ods_bytes('<table:table table:name="a">'
                                                  '<table:table-row></table:table>'), "坏.ods")),
            *_raised(lambda: read_table(_zip_of({
                "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b'<!DOCTYPE d [<!ENTITY a "a">]><d>&a;</d>'}), "炸弹.ods")),
            *_raised(lambda: read_table(_zip_of({"Index/Document.iwa": b"x"}), "目录.numbers")),
            *_raised(lambda: read_table(_zip_of({
                "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b"x", "META-INF/manifest.xml": b"<manifest:encryption-data/>"}),
                "加密.ods"))]
    out += read_table(b"Handle,Title,Variant SKU\ntee,Tee,A1\ntee,,A2\ncap,Cap,B1\n",
                      "products_export.csv").warnings
    out += read_table(b"ID,Type,Name,Parent\n1,variable,Tee,\n2,variation,Tee - S,id:1\n",
                      "wc-product-export.csv").warnings
    out += read_table(b"sku,store_view_code,product_type,name,visibility\n"
                      b"A,,configurable,Tee,\"Catalog, Search\"\n"
                      b"A-S,,simple,Tee-S,Not Visible Individually\n",
                      "catalog_product.csv").warnings
    return [
        *out,
        *_raised(lambda: CATALOG.column("没有")),
        *_raised(lambda: field_defaults(numbers.frame)),
        *_raised(lambda: build_catalog(raw, by_id)),
        *_raised(lambda: build_catalog(raw, by_id, on_duplicate_ids="两个")),
        *_raised(lambda: build_catalog(raw, ColumnMapping(text_columns=()))),
        *_raised(lambda: build_catalog(raw, ColumnMapping(text_columns=("没有",)))),
        *_raised(lambda: build_catalog(
            read_table("编号,标题\n1,\n2,\n".encode(), "空.csv"),
            ColumnMapping(text_columns=("标题",), id_column="编号"))),
        *_raised(lambda: build_catalog(
            read_table("编号,标题\n,a\n2,b\n".encode(), "空号.csv"),
            ColumnMapping(text_columns=("标题",), id_column="编号"))),
        # the plural forms (one reads in the singular)
        *_raised(lambda: build_catalog(
            read_table("编号,标题\n,a\n,b\n3,c\n".encode(), "空号.csv"),
            ColumnMapping(text_columns=("标题",), id_column="编号"))),
        *build_catalog(read_table("编号,标题\n1,\n2,\n3,c\n".encode(), "空.csv"),
                       ColumnMapping(text_columns=("标题",), id_column="编号")).report.lines()[1:],
        *build_catalog(read_table("编号,标题\n1,长长\n2,b\n".encode(), "长.csv"),
                       ColumnMapping(text_columns=("标题",), id_column="编号"),
                       max_text_chars=1).report.lines()[1:],
    ]


def _damaged_png() -> bytes:
    """A PNG whose compressed pixels are overwritten: "broken data stream"."""
    data = bytearray(_png(64))
    at = data.index(b"IDAT") + 10
    data[at:at + 8] = b"\xff" * 8
    return bytes(data)


def _photo_reasons(tmp_path: Path) -> list[str]:
    folder = tmp_path / "图片"
    folder.mkdir()
    (folder / "大.png").write_bytes(_png())
    photos = tmp_path / "图.zip"
    with zipfile.ZipFile(photos, "w") as archive:
        archive.writestr("一.png", _png())
        archive.writestr("甲/二.png", _png())
        archive.writestr("乙/二.png", _png())
    (tmp_path / "坏.zip").write_bytes(b"not a zip")
    return [
        *_raised(lambda: decode_image(b"<svg xmlns='x'></svg>")),
        *_raised(lambda: decode_image(_png(4), max_pixels=4)),
        *_raised(lambda: decode_image(_png(2))),  # a spacer pixel
        *_raised(lambda: decode_image(b"")),
        *_raised(lambda: decode_image(_png(), max_bytes=3)),
        *_raised(lambda: decode_image(b"\x00 not an image")),
        *_raised(lambda: decode_image(bomb_png(100_000, 100_000))),  # Pillow refuses it first
        *_raised(lambda: decode_image(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40)),
        *_raised(lambda: decode_image(_png(64)[:60])),  # cut short
        *_raised(lambda: decode_image(_damaged_png())),
        *_raised(lambda: ImageSource().read("https://example.com/a.png")),
        *_raised(lambda: ImageSource().read("data:image/png;base64,AAAA")),
        *_raised(lambda: ImageSource().read("a.png")),
        *_raised(lambda: ImageSource(folder=folder).read("../外.png")),
        *_raised(lambda: ImageSource(folder=folder).read("没有.png")),
        *_raised(lambda: ImageSource(folder=folder, max_bytes=3).read("大.png")),
        *_raised(lambda: ImageSource(archive=tmp_path / "坏.zip").read("一.png")),
        *_raised(lambda: ImageSource(archive=photos).read("没有.png")),
        *_raised(lambda: ImageSource(archive=photos).read("二.png")),
        *_raised(lambda: ImageSource(archive=photos).read("没有.png|丢了.png")),
        *_raised(lambda: ImageSource(archive=photos).read(" | ")),
        *_too_many_files(photos),
    ]


def _too_many_files(photos: Path) -> list[str]:
    import core.catalog.image_source as source_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(source_module, "MAX_ZIP_FILES", 2)
        return _raised(lambda: ImageSource(archive=photos).read("一.png"))



class _PhotoServer(BaseHTTPRequestHandler):
    """Answers what a shop's photo server may answer instead of a photo."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if unquote(self.path) == "/慢":  # one byte at a time
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                threading.Event().wait(0.05)
            return
        status, kind, body = {"/缺": (404, "text/plain", b""), "/页": (200, "text/html", b"<p>"),
                              "/矢量": (200, "image/svg+xml", b"<svg/>"),
                              "/大": (200, "image/png", b"x" * 64),
                              "/巨": (200, "image/png", b"x" * 64)}.get(
            unquote(self.path).split("?")[0], (302, "", b""))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/%E7%BB%95")  # '/绕': redirects for ever
        self.send_header("Content-Type", kind)
        if "大" not in unquote(self.path):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _fetch_reasons(tmp_path: Path) -> list[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _PhotoServer)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://商店.example:{srv.server_address[1]}"

    def fetcher(**kw) -> UrlFetcher:
        return UrlFetcher(tmp_path, resolver=lambda host, port: ["127.0.0.1"],
                          allow_address=lambda a: a == "127.0.0.1", **kw)

    def no_name(host: str, port: int) -> list[str]:
        raise OSError("名字")

    dead = UrlFetcher(tmp_path, resolver=no_name)
    closed = socket.socket()  # a port nothing listens on
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        return [
            *_raised(lambda: fetcher().fetch(base + "/缺")),
            *_raised(lambda: fetcher().fetch(base + "/页")),
            *_raised(lambda: fetcher().fetch(base + "/矢量")),
            *_raised(lambda: fetcher(max_bytes=8).fetch(base + "/大")),
            *_raised(lambda: fetcher(max_bytes=8).fetch(base + "/巨")),
            *_raised(lambda: fetcher().fetch(base + "/绕")),
            *_raised(lambda: fetcher(deadline=0.2).fetch(base + "/慢")),
            *_raised(lambda: fetcher().fetch(f"http://商店.example:{closed_port}/图.png")),
            *_raised(lambda: UrlFetcher(tmp_path).fetch("http://127.0.0.1/图.png")),
            *_raised(lambda: UrlFetcher(tmp_path).fetch("http:///图.png")),
            *_raised(lambda: UrlFetcher(tmp_path).fetch("http://[::1/图.png")),
            *_raised(lambda: dead.fetch("http://没有.example/1.png")),
            *_raised(lambda: dead.fetch("http://没有.example/2.png")),
            *_raised(lambda: dead.fetch("http://没有.example/3.png")),
            # a share link whose file is not shared: a sign-in page comes instead
            *_raised(lambda: download_catalog(
                f"http://www.dropbox.com:{srv.server_address[1]}/页?dl=0", max_bytes=10**6,
                resolver=lambda host, port: ["127.0.0.1"],
                allow_address=lambda a: a == "127.0.0.1")),
        ]
    finally:
        srv.shutdown()
        srv.server_close()


def _pairs_messages() -> list[str]:
    pairs = read_pairs(b"left,right,label\n1,99,1\n2,2,1\n1,2,1\n", CATALOG,
                       filename="对.csv")
    selves = read_pairs(b"left,right\n1,1\n2,2\n1,2\n", CATALOG, filename="对.csv")
    blank = read_pairs(b"left,right,label\n1,2,1\n2,1,\n", CATALOG, filename="对.csv")
    many = read_pairs(("left,right\n1,2\n" + "".join(f"{i},未知{i}\n" for i in range(8))).encode(),
                      CATALOG, filename="对.csv")  # 8 unknown ids: "... and 3 more"
    return [
        *pairs.warnings, *many.warnings, *selves.warnings, *blank.warnings,
        *read_pairs(b"left,right,label\n1,2,1\n2,1,\n1,2,\n", CATALOG, filename="对.csv").warnings,
        *read_pairs(b"left,right,\xe5\xa4\x87\xe6\xb3\xa8\n1,2,\xe5\xa5\xbd\n", CATALOG,
                    filename="对.csv").warnings,  # a third column of notes (备注: 好)
        *_raised(lambda: read_pairs(b"left,right,label\n1,2,\n", CATALOG, filename="对.csv")),
        *_raised(lambda: read_pairs(b"left,right,label\n1,2,maybe\n", CATALOG, filename="对.csv")),
        *_raised(lambda: read_pairs(b"left\n1\n", CATALOG, filename="对.csv")),
        *_raised(lambda: read_pairs(b"left,right\n7,8\n", CATALOG, filename="对.csv")),
        *_raised(lambda: build_training_set(CATALOG, empty_pairs())),
    ]


def _settings_and_model_messages(tmp_path: Path) -> list[str]:
    """A settings file loaded (Export page), a model typed in (Advanced), a folder opened
    (Open results), a labels file (Evaluate), a model that cannot be fine-tuned."""
    (tmp_path / "文件").write_text("x")
    empty, bad_json, not_object = (tmp_path / n for n in ("空模型", "坏", "非对象"))
    for folder in (empty, bad_json, not_object):
        folder.mkdir()
    (bad_json / "config.json").write_text("{坏")
    (not_object / "config.json").write_text("[1]")
    bad_length = tmp_path / "长度"
    bad_length.mkdir()
    pickled = tmp_path / "旧模型"
    pickled.mkdir()
    (pickled / "pytorch_model.bin").write_bytes(b"x")
    (bad_length / "sentence_bert_config.json").write_text('{"max_seq_length": 0}')
    frame = pd.DataFrame({"left_id": ["1"], "right_id": ["2"], "label": ["也许"]})
    return [
        *_raised(lambda: Config.from_dict([1])),
        *_raised(lambda: Config.from_dict({"k": 5, "颜色": "红"})),
        *_raised(lambda: Config.from_dict({"k": 5, "metirc": "dot"})),  # named: metric
        *_raised(lambda: Config.from_dict({"k": "五", "metric": 3, "rules": 5})),
        *_raised(lambda: resolve_model(tmp_path / "没有的模型")),
        *_raised(lambda: resolve_model(tmp_path / "文件")),
        *_raised(lambda: _weights_hash(empty)),
        *_raised(lambda: _weights_hash(bad_json)),  # config.json, no weights
        *_raised(lambda: _weights_hash(pickled)),
        *_raised(lambda: _json_object(bad_json / "config.json")),
        *_raised(lambda: _json_object(not_object / "config.json")),
        *_raised(lambda: _read_settings(bad_length, 512)),
        *_raised(lambda: _effective_precision("fp16", "cpu")),  # Advanced: a graphics card's
        *_raised(lambda: _effective_precision("onnx", "cuda:0")),  # choice on the wrong device
        *_raised(lambda: check_trainable(tmp_path / "没有的模型")),
        *_raised(lambda: check_trainable(empty)),
        *_raised(lambda: ResultsFolder.open(tmp_path / "没有的结果")),
        *_raised(lambda: ResultsFolder.open(empty)),
        *_raised(lambda: labelled_pairs(frame, CATALOG)),
        *_raised(lambda: labelled_pairs(pd.DataFrame({"左": ["无"], "右": ["无"]}), CATALOG)),
        *_raised(lambda: labelled_pairs(pd.DataFrame({"对": ["1"]}), CATALOG)),
        *_raised(lambda: labelled_pairs(frame.assign(label=""), CATALOG)),
        *_raised(lambda: read_judgements(frame.assign(label="0"), CATALOG)),
        *_raised(lambda: choose_threshold(np.array([0.5]), np.array([1]))),
        *_model_load_messages(),
        _tuned_weight_source(tmp_path / "店铺-ft-v1"),
    ]


def _tuned_weight_source(folder: Path) -> str:
    """The sidebar's note on where a fine-tuned model's own hybrid weight comes from."""
    folder.mkdir()
    (folder / "card.json").write_text(json.dumps({"config": {"hybrid_weight": 0.6}}))
    return model_defaults(folder).source


def _model_load_messages() -> list[str]:
    """A hub id typed in Advanced: offline mode on (these tests' own setting), then the hub
    unreachable (a closed local port as its address)."""
    import socket

    from core.embed.loading import _load

    out = _raised(lambda: _load("catsim-tests/no-such-model", "cpu"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.MonkeyPatch.context() as m:
        m.delenv("HF_HUB_OFFLINE")
        m.delenv("TRANSFORMERS_OFFLINE")
        m.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        out += _raised(lambda: _load("catsim-tests/no-such-model", "cpu"))
    return out


# Settings files a merchandiser may load (the Export page's "Load a saved configuration",
# read as the page reads it: json.loads, Config.from_dict): each one core refuses with one
# message of core/config.py, core/lists/spec.py (rules) or core/lists/bands.py (bands).
BAD_SETTINGS = (
    '{"metric": "余弦"}', '{"k": 0}', '{"k": "五"}', '{"batch_size": 0}',
    '{"precision": "fp8"}', '{"on_duplicate_ids": "合并"}', '{"index": "快"}',
    '{"language": "fr"}', '{"hybrid_weight": 2}', '{"hybrid_weight": true}',
    '{"image_weight": -1}', '{"fetch_images": "是"}', '{"image_model": ""}',
    '{"field_weights": 5}', '{"category_thresholds": []}', '{"bands": "高"}', '{"extra": 1}',
    '{"field_weights": {"标题": -1}}', '{"duplicate_threshold": 1.5}',
    '{"category_thresholds": {"鞋": 1.5}}', '{"relevance_floor": 1}', '{"text_columns": 5}',
    '{"rules": {"颜色": ["红"]}}', '{"rules": {"smae": ["品牌"]}}',
    '{"rules": {"pinned": [["1", "2"]], "blocked": [["1", "2"]]}}',
    '{"rules": {"same": "品牌"}}', '{"rules": {"in_stock_column": 1}}',
    '{"rules": {"min_score": "高"}}', '{"rules": {"diversity": 2}}',
    '{"rules": {"keep_duplicates": "否"}}', '{"rules": {"use_review": 0}}',
    '{"rules": {"max_per": 2}}', '{"rules": {"max_per": {"品牌": 0}}}',
    '{"rules": {"price_ratio": [2, 1]}}', '{"rules": {"price_ratio": ["低", 1]}}',
    '{"rules": {"pinned": [["1"]]}}',
    '{"bands": {"": 0.9}}', '{"bands": {"重复": "高"}}', '{"bands": {"重复": 0.9, "替代": 0.9}}',
    '{"brand_column": ["品牌"]}', '{"text_columns": "标题"}', '{"model": null}',
)
# Settings core accepts that meet CATALOG only when the lists are made (rules on a column
# it lacks, a price rule without a price column, field weights).
CATALOG_SETTINGS = ('{"rules": {"same": ["颜色"]}}', '{"rules": {"price_ratio": [0.5, 2]}}',
                    '{"field_weights": {"品牌": 1}}', '{"field_weights": {"标题": 0}}')


def _settings_file_messages() -> list[str]:
    out = []
    for text in BAD_SETTINGS:
        out += _raised(lambda text=text: Config.from_dict(json.loads(text)))
    raw = read_table(GOOD.encode(), "目录.csv")  # a file's id column the table lacks
    out += _raised(lambda: catalog_from_config(raw, Config.from_dict({"id_column": "货号"})))
    vectors = np.eye(3, 4, dtype=np.float32)
    for text in CATALOG_SETTINGS:
        cfg = Config.from_dict(json.loads(text))
        out += _raised(lambda cfg=cfg: apply_rules(CATALOG, candidate_pool(CATALOG, vectors, cfg),
                                                   cfg, vectors=vectors))
    return out


def _finetune_messages(model: Path, tmp_path: Path) -> list[str]:
    """The phases a fine-tuning run names and the notes its result carries (tiny BERT)."""
    titles = ["红色鞋", "蓝色鞋", "绿茶", "红茶", "苹果手机", "手机壳", "电脑", "鞋"] * 2
    catalog = build_catalog(pd.DataFrame({"编号": [f"a{i}" for i in range(16)], "标题": titles}),
                            ColumnMapping(text_columns=("标题",), id_column="编号"))
    pairs = pairs_from_frame(pd.DataFrame({"left_id": [f"a{i}" for i in range(8)],
                                           "right_id": [f"a{i + 8}" for i in range(8)]}), catalog)
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    said: list[str] = []
    fast = FinetuneSettings(epochs=2, batch_size=4, valid_fraction=0.25, keep="always",
                            device="cpu", select_epoch=True, pseudo_pairs=4, pseudo_threshold=0.01)
    notes = []
    for i, negatives in enumerate(("model", "lists")):
        result = finetune(catalog.texts, data, base_model=model, out=tmp_path / f"m{i}",
                          settings=replace(fast, negatives_from=negatives), status=said.append)
        notes += result.notes
    # a run whose model does not change (a learning rate of 1e-12) is not kept
    result = finetune(catalog.texts, data, base_model=model, out=tmp_path / "unchanged",
                      settings=replace(fast, keep="improved", epochs=1, select_epoch=False,
                                       pseudo_pairs=0, learning_rate=1e-12))
    assert not result.kept, result.notes
    notes += result.notes
    nothing_held = build_training_set(catalog, pairs, valid_fraction=0.0)  # no held-out products
    result = finetune(catalog.texts, nothing_held, base_model=model, out=tmp_path / "unchecked",
                      settings=replace(fast, keep="improved", epochs=1, select_epoch=False,
                                       pseudo_pairs=0, valid_fraction=0.0))
    assert not result.kept, result.notes
    notes += result.notes
    # another model trained than the current one: the multilingual copy (the tiny BERT
    # stands in for it here; tests/embed/test_expand.py makes the real one)
    import core.finetune.run as run
    from core.embed.store import EmbeddingStore

    store = EmbeddingStore(tmp_path / "store.sqlite")  # the new model's vectors kept there
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(run, "trainable_multilingual", lambda _models: Path(model))
        result = finetune(catalog.texts, data, base_model=tmp_path / "m0", start_from="multilingual",
                          out=tmp_path / "started", status=said.append, store=store,
                          settings=replace(fast, epochs=1, select_epoch=False, pseudo_pairs=0))
    notes += result.notes
    store.close()  # a store that fails: the note says the lists will embed once
    result = finetune(catalog.texts, data, base_model=model, out=tmp_path / "no-store",
                      store=store, settings=replace(fast, epochs=1, select_epoch=False,
                                                    pseudo_pairs=0))
    notes += result.notes
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    vectors = np.zeros((2, 4), dtype=np.float32)
    corpus = Corpus(vectors, None, np.arange(2))
    import sqlite3

    from core.workspace import database_message

    failures = [database_message(tmp_path / "ws.sqlite", exc) for exc in (
        sqlite3.OperationalError("database or disk is full"),
        sqlite3.OperationalError("attempt to write a readonly database"),
        sqlite3.DatabaseError("file is not a database"))]
    return [*said, *notes, *failures, *_raised(lambda: trainable_multilingual(blocked)),
            fit_evidence(corpus, None, weight=0.5, metric="cosine")[1],
            refit_calibration(tmp_path, corpus, None, {}, weight=0.5, metric="cosine",
                              model="m")]


def _score_meanings() -> list[str]:
    """What the exported score means, text only, text + photos, photos only."""
    from core.embed.image_vectors import ImageVectors
    from core.export.tables import score_meaning

    images = ImageVectors(np.zeros((1, 2), np.float32), np.array([True]), (b"x",), (), "fake")
    return [score_meaning(w, images) for w in (0.0, 0.4, 1.0)]


def _lists_file_messages() -> list[str]:
    """A file opened on the Open results page that is no list of neighbours, or broken."""
    from core.export.lists_file import read_lists_file

    head = b"source_id,rank,neighbor_id,score\n"
    return [message for data, name in (
        (b"product_id,title\n1,lamp\n", "价格.csv"), (head + b"A,1,B,high\n", "列表.csv"),
        (head + b"A,0,B,0.5\n", "列表.csv"), (b'{"source_id": "A"}', "列表.json"),
        (b"[{", "列表.json"), (b"[]", "列表.json"))
        for message in _raised(lambda data=data, name=name: read_lists_file(data, name))]


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory, tiny_bert_dir: Path) -> list[str]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        out = [*_read_messages(monkeypatch), *_feed_messages(monkeypatch),
               *_path_messages(tmp_path_factory.mktemp("files"), monkeypatch),
               *_other_file_messages(monkeypatch),
               *_catalog_messages(), *_photo_reasons(tmp_path_factory.mktemp("photos")),
               *_fetch_reasons(tmp_path_factory.mktemp("fetch")),
               *_pairs_messages(), *_settings_and_model_messages(tmp_path_factory.mktemp("cfg")),
               *_settings_file_messages(), *_score_meanings(), *_lists_file_messages(),
               *_finetune_messages(tiny_bert_dir, tmp_path_factory.mktemp("tuned"))]
    return out


def _values(message: str) -> list[str]:
    """The values a template puts back as they are (the user's, a library's error text),
    also those of a core message inside a {part} field."""
    for tp in templates():
        m = tp.pattern.match(message)
        if m:
            found = []
            for name, value in m.groupdict().items():
                if re.fullmatch(r"part\d*", name):
                    found += _values(value)
                elif not re.fullmatch(r"n\d*|part.*|list.*", name):
                    found.append(value)
            return found
    return []


def _outside_values(message: str, chinese: str) -> str:
    """chinese without the user's values (fields that are put back as they are)."""
    for value in _values(message):
        chinese = chinese.replace(value, "")
    return chinese


def test_every_core_message_shown_reads_in_chinese(messages: list[str]) -> None:
    english = []
    for message in messages:
        chinese = to_chinese(message)
        left = ENGLISH_RUN.findall(_outside_values(message, chinese))
        if chinese == message or left:
            english.append((message, left))
    assert not english, english


def test_every_template_is_still_made_by_core(messages: list[str]) -> None:
    used: set[str] = set()
    for message in messages:
        to_chinese(message, used)
    assert sorted(set(CORE_ZH) - used) == [], sorted(set(CORE_ZH) - used)


def test_templates_keep_their_fields() -> None:
    for english, chinese in CORE_ZH.items():
        assert set(FIELD.findall(english)) == set(FIELD.findall(chinese)), english


def test_user_values_come_back_unchanged() -> None:
    name = "$x [link](http://a) 'keep-first'; a or b.csv"
    message = f"{name} has a header but no product rows"
    assert to_chinese(message) == f"{name} 只有表头，没有商品行"
    listed = (f"{name} has repeated column names; the later ones were named a (2), b (2) and "
              "12 more to tell them apart (rename them in the file to choose other names)")
    assert to_chinese(listed) == (f"{name} 有重复的列名；后面的列已命名为 a (2), b (2) 等另外 12 个 "
                                  "以便区分（如需其他名称，请在文件中重命名）")
    assert to_chinese("not a core message") == "not a core message"


def test_settings_file_errors_keep_the_setting_names_and_options() -> None:
    """What the file holds (setting names, core's options, the value) stays as written."""
    assert to_chinese("k must be a positive integer, got 0") == "k 必须是正整数，实际为 0"
    assert to_chinese("hybrid_weight must be between 0 and 1, got 2") == \
        "hybrid_weight 必须在 0 到 1 之间，实际为 2"
    assert to_chinese("metric 'x' is not one of cosine, dot, euclidean, manhattan") == \
        "metric 的值“x”不是以下之一：cosine, dot, euclidean, manhattan"
    assert to_chinese("rules.max_per['品牌'] must be an integer >= 1, got 0") == \
        "rules.max_per['品牌'] 必须是大于或等于 1 的整数，实际为 0"


def test_a_field_matches_a_number_only_where_core_writes_one() -> None:
    pattern = compile_template("{name} is {n} MB, over")
    assert pattern.match("a is b.csv is 3.5 MB, over")["name"] == "a is b.csv"
    assert compile_template("line {n}: {n}").match("line 3: 4") is None


def test_english_interface_leaves_core_messages_unchanged(monkeypatch) -> None:
    from components import i18n_core

    monkeypatch.setattr(i18n_core, "language", lambda: "en")
    message = "目录.csv has a header but no product rows"
    assert i18n_core.tr_core(message) == message
    monkeypatch.setattr(i18n_core, "language", lambda: "zh")
    assert i18n_core.tr_core(message) == "目录.csv 只有表头，没有商品行"


def _page(monkeypatch: pytest.MonkeyPatch, model_dir: Path, language: str):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT

    monkeypatch.setenv("CATSIM_MODEL", str(model_dir))
    monkeypatch.setenv("CATSIM_LANGUAGE", language)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at, key: str, name: str, data: bytes):
    at.file_uploader(key=key).set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


RAGGED = "编号,标题\n1,小米,手机\n2,华为,耳机\n3,苹果,手机壳\n".encode("gb18030")
WARNED = ("编号,标题,\n" + "".join(f"{i},商品 {i},x\n" for i in range(30))).encode("gb18030")  # no name


@pytest.mark.app
def test_the_catalog_and_fine_tune_pages_show_core_messages_in_chinese(tiny_bert_dir, workspace,
                                                                       monkeypatch) -> None:
    from tests.conftest import element_texts

    at = _upload(_page(monkeypatch, tiny_bert_dir, "zh"), "catalog.upload", "歪.csv", RAGGED)
    assert "歪.csv 可能没有被正确读取：3 行中有 3 行的字段数与表头不同" in element_texts(at.error)
    at = _upload(at, "catalog.upload", "警告.csv", WARNED)
    assert "1 个表头单元格为空；已命名为 column_3" in element_texts(at.warning)
    assert "警告.csv" in element_texts(at.markdown)  # read and mapped: the file facts
    at.switch_page("pages/finetune.py").run()  # the language survives the page switch
    at = _upload(at, "finetune.pairs", "对.csv", b"left,right\n1,99\n1,2\n")
    assert "2 对中有 1 对用到了目录中没有的编号（99）；已跳过" in element_texts(at.warning)


@pytest.mark.app
def test_the_export_page_refuses_a_bad_settings_file_in_chinese(tiny_bert_dir, workspace,
                                                                monkeypatch) -> None:
    from tests.conftest import element_texts

    at = _upload(_page(monkeypatch, tiny_bert_dir, "zh"), "catalog.upload", "目录.csv",
                 GOOD.encode())
    at.switch_page("pages/export.py").run()
    assert not at.exception, at.exception
    before = at.session_state["settings.config"]
    for name, settings, chinese in (
            ("权重.json", {"hybrid_weight": 2}, "hybrid_weight 必须在 0 到 1 之间，实际为 2"),
            ("规则.json", {"rules": {"max_per": {"品牌": 0}}},
             "rules.max_per['品牌'] 必须是大于或等于 1 的整数，实际为 0")):
        data = json.dumps({**before.to_dict(), **settings}, ensure_ascii=False).encode()
        at.file_uploader(key="settings.config_file.load").set_value(
            (name, data, "application/json")).run()
        assert not at.exception, at.exception
        assert chinese in element_texts(at.error)
        assert at.session_state["settings.config"] == before  # refused: nothing changed


@pytest.mark.app
def test_the_english_interface_shows_core_messages_as_core_writes_them(tiny_bert_dir, workspace,
                                                                       monkeypatch) -> None:
    from tests.conftest import element_texts

    at = _upload(_page(monkeypatch, tiny_bert_dir, "en"), "catalog.upload", "歪.csv", RAGGED)
    assert "歪.csv may not be read right: 3 of 3 rows have a different number" in element_texts(at.error)


def test_hostile_values_cost_a_bounded_amount_of_matching(monkeypatch) -> None:
    """A user's value may repeat a template's words or hold "; " hundreds of times (a
    header cell, a file name): the work is bounded (counted, not timed). Before, 300
    pieces took ~100,000 template passes (30 s) and a 30 kB value 13 s."""
    import components.i18n_core as i18n_core

    calls = []
    real = i18n_core.to_chinese
    monkeypatch.setattr(i18n_core, "to_chinese",
                        lambda message, used=None: calls.append(1) or real(message, used))
    pieces = "; ".join(f"line {i}: 2 fields, header has 3" for i in range(300))
    message = f"shop.csv may not be read right: {pieces}. Look at its first lines"
    assert len(message) > i18n_core.MAX_MESSAGE  # over the cap: stays English, no template tried
    assert real(message) == message
    short = "; ".join(f"line {i}: 2 fields, header has 3" for i in range(60))
    out = i18n_core._pieces(short, None)
    assert len(calls) <= i18n_core.MAX_PIECES * i18n_core.RUN
    assert out.startswith("第 0 行") and out.endswith("line 59: 2 fields, header has 3")
