"""How many people can use one app server at once? Headless Chromium users, all at once.

Starts `streamlit run app.py` on a free port (a fresh temporary workspace), lets one
user walk the main path first (model loaded, embeddings, neighbours and map computed
once: what any server has after its first visitor), then for each N in --users has N
users (one Chromium, N browser contexts) walk at the same time:

    open (the app's first page, settled) -> Neighbours (lists shown) ->
    Search (a query's results shown) -> Map (the 2-D map drawn)

and prints, per step, the median and slowest seconds across the N users, the ratio of
the median to the 1-user round of the same run (the baseline), the server's CPU
seconds for the round (from /proc, so they do not depend on the clock of a busy
machine), and the inotify watches the server holds. A round "serves" N users when
every step of every user finished within --ok-seconds.

The browsers run on the same machine as the server and take CPU from it; on a
2-core machine the figures are a lower bound of what the server alone would do.

    .venv/bin/python bench/serving.py --users 1,2,4,8
    .venv/bin/python bench/serving.py --users 1,4 --watcher auto   # with the file watcher
    .venv/bin/python bench/serving.py --users 1,4 --cold   # arriving together at a new server

With --cold every round starts a server of its own on a fresh workspace and nobody walks
first: the N people arrive together at a server that has computed nothing (after a
restart or an upgrade), so the demo's vectors, lists and map are made while they wait.
Made once for all of them (components.resources.SharedResults.make_once), the round's
server CPU stays near one walk's; made by each, it grows with N.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking"]
STEPS = ("open", "neighbours", "search", "map")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workspace: Path, watcher: str | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true"]
    if watcher:
        cmd += ["--server.fileWatcherType", watcher]
    env = {**os.environ, "CATSIM_WORKSPACE": str(workspace)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.2)  # waiting for a server start-up
    proc.terminate()
    raise TimeoutError("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (and its waited-for children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def inotify_watches(pid: int) -> int:
    """Inotify watches held by a process (one 'inotify wd:' line each in fdinfo)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            count += fd.read_text().count("inotify wd:")
        except OSError:
            continue
    return count


async def settled(page, timeout: float = 600.0) -> None:
    """Streamlit's script state reads notRunning on three polls in a row."""
    app = page.locator("[data-testid='stApp']")
    end, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < end:
        state = await app.get_attribute("data-test-script-state")
        quiet = quiet + 1 if state == "notRunning" else 0
        if quiet >= 3:
            return
        await page.wait_for_timeout(200)
    raise TimeoutError("the page never settled")


async def walk(browser, url: str, query: str) -> dict[str, float]:
    """One user's walk; seconds per step."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    nav = page.locator("[data-testid='stSidebarNavLink']")
    out: dict[str, float] = {}
    t = time.monotonic()
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_role("heading", name="Catalog").first.wait_for(timeout=600_000)
    await settled(page)
    out["open"] = time.monotonic() - t
    t = time.monotonic()
    await nav.filter(has_text="Neighbours").first.click()
    await page.get_by_role("heading", name="Every product's list").wait_for(timeout=600_000)
    await page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=600_000)
    await settled(page)
    out["neighbours"] = time.monotonic() - t
    t = time.monotonic()
    await nav.filter(has_text="Search").first.click()
    box = page.get_by_label("Describe what you are looking for")
    await box.fill(query)
    await box.press("Enter")
    await page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=600_000)
    await settled(page)
    out["search"] = time.monotonic() - t
    t = time.monotonic()
    await nav.filter(has_text="Map").first.click()
    await page.locator(".js-plotly-plot").first.wait_for(timeout=600_000)
    await settled(page)
    out["map"] = time.monotonic() - t
    await ctx.close()
    return out


async def run(args: argparse.Namespace, url: str, pid: int) -> None:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        t = time.monotonic()
        await walk(browser, url, "warm-up")
        print(f"first visitor (model, embeddings, lists, map computed): "
              f"{time.monotonic() - t:.1f} s; inotify watches {inotify_watches(pid)}",
              flush=True)
        base: dict[str, float] | None = None
        for n in args.users:
            base = await one_round(browser, n, url, pid, args.ok_seconds, base)
        await browser.close()


async def one_round(browser, n: int, url: str, pid: int, ok_seconds: float,
                    base: dict[str, float] | None) -> dict[str, float]:
    """N people walk at once; prints the round; returns the baseline (the first round's
    medians)."""
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    runs = await asyncio.gather(*[walk(browser, url, f"projector lamp {i}") for i in range(n)])
    wall, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    med = {s: statistics.median(r[s] for r in runs) for s in STEPS}
    worst = {s: max(r[s] for r in runs) for s in STEPS}
    base = base or med
    ok = max(worst.values()) <= ok_seconds
    print(f"{n} users: " + " | ".join(
        f"{s} {med[s]:.1f}/{worst[s]:.1f} s ({med[s] / base[s]:.1f}x)" for s in STEPS)
        + f" | round {wall:.0f} s, server CPU {cpu:.1f} s ({cpu / n:.1f} s per user)"
        + f" | {'serves' if ok else 'too slow'} (every step <= {ok_seconds:g} s)",
        flush=True)
    return base


async def run_cold(args: argparse.Namespace) -> None:
    """Each round on a server of its own, started fresh; nobody walks first."""
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    base: dict[str, float] | None = None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        for n in args.users:
            workspace = Path(tempfile.mkdtemp(prefix="serving_ws_"))
            port = free_port()
            server = start_server(port, workspace, args.watcher)
            try:
                base = await one_round(browser, n, f"http://127.0.0.1:{port}", server.pid,
                                       args.ok_seconds, base)
            finally:
                server.terminate()
                server.wait(timeout=30)
                shutil.rmtree(workspace, ignore_errors=True)
        await browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", default="1,2,4,8",
                    type=lambda s: [int(x) for x in s.split(",")])
    ap.add_argument("--ok-seconds", type=float, default=10.0,
                    help="a round serves its users when every step took at most this long")
    ap.add_argument("--watcher", choices=["none", "auto", "poll", "watchdog"],
                    help="server.fileWatcherType (default: .streamlit/config.toml's)")
    ap.add_argument("--cold", action="store_true",
                    help="each round on a new server with a fresh workspace, no first visitor")
    args = ap.parse_args()
    if 1 not in args.users:
        args.users = [1, *args.users]  # the baseline round
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    if args.cold:
        asyncio.run(run_cold(args))
        return
    workspace = Path(tempfile.mkdtemp(prefix="serving_ws_"))
    port = free_port()
    server = start_server(port, workspace, args.watcher)
    try:
        print(f"server pid {server.pid}, {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}, watcher {args.watcher or 'as configured'}",
              flush=True)
        asyncio.run(run(args, f"http://127.0.0.1:{port}", server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
