"""Review blocks: a product card, the decision buttons, the decision tally."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from components import photos, state, text
from components.i18n import N_, t
from components.tables import headed
from components.text import md
from core.catalog.table import Catalog
from core.errors import CatalogSimilarityError, StoreError
from core.export.tables import to_bytes
from core.lists.pricecheck import parse_prices
from core.lists.review import ReviewStore
from core.workspace import Workspace

SHORTCUTS = {"accept": "a", "reject": "x", "skip": "s"}  # "r" would reload the browser tab
DECISION_NAMES = {"accept": N_("Accept"), "reject": N_("Reject"), "skip": N_("Skip")}
ICONS = {"accept": ":material/check:", "reject": ":material/close:",
         "skip": ":material/skip_next:"}


def review_store(catalog: Catalog) -> ReviewStore:
    """This session's review decisions on this catalog (session_review_store).

    A workspace database that cannot be used stops the page with its one-line reason."""
    try:
        return session_review_store(Workspace.default().ensure().db_path, catalog)
    except StoreError as exc:
        state.show_error(exc)
        st.stop()


def session_review_store(db_path: Path, catalog: Catalog) -> ReviewStore:
    """The one store of this session's decisions on this catalog, kept across reruns: it
    reads the database again only when those decisions changed (ReviewStore._rows), so a
    run that asks for them several times (the queue, the tally, the lists, the not-applied
    warning) reads them once. A new database file (same path, another file) gets a new
    store. Raises StoreError when the database cannot be used."""
    owner = state.review_owner()
    file = db_path.stat().st_ino if db_path.exists() else None
    key = json.dumps([str(db_path), file, catalog.identity, owner])
    return state.memo("review.store", key, lambda: ReviewStore(db_path, catalog, owner=owner))


def product_card(container, cat: Catalog, row: int) -> None:
    """Title, mapped fields, price and (when an image column is mapped) a thumbnail.

    Catalog text is shown as plain text, never as markdown or HTML.
    """
    frame, mapping = cat.frame, cat.mapping
    with container.container(border=True):
        st.text(str(cat.titles()[row]))
        st.caption(t("id {id}", id=md(cat.ids[row])))
        photo = photos.thumb(cat, state.config(), row)
        if photo is not None:
            st.image(photo, width=160)
        if mapping.price:
            price = parse_prices([frame[mapping.price].iloc[row]])[0]
            st.metric(t("Price"), "—" if pd.isna(price) else f"{price:,.2f}")
        fields = card_fields(cat, row)
        if fields:
            st.dataframe(headed(pd.DataFrame({"field": [f for f, _ in fields],
                                              "value": [v for _, v in fields]})),
                         hide_index=True, key=f"review.card.{row}")


CARD_FIELDS = 12  # a Shopify export has 50 columns; the card shows the first filled ones
CARD_VALUE_CHARS = 300


def card_fields(cat: Catalog, row: int) -> list[tuple[str, str]]:
    """(column, value) of a product for its card: the mapped text columns after the title
    and the roles first, then the catalog's other columns in the file's order (a Size or
    Colour column tells two variants titled alike apart), each filled cell once, at most
    CARD_FIELDS, long values cut at CARD_VALUE_CHARS with "…". The id, price and image
    are shown above the table."""
    frame, mapping = cat.frame, cat.mapping
    shown = {mapping.id_column, mapping.image, mapping.price, mapping.text_columns[0]}
    order = dict.fromkeys([*mapping.text_columns[1:], *mapping.roles().values(),
                           *map(str, frame.columns)])
    out: list[tuple[str, str]] = []
    for col in order:
        if col is None or col in shown or col not in frame.columns:
            continue
        value = frame[col].iloc[row]
        text = "" if pd.isna(value) else str(value).strip()
        if not text:
            continue
        if len(text) > CARD_VALUE_CHARS:
            text = text[:CARD_VALUE_CHARS - 1] + "…"
        out.append((col, text))
        if len(out) >= CARD_FIELDS:
            break
    return out


def decision_buttons(store: ReviewStore, left_id: str, right_id: str) -> None:
    """Accept / reject / skip (keyboard a / x / s) and undo (u); each click is committed."""
    cols = st.columns(4)
    for col, decision in zip(cols, ("accept", "reject", "skip")):
        if col.button(t(DECISION_NAMES[decision]),  # the button shows its key
                      key=f"review.{decision}", shortcut=SHORTCUTS[decision],
                      icon=ICONS[decision], type="primary" if decision == "accept" else
                      "secondary", width="stretch"):
            try:
                store.record(left_id, right_id, decision)
            except CatalogSimilarityError as exc:
                text.error(exc)
                return
            st.rerun()
    if cols[3].button(t("Undo last"), key="review.undo", shortcut="u",
                      icon=":material/undo:", width="stretch"):
        store.undo_last()
        st.rerun()


def tally(store: ReviewStore, cat: Catalog) -> None:
    """This session's counts on this catalog and the labelled pairs download."""
    decided = store.decisions()
    counts = decided["decision"].value_counts()
    st.caption(t("Catalog {md} · pairs decided in this session: {n:,} · accepted "
                 "{accepted:,} · rejected {rejected:,} · skipped {skipped:,} (accepted pairs always "
                 "appear in each other's lists and in the export, rejected pairs never, unless 'Use my "
                 "Review decisions' is off in the rules)", md=md(state.shown_name(cat)),
                 n=len(decided), accepted=counts.get("accept", 0),
                 rejected=counts.get("reject", 0), skipped=counts.get("skip", 0)))
    pairs = store.as_labelled_pairs()
    st.download_button(t("Download labelled pairs (left_id, right_id, label)"),
                       data=to_bytes(pairs, "csv"),
                       file_name="review_pairs.csv", mime="text/csv", key="review.download",
                       on_click="ignore", icon=":material/download:", disabled=pairs.empty,
                       help=t("A CSV file (left_id, right_id, label: 1 accepted, 0 rejected) "
                            "for the Evaluate, Duplicate threshold and Fine-tune pages."))
