"""Confident pairs (self-training): found in the current model's lists, capped, never
touching held-out products, and off by default. Tiny random BERT from conftest."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.finetune import FinetuneError, FinetuneSettings, finetune
from core.finetune.data import ValidationSet, build_training_set, pairs_from_frame
from core.finetune.pseudo import confident_pairs, held_out_rows, mutual_firsts
from core.search.calibration import BUNDLED
from core.search.index import NeighborIndex


def _twins(rng: np.random.Generator, n: int = 8) -> np.ndarray:
    """(2n, 32) unit vectors: rows 2i and 2i+1 are noisy copies of one product, the
    noise growing with i (so the twins' scores fall with i)."""
    base = rng.normal(size=(n, 32))
    noise = np.repeat(np.linspace(0.05, 0.4, n), 2)[:, None]
    v = np.repeat(base, 2, axis=0) + rng.normal(size=(2 * n, 32)) * noise
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _find(v: np.ndarray, **kw):
    texts = [f"t{i}" for i in range(len(v))]
    args = {"threshold": 0.0, "cap": 100, "exclude": set(), "known": {}, **kw}
    pairs = confident_pairs(texts, v, np.arange(len(v)), None, weight=0.0, metric="cosine",
                            calibration=BUNDLED, **args)
    return [tuple(sorted(p)) for p in zip(pairs.anchor_rows.tolist(),
                                          pairs.positive_rows.tolist())]


def test_mutual_firsts_against_hand_oracle():
    first = np.array([1, 0, 3, 1, -1, 4])
    score = np.array([0.95, 0.97, 0.99, 0.99, 0.0, 0.9])
    assert mutual_firsts(first, score, 0.9) == [(0, 1, 0.95)]  # 2->3 but 3->1; 4: none
    assert mutual_firsts(first, score, 0.96) == []


def test_confident_pairs_are_the_twins_above_the_threshold_best_first(rng):
    v = _twins(rng)
    nb = NeighborIndex.from_parts(v, None, hybrid_weight=0.0, texts=None,
                                  calibration=BUNDLED).pool(1)
    twin_score = np.minimum(nb.scores[0::2, 0], nb.scores[1::2, 0])
    threshold = float(np.median(twin_score))
    expected = [(2 * i, 2 * i + 1) for i in np.argsort(-twin_score) if twin_score[i] >= threshold]
    assert 0 < len(expected) < 8
    assert _find(v, threshold=threshold) == expected
    assert _find(v, threshold=threshold, cap=2) == expected[:2]
    assert _find(v, cap=0) == []


def test_held_out_products_and_known_pairs_are_never_taken(rng):
    v = _twins(rng)
    everything = _find(v)
    assert len(everything) == 8
    valid = ValidationSet(["q"], np.array([0]), [frozenset({5})])
    assert held_out_rows(valid) == {0, 5}
    kept = _find(v, exclude=held_out_rows(valid), known={2: {3}, 3: {2}})
    assert kept == [p for p in everything if p not in ((0, 1), (4, 5), (2, 3))]


def test_settings_check_the_pseudo_options():
    assert FinetuneSettings().pseudo_pairs == 0
    with pytest.raises(FinetuneError, match="pseudo_threshold"):
        FinetuneSettings(pseudo_threshold=1.5)
    with pytest.raises(FinetuneError, match="pseudo_pairs"):
        FinetuneSettings(pseudo_pairs=-1)


def _catalog_and_data():
    rows = []
    for i, thing in enumerate(["shoe", "shirt", "cable", "lamp", "desk", "chair", "cup", "pen"]):
        rows += [[f"A{i}", f"red {thing} x{i}{i}"], [f"B{i}", f"{thing} x{i}{i} red"],
                 [f"C{i}", f"{thing} x{i}{i} red pack"]]
    catalog = build_catalog(pd.DataFrame(rows, columns=["id", "title"]),
                            ColumnMapping(text_columns=("title",), id_column="id"))
    frame = pd.DataFrame({"left_id": [f"A{i}" for i in range(8)],
                          "right_id": [f"C{i}" for i in range(8)]})  # A-B unlabelled
    data = build_training_set(catalog, pairs_from_frame(frame, catalog), valid_fraction=0.25)
    return catalog, data


@pytest.mark.parametrize("cap", [0, 3])
def test_finetune_adds_at_most_cap_confident_pairs(tiny_bert_dir, tmp_path, cap):
    catalog, data = _catalog_and_data()
    said = []
    settings = FinetuneSettings(epochs=1, batch_size=4, keep="always", device="cpu",
                                valid_fraction=0.25, pseudo_pairs=cap, pseudo_threshold=0.01)
    res = finetune(catalog.texts, data, base_model=str(tiny_bert_dir), settings=settings,
                   out=tmp_path / "ft", status=said.append)
    card = json.loads((res.folder / "card.json").read_text())
    added = res.train_pairs - len(data.train)
    if cap == 0:
        assert added == 0 and not any("confident" in m for m in said)
    else:
        assert 0 < added <= cap and any(f"found {added} confident" in m for m in said)
    assert card["data"].get("confident_pairs", 0) == added
    assert card["settings"]["pseudo_pairs"] == cap


def test_cli_flags_set_the_confident_pairs():
    import argparse

    from core.cli.finetune import register, settings_from_args

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="cmd"))
    off = settings_from_args(parser.parse_args(["finetune", "c.csv"]))
    on = settings_from_args(parser.parse_args(["finetune", "c.csv", "--confident-pairs", "500",
                                               "--confident-threshold", "0.95"]))
    assert (off.pseudo_pairs, on.pseudo_pairs, on.pseudo_threshold) == (0, 500, 0.95)
