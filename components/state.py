"""The one owner of ``st.session_state`` keys.

Pages never touch session_state directly: they call these helpers. Widget keys
are namespaced by page ("neighbors.k"); shared settings live under "settings.".
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.i18n import N_, t
from components.resources import finetune_jobs
from components.text import md
from core.catalog.language import CatalogLanguage
from core.catalog.table import Catalog, RawTable, field_defaults, read_table
from core.config import DEFAULT_HYBRID_WEIGHT, LANGUAGE_KEYS, MODEL_ENV, ROW_NUMBERS, Config
from core.errors import CatalogSimilarityError, ModelLoadError, StoreError
from core.finetune.card import model_defaults
from core.finetune.card import model_owner as model_owner_of
from core.workspace import (
    FILE_SOURCE,
    SavedSource,
    SavedState,
    SessionStore,
    Workspace,
    new_session_token,
    session_model_owner,
    valid_session_token,
)

DEMO_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_walmart.csv"
DEMO_NAME = N_("Demo: walmart.csv (2,554 products)")


def shown_name(catalog: Catalog) -> str:
    """A catalog's name for the page: the demo's in the interface language, an upload's
    (its file name) as it is."""
    return t(DEMO_NAME) if catalog.name == DEMO_NAME else catalog.name

TABLE = "catalog.table"
CATALOG = "catalog.catalog"
CONFIG = "settings.config"
RESULTS = "results"
SELECTION = "map.selection"
HEATMAP_ROWS = "heatmap.rows"
HEATMAP_SOURCE = "heatmap.source"
UI_LANGUAGE = "ui.language"  # the sidebar switch (a widget: drawn anew on every page)
UI_LANGUAGE_CHOSEN = "ui.language.chosen"  # the choice, kept across pages
LANGUAGE = "catalog.language"
EXPLICIT = "catalog.explicit_settings"
LANGUAGE_NOTE = "catalog.language_note"
# Widgets that show a setting the catalog's language may choose (re-read after it does).
LANGUAGE_WIDGETS = ("settings.model_choice", "settings.model_other", "settings.hybrid_weight")
GUIDE_DONE = "guide.dismissed"
# The session's saved work (core.workspace.SessionStore): its token (also in the page
# address as ?s=...), where the catalog came from, and the last state written.
TOKEN = "session.token"
SOURCE = "session.source"
SAVED = "session.saved_json"
TOKEN_PARAM = "s"
PHOTO_ZIP = "catalog.photo_zip_path"
# Files uploaded beside the catalog, by uploader key: {"file", "name", "at"} (SavedState.uploads).
UPLOADS = "session.uploads"
LAST_EVALUATION = "evaluate.last"  # the last comparison table, also kept in the session folder
UPLOAD_IDS = "session.uploads.kept_ids"  # the upload box's file each slot kept (not again)
OPEN_RESULTS = "open_results.folder"


@dataclass(frozen=True)
class Results:
    """Vectors of the session's catalog under one model; key = content hash (of the
    texts and, with photos, of the image vectors too). images: ImageVectors or None."""

    key: str
    vectors: np.ndarray
    reused: int
    embedded: int
    seconds: float
    store_problem: str | None = None  # the workspace store failed; vectors were computed
    images: object | None = None


def init_state() -> None:
    """Create every key once; on a session's first run bring back its saved work
    (the token in the page address names it), else open the demo catalog."""
    _ensure_app_navigation()
    session_token()
    st.session_state.setdefault(CONFIG, Config())
    st.session_state.setdefault(RESULTS, None)
    st.session_state.setdefault(SELECTION, [])
    st.session_state.setdefault(HEATMAP_ROWS, [])
    st.session_state.setdefault(HEATMAP_SOURCE, "")
    if TABLE not in st.session_state:
        from components.persist import restore

        if not restore(session_store()):
            load_demo()


def session_token() -> str:
    """This browser's session token, kept in the page address (?s=...).

    A token in the address that has saved work (a reload, a bookmark, a reconnect after
    a server restart) names the work to bring back; otherwise a new random one is made:
    never one made up in a link (its author would know where the visitor's work goes),
    never a shared "last session": without the token, nothing is found.
    """
    token = st.session_state.get(TOKEN)
    if token is None:
        asked = st.query_params.get(TOKEN_PARAM)
        known = valid_session_token(asked) and SessionStore(Workspace.default(), asked).exists()
        token = asked if known else new_session_token()
        st.session_state[TOKEN] = token
    if st.query_params.get(TOKEN_PARAM) != token:
        st.query_params[TOKEN_PARAM] = token
    return token


def session_store() -> SessionStore:
    return SessionStore(Workspace.default(), session_token())


def keep_upload(name: str, data: bytes, sheet: str | None,
                read: dict | None = None) -> None:
    """Keep an uploaded file in the session's folder: it comes back after a reload, read
    the way it was read (read: the delimiter, encoding, header, "read anyway" chosen)."""
    rel = session_store().keep_file(name, data)
    chosen = {key: value for key, value in (read or {}).items() if value is not None}
    st.session_state[SOURCE] = SavedSource(FILE_SOURCE, rel, name, sheet, chosen or None)


def private_key() -> bytes | None:
    """This session's key in the shared embedding store (core.embed.store.text_hash) for a
    catalog it uploaded: its vectors are found only by this session (and its reloads, which
    keep the token), so nothing another person sees (a count, the time embedding takes)
    says what this one uploaded. None for the bundled demo: public, shared by everyone."""
    source = st.session_state.get(SOURCE)
    if source is None or source.kind != FILE_SOURCE:
        return None
    return hashlib.sha256(b"catalog-similarity store|" + session_token().encode()).digest()


def save_work() -> None:
    """Write the session's state (source, Config, guide) when it changed."""
    if st.session_state.get(CATALOG) is None or TOKEN not in st.session_state:
        return
    store = session_store()
    saved = SavedState(st.session_state.get(SOURCE) or SavedSource(), config().to_dict(),
                       {"guide_done": guide_done(), "language": ui_language(),
                        "explicit": sorted(st.session_state.get(EXPLICIT, ()))},
                       store.photos_rel(photo_zip()), dict(st.session_state.get(UPLOADS, {})))
    text = saved.to_json()
    if st.session_state.get(SAVED) != text:
        store.save(saved)
        st.session_state[SAVED] = text


def restore_work(raw: RawTable, cat: Catalog, cfg: Config, saved: SavedState) -> None:
    """Adopt saved work (components.persist.restore read and checked it)."""
    st.session_state[TABLE] = raw
    st.session_state[SOURCE] = saved.source
    st.session_state[GUIDE_DONE] = bool(saved.ui.get("guide_done", False))
    if saved.ui.get("language") in ("en", "zh"):  # the interface language comes back too
        st.session_state[UI_LANGUAGE_CHOSEN] = saved.ui["language"]
    photos = session_store().photos_path(saved)
    st.session_state[PHOTO_ZIP] = None if photos is None else str(photos)
    st.session_state[UPLOADS] = {slot: kept for slot, kept in saved.uploads.items()
                                 if session_store().upload_path(kept["file"]) is not None}
    st.session_state[SAVED] = saved.to_json()
    chosen = saved.ui.get("explicit")
    if isinstance(chosen, list):  # what the user set comes back as set; the rest stays
        # the catalog language's default (a Chinese catalog uploaded after a reload
        # still gets the multilingual model)
        st.session_state[EXPLICIT] = frozenset(map(str, chosen)) & set(LANGUAGE_KEYS)
    else:  # saved before the app kept that: the saved model and weight as they were
        mark_explicit(*LANGUAGE_KEYS)
    set_catalog(cat, cfg)


def start_over() -> None:
    """Forget this session's saved work and review decisions (whoever still holds the old
    address finds neither, nor a fine-tuning run: a running one is cancelled); a new
    token, then the demo and the guide (the interface language stays as chosen). The
    models it fine-tuned stay its own, under the new token. Raises StoreError when that
    cannot be written (then nothing is forgotten yet)."""
    from core.finetune.card import hand_over_models
    from core.lists.review import forget_owner

    chosen = st.session_state.get(UI_LANGUAGE_CHOSEN)
    token, workspace = new_session_token(), Workspace.default()
    try:
        hand_over_models(workspace.models_dir, model_owner(), session_model_owner(token))
    except OSError as exc:
        raise StoreError(t("Your fine-tuned models in {folder} cannot be kept as yours ({exc}); "
                           "nothing was forgotten.", folder=workspace.models_dir, exc=exc)) from exc
    forget_owner(workspace.db_path, review_owner())
    job = finetune_jobs().pop(session_token(), None)  # the old address finds no run either
    if job is not None and job.running:
        job.cancel()  # it stops within one step and keeps nothing
    session_store().clear()
    st.session_state.clear()
    st.session_state[TOKEN] = token
    if chosen is not None:
        st.session_state[UI_LANGUAGE_CHOSEN] = chosen


def _ensure_app_navigation() -> None:
    """Run pages through app.py's navigation, also for a deep link on a fresh server.

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app
    until app.py has called ``st.navigation`` once: a first visit straight to
    /neighbors ran pages/neighbors.py alone (raw file names in the sidebar, no
    page config). Switching that mode off and rerunning sends the same URL
    through app.py. (Streamlit's own st.navigation does the same switch.) Only a
    session's first run is redirected, so no widget event is ever dropped.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and CONFIG not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()


def load_demo() -> None:
    """Load the bundled demo catalog with its automatic mapping."""
    table = read_table(DEMO_PATH, filename="walmart.csv")
    set_table(table)
    st.session_state[SOURCE] = SavedSource()
    from core.catalog.table import build_catalog

    mapping = field_defaults(table.frame)
    set_catalog(build_catalog(table, mapping, name=DEMO_NAME), config_from_mapping(mapping))


def config_from_mapping(mapping) -> Config:
    return config().with_changes(
        id_column=mapping.id_column or ROW_NUMBERS, text_columns=mapping.text_columns,
        category_column=mapping.category, brand_column=mapping.brand,
        price_column=mapping.price, image_column=mapping.image,
        model_number_column=mapping.model_number)


def table() -> RawTable | None:
    return st.session_state.get(TABLE)


def set_table(raw: RawTable) -> None:
    st.session_state[TABLE] = raw


def catalog() -> Catalog | None:
    return st.session_state.get(CATALOG)


def set_catalog(cat: Catalog, cfg: Config) -> None:
    """Replace the mapped catalog; derived results and selections are dropped. The
    catalog's language sets the model and hybrid weight the user has not set (then the
    page reruns, so that the sidebar shows them)."""
    st.session_state[CATALOG] = cat
    st.session_state[CONFIG] = _with_language(cat, cfg)
    st.session_state[RESULTS] = None
    st.session_state[SELECTION] = []
    st.session_state[HEATMAP_ROWS] = []
    save_work()
    if language_changes():
        st.rerun()


def _with_language(cat: Catalog, cfg: Config) -> Config:
    lang = cfg.resolved_language(cat.texts)
    st.session_state[LANGUAGE] = lang
    new = cfg.for_language(lang.code, explicit=explicit_settings())
    changed = {k: getattr(new, k) for k in LANGUAGE_KEYS if getattr(new, k) != getattr(cfg, k)}
    st.session_state[LANGUAGE_NOTE] = changed
    if changed:
        for name in LANGUAGE_WIDGETS:
            st.session_state.pop(name, None)
    return new


def catalog_language() -> CatalogLanguage | None:
    """The loaded catalog's language (detected, or the one set) and what it changed."""
    return st.session_state.get(LANGUAGE)


def language_changes() -> dict:
    """{setting: value} the catalog's language chose when the catalog was loaded."""
    return dict(st.session_state.get(LANGUAGE_NOTE) or {})


def explicit_settings() -> frozenset[str]:
    """Settings the user chose in this session, and the model when $CATSIM_MODEL names
    one (the catalog's language leaves them alone)."""
    chosen = set(st.session_state.get(EXPLICIT, ()))
    if os.environ.get(MODEL_ENV, "").strip():
        chosen.add("model")
    return frozenset(chosen)


def mark_explicit(*names: str) -> None:
    st.session_state[EXPLICIT] = explicit_settings() | set(names)


def set_language_setting(code: str) -> None:
    """Set Config.language (auto / en / zh) and re-apply the language defaults."""
    cat, cfg = catalog(), config().with_changes(language=code)
    set_config(_with_language(cat, cfg) if cat is not None else cfg)


def ui_language() -> str | None:
    """The interface language chosen in the sidebar ('en' / 'zh'), None before any."""
    return st.session_state.get(UI_LANGUAGE_CHOSEN)


def restore_ui_language() -> None:
    """On a session's first run, the interface language its saved work was in (a reload,
    a reconnect after a server restart): app.py names the pages before the page itself
    brings the rest of the work back, and they read English above a Chinese page."""
    if UI_LANGUAGE_CHOSEN in st.session_state:
        return
    asked = st.query_params.get(TOKEN_PARAM)
    if not valid_session_token(asked):
        return
    saved = SessionStore(Workspace.default(), asked).load()
    if saved is not None and saved.ui.get("language") in ("en", "zh"):
        st.session_state[UI_LANGUAGE_CHOSEN] = saved.ui["language"]


def init_ui_language(default: str) -> None:
    st.session_state.setdefault(UI_LANGUAGE_CHOSEN, default)


def keep_ui_language() -> None:
    """on_change of the sidebar switch: keep its value where every page reads it (the
    switch is drawn by each page, and Streamlit puts the page in a widget's id, so the
    widget's own value is gone after a page switch)."""
    st.session_state[UI_LANGUAGE_CHOSEN] = st.session_state[UI_LANGUAGE]
    _redraw_choices()
    save_work()  # and after a reload


def _redraw_choices() -> None:
    """Set every text choice again, as it is, so that the browser is sent it in the new
    language: a radio (or select box) keeps the label of its choice in the browser, and
    after a switch that label ("Highest score first") matched none of the new ones
    ("得分最高的优先"): the radio showed nothing chosen while the page used the choice."""
    for key in list(st.session_state.keys()):
        if key in (UI_LANGUAGE, UI_LANGUAGE_CHOSEN):
            continue
        value = st.session_state[key]
        if isinstance(value, str) or (isinstance(value, list) and value
                                      and all(isinstance(v, str) for v in value)):
            with contextlib.suppress(StreamlitAPIException):  # a value that cannot be set
                st.session_state[key] = value


def config() -> Config:
    return st.session_state.get(CONFIG) or Config()


def set_config(cfg: Config) -> None:
    st.session_state[CONFIG] = cfg
    save_work()


def require_catalog() -> Catalog:
    """The mapped catalog, or stop the page with a pointer to the Catalog page."""
    cat = catalog()
    if cat is None:
        st.info(t("Load a catalog on the Catalog page first."))
        st.page_link("pages/catalog.py", label=t("Go to Catalog"), icon=":material/table:")
        st.stop()
    return cat


def results() -> Results | None:
    return st.session_state.get(RESULTS)


def set_results(res: Results) -> None:
    st.session_state[RESULTS] = res


def selection() -> list[int]:
    return list(st.session_state.get(SELECTION, []))


def set_selection(rows: list[int]) -> None:
    st.session_state[SELECTION] = [int(r) for r in rows]


def heatmap_rows() -> tuple[list[int], str]:
    return list(st.session_state.get(HEATMAP_ROWS, [])), st.session_state.get(HEATMAP_SOURCE, "")


def pick_product(key: str, catalog, row: int) -> None:
    """Have the product picker of key (components.widgets.product_picker) open on row next
    time it is drawn: its finder holds the product's id (exact ids come first), its choice
    the row. Call before that page's picker is drawn in this run (a switch_page follows)."""
    st.session_state[f"{key}.find"] = str(catalog.ids[int(row)])
    st.session_state[f"{key}.product"] = int(row)


def explain_pair_next(catalog, left: int, right: int) -> None:
    """Have the Explain page open on the pair (left, right): its first picker on left, its
    second on right ("Pick another"). Call before switching to it."""
    pick_product("explain.left", catalog, left)
    pick_product("explain.right", catalog, right)
    st.session_state["explain.mode"] = "Pick another"


def send_to_heatmap(rows: list[int], source: str) -> None:
    st.session_state[HEATMAP_ROWS] = [int(r) for r in rows]
    st.session_state[HEATMAP_SOURCE] = source


def guide_done() -> bool:
    """Whether this session's first-run guide was dismissed."""
    return bool(st.session_state.get(GUIDE_DONE, False))


def set_guide_done() -> None:
    st.session_state[GUIDE_DONE] = True
    save_work()


def review_owner() -> str:
    """This session's review scope: decisions it records, counts, applies and undoes are
    its own (other sessions on the same server never see them). The session token, so a
    reload or a server restart brings the decisions back with the rest of the work."""
    return session_token()


FORGET_GONE = "review.forget_gone.step"


def forget_gone_step() -> tuple[str, object] | None:
    """Where forgetting the review decisions on products gone stands: ("asked", the
    catalog's identity) while the confirmation shows, ("open", the catalog's identity) after
    Cancel (the table stays open), ("done", how many) on the next run only (it says so
    once), else None."""
    step = st.session_state.get(FORGET_GONE)
    if step is not None and step[0] == "done":
        del st.session_state[FORGET_GONE]
    return step


def set_forget_gone_step(step: tuple[str, object] | None) -> None:
    if step is None:
        st.session_state.pop(FORGET_GONE, None)
    else:
        st.session_state[FORGET_GONE] = step


def model_owner() -> str:
    """This session's mark on the models it fine-tunes (card.json "owner"): only it lists
    and loads them; other people on the server never see them. Derived from the token, so
    a reload keeps them; not the token itself (the card says nothing that opens the work)."""
    return session_model_owner(session_token())


def may_use_model(model: str) -> bool:
    """Whether this session may list and load a model: any model but a folder another
    session fine-tuned (core.finetune.card.model_owner)."""
    owner = model_owner_of(model)
    return owner is None or owner == model_owner()


def photo_zip() -> str | None:
    """Path (in the workspace) of the .zip of photos uploaded for this session's catalog."""
    return st.session_state.get(PHOTO_ZIP)


def set_photo_zip(path: str | None) -> None:
    """Use (or, with None, stop using) a photos .zip; saved with the session's work."""
    st.session_state[PHOTO_ZIP] = path
    save_work()


def kept_upload(slot: str) -> tuple[dict[str, str], Path] | None:
    """The file kept for an uploader (its record and path), or None."""
    kept = st.session_state.get(UPLOADS, {}).get(slot)
    path = None if kept is None else session_store().upload_path(kept["file"])
    return None if path is None else (kept, path)


def catalog_source_key() -> str:
    """Which catalog is open, as a kept labels file records it: the demo, or the uploaded
    file (its bytes' digest, name and sheet). The same file opened again (a reload, a
    re-upload, other columns chosen) has the same key; another file, another key."""
    source = st.session_state.get(SOURCE) or SavedSource()
    if source.kind != FILE_SOURCE:
        return source.kind
    return f"{source.kind}:{source.file}:{source.sheet or ''}"


def upload_catalog(kept: dict[str, str]) -> str | None:
    """The name of the catalog a kept file was uploaded for when another catalog is open
    now (the demo's in the interface language); None when it is this one (or the file was
    kept before catalogs were recorded)."""
    if kept.get("catalog", catalog_source_key()) == catalog_source_key():
        return None
    name = kept.get("catalog_name", "")
    return t(DEMO_NAME) if name == DEMO_NAME else name


def _this_catalog() -> dict[str, str]:
    cat = catalog()
    return {"catalog": catalog_source_key(), "catalog_name": "" if cat is None else cat.name}


def use_upload_here(slot: str) -> None:
    """Use the file kept for an uploader with the catalog open now (it was uploaded for
    another one: a new version of the same file, say)."""
    uploads = dict(st.session_state.get(UPLOADS, {}))
    if slot in uploads:
        uploads[slot] = {**uploads[slot], **_this_catalog()}
        st.session_state[UPLOADS] = uploads
        save_work()


def keep_session_upload(slot: str, name: str, data: bytes, *, upload_id: str) -> None:
    """Keep a file uploaded beside the catalog (it replaces the one kept before for this
    uploader), with the catalog it was uploaded for; saved with the session's work, so it
    comes back after a reload, for that catalog. Written once per upload (upload_id: the
    upload box's file id), not on every rerun."""
    ids = st.session_state.setdefault(UPLOAD_IDS, {})
    if ids.get(slot) == upload_id and kept_upload(slot) is not None:
        return
    ids[slot] = upload_id
    try:
        rel = session_store().keep_upload(slot, name, data)
    except OSError as exc:  # a full disk or a read-only workspace: used now, not kept
        st.warning(t("{name} is used now but cannot be kept for after a reload ({exc}).",
                     name=md(name), exc=md(exc)), icon=":material/warning:")
        return
    when = datetime.now(UTC).isoformat(timespec="seconds")
    st.session_state[UPLOADS] = {**st.session_state.get(UPLOADS, {}),
                                 slot: {"file": rel, "name": str(name), "at": when,
                                        **_this_catalog()}}
    save_work()


def forget_upload(slot: str) -> None:
    """Stop using (and delete) the file kept for an uploader."""
    uploads = dict(st.session_state.get(UPLOADS, {}))
    if uploads.pop(slot, None) is not None:
        st.session_state[UPLOADS] = uploads
        save_work()


def set_last_evaluation(table, catalog_identity: str, labels: str | None) -> None:
    """Keep the last Evaluate comparison (a few rows) in the session's folder: it comes
    back after a reload, for the same catalog."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    kept = {"catalog": catalog_identity, "labels": labels, "at": when,
            "table": table.to_dict(orient="split")}
    st.session_state[LAST_EVALUATION] = kept  # shown in this session even if not written
    with contextlib.suppress(OSError):  # a full disk: only a reload loses it
        session_store().keep_evaluate_table(kept)


def last_evaluation(catalog_identity: str):
    """(table, when, labels file name or None) of the last comparison on this catalog, or None."""
    import pandas as pd

    kept = st.session_state.get(LAST_EVALUATION)
    if kept is None:  # after a reload: read from the session's folder once, not every rerun
        kept = st.session_state[LAST_EVALUATION] = session_store().evaluate_table() or {}
    if not kept or kept.get("catalog") != catalog_identity:
        return None
    try:
        table = pd.DataFrame(**{k: kept["table"][k] for k in ("index", "columns", "data")})
    except (KeyError, TypeError, ValueError):
        return None
    labels = kept.get("labels")
    return table, str(kept.get("at", "")), labels if isinstance(labels, str) else None


def show_error(exc: CatalogSimilarityError) -> None:
    """The one way pages show a user-fixable problem (core's message in the interface language)."""
    from components import text
    from components.i18n_core import tr_core

    text.error(tr_core(exc))


BUNDLED_MODEL = "bundled"
MODEL_CHOICE = "settings.model_choice"
MODEL_CHOICE_SET = "settings.model_choice_set"  # a button set the picker's value this run


def _show_model_chosen(model: str) -> None:
    """After a button chose the model: the picker shows it. Its value is set here (the
    browser shows a value set this way; a picker left to start again from its index kept
    showing the old choice), and the picker leaves its index out on the next run
    (picker_index), where Streamlit would log that the widget has a default value as
    well as a Session State value."""
    st.session_state[MODEL_CHOICE] = model
    st.session_state[MODEL_CHOICE_SET] = True


def picker_index(index: int) -> dict:
    """The model picker's index argument: none on the run right after a button set its
    value (_show_model_chosen) while that value is held, else {"index": index} (the
    configured model: also where the value set was dropped meanwhile)."""
    just_set = st.session_state.pop(MODEL_CHOICE_SET, False)
    return {} if just_set and MODEL_CHOICE in st.session_state else {"index": index}


def use_bundled_model() -> None:
    """Button callback after a model failed to load: switch to the bundled model.

    Only the model changes; the loaded catalog and mapping stay.
    """
    st.session_state[CONFIG] = with_model(config(), BUNDLED_MODEL)
    _show_model_chosen(BUNDLED_MODEL)
    mark_explicit("model")
    save_work()  # the sidebar sees no change to save: it reads the choice already made


def offer_bundled_model(exc: CatalogSimilarityError, *, key: str) -> None:
    """Show a model-loading error and a button that falls back to the bundled model."""
    show_error(exc)
    if isinstance(exc, ModelLoadError) and config().model != BUNDLED_MODEL:
        st.button(t("Use the bundled model (all-MiniLM-L6-v2) instead"), key=key,
                  on_click=use_bundled_model, icon=":material/restart_alt:")


FINETUNE_JOB = "finetune.job"
FINETUNE_KEPT_READ = "finetune.kept_read"


def finetune_job():
    """The session's fine-tuning job (components.finetune_job.FinetuneJob) or None; after
    a reload, the job started under the same token (still running, or its result); after
    a server restart, the last run as kept in the session's folder (read once)."""
    job = st.session_state.get(FINETUNE_JOB)
    if job is None:
        job = finetune_jobs().get(session_token())
        if job is None and not st.session_state.get(FINETUNE_KEPT_READ):
            st.session_state[FINETUNE_KEPT_READ] = True
            job = _kept_finetune_job()
        if job is not None:
            st.session_state[FINETUNE_JOB] = job
    return job


def _kept_finetune_job():
    from components.finetune_job import FinetuneJob

    kept = session_store().finetune_run()
    return None if kept is None else FinetuneJob.from_record(
        kept, Workspace.default().models_dir, model_owner())


def finetune_keeper():
    """Where a fine-tuning run of this session is kept (start_job's keep): its folder, while
    the work is there (after Start over, the old address's run keeps nothing)."""
    store = session_store()

    def keep(record: dict) -> None:
        if store.exists():
            store.keep_finetune_run(record)
    return keep


def set_finetune_job(job) -> None:
    st.session_state[FINETUNE_JOB] = job
    finetune_jobs()[session_token()] = job


HYBRID_WEIGHT = "settings.hybrid_weight"


def with_model(cfg: Config, model: str) -> Config:
    """cfg switched to another model, with the settings that model brings: a fine-tuned
    model's own hybrid weight (core.finetune.card.model_defaults); leaving such a model
    for one without its own weight returns to the default weight; otherwise the weight
    stays. The hybrid weight slider is reset so that it shows the new value."""
    if model == cfg.model:
        return cfg
    own, old = model_defaults(model).hybrid_weight, model_defaults(cfg.model).hybrid_weight
    weight = own if own is not None else (DEFAULT_HYBRID_WEIGHT if old is not None
                                          else cfg.hybrid_weight)
    st.session_state.pop(HYBRID_WEIGHT, None)
    return cfg.with_changes(model=model, hybrid_weight=weight)


def choose_model(model: str) -> None:
    """Button callback: switch the session to another model (e.g. a new fine-tune), with
    the hybrid weight it brings."""
    st.session_state[CONFIG] = with_model(config(), model)
    _show_model_chosen(model)
    mark_explicit("model")
    save_work()  # kept after a reload (the sidebar sees no change to save)


# Tuning (rules, groups, review, health, compare, prices).
TUNING_MEMO = "tuning.memo."
COMPARE_OTHER = "compare.other_config"
LOADED_CONFIG = "settings.loaded_config_file"
LOADED_CONFIG_NOT_SET = "settings.loaded_config_not_set"
RESETTABLE_WIDGETS = ("settings.", "neighbors.rules.", "neighbors.bands.")


def memo(name: str, key: str, compute):
    """A per-session, one-entry memo for tuning results (groups, duplicate groups,
    comparisons): ``compute()`` runs only when ``key`` changes."""
    held = st.session_state.get(TUNING_MEMO + name)
    if held is None or held[0] != key:
        held = (key, compute())
        st.session_state[TUNING_MEMO + name] = held
    return held[1]


def forget_widgets(prefixes: tuple[str, ...] = RESETTABLE_WIDGETS) -> None:
    """Drop widget values so widgets re-read the Config (after loading a configuration)."""
    keep = {CONFIG, LOADED_CONFIG}
    for name in [k for k in st.session_state if str(k).startswith(prefixes) and k not in keep]:
        del st.session_state[name]


def adopt_config(cfg: Config) -> None:
    """Use a loaded configuration: re-map the catalog when its columns changed.

    Raises CatalogSimilarityError when the configuration does not fit the loaded table.
    """
    mark_explicit(*LANGUAGE_KEYS)  # a saved configuration replays as saved
    raw, cat = table(), catalog()
    names_no_column = cfg.id_column is None and not cfg.text_columns and not any(
        (cfg.category_column, cfg.brand_column, cfg.price_column, cfg.image_column,
         cfg.model_number_column))
    if names_no_column and cat is not None:
        # a file of settings only (thresholds, rules written by hand): the catalog keeps
        # every column it has, category, brand, price and photos included
        m = cat.mapping
        cfg = cfg.with_changes(id_column=m.id_column or ROW_NUMBERS, text_columns=m.text_columns,
                               category_column=m.category, brand_column=m.brand,
                               price_column=m.price, image_column=m.image,
                               model_number_column=m.model_number)
    if raw is not None:
        from core.pipeline import catalog_from_config

        cfg.check_columns(raw.frame.columns)  # rules too: a rule on a missing column is named
        new_cat, _ = catalog_from_config(raw, cfg)
        # a file without columns gets guessed ones: keep those, so the saved work replays them
        cfg = cfg.with_changes(id_column=new_cat.mapping.id_column or ROW_NUMBERS,
                               text_columns=new_cat.mapping.text_columns)
        if cat is None or new_cat.mapping != cat.mapping or list(new_cat.ids) != list(cat.ids):
            set_catalog(new_cat, cfg)
    set_config(cfg)
    forget_widgets()
    st.session_state[SYNC_WIDGETS] = "draw"  # see show_loaded_settings


# The sidebar's setting widgets (settings_sidebar, components.advanced).
SIDEBAR_WIDGETS = ("settings.k", "settings.model_", "settings.metric", "settings.hybrid_weight",
                   "settings.field.", "settings.image_", "settings.precision", "settings.index")
SYNC_WIDGETS = "session.sync_widgets"


def show_loaded_settings(step: str) -> None:
    """Put a loaded configuration into the sidebar's widgets, in the browser too.

    adopt_config drops the widgets' values, so the next run draws them from the loaded
    Config; but the browser keeps the values it showed and sends them back with the next
    click, which undid the loaded k, metric, words vs meaning and column weights (and the
    settings file saved next held the old ones). Only a value the script assigns before a
    widget is drawn reaches the browser, so: step "end" (after the sidebar is drawn from
    the loaded Config) asks for one more run, and in it step "start" (before the sidebar
    is drawn) assigns each sidebar widget the value it was just drawn with."""
    pending = st.session_state.get(SYNC_WIDGETS)
    if step == "end" and pending == "draw":
        st.session_state[SYNC_WIDGETS] = "assign"
        st.rerun()
    if step == "start" and pending == "assign":
        del st.session_state[SYNC_WIDGETS]
        for name in [k for k in st.session_state if str(k).startswith(SIDEBAR_WIDGETS)]:
            st.session_state[name] = st.session_state[name]


def config_file_seen(marker: str) -> bool:
    """Whether this uploaded configuration file was already adopted (uploads persist)."""
    return st.session_state.get(LOADED_CONFIG) == marker


def mark_config_file(marker: str, name: str = "", not_set: tuple[str, ...] = ()) -> None:
    """Remember the adopted file, and the settings it does not set (an older version's
    file: loaded_config_not_set)."""
    st.session_state[LOADED_CONFIG] = marker
    st.session_state[LOADED_CONFIG_NOT_SET] = (name, tuple(not_set), config())


def loaded_config_not_set() -> tuple[str, tuple[str, ...]]:
    """(file name, the settings the loaded file did not set: today's defaults stand in for
    them), while the settings are still the ones loaded (a change of any of them ends it)."""
    name, not_set, loaded = st.session_state.get(LOADED_CONFIG_NOT_SET, ("", (), None))
    return (name, not_set) if loaded is not None and loaded == config() else ("", ())


def compare_other() -> Config | None:
    """Configuration B of the Compare page (None until chosen)."""
    return st.session_state.get(COMPARE_OTHER)


def set_compare_other(cfg: Config | None) -> None:
    st.session_state[COMPARE_OTHER] = cfg


def opened_results() -> str | None:
    """The results folder the Open results page has open (its path), or None."""
    return st.session_state.get(OPEN_RESULTS)


def set_opened_results(path: str | None) -> None:
    st.session_state[OPEN_RESULTS] = path
