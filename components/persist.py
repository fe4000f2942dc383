"""Bringing a session's saved work back (catalog file, mapping, settings, rules, guide).

The state itself is written by components.state.save_work whenever the catalog or
the Config changes; this module reads it back on a session's first run.
"""

from __future__ import annotations

import streamlit as st

from components import state
from components.i18n import t
from components.i18n_core import tr_core
from components.text import md
from core.catalog.table import build_catalog, read_table
from core.config import Config
from core.errors import CatalogSimilarityError
from core.workspace import DEMO_SOURCE, SessionStore


def restore(store: SessionStore) -> bool:
    """Adopt the saved work of this session's token; False when there is none (or it
    cannot be used any more: then say why, and the caller opens the demo)."""
    saved = store.load()
    if saved is None:
        return False
    source = saved.source
    try:
        cfg = Config.from_dict(saved.config)
        if source.kind == DEMO_SOURCE:
            raw, name = read_table(state.DEMO_PATH, filename="walmart.csv"), state.DEMO_NAME
        else:
            path = store.file_path(source)
            raw = read_table(path, filename=source.name, sheet=source.sheet,
                             **source.read_options())
            name = None
        cat = build_catalog(raw, cfg.mapping(), on_duplicate_ids=cfg.on_duplicate_ids, name=name)
    except (CatalogSimilarityError, OSError) as exc:
        st.warning(t('Your saved work could not be opened again ({exc}); the demo catalog is open instead.',
                     exc=md(tr_core(exc))), icon=":material/history:")
        return False
    state.restore_work(raw, cat, cfg, saved)
    st.toast(t("Your saved work is back: catalog, columns, settings and rules."),
             icon=":material/history:")
    return True


def start_over_button() -> None:
    """'Start over' in the sidebar, with a confirmation."""
    with st.sidebar.popover(t("Start over"), icon=":material/restart_alt:"):
        st.markdown(t("Forget your catalog, settings, rules and review decisions, and open "
                      "the demo catalog with the guide?"))
        if st.button(t("Yes, start over"), key="session.start_over", type="primary"):
            try:
                state.start_over()
            except CatalogSimilarityError as exc:  # the database cannot be written
                state.show_error(exc)
                return
            st.switch_page("pages/catalog.py")
