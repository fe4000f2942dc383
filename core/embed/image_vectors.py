"""Image vectors of a catalog's image column, through the embedding store.

Each row's image file is read (files, zip or opt-in URLs), hashed (sha256 of
its bytes), looked up in the store under the image encoder's identity, and only
photos not seen before are decoded and embedded, in batches. The same photo
reused by several listings is embedded once. Rows with no image, or whose image
cannot be used, get a zero vector and ``has_image`` False; each unusable one is
an :class:`ImageIssue` naming its row and file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.catalog.fetch import UrlFetcher
from core.catalog.image_source import (
    ImageIssue,
    ImageSource,
    image_ref,
    none_usable,
    photo_refs,
)
from core.catalog.images import ImageError, decode_image
from core.embed.image_encoders import ImageEncoder, Progress
from core.embed.store import keyed_digest

CHUNK = 64  # rows read at a time...
CHUNK_BYTES = 64 * 2**20  # ...or fewer, when their files reach this size
PIXEL_BUDGET = 32_000_000  # decoded pixels held before they are embedded (~100 MB as RGB)
PLACEHOLDER_ROWS = 20  # one file shared by more products is a placeholder


@dataclass(frozen=True)
class ImageVectors:
    """vectors: (n, d) float32, L2-normalised rows where has_image (n,) bool, zeros
    elsewhere; digests: sha256 of each row's image file (b"" without one)."""

    vectors: np.ndarray
    has_image: np.ndarray
    digests: tuple[bytes, ...]
    issues: tuple[ImageIssue, ...]
    identity: str
    reused: int = 0
    embedded: int = 0
    fallback: int = 0  # cells whose first photo could not be used, and a later one was

    @property
    def key(self) -> str:
        """Content key of these vectors: encoder identity + every row's photo hash."""
        import hashlib

        h = hashlib.sha256(self.identity.encode("utf-8"))
        for d in self.digests:
            h.update(d or b"-")
        return h.hexdigest()[:24]


def _read_photo(row: int, parts: list[str], pos: int, source: ImageSource,
                errors: dict[int, ImageError]) -> tuple[int, bytes] | None:
    """(position, bytes) of the row's first photo from position pos that can be read, else
    None; errors keeps each row's first reason."""
    for p in range(pos, len(parts)):
        try:
            return p, source.read_photo(parts[p])
        except ImageError as exc:
            errors.setdefault(row, exc)
    return None


def _read_chunk(refs, start: int, source: ImageSource, errors: dict[int, ImageError],
                ) -> tuple[dict[int, bytes], dict[int, int], int]:
    """The files of rows start.. (at most CHUNK rows and about CHUNK_BYTES): (blobs, the
    position of each one's photo in its cell, next row)."""
    blobs: dict[int, bytes] = {}
    used: dict[int, int] = {}
    row, size = start, 0
    while row < len(refs) and row - start < CHUNK and size < CHUNK_BYTES:
        ref = image_ref(refs[row])
        if ref:
            parts = photo_refs(ref)
            got = _read_photo(row, parts, 0, source, errors)
            if got is not None:
                used[row], blobs[row] = got
                size += len(blobs[row])
            elif not parts:
                errors[row] = ImageError("names no photo")
        row += 1
    return blobs, used, row


def _embed_new(blobs: dict[int, bytes], digests: list[bytes], encoder: ImageEncoder,
               ) -> tuple[dict[bytes, np.ndarray], dict[bytes, ImageError]]:
    """Decode and embed each distinct new photo once: ({digest: vector}, {digest: why it
    cannot be decoded}). Decoded photos are embedded whenever they reach PIXEL_BUDGET
    pixels, so memory stays bounded."""
    first: dict[bytes, int] = {}
    for row, _data in blobs.items():
        first.setdefault(digests[row], row)
    out: dict[bytes, np.ndarray] = {}
    bad: dict[bytes, ImageError] = {}
    images, keys, pixels = [], [], 0
    for digest, row in first.items():
        try:
            image = decode_image(blobs[row], draft=448).image
        except ImageError as exc:
            bad[digest] = exc
            continue
        images.append(image)
        keys.append(digest)
        pixels += image.width * image.height
        if pixels >= PIXEL_BUDGET:
            out.update(zip(keys, encoder.encode(images)))
            images, keys, pixels = [], [], 0
    if images:
        out.update(zip(keys, encoder.encode(images)))
    return out, bad


@dataclass
class _Run:
    """What embed_images fills in, chunk by chunk."""

    vectors: np.ndarray
    digests: list[bytes]
    errors: dict[int, ImageError] = field(default_factory=dict)  # each row's first reason
    reused: int = 0
    embedded: int = 0


def _embed_chunk(run: _Run, blobs: dict[int, bytes], encoder: ImageEncoder, store,
                 private: bytes | None) -> dict[int, ImageError]:
    """Vectors of the rows in blobs, from the store or embedded; the rows whose file
    cannot be decoded, with why."""
    for row, data in blobs.items():
        run.digests[row] = keyed_digest(data, private)  # = content_hash(data) when public
    found = store.get(encoder.identity, sorted({run.digests[r] for r in blobs})) if store else {}
    missing = {r: b for r, b in blobs.items() if run.digests[r] not in found}
    new, bad = _embed_new(missing, run.digests, encoder)
    if new and store is not None:
        store.put(encoder.identity, list(new), np.stack(list(new.values())))
    run.reused += len(blobs) - len(missing)
    run.embedded += len(new)
    failed: dict[int, ImageError] = {}
    for row in blobs:
        vec = found.get(run.digests[row])
        vec = new.get(run.digests[row]) if vec is None else vec
        if vec is None:
            failed[row] = bad[run.digests[row]]
            run.digests[row] = b""
        else:
            run.vectors[row] = vec
    return failed


def _next_photos(failed: dict[int, ImageError], used: dict[int, int], refs,
                 source: ImageSource, errors: dict[int, ImageError],
                 ) -> tuple[dict[int, bytes], dict[int, int]]:
    """For each row whose photo could not be decoded, the next photo of its cell that can
    be read (a cell may name several): (blobs, positions)."""
    blobs: dict[int, bytes] = {}
    nxt: dict[int, int] = {}
    for row, exc in failed.items():
        errors.setdefault(row, exc)
        got = _read_photo(row, photo_refs(image_ref(refs[row])), used[row] + 1, source, errors)
        if got is not None:
            nxt[row], blobs[row] = got
    return blobs, nxt


def embed_images(refs: Sequence[object], ids: Sequence[object], source: ImageSource,
                 encoder: ImageEncoder, store=None, *,
                 progress: Progress | None = None,
                 private: bytes | None = None) -> ImageVectors:
    """Image vectors for n rows (refs: the image cells), reusing and filling the store
    (private: the owner's key in a shared store, as core.embed.store.embed_with_store).
    A cell of several photos uses its first one that can be read and decoded."""
    n = len(refs)
    run = _Run(np.zeros((n, encoder.dim), dtype=np.float32), [b""] * n)
    start = 0
    while start < n:
        blobs, used, end = _read_chunk(refs, start, source, run.errors)
        while blobs:  # a photo that does not decode: the cell's next one, if any
            failed = _embed_chunk(run, blobs, encoder, store, private)
            blobs, nxt = _next_photos(failed, used, refs, source, run.errors)
            used.update(nxt)
        if progress:
            progress(end, n)
        start = end
    issues, fallback = _row_issues(run, refs, ids)
    _drop_placeholders(run.vectors, run.digests, refs, ids, issues)
    has = np.array([bool(d) for d in run.digests], dtype=bool)
    return ImageVectors(run.vectors, has, tuple(run.digests),
                        tuple(sorted(issues, key=lambda i: i.row)), encoder.identity,
                        run.reused, run.embedded, fallback)


def _row_issues(run: _Run, refs, ids) -> tuple[list[ImageIssue], int]:
    """An issue for each row with no usable photo, and the count of rows that use a later
    photo of their cell because an earlier one could not be used."""
    issues: list[ImageIssue] = []
    fallback = 0
    for row, exc in run.errors.items():
        if run.digests[row]:
            fallback += 1
            continue
        ref = image_ref(refs[row])
        issues.append(ImageIssue(row, str(ids[row]), ref, str(none_usable(photo_refs(ref), exc))))
    return issues, fallback


def _drop_placeholders(vectors: np.ndarray, digests: list[bytes], refs, ids,
                       issues: list[ImageIssue]) -> None:
    """One file used by more than PLACEHOLDER_ROWS products (and 1% of the catalog) is a
    "no photo yet" placeholder, not a shared photo: those rows count as having none."""
    counts: dict[bytes, int] = {}
    for d in digests:
        if d:
            counts[d] = counts.get(d, 0) + 1
    limit = max(PLACEHOLDER_ROWS, len(digests) // 100)
    for row, d in enumerate(digests):
        if d and counts[d] > limit:
            issues.append(ImageIssue(row, str(ids[row]), image_ref(refs[row]),
                                     f"is the same file as {counts[d] - 1:,} other products' "
                                     "(a placeholder?); not used for similarity"))
            digests[row] = b""
            vectors[row] = 0


def image_source(where: Path | None, *, fetch: bool, cache_dir: Path,
                 fetcher: UrlFetcher | None = None) -> ImageSource:
    """Photos from a folder or a .zip (where), and from http(s) URLs when fetch is on
    (downloads cached in cache_dir, the workspace's image_cache folder). fetcher: one to
    reuse (it remembers hosts that did not answer), else a new one."""
    if not fetch:
        fetcher = None
    elif fetcher is None:
        fetcher = UrlFetcher(Path(cache_dir))
    if where is not None and Path(where).suffix.lower() == ".zip":
        return ImageSource(archive=Path(where), fetcher=fetcher)
    return ImageSource(folder=None if where is None else Path(where), fetcher=fetcher)


def catalog_images(catalog, cfg, workspace, where: Path | None, *, use_store: bool = True,
                   encoder: ImageEncoder | None = None,
                   progress: Progress | None = None) -> ImageVectors:
    """Image vectors of catalog's image column under cfg (image_model, fetch_images),
    through the workspace's embedding store."""
    from core.embed.image_encoders import load_image_encoder
    from core.embed.store import EmbeddingStore

    column = catalog.mapping.image
    refs = catalog.frame[column].tolist() if column else [None] * len(catalog)
    encoder = encoder or load_image_encoder(cfg.image_model, workspace.models_dir)
    source = image_source(where, fetch=cfg.fetch_images, cache_dir=workspace.image_cache_dir)
    store = EmbeddingStore(workspace.db_path) if use_store else None
    try:
        return embed_images(refs, list(catalog.ids), source, encoder, store, progress=progress)
    finally:
        source.close()
        if store is not None:
            store.close()


def same_photo_groups(digests: Sequence[bytes]) -> list[list[int]]:
    """Rows that use the very same image file (same bytes), groups of 2 or more."""
    groups: dict[bytes, list[int]] = {}
    for row, d in enumerate(digests):
        if d:
            groups.setdefault(d, []).append(row)
    return [rows for rows in groups.values() if len(rows) > 1]


def duplicate_photo_pairs(images: ImageVectors, *, threshold: float = 0.8,
                          k: int = 10) -> list[tuple[int, int, float]]:
    """(left, right, cosine) pairs of rows whose photos are the same picture: the same
    file, or a resized / recompressed / lightly cropped copy (cosine >= threshold;
    0.8: different photos scored at most 0.70 in bench/image_variants.py). left < right,
    sorted by row."""
    from core.search.exact import topk

    rows = np.flatnonzero(images.has_image)
    pairs: dict[tuple[int, int], float] = {}
    if len(rows) > 1:
        nb = topk(images.vectors[rows], min(k, len(rows) - 1), metric="cosine")
        for i, (idx, sc) in enumerate(zip(nb.indices, nb.scores)):
            for j, s in zip(idx, sc):
                if j >= 0 and s >= threshold:
                    a, b = sorted((int(rows[i]), int(rows[j])))
                    pairs[(a, b)] = max(pairs.get((a, b), 0.0), float(s))
    for group in same_photo_groups(images.digests):  # each with the group's first row
        for b in group[1:]:
            pairs[(group[0], b)] = 1.0
    return sorted((a, b, s) for (a, b), s in pairs.items())


__all__ = ["ImageVectors", "catalog_images", "duplicate_photo_pairs", "embed_images",
           "image_source", "same_photo_groups"]
