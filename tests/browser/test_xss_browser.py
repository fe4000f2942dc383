"""No script injection: catalog text with HTML/script shows as text, in a real browser.

Headless Chromium (playwright, the Debian /usr/bin/chromium) against
``streamlit run app.py`` (server and page fixtures of tests/test_browser.py).
A catalog whose ids, titles and categories carry payloads that would set
``window.__xss`` / ``document.title`` or open a dialog is uploaded through
the file input; every page is visited; the payloads must appear as literal
text (labels, markdown, plotly axis/legend/hover text) and nothing may run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.test_browser import page, server  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMG = '<img src=x onerror="window.__xss=1;document.title=\'pwned\'">'
SCRIPT = "<script>window.__xss=1;document.title='pwned'</script>"
SVG = '<svg onload="window.__xss=1">'
LINK = "[click](javascript:window.__xss=1)"
CATEGORY = "<img src=y onerror=alert(1)>kitchen"
ROWS = [
    ["id", "title", "category"],
    ["A1", f"{SCRIPT} red running shoe", "shoes"],
    ["A2", f"{IMG} blue running shoe", "shoes"],
    ["A3", f"{SVG} green tea 20 pack", CATEGORY],
    ["A4", f"{LINK} black coffee cup", CATEGORY],
    ["A5", "<b>bold</b> **stars** white desk lamp", CATEGORY],
    ["<img src=z onerror=alert(2)>", "=HYPERLINK(\"http://x\") usb cable", "electronics"],
    ["A7", "<iframe src=\"javascript:window.__xss=1\"></iframe> phone case", "electronics"],
    ["A8", "oak desk chair", "home"],
]
NO_SCRIPT_RAN = """() => ({xss: window.__xss === undefined ? null : window.__xss,
    title: document.title,
    imgs: document.querySelectorAll('img[src="x"], img[src="y"], img[src="z"]').length,
    svgs: document.querySelectorAll('svg[onload]').length,
    iframes: [...document.querySelectorAll('iframe')].filter(
        f => (f.getAttribute('src') || '').startsWith('javascript')).length,
    scripts: [...document.scripts].filter(s => s.text.includes('__xss')).length,
    links: [...document.querySelectorAll('a')].filter(
        a => (a.getAttribute('href') || '').startsWith('javascript')).length})"""


def _catalog(tmp_path: Path) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(ROWS)
    path = tmp_path / "xss_catalog.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _assert_nothing_ran(pg, dialogs: list[str], where: str) -> None:
    state = pg.evaluate(NO_SCRIPT_RAN)
    assert state == {"xss": None, "title": state["title"], "imgs": 0, "svgs": 0, "iframes": 0,
                     "scripts": 0, "links": 0}, (where, state)
    assert state["title"] != "pwned", where
    assert dialogs == [], (where, dialogs)


def _goto(pg, name: str) -> None:
    pg.get_by_role("link", name=name).first.click()
    pg.get_by_role("heading", name=name).first.wait_for(timeout=120_000)


def _no_exception(pg) -> None:
    assert pg.locator("[data-testid='stException']").count() == 0


def _svg_texts(pg, selector: str) -> list[str]:
    return pg.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def test_catalog_text_never_runs_as_script(server, page, tmp_path):  # noqa: F811
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Catalog").first.wait_for(timeout=120_000)
    page.locator("input[type='file']").first.set_input_files(str(_catalog(tmp_path)))
    page.get_by_text("Mapped catalog: xss_catalog.csv").first.wait_for(timeout=120_000)
    _no_exception(page)
    _assert_nothing_ran(page, dialogs, "catalog page")

    _goto(page, "Neighbours")
    page.get_by_role("heading", name="Every product's list").wait_for(timeout=180_000)
    finder = page.get_by_label("Find a product (part of its title")
    finder.fill("onerror")
    finder.press("Enter")
    page.get_by_text("blue running shoe").first.wait_for(timeout=60_000)
    shown = page.get_by_text(IMG, exact=False).first  # markdown label: literal text
    shown.wait_for(timeout=60_000)
    assert shown.is_visible()
    _no_exception(page)
    _assert_nothing_ran(page, dialogs, "neighbours page")

    _goto(page, "Heatmap")
    page.get_by_text("A category", exact=True).first.click()
    page.locator(".js-plotly-plot .ytick text").first.wait_for(timeout=120_000)
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Category").first
    shown = box.evaluate("e => e.innerText + ' ' + [...e.querySelectorAll('input')]"
                         ".map(i => i.value + ' ' + (i.getAttribute('aria-label') || ''))"
                         ".join(' ')")
    assert f"{CATEGORY} (3)" in shown, shown  # the most common category, shown as text
    # Rows carry the product titles (columns are numbered); hover reads the same labels.
    ticks = " ".join(_svg_texts(page, ".js-plotly-plot .ytick text"))
    assert '<svg onload="window.__' in ticks and "[click](javascript:" in ticks, ticks
    cell = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    page.mouse.move(cell["x"] + cell["width"] * 0.5, cell["y"] + cell["height"] * 0.5)
    page.locator(".js-plotly-plot .hovertext").first.wait_for(timeout=30_000)
    hover = " ".join(_svg_texts(page, ".js-plotly-plot .hovertext"))
    literal = ("<b>bold</b>", '<svg onload="window.__xss=1">', "[click](javascript:window")
    assert "score" in hover and any(p in hover for p in literal), hover
    _no_exception(page)
    _assert_nothing_ran(page, dialogs, "heatmap page")

    _goto(page, "Map")
    page.locator(".js-plotly-plot .legendtext").first.wait_for(timeout=180_000)
    legend = _svg_texts(page, ".js-plotly-plot .legendtext")
    assert CATEGORY in legend, legend
    _no_exception(page)
    _assert_nothing_ran(page, dialogs, "map page")

    _goto(page, "Search")
    query = page.get_by_label("Describe what you are looking for")
    query.fill("running shoe")
    query.press("Enter")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=120_000)
    _no_exception(page)
    _assert_nothing_ran(page, dialogs, "search page")
