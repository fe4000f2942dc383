"""A merchandiser's walk through the main path in headless Chromium, real bundled model.

demo (guide) -> a product's list -> a rule -> Review: accept a pair -> Export: the CSV
-> reload and server restart keep the work -> Start over -> an uploaded catalog (cp1252)
-> its lists. Screenshots of every step go to $CATSIM_SCREENSHOT_DIR (default: a temp
folder) with timings.txt, the seconds each step took.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-dev-shm-usage"]
DEMO = ROOT / "data" / "demo_walmart.csv"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Chromium not installed (apt-get install chromium)", allow_module_level=True)


class Server:
    """`streamlit run app.py` on a fixed port and workspace; restartable."""

    def __init__(self, workspace: Path, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.workspace, self.log, self.proc = workspace, log, None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "CATSIM_WORKSPACE": str(self.workspace), "PYTHONUNBUFFERED": "1"}
        env.pop("CATSIM_MODEL", None)
        env.pop("CATSIM_LANGUAGE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port",
             str(self.port), "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"streamlit exited: {self.log.read_text()[-2000:]}"
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)  # polling a server start-up, not waiting on app logic
        raise TimeoutError("streamlit did not open its port")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:  # a loaded machine can take long to wind Streamlit down
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "ws", tmp_path / "streamlit.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CATSIM_SCREENSHOT_DIR", tmp_path / "shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settled(page, timeout: float = 300.0) -> None:
    """Streamlit's script state reads notRunning on three polls in a row."""
    app = page.locator("[data-testid='stApp']")
    end, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < end:
        quiet = quiet + 1 if app.get_attribute("data-test-script-state") == "notRunning" else 0
        if quiet >= 3:
            return
        page.wait_for_timeout(200)
    raise TimeoutError("the page never settled")


def cp1252_catalog(path: Path) -> Path:
    """A small shop catalog in Windows-1252 with accents, ';'-separated."""
    kinds = ["café crème mug", "crêpe pan", "entrée plate", "señor sombrero hat"]
    rows = [f"A{i:03d};{kinds[i % 4]} n°{i};{kinds[i % 4].split()[0]};{9.5 + i:.2f}"
            for i in range(40)]
    path.write_bytes(("ref;désignation;famille;prix\n" + "\n".join(rows) + "\n")
                     .encode("cp1252"))
    return path


def test_a_merchandiser_walks_the_main_path(server, shots, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    times: dict[str, float] = {}

    def step(name: str, page) -> None:
        settled(page)
        times[name] = time.monotonic() - started
        page.screenshot(path=str(shots / f"{len(times):02d}_{name}.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0, name

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        nav = page.locator("[data-testid='stSidebarNavLink']")

        started = time.monotonic()
        page.goto(server.url, wait_until="domcontentloaded")
        page.get_by_text("Welcome.", exact=False).first.wait_for(timeout=120_000)
        step("open_demo_with_guide", page)
        token = page.url.split("s=")[1]
        page.get_by_role("button", name="Got it").click()
        settled(page)
        assert page.get_by_text("Welcome.", exact=False).count() == 0

        started = time.monotonic()
        page.get_by_role("button", name="Next: see each product's neighbours").click()
        page.get_by_role("heading", name="Every product's list").wait_for(timeout=300_000)
        page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=120_000)
        step("neighbours", page)

        started = time.monotonic()
        page.get_by_label("Find a product (part of its title").fill("projector lamp")
        page.keyboard.press("Enter")
        page.locator("[data-testid='stMarkdown']").filter(
            has_text="projector lamp").first.wait_for(timeout=60_000)
        step("a_products_list", page)
        headers = page.locator("[data-testid='stDataFrame']").first.locator(
            "[role='columnheader']").all_inner_texts()
        assert [h.strip() for h in headers][:3] == ["rank", "score", "title"], headers

        started = time.monotonic()
        page.get_by_text("Rules for the lists", exact=True).click()
        box = page.locator("[data-testid='stMultiSelect']").filter(
            has_text="Only products with the same").locator("input").first
        box.wait_for(state="visible", timeout=60_000)
        option = page.get_by_role("option", name="category", exact=True)
        for _ in range(3):  # a click while the expander still opens may not open the list
            box.click()
            try:
                option.wait_for(state="visible", timeout=10_000)
                break
            except PlaywrightTimeout:
                continue
        option.click()
        page.keyboard.press("Escape")
        page.get_by_text("left out, by rule", exact=False).first.wait_for(timeout=120_000)
        step("rule_same_category", page)

        started = time.monotonic()
        nav.filter(has_text="Review").first.click()
        page.get_by_role("button", name="Accept").wait_for(timeout=120_000)
        settled(page)
        page.get_by_role("button", name="Accept").click()
        page.get_by_text("pairs decided in this session: 1", exact=False).wait_for(timeout=60_000)
        step("review_accept", page)
        assert (server.workspace / "sessions" / token / "state.json").exists()

        started = time.monotonic()
        page.get_by_role("button", name="Next: export the lists").click()
        page.get_by_role("heading", name="Export").wait_for(timeout=120_000)
        settled(page)
        assert page.get_by_text("1 accepted", exact=False).count() >= 1
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        exported = tmp_path / "lists.csv"
        download.value.save_as(exported)
        step("export_csv", page)
        lists = pd.read_csv(exported, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert {"source_id", "rank", "neighbor_id", "score"} <= set(lists.columns)
        demo = pd.read_csv(DEMO, dtype=str, keep_default_na=False).set_index("id")["category"]
        same = (lists["source_id"].map(demo) == lists["neighbor_id"].map(demo)).mean()
        assert same > 0.99, same  # the rule holds (an accepted pair may cross categories)
        assert lists["score"].astype(float).between(-1, 1.0001).all()

        def work_is_back(name: str) -> None:
            """The Export page shows the rule and the review decision again."""
            page.get_by_role("heading", name="Export").wait_for(timeout=120_000)
            settled(page)
            assert page.get_by_text("rules in force", exact=False).count() >= 1
            assert page.get_by_text("1 accepted", exact=False).count() >= 1
            step(name, page)

        started = time.monotonic()
        page.reload()
        work_is_back("after_reload")

        started = time.monotonic()
        server.stop()
        server.start()
        page.goto(f"{server.url}/export?s={token}", wait_until="domcontentloaded")
        work_is_back("after_server_restart")

        started = time.monotonic()
        page.get_by_role("button", name="Start over").click()
        page.get_by_role("button", name="Yes, start over").click()
        page.get_by_text("Welcome.", exact=False).first.wait_for(timeout=120_000)
        settled(page)
        assert token not in page.url
        assert not (server.workspace / "sessions" / token).exists()
        step("start_over", page)

        started = time.monotonic()
        nav.filter(has_text="Catalog").first.click()
        page.get_by_role("heading", name="Catalog").first.wait_for(timeout=60_000)
        settled(page)
        page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
            str(cp1252_catalog(tmp_path / "boutique.csv")))
        page.get_by_text("Mapped catalog: boutique.csv", exact=False).wait_for(timeout=120_000)
        assert page.get_by_text("cp1252", exact=False).count() >= 1
        step("uploaded_catalog", page)

        started = time.monotonic()
        page.get_by_role("button", name="Next: see each product's neighbours").click()
        page.get_by_role("heading", name="Every product's list").wait_for(timeout=300_000)
        page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=120_000)
        assert page.get_by_text("40 products", exact=False).count() >= 1
        step("uploaded_catalog_lists", page)
        browser.close()
    (shots / "timings.txt").write_text("".join(f"{k}: {v:.1f} s\n" for k, v in times.items()))
    print(times)
