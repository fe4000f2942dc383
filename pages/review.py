"""Review: two products side by side; accept, reject or skip the pair."""

import streamlit as st

from components import state
from components.embedding import ensure_results
from components.guide import next_step, words_used_here
from components.i18n import N_, labels, t
from components.text import md
from components.tuning_review import decision_buttons, product_card, review_store, tally
from components.tuning_rules import empty_lists_reason, other_version_warning, ruled
from components.widgets import settings_sidebar
from core.catalog.views import shown_scores
from core.lists.bands import band_of, duplicate_threshold
from core.lists.review import QUEUE_ORDERS, review_queue

ORDER_LABELS = {"highest": N_("Highest score first"), "near-threshold": N_("Closest to the duplicate "
                "threshold first"), "lowest": N_("Lowest score first"), "random": N_("Random")}

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Review pairs"))
st.caption(t("Is the product on the right a good neighbour for the one on the left? Pairs "
           "come from the current lists. Accepted pairs always appear in each other's lists, "
           "rejected pairs never; each decision is saved at once. Keys: a accept, x reject, "
           "s skip, u undo."))
res = ensure_results(cat, cfg)
result = ruled(res, cfg)
store = review_store(cat)
threshold = duplicate_threshold(cfg)
orders = [o for o in QUEUE_ORDERS if o != "near-threshold" or threshold is not None]
order = st.radio(t("Order"), orders, format_func=labels(ORDER_LABELS), horizontal=True,
                 key="review.order")
queue = review_queue(cat.ids, result.neighbors, store.decisions(), order=order,
                     threshold=threshold, limit=1)
if queue.empty and not (result.neighbors.indices >= 0).any():
    st.info(t("The current lists hold no pairs to review. {why}", why=empty_lists_reason(cat)),
            icon=":material/rule:")
elif queue.empty:
    st.success(t("Every pair in the current lists has a decision."))
else:
    left, right, score = (int(queue.left_row[0]), int(queue.right_row[0]),
                          float(queue.score[0]))
    band = band_of([score], cfg.bands)[0] if cfg.bands else ""
    # formatted as the Neighbours table reads the same score
    st.markdown(t("**Score {score:.2f}**", score=float(shown_scores(score)))
                + (t(" · range *{band}*", band=md(band)) if band else ""))
    a, b = st.columns(2)
    product_card(a, cat, left)
    product_card(b, cat, right)
    decision_buttons(store, str(cat.ids[left]), str(cat.ids[right]))
    if st.button(t("Why this score?"), key="review.explain", icon=":material/help:",
                 help=t("Opens Explain a match on this pair: what the meaning, the shared "
                        "words and the same-product evidence each add.")):
        state.explain_pair_next(cat, left, right)
        st.switch_page("pages/explain.py")
tally(store, cat)
other_version_warning(cat)
words_used_here("review", "score", "pinned", "blocked")
next_step("pages/export.py", t("Next: export the lists"))
