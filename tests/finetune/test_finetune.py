"""Fine-tuning: training data builders, loss pieces, the saved model folder, the CLI.

Everything runs on the tiny random BERT from conftest, for a few steps (seconds).
Quality on real data is a benchmark (bench/finetune_abt_buy.py), not a test.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.embed.encoders import BertEncoder
from core.errors import CatalogError
from core.finetune import FinetuneCancelled, FinetuneError, FinetuneSettings, finetune
from core.finetune.card import (
    hand_over_models,
    model_base_name,
    model_defaults,
    model_display_name,
    next_version_folder,
)
from core.finetune.data import (
    LabelledPairs,
    TextPairs,
    ValidationSet,
    build_training_set,
    code_view,
    combine,
    corrupt,
    model_tokens,
    pairs_from_frame,
    review_pairs,
    self_supervised_pairs,
    split_validation,
)
from core.finetune.negatives import _batch_masks, mine_negatives, pick_negatives
from core.finetune.settings import retrieval_metrics
from tests.conftest import make_csv_bytes

COLORS = ["red", "blue", "green", "black", "white"]
THINGS = ["shoe", "shirt", "phone case", "cable", "lamp", "desk", "chair", "cup"]


def _frame() -> pd.DataFrame:
    """16 products: 8 things, each sold twice with differently written titles."""
    rows = []
    for i, thing in enumerate(THINGS):
        code = f"x{i}{i + 1}{i + 2}"
        rows.append([f"A{i}", f"{COLORS[i % 5]} {thing} {code}", f"the {thing} with {code} pack"])
        rows.append([f"B{i}", f"{thing} {code} set {COLORS[i % 5]}", f"a {thing} for the desk"])
    return pd.DataFrame(rows, columns=["id", "title", "description"])


@pytest.fixture
def catalog():
    return build_catalog(_frame(), ColumnMapping(text_columns=("title",), id_column="id"))


@pytest.fixture
def pairs(catalog) -> LabelledPairs:
    frame = pd.DataFrame({"left_id": [f"A{i}" for i in range(8)],
                          "right_id": [f"B{i}" for i in range(8)]})
    return pairs_from_frame(frame, catalog)


FAST = FinetuneSettings(epochs=2, batch_size=4, learning_rate=1e-3, valid_fraction=0.25,
                        keep="always", device="cpu")


def test_pairs_map_ids_labels_and_skip_unknown(catalog):
    frame = pd.DataFrame({"ltable_id": ["A0", "A1", "ZZ", "A2"], "rtable_id": ["B0", "B1", "B3", "A2"],
                          "label": ["1", "no", "1", "1"]})
    pairs = pairs_from_frame(frame, catalog)
    assert pairs.left.tolist() == [0, 2] and pairs.right.tolist() == [1, 3]
    assert pairs.label.tolist() == [1, 0]
    assert any("not in the catalog" in w for w in pairs.warnings)
    assert any("itself" in w for w in pairs.warnings)
    with pytest.raises(CatalogError, match="None of the"):
        pairs_from_frame(pd.DataFrame({"a": ["Q"], "b": ["R"]}), catalog)
    with pytest.raises(CatalogError, match="labels"):
        pairs_from_frame(pd.DataFrame({"a": ["A0"], "b": ["B0"], "label": ["maybe"]}), catalog)


def test_an_empty_label_is_skipped_as_evaluate_leaves_it_out(catalog):
    """A blank label cell is not "the same product": fine-tuning skips the row and says so
    (as Evaluate leaves it out); a label column with no cell filled in is refused."""
    frame = pd.DataFrame({"left_id": ["A0", "A1", "A2"], "right_id": ["B0", "B1", "B2"],
                          "label": ["1", "", None]})
    pairs = pairs_from_frame(frame, catalog)
    assert pairs.left.tolist() == [0] and pairs.label.tolist() == [1]
    assert pairs.warnings == ("2 of 3 pairs have an empty label (write 1 for the same product "
                              "or 0 for different); skipped",)
    one = pairs_from_frame(frame.assign(label=["1", "0", ""], left_id=["A0", "ZZ", "A2"]), catalog)
    assert one.warnings == (  # it read "1 of 3 pairs have", "1 of 3 pairs name"
        "1 of 3 pairs has an empty label (write 1 for the same product or 0 for different); "
        "skipped", "1 of 3 pairs names ids that are not in the catalog (ZZ); skipped")
    with pytest.raises(CatalogError, match=r"Every label cell \(column label\) is empty"):
        pairs_from_frame(frame.assign(label=["", " ", None]), catalog)


def test_a_merchants_pairs_file_chinese_labels_and_the_unknown_ids_named(catalog):
    """A Chinese merchant's labels (是/否, 相同/不同) read as 1/0; the warning about pairs
    skipped names the ids that are not in the catalog, so the file can be fixed."""
    frame = pd.DataFrame({"商品A": ["A0", "A1", "A2", "A3", "X9", "A5"],
                          "商品B": ["B0", "B1", "B2", "B3", "B4", "Y7"],
                          "是否相同": ["是", "否", "相同", "不同", "是", "否"]})
    pairs = pairs_from_frame(frame, catalog)
    assert pairs.left.tolist() == [0, 2, 4, 6] and pairs.label.tolist() == [1, 0, 1, 0]
    assert pairs.warnings == ("2 of 6 pairs name ids that are not in the catalog (X9, Y7); "
                              "skipped",)


def test_a_pairs_file_the_app_wrote_reads_back_with_formula_like_ids(tmp_path):
    """The Review page's labelled pairs CSV is written formula-safe: an id such as
    "-B07X" or "+44 20" gets a leading ' for Excel. Uploaded again on Evaluate or
    Fine-tune, those pairs matched no product and were skipped. The ' the export added
    is read off where the id without it is in the catalog (and kept where it is not)."""
    from core.export.tables import to_bytes
    from core.finetune.pairs import read_pairs

    frame = pd.DataFrame({"id": ["-B07X", "+44 20", "@home", "=A1", "'-q", "plain"],
                          "title": ["red shoe", "red shoe 2", "lamp", "lamp 2", "cup", "cup 2"]})
    catalog = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    written = pd.DataFrame({"left_id": ["-B07X", "@home", "'-q"],
                            "right_id": ["+44 20", "=A1", "plain"], "label": [1, 0, 1]})
    data = to_bytes(written, "csv")
    assert b"'-B07X" in data  # what Excel is protected by
    pairs = read_pairs(data, catalog, filename="review_pairs.csv")
    assert pairs.left.tolist() == [0, 2, 4] and pairs.right.tolist() == [1, 3, 5]
    assert pairs.label.tolist() == [1, 0, 1] and pairs.warnings == ()


def test_missing_label_means_positive_and_combine_keeps_last(catalog):
    first = pairs_from_frame(pd.DataFrame({"l": ["A0", "A1"], "r": ["B0", "B1"]}), catalog)
    assert first.label.tolist() == [1, 1]
    second = pairs_from_frame(pd.DataFrame({"l": ["B1"], "r": ["A1"], "label": [0]}), catalog)
    both = combine(first, second)
    assert len(both) == 2
    assert dict(zip(both.left.tolist(), both.label.tolist()))[3] == 0


def test_split_validation_holds_out_whole_products(pairs):
    train, valid = split_validation(pairs, fraction=0.25, seed=0)
    assert len(train) + len(valid) == len(pairs) and len(valid) == 2
    assert not set(train.left.tolist()) & set(valid.left.tolist())
    again, _ = split_validation(pairs, fraction=0.25, seed=0)
    assert again.left.tolist() == train.left.tolist()
    one = pairs.subset(np.arange(len(pairs)) == 0)
    assert len(split_validation(one, fraction=0.5)[1]) == 0


def test_model_tokens_and_corrupt_keep_codes():
    assert model_tokens("Sony VGP-PRSZ1 Dock - VGPPRSZ1 46'' 2m") == ["VGP-PRSZ1", "VGPPRSZ1"]
    rng = np.random.default_rng(0)
    title = "Weber Genesis E-310 Natural Gas Black Outdoor Grill 3841001"
    for _ in range(20):
        noisy = corrupt(title, rng)
        assert "E-310" in noisy and "3841001" in noisy
        assert set(noisy.split()) <= set(title.split())
    assert corrupt("two words", rng) == "two words"


def test_self_supervised_pairs_are_views_of_the_same_product(catalog):
    cat = build_catalog(_frame(), ColumnMapping(text_columns=("title",), id_column="id"))
    views = self_supervised_pairs(cat, max_pairs=100, per_product=2, seed=0)
    assert len(views) > len(cat)
    assert (views.anchor_rows == views.positive_rows).all()
    for a, p, row in zip(views.anchors, views.positives, views.anchor_rows):
        assert a == cat.texts[row] and p != a
    descriptions = set(_frame()["description"])
    assert any(p in descriptions for p in views.positives)
    again = self_supervised_pairs(cat, max_pairs=100, per_product=2, seed=0)
    assert again.positives == views.positives


def test_build_training_set_without_labels_needs_self_supervision(catalog):
    with pytest.raises(CatalogError, match="self-supervised"):
        build_training_set(catalog, None)
    data = build_training_set(catalog, None, self_supervised=True, valid_fraction=0.2)
    assert data.valid is not None and data.valid.source == "held-out views"
    assert len(data.train) + len(data.valid) >= len(catalog)


def test_batch_masks_hide_known_matches_but_not_the_diagonal():
    known = {0: {5}, 5: {0}}
    fwd, back = _batch_masks(np.array([0, 1]), np.array([5, 6]), np.array([5, 7]), known)
    assert fwd.shape == (2, 4) and back.shape == (2, 2)
    assert not fwd[0, 0] and not fwd[1, 1]
    assert fwd[0, 2]  # negative 5 is anchor 0's match
    assert not fwd[1, 2] and not fwd[1, 3] and not fwd[0, 3]
    same, _ = _batch_masks(np.array([0, 0]), np.array([5, 5]), np.zeros(0, int), known)
    assert same.tolist() == [[False, True], [True, False]]


def test_mine_negatives_never_picks_a_match(rng):
    vectors = rng.normal(size=(12, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    pairs = TextPairs(["a"] * 4, ["b"] * 4, np.array([0, 1, 2, 3]), np.array([6, 7, 8, 9]))
    known = {0: {6, 10}, 1: {7}, 2: {8}, 3: {9}}
    cands = mine_negatives(vectors, pairs, np.arange(12), known, rejected={3: {11}}, depth=3,
                           filter_above_positive=False)
    assert cands.shape == (4, 3)
    for a, p, row in zip(pairs.anchor_rows, pairs.positive_rows, cands[:3]):
        assert (row >= 0).all() and not set(row.tolist()) & (known[int(a)] | {int(a), int(p)})
    assert cands[3].tolist() == [11, -1, -1]  # a rejected pair is the negative
    # The candidates are the closest non-matches, in order.
    order = np.argsort(-(vectors[1:2] @ vectors.T)[0], kind="stable")
    assert cands[1].tolist() == [int(r) for r in order if r not in (1, 7)][:3]
    picks = np.stack([pick_negatives(cands, rng) for _ in range(50)])
    assert (picks[:, 3] == 11).all()
    assert set(picks[:, 0].tolist()) == set(cands[0].tolist())


def test_mined_negatives_scoring_above_the_positive_are_skipped():
    # Anchor 0 with positive 1 (cosine 0.8); rows 2 and 3 are closer than the positive
    # (likely unlabelled matches), rows 4 and 5 farther (true negatives).
    angles = np.array([0.0, 0.6435, 0.2, 0.4, 1.0, 1.3])
    vectors = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    pairs = TextPairs(["a"], ["b"], np.array([0]), np.array([1]))
    kept = mine_negatives(vectors, pairs, np.arange(6), {0: {1}}, depth=4)
    assert kept[0].tolist() == [4, 5, -1, -1]
    every = mine_negatives(vectors, pairs, np.arange(6), {0: {1}}, depth=4,
                           filter_above_positive=False)
    assert every[0].tolist() == [2, 3, 4, 5]


def test_base_mix_and_frozen_embeddings(tiny_bert_dir, catalog, pairs, tmp_path):
    from safetensors.numpy import load_file

    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    base = load_file(str(Path(tiny_bert_dir) / "model.safetensors"))
    tuned = {}
    for name, mix, freeze in (("full", 0.0, False), ("mixed", 0.25, False),
                              ("frozen", 0.0, True)):
        settings = FinetuneSettings(**{**FAST.__dict__, "base_mix": mix,
                                       "freeze_embeddings": freeze})
        res = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=settings,
                       out=tmp_path / name)
        tuned[name] = load_file(str(res.folder / "model.safetensors"))
    key = next(k for k in tuned["full"] if k.endswith("word_embeddings.weight"))
    layer = next(k for k in tuned["full"] if k.endswith("attention.self.query.weight"))
    src = {k.removeprefix("bert."): v for k, v in base.items()}
    base_of = (lambda k: src[k.removeprefix("bert.")])
    assert np.array_equal(tuned["frozen"][key], base_of(key))
    assert not np.array_equal(tuned["frozen"][layer], base_of(layer))
    assert not np.allclose(tuned["full"][layer], base_of(layer))
    # Same seed, same steps: the mixed model is 0.75 * tuned + 0.25 * base, weight by weight.
    want = 0.75 * tuned["full"][layer] + 0.25 * base_of(layer)
    assert np.allclose(tuned["mixed"][layer], want, atol=1e-6)
    with pytest.raises(FinetuneError):
        FinetuneSettings(base_mix=1.0)


def test_self_supervised_pairs_get_no_mined_negative(rng):
    vectors = rng.normal(size=(6, 4)).astype(np.float32)
    pairs = TextPairs(["a", "b", "c"], ["a'", "b'", "c'"], np.array([0, 1, 2]),
                      np.array([0, 1, 4]))
    cands = mine_negatives(vectors, pairs, np.arange(6), {}, depth=2)
    assert (cands[:2] == -1).all() and not set(cands[2].tolist()) & {-1, 2, 4}
    assert (pick_negatives(cands, np.random.default_rng(0))[:2] == -1).all()


def test_code_view_is_brand_plus_model_numbers():
    assert code_view("Sony Turntable - PSLX350H") == "Sony PSLX350H"
    assert code_view("3841001 weber grill") == "3841001"
    assert code_view("usb cable") is None


def test_retrieval_metrics_against_hand_oracle():
    corpus = np.eye(4, dtype=np.float32)
    queries = np.array([[1, 0.1, 0, 0], [0.2, 0, 1, 0], [0, 0, 0.3, 1]], dtype=np.float32)
    valid = ValidationSet(["q"] * 3, np.array([-1, -1, 3]),
                          [frozenset({0}), frozenset({0}), frozenset({2})])
    m = retrieval_metrics(queries, corpus, np.arange(4), valid, k=2)
    # q0: rank 1; q1: row 0 second; q2: own row 3 excluded -> row 2 first.
    assert m.recall_at_1 == pytest.approx(2 / 3)
    assert m.recall_at_k == pytest.approx(1.0)
    assert m.mrr == pytest.approx((1 + 0.5 + 1) / 3)


def test_versioned_folder_names(tmp_path):
    assert model_base_name("all-MiniLM-L6-v2 (bundled)") == "all-MiniLM-L6-v2"
    assert model_base_name("shop-ft-v3") == "shop"
    assert next_version_folder(tmp_path, "shop").name == "shop-ft-v1"
    (tmp_path / "shop-ft-v1").mkdir()
    (tmp_path / "shop-ft-v7").mkdir()
    assert next_version_folder(tmp_path, "shop-ft-v1").name == "shop-ft-v8"


def _check_folder(folder: Path, base: BertEncoder) -> None:
    assert (folder / "model.safetensors").exists()
    assert not list(folder.glob("adapter_*"))
    assert (folder / "sentence_bert_config.json").exists()
    assert (folder / "1_Pooling" / "config.json").exists()
    tuned = BertEncoder(folder, device="cpu")
    assert tuned.identity != base.identity
    assert tuned.max_tokens == base.max_tokens and tuned.pooling == base.pooling
    vectors = tuned.encode(["red shoe", "blue cable", ""])
    assert vectors.shape == (3, base.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert not np.allclose(vectors, base.encode(["red shoe", "blue cable", ""]))


@pytest.mark.parametrize("lora", [False, True])
def test_finetune_saves_a_folder_bertencoder_loads(tiny_bert_dir, tiny_encoder, catalog,
                                                   pairs, tmp_path, lora):
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    steps = []
    settings = FinetuneSettings(**{**FAST.__dict__, "lora": lora})
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=settings,
                      out=tmp_path / "tuned", progress=lambda d, t: steps.append((d, t)))
    assert result.kept and result.folder == tmp_path / "tuned"
    assert steps[-1] == (result.steps, result.steps) == (4, 4)
    assert result.before.queries == result.after.queries == 2
    _check_folder(result.folder, tiny_encoder)
    card = json.loads((result.folder / "card.json").read_text())
    assert card["settings"]["lora"] is lora and card["data"]["positive_pairs"] == 8
    assert card["metrics"]["after"]["mrr"] == pytest.approx(result.after.mrr)
    assert "Fine-tuned from" in (result.folder / "README.md").read_text()
    assert not list(tmp_path.glob(".*tmp"))


def test_finetune_keeps_only_an_improvement(tiny_bert_dir, catalog, pairs, tmp_path):
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    settings = FinetuneSettings(**{**FAST.__dict__, "keep": "improved", "learning_rate": 1e-12,
                                   "epochs": 1})
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=settings,
                      models_dir=tmp_path / "models")
    assert result.after.mrr == pytest.approx(result.before.mrr)
    assert not result.kept and result.folder is None and "not kept" in result.notes[0]
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_each_session_numbers_its_own_models_and_keeps_the_others_folders(tmp_path):
    """Version numbers counted every session's folders: session B's first model could be
    'shop-ft-v2', telling B that someone else on the server had fine-tuned. A session
    numbers its models among its own (its first is v1), in a folder no other session's or
    shared model takes; the command line's shared models keep their own numbering."""
    a, b = "a" * 32, "b" * 32
    shared = next_version_folder(tmp_path, "shop")
    assert shared.name == "shop-ft-v1"
    first_a = next_version_folder(tmp_path, "shop", owner=a)
    first_a.mkdir()  # claimed by a run under way
    first_b = next_version_folder(tmp_path, "shop", owner=b)
    assert first_a.name.startswith("shop-ft-v1-") and first_b.name.startswith("shop-ft-v1-")
    assert first_a != first_b
    first_b.mkdir()
    again_a = next_version_folder(tmp_path, "shop-ft-v1", owner=a)  # from A's own v1
    assert again_a.name.startswith("shop-ft-v2-") and again_a.parent == tmp_path
    assert next_version_folder(tmp_path, "shop").name == "shop-ft-v1"  # the CLI's own count
    # A's Start over hands its models to a new address (c): they count for c, whose next
    # one is v2, in a folder of its own
    (first_a / "card.json").write_text(json.dumps({"owner": a, "name": "shop-ft-v1"}))
    c = "c" * 32
    assert hand_over_models(tmp_path, a, c) == 1
    after_over = next_version_folder(tmp_path, "shop", owner=c)
    assert after_over.name.startswith("shop-ft-v2-") and not after_over.exists()
    assert model_display_name(first_a) == "shop-ft-v1" and model_display_name(first_b) == first_b.name


def test_a_sessions_model_is_shown_by_its_own_number(tiny_bert_dir, catalog, pairs, tmp_path):
    """The name the app shows (picker, card, the weight it brings) is the session's own
    version, while the folder on disk stays apart from everyone else's."""
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    models = tmp_path / "models"
    cli = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST, models_dir=models)
    a = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST, models_dir=models,
                 owner="a" * 32)
    b = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST, models_dir=models,
                 owner="b" * 32)
    assert cli.folder == models / "tiny-bert-ft-v1"
    assert len({cli.folder, a.folder, b.folder}) == 3
    for result in (a, b):
        assert model_display_name(result.folder) == "tiny-bert-ft-v1"
        assert (result.folder / "README.md").read_text().startswith("# tiny-bert-ft-v1\n")
        assert "chosen for tiny-bert-ft-v1 " in model_defaults(result.folder).source
        BertEncoder(result.folder, device="cpu")  # loads from its folder
    a2 = finetune(catalog.texts, data, base_model=a.folder, settings=FAST, models_dir=models,
                  owner="a" * 32)
    assert model_display_name(a2.folder) == "tiny-bert-ft-v2"
    assert json.loads((a2.folder / "card.json").read_text())["base_model"] == "tiny-bert-ft-v1"
    assert model_display_name(cli.folder) == "tiny-bert-ft-v1"


def test_finetune_versioned_folder_and_cancel(tiny_bert_dir, catalog, pairs, tmp_path):
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    models = tmp_path / "models"
    first = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                     models_dir=models)
    assert first.folder == models / "tiny-bert-ft-v1"
    second = finetune(catalog.texts, data, base_model=first.folder, settings=FAST,
                      models_dir=models)
    assert second.folder == models / "tiny-bert-ft-v2"
    calls = []
    with pytest.raises(FinetuneCancelled):
        finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST, models_dir=models,
                 cancel=lambda: len(calls) > 0, progress=lambda d, t: calls.append(d))
    assert calls == [1]
    assert sorted(p.name for p in models.iterdir()) == ["tiny-bert-ft-v1", "tiny-bert-ft-v2"]
    with pytest.raises(FinetuneError, match="not empty"):
        finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST, out=first.folder)


@pytest.mark.parametrize("stop_at", ["the new model on the held-out pairs",
                                     "the lists at every hybrid weight",
                                     "fitting the 0..1 list scores"])
def test_a_stop_after_training_keeps_nothing(tiny_bert_dir, catalog, pairs, tmp_path, stop_at):
    """Stop pressed while the run validated, chose the weight or calibrated (a minute on a
    large catalog) was only checked between training steps: the run went on, and kept and
    offered the model the user had stopped. It stops at the next phase now, and the
    unvalidated copy is removed."""
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    models = tmp_path / "models"
    seen: list[str] = []
    stop = [False]

    def status(message: str) -> None:
        seen.append(message)
        stop[0] = stop[0] or stop_at in message

    with pytest.raises(FinetuneCancelled):
        finetune(catalog.texts, data, base_model=tiny_bert_dir, models_dir=models,
                 settings=FAST, status=status, cancel=lambda: stop[0])
    assert any(stop_at in m for m in seen), seen
    assert not models.exists() or not any(models.rglob("*.safetensors")), list(models.rglob("*"))


def test_a_run_that_saves_while_another_trains_takes_the_next_version(tiny_bert_dir, catalog,
                                                                     pairs, tmp_path):
    """Two browser sessions fine-tune at once: the one that finishes first used to save
    under the version the other had chosen, which then failed at the end (OSError:
    directory not empty) and lost its model."""
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    models = tmp_path / "models"
    other = []

    def status(message: str) -> None:  # the other session's whole run, while this one saves
        if message == "saving the model" and not other:
            other.append(finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                                  models_dir=models))

    first = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                     models_dir=models, status=status)
    assert first.folder == models / "tiny-bert-ft-v1"
    assert other[0].folder == models / "tiny-bert-ft-v2"
    assert sorted(p.name for p in models.iterdir()) == ["tiny-bert-ft-v1", "tiny-bert-ft-v2"]
    for folder in (first.folder, other[0].folder):
        assert (folder / "card.json").exists() and (folder / "model.safetensors").exists()


def test_self_supervised_finetune_runs(tiny_bert_dir, catalog, tmp_path):
    data = build_training_set(catalog, None, self_supervised=True, valid_fraction=0.2)
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                      out=tmp_path / "ss")
    assert result.kept and result.after.queries == len(data.valid)


def test_review_decisions_are_read_from_the_review_store(catalog, tmp_path, monkeypatch):
    db = tmp_path / "ws.sqlite"
    db.write_bytes(b"")

    class FakeStore:
        def __init__(self, path, for_catalog, owner=None):
            assert Path(path) == db and for_catalog is catalog and owner is None

        def as_labelled_pairs(self):
            return pd.DataFrame({"left_id": ["A0", "A1"], "right_id": ["B0", "B2"],
                                 "label": [1, 0]})

    import core.finetune.pairs as pairs_module

    monkeypatch.setattr(pairs_module, "ReviewStore", FakeStore)
    pairs = review_pairs(db, catalog)
    assert pairs.source == "review decisions" and pairs.label.tolist() == [1, 0]
    assert len(review_pairs(tmp_path / "missing.sqlite", catalog)) == 0  # no database, no reviews


def test_cli_finetune_with_the_tiny_model(tiny_bert_dir, tiny_encoder, tmp_path, capsys):
    from core.cli import main

    frame = _frame()
    cat_path = tmp_path / "catalog.csv"
    cat_path.write_bytes(make_csv_bytes([list(frame.columns), *frame.values.tolist()]))
    pairs_path = tmp_path / "pairs.csv"
    pairs_path.write_bytes(make_csv_bytes([["left_id", "right_id", "label"],
                                           *[[f"A{i}", f"B{i}", 1] for i in range(8)],
                                           ["A0", "B1", 0]]))
    out = tmp_path / "cli-model"
    common = ["--id-col", "id", "--text-cols", "title", "--model", str(tiny_bert_dir),
              "--workspace", str(tmp_path / "ws"), "--epochs", "1", "--train-batch-size", "4",
              "--valid-fraction", "0.25", "--device", "cpu"]
    rc = main(["finetune", str(cat_path), "--pairs", str(pairs_path), "--out", str(out),
               "--keep-always", *common])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "before: Recall@1" in err and f"saved {out}" in err
    _check_folder(out, tiny_encoder)
    # the nightly lists with the new model reuse the vectors the job left in the store
    rc = main(["neighbors", str(cat_path), "--id-col", "id", "--text-cols", "title",
               "--model", str(out), "--workspace", str(tmp_path / "ws"),
               "--out", str(tmp_path / "lists.csv")])
    err = capsys.readouterr().err
    assert rc == 0 and "embedded 0, reused 16 from the store" in err, err
    rc = main(["finetune", str(cat_path), "--out", str(tmp_path / "x"), *common])
    assert rc == 2 and "No training data" in capsys.readouterr().err
    rc = main(["finetune", str(cat_path), "--self-supervised", "--lora", "--keep-always",
               *common])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert (tmp_path / "ws" / "models" / "tiny-bert-ft-v1" / "card.json").exists()
    # a model that did not do better is not kept: the job says how to keep it anyway
    rc = main(["finetune", str(cat_path), "--pairs", str(pairs_path), "--learning-rate", "1e-12",
               *common])
    err = capsys.readouterr().err
    assert rc == 0 and "the new model was not kept" in err, err
    assert err.strip().splitlines()[-1] == ("to save it anyway (say, to compare it on other "
                                            "data), run again with --keep-always")
    assert not (tmp_path / "ws" / "models" / "tiny-bert-ft-v2").exists()
    # kept anyway (--keep-always): the job says it is no better, not only where it was saved
    rc = main(["finetune", str(cat_path), "--pairs", str(pairs_path), "--learning-rate", "1e-12",
               "--keep-always", *common])
    err = capsys.readouterr().err
    assert rc == 0 and "saved " in err, err
    assert err.strip().splitlines()[-1] == (
        "its held-out lists are not better than the current model's: it was kept only because "
        "of --keep-always; keep using the current model unless you mean to try it")
    # for an app session (--session: its review decisions): the model is that session's,
    # numbered among its own, listed in its picker only; not everyone's
    from core.finetune.card import model_owner
    from core.workspace import new_session_token, session_model_owner

    token = new_session_token()
    rc = main(["finetune", str(cat_path), "--self-supervised", "--keep-always",
               "--session", token, *common])
    err = capsys.readouterr().err
    assert rc == 0, err
    folder = next(p for p in (tmp_path / "ws" / "models").iterdir() if model_owner(p))
    assert model_owner(folder) == session_model_owner(token)
    assert model_display_name(folder) == "tiny-bert-ft-v1" and folder.name != "tiny-bert-ft-v1"
    assert err.strip().splitlines()[-1] == (f"it is tiny-bert-ft-v1 in the model picker of app "
                                            f"session {token} only (other sessions neither "
                                            "list nor load it)")


def test_real_review_store_decisions_become_pairs(catalog, tmp_path):
    review = pytest.importorskip("core.lists.review")
    db = tmp_path / "ws.sqlite"
    store = review.ReviewStore(db, review.review_key(catalog))
    store.record("A0", "B0", "accept")
    store.record("A1", "B2", "reject")
    store.record("A2", "B2", "skip")
    pairs = review_pairs(db, catalog)
    assert sorted(zip(pairs.left.tolist(), pairs.right.tolist(), pairs.label.tolist())) == \
        [(0, 1, 1), (2, 5, 0)]


@pytest.mark.app
def test_finetune_page_trains_in_the_background_and_offers_the_model(tiny_bert_dir, workspace,
                                                                      monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT

    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    at.switch_page("pages/finetune.py").run()
    assert not at.exception, at.exception
    assert at.button(key="finetune.start").disabled
    at.checkbox(key="finetune.self_supervised").check().run()
    at.number_input(key="finetune.epochs").set_value(1)
    at.number_input(key="finetune.batch_size").set_value(256)
    at.checkbox(key="finetune.keep_always").check().run()
    assert not at.button(key="finetune.start").disabled
    at.button(key="finetune.start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["finetune.job"]
    job.join(timeout=600)
    assert not job.running and job.error is None, job.error
    at.run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "model" in d.value.columns)
    assert list(table["model"]) == ["before (current model)", "after (fine-tuned)"]
    lists = next(d.value for d in at.dataframe if "lists" in d.value.columns)
    assert list(lists["lists"])[:2] == ["current model", "fine-tuned, current weight"]
    chosen = job.result.weight_choice.weight
    folder = job.result.folder
    assert folder.parent == workspace / "models" and (folder / "card.json").exists()
    # the session's first model is its v1, whatever other sessions made; shown by that name
    assert model_display_name(folder) == "tiny-bert-ft-v1" != folder.name
    assert "Fine-tuned: tiny-bert-ft-v1" in at.selectbox(key="settings.model_choice").options
    assert any("Saved as tiny-bert-ft-v1 in" in s.value for s in at.success)
    at.button(key="finetune.use").click().run()
    assert at.selectbox(key="settings.model_choice").value == str(folder)
    assert not at.exception, at.exception
    # The new model brings its own hybrid weight: set when picked, shown, overridable.
    assert at.slider(key="settings.hybrid_weight").value == pytest.approx(chosen)
    assert any("This model's own weight" in c.value for c in at.caption)
    at.slider(key="settings.hybrid_weight").set_value(0.35).run()
    assert at.session_state["settings.config"].hybrid_weight == pytest.approx(0.35)


def _cli_finetune_spy(tiny_bert_dir, tmp_path, monkeypatch, argument: str):
    """(what each run of core.finetune.run.finetune got as `argument`, the CLI arguments of
    a quick `finetune` run on pairs A_i = B_i of _frame's catalog)."""
    import core.finetune.run as run

    seen: list = []
    real = run.finetune

    def spy(*args, **kwargs):
        seen.append(kwargs.get(argument))
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "finetune", spy)
    pairs_path = tmp_path / "pairs.csv"
    pairs_path.write_bytes(make_csv_bytes([["left_id", "right_id"],
                                           *[[f"A{i}", f"B{i}"] for i in range(8)]]))
    return seen, ["--id-col", "id", "--text-cols", "title", "--model", str(tiny_bert_dir),
                  "--workspace", str(tmp_path / "ws"), "--epochs", "1", "--train-batch-size",
                  "4", "--valid-fraction", "0.25", "--device", "cpu", "--pairs",
                  str(pairs_path), "--keep-always"]


def test_cli_finetune_reads_the_model_number_column_as_the_lists_do(tiny_bert_dir, tmp_path,
                                                                    capsys, monkeypatch):
    """A column named like a model number is found and compared in the lists fine-tuning
    chooses its weight and calibration on (as `neighbors` compares it); none with
    --model-number-col none."""
    from core.cli import main

    frame = _frame()
    frame["modelno"] = [f"MN-{i // 2}" for i in range(len(frame))]
    cat_path = tmp_path / "catalog.csv"
    cat_path.write_bytes(make_csv_bytes([list(frame.columns), *frame.values.tolist()]))
    seen, common = _cli_finetune_spy(tiny_bert_dir, tmp_path, monkeypatch, "model_numbers")
    rc = main(["finetune", str(cat_path), "--out", str(tmp_path / "a"), *common])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "model number column (automatic): modelno" in err
    assert seen[-1] == frame["modelno"].tolist()
    rc = main(["finetune", str(cat_path), "--out", str(tmp_path / "b"), *common,
               "--model-number-col", "none"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "model number column" not in err and seen[-1] is None


def test_cli_finetune_reads_the_price_column_as_the_lists_do(tiny_bert_dir, tmp_path, capsys,
                                                             monkeypatch):
    """A column named price is read as the lists read it (prices more than twice apart are
    evidence there, so the held-out lists that choose the weight and calibration read them
    too); a price column in two units is left out, with the warning the lists give."""
    from core.cli import main

    seen, common = _cli_finetune_spy(tiny_bert_dir, tmp_path, monkeypatch, "prices")
    for cents in (False, True):
        frame = _frame()
        frame["price"] = [f"{10 + i // 2}.99" if i % 2 == 0 or not cents else f"{(10 + i // 2) * 100}"
                          for i in range(len(frame))]
        frame["title"] = [f"{t} zq{100 + i // 2}x" for i, t in enumerate(frame["title"])]
        frame = pd.concat([frame] * 2, ignore_index=True)  # 20 pairs and more name one code
        frame["id"] = [f"{v}" if i < 16 else f"{v}-{i}" for i, v in enumerate(frame["id"])]
        cat_path = tmp_path / f"catalog-{cents}.csv"
        cat_path.write_bytes(make_csv_bytes([list(frame.columns), *frame.values.tolist()]))
        rc = main(["finetune", str(cat_path), "--out", str(tmp_path / f"m-{cents}"), *common])
        err = capsys.readouterr().err
        assert rc == 0, err
        if cents:
            assert seen[-1] is None and "Prices in column 'price' are left out" in err, err
        else:
            np.testing.assert_allclose(seen[-1], [10.99 + i // 2 for i in range(16)] * 2)
            assert "left out of the scores" not in err


def test_cli_start_from_names_the_model_trained(tiny_bert_dir, tmp_path, monkeypatch, capsys):
    """--start-from: a model name, 'current' (the --model the lists use) or, left out, the
    default start (the tiny model chosen with --model is tuned further); the current model
    is always what "before" measures (base_model)."""
    import core.finetune.run as run
    from core.cli import main
    from core.finetune.settings import FinetuneCancelled

    seen: list = []

    def recorded(texts, data, **kwargs):
        seen.append((kwargs["base_model"], kwargs["start_from"]))
        raise FinetuneCancelled("recorded")

    monkeypatch.setattr(run, "finetune", recorded)
    frame = _frame()
    cat_path = tmp_path / "catalog.csv"
    cat_path.write_bytes(make_csv_bytes([list(frame.columns), *frame.values.tolist()]))
    common = ["--id-col", "id", "--text-cols", "title", "--model", str(tiny_bert_dir),
              "--workspace", str(tmp_path / "ws"), "--self-supervised"]
    for flag in ([], ["--start-from", "current"], ["--start-from", "multilingual"],
                 ["--start-from", "bundled"]):
        assert main(["finetune", str(cat_path), *flag, *common]) != 0  # cancelled by the stand-in
    model = str(tiny_bert_dir)
    assert seen == [(model, None), (model, model), (model, "multilingual"), (model, "bundled")]
    engine = tmp_path / "engine"
    engine.mkdir()
    assert main(["finetune", str(cat_path), "--start-from", str(engine), *common]) != 0
    err = capsys.readouterr().err
    assert "cannot be fine-tuned" in err and "multilingual" in err and len(seen) == 4


def test_passes_left_unset_follow_the_model_trained(tiny_bert_dir, catalog, pairs, tmp_path,
                                                    monkeypatch):
    """No epochs asked for: the measured number for the model trained, 2 passes for the
    bundled multilingual model's copy (its lists were the same at 2, 4 and 6 passes on the
    valid splits), 4 for any other model; an explicit number is kept. The job records what
    it ran."""
    import core.finetune.run as run
    from core.finetune.settings import EPOCHS, MULTILINGUAL_EPOCHS

    assert FinetuneSettings().epochs is None
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    unset = replace(FAST, epochs=None)
    other = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=unset,
                     out=tmp_path / "other")
    assert other.epochs_run == other.settings.epochs == EPOCHS == 4
    assert json.loads((other.folder / "card.json").read_text())["settings"]["epochs"] == 4
    # the multilingual start, its expanded copy stood in for by the tiny model (the real
    # copy is trained in tests/finetune/test_finetune_multilingual.py)
    monkeypatch.setattr(run, "trainable_multilingual", lambda _folder: tiny_bert_dir)
    multi = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=unset,
                     start_from="multilingual", out=tmp_path / "multi")
    assert multi.epochs_run == multi.settings.epochs == MULTILINGUAL_EPOCHS == 2
    assert multi.steps * 2 == other.steps
    asked = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=replace(unset, epochs=3),
                     start_from="multilingual", out=tmp_path / "asked")
    assert asked.epochs_run == 3


def test_a_kept_models_catalog_vectors_wait_in_the_store(tiny_bert_dir, catalog, pairs,
                                                         tmp_path, monkeypatch):
    """With the embedding store (a real SQLite file): the model trained embeds the catalog
    through it (a second run embeds nothing again with it), and a kept model's vectors of
    the catalog (validation embedded every row with it) are kept there under the identity
    the lists load it with, so its first lists reuse every one; a model not kept leaves
    nothing in the store."""
    import core.finetune.run as run
    from core.embed.encoders import load_encoder
    from core.embed.store import EmbeddingStore, embed_with_store

    store = EmbeddingStore(tmp_path / "store.sqlite")
    key = b"k" * 32  # an uploaded catalog's session key: the vectors are found under it only
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    texts = catalog.texts
    distinct = len(set(texts))
    # a model other than the current one is trained (as the multilingual copy is)
    copy = tmp_path / "copy"
    shutil.copytree(tiny_bert_dir, copy)
    monkeypatch.setattr(run, "trainable_multilingual", lambda _folder: copy)
    trained = BertEncoder(copy, device="cpu")
    current = BertEncoder(tiny_bert_dir, device="cpu")
    assert current.identity != trained.identity
    encoded: list[int] = []
    real_encode = BertEncoder.encode

    def counting(self, batch, *args, **kwargs):
        if self.identity == trained.identity:
            encoded.append(len(batch))
        return real_encode(self, batch, *args, **kwargs)

    monkeypatch.setattr(BertEncoder, "encode", counting)
    vectors = current.encode(texts)
    result = finetune(texts, data, base_model=tiny_bert_dir, base_vectors=vectors,
                      settings=FAST, out=tmp_path / "tuned", start_from="multilingual",
                      store=store, private=key)
    assert result.kept
    assert result.notes[-1] == (f"the new model has read the catalog already ({distinct} "
                                "different texts, kept in the workspace): its first lists do not "
                                "read it again")
    assert sum(encoded) == distinct and store.count(trained.identity) == distinct
    tuned = load_encoder(str(result.folder))  # as the lists load it (precision "auto")
    assert store.count(tuned.identity) == distinct
    first = embed_with_store(tuned, texts, store, private=key)
    assert first.embedded == 0 and first.reused == len(texts)
    fresh = BertEncoder(result.folder, device="cpu").encode(texts)
    assert np.allclose(first.vectors, fresh, atol=1e-5)
    # another owner's key finds none of them
    assert embed_with_store(tuned, texts[:3], None).embedded == 3
    assert store.get(tuned.identity, [b"x" * 32]) == {}
    # a second run reuses the trained model's vectors instead of embedding the catalog again
    encoded.clear()
    again = finetune(texts, data, base_model=tiny_bert_dir, base_vectors=vectors,
                     settings=replace(FAST, keep="improved", learning_rate=1e-12, epochs=1),
                     models_dir=tmp_path / "models", start_from="multilingual",
                     store=store, private=key)
    assert not again.kept
    assert sum(encoded) == 0  # nothing embedded with the model trained (validation uses its copy)
    rows = store.count()
    assert rows == 2 * distinct  # the model not kept added nothing
    store.close()


def test_a_store_that_fails_costs_the_job_nothing_but_the_reuse(tiny_bert_dir, catalog, pairs,
                                                                  tmp_path):
    """A store that cannot be read or written (here closed under the job) neither stops the
    run nor loses the model: it is kept, and its note says the first lists will embed the
    catalog once."""
    from core.embed.store import EmbeddingStore

    store = EmbeddingStore(tmp_path / "store.sqlite")
    store.close()
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    result = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                      out=tmp_path / "tuned", store=store)
    assert result.kept and (result.folder / "model.safetensors").exists()
    assert result.notes[-1].endswith("; the new model will read the catalog once more for its first lists")


def test_a_model_not_kept_or_deleted_takes_its_export_and_vectors_with_it(
        tiny_bert_dir, catalog, pairs, tmp_path, monkeypatch):
    """Validation exports the new model to ONNX (the CPU path); a model that is not kept
    leaves no export behind (a 12-layer model's is 470 MB, and every run made one), and
    deleting a kept model from the app deletes its export and its vectors in the store,
    not another model's."""
    pytest.importorskip("onnxruntime")
    from core.embed.encoders import load_encoder
    from core.embed.onnx import export_path
    from core.embed.store import EmbeddingStore, embed_with_store
    from core.finetune.card import delete_own_model, owner_tag

    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("core.embed.bert.auto_engine", lambda: "onnx")  # ONNX the faster here
    exports = tmp_path / "cache" / "onnx"
    store = EmbeddingStore(tmp_path / "store.sqlite")
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    dropped = finetune(catalog.texts, data, base_model=tiny_bert_dir, store=store,
                       settings=replace(FAST, keep="improved", learning_rate=1e-12, epochs=1),
                       models_dir=tmp_path / "models")
    assert not dropped.kept
    base = load_encoder(str(tiny_bert_dir))
    assert {p.name for p in exports.glob("*.onnx")} <= {export_path(base.identity).name}
    assert store.count() == 0
    models = tmp_path / "models"
    kept = finetune(catalog.texts, data, base_model=tiny_bert_dir, store=store, settings=FAST,
                    models_dir=models, owner="me")
    assert kept.kept and kept.folder.name.endswith(owner_tag("me"))
    tuned = load_encoder(str(kept.folder))
    assert export_path(tuned.identity).exists()
    assert store.count(tuned.identity) == len(set(catalog.texts))
    embed_with_store(base, catalog.texts, store)  # another model's vectors stay
    delete_own_model(kept.folder, models, owner="me", store=store)
    assert not kept.folder.exists() and not export_path(tuned.identity).exists()
    assert store.count(tuned.identity) == 0
    assert store.count() == store.count(base.identity) == len(set(catalog.texts))
    store.close()


def test_on_an_intel_processor_the_job_makes_no_onnx_export(tiny_bert_dir, catalog, pairs,
                                                             tmp_path, monkeypatch):
    """Where torch's fp32 is as fast as ONNX Runtime (Intel with MKL, core.embed.cpu), the job
    embeds and validates through torch: no export (27 s and 470 MB for a 12-layer model),
    and the kept model's lists read it the same way."""
    pytest.importorskip("onnxruntime")
    from core.embed.encoders import load_encoder

    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("core.embed.bert.auto_engine", lambda: "torch")
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    kept = finetune(catalog.texts, data, base_model=tiny_bert_dir, settings=FAST,
                    models_dir=tmp_path / "models")
    assert kept.kept and kept.after is not None
    tuned = load_encoder(str(kept.folder))
    tuned.encode(catalog.texts[:3])
    assert tuned.precision == "fp32"
    assert not list((tmp_path / "cache").rglob("*.onnx"))
