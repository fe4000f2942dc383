"""Hypothesis property tests (derandomised, so CI is repeatable).

- The catalog reader, on arbitrary bytes under any file name, returns a table
  or raises the project's own CatalogError; nothing else escapes.
- The export sanitiser leaves no formula-like cell in CSV or XLSX, keeps plain
  numbers and numeric columns exactly, and CSV rows survive a round trip.
- Blocked top-k equals a float64 brute force written here, for every metric,
  block size and k.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.catalog.table import build_catalog, field_defaults, read_table
from core.errors import CatalogError
from core.export.tables import excel_safe, to_bytes
from core.search.exact import topk
from core.search.neighbors import METRICS

FUZZ = settings(derandomize=True, deadline=None, max_examples=200,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXTENSIONS = ("data.csv", "data.tsv", "data.txt", "book.xlsx", "table.parquet", "noext",
              "feed.xml", "items.json", "data.csv.gz")
MAGIC = (b"", b"PK\x03\x04", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"%PDF",
         b"\x89PNG", b"id,title\n", b"<?xml version='1.0'?><r>", b"<rss><channel><item>",
         b'{"products": [', b'[{"a": ', b"\x1f\x8b\x08\x00")


def _read_and_map(data: bytes, name: str) -> None:
    """read_table then the automatic mapping: only CatalogError may escape."""
    try:
        table = read_table(data, name, max_rows=500)
    except CatalogError as exc:
        assert str(exc).strip()
        return
    assert len(table.frame) > 0
    try:
        mapping = field_defaults(table.frame)
        build_catalog(table, mapping, on_duplicate_ids="suffix")
    except CatalogError:
        pass


@FUZZ
@given(prefix=st.sampled_from(MAGIC), body=st.binary(max_size=3000),
       name=st.sampled_from(EXTENSIONS))
def test_reader_on_arbitrary_bytes_raises_only_catalog_error(prefix: bytes, body: bytes,
                                                             name: str) -> None:
    _read_and_map(prefix + body, name)


_CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_KEY = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _CELL,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEY, inner, max_size=4),
    max_leaves=30)


@FUZZ
@given(value=_JSON, lines=st.booleans())
def test_reader_on_any_json_raises_only_catalog_error(value, lines: bool) -> None:
    import json

    if lines and isinstance(value, list):
        data = "\n".join(json.dumps(v) for v in value).encode()
    else:
        data = json.dumps(value).encode()
    _read_and_map(data, "fuzz.json")


_TAG = st.sampled_from(["item", "product", "g:id", "title", "price", "offer", "param", "a"])


@st.composite
def _xml(draw, depth: int = 0) -> str:
    tag = draw(_TAG)
    attrs = "".join(f' {k}="{v}"' for k, v in draw(st.dictionaries(
        st.sampled_from(["id", "name", "href", "x"]), _CELL.map(_escaped), max_size=2)).items())
    if depth >= 3 or draw(st.booleans()):
        return f"<{tag}{attrs}>{_escaped(draw(_CELL))}</{tag}>"
    children = "".join(draw(_xml(depth + 1)) for _ in range(draw(st.integers(0, 4))))
    return f"<{tag}{attrs}>{children}</{tag}>"


def _escaped(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text, {'"': "&quot;"})


@FUZZ
@given(body=_xml(), namespaced=st.booleans())
def test_reader_on_any_xml_raises_only_catalog_error(body: str, namespaced: bool) -> None:
    ns = ' xmlns:g="http://base.google.com/ns/1.0"' if namespaced else ""
    _read_and_map(f'<?xml version="1.0"?><feed{ns}>{body}</feed>'.encode(), "fuzz.xml")


@FUZZ
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=5), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       quote_some=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252",
                                 "latin-1"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_reader_on_csv_like_text_raises_only_catalog_error(rows, delimiter, quote_some,
                                                           encoding, newline) -> None:
    lines = []
    for row in rows:
        cells = [f'"{c}"' if quote_some and i % 2 else c for i, c in enumerate(row)]
        lines.append(delimiter.join(cells))
    data = newline.join(lines).encode(encoding, errors="replace")
    _read_and_map(data, "fuzz.csv")


def _plain_number(text: str) -> bool:
    """Independent of core.export.tables: does float() read it, written in plain ASCII digits?"""
    s = text.strip()
    if not s or not s.isascii() or any(c.isalpha() and c not in "eE" for c in s):
        return False
    try:
        return math.isfinite(float(s))
    except ValueError:
        return False


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _plain_number(value)


_TEXT = st.one_of(
    st.text(max_size=20),
    st.builds(lambda a, b: a + b, st.sampled_from(FORMULA_START), st.text(max_size=15)),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-10**6, 10**6).map(str),
)


@FUZZ
@given(texts=st.lists(_TEXT, min_size=1, max_size=12),
       numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64),
                        min_size=1, max_size=12),
       header=_TEXT)
def test_sanitiser_leaves_no_formula_and_keeps_numbers(texts, numbers, header) -> None:
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"source_id": texts[:n], "score": numbers[:n], "h": texts[:n][::-1]})
    frame = frame.rename(columns={"h": header}) if header not in ("source_id", "score") else frame
    safe = excel_safe(frame)
    cells = [*map(str, safe.columns), *safe["source_id"].tolist()]
    assert not [c for c in cells if _formula_like(c)]
    assert safe["score"].tolist() == frame["score"].tolist()  # numeric column untouched
    for before, after in zip(frame["source_id"], safe["source_id"]):
        assert after == before or after == "'" + before
        if _plain_number(before):
            assert after == before


@FUZZ
@given(texts=st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",),
                                                     exclude_characters="\x00"), max_size=15),
                      min_size=1, max_size=10),
       numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1,
                        max_size=10))
def test_csv_export_round_trips_rows_and_numbers(texts, numbers) -> None:
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"source_id": texts[:n], "score": numbers[:n]})
    back = pd.read_csv(io.BytesIO(to_bytes(frame, "csv")), dtype={"source_id": str},
                       keep_default_na=False)
    assert len(back) == n  # no cell broke a row in two
    assert back["score"].tolist() == frame["score"].tolist()
    assert not [c for c in back["source_id"] if _formula_like(c)]


@settings(derandomize=True, deadline=None, max_examples=40,
          suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_TEXT, min_size=1, max_size=6))
def test_xlsx_export_has_no_formula_cells(texts) -> None:
    from openpyxl import load_workbook

    frame = pd.DataFrame({"source_id": texts, "score": np.linspace(-1, 1, len(texts))})
    sheet = load_workbook(io.BytesIO(to_bytes(frame, "xlsx"))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not _formula_like(cell.value)


def _brute_scores(corpus: np.ndarray, metric: str) -> np.ndarray:
    """(n, n) float64 similarity, higher = more similar, self = -inf."""
    c = corpus.astype(np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(c, axis=1, keepdims=True)
        c = np.divide(c, norms, out=np.zeros_like(c), where=norms > 0)
    if metric in ("cosine", "dot"):
        raw = c @ c.T
    elif metric == "euclidean":
        raw = -np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    else:
        raw = -np.abs(c[:, None, :] - c[None, :, :]).sum(-1)
    np.fill_diagonal(raw, -np.inf)
    return raw


@settings(derandomize=True, deadline=None, max_examples=60,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), metric=st.sampled_from(METRICS))
def test_topk_equals_brute_force(data, metric: str) -> None:
    n = data.draw(st.integers(2, 40), label="n")
    d = data.draw(st.integers(1, 12), label="d")
    corpus = data.draw(arrays(np.float32, (n, d), elements=st.floats(
        -4, 4, width=32, allow_subnormal=False)), label="corpus")
    if metric == "cosine":
        assume(bool((np.linalg.norm(corpus, axis=1) > 1e-3).all()))
    k = data.draw(st.integers(1, n + 2), label="k")
    block = data.draw(st.sampled_from([None, 1, 3, 7]), label="block_size")
    nb = topk(corpus, k, metric=metric, block_size=block)
    brute = _brute_scores(corpus, metric)
    kk = min(k, n - 1)
    assert nb.indices.shape == (n, kk)
    expected = -np.sort(-brute, axis=1)[:, :kk]
    got = np.take_along_axis(brute, nb.indices, 1)  # true scores of what topk returned
    scale = max(1.0, float(np.abs(brute[np.isfinite(brute)]).max(initial=1.0)))
    assert (nb.indices != np.arange(n)[:, None]).all(), "a product is its own neighbour"
    np.testing.assert_allclose(got, expected, atol=1e-4 * scale)
    for row in nb.indices:
        assert len(set(row.tolist())) == len(row)


def test_hypothesis_is_pinned_in_requirements_dev() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "requirements-dev.txt").read_text()
    assert any(line.startswith("hypothesis==") for line in text.splitlines())


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
