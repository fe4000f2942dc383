"""Opt-in http(s) image fetching with limits, cached in the workspace.

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
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from core.catalog.images import MAX_IMAGE_BYTES, ImageError

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
            data = self._download(url)
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

    def _download(self, url: str) -> bytes:
        started = time.monotonic()
        for _ in range(MAX_REDIRECTS + 1):
            conn, target = self._connect(url)
            try:
                conn.request("GET", target, headers={"Accept": ", ".join(ALLOWED_TYPES[:5]),
                                                     "User-Agent": "catalog-similarity"})
                resp = conn.getresponse()
                if resp.status in (301, 302, 303, 307, 308):
                    url = urljoin(url, resp.getheader("Location") or "")
                    continue
                if resp.status != 200:
                    raise ImageError(f"the server answered HTTP {resp.status}")
                _check_type(resp.getheader("Content-Type") or "")
                return self._read(resp, started)
            except OSError as exc:
                raise _HostDown(f"could not be downloaded ({exc})") from exc
            except http.client.HTTPException as exc:
                raise ImageError(f"could not be downloaded ({exc})") from exc
            finally:
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
            raise _HostDown(f"host {parts.hostname} cannot be found: the computer downloading "
                            "the photos has no internet connection, or the address is misspelt "
                            f"({exc})") from exc
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
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise ImageError(f"is {int(declared) / 2**20:.1f} MB, more than the limit")
        chunks, total = [], 0
        while True:
            if time.monotonic() - started > self.deadline:
                raise _HostDown(f"download took more than {self.deadline:g} s")
            chunk = resp.read1(65536)  # one receive: the deadline holds against a trickle
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self.max_bytes:
                raise ImageError(f"is more than {self.max_bytes / 2**20:.0f} MB")
            chunks.append(chunk)


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
