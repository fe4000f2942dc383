"""Opt-in http(s) image fetching with limits, cached in the workspace; a catalog file
(a shop's product feed) downloaded from its web address the same way.

Only http and https; the host name is resolved once and every address must be
public (no loopback, private, link-local, multicast, reserved or unspecified
address), and the connection goes to that checked address (no DNS rebinding
between check and connect; TLS still verifies the host name). Redirects are
followed by hand (at most 3), each one checked the same way. Timeouts on
connect and each read plus a deadline for the whole download; a size limit
while reading; the Content-Type must be an allowed image type (never SVG).
Downloads are cached by URL in a folder of the workspace. A host that fails
to answer (no name, no connection, a timeout) MAX_HOST_FAILURES times is not
tried again by the same fetcher: a catalog whose photos sit on a dead server
is skipped in seconds, not 10 s per product.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

from core.catalog.images import MAX_IMAGE_BYTES, ImageError
from core.errors import CatalogError

ALLOWED_TYPES = ("image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/webp",
                 "image/gif", "image/bmp", "image/x-ms-bmp")
MAX_REDIRECTS = 3
MAX_HOST_FAILURES = 2
_SAFE = "/%:@!$&'()*+,;=-._~"  # kept in a path as it is (RFC 3986 sub-delims, pchar)
Resolver = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass
class UrlFetcher:
    """fetch(url) -> bytes, or ImageError saying why not."""

    cache_dir: Path
    timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = MAX_IMAGE_BYTES
    resolver: Resolver = _resolve
    allow_address: Callable[[str], bool] = public_address  # tests pass a loopback allowance
    types: tuple[str, ...] | None = ALLOWED_TYPES  # None: any Content-Type (a catalog file)
    for_photos: bool = True  # how a missing connection is told
    _down: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def fetch(self, url: str) -> bytes:
        path = self._cache_path(url)
        if path.exists():
            return path.read_bytes()
        host = (_split(url)[0].hostname or "").lower()
        failed = self._down.get(host, [])
        if len(failed) >= MAX_HOST_FAILURES:
            raise ImageError(f"was not tried: host {host} did not answer {len(failed)} times "
                             f"before ({failed[0]})")
        try:
            data = self._download(url).data
        except _HostDown as exc:
            self._down.setdefault(host, []).append(str(exc))
            raise
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return data

    def _cache_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / key[:2] / key

    def _download(self, url: str) -> _Downloaded:
        started = time.monotonic()
        for _ in range(MAX_REDIRECTS + 1):
            conn, target = self._connect(url)
            resp = None
            try:
                accept = ", ".join(self.types[:5]) if self.types else "*/*"
                conn.request("GET", target, headers={"Accept": accept,
                                                     "User-Agent": "catalog-similarity"})
                resp = conn.getresponse()
                if resp.status in (301, 302, 303, 307, 308):
                    url = urljoin(url, resp.getheader("Location") or "")
                    continue
                if resp.status != 200:
                    raise ImageError(f"the server answered HTTP {resp.status}")
                kind = resp.getheader("Content-Type") or ""
                if self.types is not None:
                    _check_type(kind)
                return _Downloaded(self._read(resp, started), url, kind,
                                   resp.getheader("Content-Disposition") or "")
            except OSError as exc:
                raise _HostDown(f"could not be downloaded ({exc})") from exc
            except http.client.HTTPException as exc:
                raise ImageError(f"could not be downloaded ({exc})") from exc
            finally:
                if resp is not None:  # its file holds the socket open until it is closed
                    resp.close()
                conn.close()
        raise ImageError(f"more than {MAX_REDIRECTS} redirects")

    def _connect(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts, port = _split(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImageError("is not an http(s) URL")
        try:
            addresses = self.resolver(parts.hostname, port)
        except UnicodeError as exc:  # 'www..shop.com', a label over 63 letters
            raise ImageError(f"is not a valid web address ({exc})") from exc
        except OSError as exc:
            who = "the computer downloading the photos" if self.for_photos else "this computer"
            raise _HostDown(f"host {parts.hostname} cannot be found: {who} has no internet "
                            f"connection, or the address is misspelt ({exc})") from exc
        bad = [a for a in addresses if not self.allow_address(a)]
        if bad or not addresses:
            raise ImageError(f"host {parts.hostname} is a private, loopback or reserved "
                             f"address ({', '.join(bad) or 'none'}); only public hosts are fetched")
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=self.timeout)
        pinned = addresses[0]
        conn._create_connection = (  # type: ignore[attr-defined]
            lambda addr, timeout=None, source=None: socket.create_connection(
                (pinned, addr[1]), timeout, source))
        # a shop's address may hold Chinese or spaces ('/商品/红 色.jpg'): sent percent-encoded,
        # an already encoded '%E7' kept as it is
        target = quote(parts.path or "/", safe=_SAFE) + (f"?{quote(parts.query, safe=_SAFE + '?')}"
                                                         if parts.query else "")
        return conn, target

    def _read(self, resp: http.client.HTTPResponse, started: float) -> bytes:
        declared = resp.getheader("Content-Length")
        mb = 2**20 if self.for_photos else 1e6  # a catalog's limit is the upload's (10**6)
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise ImageError(f"is {int(declared) / mb:.1f} MB, more than the limit")
        chunks, total = [], 0
        while True:
            if time.monotonic() - started > self.deadline:
                raise _HostDown(f"download took more than {self.deadline:g} s")
            chunk = resp.read1(65536)  # one receive: the deadline holds against a trickle
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self.max_bytes:
                raise ImageError(f"is more than {self.max_bytes / mb:.0f} MB")
            chunks.append(chunk)


@dataclass(frozen=True)
class _Downloaded:
    """A download's bytes and what the server said of them (after any redirect)."""

    data: bytes
    url: str
    content_type: str
    disposition: str


def _split(url: str):
    """(parts, port) of an address; ImageError for one that cannot be read ('http://[::1',
    port 99999)."""
    try:
        parts = urlsplit(url)
        return parts, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ImageError(f"is not a valid web address ({exc})") from exc


class _HostDown(ImageError):
    """The host did not answer (no name, no connection, too slow): counts against it."""


def _check_type(content_type: str) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise ImageError(f"has Content-Type '{kind or 'none'}', not an allowed image type"
                         + (" (SVG is never rendered)" if "svg" in kind else ""))


# ---------------------------------------------------------------- a catalog's file

CATALOG_TIMEOUT = 20.0  # seconds without a byte
CATALOG_DEADLINE = 300.0  # seconds for the whole file (500 MB at under 2 MB/s)
_EXTENSIONS = (("spreadsheetml", ".xlsx"), ("ms-excel", ".xls"), ("opendocument.spreadsheet",
               ".ods"), ("json", ".json"), ("xml", ".xml"), ("tab-separated", ".tsv"),
               ("csv", ".csv"), ("parquet", ".parquet"), ("gzip", ".gz"), ("html", ".html"))
_DISPOSITION = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)


_SHEET = re.compile(r"^https://docs\.google\.com/spreadsheets/d/(e/)?([A-Za-z0-9_-]+)")
_GID = re.compile(r"[#&?]gid=(\d+)")


def direct_address(url: str) -> str:
    """The address of the file itself for the share links merchandisers copy: a Google
    Sheet's (…/edit#gid=0, a "Publish to the web" …/pubhtml) as its CSV export, a Dropbox
    share link (?dl=0) as its download; any other address as it is."""
    url = url.strip()
    sheet = _SHEET.match(url)
    if sheet:
        published, key = sheet.groups()
        gid = _GID.search(url)
        tail = f"&gid={gid.group(1)}" if gid else ""
        if published:
            return f"https://docs.google.com/spreadsheets/d/e/{key}/pub?output=csv{tail}"
        return f"https://docs.google.com/spreadsheets/d/{key}/export?format=csv{tail}"
    parts = urlsplit(url)
    if (parts.hostname or "").lower().endswith("dropbox.com") and "dl=0" in parts.query:
        return url.replace("dl=0", "dl=1", 1)
    return url


def is_web_address(text: str) -> bool:
    """Whether a catalog argument is an http(s) address rather than a path."""
    return bool(re.match(r"(?i)https?://", text.strip()))


def download_catalog(url: str, *, max_bytes: int, resolver: Resolver | None = None,
                     allow_address: Callable[[str], bool] | None = None,
                     timeout: float = CATALOG_TIMEOUT,
                     deadline: float = CATALOG_DEADLINE) -> tuple[bytes, str]:
    """(bytes, file name) of a catalog file at a public http(s) address: the shop's product
    feed or an export it publishes. The same guards as photos (public addresses only, the
    connection pinned to the checked address, redirects checked, timeouts, a deadline and
    the upload size limit while reading), any Content-Type (the reader tells the file by
    its bytes), never cached (a feed changes). CatalogError saying what to do."""
    url = url.strip()
    address = direct_address(url)
    fetcher = UrlFetcher(Path("."), timeout=timeout, deadline=deadline, max_bytes=max_bytes,
                         resolver=resolver or _resolve,
                         allow_address=allow_address or public_address, types=None,
                         for_photos=False)
    try:
        got = fetcher._download(address)
    except ImageError as exc:
        raise CatalogError(f"Could not load {url} ({exc}); check the address, or download "
                           "the file and upload it",
                           cli=f"Could not load {url} ({exc}); check the address, or download "
                               "the file and give its path") from None
    if address != url and "html" in got.content_type.lower():  # a sign-in page, not the sheet
        raise CatalogError(f"Could not load {url}: the file is not shared with everyone who has "
                           "the link, so a sign-in page came instead; share it with anyone who "
                           "has the link (Google Sheets: Share > Anyone with the link, Viewer), "
                           "or download it and upload it",
                           cli=f"Could not load {url}: the file is not shared with everyone who "
                               "has the link, so a sign-in page came instead; share it with "
                               "anyone who has the link, or download it and give its path")
    return got.data, _file_name(got.url, got.content_type, got.disposition)


def _file_name(url: str, content_type: str, disposition: str) -> str:
    """The file's name: the server's (Content-Disposition), else the address's last part;
    an extension from the Content-Type when it has none (a feed at '/feed')."""
    found = _DISPOSITION.search(disposition)
    raw = found.group(1) if found else urlsplit(url).path.rsplit("/", 1)[-1]
    name = PurePosixPath(unquote(raw).replace("\\", "/")).name.strip()[:120]
    name = "".join(ch for ch in name if ch.isprintable()) or (urlsplit(url).hostname or
                                                              "download")
    if not PurePosixPath(name).suffix:
        kind = content_type.split(";")[0].strip().lower()
        name += next((ext for key, ext in _EXTENSIONS if key in kind), "")
    return name
