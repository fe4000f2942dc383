"""Table renderers: paged so only the visible rows go to the browser."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

PAGE_ROWS = 500


def paged_table(frame: pd.DataFrame, *, key: str, filter_columns: tuple[str, ...] = (),
                page_rows: int = PAGE_ROWS) -> None:
    """A filter box, a page number and one page of rows."""
    shown = frame
    if filter_columns:
        text = st.text_input("Filter (text in " + " / ".join(filter_columns) + ")",
                             key=f"{key}.filter").strip().lower()
        if text:
            mask = pd.Series(False, index=frame.index)
            for col in filter_columns:
                mask |= frame[col].astype(str).str.lower().str.contains(text, regex=False)
            shown = frame[mask]
    pages = max(1, math.ceil(len(shown) / page_rows))
    page = st.number_input(f"Page (of {pages:,}; {len(shown):,} rows)", min_value=1,
                           max_value=pages, value=1, step=1, key=f"{key}.page")
    start = (int(page) - 1) * page_rows
    st.dataframe(shown.iloc[start:start + page_rows], hide_index=True, key=f"{key}.table")
