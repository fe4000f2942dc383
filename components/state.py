"""The one owner of ``st.session_state`` keys.

Pages never touch session_state directly: they call these helpers. Widget keys
are namespaced by page ("neighbors.k"); shared settings live under "settings.".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from core.catalog.table import Catalog, RawTable, field_defaults, read_table
from core.config import ROW_NUMBERS, Config
from core.errors import CatalogSimilarityError, ModelLoadError
from core.workspace import (
    FILE_SOURCE,
    SavedSource,
    SavedState,
    SessionStore,
    Workspace,
    new_session_token,
    valid_session_token,
)

DEMO_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_walmart.csv"
DEMO_NAME = "Demo: walmart.csv (2,554 products)"

TABLE = "catalog.table"
CATALOG = "catalog.catalog"
CONFIG = "settings.config"
RESULTS = "results"
SELECTION = "map.selection"
HEATMAP_ROWS = "heatmap.rows"
HEATMAP_SOURCE = "heatmap.source"
GUIDE_DONE = "guide.dismissed"
# The session's saved work (core.workspace.SessionStore): its token (also in the page
# address as ?s=...), where the catalog came from, and the last state written.
TOKEN = "session.token"
SOURCE = "session.source"
SAVED = "session.saved_json"
TOKEN_PARAM = "s"


@dataclass(frozen=True)
class Results:
    """Vectors of the session's catalog under one model; key = content hash."""

    key: str
    vectors: np.ndarray
    reused: int
    embedded: int
    seconds: float


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

    A valid token in the address (a reload, a bookmark, a reconnect after a server
    restart) names the saved work to bring back; otherwise a new random one is made.
    Never a shared "last session": without the token, nothing is found.
    """
    token = st.session_state.get(TOKEN)
    if token is None:
        asked = st.query_params.get(TOKEN_PARAM)
        token = asked if valid_session_token(asked) else new_session_token()
        st.session_state[TOKEN] = token
    if st.query_params.get(TOKEN_PARAM) != token:
        st.query_params[TOKEN_PARAM] = token
    return token


def session_store() -> SessionStore:
    return SessionStore(Workspace.default(), session_token())


def review_db() -> Path:
    """This session's review decisions file."""
    return session_store().review_db


def keep_upload(name: str, data: bytes, sheet: str | None) -> None:
    """Keep an uploaded file in the session's folder: it comes back after a reload."""
    rel = session_store().keep_file(name, data)
    st.session_state[SOURCE] = SavedSource(FILE_SOURCE, rel, name, sheet)


def save_work() -> None:
    """Write the session's state (source, Config, guide) when it changed."""
    if st.session_state.get(CATALOG) is None or TOKEN not in st.session_state:
        return
    saved = SavedState(st.session_state.get(SOURCE) or SavedSource(), config().to_dict(),
                       {"guide_done": guide_done()})
    text = saved.to_json()
    if st.session_state.get(SAVED) != text:
        session_store().save(saved)
        st.session_state[SAVED] = text


def restore_work(raw: RawTable, cat: Catalog, cfg: Config, saved: SavedState) -> None:
    """Adopt saved work (components.persist.restore read and checked it)."""
    st.session_state[TABLE] = raw
    st.session_state[SOURCE] = saved.source
    st.session_state[GUIDE_DONE] = bool(saved.ui.get("guide_done", False))
    st.session_state[SAVED] = saved.to_json()
    set_catalog(cat, cfg)


def start_over() -> None:
    """Forget this session's saved work; a new token, then the demo and the guide."""
    session_store().clear()
    st.session_state.clear()
    st.session_state[TOKEN] = new_session_token()


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
        price_column=mapping.price, image_column=mapping.image)


def table() -> RawTable | None:
    return st.session_state.get(TABLE)


def set_table(raw: RawTable) -> None:
    st.session_state[TABLE] = raw


def catalog() -> Catalog | None:
    return st.session_state.get(CATALOG)


def set_catalog(cat: Catalog, cfg: Config) -> None:
    """Replace the mapped catalog; derived results and selections are dropped."""
    st.session_state[CATALOG] = cat
    st.session_state[CONFIG] = cfg
    st.session_state[RESULTS] = None
    st.session_state[SELECTION] = []
    st.session_state[HEATMAP_ROWS] = []
    save_work()


def config() -> Config:
    return st.session_state.get(CONFIG) or Config()


def set_config(cfg: Config) -> None:
    st.session_state[CONFIG] = cfg
    save_work()


def require_catalog() -> Catalog:
    """The mapped catalog, or stop the page with a pointer to the Catalog page."""
    cat = catalog()
    if cat is None:
        st.info("Load a catalog on the Catalog page first.")
        st.page_link("pages/catalog.py", label="Go to Catalog", icon=":material/table:")
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


def send_to_heatmap(rows: list[int], source: str) -> None:
    st.session_state[HEATMAP_ROWS] = [int(r) for r in rows]
    st.session_state[HEATMAP_SOURCE] = source


def guide_done() -> bool:
    """Whether this session's first-run guide was dismissed."""
    return bool(st.session_state.get(GUIDE_DONE, False))


def set_guide_done() -> None:
    st.session_state[GUIDE_DONE] = True
    save_work()


def show_error(exc: CatalogSimilarityError) -> None:
    """The one way pages show a user-fixable problem."""
    st.error(str(exc), icon=":material/error:")


BUNDLED_MODEL = "bundled"
MODEL_CHOICE = "settings.model_choice"


def use_bundled_model() -> None:
    """Button callback after a model failed to load: switch to the bundled model.

    Only the model changes; the loaded catalog and mapping stay.
    """
    st.session_state[CONFIG] = config().with_changes(model=BUNDLED_MODEL)
    st.session_state[MODEL_CHOICE] = BUNDLED_MODEL


def offer_bundled_model(exc: CatalogSimilarityError, *, key: str) -> None:
    """Show a model-loading error and a button that falls back to the bundled model."""
    show_error(exc)
    if isinstance(exc, ModelLoadError) and config().model != BUNDLED_MODEL:
        st.button("Use the bundled model (all-MiniLM-L6-v2) instead", key=key,
                  on_click=use_bundled_model, icon=":material/restart_alt:")


FINETUNE_JOB = "finetune.job"


def finetune_job():
    """The session's fine-tuning job (components.finetune_job.FinetuneJob) or None."""
    return st.session_state.get(FINETUNE_JOB)


def set_finetune_job(job) -> None:
    st.session_state[FINETUNE_JOB] = job


def choose_model(model: str) -> None:
    """Button callback: switch the session to another model (e.g. a new fine-tune)."""
    st.session_state[CONFIG] = config().with_changes(model=model)
    st.session_state[MODEL_CHOICE] = model


# Tuning (rules, groups, review, health, compare, prices).
TUNING_MEMO = "tuning.memo."
COMPARE_OTHER = "compare.other_config"
LOADED_CONFIG = "settings.loaded_config_file"
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
    raw, cat = table(), catalog()
    if raw is not None:
        from core.pipeline import catalog_from_config

        new_cat, _ = catalog_from_config(raw, cfg)
        if cat is None or new_cat.mapping != cat.mapping or list(new_cat.ids) != list(cat.ids):
            set_catalog(new_cat, cfg)
    set_config(cfg)
    forget_widgets()


def config_file_seen(marker: str) -> bool:
    """Whether this uploaded configuration file was already adopted (uploads persist)."""
    return st.session_state.get(LOADED_CONFIG) == marker


def mark_config_file(marker: str) -> None:
    st.session_state[LOADED_CONFIG] = marker


def compare_other() -> Config | None:
    """Configuration B of the Compare page (None until chosen)."""
    return st.session_state.get(COMPARE_OTHER)


def set_compare_other(cfg: Config | None) -> None:
    st.session_state[COMPARE_OTHER] = cfg
