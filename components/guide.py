"""The first-run guide, the "next step" link at the end of each page, and the
"Words used on this page" box. User-visible strings are literal (translatable)."""

from __future__ import annotations

import streamlit as st

from components import state
from components.glossary import TERMS
from components.i18n import t

STEPS = (
    ("1. Catalog", "Your products. The demo shop (2,554 electronics and office products) is "
     "already loaded; upload your own file (CSV, Excel, LibreOffice, Parquet, or your product "
     "feed in XML or JSON) to use yours, then say which column is the id and which columns "
     "describe the product."),
    ("2. Neighbours", "Each product's list of similar products, most similar first, with a "
     "score from 0 to 1. Add rules here: same category, another brand, a price range."),
    ("3. Review (optional)", "Look at pairs side by side and accept or reject them; your "
     "decisions change the lists."),
    ("4. Export", "Download every product's list for your shop's recommender (CSV for Excel, "
     "or Parquet / JSON)."),
)


def first_run_guide() -> None:
    """The three-step guide, shown until dismissed (remembered with the session's work)."""
    if state.guide_done():
        return
    with st.container(border=True):
        st.markdown(t("**Welcome. From your catalog to neighbour lists in three steps, with an "
                    "optional check on the way:**"))
        for title, text in STEPS:
            st.markdown(f"**{t(title)}**: {t(text)}")
        st.caption(t("Your work is saved as you go: reload the page or come back later with "
                   "the same address and it is still here. Technical settings are under "
                   "Advanced in the sidebar; most shops never change them."))
        st.button(t("Got it"), key="guide.done", on_click=state.set_guide_done,
                  icon=":material/check:")


def next_step(page: str, label: str, *, also: tuple[tuple[str, str], ...] = ()) -> None:
    """The obvious next step: one primary button, then optional smaller links."""
    st.divider()
    if st.button(label, key=f"next.{page}", type="primary", icon=":material/arrow_forward:"):
        st.switch_page(page)
    for other_page, other_label in also:
        st.page_link(other_page, label=other_label, icon=":material/subdirectory_arrow_right:")


def words_used_here(*terms: str) -> None:
    """An expander listing the given terms with their plain explanations."""
    with st.expander(t("Words used on this page"), icon=":material/help:"):
        for term in terms:
            st.markdown(f"**{t(term.capitalize())}**: {t(TERMS[term])}")
