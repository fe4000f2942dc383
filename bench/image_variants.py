"""Photos: images-only Recall@1 of photo variants, and images per second.

Each photo bundled with scikit-image is a "product" (the chessboard in grey and in
colour is one product, and so is the motorcycle seen from the left and from the
right: two photos of one item); nine variants of each (two crops, two resizes,
two JPEG re-compressions, two brightness changes, crop + resize + JPEG) are other
listings of it. 200 LFW face thumbnails bundled with scikit-image are distractors.

  A  each variant queries the originals + distractors: R@1 = its product comes first;
  B  images-only lists over everything (originals, variants, distractors),
     NeighborIndex with image_weight 1: R@1 = the nearest other photo is the same product.

Also the cosine of same-product pairs vs different products (for the duplicate-photo
threshold), and images per second (decode + embed) batched vs one by one, same run.

    .venv/bin/python bench/image_variants.py [--distractors 200] [--speed 48] [--speed-only]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

from core.catalog.images import ImageError, decode_image
from core.embed.image_encoders import EfficientNetLite0Encoder
from core.search.channels import ImageChannel, Queries
from core.search.index import NeighborIndex
from core.search.settings import SearchSettings

SAME = {"chessboard_RGB": "chessboard_GRAY", "motorcycle_right": "motorcycle_left"}


def bundled_photos() -> tuple[dict[str, Image.Image], dict[str, str]]:
    """scikit-image's bundled pictures through the app's safe reader (refusals kept)."""
    import skimage.data

    photos, refused = {}, {}
    for path in sorted(Path(skimage.data.__file__).parent.iterdir()):
        if path.suffix.lower() in (".png", ".jpg", ".gif", ".tif", ".xml"):
            try:
                photos[path.stem] = decode_image(path.read_bytes()).image
            except ImageError as exc:
                refused[path.name] = str(exc)
    return photos, refused


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return decode_image(buf.getvalue()).image


def variants(im: Image.Image) -> dict[str, Image.Image]:
    w, h = im.size
    half, quarter = (max(1, w // 2), max(1, h // 2)), (max(1, w // 4), max(1, h // 4))
    return {"crop80": im.crop((w // 10, h // 10, w - w // 10, h - h // 10)),
            "crop_corner": im.crop((0, 0, int(w * 0.85), int(h * 0.85))),
            "resize50": im.resize(half, Image.BILINEAR),
            "resize25": im.resize(quarter, Image.BILINEAR),
            "jpeg40": _jpeg(im, 40), "jpeg15": _jpeg(im, 15),
            "bright130": ImageEnhance.Brightness(im).enhance(1.3),
            "bright70": ImageEnhance.Brightness(im).enhance(0.7),
            "combo": _jpeg(im.crop((w // 20, h // 20, w - w // 20, h - h // 20)).resize(half), 50)}


def distractors(n: int) -> list[Image.Image]:
    import skimage.data

    faces = skimage.data.lfw_subset()[:n]
    return [Image.fromarray((f * 255).astype(np.uint8)).convert("RGB").resize((100, 100))
            for f in faces]


def images_only(vectors: np.ndarray) -> NeighborIndex:
    channel = ImageChannel(vectors, np.ones(len(vectors), dtype=bool))
    return NeighborIndex.build(None, np.zeros((len(vectors), 1), np.float32),
                               SearchSettings(image_weight=1.0), prebuilt={"image": channel})


def quality(enc, photos, n_distractors: int) -> None:
    names = sorted(photos)
    group = {n: names.index(SAME.get(n, n)) for n in names}
    var_imgs, var_group, var_kind = [], [], []
    for n in names:
        for kind, im in variants(photos[n]).items():
            var_imgs.append(im), var_group.append(group[n]), var_kind.append(kind)
    var_group, var_kind = np.array(var_group), np.array(var_kind)
    orig = enc.encode([photos[n] for n in names])
    var = enc.encode(var_imgs)
    dis = enc.encode(distractors(n_distractors))
    gallery_group = np.r_[[group[n] for n in names], -np.ones(len(dis), int)]
    hits = images_only(np.vstack([orig, dis])).query(1, Queries(image_vectors=var))
    ok_a = gallery_group[hits.indices[:, 0]] == var_group
    everything = np.vstack([orig, var, dis])
    labels = np.r_[[group[n] for n in names], var_group, -1 - np.arange(len(dis))]
    pool = images_only(everything).pool(1)
    ok_b = (labels[pool.indices[:, 0]] == labels)[labels >= 0]
    print(f"{len(names)} photos ({len(set(group.values()))} products) x {len(variants(photos[names[0]]))}"
          f" variants, {len(dis)} distractors")
    print(f"A  variant -> originals + distractors   R@1 {ok_a.mean():.3f} ({ok_a.sum()}/{ok_a.size})")
    print(f"B  images-only lists over all {len(everything)} R@1 {ok_b.mean():.3f} "
          f"({ok_b.sum()}/{ok_b.size})")
    print("   per variant (A): " + " ".join(f"{k} {ok_a[var_kind == k].mean():.2f}"
                                           for k in dict.fromkeys(var_kind)))
    print("   misses (A): " + (", ".join(f"{names[list(group.values()).index(g)]}/{k}"
                                          for g, k in zip(var_group[~ok_a], var_kind[~ok_a]))
                                 or "none"))
    sim = everything @ everything.T
    iu = np.triu_indices(len(labels), 1)
    same = (labels[:, None] == labels[None, :])[iu]
    labelled = ((labels[:, None] >= 0) | (labels[None, :] >= 0))[iu]
    pos, neg = sim[iu][same], sim[iu][~same & labelled]
    print(f"   cosine, same product: p1 {np.percentile(pos, 1):.3f} p5 {np.percentile(pos, 5):.3f}"
          f" median {np.median(pos):.3f}; different products: p99.9 "
          f"{np.percentile(neg, 99.9):.3f} max {neg.max():.3f}")
    for t in (0.8, 0.85, 0.9, 0.95):
        print(f"   duplicate-photo threshold {t}: recall {(pos >= t).mean():.3f}, "
              f"false pairs {(neg >= t).sum()} of {len(neg)}")


def speed(models: Path, n: int) -> None:
    """decode (JPEG 800x800) + embed, images per second: batch 16 vs one by one."""
    import skimage.data
    import torch

    sources = [skimage.data.astronaut(), skimage.data.chelsea(), skimage.data.coffee(),
               skimage.data.rocket(), skimage.data.stereo_motorcycle()[0]]
    blobs = []
    for i in range(n):
        buf = io.BytesIO()
        Image.fromarray(sources[i % 5]).resize((800, 800)).rotate(i * 7).save(buf, "JPEG",
                                                                               quality=90)
        blobs.append(buf.getvalue())
    print(f"speed: {n} JPEG photos 800x800, torch threads {torch.get_num_threads()}")
    rates = {}
    for label, batch, draft in (("one by one, full decode", 1, None),
                                ("batch 16, full decode", 16, None),
                                ("batch 16, JPEG draft (app default)", 16, 448)):
        enc = EfficientNetLite0Encoder(models, batch_size=batch)
        enc.encode([Image.new("RGB", (64, 64))] * batch)  # warm-up at this batch shape
        t0, c0 = time.perf_counter(), time.process_time()
        enc.encode([decode_image(b, draft=draft).image for b in blobs])
        rates[label] = (n / (time.perf_counter() - t0), (time.process_time() - c0) / n)
    base = rates["one by one, full decode"][0]
    for label, (rate, cpu) in rates.items():
        print(f"   {label:36s} {rate:6.2f} images/s  ({rate / base:.2f}x)  "
              f"CPU {cpu * 1000:.0f} ms per image (all threads)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--distractors", type=int, default=200)
    ap.add_argument("--speed", type=int, default=48, help="photos in the speed run (0: skip)")
    ap.add_argument("--speed-only", action="store_true", help="skip the Recall@1 part")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        enc = EfficientNetLite0Encoder(Path(tmp), batch_size=16)
        if not args.speed_only:
            photos, refused = bundled_photos()
            print("refused by the safe reader:",
                  "; ".join(f"{k}: {v}" for k, v in refused.items()))
            quality(enc, photos, args.distractors)
        if args.speed:
            speed(Path(tmp), args.speed)


if __name__ == "__main__":
    main()
