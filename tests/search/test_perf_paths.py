"""Every fast path against its reference: tiled/int8 top-k, HNSW, ONNX encoder, UMAP reuse."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.config import Config
from core.embed.encoders import BertEncoder, token_batches
from core.pipeline import candidate_pool
from core.search import tiles as knn_tiles
from core.search.ann import ann_topk, sample_recall
from core.search.calibration import FUSED_ONLY
from core.search.dense import dense_search
from core.search.exact import brute_force_topk, topk
from core.search.index import NeighborIndex
from core.search.neighbors import METRICS, SearchCancelled, reporting
from core.search.settings import SearchSettings

needs_int8 = pytest.mark.skipif(not knn_tiles.int8_available(), reason="onnxruntime missing")


def _data(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x * rng.uniform(0.5, 2.0, (n, 1)).astype(np.float32)  # unequal norms (dot)


@needs_int8
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("method", ["fp32", "int8"])
@pytest.mark.parametrize("block", [37, 101, 1000])
def test_tiled_topk_equals_brute_force(metric, method, block):
    x = _data(311, 12, seed=block)
    ref = brute_force_topk(x, 7, metric=metric)
    got = topk(x, 7, metric=metric, method=method, block_size=block)
    np.testing.assert_array_equal(got.indices, ref.indices)
    np.testing.assert_allclose(got.scores, ref.scores, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.distances, ref.distances, rtol=1e-4, atol=1e-4)


@needs_int8
@pytest.mark.parametrize("n", [2, 3, 5])
def test_tiled_topk_tiny_and_k_above_n(n):
    x = _data(n, 4)
    got = topk(x, 10, method="int8", block_size=2)
    ref = brute_force_topk(x, 10)
    np.testing.assert_array_equal(got.indices, ref.indices)
    assert got.k == n - 1


@needs_int8
def test_int8_recall_on_minilm_sized_vectors():
    x = _data(4000, 384, seed=7)
    got = topk(x, 10, method="int8")
    assert sample_recall(x, got, sample=400) >= 0.999


@needs_int8
def test_cancel_stops_between_tiles_and_progress_reaches_total():
    x = _data(600, 8)
    seen = []
    topk(x, 5, method="int8", block_size=100, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] == 21  # 6 tiles -> 6 * 7 / 2 pairs
    with pytest.raises(SearchCancelled):
        topk(x, 5, method="int8", block_size=100, cancel=lambda: True)
    with pytest.raises(SearchCancelled):
        topk(x, 5, method="blocked", block_size=100, cancel=lambda: True)


def test_reporting_hooks_reach_neighbor_search():
    x = _data(300, 8)
    calls = []
    with reporting(progress=lambda d, t: calls.append(d)):
        dense_search(x, 5, index="exact")
    assert calls
    with reporting(cancel=lambda: True), pytest.raises(SearchCancelled):
        dense_search(x, 5, index="exact")


@pytest.mark.parametrize("metric", METRICS)
def test_hnsw_recall_on_a_seeded_clustered_set(metric):
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((60, 24)).astype(np.float32)
    x = centres[rng.integers(0, 60, 3000)] + 0.5 * rng.standard_normal((3000, 24)).astype(
        np.float32)
    got = ann_topk(x, 10, metric=metric)
    assert got.indices.shape == (3000, 10)
    assert (got.indices != np.arange(3000)[:, None]).all()
    assert np.all(np.diff(got.scores, axis=1) <= 1e-6)
    assert sample_recall(x, got, sample=300) >= 0.98


def test_neighbor_search_index_choice_and_candidate_pool():
    x = _data(2500, 16)
    exact = dense_search(x, 5, index="exact")
    np.testing.assert_array_equal(exact.indices, topk(x, 5, method="blocked").indices)
    cfg = Config(index="approximate", k=5)  # plain meaning order: what the index is judged on
    plain = NeighborIndex.build(None, x, replace(SearchSettings.from_config(cfg),
                                                 calibration=FUSED_ONLY))
    approx = candidate_pool(None, x, cfg, pool_k=5, index=plain)
    assert sample_recall(x, approx, sample=200) >= 0.95
    with pytest.raises(ValueError):
        dense_search(x, 5, index="fast")


def test_token_batches_respect_rows_and_budget():
    lengths = np.array([300, 120, 60, 60, 20, 20, 20, 5, 5, 1])
    parts = token_batches(lengths, 4, token_budget=240)
    assert [i for p in parts for i in range(p.start, p.stop)] == list(range(10))
    for p in parts:
        rows = p.stop - p.start
        assert rows <= 4 and (rows == 1 or rows * lengths[p.start] <= 240)


TEXTS = ["red shoe", "blue cup for tea", "usb cable pack", "", "black desk lamp " * 9,
         "green phone case with pen", "tea", "手机红色"] * 9


def test_onnx_encoder_matches_fp32(tiny_bert_dir, tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path))
    fp32 = BertEncoder(tiny_bert_dir, precision="fp32", batch_size=5).encode(TEXTS)
    onnx = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=5)
    got = onnx.encode(TEXTS)  # the model, and its ONNX export, load on the first texts
    assert onnx.precision == "onnx" and any(tmp_path.rglob("*.onnx"))
    assert got.shape == fp32.shape and got.dtype == np.float32
    assert (got * fp32).sum(1).min() >= 0.9999
    assert onnx.encode([]).shape == (0, onnx.dim)


@pytest.mark.parametrize("engine", ["onnx", "torch"])
def test_auto_on_a_cpu_takes_the_faster_engine_for_its_processor(engine, tiny_bert_dir, tmp_path,
                                                                 monkeypatch):
    """Where ONNX Runtime is the faster engine (core.embed.cpu.auto_engine): it, exported once.
    Elsewhere torch fp32, no export made. The same vectors and store identity either way."""
    pytest.importorskip("onnxruntime")
    from core.embed import bert

    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path))
    monkeypatch.setattr(bert, "auto_engine", lambda: engine)
    via_torch = engine == "torch"
    fp32 = BertEncoder(tiny_bert_dir, precision="fp32", batch_size=5)
    auto = BertEncoder(tiny_bert_dir, precision="auto", batch_size=5)
    got = auto.encode(TEXTS)
    assert auto.precision == ("fp32" if via_torch else "onnx")
    assert any(tmp_path.rglob("*.onnx")) is not via_torch
    assert (got * fp32.encode(TEXTS)).sum(1).min() >= 0.9999
    assert auto.identity == fp32.identity == BertEncoder(tiny_bert_dir, precision="onnx").identity


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["onnx", "bf16"])
def test_real_model_fast_precisions_keep_cosine(precision, tmp_path, monkeypatch):
    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path))
    ref = BertEncoder(precision="fp32").encode(TEXTS[:16])
    got = BertEncoder(precision=precision).encode(TEXTS[:16])
    assert (got * ref).sum(1).min() >= 0.999


def test_projection_reuses_the_graph(monkeypatch):
    from core import projection

    x = _data(400, 8)
    nb = topk(x, 20)

    def no_search(*args, **kwargs):
        raise AssertionError("the graph must be reused, not recomputed")

    monkeypatch.setattr(projection, "topk", no_search)
    p = projection.project(x, neighbors=nb, n_neighbors=15)
    assert p.coords.shape == (400, 2) and p.method == "umap"
    assert projection.layout_options(100_000, 1)["n_epochs"] == 100
    assert "random_state" in projection.layout_options(1000, 1)
