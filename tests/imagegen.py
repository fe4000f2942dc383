"""Tiny product photos drawn in the tests (no downloads): shapes on white, and bytes
that pretend to be photos (a decompression bomb, SVG)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw

COLOURS = ((200, 30, 30), (30, 160, 40), (30, 60, 200), (230, 180, 20), (120, 40, 160))


def photo(kind: int, size: tuple[int, int] = (96, 80), colour: int | None = None) -> Image.Image:
    """A distinct picture per kind: a disc, stripes, a checkerboard, a triangle, rings."""
    im = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(im)
    w, h = size
    c = COLOURS[(kind if colour is None else colour) % len(COLOURS)]
    shape = kind % 5
    if shape == 0:
        d.ellipse((w * 0.2, h * 0.15, w * 0.8, h * 0.85), fill=c)
    elif shape == 1:
        for x in range(0, w, 12):
            d.rectangle((x, 0, x + 5, h), fill=c)
    elif shape == 2:
        for x in range(0, w, 16):
            for y in range(0, h, 16):
                if (x + y) // 16 % 2 == 0:
                    d.rectangle((x, y, x + 15, y + 15), fill=c)
    elif shape == 3:
        d.polygon(((w * 0.5, h * 0.1), (w * 0.9, h * 0.9), (w * 0.1, h * 0.9)), fill=c)
    else:
        for r in range(8, min(w, h) // 2, 8):
            d.ellipse((w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r), outline=c, width=3)
    return im


def encoded(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


SVG = (b'\xef\xbb\xbf  <?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(1)</script></svg>')
