"""A free-text query searched as the Search page searches it: a Chinese homophone typo or
pinyin respelt into the catalog's characters, with a notice and a switch back to the
query as typed (core.pipeline.search_as_meant). The Search page and the Heatmap's search
box share it."""

from __future__ import annotations

import streamlit as st

from components import photos, resources
from components.i18n import t
from components.i18n_core import tr_core
from components.text import md
from core.config import Config
from core.export.tables import score_meaning
from core.pipeline import SearchHit, search_as_meant


def searched(query: str, cat, cfg: Config, index, *, k: int, key: str
             ) -> tuple[list[SearchHit], str]:
    """(hits, the query searched) for query over cat's index: its respelling's results with a
    notice, unless the "Search exactly what I typed" switch (widget key f"{key}.exact")
    is on. key: the page's namespace ("search", "heatmap")."""
    encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    answer = search_as_meant(query, encoder, index, k=k, ids=cat.ids,
                             image_encoder=photos.get_image_encoder(cfg.image_model)
                             if index.has("image") else None)
    if not answer.respelt:
        return answer.hits, answer.query
    note = st.empty()  # 兰之 typed for 兰芝, or pinyin: the catalog's words found more
    if st.toggle(t("Search exactly what I typed"), key=f"{key}.exact"):
        return answer.typed_hits, answer.typed
    note.info(t("Showing results for **{respelt}**, as this catalog writes it: it matches "
                "better than \"{typed}\".", respelt=md(answer.query), typed=md(answer.typed)))
    return answer.hits, answer.query


def score_words(index, cfg: Config) -> str:
    """What a search result's score means: the lists' words (score_meaning) with the photos
    only when words search them (a CLIP photo model); otherwise the photos have no opinion
    on a typed query and its score is its text's."""
    by_words = photos.words_reach_photos(index, cfg)
    return tr_core(score_meaning(cfg.image_weight if by_words else 0.0))
