"""Shop platform exports read as one row per product (core.catalog.product_rows): Shopify's
(a row per variant and per extra photo) and WooCommerce's (variations as rows of their own),
in the reader, the mapping and the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.catalog.product_rows import is_shopify_export, products_of
from core.catalog.table import build_catalog, field_defaults, read_table
from tests.conftest import make_csv_bytes

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
