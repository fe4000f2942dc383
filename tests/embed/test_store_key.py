"""The embedding store key comes from the model folder's files, so a run whose texts are all
in the store never loads the model, and the key is the very one stores already hold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.embed import bert
from core.embed.encoders import BertEncoder
from core.embed.models import _read_settings, _weights_hash, loaded_facts
from core.embed.store import EmbeddingStore, embed_with_store

TEXTS = ["red running shoe", "blue shirt", "red running shoe", "oak desk chair", ""]
# The bundled model's key on a CPU as every earlier version wrote it into stores.
BUNDLED_CPU_KEY = "all-MiniLM-L6-v2 (bundled)|53aa51172d142c89|mean|256|fp32"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path | str]:
    """The model sources loaded through core.embed.loading._load while a test runs."""
    seen: list[Path | str] = []
    original = bert._load

    def counted(source, device):
        seen.append(source)
        return original(source, device)

    monkeypatch.setattr(bert, "_load", counted)
    return seen


def key_from_the_loaded_model(folder: Path, *, max_tokens: int | None = None) -> str:
    """The key as it was built before: from the loaded tokenizer and model."""
    tokenizer, model, _ = bert._load(folder, "cpu")
    facts = loaded_facts(tokenizer, model)
    settings = _read_settings(folder, facts.tokenizer_max)
    length = min(max_tokens or settings.max_tokens, facts.positions)
    return f"{folder.name}|{_weights_hash(folder)}|{settings.pooling}|{length}|fp32"


def edited_copy(src: Path, dest: Path, edit) -> Path:
    shutil.copytree(src, dest)
    edit(dest)
    return dest


def _without(name: str, key: str):
    def edit(folder: Path) -> None:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        del data[key]
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return edit


def _sentence_transformers_cls(folder: Path) -> None:
    (folder / "sentence_bert_config.json").write_text('{"max_seq_length": 40}')
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')


def test_the_bundled_models_key_is_unchanged(loads: list) -> None:
    encoder = BertEncoder(None, device="cpu", precision="fp32")
    assert encoder.identity == BUNDLED_CPU_KEY
    assert not loads and not encoder.loaded
    assert encoder.identity == key_from_the_loaded_model(encoder.folder).replace(
        encoder.folder.name, "all-MiniLM-L6-v2 (bundled)", 1)
    assert (encoder.dim, encoder.max_tokens) == (384, 256)


@pytest.mark.parametrize("edit", [None, _sentence_transformers_cls,
                                  _without("tokenizer_config.json", "model_max_length")],
                         ids=["as saved", "sentence-transformers cls 40",
                              "no model_max_length"])
def test_a_tiny_models_key_is_the_one_the_loaded_model_gives(tiny_bert_dir: Path,
                                                             tmp_path: Path, edit,
                                                             loads: list) -> None:
    folder = edited_copy(tiny_bert_dir, tmp_path / "tiny-bert", edit) if edit else tiny_bert_dir
    for max_tokens in (None, 20):
        encoder = BertEncoder(folder, device="cpu", max_tokens=max_tokens)
        assert not loads and not encoder.loaded
        assert encoder.identity == key_from_the_loaded_model(folder, max_tokens=max_tokens)
        assert encoder.dim == 32
        loads.clear()  # the old way of building the key loaded it


def test_a_run_with_every_text_stored_never_loads_the_model(tiny_bert_dir: Path,
                                                            tmp_path: Path, loads: list) -> None:
    store = EmbeddingStore(tmp_path / "store.sqlite")
    first = embed_with_store(BertEncoder(tiny_bert_dir, device="cpu"), TEXTS, store)
    assert len(loads) == 1 and first.embedded == 4
    warm = BertEncoder(tiny_bert_dir, device="cpu")
    again = embed_with_store(warm, TEXTS, store)
    assert len(loads) == 1 and not warm.loaded  # the key alone found every vector
    assert again.embedded == 0 and again.reused == len(TEXTS)
    np.testing.assert_array_equal(again.vectors, first.vectors)
    edited = embed_with_store(warm, [*TEXTS, "green tea"], store)  # one new text: loads once
    assert len(loads) == 2 and warm.loaded and edited.embedded == 1
    fresh = BertEncoder(tiny_bert_dir, device="cpu").encode(["green tea"])
    np.testing.assert_allclose(edited.vectors[-1], fresh[0], atol=1e-6)
    store.close()


def test_the_model_loads_on_first_use_of_its_parts(tiny_bert_dir: Path, loads: list) -> None:
    encoder = BertEncoder(tiny_bert_dir, device="cpu")
    assert encoder.count_truncated(["shoe " * 100, "shoe"]) == 1
    assert encoder.tokenizer is encoder.tokenizer and encoder.model is encoder.model
    assert len(loads) == 1


def test_a_folder_without_weights_still_fails_when_the_encoder_is_made(
        tiny_bert_dir: Path, tmp_path: Path) -> None:
    from core.errors import ModelLoadError

    folder = edited_copy(tiny_bert_dir, tmp_path / "no-weights",
                         lambda f: (f / "model.safetensors").unlink())
    with pytest.raises(ModelLoadError, match="has no weights file"):
        BertEncoder(folder, device="cpu")
