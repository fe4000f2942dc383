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
from core.finetune.calibrate import (
    MIN_EVIDENCE_QUERIES,
    PLAIN,
    Corpus,
    fit_evidence,
    refit_calibration,
)
from core.finetune.card import model_defaults
from core.finetune.data import TextPairs, ValidationSet, build_training_set, pairs_from_frame
from core.finetune.negatives import mine_negatives
from core.finetune.train import length_cap, train_precision
from core.finetune.weight import (
    WEIGHT_GRID,
    ListScore,
    choose_weight,
    list_scores,
    pipeline_scores,
)
from core.search.calibration import BUNDLED
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


def test_choose_weight_prefers_a_plateau_to_a_lone_spike_and_ties_go_to_the_current():
    def s(w, r1, mrr):
        return ListScore(w, r1, 1.0, mrr, 10, 50)

    spike = [s(0.0, 0.6, 0.7), s(0.1, 0.9, 0.9), s(0.2, 0.6, 0.7), s(0.3, 0.6, 0.7),
             s(0.5, 0.8, 0.85), s(0.6, 0.8, 0.85), s(0.7, 0.8, 0.85)]
    assert choose_weight(spike, 0.7) == 0.7  # on the plateau, not the lone spike at 0.1
    assert choose_weight(spike, 0.0) == 0.6  # plateau tie: the end nearest the current
    flat = [s(w, 0.8, 0.85) for w in WEIGHT_GRID]
    assert choose_weight(flat, 0.7) == 0.7 and choose_weight(flat, 0.33) == 0.3
    assert WEIGHT_GRID[0] == 0.0 and WEIGHT_GRID[-1] == 1.0 and len(WEIGHT_GRID) == 11
    slight = [s(w, 0.8 + 0.01 * (w >= 0.3), 0.85) for w in WEIGHT_GRID]  # < 1 of 50 queries
    assert choose_weight(slight, 0.0) == 0.0
    clear = [s(w, 0.8 + 0.04 * (w >= 0.3), 0.85) for w in WEIGHT_GRID]  # 2 of 50 queries
    assert choose_weight(clear, 0.0) == 0.4


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
    # a processor where ONNX Runtime is the faster engine: the export is checked
    monkeypatch.setattr("core.embed.bert.auto_engine", lambda: "onnx")
    said: list[str] = []
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                      out=tmp_path / "tuned", status=said.append, hybrid_weight=0.7)
    choice = result.weight_choice
    assert [s.weight for s in choice.after] == list(WEIGHT_GRID)
    # the current model is compared at the weight in use only: its lists at the other ten
    # weights were read by nothing (half of this phase's time on a large catalog)
    assert [s.weight for s in choice.before] == [0.7]
    assert choice.current_weight == 0.7 and choice.weight in WEIGHT_GRID
    assert choice.weight == choose_weight(choice.after, 0.7)
    card = json.loads((result.folder / "card.json").read_text())
    assert card["config"] == {"hybrid_weight": choice.weight}
    assert card["pipeline"]["weight"] == choice.weight
    assert "settings this model brings" in (result.folder / "README.md").read_text()
    assert model_defaults(result.folder).hybrid_weight == choice.weight
    assert model_defaults("bundled").hybrid_weight is None
    phases = [s.split(":")[0].split(" ")[0] for s in said]
    assert phases == ["embedding", "mining", "training", "training", "saving", "validating",
                      "validating", "validating", "validating"]
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


def test_epochs_by_validation_keep_the_best_epoch(tiny_bert_dir, catalog, data, tmp_path):
    import torch

    from core.finetune.train import _Best

    model = torch.nn.Linear(2, 1)
    best = _Best()
    for epoch, score in ((1, 0.5), (2, 0.9), (3, 0.4)):
        with torch.no_grad():
            model.weight.fill_(float(epoch))
        best.offer(model, epoch, score)
    assert best.epoch == 2 and best.stale(4) and not best.stale(3)
    assert best.restore(model).weight.flatten().tolist() == [2.0, 2.0]
    said: list[str] = []
    settings = FinetuneSettings(**{**FAST.__dict__, "epochs": 3, "select_epoch": True})
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=settings,
                      out=tmp_path / "epochs", status=said.append)
    checks = [m for m in said if m.startswith("validating: the lists after epoch")]
    assert checks[0] == "validating: the lists after epoch 1" and len(checks) <= 3
    assert 1 <= result.epochs_run <= 3 and result.kept


def _twin_catalog(rng, n: int = 60):
    """n products in twin pairs (2i, 2i+1): close vectors; twins share a model code."""
    vectors = rng.normal(size=(n, 16)).astype(np.float32)
    vectors[1::2] = vectors[0::2] + 0.05 * rng.normal(size=(n // 2, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"item {i // 2} code k{i // 2}x" for i in range(n)]
    return vectors, texts


def _held_out(texts, queries) -> ValidationSet:
    return ValidationSet([texts[q] for q in queries], np.asarray(queries),
                         [frozenset({int(q) + 1}) for q in queries])


def test_the_new_models_calibration_is_fitted_on_the_held_out_pairs(tmp_path, rng):
    from core.search.calibration import calibration_for

    vectors, texts = _twin_catalog(rng)
    n = len(texts)
    valid = _held_out(texts, np.arange(0, 20, 2))
    plain = Corpus(vectors, build_index(texts), np.arange(n))  # no texts: no evidence
    note = refit_calibration(tmp_path, plain, valid, {}, weight=0.3, metric="cosine",
                             model="tuned", evidence=BUNDLED.evidence)
    assert "fitted again on 10 held-out products" in note and "evidence" not in note
    cal = calibration_for(tmp_path)
    assert not cal.approximate and cal.weights == (0.3,) and cal.model == "tuned"
    assert list(cal.knots[0]) == sorted(cal.knots[0]) and cal.knots[0][-1] == 1.0
    assert cal.evidence == () and cal.plain_knots == ()
    views = ValidationSet(["a view"], np.array([-1]), [frozenset({0})])
    assert "approximate" in refit_calibration(tmp_path / "x", plain, views, {}, weight=0.3,
                                              metric="cosine", model="tuned")


def _noisy_twins(rng, n: int = 2 * MIN_EVIDENCE_QUERIES):
    """Twins (2i, 2i+1) whose vectors are barely closer than other products', but that
    share a model code; look-alikes (the next pair) name another code."""
    vectors = rng.normal(size=(n, 16)).astype(np.float32)
    vectors[1::2] = vectors[0::2] + 1.2 * rng.normal(size=(n // 2, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"{THINGS[(i // 2) % 8]} model qx{i // 2}{7 * (i // 2) % 10}z" for i in range(n)]
    return vectors, texts


def test_evidence_weights_are_fitted_on_the_held_out_lists_and_saved(tmp_path, rng):
    from core.search.calibration import calibration_for
    from core.search.evidence_weights import evidence_ceiling

    vectors, texts = _noisy_twins(rng)
    corpus = Corpus(vectors, build_index(texts), np.arange(len(texts)), texts)
    valid = _held_out(texts, np.arange(0, 2 * MIN_EVIDENCE_QUERIES, 2))
    evidence, note = fit_evidence(corpus, valid, weight=0.3, metric="cosine")
    assert f"fitted on {MIN_EVIDENCE_QUERIES} held-out products" in note
    assert evidence != BUNDLED.evidence
    assert dict(evidence).get("code_shared", 0.0) > 0
    note = refit_calibration(tmp_path, corpus, valid, {}, weight=0.3, metric="cosine",
                             model="tuned", evidence=evidence)
    assert note.endswith("with same-product evidence")
    cal = calibration_for(tmp_path)
    assert cal.evidence == evidence and not cal.approximate
    assert cal.knots[0][-1] == pytest.approx(1.0 + evidence_ceiling(evidence), abs=1e-6)
    assert cal.plain_weights == (0.3,) and cal.plain_knots[0][-1] == 1.0
    few = _held_out(texts, np.arange(0, 20, 2))
    kept, why = fit_evidence(corpus, few, weight=0.3, metric="cosine")
    assert kept == BUNDLED.evidence and "bundled model's weights (10 held-out" in why


def test_the_tuned_models_lists_use_its_evidence_weights(tmp_path, rng):
    """A catalog indexed with the model folder's calibration re-ranks by its weights: with
    the shared code weighted, the code-sharing twin leads more lists than without."""
    from core.search.calibration import calibration_for
    from core.search.index import NeighborIndex

    vectors, texts = _noisy_twins(rng)
    corpus = Corpus(vectors, build_index(texts), np.arange(len(texts)), texts)
    valid = _held_out(texts, np.arange(0, 2 * MIN_EVIDENCE_QUERIES, 2))
    evidence, _ = fit_evidence(corpus, valid, weight=0.3, metric="cosine")
    refit_calibration(tmp_path, corpus, valid, {}, weight=0.3, metric="cosine",
                      model="tuned", evidence=evidence)
    cal = calibration_for(tmp_path)
    index = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=0.3,
                                     texts=texts, calibration=cal)
    assert index.with_evidence and index.calibration.evidence == evidence
    twin = np.arange(len(texts)) ^ 1
    first = index.pool(5).indices[:, 0]
    plain = corpus.index(0.3, "cosine", PLAIN).pool(5).indices[:, 0]
    assert (first == twin).mean() > (plain == twin).mean()
    scores = pipeline_scores(corpus, valid, cal, weights=(0.3,))
    held = np.asarray(valid.query_rows)
    assert scores[0].recall_at_1 == pytest.approx((first[held] == held + 1).mean())


def test_held_out_lists_compare_the_model_number_column(rng):
    """A catalog whose titles repeat (one title for every look-alike) and whose model
    number column tells the products apart: the lists fine-tuning chooses its weight and
    calibration on read the column as the catalog's lists do (twins lead more lists, and a
    twin's look-alike with another number no longer reads as the same text)."""
    vectors, _ = _noisy_twins(rng, n=120)
    texts = [f"{THINGS[(i // 2) % 8]} model" for i in range(len(vectors))]
    numbers = [f"QX-{i // 2}{7 * (i // 2) % 10}Z" for i in range(len(vectors))]
    valid = _held_out(texts, np.arange(0, 60, 2))
    rows = np.arange(len(texts))
    plain = Corpus(vectors, build_index(texts), rows, texts)
    with_numbers = Corpus(vectors, build_index(texts), rows, texts, numbers)
    before = pipeline_scores(plain, valid, BUNDLED, weights=(0.3,))[0]
    after = pipeline_scores(with_numbers, valid, BUNDLED, weights=(0.3,))[0]
    assert after.recall_at_1 > before.recall_at_1 + 0.2
    look_alike = 16  # the same title as product 0 (THINGS repeat every 8 pairs)
    assert texts[look_alike] == texts[0] and numbers[look_alike] != numbers[0]
    for corpus, same in ((plain, True), (with_numbers, False)):
        score = corpus.index(0.3, "cosine", BUNDLED).pair_scores(np.array([0]),
                                                                 np.array([look_alike]))
        assert (score.score[0] >= 1.0 - 1e-6) == same


def test_finetune_refuses_model_numbers_that_do_not_match_the_catalog(tiny_bert_dir, catalog,
                                                                   data, tmp_path):
    with pytest.raises(FinetuneError, match=f"3 model numbers for {len(catalog.texts)} products"):
        finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                 out=tmp_path / "tuned", model_numbers=["a", "b", "c"])
    assert not (tmp_path / "tuned").exists()


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
    with pytest.raises(FinetuneError, match=r"cannot be fine-tuned.*bundled multilingual model"
                                            r".*bundled all-MiniLM-L6-v2"):
        check_trainable(engine)
    with pytest.raises(FinetuneError, match="bundled"):  # the current model is tuned further
        finetune(catalog.texts, data, base_model=engine, settings=FAST, out=tmp_path / "x")
    with pytest.raises(FinetuneError, match="bundled"):  # or the one named to start from
        finetune(catalog.texts, data, base_model=None, start_from=engine, settings=FAST,
                 out=tmp_path / "y")
    check_trainable("bundled")
    check_trainable("multilingual")  # trained through its expanded copy (core.embed.expand)


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

