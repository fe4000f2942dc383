"""Compare two configurations: overlap@k, rank correlation, biggest movers, side by side."""

import streamlit as st

from components import state
from components.embedding import ensure_results
from components.i18n import chart, t
from components.tables import headed, header
from components.text import md
from components.tuning_compare import describe, other_config_form, other_lists
from components.tuning_rules import ruled
from components.widgets import product_picker, settings_sidebar
from core.errors import CatalogSimilarityError
from core.lists.compare import compare_lists, movers, overlap_figure, side_by_side

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Compare configurations"))
st.caption(t("A = your current settings (the sidebar, and the rules on the Neighbours page). "
             "B = the same settings with the changes below, or a saved configuration file."))
res = ensure_results(cat, cfg)
lists_a = ruled(res, cfg).neighbors
other_config_form(cfg, cat)
other = state.compare_other()
if other is None:
    st.info(t("Choose what B changes and press Compare."))
    st.stop()
st.markdown(t('**B differs from A in:** {md}', md=md(describe(cfg, other))))
try:
    lists_b = other_lists(other, cat)
except CatalogSimilarityError as exc:
    state.show_error(exc)
    st.stop()
comparison = compare_lists(lists_a, lists_b, k=max(cfg.k, other.k))
a, b, c = st.columns(3)
a.metric(t('Mean overlap@{k}', k=comparison.k), f"{comparison.mean_overlap:.3f}",
         help=t("The share of a product's list (its first {k} neighbours, or fewer when rules "
                "shorten it or unrelated products are hidden) that both lists hold, on average: "
                "1 = the same products (in any order), 0.5 = half of them, 0 = none.",
                k=comparison.k))
b.metric(t("Mean rank correlation"), f"{comparison.mean_rank_corr:.3f}",
         help=t("Whether the two lists put products in the same order, on average: 1 = the same "
                "order, 0 = unrelated, below 0 = mostly different products (a product missing "
                "from one list counts as ranked last there)."))
# the total in the label: "1,068 / 2,173" was cut to "1,068 / 2,…" on a 1024-pixel page
c.metric(t("Identical lists (of {n:,})", n=len(cat)), f"{comparison.identical:,}",
         help=t("Products whose list holds the same products in A and B."))
overlap = chart(overlap_figure(comparison))  # its axis as the tables head overlap@k
st.plotly_chart(overlap.update_xaxes(title_text=header(overlap.layout.xaxis.title.text)),
                key="compare.overlap")
st.subheader(t("Biggest movers"))
titles = cat.titles()
st.dataframe(headed(movers(cat.ids, titles, comparison, lists_a, lists_b)), hide_index=True,
             key="compare.movers")
st.subheader(t("One product, side by side"))
row = product_picker(cat, "compare")
if row is not None:
    st.dataframe(headed(side_by_side(cat.ids, titles, lists_a, lists_b, row)), hide_index=True,
                 key="compare.side_by_side")
