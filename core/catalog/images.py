"""Safe image decoding: bytes -> an RGB Pillow image, or an ImageError saying why not.

Pillow opens only an allow-list of raster formats (JPEG, PNG, WebP, GIF, BMP).
SVG, XML and HTML are refused before Pillow sees them: SVG is never rendered.
The pixel count is read from the header and checked before any pixel is
decoded, so a decompression bomb (a small file claiming gigapixels) costs
nothing; Pillow's own bomb check is turned into an error too. Thumbnails for
the app are re-encoded here (never the original bytes), so what a page shows
is always a small PNG/JPEG this module wrote.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import CatalogSimilarityError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
MAX_IMAGE_BYTES = int(float(os.environ.get("CATSIM_MAX_IMAGE_MB", "20")) * 1024 * 1024)
MAX_IMAGE_PIXELS = int(os.environ.get("CATSIM_MAX_IMAGE_PIXELS", "40000000"))
THUMB_PX = 160
# A file smaller than this on a side is a spacer or tracking pixel, not a product photo:
# 1x1 pixels of three colours scored 0.41-0.54 with each other against 0.27-0.34 between
# drawn products, and one spacer file saved under each product's name scores 1.0
MIN_SIDE = 16
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                b"avif", b"avis")
TRUNCATED = ("is cut short: the file ends before the picture does (an interrupted download "
             "or copy); download or save it again")
_MARKUP = (b"<", b"\xef\xbb\xbf<")  # SVG / XML / HTML, with or without a UTF-8 BOM


class ImageError(CatalogSimilarityError, ValueError):
    """One image cannot be used; the caller names its row and file and skips it."""


@dataclass(frozen=True)
class LoadedImage:
    """image: RGB; digest: sha256 of the file's bytes (keys the embedding store)."""

    image: Image.Image
    digest: bytes
    format: str


def content_hash(data: bytes) -> bytes:
    """sha256 of an image file's bytes (32 bytes): the same photo, the same key."""
    return hashlib.sha256(data).digest()


def _refuse_markup(data: bytes) -> None:
    head = data[:1024].lstrip()
    if head.startswith(_MARKUP) or b"<svg" in head.lower():
        raise ImageError("is SVG/XML/HTML, not a photo; SVG is never rendered "
                         "(export the image as PNG or JPEG)")


def _to_rgb(im: Image.Image) -> Image.Image:
    """Transparency composited on white (product cut-outs); 16-bit, palette, CMYK to RGB."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if im.mode.startswith("I"):
        arr = np.asarray(im, dtype=np.float64)
        top = max(float(arr.max()), 1.0)
        im = Image.fromarray((arr * (255.0 / (65535.0 if top > 255 else 255.0))).clip(0, 255)
                             .astype(np.uint8))
    return im.convert("RGB")


def _open(data: bytes, max_pixels: int, draft: int | None = None) -> Image.Image:
    """The image, its header read; a JPEG over max_pixels is still read when a reduced
    size was asked for (draft) and 1/8 of its sides is within max_pixels (a 60-megapixel
    camera photo decodes as 1 megapixel, 1188x792)."""
    im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    width, height = im.size
    if draft and im.format == "JPEG" and width * height > max_pixels:
        im.draft("RGB", (1, 1))  # its smallest decoding: 1/8 of each side
        if im.size[0] * im.size[1] <= max_pixels:
            return im
    if width * height > max_pixels:
        # (a file claiming more pixels than that may be a decompression bomb: never decoded)
        raise ImageError(f"is {width}x{height} pixels, more than the limit of {max_pixels:,} "
                         "($CATSIM_MAX_IMAGE_PIXELS); save it smaller, e.g. 2,000 pixels wide")
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"is only {width}x{height} pixels, too small to show a product (a "
                         "spacer or a 'no photo' mark?); use a photo at least "
                         f"{MIN_SIDE} pixels on each side")
    return im


def decode_image(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES,
                 max_pixels: int = MAX_IMAGE_PIXELS, draft: int | None = None) -> LoadedImage:
    """Decode image file bytes safely; draft: a JPEG may decode at >= draft px (faster)."""
    if not data:
        raise ImageError("is empty")
    if len(data) > max_bytes:
        raise ImageError(f"is {len(data) / 2**20:.1f} MB, more than the limit of "
                         f"{max_bytes / 2**20:.0f} MB ($CATSIM_MAX_IMAGE_MB)")
    _refuse_markup(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = _open(data, max_pixels, draft)
            fmt = im.format or "?"
            if draft and fmt == "JPEG":
                im.draft("RGB", (draft, draft))
            im.load()
            return LoadedImage(_to_rgb(ImageOps.exif_transpose(im)), content_hash(data), fmt)
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
            raise ImageError("is a HEIC/AVIF photo (as phones save them), which is not read; "
                             "save it as JPEG") from exc
        raise ImageError("is not an image in an allowed format "
                         f"({', '.join(ALLOWED_FORMATS)})") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("claims more pixels than any photo has (a damaged or hostile file), "
                         "so it is not opened; save it again as JPEG or PNG") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if "truncated" in str(exc).lower():  # Pillow's words: "image file is truncated"
            raise ImageError(TRUNCATED) from exc
        raise ImageError(f"cannot be decoded ({exc})") from exc


def thumbnail(data: bytes, *, size: int = THUMB_PX) -> bytes:
    """A small JPEG (at most size x size px) re-encoded from image bytes; ImageError if unsafe."""
    im = decode_image(data, draft=size).image
    im.thumbnail((size, size), Image.BICUBIC)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


__all__ = ["ALLOWED_FORMATS", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "ImageError", "LoadedImage",
           "content_hash", "decode_image", "thumbnail"]
