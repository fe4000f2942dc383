"""Layout a merchandiser sees at common laptop sizes (1280x720, 1024x768), in English and
Chinese, in headless Chromium: no label cut short with "…", and a new catalog's preview
sized for its own cells. The catalog pages need no model; the rules and Review check has
the demo read by the real model (slow)."""

from __future__ import annotations

import io
import os

import pytest

from tests.browser.test_browser import CHROMIUM, LAUNCH_ARGS, server  # noqa: F401  (fixture)
from tests.browser.test_walk_browser import settled

SIZES = [(1280, 720), (1024, 768)]
# Texts Streamlit ends with "…" when they do not fit: button and widget labels, the
# uploader's line of file types. Each is cut when its scrollWidth exceeds its clientWidth.
CUT_SHORT = """() => Array.from(document.querySelectorAll(
    '[data-testid=stMain] button [data-testid=stMarkdownContainer],' +
    '[data-testid=stMain] label [data-testid=stMarkdownContainer],' +
    '[data-testid=stMain] [data-testid=stFileUploaderDropzoneInstructions] span'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth)
  .map(e => e.innerText)"""

pytestmark = [pytest.mark.browser]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Chromium not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "CI must install Chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def open_page(browser, base: str, size: tuple[int, int], path: str = "/", *,
              chinese: bool = False):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(base + ("/" if chinese else path), wait_until="domcontentloaded")
    page.locator("[data-testid='stSidebarNavLink']").first.wait_for(timeout=120_000)
    settled(page)
    if chinese:
        page.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).click()
        page.get_by_role("heading", name="商品目录").first.wait_for(timeout=60_000)
        settled(page)
        if path != "/":
            page.goto(page.url.replace("/?", path + "?", 1), wait_until="domcontentloaded")
            page.locator("[data-testid='stSidebarNavLink']").first.wait_for(timeout=60_000)
            settled(page)
    return page


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=["1280x720", "1024x768"])
def test_nothing_on_the_catalog_page_is_cut_short(browser, server, size, chinese):  # noqa: F811
    """The first page a merchandiser sees read "Back to the demo catal…" (at 1024 px
    "Back to the …") and "500MB per file • CSV, TSV, TXT, XLSX, XLSM, XLS…"."""
    page = open_page(browser, server, size, chinese=chinese)
    page.locator("[data-testid='stFileUploader']").first.wait_for(timeout=60_000)
    assert page.evaluate(CUT_SHORT) == []
    page.close()


@pytest.mark.parametrize("size", SIZES, ids=["1280x720", "1024x768"])
def test_the_fine_tune_settings_are_not_cut_short(browser, server, size):  # noqa: F811
    """"LoRA: train small adapters, merged o…", "Learn from near misses in the lists…"."""
    page = open_page(browser, server, size, "/finetune")
    page.get_by_text("Advanced training settings", exact=True).click()
    page.get_by_text("Passes over the pairs", exact=False).first.wait_for(timeout=60_000)
    settled(page)
    assert page.evaluate(CUT_SHORT) == []
    page.close()


def _first_column_width(page) -> int:
    """Where the preview's first column ends: the first column divider in the header's
    top padding (no text there), from screenshots of the table (a canvas, drawn after the
    script ends): the same on two looks in a row."""
    from PIL import Image

    grid = page.locator("[data-testid='stDataFrame']").first
    seen = []
    while len(seen) < 2 or seen[-1] != seen[-2]:
        image = Image.open(io.BytesIO(grid.screenshot())).convert("L")
        background = image.getpixel((image.width // 2, 4))
        seen.append(next(x for x in range(3, image.width)
                         if image.getpixel((x, 4)) < background - 8))
        assert len(seen) < 20, seen
    return seen[-1]


def test_an_uploaded_catalogs_preview_shows_its_ids_whole(browser, server, tmp_path):  # noqa: F811
    """After the demo (ids 0..2553), an upload whose column has the same name ("id") and
    12-character ids showed them cut ("SKU-0000" for "SKU-00000012"; an 8-digit id of a
    real catalog as its first 6 digits): the one preview table kept the demo's column
    widths. The preview after the upload is as wide as after a reload (a fresh table)."""
    shop = tmp_path / "shop.csv"
    # Wider than the page (as real catalogs are): narrower tables are stretched to fit.
    shop.write_text("id,name,description\n" + "".join(
        f"SKU-{i:08d},garden hose {i} m green with brass fittings and a spray nozzle,"
        f"{'a long description of a garden hose that no table shows whole ' * 3}\n"
        for i in range(30)), encoding="utf-8")
    page = open_page(browser, server, (1280, 720))
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    settled(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        str(shop))
    page.get_by_text("Mapped catalog: shop.csv", exact=False).wait_for(timeout=60_000)
    settled(page)
    after_upload = _first_column_width(page)
    page.reload(wait_until="domcontentloaded")
    page.get_by_text("Mapped catalog: shop.csv", exact=False).wait_for(timeout=60_000)
    settled(page)
    after_reload = _first_column_width(page)
    assert abs(after_upload - after_reload) <= 2, (after_upload, after_reload)
    page.close()


@pytest.mark.slow
@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_the_rules_and_the_review_buttons_are_not_cut_short(browser, server, chinese):  # noqa: F811
    """At 1024 px the rules read "Keep near-identic…" and "Use my Review de…" (three
    columns), and the Chinese Review page's undo button "撤销上…". The demo is read by the
    real model here (once: the second language reuses the stored vectors). Then Export's
    preview of the file shows every column at 1024 px."""
    page = open_page(browser, server, (1024, 768), "/neighbors", chinese=chinese)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=300_000)
    settled(page, timeout=300)
    page.get_by_text("列表规则" if chinese else "Rules for the lists", exact=True).click()
    page.locator("[data-testid='stCheckbox']").first.wait_for(timeout=60_000)
    settled(page)
    assert page.locator("[data-testid='stCheckbox']").count() >= 2
    assert page.evaluate(CUT_SHORT) == []
    page.goto(page.url.replace("/neighbors?", "/review?", 1), wait_until="domcontentloaded")
    page.get_by_role("button", name="接受" if chinese else "Accept").wait_for(timeout=120_000)
    settled(page)
    assert page.evaluate(CUT_SHORT) == []
    # Export's preview of the file: every column, the score (the file's last) too, shows at
    # 1024 px without scrolling sideways (the score was off to the right)
    page.goto(page.url.replace("/review?", "/export?", 1), wait_until="domcontentloaded")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=120_000)
    settled(page)
    widths = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid=stDataFrame] .dvn-scroller')).map(e => [e.scrollWidth, e.clientWidth])""")
    assert widths and all(scroll <= client for scroll, client in widths), widths
    page.close()


def test_a_reloaded_chinese_session_names_its_pages_in_chinese(browser, server):  # noqa: F811
    """A reload (or a reconnect after a server restart) of a session switched to Chinese
    showed a Chinese page under English page names ("Catalog", "Neighbours") until the
    next click: app.py names the pages before the page brings the saved work back."""
    page = open_page(browser, server, (1280, 720), chinese=True)
    address = page.url
    page.close()
    again = browser.new_page(viewport={"width": 1280, "height": 720})
    again.goto(address, wait_until="domcontentloaded")
    again.get_by_role("heading", name="商品目录").first.wait_for(timeout=120_000)
    settled(again)
    names = again.locator("[data-testid='stSidebarNavLink']").all_inner_texts()
    assert "相似商品" in [n.split()[-1] for n in names], names  # each reads "<icon> <name>"
    again.close()


# A select box whose chosen value does not fit its box (the value is an input's text).
VALUE_CUT_SHORT = """() => Array.from(document.querySelectorAll(
    '[data-testid=stMain] [data-testid=stSelectbox] input'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth)
  .map(e => e.value)"""


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_the_mapping_form_shows_the_chosen_columns_whole(browser, server, tmp_path,  # noqa: F811
                                                         chinese):
    """At 1024 px the four role boxes in one row showed "manufacture" for the brand column
    "manufacturer" (abt-buy's Buy.csv)."""
    shop = tmp_path / "buy.csv"
    shop.write_text("sku,name,description,manufacturer,price\n" + "".join(
        f"S{i},garden hose {i} m,a green hose,Acme,{i}.99\n" for i in range(20)),
        encoding="utf-8")
    page = open_page(browser, server, (1024, 768), chinese=chinese)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        str(shop))
    brand = page.locator("[data-testid='stSelectbox'] input[value='manufacturer']")
    brand.first.wait_for(state="attached", timeout=60_000)
    settled(page)
    assert page.evaluate(VALUE_CUT_SHORT) == []
    page.close()


def _open_with_photos(browser, server, shop, photos, chinese):  # noqa: F811
    """A new session at 1024 px with the catalog uploaded, then its zip of photos."""
    page = open_page(browser, server, (1024, 768), chinese=chinese)
    uploads = page.locator("[data-testid='stFileUploader'] input[type='file']")
    uploads.first.set_input_files(str(shop))
    uploads.nth(1).wait_for(state="attached", timeout=60_000)
    settled(page)
    uploads.nth(1).set_input_files(str(photos))
    settled(page)
    return page


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_the_kept_photos_button_is_not_cut_short(browser, server, tmp_path,  # noqa: F811
                                                 chinese):
    """Back on the Catalog page after a zip of photos was uploaded, the button beside the
    "Photos in use" caption read "Stop using t…" at 1024 px (Chinese "不再使用这些…")."""
    import zipfile

    from tests.imagegen import encoded, photo

    shop = tmp_path / "shop.csv"
    shop.write_text("sku,title,photo\n" + "".join(
        f"S{i},garden hose {i} m,p{i}.png\n" for i in range(4)), encoding="utf-8")
    photos = tmp_path / "photos.zip"
    with zipfile.ZipFile(photos, "w") as zf:
        for i in range(4):
            zf.writestr(f"p{i}.png", encoded(photo(i)))
    page = _open_with_photos(browser, server, shop, photos, chinese)
    page.reload(wait_until="domcontentloaded")  # the zip is kept; its upload box is empty
    forget = page.locator("[data-testid='stMain'] button").filter(
        has_text="这些照片" if chinese else "Stop using these photos")
    forget.first.wait_for(timeout=60_000)
    settled(page)
    assert page.evaluate(CUT_SHORT) == []
    page.close()


def test_a_zip_that_does_not_open_is_said_once(browser, server, tmp_path):  # noqa: F811
    """A broken .zip (or a file that is no zip) was kept as the photos: the page read "0 of
    4 photo files found in the zip" and listed every product with "cannot be read: the zip
    file is broken"; it is refused in one message and no photos are taken from it."""
    shop = tmp_path / "shop.csv"
    shop.write_text("sku,title,photo\n" + "".join(
        f"S{i},garden hose {i} m,p{i}.png\n" for i in range(4)), encoding="utf-8")
    broken = tmp_path / "photos.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip" * 50)
    page = open_page(browser, server, (1024, 768))
    uploads = page.locator("[data-testid='stFileUploader'] input[type='file']")
    uploads.first.set_input_files(str(shop))
    uploads.nth(1).wait_for(state="attached", timeout=60_000)
    settled(page)
    uploads.nth(1).set_input_files(str(broken))
    alert = page.locator("[data-testid='stAlert']").filter(has_text="The uploaded .zip")
    alert.first.wait_for(timeout=60_000)
    settled(page)
    assert "cannot be read: the zip file is broken" in alert.first.inner_text()
    assert "No photos are used" in alert.first.inner_text()
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "found in the zip" not in main and "upload the photos as a .zip above" in main
    page.close()


# Cells of a static table (st.table) whose text does not fit them.
TABLE_CUT_SHORT = """() => Array.from(document.querySelectorAll(
    '[data-testid=stMain] [data-testid=stTable] th, [data-testid=stMain] [data-testid=stTable] td'))
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right >
          document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().right)
  .map(e => e.innerText)"""
# Top of each line of the photo grid's captions (title, id, score), by what it says.
GRID_LINES = """(words) => Array.from(document.querySelectorAll('[data-testid=stMain] [data-testid=stText]'))
  .filter(e => words.some(w => e.innerText.startsWith(w)))
  .map(e => [e.innerText, Math.round(e.getBoundingClientRect().top),
             Math.round(e.getBoundingClientRect().height)])"""


@pytest.mark.slow
@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_photo_captions_line_up_and_list_health_figures_fit(browser, server, tmp_path,  # noqa: F811
                                                            chinese):
    """At 1024 px the Neighbours photo grid's labels sat at different heights (a tall photo
    beside a wide one, a missing one) and List health's figures read "with your r" (the
    grid's last column cut behind the long measure names). The 8 products are read by the
    real model."""
    import zipfile

    from tests.imagegen import encoded, photo

    sizes = [(200, 150), (120, 200), (160, 160), (300, 90)]
    titles = ["garden hose", "garden hose 25 m green with brass fittings and a spray nozzle",
              "garden hose reel", "garden hose 50 m", "hose", "garden hose connector set of 4",
              "garden hose nozzle with eight spray patterns and a soft grip", "hose clamp"]
    shop = tmp_path / "shop.csv"
    shop.write_text("sku,title,photo\n" + "".join(
        f"S{i},{title},{'' if i == 3 else f'p{i}.png'}\n" for i, title in enumerate(titles)),
        encoding="utf-8")
    photos = tmp_path / "photos.zip"
    with zipfile.ZipFile(photos, "w") as zf:
        for i in range(len(titles)):
            zf.writestr(f"p{i}.png", encoded(photo(i, sizes[i % 4])))
    page = _open_with_photos(browser, server, shop, photos, chinese)
    page.goto(page.url.replace("/?", "/neighbors?", 1), wait_until="domcontentloaded")
    words = ["所选商品", "得分 "] if chinese else ["picked", "score "]
    page.locator("[data-testid='stText']").filter(has_text=words[0]).first.wait_for(
        timeout=300_000)
    settled(page, timeout=300)
    scores = page.evaluate(GRID_LINES, words)  # the product's own cell and its list's
    assert len(scores) >= 3, scores
    rows = (len(scores) + 5) // 6
    assert len({top for _, top, _ in scores}) == rows, scores  # one line of scores a row
    shown = page.evaluate(GRID_LINES, ["garden hose", "hose"])
    assert len(shown) == len(scores), shown
    assert len({height for _, _, height in shown}) == 1, shown  # long titles on one line too
    assert len({top for _, top, _ in shown}) == rows, shown
    page.goto(page.url.replace("/neighbors?", "/health?", 1), wait_until="domcontentloaded")
    page.locator("[data-testid='stTable']").first.wait_for(timeout=120_000)
    settled(page)
    assert page.evaluate(TABLE_CUT_SHORT) == []
    page.close()
