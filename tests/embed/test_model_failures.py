"""Issue 14 item 8: model, device, ONNX cache and workspace database failures are one
line that says what to do (and recover where they can), never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelLoadError


def _model_copy(tiny_bert_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(tiny_bert_dir, folder)
    return folder


@pytest.mark.parametrize("name, content, message", [
    ("sentence_bert_config.json", "{not json", "is not valid JSON"),
    ("sentence_bert_config.json", '{"max_seq_length": -5}', "max_seq_length must be"),
    ("sentence_bert_config.json", "[1, 2]", "must hold a JSON object"),
    ("1_Pooling/config.json", "{\"pooling_mode_cls_token\": tru", "is not valid JSON"),
])
def test_bad_model_settings_files_name_the_file(tiny_bert_dir, tmp_path, name, content,
                                                message) -> None:
    from core.embed.encoders import BertEncoder

    folder = _model_copy(tiny_bert_dir, tmp_path)
    (folder / name).parent.mkdir(exist_ok=True)
    (folder / name).write_text(content)
    with pytest.raises(ModelLoadError, match=f"{message}.*bundled all-MiniLM-L6-v2"):
        BertEncoder(folder, precision="fp32")


def test_a_device_this_machine_lacks_is_one_line(monkeypatch) -> None:
    import torch

    from core.embed.encoders import check_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelLoadError, match="'cuda:7' is not available: this machine has no "
                       "CUDA device; use --device cpu"):
        check_device("cuda:7")
    assert check_device("cpu") == "cpu"


def test_a_truncated_onnx_cache_is_rebuilt(tiny_bert_dir, tmp_path, monkeypatch) -> None:
    pytest.importorskip("onnxruntime")
    from core.embed.encoders import BertEncoder

    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path / "cache"))
    first = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=4)
    expected = first.encode(["red shoe", "green tea"])
    (cached,) = (tmp_path / "cache" / "onnx").glob("*.onnx")
    cached.write_bytes(cached.read_bytes()[:1000])  # a killed copy
    again = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=4)
    assert np.allclose(again.encode(["red shoe", "green tea"]), expected, atol=1e-5)
    cached.write_bytes(b"")
    rebuilt = BertEncoder(tiny_bert_dir, precision="onnx")
    rebuilt.encode(["red shoe"])  # the model, and its export, load on the first text
    assert rebuilt.precision == "onnx" and cached.stat().st_size > 0


def test_stale_export_folders_are_swept(tmp_path) -> None:
    from core.embed.onnx import STALE_EXPORT_SECONDS, _sweep_stale

    old, new = tmp_path / "tmpold", tmp_path / "tmpnew"
    for folder in (old, new):
        folder.mkdir()
        (folder / "raw.onnx").write_bytes(b"x" * 100)
    past = time.time() - STALE_EXPORT_SECONDS - 10
    os.utime(old, (past, past))
    _sweep_stale(tmp_path)
    assert not old.exists() and new.exists()


def test_the_export_cache_keeps_to_its_limit_dropping_the_longest_unused(
        tiny_bert_dir, tmp_path, monkeypatch) -> None:
    """Every fine-tuned model validated on a CPU leaves an export (470 MB for a 12-layer
    model): the cache keeps to $CATSIM_ONNX_CACHE_GB by deleting the exports used longest
    ago (an export used is touched), never the one just made; one dropped is made again
    when next needed, with the same vectors."""
    pytest.importorskip("onnxruntime")
    from core.embed.encoders import BertEncoder
    from core.embed.onnx import cache_limit_bytes, export_path, trim_cache

    folder = tmp_path / "cache" / "onnx"
    folder.mkdir(parents=True)
    old, used, other = (folder / f"{n}.onnx" for n in ("old", "used", "other"))
    for i, path in enumerate((old, used, other)):
        path.write_bytes(b"x" * 1000)
        os.utime(path, (1000.0 + i, 1000.0 + i))
    os.utime(used, (5000.0, 5000.0))  # used since: the last to go
    assert trim_cache(folder, keep=other, limit=2500) == [old]
    assert trim_cache(folder, keep=other, limit=1000) == [used]
    assert trim_cache(folder, keep=other, limit=0) == [] and other.exists()
    monkeypatch.setenv("CATSIM_ONNX_CACHE_GB", "0.5")
    assert cache_limit_bytes() == 500_000_000
    monkeypatch.setenv("CATSIM_ONNX_CACHE_GB", "lots")
    assert cache_limit_bytes() == 4_000_000_000
    # a real export: made, touched when used again, dropped by a small limit, made again
    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CATSIM_ONNX_CACHE_GB", "0.1")
    encoder = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=4)
    expected = encoder.encode(["red shoe", "green tea"])
    mine = export_path(encoder.identity)
    assert mine.exists() and other.exists()  # under the 0.1 GB: nothing dropped
    os.utime(mine, (10.0, 10.0))
    again = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=4)
    assert np.allclose(again.encode(["red shoe", "green tea"]), expected, atol=1e-5)
    assert mine.stat().st_mtime > 10.0  # touched: used now
    mine.unlink()  # as a trim by another process would leave it
    third = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=4)
    assert np.allclose(third.encode(["red shoe", "green tea"]), expected, atol=1e-5)
    assert mine.exists()


def test_forget_export_deletes_one_identitys_export(tiny_bert_dir, tmp_path, monkeypatch) -> None:
    pytest.importorskip("onnxruntime")
    from core.embed.encoders import BertEncoder
    from core.embed.onnx import export_path, forget_export

    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path / "cache"))
    encoder = BertEncoder(tiny_bert_dir, precision="onnx", batch_size=4)
    encoder.encode(["red shoe"])
    assert export_path(encoder.identity).exists()
    assert forget_export(encoder.identity + "|another") is False
    assert forget_export(encoder.identity) is True
    assert not export_path(encoder.identity).exists()
    assert forget_export(encoder.identity) is False


def _corrupt(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[4096:4096 * 3] = b"\xff" * (4096 * 2)
    db.write_bytes(bytes(data))


def test_a_corrupt_store_embeds_without_it_and_says_why(tiny_encoder, tmp_path) -> None:
    from core.embed.store import EmbeddingStore, embed_with_store

    db = tmp_path / "ws.sqlite"
    store = EmbeddingStore(db)
    texts = [f"product {i} " * 20 for i in range(200)]
    embed_with_store(tiny_encoder, texts, store)
    store.close()
    _corrupt(db)
    result = embed_with_store(tiny_encoder, texts, EmbeddingStore(db))
    assert result.vectors.shape == (200, tiny_encoder.dim)
    assert "damaged" in result.store_problem and "keep a copy" in result.store_problem


def test_database_messages_never_advise_deleting_it(tmp_path) -> None:
    from core.workspace import database_message

    full = database_message(tmp_path / "db", sqlite3.OperationalError("database or disk is full"))
    ro = database_message(tmp_path / "db",
                          sqlite3.OperationalError("attempt to write a readonly database"))
    assert "disk is full" in full
    assert "writable" in ro and "keep this file" in ro
    assert not any(w in m for m in (full, ro) for w in ("move it away", "delete"))
