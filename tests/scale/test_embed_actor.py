"""The Ray engine's embedding actor, built as Ray builds it (no cluster needed)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from core.embed.encoders import BertEncoder
from core.scale.embed import EmbedBatch


@pytest.mark.parametrize("engine", ["onnx", "torch"])
def test_an_actor_without_a_gpu_takes_the_engine_its_processor_runs_faster(
        engine, tiny_bert_dir, monkeypatch):
    """precision auto on the CPU (what the pipeline passes without --ray-gpus): ONNX Runtime on
    a processor where it is the faster engine, torch fp32 elsewhere; the vectors and the identity the store
    keys them by are the same either way."""
    pytest.importorskip("onnxruntime")
    monkeypatch.setattr("core.embed.bert.auto_engine", lambda: engine)
    via_torch = engine == "torch"
    actor = EmbedBatch(str(tiny_bert_dir), "auto", 8, None, device="cpu")
    texts = ["red shoe", "blue usb cable", "black desk lamp"]
    out = actor(pa.table({"text_hash": [t.encode() for t in texts], "text": texts}))
    assert actor.encoder.precision == ("fp32" if via_torch else "onnx")
    fp32 = BertEncoder(tiny_bert_dir, precision="fp32")
    assert actor.encoder.identity == fp32.identity
    got = np.asarray(out.column("vector").to_pylist(), dtype=np.float32)
    assert got.shape == (3, fp32.dim) and out.column("new").to_pylist() == [True] * 3
    assert (got * fp32.encode(texts)).sum(1).min() >= 0.9999
