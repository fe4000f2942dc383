"""The photos channel of the neighbour index: weights, missing photos, images-only lists."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import Config
from core.errors import ConfigError
from core.search.calibration import FUSED_ONLY
from core.search.channels import ImageChannel, Queries
from core.search.fusion import Anchors, fuse
from core.search.index import NeighborIndex
from core.search.settings import SearchSettings


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _photos(rng, n: int, groups: int, missing: tuple[int, ...] = ()):
    """Image vectors: rows of the same group are near-copies; missing rows have none."""
    centres = rng.normal(size=(groups, 16))
    group = np.arange(n) % groups
    vec = _unit(centres[group] + 0.05 * rng.normal(size=(n, 16)))
    has = np.ones(n, dtype=bool)
    has[list(missing)] = False
    vec[~has] = 0
    return ImageChannel(vec, has), group


def _index(rng, n=24, *, image_weight=0.5, missing=(3, 7), groups=6):
    text = _unit(rng.normal(size=(n, 8)))
    channel, group = _photos(rng, n, groups, missing)
    s = SearchSettings(image_weight=image_weight, calibration=FUSED_ONLY)
    return NeighborIndex.build(None, text, s, prebuilt={"image": channel}), text, channel, group


def test_nan_parts_are_fused_over_the_channels_that_scored_them() -> None:
    parts = {"dense": np.array([[0.5, 0.8]], np.float32),
             "image": np.array([[np.nan, 0.9]], np.float32)}
    anchors = Anchors({"dense": np.ones(1), "image": np.ones(1)},
                      {"dense": np.zeros(1), "image": np.zeros(1)}, np.zeros(1))
    out = fuse(parts, anchors, {"dense": 0.7, "image": 0.3})
    np.testing.assert_allclose(out, [[0.5, 0.7 * 0.8 + 0.3 * 0.9]], rtol=1e-6)
    none = fuse({"image": np.array([[np.nan]], np.float32)}, anchors, {"image": 1.0})
    assert none[0, 0] == 0.0


def test_weights_with_photos(rng) -> None:
    index, *_ = _index(rng, image_weight=0.3)
    assert index.names == ("dense", "image")  # no catalog: no words channel
    assert index.weights == pytest.approx({"dense": 0.7, "image": 0.3})
    text_only = NeighborIndex.build(None, index.vectors,
                                    SearchSettings(image_weight=0.3, calibration=FUSED_ONLY))
    assert text_only.names == ("dense",) and not text_only.fused  # no photos given
    hybrid = NeighborIndex.build(None, index.vectors,
                                 SearchSettings(hybrid_weight=0.5, image_weight=0.2),
                                 prebuilt={"image": index.channels["image"]})
    # no catalog, so no words channel: meaning and photos share what is left
    assert hybrid.weights == pytest.approx({"dense": 0.4 / 0.6, "image": 0.2 / 0.6})


def test_images_only_lists_find_the_same_photo(rng) -> None:
    index, text, channel, group = _index(rng, image_weight=1.0, missing=(3,))
    assert index.names == ("dense", "image")  # the text keeps a share of 0.001
    assert index.weights["image"] == pytest.approx(1 / 1.001)
    pool = index.pool(5)
    # a product without a photo is listed by its text (it was listed in an arbitrary order,
    # every score 0: no channel had an opinion on it)
    text_only = NeighborIndex.build(None, text, SearchSettings(calibration=FUSED_ONLY)).pool(5)
    assert pool.indices[3].tolist() == text_only.indices[3].tolist()
    np.testing.assert_allclose(pool.scores[3], text_only.scores[3], atol=1e-4)
    has = channel.has_image
    sim = channel.vectors @ channel.vectors.T
    np.fill_diagonal(sim, -np.inf)
    sim[:, ~has] = -np.inf
    for row in np.flatnonzero(has):
        # the brute-force best photo, or one as good within the text's tie-breaking share
        assert sim[row, pool.indices[row, 0]] >= sim[row].max() - 0.002
        assert group[pool.indices[row, 0]] == group[row]
    assert pool.scores[has, 0].min() > 0.9


def test_a_product_without_photo_keeps_its_text_scores(rng) -> None:
    index, text, _channel, _ = _index(rng, image_weight=0.4, missing=(3, 7))
    text_only = NeighborIndex.build(None, text, SearchSettings(image_weight=0.0, calibration=FUSED_ONLY))
    pool = index.pool(6)
    for row in (3, 7):
        cand = pool.indices[row]
        ref = text_only.rank(len(text) - 1)
        ref_scores = dict(zip(ref.indices[row], ref.scores[row]))
        # the photos channel has no opinion on row 3's pairs: fused = the text-only score
        np.testing.assert_allclose(pool.scores[row], [ref_scores[c] for c in cand], atol=1e-5)
    pairs = index.pair_scores([3, 0], [0, 3])
    assert np.isnan(pairs.part("image")).all()


def test_photos_move_lists_towards_the_same_picture(rng) -> None:
    """Text vectors say nothing here; with photos each product finds its group."""
    index, _, _channel, group = _index(rng, n=30, image_weight=0.6, missing=(), groups=10)
    pool = index.pool(3)
    assert (group[pool.indices[:, 0]] == group).mean() == 1.0
    text_only = NeighborIndex.build(None, index.vectors, SearchSettings(calibration=FUSED_ONLY)).pool(3)
    assert (group[text_only.indices[:, 0]] == group).mean() < 0.5


def test_queries_with_and_without_photos(rng) -> None:
    index, text, channel, group = _index(rng, image_weight=0.5, missing=())
    q_img = channel.vectors[[5]]
    hits = index.query(3, Queries(text[[5]] * 0 + _unit(rng.normal(size=(1, 8))), ["q"], q_img))
    assert group[hits.indices[0, 0]] == group[5]
    blind = index.query(3, Queries(text[[5]], ["q"]))  # a text query: photos have no opinion
    assert blind.indices[0, 0] == 5


def test_config_keys_and_validation() -> None:
    cfg = Config(image_column="photo", image_weight=0.25, fetch_images=True)
    again = Config.from_dict(cfg.to_dict())
    assert again == cfg and again.image_model == "bundled"
    assert cfg.pool_key() != cfg.with_changes(image_weight=0.5).pool_key()
    assert SearchSettings.from_config(cfg).image_weight == 0.25
    for bad in ({"image_weight": 1.5}, {"image_weight": True}, {"fetch_images": "yes"},
                {"image_model": ""}):
        with pytest.raises(ConfigError):
            Config(**bad)
