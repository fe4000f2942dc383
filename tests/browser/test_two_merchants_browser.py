"""Two merchants on one server, in two separate browsers (headless Chromium contexts).

Merchant A uploads a catalog, reviews a pair and searches; merchant B, at the same
time, uploads another. Nothing of A's (catalog, lists, search, review decisions, file
name, exported rows) may reach any page B opens, nor a browser that opens A's pages
without A's address. A's address itself (``?s=...``) is a capability link: whoever
holds it sees A's work (README, "Your work is saved as you go").
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.test_browser import CHROMIUM, LAUNCH_ARGS, server  # noqa: F401  (fixture)
from tests.browser.test_walk_browser import settled

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A_MARK, B_MARK = "zephyrine", "quillbrook"
PAGES = ("Catalog", "Neighbours", "Review", "Export", "Search")


def _catalog(path: Path, prefix: str, marker: str) -> Path:
    kinds = ["tea kettle", "desk lamp", "usb cable", "coffee mug", "office chair"]
    rows = [["sku", "title", "category"]]
    rows += [[f"{prefix}{i:03d}", f"{marker} {kinds[i % 5]} model {i}", kinds[i % 5].split()[1]]
             for i in range(30)]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _go(page, name: str) -> str:
    """Open a page from the sidebar; returns the text of its main area."""
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text=name).first.click()
    page.get_by_role("heading").first.wait_for(timeout=120_000)
    settled(page)
    assert page.locator("[data-testid='stException']").count() == 0, name
    return page.locator("[data-testid='stMain']").inner_text()


def _upload(page, path: Path) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        str(path))
    page.get_by_text(f"Mapped catalog: {path.name}", exact=False).first.wait_for(
        timeout=120_000)
    settled(page)


def test_two_merchants_never_see_each_others_work(server, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        ctx_a, ctx_b = (browser.new_context(viewport={"width": 1400, "height": 1600},
                                            accept_downloads=True) for _ in range(2))
        a, b = ctx_a.new_page(), ctx_b.new_page()
        a.goto(server, wait_until="domcontentloaded")
        b.goto(server, wait_until="domcontentloaded")
        settled(a)
        settled(b)
        token_a, token_b = a.url.split("s=")[1], b.url.split("s=")[1]
        assert token_a != token_b and len(token_a) >= 22

        _upload(a, _catalog(tmp_path / "a_shop.csv", "A", A_MARK))
        _upload(b, _catalog(tmp_path / "b_shop.csv", "B", B_MARK))
        _go(a, "Review")
        a.get_by_role("button", name="Accept").click()
        a.get_by_text("pairs decided in this session: 1", exact=False).wait_for(timeout=60_000)
        _go(a, "Search")
        query = a.get_by_label("Describe what you are looking for")
        query.fill(f"{A_MARK} kettle")
        query.press("Enter")
        settled(a)

        seen = {name: _go(b, name) for name in PAGES}
        for name, text in seen.items():
            assert A_MARK not in text and "a_shop" not in text, name
        assert "pairs decided in this session: 0" in seen["Review"]
        assert B_MARK in seen["Neighbours"]
        with b.expect_download() as download:
            _go(b, "Export")
            b.get_by_role("button", name="Download CSV", exact=True).click()
        exported = download.value.path().read_text(encoding="utf-8-sig")
        assert A_MARK not in exported and "A000" not in exported and B_MARK in exported

        # A's page without A's address (a shared screen, a guessed path): a new session
        stranger = ctx_b.new_page()
        stranger.goto(f"{server}/review", wait_until="domcontentloaded")
        settled(stranger)
        assert token_a not in stranger.url and token_b not in stranger.url
        assert A_MARK not in stranger.locator("[data-testid='stMain']").inner_text()
        # A's address is the key to A's work: whoever is given it sees it
        holder = browser.new_context().new_page()
        holder.goto(f"{server}/review?s={token_a}", wait_until="domcontentloaded")
        holder.get_by_text("pairs decided in this session: 1", exact=False).wait_for(
            timeout=120_000)
        browser.close()
