"""Product feeds read as catalogs: XML (Google Shopping RSS and Atom, YML, plain exports,
Excel's XML Spreadsheet 2003) and JSON (shop APIs, lists, JSON Lines)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from core.catalog import feeds
from core.catalog.table import build_catalog, field_defaults, read_table
from core.errors import CatalogError

GOOGLE_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel>
<title>Example shop</title><link>https://shop.example.com</link><description>All</description>
<item><g:id>00123</g:id><title>Epson ELPLP12 projector lamp</title>
<description><![CDATA[<p>200 W lamp for <b>EMP-5600</b></p>]]></description>
<link>https://shop.example.com/p/123?utm_source=feed&amp;utm_medium=cpc</link>
<g:image_link>https://cdn.example.com/123.jpg</g:image_link>
<g:additional_image_link>https://cdn.example.com/123b.jpg</g:additional_image_link>
<g:additional_image_link>https://cdn.example.com/123c.jpg</g:additional_image_link>
<g:price>438.84 USD</g:price><g:brand>Epson</g:brand><g:mpn>ELPLP12</g:mpn>
<g:google_product_category>Electronics &gt; Projector Accessories</g:google_product_category>
<g:shipping><g:country>US</g:country><g:price>4.99 USD</g:price></g:shipping>
</item>
<item><g:id>00124</g:id><title>Draper infrared remote transmitter</title>
<link>https://shop.example.com/p/124</link><g:image_link>https://cdn.example.com/124.jpg</g:image_link>
<g:price>58.45 USD</g:price><g:brand>Draper</g:brand><g:mpn>121066</g:mpn>
<g:google_product_category>Electronics &gt; Remote Controls</g:google_product_category>
</item>
<item><g:id>00125</g:id><title>Koss EQ50 3-band stereo equalizer</title>
<link>https://shop.example.com/p/125</link><g:price>12.65 USD</g:price><g:brand>Koss</g:brand>
<g:google_product_category>Electronics &gt; Audio</g:google_product_category></item>
</channel></rss>
"""

YML = """<?xml version="1.0" encoding="windows-1251"?>
<yml_catalog date="2026-12-01 10:00"><shop><name>Магазин</name><company>ООО Ромашка</company>
<categories><category id="1">Обувь</category><category id="2" parentId="1">Кроссовки</category>
<category id="3" parentId="1">Ботинки</category></categories>
<offers>
<offer id="101" available="true"><url>https://shop.example.ru/p/101</url><price>4990</price>
<categoryId>2</categoryId><picture>https://cdn.example.ru/101.jpg</picture>
<picture>https://cdn.example.ru/101b.jpg</picture><vendor>Nike</vendor>
<vendorCode>DH2987-001</vendorCode><name>Кроссовки Nike Air Max 90</name>
<param name="Цвет">чёрный</param><param name="Размер" unit="RU">42</param></offer>
<offer id="102" available="false"><price>5990</price><categoryId>3</categoryId>
<vendor>Timberland</vendor><vendorCode>10061</vendorCode><name>Ботинки Timberland Premium</name>
<param name="Цвет">жёлтый</param></offer>
</offers></shop></yml_catalog>
"""

SPREADSHEET_2003 = """<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="Info"><Table><Row><Cell><Data ss:Type="String">Export</Data></Cell></Row>
</Table></Worksheet>
<Worksheet ss:Name="Products"><Table>
<Row><Cell ss:MergeAcross="3"><Data ss:Type="String">Catalog export 2026</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">sku</Data></Cell><Cell><Data ss:Type="String">name</Data></Cell>
<Cell><Data ss:Type="String">price</Data></Cell><Cell><Data ss:Type="String">category</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">00123</Data></Cell>
<Cell><Data ss:Type="String">Blue mug &amp; saucer</Data></Cell>
<Cell><Data ss:Type="Number">9.5</Data></Cell><Cell><Data ss:Type="String">Kitchen</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">00124</Data></Cell>
<Cell ss:Index="3"><Data ss:Type="Number">12</Data><Comment><Data>ask the buyer</Data></Comment></Cell>
<Cell><Data ss:Type="String">Kitchen</Data></Cell></Row>
<Row ss:Index="9"><Cell><Data ss:Type="String">00125</Data></Cell>
<Cell><Data ss:Type="String">Teapot</Data></Cell>
<Cell><Data ss:Type="Number">20</Data></Cell><Cell><Data ss:Type="String">Kitchen</Data></Cell></Row>
</Table></Worksheet></Workbook>
"""


def shopify_json() -> bytes:
    products = [{"id": 7000000000123 + i, "title": title, "body_html": "<p>Soft</p>",
                 "vendor": vendor, "product_type": "Tops", "tags": ["sale", "cotton"],
                 "published": True, "discount": None,
                 "variants": [{"sku": f"TEE-{i}-S", "price": "19.00", "option1": "S"},
                              {"sku": f"TEE-{i}-M", "price": "21.00", "option1": "M"}],
                 "images": [{"src": f"https://cdn.example.com/{i}.jpg"},
                            {"src": f"https://cdn.example.com/{i}b.jpg"}],
                 "options": {"name": "Size", "values": ["S", "M"]}}
                for i, (title, vendor) in enumerate([("Classic crew tee", "Acme"),
                                                     ("Oversized hoodie", "Acme"),
                                                     ("Linen shirt", "Bolt")])]
    return json.dumps({"products": products, "count": 3}).encode()


def test_a_google_shopping_feed_reads_one_row_per_item() -> None:
    table = read_table(GOOGLE_RSS.encode(), "feed.xml")
    frame = table.frame
    assert list(frame.columns) == [
        "id", "title", "description", "link", "image_link", "additional_image_link", "price",
        "brand", "mpn", "google_product_category", "shipping.country", "shipping.price"]
    assert frame["id"].tolist() == ["00123", "00124", "00125"]  # ids as written
    first = frame.iloc[0]
    assert first["description"] == "<p>200 W lamp for <b>EMP-5600</b></p>"  # CDATA as text
    assert first["link"].endswith("utm_source=feed&utm_medium=cpc")  # entities read
    assert first["additional_image_link"] == ("https://cdn.example.com/123b.jpg; "
                                              "https://cdn.example.com/123c.jpg")
    assert first["price"] == "438.84 USD" and first["shipping.price"] == "4.99 USD"
    assert frame.loc[2, "image_link"] == ""  # a field an item lacks is empty
    assert table.warnings == ("feed.xml is an XML feed: each <item> element was read as a "
                              "product (3 of them), its fields as columns",)
    mapping = field_defaults(frame)
    assert (mapping.id_column, mapping.text_columns, mapping.category, mapping.brand,
            mapping.price, mapping.image, mapping.model_number) == (
        "id", ("title",), "google_product_category", "brand", "price", "image_link", "mpn")
    assert list(build_catalog(table, mapping).ids) == ["00123", "00124", "00125"]


def test_atom_yml_and_a_plain_export() -> None:
    atom = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:g="http://base.google.com/ns/1.0"><title>Shop</title>'
            '<link rel="self" href="https://shop.example.com"/>'
            '<entry><g:id>A1</g:id><title>Blue mug</title><link href="https://x/a1"/>'
            '<g:price>9.99 USD</g:price></entry>'
            '<entry><g:id>A2</g:id><title>Red mug</title><link href="https://x/a2"/>'
            '<g:price>10.99 USD</g:price></entry></feed>')
    frame = read_table(atom.encode(), "atom.xml").frame
    assert frame.to_dict("list") == {"id": ["A1", "A2"], "title": ["Blue mug", "Red mug"],
                                     "link.href": ["https://x/a1", "https://x/a2"],
                                     "price": ["9.99 USD", "10.99 USD"]}
    # Yandex YML in Windows-1251: offer attributes, named params, category names from the tree
    table = read_table(YML.encode("cp1251"), "yml.xml")
    assert table.encoding == "windows-1251"
    offer = table.frame.iloc[0]
    assert (offer["id"], offer["available"], offer["name"], offer["Цвет"], offer["Размер"]) == (
        "101", "true", "Кроссовки Nike Air Max 90", "чёрный", "42")
    assert table.frame["category"].tolist() == ["Обувь > Кроссовки", "Обувь > Ботинки"]
    mapping = field_defaults(table.frame)
    assert (mapping.id_column, mapping.text_columns, mapping.category, mapping.brand,
            mapping.model_number, mapping.image) == (
        "id", ("name",), "category", "vendor", "vendorCode", "picture")
    # a template that declares windows-1251 over UTF-8 bytes reads as UTF-8
    assert read_table(YML.encode(), "yml.xml").frame.loc[1, "name"] == \
        "Ботинки Timberland Premium"
    # a plain export: products as attributes, and a description in XHTML (mixed content)
    plain = ('<products exported="2026-12-01">'
             '<product sku="K-1" name="Kettle" price="29.90"><description>Boils <b>fast</b>, '
             '1.7 l</description></product>'
             '<product sku="K-2" name="Toaster" price="35"/></products>')
    frame = read_table(plain.encode(), "export.xml").frame
    assert frame.to_dict("list") == {"sku": ["K-1", "K-2"], "name": ["Kettle", "Toaster"],
                                     "price": ["29.90", "35"],
                                     "description": ["Boils fast, 1.7 l", ""]}


def test_a_currency_or_unit_attribute_is_read_with_its_value() -> None:
    """<price currency="EUR">12.99</price> read as "12.99 EUR" (it was "12.99", so a feed
    priced in two currencies compared euros with dollars); other attributes of a value are
    left out, and a value that names its currency already is not given it twice."""
    from core.lists.pricecheck import one_currency

    xml = ('<?xml version="1.0"?><products>'
           + "".join(f'<product><id>{i}</id><title xml:lang="en">lamp {i}</title>'
                     f'<price currency="{c}">{p}</price><weight unit="kg">{i}</weight>'
                     '</product>'
                     for i, (c, p) in enumerate([("EUR", "12.99"), ("EUR", "14.99 EUR"),
                                                 ("JPY", "1980")]))
           + "</products>").encode()
    frame = read_table(xml, "feed.xml").frame
    assert list(frame.columns) == ["id", "title", "price", "weight"]
    assert frame["price"].tolist() == ["12.99 EUR", "14.99 EUR", "1980 JPY"]
    assert frame["weight"].tolist() == ["0 kg", "1 kg", "2 kg"]
    assert frame["title"].tolist() == ["lamp 0", "lamp 1", "lamp 2"]
    prices = one_currency(frame["price"])
    assert prices[:2].tolist() == [12.99, 14.99] and pd.isna(prices[2])  # yen: not compared


def test_an_excel_xml_spreadsheet_reads_as_a_sheet() -> None:
    """An older shop backend's "Excel XML" export, saved as .xls."""
    table = read_table(SPREADSHEET_2003.encode(), "export.xls")
    assert table.sheet == "Products" and table.sheets == ("Info", "Products")
    assert list(table.frame.columns) == ["sku", "name", "price", "category"]
    assert table.frame.values.tolist() == [["00123", "Blue mug & saucer", "9.5", "Kitchen"],
                                           ["00124", "", "12", "Kitchen"],  # ss:Index gap
                                           ["00125", "Teapot", "20", "Kitchen"]]
    assert table.warnings[0] == ("export.xls is an Excel XML spreadsheet (XML Spreadsheet "
                                 "2003) despite its name; it was read as one")
    assert "the column names are on row 2" in table.warnings[1]
    with pytest.raises(CatalogError, match=r"export\.xml has a header but no product rows"):
        read_table(SPREADSHEET_2003.encode(), "export.xml", sheet="Info")
    with pytest.raises(CatalogError, match=r"Sheet 'Prices' is not in export\.xml"):
        read_table(SPREADSHEET_2003.encode(), "export.xml", sheet="Prices")


def test_hostile_xml_is_refused_or_bounded() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><products><product><name>&b;'
            '</name></product></products>')
    with pytest.raises(CatalogError, match="declares entities in a document type"):
        read_table(bomb.encode(), "bomb.xml")
    xxe = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<products><product><name>&x;</name></product></products>')
    with pytest.raises(CatalogError, match="declares entities"):
        read_table(xxe.encode(), "xxe.xml")
    deep = "<a>" * 100 + "x" + "</a>" * 100
    with pytest.raises(CatalogError, match="deeper than any product feed"):
        read_table(deep.encode(), "deep.xml")
    with pytest.raises(CatalogError, match=r"undefined entity at line 1, column \d+\); an HTML "
                                           r"name such as &nbsp; is not XML"):
        read_table(b"<products><product><name>Mug&nbsp;blue</name></product></products>",
                   "nbsp.xml")
    with pytest.raises(CatalogError, match=r"not well-formed XML \(mismatched tag at line 2"):
        read_table(b"<products><product><name>Mug</name>\n</products>", "cut.xml")
    with pytest.raises(CatalogError, match="XML without product fields"):
        read_table(b"<?xml version='1.0'?><empty></empty>", "empty.xml")
    many = "<r>" + "<p><n>x</n></p>" * 50 + "</r>"
    with pytest.raises(CatalogError, match="more than 10 products, the limit"):
        read_table(many.encode(), "many.xml", max_rows=10)
    fields = "<r>" + "".join(f"<p><f{i}>x</f{i}></p>" for i in range(feeds.MAX_COLUMNS + 1))
    with pytest.raises(CatalogError, match="more than 1,000 different fields per product"):
        read_table((fields + "</r>").encode(), "wide.xml")
    # fields that differ from product to product grow the table as fast as rows: a budget
    sparse = "<r>" + "".join(f"<p><id>{i}</id><f{i % 900}>x</f{i % 900}></p>" for i in range(3000))
    with pytest.raises(CatalogError, match=r"more than 1,000,000 table cells, the limit"):
        feeds_with_cells(1_000_000, lambda: read_table((sparse + "</r>").encode(), "sparse.xml"))
    # 20,000 products stream: memory is the table, not a tree of the document
    big = ("<rss><channel>" + "".join(
        f"<item><id>{i}</id><title>Product number {i} in blue</title><price>{i}.99</price>"
        "</item>" for i in range(20_000)) + "</channel></rss>").encode()
    tracemalloc.start()
    table = read_table(big, "big.xml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(table.frame) == 20_000 and peak < 20 * len(big), (peak, len(big))


def test_a_shop_api_json_and_json_lines() -> None:
    table = read_table(shopify_json(), "products.json")
    frame = table.frame
    assert frame["id"].tolist() == ["7000000000123", "7000000000124", "7000000000125"]
    first = frame.iloc[0]
    assert (first["tags"], first["published"], first["discount"]) == ("sale; cotton", "true", "")
    assert (first["variants.sku"], first["variants.price"], first["images.src"]) == (
        "TEE-0-S", "19.00", "https://cdn.example.com/0.jpg")  # a list of objects: the first
    assert first["options.values"] == "S; M"
    assert table.warnings == ('products.json is JSON: each object of "products" was read as a '
                              "product (3 of them), its fields as columns",)
    mapping = field_defaults(frame)
    assert (mapping.text_columns, mapping.brand, mapping.category, mapping.price,
            mapping.image) == (("title",), "vendor", "product_type", "variants.price",
                               "images.src")
    # a list of objects; numbers as written (whole ones without .0)
    listed = json.dumps([{"sku": "001", "name": "Lamp", "price": 12.0, "rating": 4.5},
                         {"sku": "002", "name": "Desk", "price": 80, "rating": None}])
    table = read_table(listed.encode("utf-16"), "items.json")
    assert table.frame.values.tolist() == [["001", "Lamp", "12", "4.5"],
                                           ["002", "Desk", "80", ""]]
    # JSON Lines, named .jsonl or not
    lines = "\n".join(json.dumps({"sku": f"S{i}", "name": f"Item {i}"}) for i in range(4))
    for name in ("items.jsonl", "items.json"):
        table = read_table((lines + "\n\n").encode(), name)
        assert table.frame["sku"].tolist() == ["S0", "S1", "S2", "S3"]
        assert table.warnings[0].startswith(f"{name} is JSON Lines: each line was read")
    # rows of cells under a header row; products keyed by their ids
    rows = json.dumps([["sku", "name"], ["A", "Kettle"], ["B", "Toaster"]])
    assert read_table(rows.encode(), "rows.json").frame.to_dict("list") == {
        "sku": ["A", "B"], "name": ["Kettle", "Toaster"]}
    keyed = json.dumps({"A": {"name": "Kettle"}, "B": {"name": "Toaster"}})
    assert read_table(keyed.encode(), "keyed.json").frame.to_dict("list") == {
        "key": ["A", "B"], "name": ["Kettle", "Toaster"]}
    nested = json.dumps({"data": {"catalog": {"items": [{"id": 1, "title": "Lamp"}]}}})
    table = read_table(nested.encode(), "api.json")
    assert table.frame.to_dict("list") == {"id": ["1"], "title": ["Lamp"]}
    assert '"data.catalog.items"' in table.warnings[0]


def test_a_price_object_of_a_shop_api_is_one_price_with_its_currency() -> None:
    """{"amount": "12.99", "currencyCode": "EUR"} was two columns (price.amount beside
    price.currency), so the price column held bare numbers of several currencies; and
    commercetools' centAmount was read as 1299 euros."""
    from core.lists.pricecheck import one_currency

    ct = {"type": "centPrecision", "currencyCode": "EUR", "centAmount": 1299, "fractionDigits": 2}
    doc = {"products": [
        {"id": 1, "title": "lamp", "price": {"amount": "12.99", "currencyCode": "EUR"},
         "masterVariant": {"prices": [{"value": ct, "country": "DE"}]}},
        {"id": 2, "title": "desk", "price": {"amount": 14.5, "currency": "EUR"},
         "masterVariant": {"prices": [{"value": {**ct, "centAmount": -5, "fractionDigits": 3}}]}},
        {"id": 3, "title": "chair", "price": {"amount": 1980, "currency_code": "JPY"},
         "masterVariant": {"prices": [{"value": {**ct, "centAmount": 1980, "fractionDigits": 0}}]}},
        {"id": 4, "title": "odd", "price": {"amount": "1", "currency": "USD", "note": "x"}}]}
    frame = read_table(json.dumps(doc).encode(), "products.json").frame
    assert frame["price"].tolist() == ["12.99 EUR", "14.5 EUR", "1980 JPY", ""]
    assert frame["masterVariant.prices.value"].tolist() == ["12.99 EUR", "-0.005 EUR",
                                                            "1980 EUR", ""]
    # an object with more than a price in it keeps its fields
    assert frame["price.note"].tolist()[-1] == "x" and frame["price.amount"].tolist()[-1] == "1"
    prices = one_currency(frame["price"][:3])
    assert prices[:2].tolist() == [12.99, 14.5] and pd.isna(prices[2])  # yen: not compared


def test_bad_json_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"bad\.json is not valid JSON \(Expecting ',' "
                                           r"delimiter at line 2, column 1\)"):
        read_table(b'[{"sku": "A", "name": "Lamp"}\n{"sku": "B"}]', "bad.json")
    with pytest.raises(CatalogError, match=r"lines\.jsonl: line 2 is not valid JSON"):
        read_table(b'{"sku": "A"}\n{"sku": \n{"sku": "C"}\n', "lines.jsonl")
    with pytest.raises(CatalogError, match=r"line 2 is not an object"):
        read_table(b'{"sku": "A"}\n[1, 2]\n', "lines.jsonl")
    with pytest.raises(CatalogError, match="a JSON list of values, not of products"):
        read_table(b'["Lamp", "Desk"]', "names.json")
    with pytest.raises(CatalogError, match="deeper than any catalog"):
        read_table(("[" * 100_000 + "]" * 100_000).encode(), "deep.json")
    # a document over the in-memory budget is refused; JSON Lines of that size stream
    lines = "\n".join(json.dumps({"sku": f"S{i}", "name": "x" * 50}) for i in range(100))
    with pytest.raises(CatalogError, match="over the 0 MB a JSON document may be"):
        feeds.read_json(json.dumps(json.loads(f"[{lines.replace(chr(10), ',')}]"),
                                   indent=1).encode(), "big.json", max_rows=1000,
                        max_document_bytes=100)
    frame, _, _ = feeds.read_json(lines.encode(), "big.jsonl", max_rows=1000,
                                  max_document_bytes=100)
    assert len(frame) == 100
    # a CSV saved under a .json name is read as the text it is, and said
    table = read_table(b"sku,name\nA,Lamp\nB,Desk\n", "export.json")
    assert table.warnings[0] == ("export.json is delimited text (CSV), not XML or JSON, "
                                 "despite its name; it was read as text")
    assert table.frame["name"].tolist() == ["Lamp", "Desk"]


def test_a_feed_through_the_cli(tmp_path: Path, tiny_bert_dir: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli import main

    path = tmp_path / "feed.txt"  # a feed downloaded under another name
    path.write_bytes(GOOGLE_RSS.encode())
    out = tmp_path / "lists.csv"
    assert main(["neighbors", str(path), "--model", str(tiny_bert_dir), "--out", str(out),
                 "--workspace", str(tmp_path / "ws"), "--k", "2",
                 "--relevance-floor", "0"]) == 0, capsys.readouterr().err
    assert "feed.txt is XML despite its name; it was read as a product feed" in \
        capsys.readouterr().err
    lists = pd.read_csv(out, dtype=str)
    assert set(lists["source_id"]) == {"00123", "00124", "00125"} and len(lists) == 6


def feeds_with_cells(cells: int, read):
    """read() with the feeds' cell budget set to `cells`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(feeds, "MAX_CELLS", cells)
        return read()
