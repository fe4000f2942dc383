"""Search: a free-text query returns the top-k products, scored like the neighbour lists."""

import streamlit as st

from components import photos, resources, search_box, state
from components.embedding import ensure_results
from components.guide import next_step, words_used_here
from components.i18n import N_, t, tr
from components.tables import CELL_HINT, show_table
from components.text import md
from components.widgets import neighbours_link, query_start, settings_sidebar
from core.catalog.table import unread_text_columns
from core.catalog.views import rows_table
from core.search.calibration import LOOSELY
from core.search.fusion import SCALE_TEXT

# Plain names of the score's parts (channel names in core.search.index).
PART_NAMES = {"dense": N_("meaning part"), "lexical": N_("shared words part")}

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Search"))
res = ensure_results(cat, cfg)
index = resources.neighbor_index(cat, res.key, res.vectors, cfg)
hybrid = index.fused
unread = () if photos.words_reach_photos(index, cfg) else ("image",)  # no opinion on words
how = (t("Ranked like the neighbour lists: {how}.", how=index.describe(tr, leave_out=unread))
       if hybrid else
       t("Ranked by meaning only (shared words are switched off under Advanced)."))
photos.search_note(index, cfg)
query = st.text_input(t("Describe what you are looking for"), key="search.query",
                      placeholder=t("e.g. wireless noise cancelling headphones, or a model number"))
query = query_start(query)  # a pasted page of text: its start, and the page says so
# descriptions left out of the texts: descriptive queries find titles only (the longest
# such column named: the one most likely to say more); read once per catalog, not per query
unread = state.memo("search.unread", cat.identity,
                    lambda: unread_text_columns(cat.frame, cat.mapping))
columns = {"read": md(" + ".join(cat.mapping.text_columns)), "unread": md(unread[0])} \
    if unread else {}
if unread:
    st.caption(t("Search reads {read} only. To search {unread} too, add it to the text columns "
                 "on the Catalog page (the neighbour lists then read it too).", **columns))
if query.strip():
    hits, searched = search_box.searched(query, cat, cfg, index, k=cfg.k, key="search")
    rows = [h.index for h in hits]
    table = rows_table(cat, rows, [h.score for h in hits])
    parts = st.toggle(t("Show what each score is made of"), key="search.parts", disabled=not hybrid)
    if hybrid and parts:
        at = table.columns.get_loc("score") + 1
        for name in reversed(index.names):
            if any(h.parts[name] == h.parts[name] for h in hits):  # NaN: photos can't read words
                table.insert(at, t(PART_NAMES.get(name, name)),
                             [round(h.parts[name], 4) for h in hits])
    named = [h for h in hits if h.number is not None]
    if named:  # the mapped model number column, looked up: the text alone did not find it
        st.caption(t("The product with the model number “{number}” comes first, scored 1: the "
                     "product you named (model numbers are compared in lower case, letters and "
                     "digits only).", number=md(named[0].number)) if len(named) == 1 else
                   t("The {n:,} products with the model number “{number}” come first, scored 1: "
                     "the products you named (model numbers are compared in lower case, letters "
                     "and digits only).", n=len(named), number=md(named[0].number)))
    best = max((h.score for h in hits), default=0.0)
    if hits and best < LOOSELY:
        st.info(t("Nothing in this catalog reads as close to what you describe: the best result "
                  "scores {best:.2f} (below {loose:.2f} = loosely related, near 0 = unrelated). "
                  "Try other words, a brand or a model number.", best=best, loose=LOOSELY)
                + (t(" Only {read} is searched: {unread} may say it in other words; add it to "
                     "the text columns on the Catalog page.", **columns) if unread else ""))
    show_table(table, key="search.results", score_help=search_box.score_words(index, cfg),
               column_config=photos.with_photos(table, cat, cfg, rows))
    st.caption(how, help=(t("Score: {scale}. Meaning part: how close the texts' meanings are "
                            "(0 to 1); shared words part: how many words and model numbers "
                            "they share (0 = none, 1 = the same).", scale=t(SCALE_TEXT))
                          if hybrid else None))
    st.caption(t(CELL_HINT))
    if rows:  # the next step from a product found: its own list
        neighbours_link(cat, rows, "search")
    if st.button(t("Show these results on the heatmap"), key="search.to_heatmap"):
        state.send_to_heatmap(rows, t("search: {query}", query=searched[:60]))
        st.switch_page("pages/heatmap.py")
else:
    st.caption(t('Searches {n:,} products. {how}', n=len(cat), how=how))
words_used_here("score", "heatmap")
next_step("pages/neighbors.py", t("Back to the neighbour lists"))
