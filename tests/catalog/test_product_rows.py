"""Shop platform exports read as one row per product (core.catalog.product_rows): Shopify's
(a row per variant and per extra photo) and WooCommerce's (variations as rows of their own),
in the reader, the mapping and the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.catalog.product_rows import is_shopify_export, products_of
from core.catalog.table import build_catalog, field_defaults, read_table
from core.errors import CatalogError
from tests.conftest import make_csv_bytes, make_xlsx_bytes

HEADER = ["Handle", "Title", "Body (HTML)", "Vendor", "Type", "Option1 Name", "Option1 Value",
          "Variant SKU", "Variant Price", "Variant Barcode", "Image Src", "Image Position"]


def _export() -> list[list[str]]:
    """Three products: tee (3 variants, 2 extra photos), mug (1 variant), cap (2 variants,
    the first variant without a price)."""
    blank = [""] * len(HEADER)

    def row(**cells: str) -> list[str]:
        out = list(blank)
        for name, value in cells.items():
            out[HEADER.index(name.replace("_", " ").replace("Body", "Body (HTML)"))] = value
        return out

    return [HEADER,
            row(Handle="tee", Title="Cotton Tee", Body="<p>Soft cotton</p>", Vendor="Acme",
                Type="Shirts", **{"Option1 Name": "Size", "Option1 Value": "S",
                                  "Variant SKU": "T-S", "Variant Price": "19.00",
                                  "Variant Barcode": "0001234567890",
                                  "Image Src": "https://cdn.example/tee-1.jpg",
                                  "Image Position": "1"}),
            row(Handle="tee", **{"Option1 Value": "M", "Variant SKU": "T-M",
                                 "Variant Price": "21.00", "Variant Barcode": "0001234567891"}),
            row(Handle="tee", **{"Option1 Value": "L", "Variant SKU": "T-L",
                                 "Variant Price": "21.00"}),
            row(Handle="tee", **{"Image Src": "https://cdn.example/tee-2.jpg",
                                 "Image Position": "2"}),
            row(Handle="tee", **{"Image Src": "https://cdn.example/tee-3.jpg",
                                 "Image Position": "3"}),
            row(Handle="mug", Title="Enamel Mug", Vendor="Camp Co", Type="Kitchen",
                **{"Variant SKU": "MUG", "Variant Price": "12.50"}),
            row(Handle="cap", Title="Trucker Cap", Vendor="Acme", Type="Hats",
                **{"Option1 Value": "Red", "Variant SKU": "C-R"}),
            row(Handle="cap", **{"Option1 Value": "Blue", "Variant SKU": "C-B",
                                 "Variant Price": "15.00"})]


def test_a_shopify_export_is_one_row_per_product_and_the_reader_says_so() -> None:
    table = read_table(make_csv_bytes(_export()), "products_export.csv")
    frame = table.frame
    assert frame["Handle"].tolist() == ["tee", "mug", "cap"]
    assert frame["Title"].tolist() == ["Cotton Tee", "Enamel Mug", "Trucker Cap"]
    # each column: the first value given for the product
    assert frame["Variant Price"].tolist() == ["19.00", "12.50", "15.00"]
    assert frame["Variant SKU"].tolist() == ["T-S", "MUG", "C-R"]
    assert frame["Image Src"].tolist() == ["https://cdn.example/tee-1.jpg", "", ""]
    assert list(frame.columns) == HEADER
    assert table.warnings[0] == (
        "products_export.csv is a Shopify product export: its 8 rows describe 3 products (the "
        "other rows are their variants and extra photos), so it was read as one row per "
        "product, named by its Handle, with the first variant's price, SKU and barcode and "
        "the first photo")
    mapping = field_defaults(frame)
    assert mapping.id_column == "Handle" and mapping.text_columns == ("Title",)
    assert (mapping.brand, mapping.price, mapping.image) == ("Vendor", "Variant Price",
                                                            "Image Src")
    assert mapping.model_number is None  # the first variant's barcode is not the product's
    cat = build_catalog(table, mapping)
    assert cat.ids.tolist() == ["tee", "mug", "cap"] and not cat.report.empty_texts


@pytest.mark.parametrize("rows", [
    [["Handle", "Title", "Variant SKU"], ["tee", "Tee", "A1"], ["mug", "Mug", "B1"]],  # one each
    [["Handle", "Title", "Notes"], ["tee", "Tee", ""], ["tee", "", "x"]],  # no variant column
    [["sku", "title", "Variant SKU"], ["a", "Tee", "A1"], ["a", "Tee", "A2"]],  # no Handle
])
def test_other_files_are_read_as_they_are(rows: list[list[str]]) -> None:
    table = read_table(make_csv_bytes(rows), "shop.csv")
    assert len(table.frame) == len(rows) - 1
    assert not any("Shopify" in w for w in table.warnings)


def test_rows_without_a_handle_stay_rows_of_their_own() -> None:
    frame = pd.DataFrame({"Handle": ["tee", "tee", "", ""], "Title": ["Tee", "", "Odd", "Odder"],
                          "Variant SKU": ["A", "B", "C", "D"]})
    assert is_shopify_export(frame)
    out = products_of(frame)
    assert out["Title"].tolist() == ["Tee", "Odd", "Odder"]
    assert out["Variant SKU"].tolist() == ["A", "C", "D"]


def test_the_command_line_lists_products_by_handle(tmp_path: Path, tiny_bert_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.conftest import cli_runner

    run = cli_runner(_export(), tmp_path, tiny_bert_dir, capsys)
    out_file = tmp_path / "lists.csv"
    code, out, err = run("neighbors", str(run.catalog), "--out", str(out_file), "--k", "2")
    assert code == 0, err
    assert "is a Shopify product export: its 8 rows describe 3 products" in out + err
    lists = pd.read_csv(out_file, dtype=str)
    assert set(lists["source_id"]) == {"tee", "mug", "cap"}
    assert set(lists["neighbor_id"]) <= {"tee", "mug", "cap"}


WOO = [["ID", "Type", "SKU", "Name", "Published", "Categories", "Regular price", "Parent",
        "Attribute 1 name", "Attribute 1 value(s)"],
       ["11", "variable", "hoodie", "Hoodie", "1", "Clothing > Hoodies", "", "", "Color",
        "Blue, Green"],
       ["12", "variation", "hoodie-blue", "Hoodie - Blue", "1", "", "45", "id:11", "Color", "Blue"],
       ["13", "variation", "hoodie-green", "Hoodie - Green", "1", "", "45", "id:11", "Color",
        "Green"],
       ["14", "simple", "beanie", "Beanie", "1", "Accessories", "18", "", "", ""],
       ["15", "simple, virtual", "gift-card", "Gift card", "1", "", "25", "", "", ""]]


def test_a_woocommerce_export_is_read_without_its_variations_and_says_so() -> None:
    table = read_table(make_csv_bytes(WOO), "wc-product-export.csv")
    assert table.frame["Name"].tolist() == ["Hoodie", "Beanie", "Gift card"]
    assert table.warnings[0] == (
        "wc-product-export.csv is a WooCommerce product export: its 5 rows hold 3 products and "
        "2 variations (sizes, colours and other options of variable products); the variations "
        "were left out, so the lists are of the products")
    mapping = field_defaults(table.frame)
    assert mapping.id_column == "ID" and mapping.text_columns == ("Name",)
    assert mapping.category == "Categories"


@pytest.mark.parametrize("types", [["simple", "simple", "simple", "simple", "simple"],
                                   ["variation"] * 5,  # only variations: nothing to keep
                                   ["simple", "variation", "bundle", "simple", "simple"]])
def test_other_type_columns_are_left_as_they_are(types: list[str]) -> None:
    rows = [WOO[0]] + [[r[0], kind, *r[2:]] for r, kind in zip(WOO[1:], types)]
    table = read_table(make_csv_bytes(rows), "shop.csv")
    assert len(table.frame) == 5 and not table.warnings


MAGENTO = [["sku", "store_view_code", "attribute_set_code", "product_type", "name", "visibility",
            "price", "categories"],
           ["MH01", "", "Top", "configurable", "Chaz Kangeroo Hoodie", "Catalog, Search", "52",
            "Default Category/Men/Tops/Hoodies"],
           ["MH01-XS-Black", "", "Top", "simple", "Chaz Kangeroo Hoodie-XS-Black",
            "Not Visible Individually", "52", "Default Category/Men/Tops/Hoodies"],
           ["MH01-S-Black", "", "Top", "simple", "Chaz Kangeroo Hoodie-S-Black",
            "Not Visible Individually", "52", "Default Category/Men/Tops/Hoodies"],
           ["MH01", "french", "Top", "configurable", "Sweat à capuche Chaz Kangeroo", "", "", ""],
           ["24-MB01", "", "Bag", "simple", "Joust Duffle Bag", "Catalog, Search", "34",
            "Default Category/Gear/Bags"]]


def test_a_magento_export_keeps_the_products_shoppers_see_once_each() -> None:
    table = read_table(make_csv_bytes(MAGENTO), "catalog_product.csv")
    assert table.frame["sku"].tolist() == ["MH01", "24-MB01"]
    assert table.warnings[0] == (
        "catalog_product.csv is a Magento product export of 5 rows; left out: rows of another "
        "store view 1, products not visible on their own (the simple products of configurable "
        "ones) 2. The lists are of the 2 products shoppers see")
    mapping = field_defaults(table.frame)
    assert mapping.id_column == "sku" and mapping.text_columns == ("name",)
    assert mapping.category == "categories"  # not product_type (configurable, simple)
    every = [MAGENTO[0]] + [r for r in MAGENTO[1:] if r[5] != "Not Visible Individually"
                            and not r[1]]
    assert not read_table(make_csv_bytes(every), "catalog_product.csv").warnings


# --- rows that are no products: a spreadsheet's spacer rows and a totals row -------------------
def test_empty_rows_are_left_out_and_said() -> None:
    """Spacer rows (",,,," in CSV, empty rows of a sheet) once stopped the catalog as "Id column
    'SKU' is empty in 2 rows"; they are left out, the rows between them kept in order."""
    data = b"SKU,Name,Price\nA1,Red shoe,30\n,,\n , ,\nB2,Blue shoe,32\n,,\nC3,Hat,9\n"
    table = read_table(data, "shop.csv")
    assert table.frame["SKU"].tolist() == ["A1", "B2", "C3"]
    assert table.warnings == ("shop.csv: 3 empty rows (every cell blank) were left out",)
    catalog = build_catalog(table, field_defaults(table.frame))
    assert list(catalog.ids) == ["A1", "B2", "C3"]
    book = pd.DataFrame({"SKU": ["A1", None, "B2"], "Name": ["Red shoe", None, "Blue shoe"]})
    sheet = read_table(make_xlsx_bytes({"Products": book}), "shop.xlsx")
    assert sheet.frame["SKU"].tolist() == ["A1", "B2"]  # the sheet reader passes them over
    with pytest.raises(CatalogError, match=r"shop\.csv has a header but no product rows"):
        read_table(b"SKU,Name\n,\n , \n", "shop.csv")


@pytest.mark.parametrize("word", ["TOTAL", "Total:", "Grand total", "Summe", "合计"])
def test_a_totals_row_at_the_end_is_left_out_and_said(word: str) -> None:
    data = f"SKU,Name,Category,Price\nA1,Red shoe,Shoes,30\nB2,Hat,Hats,9\n,{word},,39\n"
    table = read_table(data.encode(), "report.csv")
    assert table.frame["SKU"].tolist() == ["A1", "B2"]
    assert table.warnings == (f"report.csv: the last rows hold a total ('{word}'), not a "
                              "product; left out",)


@pytest.mark.parametrize(("data", "units"), [
    (b"SKU,Name,Weight,Price\n,,kg,EUR\nA1,Kettle,1.2,29.90\nA2,Toaster,2.0,35.00\n",
     "kg, EUR"),
    (b"SKU;Name;Weight;Price\n;;(kg);[\xe2\x82\xac]\nA1;Kettle;1,2;29,90 \xe2\x82\xac\n"
     b"A2;Toaster;2;35 \xe2\x82\xac\n", "kg, \u20ac"),
    ("编号,名称,重量,价格\n,,千克,元\n1,水壶,1.2,99\n2,烤面包机,2,199\n".encode(), "千克, 元"),
])
def test_a_row_of_units_under_the_header_is_left_out_and_said(data: bytes, units: str) -> None:
    """A report's units under its column names stopped the catalog as a row without an id."""
    table = read_table(data, "report.csv")
    assert len(table.frame) == 2 and table.frame.iloc[0, 1] in ("Kettle", "水壶")
    assert table.warnings == (f"report.csv: the row under the column names holds units "
                              f"({units}), not a product; left out",)


@pytest.mark.parametrize("data", [
    b"SKU,Name,Size,Price\n,,m,\nA2,Hat,l,9\n",  # a size column: no numbers below
    b"SKU,Name,Weight,Price\nA1,Kettle,kg,EUR\nA2,Toaster,2.0,35.00\n",  # filled: a product
    b"Name,Unit\nHat,pcs\nScarf,pcs\n",  # units in every row: a column of units
])
def test_rows_that_only_look_like_units_are_kept(data: bytes) -> None:
    table = read_table(data, "shop.csv")
    assert len(table.frame) == data.count(b"\n") - 1 and table.warnings == ()


@pytest.mark.parametrize("data", [
    b"SKU,Name,Brand,Price\nA1,Engine oil 5W-30,Total,30\n",  # a product of the brand Total
    b"SKU,Name,Price\nA1,Total,30\nB2,Hat,9\n",  # "Total" not at the end
    b"Name,Price\nHat,9\nTotal,39\n",  # two columns: nothing else is empty, kept
    b"SKU,Name,Note,Price\nA1,Hat,,9\nB2,Total gym,,39\n",  # not the word alone
])
def test_products_that_say_total_are_kept(data: bytes) -> None:
    table = read_table(data, "shop.csv")
    assert len(table.frame) == data.count(b"\n") - 1 and table.warnings == ()


def test_the_command_line_reads_a_report_with_spacers_and_a_total(
        tmp_path: Path, tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.conftest import cli_runner

    run = cli_runner([["SKU", "Name", "Price"], ["A1", "Red running shoe", "30"], ["", "", ""],
                      ["B2", "Blue running shoe", "32"], ["C3", "Wool hat", "9"],
                      ["", "Total", "71"]], tmp_path, tiny_bert_dir, capsys)
    out_file = tmp_path / "lists.csv"
    code, out, err = run("neighbors", str(run.catalog), "--out", str(out_file), "--k", "2",
                         "--relevance-floor", "0")
    assert code == 0, err
    assert "shop.csv: 1 empty row (every cell blank) was left out" in out + err
    assert "shop.csv: the last rows hold a total ('Total'), not a product; left out" in out + err
    lists = pd.read_csv(out_file, dtype=str)
    assert sorted(set(lists["source_id"])) == ["A1", "B2", "C3"]
