"""Figures and groups of the exploring pages on degenerate catalogs (all texts the same,
few products, lists that recommend nobody), tested by their data."""

from __future__ import annotations

import numpy as np
import pytest

from core.figures import build_heatmap, build_map
from core.lists.groups import cluster_labels, product_groups
from core.lists.health import in_degree_figure, list_health, top_hubs
from core.projection import project
from core.search.neighbors import Neighbors


def _nb(rows: list[list[int]]) -> Neighbors:
    idx = np.array(rows, dtype=np.int64)
    scores = np.where(idx >= 0, 0.5, 0.0).astype(np.float32)
    return Neighbors(indices=idx, scores=scores, distances=1 - scores, metric="cosine")


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", ["match", "lexical", "cosine"])
def test_heatmap_colours_run_from_0_to_1_whatever_the_scores(kind: str) -> None:
    """All products the same: every cell 1.0; the colour bar ran from 0.5 to 1.5 (scores
    above 1 on a scale said to run from 0 to 1), and a heatmap of middling scores painted its
    lowest one as dark as 0."""
    same = build_heatmap(np.ones((4, 4), np.float32), list("abcd"), metric=kind)
    assert (same.data[0].zmin, same.data[0].zmax) == (0.0, 1.0)
    middling = np.full((3, 3), 0.4, np.float32)
    np.fill_diagonal(middling, 1.0)
    fig = build_heatmap(middling, list("abc"), metric=kind)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0.0, 1.0)


def test_heatmap_scale_widens_for_scores_outside_0_to_1() -> None:
    scores = np.array([[1.0, -0.2], [-0.2, 1.0]], np.float32)  # cosine can go below 0
    fig = build_heatmap(scores, ["a", "b"], metric="cosine")
    assert fig.data[0].zmin == pytest.approx(-0.2) and fig.data[0].zmax == 1.0


@pytest.mark.parametrize("method", ["agglomerative", "hdbscan"])
def test_identical_products_make_one_group(method: str) -> None:
    """30 products with the same text were cut into groups of 16 and 14 with the same name."""
    vectors = np.tile(_unit(np.random.default_rng(0).standard_normal((1, 8))), (30, 1))
    labels = cluster_labels(vectors, method=method, size=15)
    assert set(labels.tolist()) == {0}
    groups = product_groups(vectors, ["usb cable"] * 30, method=method, size=15)
    assert groups.n_groups == 1 and groups.table()["size"].tolist() == [30]


def test_groups_never_outnumber_the_distinct_products() -> None:
    """Three distinct texts, ten copies each, size 2 asks for 15 groups: 3 groups of 10."""
    base = _unit(np.random.default_rng(0).standard_normal((3, 8)))
    vectors = np.repeat(base, 10, axis=0)
    labels = cluster_labels(vectors, method="agglomerative", size=2)
    assert sorted(np.bincount(labels).tolist()) == [10, 10, 10]
    for g in range(3):  # each group is one text's copies
        assert len(set(labels[g * 10:(g + 1) * 10].tolist())) == 1


def test_map_puts_identical_products_on_one_spot() -> None:
    """UMAP scattered 30 copies of one text across the whole map."""
    vectors = np.tile(_unit(np.random.default_rng(0).standard_normal((1, 8))), (30, 1))
    p = project(vectors, dim=2)
    assert p.coords.shape == (30, 2) and np.isfinite(p.coords).all()
    assert np.ptp(p.coords, axis=0).max() == pytest.approx(0.0)


def test_hubs_leave_out_products_in_nobody_s_list() -> None:
    """'Recommended most often' listed a product that appears in 0 lists."""
    h = list_health(_nb([[1], [0], [0]]), k=1)  # in-degrees 2, 1, 0
    hubs = top_hubs(np.array(list("abc"), dtype=object), list("ABC"), h)
    assert hubs["product_id"].tolist() == ["a", "b"]
    none = list_health(_nb([[-1]]), k=1)
    assert top_hubs(np.array(["a"], dtype=object), ["A"], none).empty


def test_in_degree_figure_ticks_whole_numbers_on_small_counts() -> None:
    """Two products: the axes read 0, 0, 0, 1, 1, 1 (ticks at 0.2 steps printed as integers)."""
    h = list_health(_nb([[1], [0]]), k=1)
    fig = in_degree_figure(h, h)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.yaxis.dtick == 1
    big = list_health(_nb([[j for j in range(50) if j != i][:10] for i in range(50)]), k=10)
    wide = in_degree_figure(big, big)  # many products: plotly's own tick spacing
    assert wide.layout.yaxis.dtick is None


@pytest.mark.parametrize(("m", "most"), [(21, 21), (99, 40), (100, 15), (300, 15)])
def test_heatmap_column_numbers_do_not_overlap(m: int, most: int) -> None:
    """300 items: 38 three-digit column numbers ran together ("105113121129...")."""
    fig = build_heatmap(np.eye(m, dtype=np.float32), [f"p{i}" for i in range(m)], ordered=False)
    columns = list(fig.layout.xaxis.ticktext)
    assert columns[0] == "1" and len(columns) <= most
    assert len(columns) >= min(m, 10)
    assert list(fig.layout.xaxis.tickvals) == [f"{c}. p{int(c) - 1}" for c in columns]


def test_map_of_one_category_still_shows_its_colour_key() -> None:
    """A one-category catalog coloured by category showed no legend (plotly hides the legend
    of a lone trace), so nothing said what the colour was."""
    coords = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    fig = build_map(coords, list("abcde"), color=["cables"] * 5, color_name="category")
    assert fig.layout.showlegend is True and [t.name for t in fig.data] == ["cables"]
    plain = build_map(coords, list("abcde"))  # no colour: no legend to show
    assert plain.layout.showlegend is None
    many = np.random.default_rng(1).standard_normal((30, 2)).astype(np.float32)
    prices = build_map(many, [str(i) for i in range(30)], color=[f"{i + 0.5}" for i in range(30)])
    assert prices.data[0].marker.showscale and prices.layout.showlegend is None  # colour bar
