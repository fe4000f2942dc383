"""An uploader whose file is kept with the session's work (the way the catalog is): after a
reload or a server restart it comes back with a caption naming it, until another file
replaces it or the user removes it. The bytes live in the session's own folder
(core.workspace.SessionStore.keep_upload), never where another session finds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from components import state
from components.i18n import t
from components.text import md


@dataclass(frozen=True)
class Upload:
    """A file to read: the one in the upload box (upload_id set) or the one kept before."""

    name: str
    data: bytes
    upload_id: str | None = None


def kept_uploader(label: str, key: str, *, types: list[str],
                  help_text: str | None = None) -> Upload | None:
    """st.file_uploader, falling back to the file kept for it (shown with a caption and
    "Remove this file"). Call keep() once the file was read without a problem."""
    upload = st.file_uploader(label, type=types, key=key, help=help_text,
                              on_change=_box_changed, args=(key,))
    if upload is not None:
        return Upload(upload.name, upload.getvalue(), upload.file_id)
    found = state.kept_upload(key)
    if found is None:
        return None
    kept, path = found
    other = state.upload_catalog(kept)
    if other is not None:  # never read silently against another catalog's ids
        _for_other_catalog(key, kept["name"], other)
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    st.caption(t("Using {name}, uploaded {when}. Upload another file above to replace it.",
                 name=md(kept["name"]), when=when_text(kept["at"])))
    st.button(t("Remove this file"), key=f"{key}.forget", on_click=state.forget_upload,
              args=(key,), icon=":material/delete:")
    return Upload(kept["name"], data)


def _for_other_catalog(key: str, name: str, other: str) -> None:
    """Say that the kept file belongs to another catalog; it stays kept (opening that catalog
    again uses it), and can be used here or removed."""
    current = state.shown_name(state.catalog())
    text = t("{name} was uploaded for another version of {catalog} (the file has changed "
             "since), so it is not used here. Upload the labels for this version above, or use "
             "it if its ids are still right.", name=md(name), catalog=md(other)) \
        if other == current else \
        t("{name} was uploaded for another catalog, {catalog}, so it is not used with this one. "
          "Upload the labels for this catalog above, or open {catalog} again to use it.",
          name=md(name), catalog=md(other))
    st.warning(text, icon=":material/warning:")
    left, right = st.columns(2)
    left.button(t("Use it with this catalog"), key=f"{key}.adopt", on_click=state.use_upload_here,
                args=(key,))
    right.button(t("Remove this file"), key=f"{key}.forget", on_click=state.forget_upload,
                 args=(key,), icon=":material/delete:")


def keep(key: str, upload: Upload) -> None:
    """Keep a file from the upload box that was read (once per upload; it replaces the
    file kept before for this uploader)."""
    if upload.upload_id is not None:
        state.keep_session_upload(key, upload.name, upload.data, upload_id=upload.upload_id)


def _box_changed(key: str) -> None:
    """The user emptied the upload box (its x): the file is removed, not brought back."""
    if st.session_state.get(key) is None:
        state.forget_upload(key)


def when_text(at: str) -> str:
    """A kept file's time as a caption shows it: 2026-12-05 08:30 UTC."""
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return md(at)
