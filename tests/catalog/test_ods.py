"""OpenDocument spreadsheets (.ods, LibreOffice Calc) read as workbooks (core.catalog.ods)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from core.catalog.ods import is_ods
from core.catalog.table import build_catalog, field_defaults, read_table
from core.errors import CatalogError

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


def ods_bytes(tables: str, styles: str = "", *, mimetype: bool = True) -> bytes:
    """A minimal .ods as LibreOffice writes one: mimetype first (stored), content.xml."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}>'
               f'<office:automatic-styles>{styles}</office:automatic-styles><office:body>'
               f'<office:spreadsheet>{tables}</office:spreadsheet></office:body>'
               '</office:document-content>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                             compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def text(value: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{value}</text:p></table:table-cell>'


def number(value: str, kind: str = "float") -> str:
    return (f'<table:table-cell office:value-type="{kind}" office:value="{value}">'
            f'<text:p>shown {value}</text:p></table:table-cell>')


def row(*cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{''.join(cells)}</table:table-row>"


EMPTY = '<table:table-cell table:number-columns-repeated="16370"/>'  # LibreOffice pads rows
TAIL = f'<table:table-row table:number-rows-repeated="1048570">{EMPTY}</table:table-row>'
HEADER = row(text("SKU"), text("Product name"), text("Category"), text("Price"), EMPTY)


def _products() -> str:
    return (row(text("00123"), text("Red <text:s text:c=\"2\"/>running shoe"), text("Shoes"),
                number("49.9", "currency"), EMPTY)
            + row(text("00124"), text("Blue running shoe<text:line-break/>size 42"),
                  text("Shoes"), number("52", "currency"), EMPTY)
            + row(text("00125"), '<table:table-cell office:value-type="string"><office:annotation>'
                  '<text:p>ask the buyer</text:p></office:annotation><text:p>Green tea</text:p>'
                  '</table:table-cell>', text("Tea"), number("3.5"), EMPTY))


def test_a_libreoffice_sheet_reads_as_a_workbook_does() -> None:
    data = ods_bytes(f'<table:table table:name="Products">{HEADER}{_products()}{TAIL}'
                     '</table:table>')
    assert is_ods(data)
    table = read_table(data, "shop.ods")
    assert list(table.frame.columns) == ["SKU", "Product name", "Category", "Price"]
    assert table.frame["SKU"].tolist() == ["00123", "00124", "00125"]  # text ids as typed
    assert table.frame["Product name"].tolist() == [
        "Red   running shoe", "Blue running shoe\nsize 42", "Green tea"]  # no comment
    assert table.frame["Price"].tolist() == ["49.9", "52", "3.5"]  # the stored value
    assert table.sheet == "Products" and table.warnings == ()
    mapping = field_defaults(table.frame)
    assert (mapping.id_column, mapping.text_columns, mapping.category, mapping.price) == \
        ("SKU", ("Product name",), "Category", "Price")
    assert list(build_catalog(table, mapping).ids) == ["00123", "00124", "00125"]


def test_the_products_sheet_is_read_not_the_notes_or_a_hidden_one() -> None:
    notes = f'<table:table table:name="Notes">{row(text("Prices in EUR"))}</table:table>'
    lookup = (f'<table:table table:name="Lookup" table:style-name="ta2">{HEADER}'
              + row(text("x"), text("y"), text("z"), number("1")) * 9 + "</table:table>")
    styles = ('<style:style style:name="ta2" style:family="table">'
              '<style:table-properties table:display="false"/></style:style>')
    data = ods_bytes(notes + f'<table:table table:name="Products">{HEADER}{_products()}'
                     '</table:table>' + lookup, styles)
    table = read_table(data, "shop.ods")
    assert table.sheet == "Products" and table.sheets == ("Notes", "Products", "Lookup")
    assert len(table.frame) == 3
    assert read_table(data, "shop.ods", sheet="Lookup").frame["SKU"].tolist() == ["x"] * 9
    with pytest.raises(CatalogError, match=r"Sheet 'Prices' is not in shop\.ods"):
        read_table(data, "shop.ods", sheet="Prices")


def test_a_title_above_the_header_repeats_dates_and_booleans() -> None:
    title = row(text("Spring catalogue 2026"))
    body = (row(text("A1"), text("Lamp"), '<table:table-cell office:value-type="date" '
                'office:date-value="2026-03-01T00:00:00"><text:p>01/03/26</text:p>'
                '</table:table-cell>', '<table:table-cell office:value-type="boolean" '
                'office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>')
            + row(text("A2"), text("Desk lamp"), text(""), text("no"), repeat=3))
    header = row(text("SKU"), text("Title"), text("Added"), text("In stock"))
    data = ods_bytes(f'<table:table table:name="S">{title}{row()}{header}{body}</table:table>')
    table = read_table(data, "book.ods")
    assert list(table.frame.columns) == ["SKU", "Title", "Added", "In stock"]
    assert table.frame.iloc[0].tolist() == ["A1", "Lamp", "2026-03-01", "TRUE"]
    assert table.frame["SKU"].tolist() == ["A1", "A2", "A2", "A2"]  # a repeated row
    assert "the column names are on row 3" in table.warnings[0]


def test_a_file_named_otherwise_and_the_cli(tmp_path: Path, tiny_bert_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = ods_bytes(f'<table:table table:name="Products">{HEADER}{_products()}</table:table>')
    table = read_table(data, "catalog.xlsx")
    assert table.warnings[0] == ("catalog.xlsx is an OpenDocument spreadsheet (.ods, "
                                 "LibreOffice) despite its name; it was read as one")
    from core.cli import main

    path = tmp_path / "shop.ods"
    path.write_bytes(data)
    out = tmp_path / "lists.csv"
    assert main(["neighbors", str(path), "--model", str(tiny_bert_dir), "--out", str(out),
                 "--workspace", str(tmp_path / "ws"), "--k", "2",
                 "--relevance-floor", "0"]) == 0, capsys.readouterr().err
    import pandas as pd

    lists = pd.read_csv(out, dtype=str)
    assert len(lists) == 6 and set(lists["source_id"]) == {"00123", "00124", "00125"}


def test_hostile_spreadsheets_are_bounded_or_refused() -> None:
    # a million filled rows written as one repeated row: stopped by the row budget
    many = ods_bytes(f'<table:table table:name="S">{HEADER}'
                     f'{row(text("1"), text("x"), text("y"), number("2"), repeat=10**9)}'
                     '</table:table>')
    with pytest.raises(CatalogError, match="more than 1,000 rows"):
        read_table(many, "many.ods", max_rows=1000)
    # a filled cell repeated across every column: read no wider than the header
    wide = ods_bytes(f'<table:table table:name="S">{HEADER}'
                     f'{row(text("1"), text("x", 10**9))}</table:table>')
    tracemalloc.start()
    table = read_table(wide, "wide.ods")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert table.frame.iloc[0].tolist() == ["1", "x", "x", "x"] and peak < 50_000_000
    # a document type with entities (how XML bombs grow) is refused
    content = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
               '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    with pytest.raises(CatalogError, match="declares a document type"):
        read_table(buf.getvalue(), "bomb.ods")
    with pytest.raises(CatalogError, match="not a readable OpenDocument spreadsheet"):
        read_table(ods_bytes("<table:table>")[:-30], "cut.ods")
    broken = ods_bytes('<table:table table:name="S"><table:table-row>'
                       '</table:table></office:spreadsheet>')
    with pytest.raises(CatalogError, match="damaged"):
        read_table(broken, "broken.ods")


def test_a_password_protected_sheet_says_so() -> None:
    """LibreOffice encrypts content.xml and says so in its manifest: the parse error read
    "the file is damaged"."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"\x8f\x01 encrypted bytes")
        archive.writestr("META-INF/manifest.xml", '<manifest:file-entry manifest:full-path='
                         '"content.xml"><manifest:encryption-data manifest:checksum-type="SHA1"/>'
                         '</manifest:file-entry>')
    with pytest.raises(CatalogError, match=r"locked\.ods is protected by a password; save a copy"):
        read_table(buf.getvalue(), "locked.ods")


def test_an_apple_numbers_document_says_how_to_export_it() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("Index/Document.iwa", b"\x00\x01")
        archive.writestr("Metadata/Properties.plist", b"")
    with pytest.raises(CatalogError, match=r"Apple Numbers document; in Numbers choose File > "
                                           r"Export To > CSV"):
        read_table(buf.getvalue(), "catalog.numbers")


def test_a_file_libreoffice_wrote() -> None:
    """tests/catalog/data/libreoffice_shop.ods: LibreOffice Calc 7.4 (Debian 12) saved it
    (``soffice --headless --convert-to ods`` of a workbook: a Notes sheet, then Products with
    a title row, text ids with leading zeros, two spaces and a line break in titles, a
    Chinese title, prices, booleans, dates and a SUM totals row), with the column styles,
    spans and 16,378-cell repeats the crafted files above only imitate."""
    table = read_table(Path(__file__).parent / "data" / "libreoffice_shop.ods")
    assert (table.sheet, table.sheets) == ("Products", ("Notes", "Products"))
    assert list(table.frame.columns) == ["SKU", "Product name", "Category", "Price",
                                         "In stock", "Added"]
    assert table.frame.to_dict("records") == [
        {"SKU": "00123", "Product name": "Red  running shoe", "Category": "Shoes",
         "Price": "49.9", "In stock": "1", "Added": "2026-03-01"},
        {"SKU": "00124", "Product name": "Blue running shoe\nsize 42", "Category": "Shoes",
         "Price": "52", "In stock": "0", "Added": "2026-03-02"},
        {"SKU": "00125", "Product name": "绿茶 100 包", "Category": "Tea", "Price": "3.5",
         "In stock": "1", "Added": "2026-03-03"}]
    assert any("the last rows hold a total ('Total')" in w for w in table.warnings)
    assert any("the column names are on row 2" in w for w in table.warnings)
