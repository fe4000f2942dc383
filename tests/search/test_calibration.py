"""core.search.calibration and the calibrated scores of the NeighborIndex."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.config import Config
from core.errors import ConfigError
from core.search.calibration import (
    BUNDLED,
    FUSED_ONLY,
    LEVELS,
    Calibration,
    CalibrationSample,
    calibration_for,
    fit_calibration,
    fit_knots,
    precision_point,
)
from core.search.index import NeighborIndex
from core.search.lexical import build_index
from core.search.settings import SearchSettings

WORDS = ["lamp", "epson", "desk", "oak", "chair", "usb", "cable", "32gb", "kdl-40v4100"]


def _data(rng, n=40, d=8):
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(1, 4))) for _ in range(n)]
    return rng.normal(size=(n, d)).astype(np.float32), texts


def test_the_map_is_increasing_bounded_and_passes_through_its_points():
    fused = np.linspace(-6, 4, 10001)
    for weight in (0.0, 0.35, 0.7, 1.0):
        s = BUNDLED.score(fused, weight)
        assert s.min() >= 0 and s.max() <= 1
        assert (np.diff(s.astype(np.float64)) >= 0).all()
        assert (np.diff(s[fused < BUNDLED.knots_at(weight)[0]]) > 0).all()  # no ties in the tail
        np.testing.assert_allclose(BUNDLED.score(BUNDLED.knots_at(weight), weight), LEVELS,
                                   atol=1.01e-3)
    top = BUNDLED.knots_at(0.7)[-1]  # 1 + the most the same-product evidence can add
    assert top > 1 and FUSED_ONLY.knots_at(0.7)[-1] == 1.0
    got = BUNDLED.score(np.array([np.nan, top, -50.0]), 0.7)
    assert np.isnan(got[0]) and got[1] == 1.0 and 0 <= got[2] < 1e-3


def test_knots_between_fitted_weights_are_interpolated():
    k = np.asarray(BUNDLED.knots)
    i = BUNDLED.weights.index(0.5)
    np.testing.assert_allclose(BUNDLED.knots_at(0.6), (k[i] + k[i + 1]) / 2, atol=1e-9)
    np.testing.assert_allclose(BUNDLED.knots_at(0.7), k[BUNDLED.weights.index(0.7)], atol=1e-9)
    assert BUNDLED.fused_at(0.9, 0.7) == pytest.approx(k[BUNDLED.weights.index(0.7)][3])


def test_precision_point_matches_brute_force(rng):
    for _ in range(20):
        s = np.round(rng.random(30), 1)  # ties on purpose
        y = rng.random(30) < 0.6
        want = 1.0
        for t in sorted(set(s.tolist())):
            if y[s >= t].mean() >= 0.8:
                want = t
                break
        assert precision_point(s, y, 0.8) == want


def test_fit_knots_reads_the_measured_points():
    a = CalibrationSample(entries=np.array([0.95, 0.9, 0.8, 0.7]), twins=np.array([1, 1, 1, 0]),
                          same=np.array([0.5, 0.6, 0.7]), different=np.array([0.1, 0.3]),
                          random=np.array([-0.3, -0.2]))
    b = CalibrationSample(entries=np.array([0.9, 0.85]), twins=np.array([1, 0]),
                          same=np.array([0.55, 0.65, 0.75]), different=np.array([0.2]),
                          random=np.array([-0.1]))
    # random median -0.2, different median 0.2, lower twin median 0.6, precision 0.9 reached
    # from 0.8 in a and only from 0.9 in b (the stricter counts), same text 1
    assert fit_knots([a, b]) == pytest.approx((-0.2, 0.2, 0.6, 0.9, 1.0))
    high_twins = CalibrationSample(a.entries, a.twins, np.array([0.99]), a.different, a.random)
    knots = fit_knots([high_twins])
    assert all(np.diff(knots) > 0)  # a point out of order is moved below the next one
    with pytest.raises(ConfigError, match="labelled catalog"):
        fit_knots([CalibrationSample(a.entries, np.zeros(4, bool), a.same, a.different, a.random)])


def test_a_fitted_calibration_travels_with_its_model_folder(tmp_path):
    sample = CalibrationSample(np.array([0.9, 0.5]), np.array([1, 0]), np.array([0.6]),
                               np.array([0.2]), np.array([-0.2]))
    cal = fit_calibration({0.0: [sample], 1.0: [sample]}, model="tuned", fitted_on="test")
    assert cal.weights == (0.0, 1.0) and Calibration.from_dict(cal.to_dict()) == cal
    cal.save(tmp_path)
    assert calibration_for(str(tmp_path)) == cal
    assert calibration_for("bundled") is BUNDLED
    other = calibration_for(str(tmp_path / "elsewhere"))
    assert other.approximate and other.knots == BUNDLED.knots
    (tmp_path / "calibration.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(ConfigError, match="calibration"):
        calibration_for(str(tmp_path))
    (tmp_path / "calibration.json").write_text(json.dumps({"weights": [0.5]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="knots"):
        calibration_for(str(tmp_path))


def test_the_bundled_model_given_as_its_folder_keeps_its_calibration(tmp_path):
    """CATSIM_MODEL or --model set to the bundled model's own folder got a stranger's
    calibration (approximate, no relatedness gate): a query that reads unrelated on the
    demo scored 0.70 instead of 0.08 in a 15-product catalog."""
    from core.embed.models import bundled_model_path

    folder = bundled_model_path()
    assert calibration_for(str(folder)) is BUNDLED
    assert calibration_for(str(folder) + "/") is BUNDLED
    assert BUNDLED.meaning_floor(0.9) is not None
    copy = tmp_path / "my-minilm"  # a copy is another folder: no claim on its calibration
    copy.mkdir()
    assert calibration_for(str(copy)).approximate


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_pool_scores_are_the_calibrated_fused_scores_in_fused_order(rng, weight):
    vectors, texts = _data(rng)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=weight,
                                     calibration=FUSED_ONLY)
    pool = index.pool(12)
    assert pool.scores.min() >= 0 and pool.scores.max() <= 1
    np.testing.assert_allclose(pool.scores, FUSED_ONLY.score(pool.fused, weight), atol=1e-6)
    assert (np.diff(pool.fused, axis=1) <= 1e-7).all()  # ranked by the fused score
    left = np.repeat(np.arange(len(vectors)), 12)
    pairs = index.pair_scores(left, pool.indices.ravel())
    np.testing.assert_allclose(pairs.score, pool.scores.ravel(), atol=1e-5)
    back = index.pair_scores(pool.indices.ravel(), left)
    best = index.anchors().best
    mutual = np.minimum(np.clip(pairs.fused / best[left], 0, 1),
                        np.clip(back.fused / best[pool.indices.ravel()], 0, 1))
    np.testing.assert_allclose(pairs.match, np.sqrt(np.minimum(pairs.score, back.score) * mutual),
                               atol=1e-5)
    assert index.pair_scores([3], [3]).match[0] == 1.0


def test_meaning_only_pool_is_rescaled_by_its_own_depth_th_score(rng):
    vectors, _ = _data(rng, n=30)
    index = NeighborIndex.build(None, vectors, SearchSettings(calibration=FUSED_ONLY))
    pool = index.pool(5)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = unit @ unit.T
    np.fill_diagonal(cos, -np.inf)
    srt = -np.sort(-cos, axis=1)[:, :29]  # every other product: the floor is the last one
    fused = (srt[:, :5] - srt[:, -1:]) / (1.0 - srt[:, -1:])
    np.testing.assert_allclose(pool.fused, fused, atol=1e-5)
    np.testing.assert_allclose(pool.scores, FUSED_ONLY.score(fused, 0.0), atol=1e-5)
    np.testing.assert_array_equal(pool.indices, np.argsort(-cos, axis=1, kind="stable")[:, :5])
    left = np.repeat(np.arange(30), 5)
    np.testing.assert_allclose(index.pair_scores(left, pool.indices.ravel()).score,
                               pool.scores.ravel(), atol=1e-5)


def test_a_labelled_two_shop_catalog_gives_a_sample_and_a_calibration(rng):
    from core.quality.calibrate import calibration_sample

    half = 30
    left_shop = rng.normal(size=(half, 8)).astype(np.float32)
    vectors = np.vstack([left_shop, left_shop + rng.normal(0, 0.05, size=(half, 8))]).astype(
        np.float32)
    shop = np.r_[np.zeros(half, int), np.ones(half, int)]
    twins = {(i, i + half) for i in range(half)} | {(i + half, i) for i in range(half)}
    left = np.arange(10)
    right = np.r_[np.arange(5) + half, np.arange(5, 10) + half + 1]  # 5 twins, 5 not
    label = np.r_[np.ones(5), np.zeros(5)]
    index = NeighborIndex.build(None, vectors, Config(hybrid_weight=0.0))
    s = calibration_sample(index, shop, left, right, label, twins, k=3)
    assert len(s.same) == 10 and len(s.different) == 10 and len(s.random) > 0
    pool = index.pool(3)
    named = np.r_[left, right]
    want = [(a, b) for a in range(2 * half) for b in pool.indices[a]
            if a in named and shop[a] != shop[b]]
    assert len(s.entries) == len(want)
    assert s.twins.tolist() == [(a, int(b)) in twins for a, b in want]
    cal = fit_calibration({0.0: [s]}, model="tuned")
    assert all(np.diff(cal.knots[0]) > 0) and cal.knots[0][-1] == 1.0
