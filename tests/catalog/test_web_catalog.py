"""A catalog from its web address (a shop's product feed): the app's form, the CLI and the
download's guards, against a real HTTP server on this machine; gzip-packed files."""

from __future__ import annotations

import gc
import gzip
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from core.catalog import fetch
from core.catalog.fetch import direct_address, download_catalog, is_web_address
from core.catalog.images import ImageError
from core.catalog.table import read_table
from core.errors import CatalogError
from tests.catalog.test_feeds import GOOGLE_RSS


class _Feeds(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b"no such file"))
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


CSV = b"sku,title,price\nA1,Blue mug,9.90\nA2,Red mug,9.90\nA3,Teapot,25.00\n"


@pytest.fixture
def shop():
    _Feeds.routes = {
        "/feed": (200, {"Content-Type": "application/rss+xml; charset=utf-8"},
                  GOOGLE_RSS.encode()),
        "/export?format=csv": (200, {"Content-Type": "text/csv",
                                     "Content-Disposition": 'attachment; filename="shop.csv"'},
                               CSV),
        "/feed.xml.gz": (200, {"Content-Type": "application/gzip"},
                         gzip.compress(GOOGLE_RSS.encode())),
        "/moved": (301, {"Location": "/feed"}, b""),
        "/inside": (302, {"Location": "http://10.0.0.1/feed"}, b""),
        "/big": (200, {"Content-Type": "text/csv"}, CSV * 100),
        "/s/feed.csv?dl=1": (200, {"Content-Type": "text/csv"}, CSV),
        "/s/private.csv?dl=1": (302, {"Location": "/login"}, b""),
        "/login": (200, {"Content-Type": "text/html; charset=utf-8"}, b"<form>Sign in</form>"),
    }
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _here(address: str) -> bool:
    return address == "127.0.0.1"


def test_a_feed_downloads_with_a_name_and_reads(shop: str) -> None:
    data, name = download_catalog(shop + "/feed", max_bytes=10**6, allow_address=_here)
    assert name == "feed.xml"  # an extension from the Content-Type: no "despite its name"
    table = read_table(data, name)
    assert table.frame["id"].tolist() == ["00123", "00124", "00125"]
    data, name = download_catalog(shop + "/export?format=csv", max_bytes=10**6,
                                  allow_address=_here)
    assert (name, data) == ("shop.csv", CSV)  # the server's name for it
    data, name = download_catalog(shop + "/moved", max_bytes=10**6, allow_address=_here)
    assert name == "feed.xml" and data == GOOGLE_RSS.encode()  # a redirect followed
    data, name = download_catalog(shop + "/feed.xml.gz", max_bytes=10**6, allow_address=_here)
    table = read_table(data, name)
    assert table.source == "feed.xml" and len(table.frame) == 3  # unpacked


def test_the_download_is_guarded(shop: str) -> None:
    with pytest.raises(CatalogError, match=r"private, loopback or reserved address"):
        download_catalog(shop + "/feed", max_bytes=10**6)  # this machine is no public host
    with pytest.raises(CatalogError, match=r"private, loopback or reserved address \(10\.0"):
        download_catalog(shop + "/inside", max_bytes=10**6, allow_address=_here)
    with pytest.raises(CatalogError, match=r"\(the server answered HTTP 404\); check the "
                                           r"address, or download the file and upload it"):
        download_catalog(shop + "/gone", max_bytes=10**6, allow_address=_here)
    with pytest.raises(CatalogError, match=r"\(is 0\.0 MB, more than the limit\)"):
        download_catalog(shop + "/big", max_bytes=1000, allow_address=_here)
    with pytest.raises(CatalogError, match=r"is not an http\(s\) URL"):
        download_catalog("ftp://shop.example.com/feed.xml", max_bytes=10**6)
    with pytest.raises(CatalogError, match="this computer has no internet connection"):
        download_catalog("https://shop.invalid/feed.xml", max_bytes=10**6,
                         resolver=lambda host, port: (_ for _ in ()).throw(OSError("no name")))
    assert is_web_address(" HTTPS://shop.example.com/feed") and not is_web_address("feed.csv")


def test_a_refused_download_leaves_no_connection_open(shop: str, tmp_path: Path) -> None:
    """An answer the download refuses (an error status, a page where a photo was asked for,
    a file over the limit, a redirect) closes its connection then, not when the garbage
    collector gets to the error's traceback: a server fetching many photos would run out of
    open files."""
    photos = fetch.UrlFetcher(tmp_path, resolver=lambda host, port: ["127.0.0.1"],
                              allow_address=_here, max_bytes=100)

    def refused(fetch_it) -> None:
        with pytest.raises((CatalogError, ImageError)) as info:  # a cycle through the frames
            fetch_it()
        assert str(info.value)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        for path, limit in (("/gone", 10**6), ("/big", 1000)):
            refused(lambda p=path, m=limit: download_catalog(shop + p, max_bytes=m,
                                                             allow_address=_here))
        for path in ("/gone", "/login", "/big"):
            refused(lambda p=path: photos.fetch(shop + p))
        gc.collect()
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []


def test_share_links_load_the_file_they_share(shop: str) -> None:
    """A merchandiser pastes the link they have: a Google Sheet open in the browser, a
    Dropbox share link. They load the sheet's CSV and the shared file."""
    sheet = "https://docs.google.com/spreadsheets/d/1AbC-xyz_9/edit"
    assert direct_address(sheet + "#gid=123") == (
        "https://docs.google.com/spreadsheets/d/1AbC-xyz_9/export?format=csv&gid=123")
    assert direct_address(sheet + "?usp=sharing") == (
        "https://docs.google.com/spreadsheets/d/1AbC-xyz_9/export?format=csv")
    assert direct_address("https://docs.google.com/spreadsheets/d/e/2PACX-1vQ/pubhtml?gid=5") \
        == "https://docs.google.com/spreadsheets/d/e/2PACX-1vQ/pub?output=csv&gid=5"
    assert direct_address(" https://shop.example.com/feed.xml ") == \
        "https://shop.example.com/feed.xml"
    port = shop.rsplit(":", 1)[1]
    box = f"http://www.dropbox.com:{port}/s/"  # the share host, served here

    def here(host: str, _port: int) -> list[str]:
        return ["127.0.0.1"]

    data, name = download_catalog(box + "feed.csv?dl=0", max_bytes=10**6, resolver=here,
                                  allow_address=_here)
    assert (data, name) == (CSV, "feed.csv")
    with pytest.raises(CatalogError, match=r"is not shared with everyone who has the link, so a "
                                           r"sign-in page came instead"):
        download_catalog(box + "private.csv?dl=0", max_bytes=10**6, resolver=here,
                         allow_address=_here)


def test_gzip_files_unpack_within_the_limit() -> None:
    table = read_table(gzip.compress(CSV), "shop.csv.gz")
    assert table.source == "shop.csv" and table.frame["sku"].tolist() == ["A1", "A2", "A3"]
    with pytest.raises(CatalogError, match=r"bomb\.csv\.gz unpacks to more than 0\.1 MB"):
        read_table(gzip.compress(b"a,b\n" + b"1,2\n" * 200_000), "bomb.csv.gz",
                   max_bytes=100_000)
    with pytest.raises(CatalogError, match=r"cut\.csv\.gz is a damaged gzip file"):
        read_table(gzip.compress(CSV * 50)[:60], "cut.csv.gz")


def test_the_cli_reads_tonights_feed(shop: str, tmp_path: Path, tiny_bert_dir: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli import main

    monkeypatch.setattr(fetch, "public_address", _here)  # the shop's server is this machine
    out = tmp_path / "lists.csv"
    assert main(["neighbors", shop + "/feed", "--model", str(tiny_bert_dir), "--out", str(out),
                 "--workspace", str(tmp_path / "ws"), "--k", "2",
                 "--relevance-floor", "0"]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert f"downloaded feed.xml (0.0 MB) from {shop}/feed" in err
    assert set(pd.read_csv(out, dtype=str)["source_id"]) == {"00123", "00124", "00125"}
    assert main(["neighbors", shop + "/gone", "--model", str(tiny_bert_dir), "--out",
                 str(out), "--workspace", str(tmp_path / "ws")]) != 0
    assert "download the file and give its path" in capsys.readouterr().err
    assert main(["neighbors", shop + "/feed", "--engine", "ray", "--out",
                 str(tmp_path / "folder")]) != 0
    assert "not a web address" in capsys.readouterr().err


def test_the_catalog_page_loads_a_web_address(shop: str, tiny_bert_dir: Path, workspace,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO_ROOT

    monkeypatch.setattr(fetch, "public_address", _here)
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    demo = list(at.session_state["catalog.catalog"].ids[:3])

    def load(address: str) -> None:
        at.text_input(key="catalog.url").input(address)
        at.button[[b.label for b in at.button].index("Load")].click().run()
        assert not at.exception, at.exception

    load(shop + "/gone")
    assert any("(the server answered HTTP 404); check the address, or download the file and "
               "upload it" in e.value for e in at.error), [e.value for e in at.error]
    assert list(at.session_state["catalog.catalog"].ids[:3]) == demo  # nothing lost
    load(shop + "/export?format=csv")
    assert not at.error, [e.value for e in at.error]
    assert list(at.session_state["catalog.catalog"].ids) == ["A1", "A2", "A3"]
    assert any("shop.csv" in str(m.value) for m in at.markdown)
    at.run()  # a rerun keeps the catalog and downloads nothing again
    assert list(at.session_state["catalog.catalog"].ids) == ["A1", "A2", "A3"]
