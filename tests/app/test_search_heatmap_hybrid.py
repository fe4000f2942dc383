"""Search and Heatmap pages use the hybrid scoring of the neighbours page and the CLI.

The tiny random BERT stands in for the model: its dense scores carry no
meaning, so a query that names a model number only reaches its product
through the lexical channel -- which is what these tests check.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.heatmap_view import cell_caption
from core.catalog.table import ColumnMapping, build_catalog
from core.config import Config
from core.quality.threshold import match_scores, scoring_space
from core.search.index import NeighborIndex
from core.search.lexical import build_index, pair_scores
from core.search.subset import default_cell, lexical_matrix, match_matrix
from tests.conftest import element_texts, running_app

pytestmark = pytest.mark.app
# a model number in one demo title only (row 42, id "42"), and not that row's model number
# column ("mdrex35lp/vb"): only the words channel finds it
MODEL_QUERY = "mdrex35lp"


@pytest.fixture(scope="module")
def app(tiny_bert_dir, tmp_path_factory):
    """One app for the module (the demo catalog embedded once), its own workspace."""
    with running_app(tiny_bert_dir, tmp_path_factory.mktemp("search_heatmap_ws")) as at:
        yield at


def _set_weight(app: AppTest, weight: float) -> None:
    app.slider(key="settings.hybrid_weight").set_value(weight).run()
    assert not app.exception, app.exception


def _heatmap_z(app: AppTest) -> np.ndarray:
    """The z matrix of the page's heatmap (plotly ships arrays as typed base64)."""
    z = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["z"]
    if isinstance(z, dict):
        flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        return flat.reshape([int(x) for x in str(z["shape"]).split(",")]).astype(np.float64)
    return np.asarray(z, dtype=np.float64)


def test_search_ranks_a_model_number_first_only_with_hybrid(app):
    app.switch_page("pages/search.py").run()
    _set_weight(app, 0.55)
    app.text_input(key="search.query").input(MODEL_QUERY).run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert table["id"].iloc[0] == "42"
    assert "meaning part" not in table.columns  # the parts only on request
    app.toggle(key="search.parts").set_value(True).run()
    table = app.dataframe[0].value
    assert {"score", "meaning part", "shared words part"} <= set(table.columns)
    assert table["shared words part"].iloc[0] > 0 and table["score"].is_monotonic_decreasing
    assert "55% words" in element_texts(app.caption)
    _set_weight(app, 0.0)  # dense only: the random model does not find it
    table = app.dataframe[0].value
    assert table["id"].iloc[0] != "42" and "shared words part" not in table.columns
    assert "meaning only" in element_texts(app.caption)
    _set_weight(app, 0.55)


def test_search_finds_a_product_by_its_model_number_column_even_on_meaning_only(app):
    """"pc509" is the Stanley inverter's model number (the demo's modelno column), not in
    its title: neither words nor meaning found it, though the placeholder offers "or a
    model number". It comes first now, scored 1, and the page says why."""
    app.switch_page("pages/search.py").run()
    for weight in (0.55, 0.0):
        _set_weight(app, weight)
        app.text_input(key="search.query").input("PC-509").run()
        assert not app.exception, app.exception
        table = app.dataframe[0].value
        assert table["id"].iloc[0] == "13" and table["score"].iloc[0] == 1.0, table.head(3)
        assert table["score"].iloc[1] < 1.0
        assert "The product with the model number “pc509” comes first" in \
            element_texts(app.caption)
    _set_weight(app, 0.55)
    app.text_input(key="search.query").input("500 watt inverter").run()
    assert "comes first" not in element_texts(app.caption)  # "500" is not a model number


def test_a_search_result_opens_its_neighbour_list(app):
    """A product found on Search had no way on to its own list: the Neighbours page opened
    on its first product, and the finder had to be typed again."""
    app.switch_page("pages/search.py").run()
    app.text_input(key="search.query").input("PC-509").run()
    assert app.selectbox(key="search.open_row").value == 13  # the first result
    app.button(key="search.to_neighbors").click().run()
    assert not app.exception, app.exception
    assert app.selectbox(key="neighbors.product").value == 13
    assert app.text_input(key="neighbors.find").value == "13"
    assert "13 — stanley 500 watt power inverter" in element_texts(app.markdown)


def test_heatmap_search_source_is_hybrid_and_cells_are_match_scores(app):
    app.switch_page("pages/heatmap.py").run()
    _set_weight(app, 0.55)
    app.radio(key="heatmap.source_choice").set_value("A search result").run()
    app.text_input(key="heatmap.query").input(MODEL_QUERY + " headphone").run()
    assert not app.exception, app.exception
    assert app.radio(key="heatmap.cells").value == "match"
    z = _heatmap_z(app)
    assert z.shape == (50, 50)
    np.testing.assert_allclose(z, z.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(z), 1.0)
    assert z.min() >= 0 and z.max() <= 1
    assert "the duplicate score" in element_texts(app.caption)
    heat = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]
    assert "%{y}" in heat["hovertemplate"]  # hover shows the row and column labels
    assert any(MODEL_QUERY in str(label) for label in heat["y"])
    app.radio(key="heatmap.cells").set_value("lexical").run()
    assert not app.exception, app.exception
    z = _heatmap_z(app)
    assert z.min() >= 0 and z.max() <= 1 + 1e-6
    assert "BM25" in element_texts(app.caption)
    app.radio(key="heatmap.cells").set_value("dense").run()
    assert "cosine" in element_texts(app.caption)


def test_match_and_lexical_matrices_against_pair_oracles(rng):
    texts = [" ".join(rng.choice(["a1b2", "usb", "cable", "kdl-40", "red", ""], size=3))
             for _ in range(30)]
    texts[3] = ""
    vectors = rng.normal(size=(30, 8)).astype(np.float32)
    index = build_index(texts)
    cat = build_catalog(pd.DataFrame({"title": texts}), ColumnMapping(text_columns=("title",)))
    space = scoring_space(cat, vectors, Config(hybrid_weight=0.5))
    rows = [7, 3, 0, 29, 12]
    got = match_matrix(space, rows)
    for a, i in enumerate(rows):
        for b, j in enumerate(rows):
            want = 1.0 if i == j else match_scores(space, [i], [j]).match[0]
            assert got[a, b] == pytest.approx(want, abs=1e-6)
    lex = lexical_matrix(index, rows)
    dense_lex = (index.unit @ index.unit.T).toarray()[np.ix_(rows, rows)]
    np.testing.assert_allclose(lex, dense_lex, atol=1e-6)
    assert lex[1, 1] == 0.0  # empty text: no tokens, no self match
    assert pair_scores(index, [0], [0])[0] == pytest.approx(1.0, abs=1e-6)


def test_cell_defaults_and_captions():
    assert default_cell(True) == "match" and default_cell(False) == "match"  # lists score both
    vectors = np.eye(3, dtype=np.float32)
    words = build_index(["usb cable", "hdmi cable", "desk lamp"])
    fused = NeighborIndex.from_parts(vectors, words, hybrid_weight=0.55, metric="cosine")
    meaning = NeighborIndex.from_parts(vectors, None, hybrid_weight=0.0, metric="dot")
    assert "45% meaning" in cell_caption("match", fused)
    assert "dot" in cell_caption("dense", meaning)
