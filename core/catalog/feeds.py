"""Product feeds: XML (Google Shopping RSS / Atom, Yandex YML, any repeated record
element, Excel's "XML Spreadsheet 2003") and JSON (an array of products, a shop API's
``{"products": [...]}``, JSON Lines).

Many shops have no CSV at hand but do have the feed they send to Google Merchant Center
or a marketplace (``feed.xml``), an "Excel XML" export from an older shop backend, or
their shop API's JSON. These read as one row per product:

- XML: the record element is found from the shape of the first 16 MB (the element
  whose occurrences hold the most fields: ``item`` of an RSS feed, ``entry`` of Atom,
  ``offer`` of YML, ``product`` of a plain export); each field inside it is a column
  named by its tag without namespace prefix (``g:price`` -> ``price``; nested fields
  joined by dots: ``shipping.price``), the record's attributes are columns too, a
  ``<param name="Colour">red</param>`` is a column "Colour", a value's currency or unit
  attribute is read with it (``<price currency="EUR">12.99</price>``: "12.99 EUR"; other
  attributes of a value are left out), a field that repeats
  (``additional_image_link``) holds its values joined by "; ". The XML streams through
  expat with handlers (no tree is kept), a document type that declares entities (how XML
  bombs grow) is refused, and rows and columns are counted as they come.
- XML Spreadsheet 2003 (``<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">``):
  read as a workbook sheet (the sheet with the most rows; its header found as in .xlsx).
- JSON: the largest list of objects (at the top or up to three levels in), or one row
  per line (JSON Lines); nested objects become dotted columns, a list of values is
  joined by "; ", a list of objects (a product's variants or images) gives its first
  object's fields (``variants.price``, ``images.src``), a price object
  (``{"amount": "12.99", "currencyCode": "EUR"}``, or commercetools' ``centAmount`` with
  its ``fractionDigits``) one cell "12.99 EUR". Whole numbers are written
  without ".0", true/false as written, null as empty. A JSON document is held in memory
  while it is read, so it is bounded like a workbook's unpacked XML
  (``$CATSIM_MAX_XLSX_MB``); JSON Lines stream line by line.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from xml.parsers import expat

import pandas as pd

from core.catalog.checks import HEADER_SCAN_ROWS
from core.catalog.ods import largest_sheet
from core.catalog.textenc import decode_text
from core.catalog.xlsx import DEFAULT_MAX_CELLS, SheetData, budgeted_rows, header_of
from core.errors import CatalogError, short_list

MAX_COLUMNS = 1_000  # distinct fields of a feed; a real feed has tens
MAX_CELLS = DEFAULT_MAX_CELLS  # products x fields, as a workbook's budget (memory: the table)
MAX_DEPTH = 64  # nesting of XML elements
MAX_PATHS = 100_000  # distinct element paths of an XML file
MAX_CATEGORIES = 100_000  # a YML feed's named categories kept
# the prefix of an XML feed its record element is found from (a YML feed lists its category
# tree before the offers: tens of thousands of categories fit; about 1.5 s to read)
SHAPE_CHARS = 16_000_000
_CHUNK = 1 << 20
_JOIN = "; "
_SPREADSHEET = "urn:schemas-microsoft-com:office:spreadsheet"
_XML_START = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<\?.*?\?>\s*)*"
                        r"(?:<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)?(?:<!--.*?-->\s*)*"
                        r"<[A-Za-z_][\w.\-]*(?::[\w.\-]+)?[\s/>]", re.DOTALL)
_DECLARED = re.compile(r"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_JSON_START = re.compile(r"\A\s*(?:\{\s*(?:\"|\})|\[\s*(?:[\{\[\"\]\d\-]|true|false|null))")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


# ---------------------------------------------------------------- what the bytes are

def feed_kind(data: bytes) -> str | None:
    """"xml" or "json" when the bytes start as one (after a BOM and blanks), else None."""
    head = _head_text(data[:8192])
    if _XML_START.match(head):
        return "xml"
    if _JSON_START.match(head):
        return "json"
    return None


def _head_text(head: bytes) -> str:
    """The start of a file as text, enough to tell its kind (bytes that do not decode are
    left out: the start may cut a character in two)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    if b"\x00" in head[:64]:  # UTF-16 without a BOM: its ASCII letters
        head = head.replace(b"\x00", b"")
    return head.decode("latin-1")


def _decoded(data: bytes, name: str, declared: str | None) -> tuple[str, str]:
    """(text, encoding): a BOM or no declared encoding, as any text file is read
    (textenc.decode_text); else the declared encoding (UTF-8 bytes under a template's
    single-byte declaration read as UTF-8), detection when the bytes belie it."""
    if not declared or data.startswith(tuple(bom for bom, _ in _BOMS)):
        return decode_text(data, name)
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise CatalogError(f"{name} declares the encoding '{declared}', which is not one "
                           "this reader knows; save the feed as UTF-8") from None
    if codec != "utf-8":  # a template's declaration over UTF-8 bytes
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not text.isascii():
                return text, "utf-8"
    try:
        return data.decode(declared), declared.lower()
    except UnicodeDecodeError:  # declared wrongly (a cp1252 feed that says UTF-8)
        return decode_text(data, name)


# ---------------------------------------------------------------------------- XML

class _Shape:
    """Pass 1 over a prefix: for each element path, how many fields its occurrences hold
    (leaf children and attributes), so the record element can be chosen."""

    def __init__(self) -> None:
        self.stack: list[list] = []  # [path, element children, leaf fields]
        self.fields: Counter = Counter()
        self.root: str | None = None

    def start(self, tag: str, attrs: dict) -> None:
        if not self.stack:
            self.root = tag
        if len(self.stack) >= MAX_DEPTH:
            raise _TooDeep
        path = (self.stack[-1][0] + (tag,)) if self.stack else (tag,)
        if self.stack:
            self.stack[-1][1] += 1
        self.stack.append([path, 0, len(attrs)])

    def end(self, tag: str) -> None:
        path, children, fields = self.stack.pop()
        if children == 0 and self.stack:
            self.stack[-1][2] += 1  # a leaf: a field of its parent
        if fields:
            self.fields[path] += fields
            if len(self.fields) > MAX_PATHS:
                raise _TooManyPaths

    def record_path(self) -> tuple[str, ...] | None:
        """The path whose occurrences hold the most fields (the shallower on a tie)."""
        if not self.fields:
            return None
        return max(self.fields, key=lambda p: (self.fields[p], -len(p)))


class _TooDeep(Exception):
    pass


class _TooManyPaths(Exception):
    pass


class _Records:
    """Pass 2: one dict of column -> text per record element."""

    def __init__(self, record: tuple[str, ...], name: str, max_rows: int) -> None:
        self.record, self.name, self.max_rows = record, name, max_rows
        self.path: list[str] = []
        self.frames: list[dict] | None = None  # open elements inside the record
        self.rows: list[dict[str, str]] = []
        self.columns: dict[str, None] = {}
        # a YML feed's category tree outside the offers: {id: (name, parent id)}
        self.categories: dict[str, tuple[str, str]] = {}
        self._category: tuple[str, str, list[str]] | None = None

    def start(self, tag: str, attrs: dict) -> None:
        self.path.append(tag)
        if self.frames is None:
            if tuple(self.path) == self.record:
                self.frames = [_frame((), attrs)]
            elif _local(tag) == "category" and attrs.get("id"):
                self._category = (attrs["id"].strip(), attrs.get("parentId", "").strip(), [])
            return
        parent = self.frames[-1]
        parent["children"] += 1
        self.frames.append(_frame(parent["key"] + (_local(tag),), attrs))

    def text(self, data: str) -> None:
        if self._category is not None:
            self._category[2].append(data)
        elif self.frames:
            frame = self.frames[-1]
            frame["text"].append(data)
            if not frame["direct"] and data.strip():
                frame["direct"] = True

    def end(self, tag: str) -> None:
        self.path.pop()
        if self.frames is None:
            if self._category is not None:
                at, parent, text = self._category
                if len(self.categories) < MAX_CATEGORIES:
                    self.categories[at] = (" ".join("".join(text).split()), parent)
                self._category = None
            return
        frame = self.frames.pop()
        full = "".join(frame["text"])
        if self.frames:  # a field inside the record
            parent = self.frames[-1]
            parent["text"].append(full)
            parent["fields"].extend(_fields(frame, full))
            return
        row: dict[str, str] = {}
        for attribute, value in frame["attrs"].items():
            _put(row, _local(attribute), value)
        if frame["children"] == 0 and full.strip():
            _put(row, _local(tag), full.strip())
        for key, value in frame["fields"]:
            _put(row, ".".join(key), value)
        self.frames = None
        if not any(v.strip() for v in row.values()):
            return
        _count_row(self.name, row, self.rows, self.columns, self.max_rows)


def _count_row(name: str, row: dict[str, str], rows: list[dict[str, str]],
               columns: dict[str, None], max_rows: int) -> None:
    """Keep a product's fields within the row, column and cell budgets (the table is
    products x fields: sparse fields across many products grow it as fast as rows do)."""
    if len(rows) >= max_rows:
        raise CatalogError(f"{name} has more than {max_rows:,} products, the limit; split the "
                           "file or raise $CATSIM_MAX_ROWS")
    for column in row:
        if column not in columns:
            if len(columns) >= MAX_COLUMNS:
                raise CatalogError(f"{name} has more than {MAX_COLUMNS:,} different fields per "
                                   "product; export the catalog as CSV with the columns you "
                                   "need")
            columns[column] = None
    if (len(rows) + 1) * len(columns) > MAX_CELLS:
        raise CatalogError(f"{name} has more than {MAX_CELLS:,} table cells, the limit; export "
                           "it as CSV or drop columns the catalog does not need")
    rows.append(row)


def _table(rows: list[dict[str, str]], columns: dict[str, None]) -> pd.DataFrame:
    """The products as a table of text, every column in first-seen order ("" where a
    product lacks the field)."""
    names = list(columns)
    return pd.DataFrame([[r.get(c, "") for c in names] for r in rows], columns=names,
                        dtype=str)


def _frame(key: tuple[str, ...], attrs: dict) -> dict:
    return {"key": key, "attrs": attrs, "text": [], "children": 0, "direct": False,
            "fields": []}


def _fields(frame: dict, full: str) -> list[tuple[tuple[str, ...], str]]:
    """What an element inside a record gives its record: its text when it is a leaf or has
    text of its own (mixed content: an XHTML description), else its own fields."""
    key, attrs = frame["key"], {_local(k): v for k, v in frame["attrs"].items()}
    if frame["children"] and not frame["direct"]:
        return frame["fields"]
    text = " ".join(full.split()) if frame["children"] else full.strip()
    named = attrs.get("name")
    if named and named.strip() and text:  # <param name="Colour">red</param>
        return [((*key[:-1], " ".join(named.split())[:100]), text)]
    if not text and attrs:  # <link href="..."/>, <image url="..."/>
        return [((*key, a), v) for a, v in attrs.items()]
    units = [" ".join(v.split()) for a, v in attrs.items() if a.lower() in _UNIT_ATTRIBUTES]
    if text and units:  # <price currency="EUR">12.99</price>: "12.99 EUR", as Google writes it
        text = " ".join([text, *(u for u in units if u and u not in text)])
    return [(key, text)]


# Attributes that say what a value is counted in: read with it (<price currency="EUR">12.99
# </price> is "12.99 EUR", so prices in two currencies are not compared; <weight unit="kg">)
_UNIT_ATTRIBUTES = frozenset({"currency", "currencyid", "currency_id", "currencycode",
                              "unit", "units", "uom", "unitcode"})


def _put(row: dict[str, str], column: str, value: str) -> None:
    """A field that repeats keeps each distinct value, joined by '; '."""
    value = value.strip()
    old = row.get(column)
    if old is None or not old:
        row[column] = value
    elif value and value not in old.split(_JOIN):
        row[column] = old + _JOIN + value


def _local(tag: str) -> str:
    """A tag without its namespace (expat gives 'uri local')."""
    return tag.rsplit(" ", 1)[-1]


def _parser(name: str) -> expat.XMLParserType:
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args) -> None:
        raise CatalogError(f"{name} declares entities in a document type, which no product "
                           "feed needs (it is how XML bombs grow); export the feed again")

    parser.EntityDeclHandler = refuse
    return parser


def _run(text: str, name: str, handler, limit: int | None = None) -> bool:
    """Feed the text (or its first ``limit`` characters) to a fresh parser with the
    handler's start / end / text methods; True when the whole text was read."""
    parser = _parser(name)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    if hasattr(handler, "text"):
        parser.CharacterDataHandler = handler.text
    end = len(text) if limit is None else min(len(text), limit)
    try:
        for at in range(0, end, _CHUNK):
            parser.Parse(text[at:min(at + _CHUNK, end)], False)
        if end == len(text):
            parser.Parse("", True)
            return True
        return False
    except expat.ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset + 1}"
        what = expat.ErrorString(exc.code)
        hint = ("an HTML name such as &nbsp; is not XML: write &#160; or the character "
                "itself" if exc.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]
                else "fix that line or export the feed again")
        raise CatalogError(f"{name} is not well-formed XML ({what} at {where}); {hint}"
                           ) from None
    except _TooDeep:
        raise CatalogError(f"{name} nests its elements deeper than any product feed (more "
                           f"than {MAX_DEPTH} levels); export the catalog as CSV") from None
    except _TooManyPaths:
        raise CatalogError(f"{name} has more kinds of elements than any product feed (more "
                           f"than {MAX_PATHS:,}); export the catalog as CSV") from None


def read_xml(data: bytes, name: str, *, max_rows: int,
             sheet: str | None = None) -> tuple[pd.DataFrame | SheetData, str, list[str]]:
    """(frame of text columns, or an XML Spreadsheet's SheetData; encoding; warnings)."""
    declared = _DECLARED.match(_head_text(data[:1024]))
    text, encoding = _decoded(data, name, declared.group(1) if declared else None)
    shape = _Shape()
    whole = _run(text, name, shape, limit=SHAPE_CHARS)
    if shape.root == f"{_SPREADSHEET} Workbook":
        return _spreadsheet(text, name, sheet, max_rows), encoding, []
    record = shape.record_path()
    if record is None and not whole:
        shape = _Shape()
        _run(text, name, shape)
        record = shape.record_path()
    if record is None:
        raise CatalogError(f"{name} is XML without product fields (no element holds "
                           "fields or attributes); export the catalog as CSV or a product "
                           "feed")
    records = _Records(record, name, max_rows)
    _run(text, name, records)
    frame = _table(records.rows, records.columns)
    _category_names(frame, records.categories)
    tag = _local(record[-1])
    warnings = [f"{name} is an XML feed: each <{tag}> element was read as a product "
                f"({len(frame):,} of them), its fields as columns"]
    return frame, encoding, warnings


def _category_names(frame: pd.DataFrame, tree: dict[str, tuple[str, str]]) -> None:
    """A YML feed's offers name their category by number (categoryId 2) and the feed's
    <categories> name the numbers: a column "category" gets the names, from the top of the
    tree ("Shoes > Sneakers"), where every filled categoryId is named."""
    column = next((c for c in frame.columns if c.lower() == "categoryid"), None)
    if column is None or not tree or "category" in frame.columns:
        return
    ids = frame[column].str.strip()
    if not ids.ne("").any() or not ids[ids.ne("")].isin(tree.keys()).all():
        return
    paths: dict[str, str] = {}
    for at in ids.unique():
        names, seen, step = [], set(), at
        while step in tree and step not in seen and len(names) < 20:
            seen.add(step)
            names.append(tree[step][0])
            step = tree[step][1]
        paths[at] = " > ".join(reversed([n for n in names if n]))
    frame.insert(list(frame.columns).index(column) + 1, "category", ids.map(paths).fillna(""))


class _Sheets:
    """XML Spreadsheet 2003: each Worksheet's rows (cells as text, ss:Index gaps and
    ss:MergeAcross spans as empty cells), only the wanted sheet's rows kept."""

    def __init__(self, wanted: str | None, max_width: int = 16_384) -> None:
        self.wanted, self.max_width = wanted, max_width
        self.sizes: dict[str, int] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.cell_saved: list[str] | None = None
        self.span = 0
        self.keep = False

    def start(self, tag: str, attrs: dict) -> None:
        local = _local(tag)
        if local == "Worksheet":
            self.current = attrs.get(f"{_SPREADSHEET} Name") or f"Sheet{len(self.sizes) + 1}"
            self.sizes[self.current] = 0
            self.keep = self.wanted is None or self.current == self.wanted
            self.rows.setdefault(self.current, [])
        elif local == "Row" and self.current is not None:
            self.row = []  # a Row's ss:Index numbers rows: blank rows need no place
        elif local == "Cell" and self.row is not None:
            self._skip_to(attrs)
            self.cell = []
            self.span = _whole(attrs.get(f"{_SPREADSHEET} MergeAcross"), 0)
        elif local == "Comment":
            self.cell_saved, self.cell = self.cell, None

    def _skip_to(self, attrs: dict) -> None:
        index = _whole(attrs.get(f"{_SPREADSHEET} Index"), 0)
        if self.row is not None and index > len(self.row) + 1 and self.cell is None:
            self.row.extend([""] * (min(index, self.max_width) - 1 - len(self.row)))

    def text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "Cell" and self.row is not None and self.cell is not None:
            if len(self.row) < self.max_width:
                self.row.append("".join(self.cell).strip())
                self.row.extend([""] * min(self.span, self.max_width - len(self.row)))
            self.cell = None
        elif local == "Comment":
            self.cell, self.cell_saved = self.cell_saved, None
        elif local == "Row" and self.row is not None:
            if any(v for v in self.row):
                self.sizes[self.current] += 1
            if self.keep:
                self.rows[self.current].append(self.row)
            self.row = None
        elif local == "Worksheet":
            if self.wanted is None and self.current is not None:
                best = largest_sheet(self.sizes)  # keep only the largest sheet's rows so far
                for other in list(self.rows):
                    if other != best:
                        self.rows[other] = []
            self.current = None


def _whole(value: str | None, default: int) -> int:
    try:
        return max(0, int(value)) if value is not None else default
    except ValueError:
        return default


def _spreadsheet(text: str, name: str, sheet: str | None, max_rows: int) -> SheetData:
    sheets = _Sheets(sheet)
    _run(text, name, sheets)
    names = tuple(sheets.sizes)
    if not names:
        raise CatalogError(f"{name} is an XML spreadsheet without a worksheet; export the "
                           "catalog again")
    chosen = sheet if sheet is not None else largest_sheet(sheets.sizes)
    if chosen not in names:
        raise CatalogError(f"Sheet '{chosen}' is not in {name}; sheets: {short_list(names)}")
    rows = sheets.rows[chosen]
    at, first, width = header_of(rows[:HEADER_SCAN_ROWS])
    where = f"Sheet '{chosen}' of {name}"
    if width == 0:
        return SheetData([], [], names, chosen, 0, at + 1)
    kept = budgeted_rows(([*r[:width]] for r in rows[at + 1:]), width, where, max_rows,
                         DEFAULT_MAX_CELLS)
    header = (first + [""] * width)[:width]
    return SheetData(header, kept, names, chosen, max(0, len(first) - width), at + 1)


# ---------------------------------------------------------------------------- JSON

def read_json(data: bytes, name: str, *, max_rows: int,
              max_document_bytes: int) -> tuple[pd.DataFrame, str, list[str]]:
    """(frame of text columns, encoding, warnings) from JSON or JSON Lines."""
    text, encoding = _decoded(data, name, None)
    document, lines = None, False
    if len(data) > max_document_bytes:
        if not _first_line_object(text):
            raise CatalogError(
                f"{name} is a JSON document of {len(data) / 1e6:,.0f} MB, over the "
                f"{max_document_bytes / 1e6:,.0f} MB a JSON document may be (it is read "
                "whole); write it as JSON Lines (one product per line), export CSV, or raise "
                "$CATSIM_MAX_XLSX_MB")
        lines = True
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data" or not _first_line_object(text):
                raise CatalogError(f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}, "
                                   f"column {exc.colno}); fix that line or export the catalog "
                                   "again") from None
            lines = True
        except RecursionError:
            raise CatalogError(f"{name} nests values deeper than any catalog; export the "
                               "catalog as CSV") from None
    if lines:
        records, where = _json_lines(text, name), "lines"
    else:
        records, where = _json_records(document, name)
    columns: dict[str, None] = {}
    rows: list[dict[str, str]] = []
    for record in records:
        row: dict[str, str] = {}
        _flatten(record, "", row, 0)
        if not any(v.strip() for v in row.values()):
            continue
        _count_row(name, row, rows, columns, max_rows)
    frame = _table(rows, columns)
    warnings = [_json_said(name, where, len(frame))]
    return frame, encoding, warnings


def _json_said(name: str, where: str, n: int) -> str:
    """How a JSON file was read, in words."""
    if where == "lines":
        return (f"{name} is JSON Lines: each line was read as a product ({n:,} of them), its "
                "fields as columns")
    if where == "list":
        return (f"{name} is JSON: each object of its list was read as a product ({n:,} of "
                "them), its fields as columns")
    if where == "entries":
        return (f"{name} is JSON: each entry of its object was read as a product ({n:,} of "
                "them), its fields as columns")
    if where == "object":
        return f"{name} is JSON holding one object: it was read as one product"
    return (f"{name} is JSON: each object of \"{where}\" was read as a product ({n:,} of "
            "them), its fields as columns")


def _first_line_object(text: str) -> bool:
    """Whether the first non-blank line is a whole JSON object (JSON Lines)."""
    for line in io.StringIO(text):
        if line.strip():
            try:
                return isinstance(json.loads(line), dict)
            except (json.JSONDecodeError, RecursionError):
                return False
    return False


def _json_lines(text: str, name: str) -> Iterator[dict]:
    for number, line in enumerate(io.StringIO(text), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{name}: line {number} is not valid JSON ({exc.msg}, column "
                               f"{exc.colno}); fix that line") from None
        except RecursionError:
            raise CatalogError(f"{name}: line {number} nests values deeper than any "
                               "catalog; export the catalog as CSV") from None
        if not isinstance(value, dict):
            raise CatalogError(f"{name}: line {number} is not an object ({{...}}); each line "
                               "of JSON Lines must be one product")
        yield value


def _json_records(document: object, name: str) -> tuple[list, str]:
    """The products of a JSON document and where they were found (in words)."""
    if isinstance(document, list):
        found = _records_of(document)
        if found is None:
            raise CatalogError(f"{name} is a JSON list of values, not of products (objects "
                               "with fields); export the catalog as CSV or as a list of "
                               "objects")
        return found, "list"
    if not isinstance(document, dict):
        raise CatalogError(f"{name} is JSON holding a single value, not products (objects "
                           "with fields); export the catalog as CSV or as a list of objects")
    best: tuple[int, list, str] | None = None
    queue: list[tuple[object, str, int]] = [(document, "", 0)]
    while queue:  # the largest list of objects up to three levels in
        value, at, level = queue.pop(0)
        if not isinstance(value, dict) or level > 3:
            continue
        for key, inner in value.items():
            where = f"{at}.{key}" if at else str(key)
            if isinstance(inner, list):
                found = _records_of(inner)
                if found is not None and (best is None or len(found) > best[0]):
                    best = (len(found), found, where)
            elif isinstance(inner, dict):
                queue.append((inner, where, level + 1))
    if best is not None:
        return best[1], best[2]
    values = list(document.values())
    if len(values) >= 2 and all(isinstance(v, dict) for v in values):  # {"SKU1": {...}}
        return [{"key": k, **v} for k, v in document.items()], "entries"
    return [document], "object"


def _records_of(items: list) -> list | None:
    """A list's products: its objects; a list of lists with a header row as objects."""
    if not items:
        return []
    objects = [v for v in items if isinstance(v, dict)]
    if len(objects) >= 0.9 * len(items):
        return objects
    if all(isinstance(v, list) for v in items) and items[0] and \
            all(isinstance(v, str) for v in items[0]):
        header = [str(h) for h in items[0]]
        return [dict(zip(header, row)) for row in items[1:]]
    return None


def _flatten(value: object, prefix: str, row: dict[str, str], level: int) -> None:
    if isinstance(value, dict):
        money = _money(value) if prefix else None
        if money is not None:  # {"amount": "12.99", "currencyCode": "EUR"}: one price
            row[prefix] = money
            return
        if level >= 4 and prefix:  # deeper than anyone maps: the object as text
            row[prefix] = json.dumps(value, ensure_ascii=False)[:10_000]
            return
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), row, level + 1)
        return
    if isinstance(value, list):
        objects = [v for v in value if isinstance(v, dict)]
        if objects:  # variants, images: the first one
            _flatten(objects[0], prefix, row, level)
            return
        row[prefix] = _JOIN.join(t for t in (_scalar(v) for v in value) if t)
        return
    row[prefix] = _scalar(value)


# A price as a shop API writes it: an amount (or an amount in cents) and its currency,
# nothing else but the cents' number of decimals and the kind of precision
_AMOUNT = frozenset({"amount", "value"})
_CENTS = frozenset({"centamount", "cents", "amount_cents", "amountincents"})
_CURRENCY = frozenset({"currency", "currencycode", "currency_code", "currencyid"})
_MONEY_OTHER = frozenset({"fractiondigits", "fraction_digits", "type"})


def _money(value: dict) -> str | None:
    """"12.99 EUR" of a price object ({"amount": "12.99", "currencyCode": "EUR"}; commercetools'
    {"centAmount": 1299, "currencyCode": "EUR", "fractionDigits": 2} in cents), else None."""
    keys = {str(k).lower(): v for k, v in value.items()}
    if not keys.keys() <= _AMOUNT | _CENTS | _CURRENCY | _MONEY_OTHER:
        return None
    currency = next((keys[k] for k in _CURRENCY if k in keys), None)
    amount = next((keys[k] for k in _AMOUNT if k in keys), None)
    cents = next((keys[k] for k in _CENTS if k in keys), None)
    if not isinstance(currency, str) or (amount is None) == (cents is None):
        return None
    if cents is not None:
        digits = keys.get("fractiondigits", keys.get("fraction_digits", 2))
        if not (isinstance(cents, int) and not isinstance(cents, bool)
                and isinstance(digits, int) and 0 <= digits <= 8):
            return None
        sign, whole = "-" if cents < 0 else "", abs(cents)
        number = f"{sign}{whole // 10 ** digits}" + (
            f".{whole % 10 ** digits:0{digits}d}" if digits else "")
    elif isinstance(amount, (str, int, float)) and not isinstance(amount, bool):
        number = _scalar(amount).strip()
    else:
        return None
    return f"{number} {currency.strip()}".strip()


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)[:10_000]
    return str(value)


__all__ = ["MAX_COLUMNS", "feed_kind", "read_json", "read_xml"]
