"""core.search.fusion and the NeighborIndex: fusion against a full-matrix oracle,
scale-freeness, pipeline/CLI wiring."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.config import Config
from core.errors import ConfigError
from core.search.calibration import FUSED_ONLY
from core.search.channels import DenseChannel, LexicalChannel, pair_dense
from core.search.exact import topk
from core.search.fusion import Anchors, fuse, pair_fused, parse_field_weights, relative
from core.search.index import NeighborIndex, hybrid_topk
from core.search.lexical import build_index, lexical_topk

WORDS = [f"w{i}" for i in range(15)] + ["kdl-40v4100", "ps3", "32gb"]


def _data(rng, n=17, d=8):
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(1, 5))) for _ in range(n)]
    return rng.normal(size=(n, d)).astype(np.float32), texts


def _oracle(vectors, texts, k, weight, queries=None, qtexts=None):
    """Fused top-k over the full score matrices (pools = everything)."""
    index = build_index(texts)
    self_mode = queries is None
    q = vectors if self_mode else queries
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    cn = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = qn @ cn.T
    qu = index.unit if self_mode else index.unit_vectors(qtexts)
    lex = (qu @ index.unit.T).toarray()
    if self_mode:
        np.fill_diagonal(dense, -np.inf)
        np.fill_diagonal(lex, -np.inf)

    def anchors(s):  # ceiling 1 (cosine, lexical cosine); floor: the last of the pool
        srt = -np.sort(-s, axis=1)
        srt = srt[:, : s.shape[1] - (1 if self_mode else 0)]
        return np.ones(len(s), dtype=np.float32), srt[:, -1]

    (dt, dfl), (lt, lfl) = anchors(dense), anchors(lex)
    a = Anchors({"dense": dt, "lexical": lt}, {"dense": dfl, "lexical": lfl}, np.zeros(len(q)))
    parts = {"dense": np.where(np.isinf(dense), 0, dense), "lexical": np.where(np.isinf(lex), 0, lex)}
    fused = fuse(parts, a, {"dense": 1.0 - weight, "lexical": weight})
    if self_mode:
        np.fill_diagonal(fused, -np.inf)
    cols = np.arange(fused.shape[1])
    order = np.array([np.lexsort((cols, -row))[:k] for row in fused])
    return order, np.take_along_axis(fused, order, 1)


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.55, 1.0])
def test_matches_full_matrix_oracle_when_pools_cover_the_catalog(rng, weight):
    vectors, texts = _data(rng)
    nb = hybrid_topk(vectors, build_index(texts), 6, weight=weight, depth=100, calibration=FUSED_ONLY)
    order, vals = _oracle(vectors, texts, 6, weight)
    np.testing.assert_allclose(nb.fused, vals, atol=1e-5)
    np.testing.assert_array_equal(nb.indices, order)


def test_query_set_against_a_corpus(rng):
    vectors, texts = _data(rng, n=21)
    queries, qtexts = _data(rng, n=5)
    nb = hybrid_topk(vectors, build_index(texts), 4, weight=0.5, queries=queries,
                     query_texts=qtexts, calibration=FUSED_ONLY)
    order, vals = _oracle(vectors, texts, 4, 0.5, queries=queries, qtexts=qtexts)
    np.testing.assert_array_equal(nb.indices, order)
    np.testing.assert_allclose(nb.fused, vals, atol=1e-5)


def test_a_score_of_one_means_the_same_text_not_just_the_best_candidate(rng):
    """Ceiling anchors: a product's twin (same vector, same title) scores 1, while the
    best neighbour of a product without a twin stays clearly below 1."""
    vectors, texts = _data(rng, n=30)
    vectors[7], texts[7] = vectors[3], texts[3]
    nb = hybrid_topk(vectors, build_index(texts), 3, weight=0.7, calibration=FUSED_ONLY)
    assert nb.indices[3, 0] == 7 and nb.scores[3, 0] == pytest.approx(1.0, abs=1e-5)
    assert nb.fused[3, 0] == pytest.approx(1.0, abs=1e-5)
    others = np.setdiff1d(np.arange(30), [3, 7])
    assert nb.fused[others, 0].max() < 0.95
    assert (nb.anchors.top["dense"] == 1).all() and (nb.anchors.top["lexical"] == 1).all()


def test_candidates_come_only_from_the_two_pools(rng):
    vectors, texts = _data(rng, n=40)
    index = build_index(texts)
    nb = hybrid_topk(vectors, index, 8, weight=0.5, depth=5, calibration=FUSED_ONLY)
    dense, lexical = topk(vectors, 5), lexical_topk(index, 5)
    for r in range(40):
        assert set(nb.indices[r]) <= set(dense.indices[r]) | set(lexical.indices[r])
        assert r not in nb.indices[r]


def test_extreme_weights_reproduce_each_channel(rng):
    vectors, texts = _data(rng, n=30)
    index = build_index(texts)
    np.testing.assert_array_equal(hybrid_topk(vectors, index, 7, weight=0.0, calibration=FUSED_ONLY).indices,
                                  topk(vectors, 7).indices)
    np.testing.assert_array_equal(hybrid_topk(vectors, index, 7, weight=1.0, calibration=FUSED_ONLY).indices,
                                  lexical_topk(index, 7).indices)


def test_fusion_is_scale_free(rng):
    vectors, texts = _data(rng, n=25)
    index = build_index(texts)
    a = hybrid_topk(vectors, index, 6, weight=0.4, metric="dot", calibration=FUSED_ONLY)
    b = hybrid_topk(vectors * 7.0, index, 6, weight=0.4, metric="dot", calibration=FUSED_ONLY)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-5)


def test_pair_fused_agrees_with_the_lists_and_match_is_bounded(rng):
    vectors, texts = _data(rng, n=20)
    index = build_index(texts)
    nb = hybrid_topk(vectors, index, 3, weight=0.5, calibration=FUSED_ONLY)
    left = np.repeat(np.arange(20), 3)
    channels = [DenseChannel(vectors), LexicalChannel(index)]
    fused, parts = pair_fused(channels, [0.5, 0.5], left, nb.indices.ravel(), nb.anchors)
    np.testing.assert_allclose(fused, nb.fused.ravel(), atol=1e-5)
    np.testing.assert_allclose(parts["dense"], nb.parts["dense"].ravel(), atol=1e-5)
    rel = relative(fused, nb.anchors.best[left])
    assert rel.max() <= 1.0 and rel.reshape(20, 3)[:, 0].min() == pytest.approx(1.0)


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean", "manhattan"])
def test_pair_dense_matches_topk_scores(rng, metric):
    vectors, _ = _data(rng, n=9)
    nb = topk(vectors, 3, metric=metric)
    got = pair_dense(np.repeat(vectors, 3, axis=0), vectors[nb.indices.ravel()], metric)
    np.testing.assert_allclose(got, nb.scores.ravel(), rtol=1e-4, atol=1e-5)


def test_tiny_catalogs(rng):
    for n in (2, 3):
        vectors, texts = _data(rng, n=n)
        nb = hybrid_topk(vectors, build_index(texts), 10, weight=0.5, calibration=FUSED_ONLY)
        assert nb.indices.shape == (n, n - 1)
    with pytest.raises(ConfigError):
        hybrid_topk(vectors, None, 1, weight=0.5)


def test_parse_field_weights():
    assert parse_field_weights("title=1, brand=0.5,") == {"title": 1.0, "brand": 0.5}
    assert parse_field_weights("") == {}
    for bad in ("title", "title=abc", "brand=-1", "=2"):
        with pytest.raises(ConfigError):
            parse_field_weights(bad)


def test_config_validates_quality_fields():
    cfg = Config(field_weights={"title": 1, "brand": 0.5}, duplicate_threshold=0.9,
                 category_thresholds={"tv": 0.8})
    assert Config.from_dict(cfg.to_dict()) == cfg
    assert 0 < Config().hybrid_weight < 1
    for bad in ({"hybrid_weight": 1.5}, {"field_weights": {"a": -1}},
                {"duplicate_threshold": 1.2}, {"category_thresholds": {"x": "y"}}):
        with pytest.raises(ConfigError):
            Config(**bad)


def test_config_refuses_field_weights_that_are_not_finite():
    # A settings file may hold Infinity or NaN (Python's JSON reads them): the flag
    # refused them, the file let them through to NaN word scores (a numpy warning, and
    # lists silently ordered by meaning alone) or to "Every field weight is 0".
    for text in ('{"field_weights": {"title": Infinity, "brand": 1}}',
                 '{"field_weights": {"title": NaN}}'):
        with pytest.raises(ConfigError, match=r"field_weights\['title'\] must be a number"):
            Config.from_dict(json.loads(text))


def test_config_refuses_a_text_column_named_twice():
    # --text-cols title,title embedded "red shirt | red shirt" and counted its words twice
    with pytest.raises(ConfigError, match="text_columns names 'title' twice"):
        Config(text_columns=("title", "brand", "title"))


def test_pipeline_pool_and_search_are_hybrid(tiny_encoder, catalog_csv):
    from core.catalog.table import read_table
    from core.pipeline import candidate_pool, catalog_from_config, search
    from core.search.fusion import HybridNeighbors

    cfg = Config(text_columns=("title",), id_column="id", hybrid_weight=0.5)
    cat, _ = catalog_from_config(read_table(catalog_csv), cfg)
    vectors = tiny_encoder.encode(cat.texts)
    pool = candidate_pool(cat, vectors, cfg)
    assert isinstance(pool, HybridNeighbors) and pool.k == len(cat) - 1
    dense = candidate_pool(cat, vectors, cfg.with_changes(hybrid_weight=0.0))
    assert set(dense.parts) == {"dense"}  # meaning only: no words channel in the fusion
    words_only = NeighborIndex.build(cat, vectors, cfg.with_changes(hybrid_weight=1.0))
    assert words_only.names == ("lexical",) and words_only.fused
    hits = search("oak desk chair", tiny_encoder, words_only, k=3, ids=cat.ids)
    assert hits[0].product_id == "P8" and set(hits[0].parts) == {"lexical"}


def test_cli_hybrid_options_replay(catalog_csv, tmp_path, workspace, tiny_bert_dir, capsys):
    import pandas as pd

    from core.cli import main

    out = tmp_path / "nb.csv"
    args = [str(catalog_csv), "--out", str(out), "--model", str(tiny_bert_dir),
            "--text-cols", "title", "--k", "3", "--hybrid-weight", "1",
            "--field-weights", "title=1,brand=0.5"]
    assert main(["neighbors", *args]) == 0
    frame = pd.read_csv(out, dtype=str)
    p1 = frame[frame.source_id == "P1"]
    assert p1.neighbor_id.iloc[0] == "P2"  # "running shoe" + brand acme, lexically
    assert main(["neighbors", *args[:-1], "title=oops"]) == 2
    assert "Field weight" in capsys.readouterr().err
