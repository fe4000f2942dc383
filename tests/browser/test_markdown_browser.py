"""No Markdown injection (issue 14, item 2), in a real browser.

A catalog whose ids, titles, categories and image URLs carry Markdown that
would load a remote image (a tracking pixel), draw a clickable "Verify your
account" link or style text is uploaded into ``streamlit run app.py`` (the
server and page fixtures of tests/browser/test_browser.py). The "remote"
host is a small HTTP server on another port that counts what it is asked
for. Catalog, an upload error quoting a column name,
Neighbours (product label), Heatmap ("Sent here:" option) and Review (id
captions, product cards with an image column) are visited: the remote host
must receive no request at all, and no link or image pointing at it may exist.
"""

from __future__ import annotations

import csv
import io
import threading
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.test_browser import page, server  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _Counter(BaseHTTPRequestHandler):
    hits: typing.ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        return


@pytest.fixture(scope="module")
def remote():
    """The 'remote' host: an HTTP server on its own port that records every request."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(timeout=10)


def _catalog(tmp_path: Path, remote: str) -> Path:
    pixel = f"![pixel]({remote}/pixel.png)"
    phish = f"[Verify your account]({remote}/phish)"
    rows = [["id", "title", "category", "image"],
            [pixel, f"red running shoe {phish}", f":red[styled] {pixel}", f"{remote}/a.jpg"],
            [f"{pixel}2", "blue running shoe **bold**", "shoes", f"{remote}/b.jpg"],
            ["A3", f"green tea 20 pack <{remote}/auto>", "tea", f"{remote}/c.jpg"],
            ["A4", "black coffee cup www.evil.example", "kitchen", f"{remote}/d.jpg"],
            ["A5", "white desk lamp", "kitchen", f"{remote}/e.jpg"],
            ["A6", "oak desk chair", "home", f"{remote}/f.jpg"]]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path = tmp_path / "md_catalog.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _bad_file(tmp_path: Path, remote: str) -> Path:
    name = f"![err]({remote}/error.png)"
    path = tmp_path / "repeated.csv"
    path.write_text(f"{name},{name}\n1,2\n", encoding="utf-8")
    return path


LINKS_AND_IMAGES = """(remote) => ({
    links: [...document.querySelectorAll('a')].filter(a => (a.href || '').startsWith(remote)).length,
    images: [...document.querySelectorAll('img')].filter(i => (i.src || '').startsWith(remote)).length,
    styled: [...document.querySelectorAll('span')].filter(
        s => s.textContent === 'styled' && (s.getAttribute('class') || '').includes('red')).length})"""


def _nothing_remote(pg, remote: str, requested: list[str], where: str) -> None:
    state = pg.evaluate(LINKS_AND_IMAGES, remote)
    assert state == {"links": 0, "images": 0, "styled": 0}, (where, state)
    assert requested == [] and _Counter.hits == [], (where, requested, _Counter.hits)
    assert pg.locator("[data-testid='stException']").count() == 0, where


def _goto(pg, name: str) -> None:
    pg.get_by_role("link", name=name).first.click()
    pg.get_by_role("heading", name=name).first.wait_for(timeout=120_000)


def test_catalog_markdown_loads_nothing_and_links_nowhere(server, page, remote,  # noqa: F811
                                                          tmp_path):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if r.url.startswith(remote) else None)
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Catalog").first.wait_for(timeout=120_000)
    upload = page.locator("input[type='file']").first
    upload.set_input_files(str(_bad_file(tmp_path, remote)))
    page.get_by_text("has repeated column names").first.wait_for(timeout=120_000)
    page.get_by_text("![err](http", exact=False).first.wait_for(timeout=30_000)  # as text
    _nothing_remote(page, remote, requested, "upload error")

    upload.set_input_files(str(_catalog(tmp_path, remote)))
    page.get_by_text("Mapped catalog: md_catalog.csv").first.wait_for(timeout=180_000)
    _nothing_remote(page, remote, requested, "catalog page")

    _goto(page, "Neighbours")
    page.get_by_role("heading", name="Every product's list").wait_for(timeout=180_000)
    finder = page.get_by_label("Find a product (part of its title")
    finder.fill("red running")
    finder.press("Enter")
    page.get_by_text("Verify your account", exact=False).first.wait_for(timeout=60_000)
    _nothing_remote(page, remote, requested, "neighbours page")

    page.get_by_role("button", name="Show this product and its neighbours on the heatmap").click()
    page.get_by_role("heading", name="Heatmap").first.wait_for(timeout=120_000)
    page.get_by_text("Sent here:", exact=False).first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    _nothing_remote(page, remote, requested, "heatmap page")

    _goto(page, "Review")
    page.get_by_text("pairs decided in this session", exact=False).first.wait_for(timeout=180_000)
    _nothing_remote(page, remote, requested, "review page (image column mapped)")
