"""End to end in a real browser: headless Chromium against `streamlit run app.py`.

Uses the real bundled model. Skipped only when Chromium is not installed and
we are not in CI (CI installs it and must run this test).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-dev-shm-usage"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Chromium not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)  # polling a server start-up, not waiting on app logic
    raise TimeoutError(f"streamlit did not open port {port}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "CATSIM_WORKSPACE": str(tmp_path_factory.mktemp("ws")),
           "PYTHONUNBUFFERED": "1"}
    env.pop("CATSIM_MODEL", None)
    env.pop("CATSIM_LANGUAGE", None)
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")  # noqa: SIM115 (lives with the server)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py",
                             "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:  # a loaded machine can take longer than 20 s to wind Streamlit down
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "CI must install Chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield pg
        browser.close()


def test_a_deep_link_on_a_fresh_server_gets_the_app_navigation(server, page):
    """First visit of a fresh server straight to /search (a bookmark): the page runs
    through app.py's navigation (sections, titles), not as a bare pages/ file with
    raw file names in the sidebar. Runs first in this module, while the server is fresh."""
    page.goto(f"{server}/search", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Search").wait_for(timeout=120_000)
    page.get_by_text("Explore", exact=True).first.wait_for(timeout=60_000)
    names = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stSidebarNavLink"]')).map(e => e.innerText.split('\\n').pop())""")
    assert "Neighbours" in names and "Fine-tune" in names, names
    assert "app" not in names and "neighbors" not in names, names


def test_demo_catalog_to_neighbour_table(server, page, tmp_path):
    page.goto(server, wait_until="domcontentloaded")  # the demo opens by itself
    page.get_by_text("2,554 rows").first.wait_for(timeout=120_000)
    page.get_by_role("link", name="Neighbours").first.click()
    page.get_by_role("heading", name="Neighbours").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Every product's list").wait_for(timeout=180_000)
    grids = page.locator("[data-testid='stDataFrame']")
    grids.nth(1).wait_for(timeout=120_000)  # the product's list and the catalog-wide table
    assert grids.count() >= 2
    assert page.get_by_text("2,554 products").first.is_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    shot = Path(os.environ.get("CATSIM_SCREENSHOT_DIR", tmp_path)) / "neighbours_page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
