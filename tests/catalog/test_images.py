"""Reading photos safely: formats, bombs, SVG, paths, zips and opt-in URL fetching."""

from __future__ import annotations

import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import quote, unquote

import pytest
from PIL import Image

from core.catalog.fetch import UrlFetcher, public_address
from core.catalog.image_source import ImageIssue, ImageSource, check_names, image_ref, photo_refs
from core.catalog.images import ImageError, decode_image, thumbnail
from tests.imagegen import SVG, bomb_png, encoded, photo


@pytest.mark.parametrize("mode,fmt", [("RGB", "PNG"), ("L", "PNG"), ("P", "GIF"),
                                      ("I;16", "PNG"), ("CMYK", "JPEG"), ("RGB", "WEBP"),
                                      ("RGB", "BMP")])
def test_allowed_formats_decode_to_rgb(mode: str, fmt: str) -> None:
    out = decode_image(encoded(photo(0).convert(mode), fmt))
    assert out.image.mode == "RGB" and out.image.size == (96, 80)
    assert out.format == fmt and len(out.digest) == 32


def test_transparency_is_composited_on_white() -> None:
    im = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    im.putpixel((5, 5), (255, 0, 0, 255))
    rgb = decode_image(encoded(im)).image
    assert rgb.getpixel((0, 0)) == (255, 255, 255) and rgb.getpixel((5, 5)) == (255, 0, 0)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ImageError, match="claims more pixels than any photo has"):
        decode_image(bomb_png(100_000, 100_000))
    small = encoded(photo(1, (400, 300)))
    with pytest.raises(ImageError, match="400x300 pixels"):
        decode_image(small, max_pixels=100_000)


@pytest.mark.parametrize("data,match", [
    (SVG, "SVG is never rendered"),
    (b"   <html><body><img src=x onerror=alert(1)></body></html>", "SVG/XML/HTML"),
    (b"", "empty"),
    (b"GIF89a" + b"\x00" * 30, "cannot be decoded|allowed format"),
    (b"just some text, not a picture", "allowed format"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
     "HEIC/AVIF photo .* save it as JPEG"),
    (b"\x00\x00\x00\x1cftypavif" + b"\x00" * 64, "HEIC/AVIF"),
])
def test_not_photos_are_refused(data: bytes, match: str) -> None:
    with pytest.raises(ImageError, match=match):
        decode_image(data)


def test_tiff_truncated_and_oversized_files_are_refused() -> None:
    with pytest.raises(ImageError, match="allowed format"):
        decode_image(encoded(photo(2), "TIFF"))
    for cut in (encoded(photo(2, (300, 300)), "JPEG")[:400], encoded(photo(2))[:60]):
        with pytest.raises(ImageError, match=r"^is cut short: the file ends before the picture "
                                             r"does \(an interrupted download or copy\); download"):
            decode_image(cut)  # not Pillow's "Truncated File Read"
    with pytest.raises(ImageError, match="MB"):
        decode_image(encoded(photo(2)), max_bytes=100)


@pytest.mark.parametrize("size", [(1, 1), (15, 300), (300, 8)])
def test_a_spacer_pixel_is_not_taken_for_a_photo(size) -> None:
    """A 1x1 spacer (shop exports put one where a photo is missing) was embedded as a photo:
    it matched every other spacer; it is refused, naming its size, from its header."""
    for fmt in ("PNG", "GIF", "JPEG"):
        with pytest.raises(ImageError, match=rf"is only {size[0]}x{size[1]} pixels, too small "
                                             r"to show a product .* at least 16 pixels"):
            decode_image(encoded(Image.new("RGB", size, (255, 255, 255)), fmt))
    assert decode_image(encoded(photo(0, (16, 16)))).image.size == (16, 16)


def test_thumbnail_is_a_small_jpeg_written_here() -> None:
    thumb = thumbnail(encoded(photo(3, (900, 500))))
    im = Image.open(__import__("io").BytesIO(thumb))
    assert im.format == "JPEG" and max(im.size) <= 160
    with pytest.raises(ImageError):
        thumbnail(SVG)


def test_image_cells() -> None:
    assert [image_ref(c) for c in (None, float("nan"), "  ", "nan", " a.png ")] == \
        ["", "", "", "", "a.png"]


def test_folder_source_reads_relative_files_only(tmp_path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(encoded(photo(0)))
    (tmp_path / "secret.png").write_bytes(encoded(photo(1)))
    source = ImageSource(folder=tmp_path / "img")
    assert decode_image(source.read("./a.png")).image.size == (96, 80)
    for ref, match in (("../secret.png", "outside"), (str(tmp_path / "secret.png"), "outside"),
                       ("b.png", "not found"), ("https://example.com/a.png", "downloading photos is off"),
                       ("file:///etc/passwd", "neither"), ("data:image/png;base64,AAAA",
                                                           "neither")):
        with pytest.raises(ImageError, match=match):
            source.read(ref)


def test_zip_source(tmp_path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("photos/a.png", encoded(photo(0)))
        zf.writestr("photos/big.png", b"x" * 5000)
    source = ImageSource(archive=archive, max_bytes=4000)
    assert source.read("photos/a.png") == source.read("a.png")  # unique base name
    with pytest.raises(ImageError, match="not found"):
        source.read("c.png")
    with pytest.raises(ImageError, match="MB"):
        source.read("big.png")
    source.close()
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(ImageError, match="zip"):
        ImageSource(archive=tmp_path / "broken.zip").read("a.png")


def test_issue_names_row_and_file() -> None:
    msg = ImageIssue(4, "SKU-9", "photos/x.png", "was not found").message()
    assert msg == "row 5 (id SKU-9): image 'photos/x.png' was not found; skipped"


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def log_message(self, *args) -> None:  # quiet
        pass

    redirects: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        target = {"/redirect": "/a.png", **self.redirects}.get(self.path)
        if target:
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
            return
        if self.path == "/trickle":  # a slow server: one byte at a time, for ever
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                threading.Event().wait(0.05)
            return
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if self.path != "/stream":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    _Handler.routes = {"/a.png": (200, "image/png", encoded(photo(0))),
                       "/svg": (200, "image/svg+xml", SVG),
                       "/page": (200, "text/html; charset=utf-8", b"<html></html>"),
                       "/big": (200, "image/jpeg", b"x" * 5000),
                       "/stream": (200, "image/jpeg", b"x" * 5000)}
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", srv
    srv.shutdown()
    srv.server_close()


def _loopback_ok(address: str) -> bool:
    return address == "127.0.0.1"


def test_fetch_checks_type_size_and_caches(server, tmp_path) -> None:
    base, srv = server
    fetcher = UrlFetcher(tmp_path / "cache", allow_address=_loopback_ok, max_bytes=4000)
    first = fetcher.fetch(base + "/a.png")
    assert decode_image(first).image.size == (96, 80)
    assert fetcher.fetch(base + "/redirect") == first
    for path, match in (("/svg", "SVG is never rendered"), ("/page", "text/html"),
                        ("/big", "MB"), ("/stream", "MB"), ("/missing", "HTTP 404")):
        with pytest.raises(ImageError, match=match):
            fetcher.fetch(base + path)
    srv.shutdown()
    assert fetcher.fetch(base + "/a.png") == first  # served from the workspace cache


def test_addresses_with_chinese_or_spaces_are_fetched(server, tmp_path) -> None:
    """A Chinese shop's photo address ('/商品/红 色.jpg') is sent percent-encoded; it raised
    UnicodeEncodeError out of the fetcher (not a skipped photo: the page crashed)."""
    base, _ = server
    png = encoded(photo(2))
    for path in ("/商品/红 色.png", "/%E5%95%86%E5%93%81/%E7%BA%A2.png"):
        _Handler.routes[quote(unquote(path))] = (200, "image/png", png)
    fetcher = UrlFetcher(tmp_path, allow_address=_loopback_ok)
    assert fetcher.fetch(base + "/商品/红 色.png") == png
    assert fetcher.fetch(base + "/%E5%95%86%E5%93%81/%E7%BA%A2.png") == png  # encoded already
    _Handler.routes[quote("/图.png") + "?w=200&" + quote("名") + "=1"] = (200, "image/png", png)
    assert fetcher.fetch(base + "/图.png?w=200&名=1") == png


@pytest.mark.parametrize("url", ["http://www..shop.example/a.png", "http://[::1/a.png",
                                 "http://shop.example:99999/a.png",
                                 "http://" + "a" * 70 + ".example/a.png"])
def test_a_malformed_address_is_a_skipped_photo_not_a_crash(url: str, tmp_path) -> None:
    with pytest.raises(ImageError, match="is not a valid web address"):
        UrlFetcher(tmp_path).fetch(url)


def test_fetch_refuses_loopback_and_private_hosts(server, tmp_path) -> None:
    base, _ = server
    with pytest.raises(ImageError, match="loopback"):
        UrlFetcher(tmp_path).fetch(base + "/a.png")
    for address in ("10.1.2.3", "192.168.0.7", "172.16.0.1", "169.254.169.254", "::1",
                    "::ffff:127.0.0.1", "0.0.0.0", "fd00::5", "224.0.0.1", "100.64.0.1"):
        assert not public_address(address), address
        fetcher = UrlFetcher(tmp_path, resolver=lambda host, port, a=address: [a])
        with pytest.raises(ImageError, match="private"):
            fetcher.fetch("http://shop.example/a.png")
    assert public_address("93.184.216.34")
    with pytest.raises(ImageError, match="http"):
        UrlFetcher(tmp_path).fetch("ftp://shop.example/a.png")


def test_redirect_to_a_private_address_is_refused(server, tmp_path) -> None:
    """Each hop is resolved, checked and connected to the checked address: a public
    host may not redirect into the private network."""
    base, _ = server
    port = base.rsplit(":", 1)[1]
    _Handler.routes["/to-internal"] = (200, "image/png", b"")
    hosts = {"shop.example": ["127.0.0.1"], "internal.example": ["10.0.0.5"]}
    fetcher = UrlFetcher(tmp_path, resolver=lambda host, p: hosts[host],
                         allow_address=lambda a: a == "127.0.0.1" or public_address(a))
    # shop.example does not exist: the page comes from the address the check pinned
    assert decode_image(fetcher.fetch(f"http://shop.example:{port}/a.png")).image.size == (96, 80)
    _Handler.redirects = {"/to-internal": f"http://internal.example:{port}/a.png"}
    with pytest.raises(ImageError, match="private"):
        fetcher.fetch(f"http://shop.example:{port}/to-internal")


def test_a_trickling_server_hits_the_deadline(server, tmp_path) -> None:
    base, _ = server
    fetcher = UrlFetcher(tmp_path, allow_address=_loopback_ok, timeout=5.0, deadline=0.5)
    with pytest.raises(ImageError, match=r"took more than 0\.5 s"):
        fetcher.fetch(base + "/trickle")



def test_a_host_that_does_not_answer_is_given_up_after_two_photos(server, tmp_path) -> None:
    """Photos on a dead server cost two timeouts, not one per product; another host, and
    a host that answers with errors (404), are still tried."""
    base, _ = server
    port = base.rsplit(":", 1)[1]
    silent = socket.socket()  # accepts connections and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    fetcher = UrlFetcher(tmp_path, resolver=lambda host, p: ["127.0.0.1"],
                         allow_address=_loopback_ok, timeout=0.3)
    dead = f"http://dead.example:{silent.getsockname()[1]}"
    reasons = []
    for k in range(5):
        with pytest.raises(ImageError) as err:
            fetcher.fetch(f"{dead}/{k}.jpg")
        reasons.append(str(err.value))
        with pytest.raises(ImageError, match="HTTP 404"):
            fetcher.fetch(f"http://shop.example:{port}/missing{k}.png")
    assert all("timed out" in r for r in reasons[:2])
    assert reasons[2:] == ["was not tried: host dead.example did not answer 2 times before "
                           "(could not be downloaded (timed out))"] * 3
    assert len(held) == 2
    assert decode_image(fetcher.fetch(f"http://shop.example:{port}/a.png")).image.size == (96, 80)
    silent.close()
    for conn in held:
        conn.close()


def _zip_without_utf8_flag(path, names: dict[str, bytes], data: bytes) -> None:
    """A zip whose entries' names are stored in a local code page (no UTF-8 flag), as
    Windows' own 'Send to > Compressed folder' writes them: {placeholder: real name bytes}."""
    with zipfile.ZipFile(path, "w") as zf:
        for placeholder in names:
            zf.writestr(placeholder, data)
    raw = path.read_bytes()
    for placeholder, real in names.items():
        assert len(placeholder.encode()) == len(real)
        raw = raw.replace(placeholder.encode(), real)
    path.write_bytes(raw)


def test_zip_names_match_as_a_merchandiser_writes_them(tmp_path) -> None:
    archive = tmp_path / "photos.zip"
    png = {k: encoded(photo(k)) for k in range(6)}
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export/bags/sub/SKU5.JPG", png[0])  # folders the cell leaves out
        zf.writestr("export/shoes/a.jpg", png[1])
        zf.writestr("export/hats/a.jpg", png[2])  # the same file name in two folders
        zf.writestr("export/Case.png", png[3])
        zf.writestr("export/case.png", png[4])
        zf.writestr("__MACOSX/export/bags/sub/._SKU5.JPG", b"\x00\x05\x16\x07")
    source = ImageSource(archive=archive)
    for ref in ("sku5.jpg", "SKU5.JPG", "sub/SKU5.jpg", "bags\\sub\\sku5.jpg",
                "export/bags/sub/SKU5.JPG"):
        assert source.read(ref) == png[0], ref
    assert source.read("shoes/a.jpg") == png[1] and source.read("HATS/A.JPG") == png[2]
    assert source.read("Case.png") == png[3] and source.read("case.png") == png[4]
    with pytest.raises(ImageError, match=r"matches 2 files in the zip \(export/hats/a.jpg, "
                                         r"export/shoes/a.jpg\); write its folder"):
        source.read("a.jpg")
    with pytest.raises(ImageError, match="matches 2 files"):
        source.read("CASE.PNG")
    with pytest.raises(ImageError, match="not found"):
        source.read("b/SKU5.JPG")  # a folder that is not there is not ignored
    source.close()


def test_cells_with_folders_the_zip_does_not_have_find_their_photo(tmp_path) -> None:
    """A catalog exported on the merchandiser's computer names photos by their full path
    (C:\\Users\\anna\\Photos\\bags\\a.jpg, /Users/anna/Photos/a.jpg), or "photos/a.jpg" when
    the zip holds the folder's files: the zip's whole path ending the cell's finds it (old
    code: every such photo "was not found in the zip"); another folder's a.jpg never does."""
    archive = tmp_path / "photos.zip"
    png = {k: encoded(photo(k)) for k in range(3)}
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bags/a.jpg", png[0])
        zf.writestr("红色杯子.png", png[1])
        zf.writestr("b.png", png[2])
    source = ImageSource(archive=archive)
    for ref, want in (("C:\\Users\\anna\\Photos\\bags\\a.jpg", 0), ("/Users/anna/Photos/BAGS/A.JPG", 0),
                      ("photos/bags/a.jpg", 0), ("/home/李/照片/红色杯子.png", 1), ("photos/b.png", 2)):
        assert source.read(ref) == png[want], ref
    names = check_names(["/Users/anna/Photos/bags/a.jpg", "shoes/a.jpg"], ["A", "S"], source)
    assert names.found == 1 and [i.product_id for i in names.issues] == ["S"]
    for ref in ("shoes/a.jpg", "/Users/anna/shoes/a.jpg", "c.png"):
        with pytest.raises(ImageError, match="not found in the zip"):
            source.read(ref)
    source.close()


def test_absolute_paths_inside_the_image_folder_are_read(tmp_path) -> None:
    """--images DIR: a cell's absolute path inside DIR, or a path whose leading folders DIR
    does not repeat (DIR is the photos folder itself), is read (old code: 'is outside the
    image folder' / 'was not found'); a file outside DIR still is not."""
    (tmp_path / "shop" / "photos").mkdir(parents=True)
    (tmp_path / "shop" / "photos" / "a.png").write_bytes(encoded(photo(0)))
    (tmp_path / "secret.png").write_bytes(encoded(photo(1)))
    whole = ImageSource(folder=tmp_path / "shop")
    assert decode_image(whole.read(str(tmp_path / "shop" / "photos" / "a.png"))).format == "PNG"
    inner = ImageSource(folder=tmp_path / "shop" / "photos")
    assert inner.read("photos/a.png") == inner.read("/elsewhere/photos/a.png") == \
        whole.read("photos/a.png")
    for source in (whole, inner):
        with pytest.raises(ImageError, match="outside the image folder"):
            source.read(str(tmp_path / "secret.png"))


def test_zip_names_written_by_a_chinese_windows_are_found(tmp_path) -> None:
    archive, data = tmp_path / "photos.zip", encoded(photo(0))
    _zip_without_utf8_flag(archive, {"aaaa/bbbb.jpg": "红色/鞋子.jpg".encode("gbk"),
                                     "cccccc.png": "白色.png".encode()}, data)
    with zipfile.ZipFile(archive) as zf:  # Python alone reads these names as cp437
        assert "红色/鞋子.jpg" not in zf.namelist()
    source = ImageSource(archive=archive)
    assert source.read("红色/鞋子.jpg") == data and source.read("鞋子.jpg") == data
    assert source.read("白色.png") == data
    source.close()


def test_photo_names_are_checked_against_the_zip_before_any_is_read(tmp_path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("shoes/a.jpg", encoded(photo(0), "JPEG"))
        zf.writestr("hats/b.png", b"not decoded here")
        zf.writestr("x/c.png", b"1")
        zf.writestr("y/c.png", b"2")
        zf.writestr("big.png", b"x" * 20_000)
    refs = ["a.jpg", None, "HATS/B.PNG", "gone.png", "c.png", "https://example.com/d.jpg",
            " ", "big.png"]
    ids = [f"p{i}" for i in range(len(refs))]
    for fetcher in (None, UrlFetcher(tmp_path / "cache")):  # web addresses: never fetched here
        names = check_names(refs, ids, ImageSource(archive=archive, fetcher=fetcher,
                                                   max_bytes=10_000))
        assert (names.rows, names.named, names.found, names.web) == (8, 6, 2, 1)
        assert [(i.row, i.product_id, i.source) for i in names.issues] == [
            (3, "p3", "gone.png"), (4, "p4", "c.png"), (7, "p7", "big.png")]
        assert "matches 2 files" in names.issues[1].reason and "MB" in names.issues[2].reason
    none = check_names(["a.jpg", "https://example.com/d.jpg"], ["p0", "p1"], ImageSource())
    assert (none.named, none.found, none.web, none.issues) == (2, 0, 1, ())  # no zip yet


def test_photo_names_not_found_are_counted_and_the_first_ones_listed(tmp_path, monkeypatch):
    import core.catalog.image_source as source_module

    monkeypatch.setattr(source_module, "MAX_LISTED", 3)
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.jpg", b"1")
    refs = ["a.jpg"] + [f"wrong{k}.jpg" for k in range(7)]
    names = check_names(refs, list(range(8)), ImageSource(archive=archive))
    assert (names.named, names.found) == (8, 1)
    assert [i.source for i in names.issues] == ["wrong0.jpg", "wrong1.jpg", "wrong2.jpg"]


def test_a_cell_naming_several_photos_uses_the_first_that_can_be_read(tmp_path) -> None:
    archive = tmp_path / "photos.zip"
    png = {k: encoded(photo(k)) for k in range(2)}
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("shop/m1.jpg", png[0])
        zf.writestr("shop/红 色.png", png[1])
    assert photo_refs("m1.jpg | 红 色.png") == ["m1.jpg", "红 色.png"]
    assert photo_refs('["https://a.cn/1.jpg", "https://a.cn/2.jpg"]') == [
        "https://a.cn/1.jpg", "https://a.cn/2.jpg"]
    assert photo_refs("https://a.cn/w_1,h_2/1.jpg, https://a.cn/2.jpg") == [
        "https://a.cn/w_1,h_2/1.jpg", "https://a.cn/2.jpg"]  # shop exports; a comma in a path
    assert photo_refs("red, large.jpg") == ["red, large.jpg"]  # a comma in a file name
    assert photo_refs("https://a.cn/p;v=2/1.jpg?a=1|2") == ["https://a.cn/p;v=2/1.jpg?a=1|2"]
    assert photo_refs("data:image/png;base64,AAAA") == ["data:image/png;base64,AAAA"]
    assert photo_refs("https://a.cn/1.jpg | https://a.cn/2.jpg") == [
        "https://a.cn/1.jpg", "https://a.cn/2.jpg"]
    source = ImageSource(archive=archive)
    for cell in ("m1.jpg|红 色.png", "m1.jpg; 红 色.png", "m1.jpg\n红 色.png",
                 '["m1.jpg", "红 色.png"]', "gone.jpg; m1.jpg"):
        assert source.read(cell) == png[0], cell
    assert source.read('["红 色.png"]') == png[1]
    with pytest.raises(ImageError, match=r"holds 2 photos and none can be used: the first, "
                                         r"'gone\.jpg', was not found in the zip"):
        source.read("gone.jpg|lost.jpg")
    names = check_names(["m1.jpg|红 色.png", "gone.jpg;lost.jpg", "m1.jpg", "gone.jpg; m1.jpg"],
                        ["a", "b", "c", "d"], source)
    assert (names.named, names.found, names.several) == (4, 3, 3)
    assert [i.product_id for i in names.issues] == ["b"]
    source.close()
    web = check_names(['["https://a.cn/1.jpg"]'], ["a"], ImageSource())
    assert (web.web, web.issues) == (1, ())  # a JSON list of addresses is addresses


def test_a_zip_of_too_many_files_is_refused_before_its_names_are_read(tmp_path, monkeypatch):
    """300,000 empty entries (a 36 MB upload) took 0.9 GB and 8 s to list, for every reader
    of the zip."""
    import core.catalog.image_source as source_module

    monkeypatch.setattr(source_module, "MAX_ZIP_FILES", 5)
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for k in range(6):
            zf.writestr(f"deep/er/{k}.jpg", b"")
    listed = []
    monkeypatch.setattr(zipfile.ZipFile, "infolist", lambda zf: listed.append(1) or [])
    with pytest.raises(ImageError, match="the zip holds 6 files, more than 5; make a zip of "):
        ImageSource(archive=archive).read("0.jpg")
    names = check_names(["0.jpg", "1.jpg"], ["a", "b"], ImageSource(archive=archive))
    assert names.found == 0 and "holds 6 files" in names.issues[1].reason
    assert listed == []


def test_a_host_that_cannot_be_found_says_the_internet_may_be_missing(tmp_path) -> None:
    """'host example.com cannot be resolved ([Errno -2] Name or service not known)' is what
    a computer without internet said about every photo address: words a merchandiser does
    not read as 'no internet'."""
    from components.i18n_core import to_chinese

    def offline(host, port):
        raise socket.gaierror(-2, "Name or service not known")

    fetcher = UrlFetcher(tmp_path, resolver=offline)
    with pytest.raises(ImageError) as err:
        fetcher.fetch("https://img.shop.example/a.jpg")
    assert str(err.value) == ("host img.shop.example cannot be found: the computer downloading "
                              "the photos has no internet connection, or the address is "
                              "misspelt ([Errno -2] Name or service not known)")
    assert to_chinese(str(err.value)).startswith("找不到主机 img.shop.example：下载图片的电脑没有连接")


def test_a_camera_jpeg_over_the_pixel_limit_is_read_at_a_reduced_size() -> None:
    """A 60-megapixel camera JPEG was refused 'as a possible decompression bomb', though a
    JPEG decodes at 1/8 of its sides for the model and the thumbnail; a PNG cannot be."""
    big = photo(0, (1600, 1200))
    jpeg = encoded(big, "JPEG")
    small = decode_image(jpeg, max_pixels=100_000, draft=160)
    assert small.image.size == (200, 150) and small.format == "JPEG"
    assert thumbnail(jpeg) and len(decode_image(jpeg, draft=448).image.getbbox()) == 4
    with pytest.raises(ImageError, match="1600x1200 pixels"):
        decode_image(jpeg, max_pixels=100_000)  # no reduced decoding asked for
    with pytest.raises(ImageError, match="1600x1200 pixels"):
        decode_image(encoded(big), max_pixels=100_000, draft=160)  # PNG: no reduced decoding
    with pytest.raises(ImageError, match="1600x1200 pixels"):
        decode_image(jpeg, max_pixels=20_000, draft=160)  # even 1/8 is over the limit


def test_a_thumbnail_skips_a_damaged_first_photo(tmp_path) -> None:
    jpeg = encoded(photo(1), "JPEG")
    (tmp_path / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (tmp_path / "page.jpg").write_bytes(b"<html><body>Access denied</body></html>")
    (tmp_path / "ok.jpg").write_bytes(jpeg)
    source = ImageSource(folder=tmp_path)
    assert source.read("cut.jpg|ok.jpg") == jpeg[: len(jpeg) // 2]  # readable, not usable
    small = source.first_usable("cut.jpg|page.jpg|ok.jpg", thumbnail)
    assert small == thumbnail(jpeg)
    with pytest.raises(ImageError, match=r"holds 2 photos and none can be used: the first, "
                                         r"'cut\.jpg', is cut short"):
        source.first_usable("cut.jpg|page.jpg", thumbnail)
    with pytest.raises(ImageError, match="SVG/XML/HTML"):
        source.first_usable("page.jpg", thumbnail)
