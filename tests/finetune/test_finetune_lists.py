"""Fine-tuning that pays off in the lists: held-out list scores at every hybrid weight,
the weight chosen again and saved with the model (card + configuration), used when the
model is picked (CLI), named phases, hard negatives from the fused lists, the training
length cap, and a model that cannot be fine-tuned.

Tiny random BERT from conftest; quality on real data is bench/finetune_abt_buy.py.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.embed.encoders import BertEncoder
from core.finetune import FinetuneError, FinetuneSettings, check_trainable, finetune
from core.finetune.card import model_defaults
from core.finetune.data import TextPairs, ValidationSet, build_training_set, pairs_from_frame
from core.finetune.negatives import mine_negatives
from core.finetune.train import length_cap, train_precision
from core.finetune.weight import WEIGHT_GRID, ListScore, choose_weight, list_scores
from core.search.exact import topk
from core.search.lexical import build_index, lexical_topk
from tests.conftest import make_csv_bytes

THINGS = ["shoe", "shirt", "phone case", "cable", "lamp", "desk", "chair", "cup"]


def _frame() -> pd.DataFrame:
    rows = []
    for i, thing in enumerate(THINGS):
        code = f"x{i}{i + 1}{i + 2}"
        rows.append([f"A{i}", f"red {thing} {code}"])
        rows.append([f"B{i}", f"{thing} {code} set"])
    return pd.DataFrame(rows, columns=["id", "title"])


@pytest.fixture
def catalog():
    return build_catalog(_frame(), ColumnMapping(text_columns=("title",), id_column="id"))


@pytest.fixture
def data(catalog):
    frame = pd.DataFrame({"left_id": [f"A{i}" for i in range(8)],
                          "right_id": [f"B{i}" for i in range(8)]})
    return build_training_set(catalog, pairs_from_frame(frame, catalog), valid_fraction=0.25)


FAST = FinetuneSettings(epochs=2, batch_size=4, learning_rate=1e-3, valid_fraction=0.25,
                        keep="always", device="cpu", precision="fp32")


def _first_hits(ranked: np.ndarray, truth: list[set[int]]) -> tuple[float, float]:
    r1 = np.mean([int(r[0]) in t for r, t in zip(ranked, truth)])
    mrr = np.mean([next((1 / (i + 1) for i, c in enumerate(r) if int(c) in t), 0.0)
                   for r, t in zip(ranked, truth)])
    return float(r1), float(mrr)


def test_list_scores_at_the_ends_are_each_channel_alone(rng):
    """Weight 0 ranks by the vectors alone, weight 1 by the words alone (brute force)."""
    words_pool = ["red", "blue", "lamp", "desk", "cable", "usb", "x100", "k20", "set", "pro"]
    corpus_texts = [" ".join(rng.choice(words_pool, 3)) for _ in range(40)]
    corpus = rng.normal(size=(40, 8)).astype(np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    queries = (corpus[:7] + 0.8 * rng.normal(size=(7, 8))).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    truth = [frozenset({int(t)}) for t in rng.integers(0, 40, 7)]
    valid = ValidationSet([corpus_texts[i] for i in range(7)], np.full(7, -1), truth)
    words = build_index(corpus_texts)
    scores = list_scores(queries, corpus, words, valid, np.arange(40), weights=(0.0, 1.0))
    dense = topk(corpus, 40, queries=queries, exclude_self=False).indices
    lexical = lexical_topk(words, 40, queries=valid.queries, exclude_self=False)
    for score, ranked in zip(scores, (dense, lexical.indices)):
        r1, mrr = _first_hits(ranked, [set(t) for t in truth])
        assert (score.recall_at_1, score.mrr) == pytest.approx((r1, mrr))


def test_choose_weight_best_recall_then_mrr_then_nearest_current():
    def s(w, r1, mrr):
        return ListScore(w, r1, 1.0, mrr, 10, 50)

    assert choose_weight([s(0.2, 0.8, 0.85), s(0.5, 0.8, 0.86), s(0.7, 0.7, 0.9)], 0.7) == 0.5
    assert choose_weight([s(0.2, 0.8, 0.86), s(0.6, 0.8, 0.86), s(0.9, 0.8, 0.86)], 0.7) == 0.6
    assert WEIGHT_GRID[0] == 0.0 and WEIGHT_GRID[-1] == 1.0 and len(WEIGHT_GRID) == 11


def test_negatives_come_from_the_lists_given_and_skip_known_matches():
    vectors = np.eye(6, dtype=np.float32)
    vectors[1] = vectors[0]  # the positive scores 1, every other product 0: none filtered
    pairs = TextPairs(["a0"], ["b0"], np.array([0]), np.array([1]))
    lists = np.array([[1, 4, 2, 5, 3, -1]])  # the positive, a known match, then others
    out = mine_negatives(vectors, pairs, np.arange(6), {0: {1, 4}}, depth=3,
                         lists_of=lambda anchors, depth: lists[:, :depth])
    assert out.tolist() == [[2, 5, 3]]


def test_finetune_chooses_the_weight_saves_it_and_names_its_phases(tiny_bert_dir, catalog, data,
                                                                   tmp_path, monkeypatch):
    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path / "cache"))
    said: list[str] = []
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                      out=tmp_path / "tuned", status=said.append, hybrid_weight=0.7)
    choice = result.weight_choice
    assert [s.weight for s in choice.after] == list(WEIGHT_GRID)
    assert choice.current_weight == 0.7 and choice.weight in WEIGHT_GRID
    assert choice.after_at(choice.weight).recall_at_1 == max(s.recall_at_1 for s in choice.after)
    card = json.loads((result.folder / "card.json").read_text())
    assert card["config"] == {"hybrid_weight": choice.weight}
    assert card["pipeline"]["weight"] == choice.weight
    assert "settings this model brings" in (result.folder / "README.md").read_text()
    assert model_defaults(result.folder).hybrid_weight == choice.weight
    assert model_defaults("bundled").hybrid_weight is None
    phases = [s.split(":")[0].split(" ")[0] for s in said]
    assert phases == ["embedding", "mining", "training", "training", "saving", "validating", "validating"]
    assert said[2:4] == ["training: epoch 1 of 2", "training: epoch 2 of 2"]
    assert set(result.phase_seconds) >= {"mining", "training", "saving", "validating"}
    _cli_uses_the_models_weight(result.folder, choice.weight, tmp_path)
    # Validation ran the kept model through ONNX under its final identity: using it later
    # reuses that export instead of exporting again.
    exported = sorted((tmp_path / "cache" / "onnx").glob("*.onnx"))
    assert BertEncoder(result.folder, device="cpu").precision == "onnx"
    assert sorted((tmp_path / "cache" / "onnx").glob("*.onnx")) == exported


def _cli_uses_the_models_weight(folder, weight, tmp_path) -> None:
    """--model FOLDER brings its weight unless --hybrid-weight or the --config file sets one."""
    from core.cli.common import config_from_args

    def args(**kw):
        base = dict.fromkeys(("config", "id_col", "text_cols", "model", "precision",
                              "batch_size", "on_duplicate_ids", "metric", "k", "index",
                              "hybrid_weight", "field_weights"))
        return argparse.Namespace(**{**base, **kw})

    assert config_from_args(args(model=str(folder))).hybrid_weight == weight
    assert config_from_args(args(model=str(folder), hybrid_weight=0.25)).hybrid_weight == 0.25
    saved = tmp_path / "cfg.json"
    saved.write_text(json.dumps({"model": str(folder), "hybrid_weight": 0.45}))
    assert config_from_args(args(config=str(saved))).hybrid_weight == 0.45
    saved.write_text(json.dumps({"model": str(folder)}))
    assert config_from_args(args(config=str(saved))).hybrid_weight == weight


def test_the_model_alone_when_the_weight_is_kept(tiny_bert_dir, catalog, data, tmp_path):
    settings = FinetuneSettings(**{**FAST.__dict__, "choose_weight": False, "epochs": 1,
                                   "negatives_from": "model", "precision": "bf16"})
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=settings,
                      out=tmp_path / "kept")
    assert result.weight_choice is None and result.kept
    assert json.loads((result.folder / "card.json").read_text())["config"] == {}
    assert model_defaults(result.folder).hybrid_weight is None


def test_length_cap_reads_the_catalog(tiny_encoder):
    short = ["red shoe"] * 50
    cap = length_cap(tiny_encoder, short, 128)
    assert cap % 8 == 0 and 8 <= cap <= 16
    long = ["red shoe " * 200] * 50
    assert length_cap(tiny_encoder, long, 128) == min(128, tiny_encoder.max_tokens)
    assert train_precision(FinetuneSettings(precision="fp32"), "cpu") == "fp32"
    assert train_precision(FinetuneSettings(precision="bf16"), "cpu") == "bf16"


def test_a_model_without_trainable_weights_says_so_and_names_an_alternative(tmp_path, catalog,
                                                                            data):
    engine = tmp_path / "packaged-engine"
    engine.mkdir()
    (engine / "engine.bin").write_bytes(b"\0" * 16)
    with pytest.raises(FinetuneError, match=r"cannot be fine-tuned.*bundled all-MiniLM-L6-v2"):
        check_trainable(engine)
    with pytest.raises(FinetuneError, match="bundled"):
        finetune(catalog.texts, data, base_model=engine, settings=FAST, out=tmp_path / "x")
    check_trainable("bundled")


def test_cli_finetune_names_the_untrainable_model(tmp_path, capsys):
    from core.cli import main

    frame = _frame()
    cat_path = tmp_path / "catalog.csv"
    cat_path.write_bytes(make_csv_bytes([list(frame.columns), *frame.values.tolist()]))
    engine = tmp_path / "engine"
    engine.mkdir()
    rc = main(["finetune", str(cat_path), "--self-supervised", "--model", str(engine),
               "--id-col", "id", "--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert rc != 0 and "cannot be fine-tuned" in err and "bundled" in err

