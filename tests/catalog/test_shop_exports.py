"""Catalogs as shops export them from spreadsheets: title rows above the column names,
ids a spreadsheet rounded or wrote as decimals, an id column with a repeat or a blank,
an empty column, prices the price rules cannot read. Each is read the way the app and
the CLI read it (read_table + field_defaults + build_catalog)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from core.catalog.checks import header_row
from core.catalog.table import ColumnMapping, build_catalog, field_defaults, read_table
from core.errors import CatalogError
from tests.conftest import make_csv_bytes

HEADER = ["id", "title", "brand", "category", "price"]
PRODUCTS = [[1001, "red running shoe", "acme", "shoes", 49.9],
            [1002, "blue running shoe", "acme", "shoes", 52.0],
            [1003, "green tea 100 bags", "leafco", "tea", 3.5]]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Products"
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_title_rows_above_the_column_names_are_skipped_and_reported() -> None:
    data = workbook([["ACME shop - product export"], ["Exported 2026-12-01", "by admin"],
                     [], HEADER, *PRODUCTS])
    table = read_table(data, "export.xlsx")
    assert list(table.frame.columns) == HEADER
    assert table.frame["id"].tolist() == ["1001", "1002", "1003"]
    assert table.frame["title"].tolist()[0] == "red running shoe"
    assert any("the column names are on row 4; the 3 rows above them" in w
               for w in table.warnings), table.warnings
    mapping = field_defaults(table.frame)
    assert (mapping.id_column, mapping.text_columns, mapping.price) == ("id", ("title",), "price")


def test_a_sheet_whose_first_row_is_the_header_is_read_as_before() -> None:
    table = read_table(workbook([HEADER, *PRODUCTS]), "plain.xlsx")
    assert list(table.frame.columns) == HEADER and len(table.frame) == 3
    assert not any("rows above them" in w for w in table.warnings)


@pytest.mark.parametrize(("rows", "expected"), [
    ([], 0),
    ([("title",), ("red shoe",)], 0),                                  # one column: row 0
    ([("Shop export", None), ("id", "title"), ("1", "shoe")], 1),       # 1 cell above 2 columns
    ([("Shop", "2026", "admin", None, None, None),                      # 3 of 6: still a title
      ("id", "title", "brand", "category", "price", "stock"), ("1", "a", "b", "c", "2", "y")], 1),
    ([("id", "title", "brand", "category", "price"), ("1", "a", "", "", "")], 0),
    ([("id", "title", "text"), ("1", "a", "b"), tuple("2abcdefgh"), ("3", "c", "d")], 0),  # ragged
    ([("id", "title", None, None), ("1", "shoe", "x", "y"), ("2", "tea", "x", "y")], 0),  # unnamed
    ([("Shop export", None, None), ("id", "id", "title"), ("1", "2", "shoe")], 0),  # not names
])
def test_header_row_is_the_first_row_filled_more_than_half_the_typical_row(rows,
                                                                           expected) -> None:
    assert header_row(rows) == expected


def test_float_and_large_numeric_ids_in_a_workbook_stay_exact() -> None:
    data = workbook([["id", "ean", "title"], [1.0, 4006381333931.0, "shoe"],
                     [2.0, 4006381341318.0, "tea"]])
    cat = build_catalog(read_table(data, "ids.xlsx"), ColumnMapping(("title",), "ean"))
    assert cat.ids.tolist() == ["4006381333931", "4006381341318"]
    assert read_table(data, "ids.xlsx").frame["id"].tolist() == ["1", "2"]


def _csv(rows: list[list[object]]) -> bytes:
    return make_csv_bytes([HEADER, *rows])


def test_an_id_column_with_a_blank_is_still_guessed_and_the_blank_named() -> None:
    rows = [[f"P{i}", f"product {i}", "acme", "shoes", "9.99"] for i in range(30)]
    rows[10][0], rows[20][0] = rows[11][0], " "
    table = read_table(_csv(rows), "shop.csv")
    mapping = field_defaults(table.frame)
    assert mapping.id_column == "id"  # not row numbers: the file has an id column
    with pytest.raises(CatalogError, match=r"Id column 'id' is empty in 1 row \(row 21\)"):
        build_catalog(table, mapping)


def test_an_id_column_with_a_repeat_is_guessed_and_the_repeat_named() -> None:
    rows = [[f"P{i}", f"product {i}", "acme", "shoes", "9.99"] for i in range(30)]
    rows[10][0] = rows[11][0]
    table = read_table(_csv(rows), "shop.csv")
    mapping = field_defaults(table.frame)
    assert mapping.id_column == "id"
    with pytest.raises(CatalogError, match=r"Column 'id' has 1 duplicate ids \(e\.g\. P11\)"):
        build_catalog(table, mapping)
    assert build_catalog(table, mapping, on_duplicate_ids="suffix").ids[11] == "P11#2"


def test_an_id_named_column_of_repeats_is_not_taken_for_the_id() -> None:
    frame = pd.DataFrame({"category_id": ["7", "7", "8", "8"], "title": list("abcd")})
    assert field_defaults(frame).id_column is None


def test_an_entirely_empty_column_gets_no_role() -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "title": ["shoe", "tea"], "category": ["", " "],
                          "brand": [None, None], "Brand name": ["acme", "leafco"]})
    mapping = field_defaults(frame)
    assert mapping.category is None
    assert mapping.brand == "Brand name"


def test_ids_in_scientific_notation_that_collide_are_refused_with_the_cause() -> None:
    data = make_csv_bytes([["ean", "title"], ["4.01E+12", "shoe"], ["4.01E+12", "tea"],
                           ["4.02E+12", "cup"]])
    table = read_table(data, "excel.csv")
    for policy in ("error", "suffix"):
        with pytest.raises(CatalogError, match=r"3 ids in column 'ean' are written in scientific "
                           r"notation \(rows 1, 2, 3: '4\.01E\+12', '4\.02E\+12'\).*format the "
                           "column as Text"):
            build_catalog(table, ColumnMapping(("title",), "ean"), on_duplicate_ids=policy)


def test_unique_ids_in_scientific_notation_are_kept_with_a_warning() -> None:
    data = make_csv_bytes([["ean", "title"], ["4.01E+12", "shoe"], ["4.02E+12", "tea"]])
    cat = build_catalog(read_table(data, "excel.csv"), ColumnMapping(("title",), "ean"))
    assert cat.ids.tolist() == ["4.01E+12", "4.02E+12"]
    assert any("scientific notation" in w for w in cat.report.warnings)


def test_barcodes_a_spreadsheet_rounded_are_not_compared_and_the_note_says_why() -> None:
    """An EAN column guessed as the model number, saved by a spreadsheet as 4.02E+12: the
    rounded codes would make a can and a bottle the same product; they are left out of the
    comparison with a note naming the column, the rows and the fix; whole codes still count."""
    from core.search.evidence import ModelNumbers

    data = make_csv_bytes([["sku", "title", "EAN"], ["A1", "cola 330 ml can", "4.02E+12"],
                           ["A2", "cola 1.5 l bottle", "4.02E+12"],
                           ["A3", "lemonade 330 ml", "4006381333931"],
                           ["A4", "lemonade 330 ml can", "4006381333931"]])
    table = read_table(data, "excel.csv")
    mapping = field_defaults(table.frame)
    assert mapping.model_number == "EAN" and mapping.id_column == "sku"
    cat = build_catalog(table, mapping)
    notes = [w for w in cat.report.warnings if "'EAN'" in w]
    assert len(notes) == 1 and "2 values in column 'EAN' are written in scientific notation " \
        "(rows 1, 2: '4.02E+12')" in notes[0] and "Format the column as Text" in notes[0]
    numbers = ModelNumbers.read(cat.model_numbers())
    assert numbers.agree([0, 2], [1, 3]).tolist() == [0, 1]  # unknown, not "the same"
    # a spreadsheet always writes the sign; a model number such as 3E25 has none
    assert ModelNumbers.read(["3E25", "3E25", "4E+12"]).agree([0, 2], [1, 1]).tolist() == [1, 0]


def test_ids_a_spreadsheet_wrote_as_decimals_are_kept_as_written_with_a_warning() -> None:
    data = make_csv_bytes([["id", "title"], ["10011646.0", "shoe"], ["10140760.0", "tea"]])
    cat = build_catalog(read_table(data, "excel.csv"), ColumnMapping(("title",), "id"))
    assert cat.ids.tolist() == ["10011646.0", "10140760.0"]
    assert any("Every id in column 'id' ends in '.0' (e.g. 10011646.0)" in w
               for w in cat.report.warnings)
    mixed = make_csv_bytes([["id", "title"], ["10.0", "shoe"], ["11", "tea"]])
    assert build_catalog(read_table(mixed, "m.csv"), ColumnMapping(("title",), "id")) \
        .report.warnings == ()


def test_prices_the_rules_cannot_read_are_named_with_their_rows() -> None:
    prices = ["$1,299.00", "1.299,00 EUR", "£12", "", "N/A", "call us", "0.00", "12-15", "12,50",
              "call us"]
    rows = [[f"P{i}", f"product {i}", "acme", "shoes", p] for i, p in enumerate(prices)]
    cat = build_catalog(read_table(_csv(rows), "p.csv"),
                        ColumnMapping(("title",), "id", price="price"))
    notes = [w for w in cat.report.warnings if "cannot be read as a price" in w]
    assert notes == ["3 prices in column 'price' cannot be read as a price (rows 6, 8, 10: "
                     "'call us', '12-15'); price rules and the price check treat them as "
                     "unknown; write them as numbers (e.g. 12.50) or leave them empty"]


def test_readable_prices_give_no_note() -> None:
    rows = [["P1", "shoe", "acme", "shoes", "$1,299.00"], ["P2", "tea", "x", "tea", "12,50 €"],
            ["P3", "cup", "x", "cups", ""], ["P4", "mug", "x", "cups", "n/a"]]
    cat = build_catalog(read_table(_csv(rows), "p.csv"),
                        ColumnMapping(("title",), "id", price="price"))
    assert cat.report.warnings == ()


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_summary_sheet_before_the_products_is_passed_over() -> None:
    data = _book({"Summary": [["note", "count"], ["see the products sheet", 3]],
                  "Products": [HEADER, *PRODUCTS], "Empty": []})
    table = read_table(data, "shop.xlsx")
    assert table.sheet == "Products" and len(table.frame) == 3
    assert "shop.xlsx has 3 sheets; reading 'Products' (others: Summary, Empty)" in table.warnings
    assert read_table(data, "shop.xlsx", sheet="Summary").frame["note"].tolist() == [
        "see the products sheet"]  # a sheet the user picks is read


def test_a_hidden_lookup_sheet_is_passed_over() -> None:
    # a hidden sheet of colour codes, larger than the products, was read as the catalog
    data = _book({"Products": [HEADER, *PRODUCTS],
                  "Lookup": [["code", "label"], *([f"L{i}", f"colour {i}"] for i in range(9))]})
    book = load_workbook(io.BytesIO(data))
    book["Lookup"].sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    table = read_table(buf.getvalue(), "shop.xlsx")
    assert table.sheet == "Products" and len(table.frame) == 3
    assert read_table(buf.getvalue(), "shop.xlsx", sheet="Lookup").sheet == "Lookup"


def test_sheets_of_equal_size_read_the_first() -> None:
    data = _book({"Shop A": [HEADER, *PRODUCTS], "Shop B": [HEADER, *PRODUCTS]})
    assert read_table(data, "two.xlsx").sheet == "Shop A"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("padded", [True, False], ids=["padded", "bare"])
def test_title_lines_above_a_csv_header_are_skipped_and_reported(delimiter, padded) -> None:
    pad = delimiter * (len(HEADER) - 1) if padded else ""  # Excel pads each line to the width
    lines = [f"ACME shop - product export{pad}", f"Exported 2026-12-01{pad}", pad,
             delimiter.join(HEADER), *(delimiter.join(map(str, r)) for r in PRODUCTS)]
    table = read_table(("\r\n".join(lines) + "\r\n").encode("cp1252"), "export.csv")
    assert table.delimiter == delimiter
    assert list(table.frame.columns) == HEADER
    assert table.frame["id"].tolist() == ["1001", "1002", "1003"]
    assert table.warnings[0] == ("export.csv: the column names are on line 4; the 3 lines "
                                 "above them (a title or blank) were skipped")


def test_one_title_line_above_the_header_reads_in_the_singular() -> None:
    """The usual shop export has one title line above the header: it read "the 1 lines
    above them ... were skipped"."""
    lines = ["ACME shop - product export", ",".join(HEADER),
             *(",".join(map(str, r)) for r in PRODUCTS)]
    table = read_table(("\r\n".join(lines) + "\r\n").encode("cp1252"), "export.csv")
    assert list(table.frame.columns) == HEADER
    assert table.warnings[0] == ("export.csv: the column names are on line 2; the line "
                                 "above them (a title or blank) was skipped")


def test_excels_delimiter_line_chooses_the_delimiter_and_is_passed_over_quietly() -> None:
    """European exports write "sep=;" above the header so that Excel splits the columns; it
    was read as a title line (with a warning) and the delimiter guessed."""
    table = read_table(b"sep=;\r\nSKU;Name;Price\r\nA1;Red, shoe;30\r\nA2;Hat;9\r\n", "eu.csv")
    assert table.delimiter == ";" and table.warnings == ()
    assert list(table.frame.columns) == ["SKU", "Name", "Price"]
    assert table.frame["Name"].tolist() == ["Red, shoe", "Hat"]
    titled = read_table(b"sep=|\nACME export\nSKU|Name\nA1|x\nA2|y\n", "t.csv")
    assert list(titled.frame.columns) == ["SKU", "Name"] and "on line 3" in titled.warnings[0]
    given = read_table(b"sep=;\nSKU,Name\nA1,x\n", "g.csv", delimiter=",")
    assert list(given.frame.columns) == ["SKU", "Name"]  # what the user chose wins


def test_a_row_of_group_names_above_the_header_is_skipped() -> None:
    """A merchandiser's workbook groups its columns under merged cells ("Product" over id,
    title and brand, "Commercial" over category and price): the group row was taken for the
    header, naming the columns Product, column_2, column_3..., and the catalog had no ids."""
    groups = ["Product", None, None, "Commercial", None]
    book = Workbook()
    sheet = book.active
    for row in (groups, HEADER, *PRODUCTS):
        sheet.append(row)
    sheet.merge_cells("A1:C1")
    sheet.merge_cells("D1:E1")
    buf = io.BytesIO()
    book.save(buf)
    for data, name in ((buf.getvalue(), "grouped.xlsx"),
                       (make_csv_bytes([[g or "" for g in groups], HEADER, *PRODUCTS]),
                        "grouped.csv")):
        table = read_table(data, name)
        assert list(table.frame.columns) == HEADER, name
        assert table.frame["id"].tolist() == ["1001", "1002", "1003"]
        assert "the column names are on" in table.warnings[0]
    # a header with unnamed columns between named ones stays the header: the row below it is
    # a product (a number), or reads like the rows after it
    assert header_row([["id", "", "title", ""], ["1", "x", "red shoe", "y"],
                       ["2", "z", "blue shoe", "w"]]) == 0
    assert header_row([["Product", "", "Commercial", ""], ["a", "b", "c", "d"],
                       ["e", "f", "g", "h"]]) == 0  # the row below reads like the products


def test_a_csv_whose_first_line_is_the_header_skips_nothing() -> None:
    table = read_table(_csv([["P1", "shoe", "acme", "", ""], ["P2", "tea", "", "", ""]]), "a.csv")
    assert list(table.frame.columns) == HEADER and table.warnings == ()


def test_a_header_with_unnamed_columns_between_named_ones_is_kept() -> None:
    table = read_table(b"id,,title,\n1,x,red shoe,y\n", "gaps.csv")
    assert list(table.frame.columns) == ["id", "column_2", "title", "column_4"]
    assert table.frame["title"].tolist() == ["red shoe"]


def test_a_shopify_export_gets_its_sku_as_id_and_its_vendor_as_brand() -> None:
    frame = pd.DataFrame({"Handle": ["red-shoe", "red-shoe", "tea"],
                          "Title": ["Red shoe", "Red shoe 41", "Green tea"],
                          "Vendor": ["Acme", "Acme", "Leafco"],
                          "Variant SKU": ["RS-40", "RS-41", "GT-1"],
                          "Variant Price": ["49.90", "49.90", "3.50"]})
    mapping = field_defaults(frame)
    assert (mapping.id_column, mapping.brand, mapping.price, mapping.text_columns) == (
        "Variant SKU", "Vendor", "Variant Price", ("Title",))


@pytest.mark.parametrize(("titles", "encoding"), [
    (["T-Shirt Größe M", "Hose größer"], "cp1252"),  # 'öß' is also one GB2312 character
    (["Größe"], "cp1252"),
    (["红色 手机", "苹果 电脑"], "gb18030"),
    (["iPhone 壳", "USB 线"], "gb18030"),              # lone Chinese characters stay Chinese
    (["是", "否", "是"], "gb18030"),   # a labels column: 是 between delimiters is not 'ÊÇ'
])
def test_a_western_export_with_few_accents_is_not_read_as_chinese(titles, encoding) -> None:
    data = make_csv_bytes([["id", "title"], *([str(i), t] for i, t in enumerate(titles))],
                          encoding)
    table = read_table(data, "shop.csv")
    assert table.encoding == encoding
    assert table.frame["title"].tolist() == titles


def test_a_chart_sheet_first_is_passed_over_and_blank_rows_above_the_header_skipped() -> None:
    from openpyxl.chart import BarChart

    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for r, row in enumerate([HEADER, *PRODUCTS], start=3):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    book.create_chartsheet("Chart", 0).add_chart(BarChart())
    buf = io.BytesIO()
    book.save(buf)
    table = read_table(buf.getvalue(), "chart.xlsx")
    assert (table.sheet, table.sheets) == ("Data", ("Chart", "Data"))
    assert table.frame["id"].tolist() == ["1001", "1002", "1003"]
    assert table.warnings[0] == ("Sheet 'Data' of chart.xlsx: the column names are on row 3; "
                                 "the 2 rows above them (a title or blank) were skipped")


# --- files whose name says Excel but whose bytes do not ------------------------------------
# Shop backends (Chinese ones in particular) export "商品.xls" that is an HTML page or
# tab-separated text: the uploader did not accept .xls at all, and a renamed file was refused.

def test_an_html_table_saved_as_xls_is_read_by_its_cells() -> None:
    page = ("<!DOCTYPE html><html><head><meta charset='gbk'><style>td {color: red}</style>"
            "<script>var x = '<td>not a cell</td>';</script></head><body>"
            "<table><tr><td colspan='3'>商品导出 2026-12-01</td></tr>"
            "<tr><th>商品编号</th><th>商品名称</th><th>价格</th></tr>"
            "<tr><td>001</td><td>红色 <b>运动鞋</b><br>42码</td><td>99.00</td></tr>"
            "<tr><td>002</td><td>茶叶 &amp; 茶具 <a href='javascript:x'>**套装**</a></td>"
            "<td>12</td></tr><tr><td>003</td><td colspan='2'>只有名称</td></tr>"
            "</table></body></html>")
    table = read_table(page.encode("gb18030"), "商品.xls")
    assert list(table.frame.columns) == ["商品编号", "商品名称", "价格"]
    assert table.frame.values.tolist() == [["001", "红色 运动鞋 42码", "99.00"],
                                          ["002", "茶叶 & 茶具 **套装**", "12"],
                                          ["003", "只有名称", ""]]
    assert table.warnings[0].startswith("商品.xls is a web page with a table")
    assert "the column names are on row 2 of its table" in table.warnings[-1]
    cat = build_catalog(table, field_defaults(table.frame))
    assert cat.mapping.id_column == "商品编号" and list(cat.ids) == ["001", "002", "003"]


def test_the_largest_table_of_a_page_is_read_and_a_hostile_span_is_bounded() -> None:
    rows = "".join(f"<tr><td>{i}</td><td>lamp {i}</td></tr>" for i in range(5))
    page = (f"<table><tr><td>menu</td></tr></table><table><tr><th>id</th>"
            f"<th colspan='999999999'>title</th></tr>{rows}</table>")
    table = read_table(page.encode(), "export.htm")
    assert list(table.frame.columns) == ["id", "title"] and len(table.frame) == 5
    assert not any("web page" in w for w in table.warnings)  # its name says what it is


def test_tab_separated_text_saved_as_xls_or_xlsx_is_read_as_text() -> None:
    for name in ("export.xls", "export.xlsx"):
        table = read_table("id\ttitle\n1\tlamp\n2\tcable\n".encode("utf-16"), name)
        assert table.frame.values.tolist() == [["1", "lamp"], ["2", "cable"]]
        assert table.delimiter == "\t" and table.warnings[0] == (
            f"{name} is text (CSV), not a workbook, despite its name; it was read as text")


def test_a_page_without_a_table_says_what_to_do() -> None:
    with pytest.raises(CatalogError, match=r"web page .* without a table of products"):
        read_table(b"<html><body><p>Session expired</p></body></html>", "export.xls")


def test_the_uploader_takes_the_names_shop_systems_export() -> None:
    """Any name: a shop system's "products.xls" may be a web page, a feed a .txt, a
    workbook an .xlsm; the reader judges the bytes and says what it cannot read."""
    from components.catalog_form import UPLOAD_TYPES

    assert UPLOAD_TYPES is None
    with pytest.raises(CatalogError, match="a PDF document; export the catalog as CSV"):
        read_table(b"%PDF-1.7\n" + bytes(range(256)) * 8, "catalog.pdf")


def _xls(sheets: dict[str, list[list[object]]], hidden: set[str] = frozenset()) -> bytes:
    """An Excel 97-2003 workbook written by xlwt (dates get a date format, as Excel shows them)."""
    import datetime as dt

    import xlwt

    book, date = xlwt.Workbook(), xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        sheet.visibility = int(title in hidden)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value, *([date] if isinstance(value, dt.date) else []))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_old_xls_workbook_is_read_like_an_xlsx() -> None:
    """.xls was refused ("save it as .xlsx"), and the uploader did not even offer it."""
    import datetime as dt

    data = _xls({"说明": [["导出说明"]],
                 "商品": [["商品导出 2026-12-01"], ["货号", "商品名称", "价格", "上架日期", "在售"],
                          *[[1001 + i, f"红色运动鞋 {i}", 99.5 + i, dt.date(2026, 1, i + 1),
                             bool(i % 2)] for i in range(3)],
                          [None, None, None], [1004, "茶叶", 12, None, True]]})
    table = read_table(data, "商品.xls")
    assert table.sheets == ("说明", "商品") and table.sheet == "商品"  # the largest sheet
    assert list(table.frame.columns) == ["货号", "商品名称", "价格", "上架日期", "在售"]
    assert table.frame.values.tolist()[0] == ["1001", "红色运动鞋 0", "99.5", "2026-01-01", "FALSE"]
    assert table.frame["货号"].tolist() == ["1001", "1002", "1003", "1004"]  # never "1001.0"
    assert any("the column names are on row 2" in w for w in table.warnings)
    cat = build_catalog(table, field_defaults(table.frame))
    assert cat.mapping.id_column == "货号" and len(cat) == 4
    assert read_table(data, "商品.xlsx").warnings[0] == (
        "商品.xlsx is an old Excel 97-2003 workbook (.xls) despite its name; it was read as one")


def test_a_hidden_sheet_of_an_old_xls_workbook_is_passed_over() -> None:
    """A hidden lookup sheet larger than the products was read as the catalog of an .xls
    (an .xlsx passed it over)."""
    import xlrd

    lookup = [["code", "colour"], *[[i, f"colour {i}"] for i in range(20)]]
    data = _xls({"Products": [["sku", "title"], ["A1", "red shoe"], ["A2", "tea"]],
                 "Lookup": lookup}, hidden={"Lookup"})
    assert xlrd.open_workbook(file_contents=data).sheet_by_name("Lookup").visibility == 1
    table = read_table(data, "shop.xls")
    assert table.sheet == "Products" and table.sheets == ("Products", "Lookup")
    assert read_table(data, "shop.xls", sheet="Lookup").frame.shape == (20, 2)  # still chosen
    only_hidden = _xls({"Lookup": lookup, "Codes": lookup[:3]}, hidden={"Lookup", "Codes"})
    assert read_table(only_hidden, "codes.xls").sheet == "Lookup"  # every sheet hidden: largest


def test_a_damaged_xls_and_the_row_limit_say_what_to_do() -> None:
    with pytest.raises(CatalogError, match=r"not a readable Excel 97-2003 workbook \(the file "
                                           r"is damaged or was cut short\)"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "old.xls")
    rows = [["id", "title"], *[[i, f"lamp {i}"] for i in range(5)]]
    with pytest.raises(CatalogError, match="has more than 3 rows, the limit"):
        read_table(_xls({"p": rows}), "p.xls", max_rows=3)


def test_excel_keep_as_text_cells_are_read_as_their_text() -> None:
    """Shop systems write ="00123" so that Excel keeps the leading zeros; the id stayed
    '="00123"', and the exported lists named products the shop does not have."""
    data = (b'sku,title,price\n="00123",red shoe,12\n"=""00124""",blue hat,13\n'
            b'00125,"=""quoted"" title",4\n')
    table = read_table(data, "export.csv")
    assert table.frame["sku"].tolist() == ["00123", "00124", "00125"]
    assert table.frame["title"].tolist()[2] == '="quoted" title'  # not a whole ="..." cell
    assert table.warnings == ('2 cells written as ="..." (Excel\'s keep-as-text form) in sku '
                              'were read as the text inside',)
    cat = build_catalog(table, field_defaults(table.frame))
    assert list(cat.ids) == ["00123", "00124", "00125"]


def test_a_page_of_empty_cells_is_stopped_at_the_cell_limit() -> None:
    """Nine bytes per empty cell: a page within the size limit could hold tens of millions
    (memory grew with them); the workbook's cell budget applies to pages too."""
    from core.catalog.htmltable import html_rows

    page = "<table>" + "<tr>" + "<td></td>" * 50 + "</tr>" + "<tr><td>a</td></tr>" * 10 + "</table>"
    with pytest.raises(CatalogError, match="more than 40 table cells, the limit; export it as CSV"):
        html_rows(page, "big.xls", max_rows=100, max_cells=40)
    assert len(html_rows(page, "big.xls", max_rows=100, max_cells=60)) == 10  # blank row dropped


def test_a_page_over_the_size_limit_is_refused_before_it_is_parsed(monkeypatch) -> None:
    """A 100 MB page took 90-400 s of a core to parse (a CSV of it: seconds)."""
    import core.catalog.htmltable as htmltable

    def never(self, text):
        raise AssertionError("parsed")

    monkeypatch.setattr(htmltable, "MAX_HTML_MB", 1)
    monkeypatch.setattr(htmltable._Tables, "feed", never)  # refused by its size, unparsed
    page = b"<table>" + (b"<tr>" + b"<td></td>" * 100 + b"</tr>") * 2000 + b"</table>"
    with pytest.raises(CatalogError, match=r"is a web page of 2 MB, over the 1 MB limit for "
                                           r"pages; open it in Excel and save it as \.xlsx"):
        read_table(page, "big.xls")


def test_more_shop_column_names_find_their_role() -> None:
    """售价/单价 (sale/unit price), 类别, 厂商 (maker), ASIN were left unmapped: price rules and
    'another brand' could not be used until the merchant mapped them by hand; 评价 (reviews)
    holds 价 but is no price."""
    def mapped(cols):
        frame = pd.DataFrame([[f"{c}{i}" if c not in ("售价", "单价", "price") else "12"
                               for c in cols] for i in range(5)], columns=cols)
        return field_defaults(frame)

    got = mapped(["产品编号", "产品名称", "类别", "单价", "厂商", "评价"])
    assert (got.category, got.price, got.brand) == ("类别", "单价", "厂商")
    assert mapped(["评价", "商品名称", "售价"]).price == "售价"
    assert mapped(["评价", "商品名称"]).price is None
    assert mapped(["asin", "title", "price"]).id_column == "asin"
    # European exports: a French and a German header
    french = mapped(["ref", "désignation", "famille", "marque", "prix"])
    assert (french.id_column, french.category, french.brand, french.price) == (
        "ref", "famille", "marque", "prix")
    german = mapped(["Artikelnummer", "Bezeichnung", "Warengruppe", "Marke", "Preis"])
    assert (german.id_column, german.category, german.brand, german.price) == (
        "Artikelnummer", "Warengruppe", "Marke", "Preis")


def test_workbook_dates_read_as_dates_in_every_workbook_format() -> None:
    """An .xlsx date cell read "2026-03-01 00:00:00" where .xls and .ods read "2026-03-01"."""
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "added", "updated"])
    sheet.append(["1", "lamp", dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 12, 30)])
    buf = io.BytesIO()
    book.save(buf)
    table = read_table(buf.getvalue(), "dates.xlsx")
    assert table.frame.iloc[0].tolist() == ["1", "lamp", "2026-03-01", "2026-03-01 12:30:00"]


def _cents_beside_dollars(factor: float) -> str:
    """Two shops' rows of 30 products that name the same model code; shop B's prices
    times `factor` (in cents: 100)."""
    lines = ["sku,title,price"]
    for i in range(30):
        lines += [f"a{i},qx{1000 + i}k widget,{10 + i}.99",
                  f"b{i},widget qx{1000 + i}k by maker,{(10 + i) * factor:.2f}"]
    return "\n".join(lines) + "\n"


def test_a_price_column_that_prices_one_model_far_apart_is_left_out_of_the_scores() -> None:
    import numpy as np

    from core.config import Config
    from core.search.index import NeighborIndex

    mapping = ColumnMapping(text_columns=("title",), id_column="sku", price="price")
    cents = build_catalog(read_table(_cents_beside_dollars(100).encode(), "two.csv"), mapping)
    note = cents.price_note()
    assert note is not None and note.startswith("Prices in column 'price' are left out of the "
                                                "scores: of 30 pairs of products")
    assert "100% are priced more than twice apart (e.g. a29 at 39.99 and b29 at 3,900.00)" in note
    assert cents.price_evidence() is None and np.isfinite(cents.prices()).all()  # rules read it
    vectors = np.eye(len(cents), 8, dtype=np.float32)
    index = NeighborIndex.build(cents, vectors, Config(hybrid_weight=0.5))
    assert index.prices is None and index.calibration is index.settings.calibration  # unpriced
    assert index.text_evidence is not None and index.text_evidence.prices is None
    dollars = build_catalog(read_table(_cents_beside_dollars(1).encode(), "two.csv"), mapping)
    assert dollars.price_note() is None and dollars.price_evidence() is dollars.prices()
    index = NeighborIndex.build(dollars, vectors, Config(hybrid_weight=0.5))
    assert index.prices is dollars.prices() and index.text_evidence.prices is not None
    assert index.calibration == index.settings.calibration.with_prices(dollars.prices())
    unpriced = build_catalog(read_table(_cents_beside_dollars(1).encode(), "two.csv"),
                             ColumnMapping(text_columns=("title",), id_column="sku"))
    assert unpriced.price_note() is None and unpriced.price_evidence() is None


def test_the_price_column_is_the_one_that_prices_the_products() -> None:
    """WooCommerce exports "Date sale price starts" and "Sale price" before "Regular price":
    the dates were mapped as the price (and a sale price on two products of ten would have
    been); a Google feed's sale_price and shipping.price before price; Shopify's compare-at
    price after the price."""
    woo = [["ID", "SKU", "Name", "Date sale price starts", "Sale price", "Regular price"],
           *[[str(i), f"S{i}", f"Item {i}", "2024-01-01" if i == 0 else "",
              "9.99" if i < 2 else "", f"{12 + i}.99"] for i in range(10)]]
    assert field_defaults(read_table(make_csv_bytes(woo), "woo.csv").frame).price == \
        "Regular price"
    google = [["id", "title", "sale_price", "shipping.price", "price"],
              *[[str(i), f"lamp {i}", "" if i else "5.00 USD", "4.99 USD", f"{10 + i}.00 USD"]
                for i in range(5)]]
    assert field_defaults(read_table(make_csv_bytes(google), "g.csv").frame).price == "price"
    shopify = [["Handle", "Title", "Variant SKU", "Variant Price", "Variant Compare At Price"],
               *[[f"h{i}", f"t{i}", f"S{i}", f"{10 + i}.00", "30.00" if i == 0 else ""]
                 for i in range(5)]]
    assert field_defaults(read_table(make_csv_bytes(shopify), "s.csv").frame).price == \
        "Variant Price"
    presta = [["ID", "Name", "Wholesale price", "Price tax excluded", "Price tax included"],
              ["1", "lamp", "5", "10", "12"], ["2", "desk", "6", "12", "14.40"]]
    assert field_defaults(read_table(make_csv_bytes(presta), "p.csv").frame).price == \
        "Price tax excluded"  # what the shop sells at, not what it pays
    # one price column: taken as before, whatever its name
    one = [["id", "title", "sale price"], ["1", "lamp", "9.99"], ["2", "desk", ""]]
    assert field_defaults(read_table(make_csv_bytes(one), "o.csv").frame).price == "sale price"


def test_a_currency_column_beside_the_price_is_read_with_it() -> None:
    """Etsy exports PRICE beside CURRENCY_CODE; a catalog merged from two shops may carry a
    currency column: a yen price is no price to compare with dollars (the price check, the
    price range rule and the scores read one currency), where it read as 1,980 dollars."""
    from core.lists.rules import _features
    from core.lists.spec import Rules

    rows = [["SKU", "TITLE", "PRICE", "CURRENCY_CODE"], ["1", "lamp", "12.99", "USD"],
            ["2", "desk", "14.00", "USD"], ["3", "desk lamp", "1980", "JPY"],
            ["4", "chair", "15", ""]]
    table = read_table(make_csv_bytes(rows), "etsy.csv")
    mapping = field_defaults(table.frame)
    assert mapping.price == "PRICE"  # the currency column is no price
    cat = build_catalog(table, mapping)
    prices = cat.prices()
    assert prices[[0, 1, 3]].tolist() == [12.99, 14.0, 15.0] and pd.isna(prices[2])
    rule = _features(cat, Rules(price_ratio=(0.5, 2.0)), len(cat))
    assert rule.prices is not None and pd.isna(rule.prices[2]) and rule.prices[0] == 12.99
    plain = build_catalog(read_table(make_csv_bytes([r[:3] for r in rows]), "one.csv"),
                          ColumnMapping(text_columns=("TITLE",), id_column="SKU", price="PRICE"))
    assert plain.prices().tolist() == [12.99, 14.0, 1980.0, 15.0]  # no currency column
