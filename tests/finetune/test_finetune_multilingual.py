"""Fine-tuning from the bundled multilingual model (its trainable copy, core/embed/expand.py):
the default start when the lists use a bundled model, real weights end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.embed.bert import BertEncoder
from core.embed.expand import BASES_DIR, NAME, PREFIX
from core.embed.models import resolve_model
from core.finetune import FinetuneSettings, finetune
from core.finetune.data import build_training_set
from core.finetune.pairs import pairs_from_frame
from core.finetune.run import start_model

pytestmark = pytest.mark.slow

THINGS = ["running shoe", "cotton shirt", "phone case", "usb cable", "desk lamp", "office chair",
          "coffee cup", "rain jacket", "laptop stand", "water bottle", "wall clock", "yoga mat"]


def test_start_model_is_the_multilingual_copy_for_bundled_models(tiny_bert_dir) -> None:
    assert start_model(None) == start_model("bundled") == "multilingual"
    assert start_model("multilingual") == "multilingual"  # Chinese catalogs too
    assert start_model(tiny_bert_dir) == tiny_bert_dir  # a chosen or tuned model: tuned further


def test_the_lists_model_is_before_and_the_multilingual_copy_is_trained(tmp_path) -> None:
    # torch on any processor (the session's CATSIM_CPU_ENGINE, tests/conftest.py): no ONNX
    # export of the 470 MB copy and of its tuned model (20-30 s each where auto takes ONNX
    # Runtime; that path has its own tests with the tiny model in test_finetune.py)
    rows = []
    for i, thing in enumerate(THINGS):
        rows += [[f"A{i}", f"acme {thing} model {i}{i + 3}"], [f"B{i}", f"{thing} by acme, {i}{i + 3}"],
                 [f"C{i}", f"{thing} 商品 {i}"]]
    catalog = build_catalog(pd.DataFrame(rows, columns=["id", "title"]),
                            ColumnMapping(text_columns=("title",), id_column="id"))
    pairs = pairs_from_frame(pd.DataFrame({"left_id": [f"A{i}" for i in range(len(THINGS))],
                                           "right_id": [f"B{i}" for i in range(len(THINGS))]}),
                             catalog)
    data = build_training_set(catalog, pairs, valid_fraction=0.25)
    said: list[str] = []
    models = tmp_path / "models"
    result = finetune(catalog.texts, data, base_model=None, models_dir=models, status=said.append,
                      settings=FinetuneSettings(epochs=1, batch_size=4, keep="always",
                                                device="cpu"))
    assert said[:2] == ["preparing the multilingual model for training",
                        "embedding the catalog with the current model"], said
    assert f"embedding the catalog with {NAME}, the model to train" in said
    assert result.kept and result.folder == models / f"{NAME}-ft-v1"
    assert result.base_model == NAME
    assert result.notes[0] == f'trained from {NAME}; "before" is the current model, ' \
                              f"{resolve_model(None)[0]}", result.notes
    assert result.before is not None and result.after is not None
    card = json.loads((result.folder / "card.json").read_text())
    assert card["base_model"] == NAME
    assert (result.folder / "calibration.json").is_file()
    assert (models / BASES_DIR / NAME / "expanded.json").is_file()  # made once, kept for the next run
    tuned = BertEncoder(result.folder)  # loads as any BERT folder; reads texts as e5 does
    assert tuned.dim == 384
    pieces = tuned.tokenizer.convert_ids_to_tokens(tuned.tokenizer("lamp")["input_ids"])
    assert "".join(pieces[1:-1]).replace("\u2581", " ").strip() == f"{PREFIX}lamp"
    vectors = tuned.encode(catalog.texts[:3])
    assert vectors.shape == (3, 384)
