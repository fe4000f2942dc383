"""Product photos in the app: where they come from, their vectors, and thumbnails.

Photos come from an uploaded .zip (file names in the image column) and, only when
the merchandiser turns it on, from http(s) addresses (fetched by the server with
the limits of core.catalog.fetch, cached in the workspace). The browser never loads
a catalog's image address: every picture shown is a small JPEG thumbnail that the
server re-encoded (core.catalog.images.thumbnail) and sends as a data URI, so a
hostile file or address reaches no browser; SVG is never rendered. This module
is the one place that draws photos (tables, grids, the Review card).
"""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import pandas as pd
import streamlit as st
from PIL import Image

from components import resources, state
from components.i18n import t
from components.i18n_core import tr_core
from components.tables import headed
from components.text import md
from core.catalog.fetch import UrlFetcher
from core.catalog.image_source import (
    URL_PREFIXES,
    PhotoNames,
    ZipIndex,
    check_names,
    image_ref,
    photo_refs,
    zip_index,
)
from core.catalog.images import ImageError, thumbnail
from core.catalog.table import Catalog
from core.catalog.views import shown_scores
from core.config import Config
from core.embed.image_encoders import load_image_encoder
from core.embed.image_vectors import (
    ImageVectors,
    duplicate_photo_pairs,
    embed_images,
    image_source,
)
from core.errors import CatalogSimilarityError, one_line
from core.workspace import Workspace

GRID_MAX = 24
DUPLICATE_PHOTO = 0.8  # cosine: different photos <= 0.70 in bench/image_variants.py
THUMB_WIDTH = 96


def source_key(cfg: Config) -> str:
    """What the photos are read from: the uploaded zip and whether URLs are fetched."""
    return f"{state.photo_zip() or ''}|fetch={cfg.fetch_images}"


FETCHER = "photos.fetcher"  # this session's downloader of photo addresses


def _fetcher(cache_dir: Path) -> UrlFetcher:
    """One downloader per session: a host that did not answer twice is not tried again
    for the next thumbnail or list (each new downloader waited 10 s per photo again)."""
    fetcher = st.session_state.get(FETCHER)
    if not isinstance(fetcher, UrlFetcher) or fetcher.cache_dir != cache_dir:
        fetcher = st.session_state[FETCHER] = UrlFetcher(cache_dir)
    return fetcher


def _source(cfg: Config):
    zip_path = state.photo_zip()
    cache_dir = Workspace.default().ensure().image_cache_dir
    source = image_source(Path(zip_path) if zip_path else None, fetch=cfg.fetch_images,
                          cache_dir=cache_dir,
                          fetcher=_fetcher(cache_dir) if cfg.fetch_images else None)
    if source.archive is not None and source.archive.is_file():
        stat = source.archive.stat()
        source.index = _zip_names(str(source.archive), stat.st_mtime_ns, stat.st_size)
    return source


@st.cache_resource(show_spinner=False, max_entries=8)
def _zip_names(path: str, mtime_ns: int, size: int) -> ZipIndex | None:
    """The zip's names, read once per zip (each thumbnail read them all again: 0.3 s per
    photo in a zip of 20,000). Keyed by the session's own zip path; None: the zip cannot
    be read, and each photo says why."""
    try:
        return zip_index(Path(path))
    except ImageError:
        return None


def get_image_encoder(model: str):
    """The image model, loaded once per server (spinner as resources.get_encoder)."""
    with st.spinner(t("Loading the image model (once per server)…")):
        return _image_encoder(model)


@st.cache_resource(show_spinner=False, max_entries=2)
def _image_encoder(model: str):
    return load_image_encoder(model, Workspace.default().ensure().models_dir)


def ensure_images(catalog: Catalog, cfg: Config, progress=None) -> ImageVectors | None:
    """The catalog's image vectors when the photo weight is above 0 (else None), shared
    by sessions holding the same catalog and photo source."""
    if not catalog.mapping.image or not cfg.image_weight:
        return None
    private = state.private_key()
    key = (catalog.identity, source_key(cfg), cfg.image_model, private)
    shared = resources.shared_results("images")
    found = shared.get(key)
    if found is None:
        try:
            encoder = get_image_encoder(cfg.image_model)
        except CatalogSimilarityError as exc:
            state.show_error(exc)
            return None
        refs = catalog.frame[catalog.mapping.image].tolist()

        def make(report) -> ImageVectors:
            source = _source(cfg)
            try:
                return embed_images(refs, list(catalog.ids), source, encoder,
                                    resources.workspace_store(), progress=report,
                                    private=private)
            finally:
                source.close()

        # a second tab of the same work meanwhile waits for these photos (a few a second)
        found = shared.make_once(key, make, progress=progress)
    return found


def issues_report(images: ImageVectors | None) -> None:
    """How many products have a usable photo, and each skipped one by row and file."""
    if images is None:
        return
    # no count of photos reused from the workspace store: it is shared, so the count would
    # tell one user whether another uploaded the same photos
    st.caption(t('Photos: {shown:,} of {n:,} products have a usable photo.',
                 shown=int(images.has_image.sum()), n=len(images.has_image)))
    if images.fallback:
        st.caption(t("{n:,} products use a later photo of their cell, because the first one "
                     "could not be used (missing, damaged or not a photo).", n=images.fallback))
    if images.issues:
        with st.expander(t('{n:,} photos skipped', n=len(images.issues))):
            st.dataframe(_issue_table(images.issues), hide_index=True, key="photos.issues")


def _issue_table(issues) -> pd.DataFrame:
    """Why before which file: a web address last cut the reason to "host cdn.exa" at 1024 px."""
    return pd.DataFrame({t("row"): [i.row + 1 for i in issues],
                         t("id"): [i.product_id for i in issues],
                         t("problem"): [tr_core(i.reason) for i in issues],
                         t("photo file"): [i.source for i in issues]})


@st.cache_data(show_spinner=False, max_entries=4096)
def _thumb(source: str, ref: str, _cfg: Config) -> bytes | None:
    src = _source(_cfg)
    try:
        return src.first_usable(ref, thumbnail)
    except ImageError:
        return None
    finally:
        src.close()


def thumb(catalog: Catalog, cfg: Config, row: int) -> bytes | None:
    """A small JPEG of the row's photo made on the server (None: no usable photo)."""
    if not catalog.mapping.image or row < 0:
        return None
    ref = image_ref(catalog.frame[catalog.mapping.image].iloc[row])
    return _thumb(source_key(cfg), ref, cfg) if ref else None


def thumb_uris(catalog: Catalog, cfg: Config, rows) -> list[str | None] | None:
    """Data URIs of thumbnails for a table's photo column (None: no image column)."""
    if not catalog.mapping.image:
        return None
    out = []
    for row in rows:
        data = thumb(catalog, cfg, int(row))
        out.append(None if data is None else
                   "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii"))
    return out


def with_photos(table: pd.DataFrame, catalog: Catalog, cfg: Config, rows,
                **config) -> dict:
    """Insert a "photo" column (thumbnails) first; returns st.dataframe column_config."""
    uris = thumb_uris(catalog, cfg, rows)
    if uris is None:
        return dict(config)
    table.insert(0, "photo", uris)
    return {**config, "photo": st.column_config.ImageColumn(t("photo"), width="small")}


@st.cache_data(show_spinner=False, max_entries=4096)
def _square(data: bytes) -> bytes:
    """The thumbnail centred on a white square: a tall photo beside a wide one made the
    grid's captions start at different heights. Cached as _thumb is: the grid redraws on
    every rerun, and decoding and re-encoding its 24 photos each time was wasted work."""
    with Image.open(io.BytesIO(data)) as im:
        side = max(im.size)
        canvas = Image.new("RGB", (side, side), (255, 255, 255))
        canvas.paste(im.convert("RGB"), ((side - im.width) // 2, (side - im.height) // 2))
    buf = io.BytesIO()
    canvas.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def photo_grid(catalog: Catalog, cfg: Config, rows, *, key: str,
               scores: list[float | None] | None = None) -> None:
    """Thumbnails of up to GRID_MAX products, six to a row. Each cell is one height: the
    photo on a square, then one line each for the title (cut, the whole title on hover),
    the id and, with scores, the score (None: the product the list is for), so a row's
    captions and scores line up. Catalog text as plain text (st.text), never Markdown."""
    if not catalog.mapping.image or not len(rows):
        return
    shown = [int(r) for r in rows[:GRID_MAX]]
    thumbs = [thumb(catalog, cfg, row) for row in shown]
    refs = [image_ref(catalog.frame[catalog.mapping.image].iloc[row]) for row in shown]
    if not cfg.fetch_images and any(p.lower().startswith(URL_PREFIXES)
                                    for r in refs for p in photo_refs(r)):
        st.caption(t("Photos at web addresses are shown only when 'Download photos from web "
                     "addresses' is on (Catalog page)."))
    if all(data is None for data in thumbs):
        st.caption(t("None of these products has a photo to show."))
        return
    titles = catalog.titles()
    cols = st.columns(6)
    for i, (row, data) in enumerate(zip(shown, thumbs)):
        with cols[i % 6], st.container(gap="xxsmall"):  # the caption's lines close together
            with st.container(height=THUMB_WIDTH, border=False, vertical_alignment="center"):
                if data is not None:
                    st.image(_square(data), width=THUMB_WIDTH)
                else:
                    st.text(t("(no photo)"))
            st.text(one_line(titles[row], 500), wrap=False)  # cut by the browser, whole on hover
            st.text(one_line(catalog.ids[row], 500), wrap=False)
            if scores is not None:
                score = scores[i] if i < len(scores) else None
                st.text(t("picked") if score is None else  # as the list's table reads it
                        t("score {score:.2f}", score=float(shown_scores(score))), wrap=False)
    if len(rows) > GRID_MAX:
        st.caption(t('First {GRID_MAX} of {n:,} products shown.', GRID_MAX=GRID_MAX, n=len(rows)))


PHOTO_UPLOAD = "catalog.photo_zip_upload"  # the upload whose zip is kept: (file id, path)


def _saved_zip(file_id: str, upload) -> str:
    """The uploaded zip written once into the session's folder (it comes back after a
    reload with the rest of the work); remembered by the upload's id, so a rerun does not
    hash hundreds of MB again."""
    done = st.session_state.get(PHOTO_UPLOAD)
    if done and done[0] == file_id and Path(done[1]).is_file():
        return done[1]
    data = upload.getvalue()  # the upload's own bytes (BytesIO shares them: no copy)
    path = str(state.session_store().keep_photos(data))
    st.session_state[PHOTO_UPLOAD] = (file_id, path)
    return path


def _zip_problem(path: str) -> str | None:
    """Why an uploaded zip cannot be read (not a zip, broken, too many files), else None."""
    stat = Path(path).stat()
    if _zip_names(path, stat.st_mtime_ns, stat.st_size) is not None:
        return None
    try:
        zip_index(Path(path))
    except ImageError as exc:
        return str(exc)
    return None


def photo_source_form(catalog: Catalog) -> None:
    """Catalog page: the zip of photos and the web-download switch (image column mapped)."""
    if not catalog.mapping.image:
        return
    st.markdown(t("**Photos**"))
    upload = st.file_uploader(t("Photos as a .zip (file names as in the image column)"),
                              type=["zip"], key="catalog.photo_zip")
    if upload is not None:
        path = _saved_zip(upload.file_id, upload)
        broken = _zip_problem(path)
        if broken:  # said once, not as the same reason on every product's row
            st.error(t("The uploaded .zip {reason}.", reason=md(tr_core(broken))) + " "
                     + (t("The photos uploaded before stay in use.") if state.photo_zip()
                        else t("No photos are used until a .zip that opens is uploaded.")))
        elif path != state.photo_zip():
            state.set_photo_zip(path)
    elif state.photo_zip():  # kept from an earlier upload (a page switch empties the box above)
        # one under the other: a quarter of the page beside the caption cut the button's
        # label to "Stop using t…" at 1024 px
        st.caption(t("Photos in use: the .zip uploaded before. Upload another one above to "
                     "replace it."))
        st.button(t("Stop using these photos"), key="catalog.photo_zip.forget",
                  on_click=state.set_photo_zip, args=(None,), icon=":material/hide_image:")
    cfg = state.config()
    fetch = st.checkbox(t("Download photos from web addresses (http/https) in the image column"),
                        value=cfg.fetch_images, key="catalog.fetch_images",
                        help=t("Off by default. Only public addresses; at most "
                        "20 MB and 40 million pixels per photo; kept in the workspace."))
    if fetch != cfg.fetch_images:
        cfg = cfg.with_changes(fetch_images=fetch)
        state.set_config(cfg)
    names_report(catalog, cfg)


@st.cache_data(show_spinner=False, max_entries=32)
def _names(catalog_key: str, source: str, _catalog: Catalog, _cfg: Config) -> PhotoNames:
    src = _source(_cfg)
    try:
        return check_names(_catalog.frame[_catalog.mapping.image].tolist(), list(_catalog.ids),
                           src)
    finally:
        src.close()


def names_report(catalog: Catalog, cfg: Config) -> None:
    """Right after the upload, by file name only: how many photos the zip holds for the
    catalog, each name not found by row, what happens to web addresses, and whether the
    lists use the photos yet."""
    names = _names(f"{catalog.identity}|{catalog.mapping.image}", source_key(cfg), catalog, cfg)
    files = names.named - names.web
    if not names.named:
        st.caption(t("No product has a photo in the image column."))
    elif files and not state.photo_zip():
        st.caption(t("{n:,} products name a photo file: upload the photos as a .zip above.",
                     n=files))
    elif files:
        st.caption(t("{found:,} of {files:,} photo files found in the zip; {empty:,} products "
                     "have no photo.", found=names.found, files=files,
                     empty=names.rows - names.named))
        if names.issues:
            missing = files - names.found
            with st.expander(t("{n:,} photo files cannot be used", n=missing)):
                st.dataframe(_issue_table(names.issues), hide_index=True, key="photos.names")
                if missing > len(names.issues):
                    st.caption(t("The first {n:,} are listed.", n=len(names.issues)))
    if names.several:
        st.caption(t("{n:,} products name several photos: the first one that can be read is "
                     "used.", n=names.several))
    if names.web:
        st.caption(t("{n:,} products give a web address: downloaded when the lists are made.",
                     n=names.web) if cfg.fetch_images else
                   t("{n:,} products give a web address: not downloaded and not shown while "
                     "the box above is off.", n=names.web))
    if not cfg.image_weight and (names.found or (names.web and cfg.fetch_images)):
        st.info(t("The lists do not use the photos yet: raise *Photos vs text* (Advanced, in "
                  "the sidebar) above 0."))


def embed_with_progress(catalog: Catalog, cfg: Config) -> ImageVectors | None:
    """ensure_images with a progress bar (the first time for a catalog and source)."""
    if not catalog.mapping.image or not cfg.image_weight:
        return None
    bar = st.empty()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=t('Photos {done:,} / {total:,} ({v:.0f} s)',
                                                  done=done, total=total, v=time.perf_counter() - started))

    images = ensure_images(catalog, cfg, progress)
    bar.empty()
    return images


def same_photo_section(catalog: Catalog, cfg: Config) -> None:
    """Groups page: products whose listings use the same photo (the same file, or a
    resized / recompressed / lightly cropped copy)."""
    if not catalog.mapping.image:
        return
    st.subheader(t("Same photo"))
    threshold = st.slider(t("Photo similarity from which two photos are the same picture"),
                          0.5, 1.0, value=DUPLICATE_PHOTO, step=0.01,
                          key="groups.photo_threshold",
                          help=t("0.80 keeps most resized, recompressed and cropped copies "
                               "(bench/image_variants.py); 1.00 = the very same file only"))
    if not st.toggle(t("Find products that share a photo"), value=bool(cfg.image_weight),
                     key="groups.same_photo_on",
                     help=t("Reads every photo once (a few per second on a CPU)")):
        return
    images = embed_with_progress(catalog, cfg.with_changes(image_weight=1.0))
    if images is None:
        return
    pairs = duplicate_photo_pairs(images, threshold=threshold)
    titles = catalog.titles()
    table = pd.DataFrame({"left_id": [catalog.ids[a] for a, _, _ in pairs],
                          "right_id": [catalog.ids[b] for _, b, _ in pairs],
                          "photo_similarity": [round(s, 4) for _, _, s in pairs],
                          "same_file": [images.digests[a] == images.digests[b]
                                        for a, b, _ in pairs],
                          "left_title": [titles[a] for a, _, _ in pairs],
                          "right_title": [titles[b] for _, b, _ in pairs]})
    st.caption(t('{n:,} pairs of products share a photo ({int:,} the very same file).',
                 n=len(table), int=int(table['same_file'].sum())))
    st.dataframe(headed(table), hide_index=True, key="groups.same_photo")


def words_reach_photos(index, cfg: Config) -> bool:
    """Whether a typed query is compared with the photos (a CLIP folder as Photo model);
    with the bundled model the photos have no opinion on it."""
    return index.has("image") and getattr(get_image_encoder(cfg.image_model), "text_search",
                                          False)


def search_note(index, cfg: Config) -> None:
    """Search page: say when words cannot reach the photos (no CLIP image model)."""
    if index.has("image") and not words_reach_photos(index, cfg):
        st.caption(t("Photos are not searched by words with the bundled image model (a CLIP "
                     "folder as Photo model does that); results rank by their text") + t("."))
