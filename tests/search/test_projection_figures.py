"""UMAP/PCA projection and the plotly figures, tested by their data."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core import projection
from core.figures import (
    MAX_COLOR_GROUPS,
    MAX_HEATMAP_ITEMS,
    build_heatmap,
    build_map,
    cluster_order,
    safe_label,
)
from core.projection import MIN_UMAP_ROWS, Projection, project, sample_rows
from core.search.exact import pairwise_scores, topk


def _points(n: int = 40, d: int = 8) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)


def _no_topk(*args, **kwargs):
    raise AssertionError("topk was recomputed instead of reusing the given neighbours")


# --- projection ----------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [2, 3])
def test_project_umap_shapes(dim: int) -> None:
    p = project(_points(), dim=dim)
    assert isinstance(p, Projection)
    assert p.method == "umap"
    assert p.coords.shape == (40, dim) and p.coords.dtype == np.float32
    assert np.isfinite(p.coords).all()
    np.testing.assert_array_equal(p.rows, np.arange(40))
    assert p.total == 40 and not p.sampled


def test_project_reuses_given_neighbors(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _points()
    nb = topk(x, 20)
    monkeypatch.setattr(projection, "topk", _no_topk)
    p = project(x, neighbors=nb, n_neighbors=15)
    assert p.coords.shape == (40, 2) and np.isfinite(p.coords).all()
    with pytest.raises(AssertionError, match="recomputed"):
        project(x, n_neighbors=15)  # without neighbours the graph must be computed


def test_project_recomputes_a_graph_that_is_too_shallow(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _points()
    calls: list[int] = []
    real_topk = projection.topk

    def counting_topk(vectors, k, **kw):
        calls.append(k)
        return real_topk(vectors, k, **kw)

    monkeypatch.setattr(projection, "topk", counting_topk)
    p = project(x, neighbors=topk(x, 3), n_neighbors=15)
    assert calls == [14]
    assert np.isfinite(p.coords).all()


@pytest.mark.parametrize("n", [1, 2, 3, MIN_UMAP_ROWS - 1])
@pytest.mark.parametrize("dim", [2, 3])
def test_small_catalogs_use_pca(n: int, dim: int) -> None:
    p = project(_points(n), dim=dim)
    assert p.method == "pca"
    assert p.coords.shape == (n, dim) and np.isfinite(p.coords).all()
    if n == 1:
        np.testing.assert_array_equal(p.coords, 0.0)
    else:
        assert np.abs(p.coords[:, 0]).max() > 0


def test_pca_of_identical_rows_is_finite() -> None:
    p = project(np.ones((5, 4), np.float32))
    assert p.method == "pca" and np.isfinite(p.coords).all()


def test_sampling_with_max_points() -> None:
    x = _points(40)
    p = project(x, max_points=10)
    assert p.sampled and p.total == 40 and p.method == "pca"
    assert p.coords.shape == (10, 2)
    assert np.all(np.diff(p.rows) > 0), "rows must be sorted and unique"
    assert p.rows.min() >= 0 and p.rows.max() < 40
    np.testing.assert_array_equal(project(x, max_points=10).rows, p.rows)  # seeded


def test_sampling_then_umap_on_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _points(40)
    nb = topk(x, 20)
    p = project(x, neighbors=nb, max_points=20, n_neighbors=5)  # nb covers 40 rows, not 20
    assert p.method == "umap" and p.sampled
    assert p.coords.shape == (20, 2) and np.isfinite(p.coords).all()
    assert len(np.unique(p.rows)) == 20 and np.all(np.diff(p.rows) > 0)


def test_sample_rows() -> None:
    np.testing.assert_array_equal(sample_rows(5, 10), np.arange(5))
    rows = sample_rows(1000, 37, seed=3)
    assert rows.dtype == np.int64 and len(rows) == 37
    assert np.all(np.diff(rows) > 0) and rows.max() < 1000
    np.testing.assert_array_equal(rows, sample_rows(1000, 37, seed=3))
    assert not np.array_equal(rows, sample_rows(1000, 37, seed=4))


def test_project_refuses_other_dims() -> None:
    with pytest.raises(ValueError, match="dim must be 2 or 3"):
        project(_points(), dim=4)


# --- heatmap -------------------------------------------------------------------------------

def _two_blocks(m: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Scores where even rows form one clear block and odd rows another."""
    group = np.arange(m) % 2
    rng = np.random.default_rng(0)
    noise = rng.uniform(0.0, 0.05, size=(m, m))
    scores = np.where(group[:, None] == group[None, :], 0.9, 0.1) + (noise + noise.T) / 2
    np.fill_diagonal(scores, 1.0)
    return scores.astype(np.float32), group


def test_heatmap_is_capped() -> None:
    assert MAX_HEATMAP_ITEMS == 300
    m = MAX_HEATMAP_ITEMS + 1
    with pytest.raises(ValueError, match="capped at 300 items, got 301"):
        build_heatmap(np.eye(m, dtype=np.float32), [str(i) for i in range(m)])


def test_heatmap_orders_by_clustering_so_blocks_stay_contiguous() -> None:
    scores, group = _two_blocks(10)
    order = cluster_order(scores)
    assert sorted(order.tolist()) == list(range(10))
    ordered_groups = group[order]
    assert np.count_nonzero(np.diff(ordered_groups)) == 1, ordered_groups
    fig = build_heatmap(scores, [f"item {i}" for i in range(10)])
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap)
    np.testing.assert_array_equal(np.asarray(heat.z), scores[np.ix_(order, order)])
    assert list(heat.x) == [f"{j + 1}. item {i}" for j, i in enumerate(order)]
    assert list(heat.y) == list(heat.x)


def test_heatmap_unordered_keeps_input_order() -> None:
    scores, _ = _two_blocks(6)
    fig = build_heatmap(scores, list("abcdef"), ordered=False, metric="dot")
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), scores)
    assert fig.data[0].colorbar.title.text == "dot"


@pytest.mark.parametrize("m", [1, 2, 3])
def test_heatmap_tiny(m: int) -> None:
    scores = pairwise_scores(_points(m))
    fig = build_heatmap(scores, [f"p{i}" for i in range(m)])
    assert np.asarray(fig.data[0].z).shape == (m, m)


def test_heatmap_hover_labels_are_escaped() -> None:
    labels = ["<script>alert(1)</script>", "a & b", "plain"]
    fig = build_heatmap(pairwise_scores(_points(3)), labels, ordered=False)
    assert list(fig.data[0].y) == ["1. &lt;script&gt;alert(1)&lt;/script&gt;", "2. a &amp; b",
                                   "3. plain"]
    assert "%{y}" in fig.data[0].hovertemplate and "%{x}" in fig.data[0].hovertemplate
    assert "<script>" not in fig.to_json()
    assert all("<script>" not in t for t in fig.layout.yaxis.ticktext)


def test_heatmap_of_300_items_is_light_and_readable() -> None:
    """Hover text comes from the axes (2m strings), not per cell (m^2): the figure of
    300 long titles stays small; at most 40 rows labelled, columns by number."""
    m = MAX_HEATMAP_ITEMS
    labels = [f"product {i} " + "with a long descriptive title " * 4 for i in range(m)]
    fig = build_heatmap(pairwise_scores(_points(m)), labels)
    assert fig.data[0].customdata is None
    assert len(fig.to_json()) < 2_000_000
    ticks = list(fig.layout.yaxis.ticktext)
    assert len(ticks) <= 40 and all(len(t) <= 48 for t in ticks)
    columns = list(fig.layout.xaxis.ticktext)  # numbers only, few enough not to overlap
    assert 10 <= len(columns) <= 15 and all(c.isdigit() for c in columns)
    assert fig.layout.xaxis.tickangle == 0


def test_heatmap_label_cut_never_splits_an_escape() -> None:
    fig = build_heatmap(np.eye(2, dtype=np.float32), ["&" * 60, "b"], ordered=False)
    assert fig.layout.yaxis.ticktext[0].endswith("&amp;…")


def test_safe_label_truncates_before_escaping() -> None:
    assert safe_label("x" * 100, 10) == "x" * 9 + "…"
    assert safe_label("<b>" * 10, 4) == "&lt;b&gt;…"
    assert safe_label(3.5) == "3.5"


# --- map -----------------------------------------------------------------------------------

def test_map_2d_uses_webgl_scatter() -> None:
    coords = _points(12, 2)
    fig = build_map(coords, [f"p{i}" for i in range(12)], ids=[f"id{i}" for i in range(12)])
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert isinstance(trace, go.Scattergl)
    np.testing.assert_allclose(np.asarray(trace.x), coords[:, 0])
    assert list(trace.customdata) == [f"id{i}" for i in range(12)]
    assert fig.layout.dragmode == "lasso"


def test_map_3d_uses_scatter3d() -> None:
    coords = _points(12, 3)
    fig = build_map(coords, [f"p{i}" for i in range(12)])
    assert [type(t) for t in fig.data] == [go.Scatter3d]
    np.testing.assert_allclose(np.asarray(fig.data[0].z), coords[:, 2])
    assert list(fig.data[0].customdata) == [str(i) for i in range(12)]


def test_map_category_colour_makes_one_trace_per_value() -> None:
    colors = ["shoes", "tea", "shoes", "home", "tea", "shoes"]
    fig = build_map(_points(6, 2), [f"p{i}" for i in range(6)], color=colors,
                    color_name="category", ids=[f"id{i}" for i in range(6)])
    assert [t.name for t in fig.data] == ["home", "shoes", "tea"]
    members = {t.name: list(t.customdata) for t in fig.data}
    assert members == {"home": ["id3"], "shoes": ["id0", "id2", "id5"], "tea": ["id1", "id4"]}
    assert fig.layout.legend.title.text == "category"


def test_map_category_traces_are_capped() -> None:
    m = 60
    colors = [f"cat{i % 30:02d}" for i in range(m)]
    fig = build_map(_points(m, 2), [str(i) for i in range(m)], color=colors)
    assert len(fig.data) == MAX_COLOR_GROUPS
    assert fig.data[-1].name == "(other)"
    assert sum(len(t.x) for t in fig.data) == m


def test_map_categories_get_distinct_colours_and_other_is_grey() -> None:
    m = 60
    colors = [f"cat{i % 30:02d}" for i in range(m)]
    fig = build_map(_points(m, 2), [str(i) for i in range(m)], color=colors)
    named = [t.marker.color for t in fig.data if t.name != "(other)"]
    assert len(named) == MAX_COLOR_GROUPS - 1 and len(set(named)) == len(named)
    assert fig.data[-1].marker.color == "#C8C8C8" and "#C8C8C8" not in named
    assert not fig.layout.xaxis.showticklabels and not fig.layout.xaxis.showgrid


def test_map_numeric_colour_gives_a_colorscale() -> None:
    m = 40
    prices = [f"${v:.2f}" for v in np.random.default_rng(0).uniform(1, 100, m)]
    fig = build_map(_points(m, 2), [str(i) for i in range(m)], color=prices, color_name="price")
    assert len(fig.data) == 1
    marker = fig.data[0].marker
    assert marker.colorscale is not None and marker.showscale
    np.testing.assert_allclose(np.asarray(marker.color), [float(p[1:]) for p in prices])


def test_map_hover_labels_are_escaped() -> None:
    fig = build_map(_points(2, 2), ["<img src=x onerror=alert(1)>", "ok"],
                    color=["<b>bold</b>", "x"])
    assert "<img" not in fig.to_json() and "<b>bold" not in fig.to_json()
    texts = [t for trace in fig.data for t in trace.text]
    assert "&lt;img src=x onerror=alert(1)&gt;" in texts


def test_the_first_map_of_a_process_is_expected_to_take_longer(monkeypatch) -> None:
    """The first map a server process draws also loads UMAP's compiled code (6.4 s against
    1.0 s after, for 2,554 rows): its progress bar expects that once, not after."""
    monkeypatch.setattr(projection, "_drawn", False)
    first = projection.expected_seconds(2554)
    assert first == pytest.approx(3.0 + 2.554 + projection.FIRST_MAP_SECONDS)
    assert project(_points(60), dim=2).method == "umap"
    assert projection.expected_seconds(2554) == pytest.approx(first - projection.FIRST_MAP_SECONDS)
