"""The BERT encoder (tiny random model) and the persistent embedding store."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from core.embed.encoders import BertEncoder, load_encoder
from core.embed.store import EmbeddingStore, embed_with_store, text_hash
from core.errors import ModelLoadError
from core.workspace import DB_NAME, Workspace

TEXTS = [
    "red running shoe",
    "blue shirt",
    "",
    "green tea 20 pack with a very long description of the leaves and the cup",
    "手机 红色",
    "usb c cable",
    "x",
    "black coffee cup and white desk lamp for the table",
    "oak desk chair",
    "phone case red",
    "pen",
]


class CountingEncoder:
    """Wraps an encoder and records every text it is asked to encode."""

    def __init__(self, inner, identity: str | None = None, fail_on_call: int | None = None):
        self.inner = inner
        self.identity = identity or inner.identity
        self.dim = inner.dim
        self.max_tokens = inner.max_tokens
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call

    @property
    def seen(self) -> list[str]:
        return [t for call in self.calls for t in call]

    def encode(self, texts: Sequence[str], *, progress=None) -> np.ndarray:
        self.calls.append(list(texts))
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise RuntimeError("interrupted")
        return self.inner.encode(texts, progress=progress)

    def count_truncated(self, texts: Sequence[str]) -> int:
        return self.inner.count_truncated(texts)


# --- encoder -----------------------------------------------------------------------------

def test_encode_shape_dtype_and_norms(tiny_encoder: BertEncoder) -> None:
    vectors = tiny_encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 32)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert tiny_encoder.dim == 32
    assert tiny_encoder.max_tokens == 64  # clamped to max_position_embeddings


def test_encode_empty_list(tiny_encoder: BertEncoder) -> None:
    out = tiny_encoder.encode([])
    assert out.shape == (0, 32) and out.dtype == np.float32


def test_encode_is_deterministic(tiny_encoder: BertEncoder) -> None:
    np.testing.assert_array_equal(tiny_encoder.encode(TEXTS[:4]), tiny_encoder.encode(TEXTS[:4]))


def test_encode_order_does_not_depend_on_length_sorting(tiny_encoder: BertEncoder) -> None:
    forward = tiny_encoder.encode(TEXTS, batch_size=3)
    backward = tiny_encoder.encode(TEXTS[::-1], batch_size=3)
    np.testing.assert_allclose(backward[::-1], forward, atol=1e-5)
    one_by_one = np.vstack([tiny_encoder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(one_by_one, forward, atol=1e-5)
    # Different texts give different vectors (rows are not all the same).
    assert np.abs(forward[0] - forward[1]).max() > 1e-3


def test_encode_reports_progress(tiny_encoder: BertEncoder) -> None:
    calls: list[tuple[int, int]] = []
    tiny_encoder.encode(TEXTS, batch_size=4, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(4, 11), (8, 11), (11, 11)]


def test_count_truncated(tiny_encoder: BertEncoder) -> None:
    long_text = " ".join(["shoe"] * 100)
    assert tiny_encoder.count_truncated(["shoe", long_text, ""]) == 1
    vec = tiny_encoder.encode([long_text])
    assert vec.shape == (1, 32) and np.isfinite(vec).all()


def test_identity_names_model_weights_pooling_length(tiny_encoder: BertEncoder,
                                                     tiny_bert_dir: Path) -> None:
    name, weights, pooling, max_tokens, precision = tiny_encoder.identity.split("|")
    assert name == tiny_bert_dir.name
    assert len(weights) == 16
    assert (pooling, max_tokens, precision) == ("mean", "64", "fp32")
    other = BertEncoder(tiny_bert_dir, device="cpu", max_tokens=32)
    assert other.identity != tiny_encoder.identity


# --- model loading errors ----------------------------------------------------------------------

def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        BertEncoder(tmp_path / "no-such-model", device="cpu")


def test_file_instead_of_folder(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="is a file; give the model folder"):
        BertEncoder(path, device="cpu")


def test_unreachable_hub_id_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import huggingface_hub.constants as hub_constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    monkeypatch.chdir(tmp_path)  # so the id cannot be a folder by accident
    with pytest.raises(ModelLoadError) as info:
        BertEncoder("catsim-tests/no-such-model", device="cpu")
    message = str(info.value)
    assert "Cannot load model 'catsim-tests/no-such-model'" in message
    assert "not a local folder" in message and "bundled" in message
    assert "\n" not in message


def test_pickle_only_folder_is_refused(tiny_bert_dir: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickle-bert"
    folder.mkdir()
    for item in tiny_bert_dir.iterdir():
        if item.suffix != ".safetensors":
            shutil.copy(item, folder / item.name)
    torch.save(load_file(tiny_bert_dir / "model.safetensors"), folder / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="safetensors"):
        BertEncoder(folder, device="cpu")


def test_bad_precision_and_kind(tiny_bert_dir: Path) -> None:
    with pytest.raises(ModelLoadError, match="precision must be one of"):
        BertEncoder(tiny_bert_dir, device="cpu", precision="int8")
    with pytest.raises(ModelLoadError, match=r"fp16.*needs a CUDA device"):
        BertEncoder(tiny_bert_dir, device="cpu", precision="fp16")
    with pytest.raises(ModelLoadError, match="Unknown encoder kind 'clip'"):
        load_encoder(tiny_bert_dir, kind="clip")


def test_load_encoder_builds_a_bert_encoder(tiny_bert_dir: Path) -> None:
    encoder = load_encoder(str(tiny_bert_dir), device="cpu", batch_size=2)
    assert isinstance(encoder, BertEncoder) and encoder.batch_size == 2
    assert encoder.encode(["tea"]).shape == (1, 32)


# --- embedding store ---------------------------------------------------------------------

def test_second_call_reuses_every_vector(tiny_encoder: BertEncoder, tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "store.sqlite")
    first = embed_with_store(tiny_encoder, TEXTS, store)
    assert (first.embedded, first.reused) == (len(TEXTS), 0)
    counting = CountingEncoder(tiny_encoder)
    second = embed_with_store(counting, TEXTS, store)
    assert (second.embedded, second.reused) == (0, len(TEXTS))
    assert counting.calls == []
    np.testing.assert_array_equal(second.vectors, first.vectors)
    np.testing.assert_allclose(first.vectors, tiny_encoder.encode(TEXTS), atol=1e-5)
    store.close()


def test_edited_catalog_embeds_only_changed_texts(tiny_encoder: BertEncoder,
                                                  tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "store.sqlite")
    before = embed_with_store(tiny_encoder, TEXTS, store)
    edited = list(TEXTS)
    edited[1] = "blue shirts"
    edited[6] = "y"
    counting = CountingEncoder(tiny_encoder)
    after = embed_with_store(counting, edited, store)
    assert (after.embedded, after.reused) == (2, len(TEXTS) - 2)
    assert sorted(counting.seen) == ["blue shirts", "y"]
    unchanged = [i for i in range(len(TEXTS)) if i not in (1, 6)]
    np.testing.assert_array_equal(after.vectors[unchanged], before.vectors[unchanged])
    np.testing.assert_allclose(after.vectors[[1, 6]], tiny_encoder.encode(["blue shirts", "y"]),
                               atol=1e-5)
    store.close()


def test_identical_texts_are_embedded_once(tiny_encoder: BertEncoder, tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "store.sqlite")
    texts = ["tea", "cup", "tea", "", "tea", ""]
    counting = CountingEncoder(tiny_encoder)
    result = embed_with_store(counting, texts, store)
    assert sorted(counting.seen) == ["", "cup", "tea"]
    assert result.embedded == 3
    np.testing.assert_array_equal(result.vectors[0], result.vectors[2])
    np.testing.assert_array_equal(result.vectors[0], result.vectors[4])
    np.testing.assert_array_equal(result.vectors[3], result.vectors[5])
    assert store.count(tiny_encoder.identity) == 3
    store.close()


def test_store_persists_across_instances(tiny_encoder: BertEncoder, tmp_path: Path) -> None:
    path = tmp_path / "ws" / DB_NAME
    first_store = EmbeddingStore(path)
    first = embed_with_store(tiny_encoder, TEXTS, first_store)
    first_store.close()
    assert path.is_file()
    reopened = EmbeddingStore(path)
    assert reopened.count() == len(TEXTS)
    counting = CountingEncoder(tiny_encoder)
    again = embed_with_store(counting, TEXTS, reopened)
    assert (again.embedded, again.reused) == (0, len(TEXTS))
    assert counting.calls == []
    np.testing.assert_array_equal(again.vectors, first.vectors)
    stored = reopened.get(tiny_encoder.identity, [text_hash(TEXTS[0])])
    np.testing.assert_array_equal(stored[text_hash(TEXTS[0])], first.vectors[0])
    reopened.close()


def test_different_encoder_identity_does_not_reuse(tiny_encoder: BertEncoder,
                                                   tiny_bert_dir: Path,
                                                   tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "store.sqlite")
    embed_with_store(tiny_encoder, TEXTS, store)
    other = BertEncoder(tiny_bert_dir, device="cpu", max_tokens=8)
    counting = CountingEncoder(other)
    result = embed_with_store(counting, TEXTS, store)
    assert (result.embedded, result.reused) == (len(TEXTS), 0)
    assert len(counting.seen) == len(TEXTS)
    assert store.count(tiny_encoder.identity) == len(TEXTS)
    assert store.count(other.identity) == len(TEXTS)
    assert store.count() == 2 * len(TEXTS)
    store.close()


def test_without_a_store(tiny_encoder: BertEncoder) -> None:
    result = embed_with_store(tiny_encoder, TEXTS[:3], None)
    assert (result.embedded, result.reused) == (3, 0)
    assert result.vectors.shape == (3, 32)


def test_chunks_are_committed_as_they_finish(tiny_encoder: BertEncoder, tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "store.sqlite")
    failing = CountingEncoder(tiny_encoder, fail_on_call=2)
    with pytest.raises(RuntimeError, match="interrupted"):
        embed_with_store(failing, TEXTS, store, save_every=4)
    assert store.count(tiny_encoder.identity) == 4
    progress: list[tuple[int, int]] = []
    counting = CountingEncoder(tiny_encoder)
    result = embed_with_store(counting, TEXTS, store, save_every=4,
                              progress=lambda d, t: progress.append((d, t)))
    assert (result.embedded, result.reused) == (len(TEXTS) - 4, 4)
    assert len(counting.calls) == 2  # the 7 missing texts in chunks of 4 + 3
    assert progress[-1] == (len(TEXTS) - 4, len(TEXTS) - 4)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    store.close()


def test_workspace_default_comes_from_the_environment(workspace: Path,
                                                      tiny_encoder: BertEncoder) -> None:
    ws = Workspace.default().ensure()
    assert ws.root == workspace and ws.root.is_dir()
    store = EmbeddingStore(ws.db_path)
    embed_with_store(tiny_encoder, ["tea"], store)
    store.close()
    assert (workspace / DB_NAME).is_file()


def test_private_keys_keep_owners_apart_in_one_store(tiny_encoder, tmp_path) -> None:
    """A shared store: texts under a private key are found only under that key; the
    public key space (None) stays shared; every key space gives the same vectors."""
    store = EmbeddingStore(tmp_path / "shared.sqlite")
    mine, theirs = b"k" * 32, b"j" * 32
    assert len({text_hash("pen"), text_hash("pen", mine), text_hash("pen", theirs)}) == 3
    assert text_hash("pen", mine) == text_hash("pen", mine) != text_hash("pens", mine)
    texts = TEXTS[:6]
    first = embed_with_store(tiny_encoder, texts, store, private=mine)
    assert (first.embedded, first.reused) == (len(set(texts)), 0)
    other = embed_with_store(tiny_encoder, texts, store, private=theirs)
    public = embed_with_store(tiny_encoder, texts, store)
    assert other.embedded == public.embedded == len(set(texts))
    again = embed_with_store(tiny_encoder, texts, store, private=mine)
    assert (again.embedded, again.reused) == (0, len(texts))
    for got in (other, public, again):
        np.testing.assert_allclose(got.vectors, first.vectors, atol=1e-6)
    store.close()


class RecordingEncoder(BertEncoder):
    """BertEncoder that records the texts of each call (and hands its batches over)."""

    calls: list[list[str]]

    def encode(self, texts, *, progress=None, batch_size=None, on_batch=None) -> np.ndarray:
        self.calls.append(list(texts))
        return super().encode(texts, progress=progress, batch_size=batch_size,
                              on_batch=on_batch)


def test_a_long_block_is_stored_as_it_goes_and_resumes_to_the_same_vectors(
        tiny_bert_dir: Path, tmp_path: Path) -> None:
    """A slow model took minutes per block of 4,096 texts and stored nothing before the
    block ended: leaving the page or a crash lost all of it."""
    texts = [f"item {i} " + "word " * (i % 7) for i in range(40)] + TEXTS
    enc = RecordingEncoder(tiny_bert_dir, device="cpu", batch_size=3)
    enc.calls = []
    one_go = embed_with_store(enc, texts, EmbeddingStore(tmp_path / "a.sqlite"), save_every=32)
    often = EmbeddingStore(tmp_path / "c.sqlite")
    stored: list[tuple[int, int]] = []

    def by_time(done: int, _total: int) -> None:  # save_seconds=0: after every batch
        stored.append((done, often.count(enc.identity)))

    embed_with_store(enc, texts[:20], often, save_every=32, save_seconds=0, progress=by_time)
    assert stored and all(done == count for done, count in stored)  # not only at the end
    often.close()
    store = EmbeddingStore(tmp_path / "b.sqlite")

    def leave_midway(done: int, _total: int) -> None:  # a page left: the script stops
        if done >= 12:
            raise RuntimeError("left the page")

    with pytest.raises(RuntimeError, match="left the page"):
        embed_with_store(enc, texts, store, save_every=32, save_seconds=3600,
                         progress=leave_midway)
    kept = store.count(enc.identity)
    assert kept == 12  # the finished batches, though no block ended
    enc.calls = []
    resumed = embed_with_store(enc, texts, store, save_every=32)
    again = [t for call in enc.calls for t in call]
    assert resumed.embedded == len(again) == len(texts) - kept  # nothing embedded twice
    np.testing.assert_array_equal(resumed.vectors, one_go.vectors)  # to the bit
    found = store.get(enc.identity, [text_hash(t) for t in texts])
    np.testing.assert_array_equal(np.stack([found[text_hash(t)] for t in texts]), one_go.vectors)
    store.close()
