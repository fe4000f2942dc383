"""Reading catalog files (encodings, delimiters, formats) and mapping their columns."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import (
    ColumnMapping,
    RawTable,
    build_catalog,
    build_texts,
    field_defaults,
    guess_id_column,
    guess_text_columns,
    passed_over_id_column,
    read_table,
    unread_text_columns,
)
from core.catalog.textenc import decode_text, detect_delimiter
from core.errors import CatalogError
from tests.conftest import make_csv_bytes, make_xlsx_bytes

SIMPLE = [["id", "title", "brand"], ["1", "red shoe", "acme"], ["2", "blue shirt", "wear"]]


def _mapping(*text: str, id_column: str | None = "id") -> ColumnMapping:
    return ColumnMapping(text_columns=tuple(text), id_column=id_column)


# --- encodings -------------------------------------------------------------------------------

def test_utf8() -> None:
    table = read_table(make_csv_bytes([["id", "title"], ["1", "naïve café 手机"]]), "c.csv")
    assert table.encoding == "utf-8"
    assert table.frame["title"].tolist() == ["naïve café 手机"]


def test_utf8_bom_header_reads_id() -> None:
    table = read_table(make_csv_bytes(SIMPLE, "utf-8-sig"), "c.csv")
    assert table.encoding == "utf-8-sig"
    assert list(table.frame.columns) == ["id", "title", "brand"]
    assert guess_id_column(table.frame) == "id"


def test_utf16_excel_unicode_text_tab_separated() -> None:
    rows = [["id", "title", "price"], ["1", "Röd sko", "9,5"], ["2", "手机壳", "3"]]
    data = make_csv_bytes(rows, "utf-16", "\t")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    table = read_table(data, "export.txt")
    assert table.encoding == "utf-16" and table.delimiter == "\t"
    assert list(table.frame.columns) == ["id", "title", "price"]
    assert table.frame.values.tolist() == [["1", "Röd sko", "9,5"], ["2", "手机壳", "3"]]


def test_gb18030_chinese() -> None:
    rows = [["编号", "标题", "品牌"], ["1", "红色运动鞋", "安踏"], ["2", "苹果手机壳", "小米"]]
    table = read_table(make_csv_bytes(rows, "gb18030"), "cn.csv")
    assert table.encoding == "gb18030"
    assert table.frame["标题"].tolist() == ["红色运动鞋", "苹果手机壳"]
    assert guess_text_columns(table.frame) == ["标题"]


def test_cp1252_western() -> None:
    rows = [["id", "title", "price"], ["1", "café", "€5"], ["2", "tea", "€3,50"]]
    table = read_table(make_csv_bytes(rows, "cp1252"), "west.csv")
    assert table.encoding == "cp1252"
    assert table.frame["title"].tolist() == ["café", "tea"]
    assert table.frame["price"].tolist() == ["€5", "€3,50"]


def test_cp1252_accents_inside_words_are_not_read_as_gb18030() -> None:
    rows = [["id", "title"], ["1", "Crème brûlée"], ["2", "Müller Señor naïve"]]
    text, encoding = decode_text(make_csv_bytes(rows, "cp1252"))
    assert encoding == "cp1252"
    assert "Crème brûlée" in text


# Excel's "CSV" on Japanese, Korean and Russian Windows: Shift-JIS was refused as "a binary
# file (control characters)", cp949 read as gibberish common Chinese (惑前疙 for 상품명) and
# cp1251 as cp1252 mojibake (Íàçâàíèå for Название)
LOCAL = {
    "cp932": [["商品コード", "商品名", "価格"], ["A1", "ナイキ エアマックス 90 メンズ 白", "12990"],
              ["A2", "電気ケトル ボッシュ 1.7L", "3490"]],
    "cp949": [["상품번호", "상품명", "가격"], ["A1", "나이키 에어맥스 90 남성 운동화 흰색", "129000"],
              ["A2", "전기 주전자 보쉬 1.7L", "34900"]],
    "cp1251": [["Артикул", "Наименование", "Цена"], ["A1", "Кроссовки мужские Nike белые", "12990"],
               ["A2", "Чайник электрический Bosch", "3490"]],
}


@pytest.mark.parametrize("encoding", list(LOCAL))
def test_excel_csv_of_japanese_korean_and_russian_windows(encoding: str) -> None:
    rows = LOCAL[encoding]
    table = read_table(make_csv_bytes(rows, encoding, delimiter=";"), "shop.csv")
    assert table.encoding == encoding
    assert list(table.frame.columns) == rows[0]
    assert table.frame.values.tolist() == rows[1:]
    mapping = field_defaults(table.frame)
    assert (mapping.id_column, mapping.text_columns, mapping.price) == \
        (rows[0][0], (rows[0][1],), rows[0][2])


@pytest.mark.parametrize(("text", "encoding"), [
    ("東京都 渋谷区 限定品", "cp932"),  # kanji only, no kana
    ("ООО Ромашка", "cp1251"), ("Чайник", "cp1251"),  # once read as GB18030 Chinese
    ("红色运动鞋 苹果手机壳", "gbk"), ("安踏", "gb18030"),
    ("Crème brûlée, Größe 42, Weiß", "cp1252"), ("ÉTÉ NOËL", "cp1252"),
    ("naïve café résumé", "cp1252"),  # accents are lone Cyrillic letters in cp1251
])
def test_short_texts_in_legacy_code_pages(text: str, encoding: str) -> None:
    got, codec = decode_text(f"id,title\n1,{text}\n".encode(encoding))
    assert text in got, (codec, got)


# --- delimiters and quoting ------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter: str) -> None:
    rows = [["id", "title", "price"], ["1", "a, b; c", "1,5"], ["2", "d", "2"], ["3", "e", "3"]]
    table = read_table(make_csv_bytes(rows, delimiter=delimiter), "d.csv")
    assert table.delimiter == delimiter
    assert list(table.frame.columns) == ["id", "title", "price"]
    assert table.frame.values.tolist() == list(rows[1:])


def test_single_column_falls_back_to_comma() -> None:
    assert detect_delimiter("title\nred shoe\nblue hat\n") == ","
    table = read_table(b"title\nred shoe\nblue hat\n", "one.csv")
    assert table.frame["title"].tolist() == ["red shoe", "blue hat"]


def test_quoted_fields_with_newlines_and_doubled_quotes() -> None:
    data = b'id,title\n1,"multi\nline, with ""quotes"""\n2,plain\n'
    table = read_table(data, "q.csv")
    assert table.frame["title"].tolist() == ['multi\nline, with "quotes"', "plain"]
    assert table.warnings == ()


def test_ragged_rows_are_reported_with_line_numbers_and_skipped() -> None:
    data = b"id,title,brand\n1,a,x\n2,b\n3,c,z,extra\n4,d,w\n"
    table = read_table(data, "r.csv")
    assert table.frame["id"].tolist() == ["1", "4"], "ragged rows must be skipped, not padded"
    assert len(table.warnings) == 1
    warning = table.warnings[0]
    assert "2 ragged rows" in warning
    assert "line 3: 2 fields, header has 3" in warning
    assert "line 4: 4 fields, header has 3" in warning


def test_ragged_row_after_multiline_field_reports_the_physical_line() -> None:
    table = read_table(b'id,title\n1,"a\nb"\n2,b,c\n3,x\n', "r.csv")
    assert table.frame["id"].tolist() == ["1", "3"]
    assert "line 4: 3 fields" in table.warnings[0]


def test_blank_lines_are_ignored() -> None:
    table = read_table(b"id,title\n1,a\n\n2,b\n", "b.csv")
    assert table.frame["id"].tolist() == ["1", "2"]
    assert table.warnings == ()


def test_unterminated_quote_is_reported() -> None:
    data = b'id,title\n1,a\n2,"unterminated\n3,c\n'
    try:
        table = read_table(data, "u.csv")
    except CatalogError:
        return
    assert table.warnings, "rows lost to an unterminated quote must be reported"


# --- bad files -------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"   \n\n"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(CatalogError, match=r"e\.csv is empty"):
        read_table(data, "e.csv")


def test_header_only() -> None:
    with pytest.raises(CatalogError, match="has a header but no product rows"):
        read_table(b"id,title\n", "h.csv")


def test_binary_bytes_renamed_csv() -> None:
    junk = np.random.default_rng(0).integers(0, 256, 2000, dtype=np.uint8).tobytes()
    assert b"\x00" in junk
    with pytest.raises(CatalogError, match="looks like a binary file"):
        read_table(junk, "photo.csv")


def test_binary_with_zero_runs_is_called_binary() -> None:
    with pytest.raises(CatalogError, match="looks like a binary file"):
        read_table(b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.csv")


def test_excel_workbook_renamed_csv_is_read_as_a_workbook() -> None:
    """Refused as "a binary file" before: the bytes say what the file is, the name does not."""
    table = read_table(_two_sheet_xlsx(), "book.csv")
    assert table.sheets and len(table.frame) > 0
    assert table.warnings[0] == "book.csv is an Excel workbook despite its name; it was read as one"


def test_a_zip_that_is_not_a_workbook_is_refused_with_what_to_do() -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("catalog.csv", "id,title\n1,lamp\n")
    with pytest.raises(CatalogError, match="a zip archive; unzip it and use the catalog file"):
        read_table(out.getvalue(), "catalog.csv")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="File not found"):
        read_table(tmp_path / "nope.csv")


def test_size_limit() -> None:
    with pytest.raises(CatalogError, match="limit"):
        read_table(make_csv_bytes(SIMPLE), "big.csv", max_bytes=10)


def test_repeated_column_names_are_told_apart() -> None:
    """Two "Description" columns of an export: the later one is "Description (2)", never a name
    already there, the values stay in their columns, and the warning names what was done. A
    workbook and a Parquet file (pyarrow allows repeated names) alike; they once failed with
    "unexpected AttributeError: 'DataFrame' object has no attribute 'dtype'"."""
    table = read_table(b"id,title,title,title (2),title\n1,a,b,c,d\n", "dup.csv")
    assert list(table.frame.columns) == ["id", "title", "title (3)", "title (2)", "title (4)"]
    assert table.frame.iloc[0].tolist() == ["1", "a", "b", "c", "d"]
    assert table.warnings == ("dup.csv has repeated column names; the later ones were named "
                              "title (3), title (4) to tell them apart (rename them in the "
                              "file to choose other names)",)
    book = make_xlsx_bytes({"Products": pd.DataFrame([["1", "a", "b"]],
                                                     columns=["id", "title", "title"])})
    table = read_table(book, "dup.xlsx")
    assert list(table.frame.columns) == ["id", "title", "title (2)"]
    assert table.frame.iloc[0].tolist() == ["1", "a", "b"]
    assert any(w.startswith("dup.xlsx has repeated column names") for w in table.warnings)
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays([pa.array(["1"]), pa.array(["a"]), pa.array(["b"])],
                                        names=["id", "title", "title"]), buf)
    table = read_table(buf.getvalue(), "dup.parquet")
    assert list(table.frame.columns) == ["id", "title", "title (2)"]
    assert table.frame.iloc[0].tolist() == ["1", "a", "b"]
    assert any(w.startswith("dup.parquet has repeated column names") for w in table.warnings)
    catalog = build_catalog(read_table(b"id,title,title\n1,red shoe,leather\n", "d.csv"),
                            ColumnMapping(text_columns=("title", "title (2)"), id_column="id"))
    assert catalog.texts[0] == "red shoe | leather"  # both columns read



def test_read_from_path(tmp_path: Path) -> None:
    path = tmp_path / "cat.CSV"
    path.write_bytes(make_csv_bytes(SIMPLE, delimiter=";"))
    table = read_table(path)
    assert table.source == "cat.CSV" and table.delimiter == ";"
    assert len(table.frame) == 2


# --- Excel and Parquet -----------------------------------------------------------------------

def _two_sheet_xlsx() -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        pd.DataFrame({"id": [1, 2], "title": ["red shoe", None]}).to_excel(
            writer, sheet_name="Products", index=False)
        pd.DataFrame({"sku": ["x9"], "name": ["blue hat"]}).to_excel(
            writer, sheet_name="Extra", index=False)
    return buf.getvalue()


def test_xlsx_first_sheet_by_default() -> None:
    table = read_table(_two_sheet_xlsx(), "book.xlsx")
    assert table.sheets == ("Products", "Extra") and table.sheet == "Products"
    assert table.frame.values.tolist() == [["1", "red shoe"], ["2", ""]]
    assert any("2 sheets" in w for w in table.warnings)


def test_xlsx_sheet_selection() -> None:
    table = read_table(_two_sheet_xlsx(), "book.xlsx", sheet="Extra")
    assert table.sheet == "Extra"
    assert table.frame.values.tolist() == [["x9", "blue hat"]]


def test_xlsx_unknown_sheet_lists_the_sheets() -> None:
    with pytest.raises(CatalogError, match=r"Sheet 'Nope' is not in book.xlsx; sheets: "
                                           "Products, Extra"):
        read_table(_two_sheet_xlsx(), "book.xlsx", sheet="Nope")


def test_corrupt_xlsx() -> None:
    with pytest.raises(CatalogError, match=r"not a readable Excel workbook \(the file is "
                                           r"damaged or was cut short\)"):
        read_table(b"PK\x03\x04 not a workbook", "bad.xlsx")


def test_parquet() -> None:
    buf = io.BytesIO()
    pd.DataFrame({"id": [10, 11], "title": ["tea", None], "price": [1.5, 2.0]}).to_parquet(buf)
    table = read_table(buf.getvalue(), "cat.parquet")
    assert table.frame["title"].tolist() == ["tea", ""]
    assert table.frame["price"].tolist() == [1.5, 2.0]
    catalog = build_catalog(table, _mapping("title"))
    assert list(catalog.ids) == ["10", "11"]
    assert catalog.report.empty_texts == (1,)


def test_corrupt_parquet() -> None:
    with pytest.raises(CatalogError, match="not a readable Parquet file"):
        read_table(b"PAR1 nope", "bad.parquet")


# --- build_catalog -----------------------------------------------------------------------

def _table(rows: list[list[str]]) -> RawTable:
    return read_table(make_csv_bytes(rows), "t.csv")


DUPS = [["id", "title"], ["a", "one"], ["b", "two"], ["a", "three"], ["c", "four"],
        ["a", "five"]]


def test_duplicate_ids_error_says_how_to_choose() -> None:
    with pytest.raises(CatalogError, match=r"'id' has 1 duplicate ids \(e.g. a\); "
                                           "choose keep-first or suffix"):
        build_catalog(_table(DUPS), _mapping("title"))


def test_duplicate_ids_keep_first() -> None:
    catalog = build_catalog(_table(DUPS), _mapping("title"), on_duplicate_ids="keep-first")
    assert list(catalog.ids) == ["a", "b", "c"]
    assert catalog.texts == ["one", "two", "four"]
    assert catalog.report.duplicate_ids == ("a",)
    assert catalog.report.duplicate_policy == "keep-first"
    assert list(catalog.frame.index) == [0, 1, 2]
    assert len(catalog) == 3 and catalog.report.rows == 3


def test_duplicate_ids_suffix() -> None:
    catalog = build_catalog(_table(DUPS), _mapping("title"), on_duplicate_ids="suffix")
    assert list(catalog.ids) == ["a", "b", "a#2", "c", "a#3"]
    assert catalog.texts == ["one", "two", "three", "four", "five"]
    assert any("duplicate ids" in line for line in catalog.report.lines())


def test_duplicate_ids_suffix_never_collides_with_existing_ids() -> None:
    rows = [["id", "title"], ["a", "x"], ["a", "y"], ["a#2", "z"]]
    catalog = build_catalog(_table(rows), _mapping("title"), on_duplicate_ids="suffix")
    assert len(set(catalog.ids)) == 3


def test_unknown_duplicate_policy() -> None:
    with pytest.raises(CatalogError, match="on_duplicate_ids must be one of"):
        build_catalog(_table(SIMPLE), _mapping("title"), on_duplicate_ids="drop")


def test_missing_column_message_lists_available_columns() -> None:
    with pytest.raises(CatalogError, match=r"Column\(s\) name not in the catalog; "
                                           "available: id, title, brand"):
        build_catalog(_table(SIMPLE), _mapping("name"))
    with pytest.raises(CatalogError, match="sku not in the catalog"):
        build_catalog(_table(SIMPLE), _mapping("title", id_column="sku"))
    with pytest.raises(CatalogError, match="at least one text column"):
        build_catalog(_table(SIMPLE), _mapping())


def test_all_empty_text_column_is_refused() -> None:
    rows = [["id", "title", "note"], ["1", "a", ""], ["2", "b", "  "]]
    with pytest.raises(CatalogError, match="note are empty in every row"):
        build_catalog(_table(rows), _mapping("note"))


def test_empty_texts_are_reported() -> None:
    rows = [["id", "title"], ["1", "a"], ["2", ""], ["3", "c"], ["4", "   "]]
    catalog = build_catalog(_table(rows), _mapping("title"))
    assert catalog.report.empty_texts == (1, 3)
    assert catalog.texts == ["a", "", "c", ""]
    assert "2 rows with empty text (rows 2, 4)" in catalog.report.lines()


def test_row_number_ids_when_no_id_column() -> None:
    catalog = build_catalog(_table(SIMPLE), _mapping("title", id_column=None))
    assert list(catalog.ids) == ["0", "1"]
    assert catalog.position_of() == {"0": 0, "1": 1}


def test_ids_are_stripped_strings() -> None:
    frame = pd.DataFrame({"id": [" 7", "8 "], "title": ["a", "b"]})
    catalog = build_catalog(frame, _mapping("title"))
    assert list(catalog.ids) == ["7", "8"]
    assert catalog.name == "catalog"


def test_catalog_keeps_reader_warnings_and_columns() -> None:
    table = read_table(b"id,title,brand\n1,a,x\n2,b\n3,c,z\n", "w.csv")
    catalog = build_catalog(table, _mapping("title", "brand"))
    assert catalog.report.warnings == table.warnings
    assert catalog.name == "w.csv"
    assert catalog.titles() == ["a", "c"]
    assert catalog.column("brand").tolist() == ["x", "z"]
    with pytest.raises(CatalogError, match="Column 'nope' is not in the catalog"):
        catalog.column("nope")


# --- guessing and texts -------------------------------------------------------------------

def test_guess_text_columns_prefers_title_or_name() -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "description": ["a long description", "another"],
                          "title": ["red shoe", "hat"], "price": ["1.0", "2.0"]})
    assert guess_text_columns(frame) == ["title"]
    frame = pd.DataFrame({"sku": ["x", "y"], "long_text": ["aaaaaaaaaaaa", "bbbbbbbbbb"],
                          "Product Name": ["shoe", "hat"]})
    assert guess_text_columns(frame) == ["Product Name"]


@pytest.mark.parametrize("title, description", [("Bezeichnung", "Beschreibung"),
                                                ("Désignation", "Description longue"),
                                                ("Nombre", "Descripción"), ("Titolo", "Note")])
def test_a_european_shop_s_title_column_is_the_text_not_its_longer_description(
        title: str, description: str) -> None:
    frame = pd.DataFrame({"sku": ["1", "2"], title: ["Cola 330 ml", "Penne 500 g"],
                          description: ["A long description of a fizzy cola drink in a can",
                                        "Durum wheat pasta, bronze cut, from Italy, 500 g"]})
    assert guess_text_columns(frame) == [title]


def test_guess_text_columns_falls_back_to_longest_text() -> None:
    frame = pd.DataFrame({"code": ["1", "2"], "short": ["ab", "cd"],
                          "blurb": ["a much longer text", "another long text"],
                          "price": ["$1,000", "$2"]})
    assert guess_text_columns(frame) == ["blurb"]


def test_guess_text_columns_needs_some_text() -> None:
    with pytest.raises(CatalogError, match="No text column found"):
        guess_text_columns(pd.DataFrame({"a": ["1", "2"], "b": ["3.5", ""]}))


def test_guess_text_columns_does_not_pick_an_id_column() -> None:
    frame = pd.DataFrame({"product_id": ["P-001", "P-002"], "title": ["red shoe", "blue hat"],
                          "description": ["a long description", "another long one"]})
    assert guess_text_columns(frame) == ["title"]


def test_guess_id_column_requires_unique_values() -> None:
    assert guess_id_column(pd.DataFrame({"sku": ["a", "b"], "t": ["x", "y"]})) == "sku"
    assert guess_id_column(pd.DataFrame({"sku": ["a", "a"], "t": ["x", "y"]})) is None


def test_the_id_column_passed_over_is_named_with_its_count_of_different_ids() -> None:
    """Row numbers name the products when the id-like column repeats too many ids: which
    column was passed over, and how many different ids it has (blanks are none)."""
    variants = pd.DataFrame({"title": list("abcdef"), "parent_id": ["p1", "p1", "p2", "p2", "", ""],
                             "sku": ["s1", "s1", "s1", "s2", "s2", "s2"]})
    assert passed_over_id_column(variants) == ("parent_id", 2)
    unique = pd.DataFrame({"sku": ["a", "b"], "t": ["x", "y"]})
    assert passed_over_id_column(unique) is None  # it is the id column
    assert passed_over_id_column(pd.DataFrame({"title": ["x", "x"]})) is None  # none like ids


def test_field_defaults_on_a_product_table(product_rows: list[list[str]]) -> None:
    mapping = field_defaults(_table(product_rows).frame)
    assert mapping.text_columns == ("title",)
    assert mapping.id_column == "id"
    assert mapping.roles() == {"category": "category", "brand": "brand", "price": "price"}


@pytest.mark.parametrize("id_name", ["商品编号", "商品编码", "货号", "商品ID", "商品id", "条形码"])
def test_chinese_id_columns_are_ids_not_the_product_text(id_name: str) -> None:
    """Chinese id names hold 商品 (a title hint): before, 商品编号 became the text column and
    the ids row numbers, so the lists compared ids (and the language read as English)."""
    frame = pd.DataFrame({id_name: ["A001", "A002", "A003"],
                          "商品名称": ["红色 运动鞋 男款", "蓝色 帽子", "保温杯 500毫升"],
                          "类目": ["鞋", "帽", "杯"], "价格": ["199", "59", "89"]})
    mapping = field_defaults(frame)
    assert (mapping.id_column, mapping.text_columns) == (id_name, ("商品名称",))
    assert mapping.roles() == {"category": "类目", "price": "价格"}


@pytest.mark.parametrize("name", ["photo", "photo_url", "Main Photo", "主图", "图像", "商品照片"])
def test_photo_columns_are_guessed_as_the_image_column(name: str) -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "title": ["red shoe", "tea"],
                          name: ["a.jpg", "https://shop.example/b.png"]})
    assert field_defaults(frame).image == name


def test_english_names_ending_in_id_stay_text() -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "android": ["pixel phone case", "galaxy tab"]})
    assert guess_text_columns(frame) == ["android"]


def test_build_texts_order_and_separator() -> None:
    frame = pd.DataFrame({"title": ["shoe", "", " hat "], "brand": ["acme", "wear", None],
                          "color": ["red", "blue", ""]})
    assert build_texts(frame, ["brand", "title", "color"]) == [
        "acme | shoe | red", "wear | blue", "hat"]
    assert build_texts(frame, ("title", "color"), separator=" / ") == [
        "shoe / red", "blue", "hat"]


def test_build_catalog_joins_several_text_columns() -> None:
    catalog = build_catalog(_table(SIMPLE), _mapping("brand", "title"))
    assert catalog.texts == ["acme | red shoe", "wear | blue shirt"]
    assert catalog.titles() == ["acme", "wear"]


def test_catalog_identity_follows_content_not_the_object() -> None:
    """Every cache is keyed by Catalog.identity: the same content uploaded twice shares it;
    a corrected brand column (read by rules and field weights) changes it."""
    frame = pd.DataFrame({"id": ["a", "b", "c"], "title": ["red cup", "blue cup", "tea pot"],
                          "brand": ["acme", "acme", "zen"]})
    mapping = ColumnMapping(text_columns=("title",), id_column="id")
    one = build_catalog(frame, mapping)
    again = build_catalog(frame.copy(), mapping)
    assert one is not again and one.identity == again.identity and len(one.identity) == 24
    fixed = frame.copy()
    fixed.loc[1, "brand"] = "other"
    assert build_catalog(fixed, mapping).identity != one.identity
    assert build_catalog(frame, ColumnMapping(text_columns=("title", "brand"), id_column="id")) \
        .identity != one.identity
    odd = frame.copy()
    odd["blob"] = [b"\x00\xff", ["a", "list"], 3.5]  # bytes, an unhashable cell, a float
    assert build_catalog(odd, mapping).identity != one.identity


@pytest.mark.parametrize("name", ["modelno", "Model Number", "MPN", "Manufacturer Part Number",
                                  "Model", "model_no", "EAN", "GTIN-13", "upc_code", "Barcode",
                                  "ISBN", "商品条码"])
def test_model_number_columns_are_guessed_by_their_names(name: str) -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "title": ["red shoe", "tea"],
                          name: ["RS-100", "T-200"]})
    mapping = field_defaults(frame)
    assert mapping.model_number == name and mapping.text_columns == ("title",)
    cat = build_catalog(_table([list(frame.columns), *frame.values.tolist()]), mapping)
    assert cat.model_numbers() == ["RS-100", "T-200"]


@pytest.mark.parametrize("name", ["sku", "model year", "货号", "models sold", "型号", "mean",
                                  "ocean view", "clean", "Jan"])
def test_a_sku_or_a_model_year_is_no_model_number(name: str) -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "title": ["red shoe", "tea"], name: ["A1", "B2"]})
    assert field_defaults(frame).model_number is None


def test_a_bookshop_s_genre_author_and_isbn_get_their_roles() -> None:
    frame = pd.DataFrame({"ISBN": ["9780261103283", "9780141439518"],
                          "Title": ["The Hobbit (Paperback)", "Pride and Prejudice (Hardcover)"],
                          "Author": ["J.R.R. Tolkien", "Jane Austen"],
                          "Genre": ["Fantasy", "Classics"], "Price": ["9.99", "12.50"]})
    mapping = field_defaults(frame)
    assert (mapping.id_column, mapping.text_columns) == ("ISBN", ("Title",))
    assert (mapping.category, mapping.brand, mapping.price) == ("Genre", "Author", "Price")
    assert mapping.model_number is None  # the ISBN is the id: every pair would differ
    dealer = pd.DataFrame({"id": ["1", "2"], "title": ["Tee", "Mug"],
                           "Authorised dealer": ["Acme", "Camp"]})
    assert field_defaults(dealer).brand is None


def test_a_google_shopping_feed_gets_its_roles() -> None:
    """google_product_category holds Google's taxonomy numbers; product_type the shop's own
    words, which the rules and pages show; an empty mpn leaves the gtin as the number."""
    feed = pd.DataFrame({"id": ["a1", "a2"], "title": ["Tee", "Mug"],
                         "description": ["soft tee", "enamel mug"],
                         "image_link": ["https://x/a1.jpg", "https://x/a2.jpg"],
                         "price": ["12.99 USD", "9.00 USD"], "brand": ["Acme", "Camp"],
                         "gtin": ["0001234567890", "0001234567891"], "mpn": ["", ""],
                         "google_product_category": ["212", "1234"],
                         "product_type": ["Apparel > Tops", "Home > Kitchen"]})
    mapping = field_defaults(feed)
    assert (mapping.id_column, mapping.text_columns) == ("id", ("title",))
    assert (mapping.category, mapping.brand, mapping.price, mapping.image,
            mapping.model_number) == ("product_type", "brand", "price", "image_link", "gtin")


def test_a_taobao_export_gets_its_roles() -> None:
    frame = pd.DataFrame({"宝贝ID": ["1", "2"], "宝贝标题": ["保温杯 500ml", "跑步鞋 男"],
                          "宝贝类目": ["水杯", "运动鞋"], "一口价": ["59.00", "199.00"],
                          "宝贝图片": ["https://x/1.jpg", "https://x/2.jpg"]})
    mapping = field_defaults(frame)
    assert (mapping.id_column, mapping.text_columns) == ("宝贝ID", ("宝贝标题",))
    assert (mapping.category, mapping.price, mapping.image) == ("宝贝类目", "一口价", "宝贝图片")


def test_a_maker_s_number_is_preferred_to_a_barcode() -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "title": ["red shoe", "tea"],
                          "EAN": ["4006381333931", "4006381333948"], "MPN": ["RS-100", "T-200"]})
    assert field_defaults(frame).model_number == "MPN"


def test_a_model_number_that_is_the_id_column_is_not_compared() -> None:
    """Ids are unique: as model numbers every pair would differ, a listing repeated under
    two ids included."""
    frame = pd.DataFrame({"mpn_id": ["RS-100", "T-200"], "title": ["red shoe", "tea"]})
    mapping = field_defaults(frame)
    assert mapping.id_column == "mpn_id" and mapping.model_number is None


def test_unread_text_columns_names_descriptions_left_out_of_the_texts() -> None:
    """Descriptive text the mapping leaves out (search and lists read the text columns only):
    the description and a Chinese attributes column; not the mapped title, the id, a role
    column (category, brand), a short label (colour), numbers or photo links."""
    frame = pd.DataFrame({
        "sku": ["A-1", "A-2", "A-3"],
        "Product name": ["Wool Beanie - Navy / S", "Rain Parka - Black / M", "Chino - Olive / L"],
        "Description": ["Knitted merino wool hat for cold days", "Waterproof hooded parka for rain",
                        "Stretch cotton chinos with a slim fit"],
        "属性": ["颜色分类#:#深灰色#;#型号#:#U3#;#使用方式#:#手持", "净含量#:#230g#;#适用性别#:#男女通用",
               "功效#:#柔顺#;#功效#:#滋养修复#;#产地#:#中国大陆"],
        "Category": ["Accessories for the cold season", "Outerwear and rain protection",
                     "Bottoms, trousers and shorts"],
        "Colour": ["Navy", "Black", "Olive"],
        "Weight": ["120", "850", "400"],
        "Photo": ["https://shop.example/p/beanie-navy-s.jpg", "https://shop.example/p/parka.jpg",
                  "https://shop.example/p/chino-olive.jpg"]})
    mapping = ColumnMapping(text_columns=("Product name",), id_column="sku", category="Category",
                            image="Photo")
    assert unread_text_columns(frame, mapping) == ["Description", "属性"]  # the longest first
    both = ColumnMapping(text_columns=("Product name", "Description", "属性"), id_column="sku")
    assert unread_text_columns(frame, both) == ["Category"]  # no role: descriptive text
    with_roles = ColumnMapping(text_columns=("Product name", "Description", "属性"),
                               id_column="sku", category="Category")
    assert unread_text_columns(frame, with_roles) == []


def test_html_descriptions_are_compared_as_their_text_and_kept_as_written() -> None:
    """Shopify's Body (HTML) added as a text column: the model and the word index read
    "Soft cotton tee", not "<p>Soft <strong>cotton..."; the table keeps the cell as written,
    and text that only looks like markup stays as it is."""
    from core.catalog.table import plain_text

    body = '<p>Soft <strong>cotton</strong>&nbsp;tee</p><style>p {color: red}</style><br/>'
    frame = pd.DataFrame({"id": ["1", "2"], "title": ["Tee", "Cable <1m"],
                          "body": [body, "a < b > c, size <M>, Tom & Jerry"]})
    cat = build_catalog(frame, ColumnMapping(text_columns=("title", "body"), id_column="id"))
    assert cat.texts == ["Tee | Soft cotton tee", "Cable <1m | a < b > c, size <M>, Tom & Jerry"]
    assert cat.frame["body"][0] == body
    assert plain_text("R&amp;B <P CLASS=x>hits</P>") == "R&B hits"
    assert plain_text("a<SCRIPT src=1>alert(1)</script >b<style>never closed") == "a b"


def test_titles_that_do_not_name_the_brand_are_told_which_columns_to_add() -> None:
    from core.catalog.table import unnamed_role_columns

    books = pd.DataFrame({"ISBN": [f"97800{i:08d}" for i in range(10)],
                          "Title": [f"Book {i} (Paperback)" for i in range(10)],
                          "Author": ["Jane Austen", "Carl Sagan"] * 5,
                          "Genre": ["Classics", "Science"] * 5})
    mapping = field_defaults(books)
    assert unnamed_role_columns(books, mapping) == (["Author", "Genre"], 0.0)
    read = ColumnMapping(text_columns=("Title", "Author"), id_column="ISBN", brand="Author")
    assert unnamed_role_columns(books, read)[0] == []  # already compared
    named = books.assign(Title=[f"{a} book {i}" for i, a in enumerate(books.Author)])
    assert unnamed_role_columns(named, mapping) == ([], 1.0)  # the demo's kind: titles say it
    assert unnamed_role_columns(books.head(3), mapping)[0] == []  # too few to tell
