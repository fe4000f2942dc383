"""Where a catalog's image cells point: files beside the catalog, an uploaded zip,
or http(s) URLs (fetched only when turned on). Each unreadable image becomes an
ImageIssue naming its row and file; nothing here is fatal."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from core.catalog.fetch import UrlFetcher
from core.catalog.images import MAX_IMAGE_BYTES, ImageError
from core.errors import short_list

URL_PREFIXES = ("http://", "https://")
MAX_LISTED = 1000  # photo names not found, listed by check_names (all are counted)
_SEPARATORS = re.compile(r"\s*[|;\n]\s*")  # several photos in one cell: a|b, a; b, a line each
# A zip of more files than this is refused before its list of names is read: 300,000 empty
# entries (a 36 MB upload) took 0.9 GB and 8 s to index; a 500 MB upload holds photos of
# 2.5 kB on average at this count, so no real zip of photos comes near it.
MAX_ZIP_FILES = 200_000
_URL_LIST = re.compile(r",\s*(?=https?://)", re.IGNORECASE)  # shop exports: 'url1, url2'
T = TypeVar("T")


@dataclass(frozen=True)
class ImageIssue:
    """row: 0-based catalog row; source: the cell text; reason: what is wrong."""

    row: int
    product_id: str
    source: str
    reason: str

    def message(self) -> str:
        return f"row {self.row + 1} (id {self.product_id}): image '{self.source}' {self.reason}; skipped"


def _clean(ref: str) -> str:
    return ref.strip().replace("\\", "/").removeprefix("./")


def image_ref(cell: object) -> str:
    """The image cell as text; "" for an empty cell (None, NaN, blank)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    text = str(cell).strip()
    return "" if text.lower() in ("nan", "none", "null") else text


def photo_refs(ref: str) -> list[str]:
    """The photos one image cell names, in order (the first is the product's main photo):
    one name or address; several separated by '|', ';' or line breaks; addresses separated
    by commas (as shops export them); or a JSON list of them. [] for an empty cell."""
    text = ref.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(i).strip() for i in items if isinstance(i, str | int) and str(i).strip()]
    if text.lower().startswith("data:") or (text.lower().startswith(URL_PREFIXES)
                                            and text.count("://") == 1):
        return [text]  # one address: a ';' or '|' in it is part of it
    parts = [p for p in _SEPARATORS.split(text) if p]
    if any(p.lower().startswith(URL_PREFIXES) for p in parts):
        parts = [q for p in parts for q in _URL_LIST.split(p) if q]
    return parts


def none_usable(refs: list[str], first: ImageError | None) -> ImageError:
    """The error for a cell of several photos none of which can be used (first: the first
    photo's reason); the error itself for a cell of one photo."""
    if first is not None and len(refs) == 1:
        return first
    if not refs:
        return ImageError("names no photo")
    error = ImageError(f"holds {len(refs):,} photos and none can be used: the first, "
                       f"'{refs[0]}', {first}")
    error.__cause__ = first
    return error


@dataclass
class ImageSource:
    """folder: local files relative to it; archive: a zip of images; fetcher: None =
    URLs are not fetched (the user turns fetching on)."""

    folder: Path | None = None
    archive: Path | None = None
    fetcher: UrlFetcher | None = None
    max_bytes: int = MAX_IMAGE_BYTES
    index: ZipIndex | None = None  # the archive's zip_index, when the caller keeps one
    _zip: zipfile.ZipFile | None = field(default=None, init=False, repr=False)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def read(self, cell: str) -> bytes:
        """The bytes of the cell's first photo that can be read (a cell may name several);
        ImageError if none can: the reason of the first."""
        refs = photo_refs(cell)
        if len(refs) == 1:
            return self._read_one(refs[0])
        return self._first(refs, self._read_one)

    def first_usable(self, cell: str, use: Callable[[bytes], T]) -> T:
        """use(bytes) of the cell's first photo that can be read and used (a photo that is
        there but corrupt, e.g. a truncated JPEG or an HTML page saved as .jpg, makes use
        raise ImageError, and the next photo is tried); ImageError if none can be."""
        refs = photo_refs(cell)
        if len(refs) == 1:
            return use(self._read_one(refs[0]))
        return self._first(refs, lambda ref: use(self._read_one(ref)))

    def read_photo(self, ref: str) -> bytes:
        """The bytes of one photo of a cell (an item of photo_refs); ImageError if unreadable."""
        return self._read_one(ref)

    def _first(self, refs: list[str], step):
        if not refs:
            raise ImageError("names no photo")
        first: ImageError | None = None
        for ref in refs:
            try:
                return step(ref)
            except ImageError as exc:
                first = first or exc
        raise none_usable(refs, first)

    def _read_one(self, ref: str) -> bytes:
        ref = _clean(ref)
        if self._is_url(ref):
            return self.fetcher.fetch(ref)
        if self.archive is not None:
            return self._from_zip(ref)
        return self._from_folder(ref)

    def locate(self, cell: str) -> bool:
        """Whether the file a cell names is there, without reading it: True for a file
        found, False for a web address (downloaded only when read, and only when fetching
        is on); ImageError if not. A cell of several photos: its first one that is there."""
        refs = photo_refs(cell)
        if len(refs) == 1:
            return self._locate_one(refs[0])
        return self._first(refs, self._locate_one)

    def _locate_one(self, ref: str) -> bool:
        ref = _clean(ref)
        if ref.lower().startswith(URL_PREFIXES) or self._is_url(ref):
            return False
        if self.archive is not None:
            self._zip_entry(ref)
        else:
            self._folder_path(ref)
        return True

    def _is_url(self, ref: str) -> bool:
        if ref.lower().startswith(URL_PREFIXES):
            if self.fetcher is None:
                raise ImageError("is a web address and downloading photos is off (turn on "
                                 "'Download photos from web addresses' / --fetch-images)")
            return True
        if "://" in ref or ref.lower().startswith("data:"):
            raise ImageError("is neither a file name nor an http(s) URL")
        if self.archive is None and self.folder is None:
            raise ImageError("is a file name, but no .zip of photos was uploaded (Catalog "
                             "page) and no folder given (--images DIR)")
        return False

    def _folder_path(self, ref: str) -> Path:
        root = self.folder.resolve()
        path = (root / ref).resolve()
        inside = path.is_relative_to(root)
        if not (inside and path.is_file()):
            # the cell's leading folders that the image folder does not have (an absolute
            # path, or --images naming the photos folder itself): the longest tail in it
            path = next((p for tail in _tails(ref) if (p := (root / tail).resolve()).is_file()
                         and p.is_relative_to(root)), path)
            inside = path.is_relative_to(root)
        if not inside:
            raise ImageError(f"is outside the image folder {root} (give paths relative to it)")
        if not path.is_file():
            raise ImageError("was not found")
        if path.stat().st_size > self.max_bytes:
            raise ImageError(f"is more than {self.max_bytes / 2**20:.0f} MB")
        return path

    def _from_folder(self, ref: str) -> bytes:
        return self._folder_path(ref).read_bytes()

    def _zip_entry(self, ref: str) -> zipfile.ZipInfo:
        if self.index is None:
            self.index = zip_index(self.archive)
        if self._zip is None:
            self._zip = _open_zip(self.archive)
        info = _find(self.index, ref)
        if info.file_size > self.max_bytes:
            raise ImageError(f"is more than {self.max_bytes / 2**20:.0f} MB")
        return info

    def _from_zip(self, ref: str) -> bytes:
        info = self._zip_entry(ref)
        try:
            with self._zip.open(info) as fh:
                data = fh.read(self.max_bytes + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise ImageError(f"cannot be read from the zip ({exc})") from exc
        if len(data) > self.max_bytes:
            raise ImageError(f"is more than {self.max_bytes / 2**20:.0f} MB")
        return data


@dataclass(frozen=True)
class PhotoNames:
    """What a catalog's image cells name, before any photo is read: rows: products;
    named: cells filled in; found: files present; web: addresses to download;
    issues: each named file that is not there (or cannot be), by row."""

    rows: int
    named: int
    found: int
    web: int
    issues: tuple[ImageIssue, ...]  # the first MAX_LISTED; named - found - web in all
    several: int = 0  # cells that name more than one photo (the first usable one is used)


def check_names(refs: Sequence[object], ids: Sequence[object], source: ImageSource) -> PhotoNames:
    """Match every image cell to the zip / folder by name only (nothing is decoded or
    downloaded): the quick report shown as soon as photos are uploaded. Without a zip or
    folder, file names are counted, not listed."""
    named = found = web = several = 0
    issues: list[ImageIssue] = []
    files = source.archive is not None or source.folder is not None
    for row, cell in enumerate(refs):
        ref = image_ref(cell)
        if not ref:
            continue
        named += 1
        parts = photo_refs(ref)
        several += len(parts) > 1
        if not files and not any(p.lower().startswith(URL_PREFIXES) for p in parts):
            continue
        try:
            if source.locate(ref):
                found += 1
            else:
                web += 1
        except ImageError as exc:
            if len(issues) < MAX_LISTED:
                issues.append(ImageIssue(row, str(ids[row]), ref, str(exc)))
    return PhotoNames(len(refs), named, found, web, tuple(issues), several)


def _entry_names(info: zipfile.ZipInfo) -> list[str]:
    """An entry's name, and for a name stored without the UTF-8 flag (Windows' own zip
    writes the local code page: GBK on a Chinese Windows) the same bytes read as UTF-8 or
    GB18030, which Python's zipfile shows as cp437 mojibake."""
    names = [_clean(info.filename)]
    if not info.flag_bits & 0x800 and not info.filename.isascii():
        raw = info.filename.encode("cp437", errors="replace")
        for codec in ("utf-8", "gb18030"):
            try:
                names.append(_clean(raw.decode(codec)))
                break
            except UnicodeDecodeError:
                continue
    return names


ZipIndex = dict[str, list[zipfile.ZipInfo]]


def _open_zip(archive: Path) -> zipfile.ZipFile:
    """The zip, refused when its directory counts more than MAX_ZIP_FILES entries (read
    from its last bytes, before the list of names is)."""
    try:
        with open(archive, "rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
        count = end[zipfile._ECD_ENTRIES_TOTAL] if end else 0  # type: ignore[attr-defined]
        if count > MAX_ZIP_FILES:
            raise ImageError(f"cannot be read: the zip holds {count:,} files, more than "
                             f"{MAX_ZIP_FILES:,}; make a zip of the catalog's photos only")
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImageError(f"cannot be read: the zip file is broken ({exc})") from exc


def zip_index(archive: Path) -> ZipIndex:
    """Every photo of the zip under the names a cell may give it (_zip_index); ImageError
    for a broken zip or one of too many files. Built once per zip: a caller that reads
    the same zip often (thumbnails) keeps it and passes it as ImageSource(index=...)."""
    with _open_zip(archive) as zf:
        return _zip_index(zf.infolist())


def _zip_index(infos: list[zipfile.ZipInfo]) -> ZipIndex:
    """Each file under its full path and under every shorter tail of it ("a.jpg" and
    "shoes/a.jpg" for "photos/shoes/a.jpg"), case-folded: a cell may leave out the folders
    the zip added and may differ in case, as file names on Windows and macOS do."""
    index: dict[str, list[zipfile.ZipInfo]] = {}
    for info in infos:
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue
        for name in _entry_names(info):
            parts = name.casefold().split("/")
            for i in range(len(parts)):
                found = index.setdefault("/".join(parts[i:]), [])
                if info not in found:
                    found.append(info)
    return index


def _tails(ref: str) -> list[str]:
    """The cell's path without its leading folders, longest first ("shop/photos/a.jpg" ->
    "photos/a.jpg", "a.jpg"); a drive ("C:") or a leading "/" counts as a folder."""
    parts = ref.split("/")
    return ["/".join(parts[i:]) for i in range(1, len(parts)) if parts[i:] != [""]]


def _find_tail(index: ZipIndex, ref: str) -> zipfile.ZipInfo:
    """The zip entry whose whole path ends the cell's path (a cell written on the computer
    the photos came from, "C:/Users/anna/Photos/bags/a.jpg", or "photos/a.jpg" with a zip
    of the folder's files), the longest such path first; a cell "shoes/a.jpg" never finds
    "bags/a.jpg". ImageError when none does."""
    for tail in _tails(ref):
        folded = tail.casefold()
        whole = [i for i in index.get(folded, [])
                 if folded in (n.casefold() for n in _entry_names(i))]
        spelled = [i for i in whole if tail in _entry_names(i)]
        if spelled or len(whole) == 1:
            return (spelled or whole)[-1]
        if whole:
            raise _ambiguous(whole)
    raise ImageError("was not found in the zip")


def _ambiguous(found: list[zipfile.ZipInfo]) -> ImageError:
    """The error of a cell that fits several files of the zip, naming them."""
    names = sorted(_entry_names(i)[-1] for i in found)
    return ImageError(f"matches {len(names):,} files in the zip ({short_list(names)}); write "
                      "its folder in the image column, as in the zip")


def _find(index: dict[str, list[zipfile.ZipInfo]], ref: str) -> zipfile.ZipInfo:
    """The zip entry a cell names: its full path (as spelled, then in any case), else the
    one file whose path ends with it (as spelled, then in any case); ImageError naming the
    files when several fit."""
    found = index.get(ref.casefold(), [])
    folded = ref.casefold()
    full = [i for i in found if ref in _entry_names(i)]
    if full:
        return full[-1]  # a name stored twice: the last one, as zipfile reads it
    for tier in ([i for i in found if folded in (n.casefold() for n in _entry_names(i))],
                 [i for i in found if any(n.endswith("/" + ref) for n in _entry_names(i))],
                 found):
        if len(tier) == 1:
            return tier[0]
        if tier:
            found = tier
            break
    if not found:
        return _find_tail(index, ref)
    raise _ambiguous(found)
