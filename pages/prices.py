"""Price check: each product's price against the prices of its similar products."""

import numpy as np
import streamlit as st

from components import state
from components.embedding import ensure_results
from components.guide import next_step
from components.i18n import N_, chart, t
from components.i18n_core import tr_core
from components.tables import show_table
from components.text import md
from components.tuning_rules import ruled
from components.widgets import excel_id_warning, export_buttons, file_stem, settings_sidebar
from core.lists.pricecheck import (
    DEFAULT_MIN_PEERS,
    DEFAULT_Z,
    outliers_frame,
    peer_rules,
    price_check,
    price_figure,
)

# Column names of core.lists.pricecheck.outliers_frame as shown on the page (the file keeps them).
SHOWN_AS = {"peer_median": N_("median of similar"), "ratio": N_("price / median"),
            "z": N_("how unusual"), "flag": N_("flag")}

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Price check"))
if not cat.mapping.price:
    st.info(t("Map a price column on the Catalog page to check prices."))
    st.page_link("pages/catalog.py", label=t("Go to Catalog"), icon=":material/table:")
    st.stop()
res = ensure_results(cat, cfg)
result = ruled(res, cfg.with_changes(rules=peer_rules(cfg.rules)))
with st.spinner(t("Comparing the prices of products with the same model number…")):
    price_note = cat.price_note()  # the column prices products with one model number far apart
if price_note:
    st.warning(md(tr_core(price_note)), icon=":material/payments:")
if cfg.rules.price_ratio is not None:
    st.caption(t("Your price-range rule is left out here: under it, each product would only be "
                 "compared with products priced like it, and no price could stand out. Your "
                 "other rules apply."))
a, b = st.columns(2)
z = a.slider(t("How unusual a price must be to be flagged"), 1.0, 10.0,
             value=DEFAULT_Z, step=0.5, key="prices.z",
             help=t("Compared with how far prices usually are from their similar products' "
                  "median price across this catalog: 3 flags about the most unusual few "
                  "percent; higher flags fewer. (A robust z-score of the price ratio.)"))
peers = b.slider(t("Fewest similar products with a price needed"), 1, max(1, result.neighbors.k),
                 value=min(DEFAULT_MIN_PEERS, max(1, result.neighbors.k)), key="prices.min_peers")
check = price_check(np.array(cat.prices()), result.neighbors,  # one currency: core one_currency
                    z_threshold=float(z), min_peers=int(peers))
st.caption(t('{checked:,} products checked against the median price of their lists (after rules) · {count:,} '
             'over-priced · {count2:,} under-priced', checked=check.checked, count=check.count('over'),
             count2=check.count('under')))
unpriced = int((~np.isfinite(check.price)).sum())
if unpriced or check.checked + unpriced < len(cat):
    st.caption(t("Not checked: {unpriced:,} products without a price, {few:,} with fewer than {peers} "
                 "similar products that have one.", unpriced=unpriced,
                 few=len(cat) - check.checked - unpriced, peers=int(peers)))
    other = cat.other_currency_count()  # read once per catalog, not on every slider move
    if other:  # "without a price" read as a fault in the file: say which are another currency
        st.caption(t("{other:,} of the products without a price are priced in another currency "
                     "than most of the catalog: prices are compared within one currency.",
                     other=other))
if not check.checked:  # an empty chart and "move the slider" would be the wrong advice
    if unpriced == len(cat):
        st.warning(t("No cell of the price column {column} reads as a price (such as 19.99 or "
                     "$19.99): choose the column that holds the prices on the Catalog page.",
                     column=md(cat.mapping.price)))
        st.page_link("pages/catalog.py", label=t("Go to Catalog"), icon=":material/table:")
    else:
        st.warning(t("No product has {peers} similar products with a price: move the second "
                     "slider to the left.", peers=int(peers)))
    next_step("pages/neighbors.py", t("Back to the lists"))
    st.stop()
titles = cat.titles()
st.plotly_chart(chart(price_figure(check, titles)), key="prices.figure")
frame = outliers_frame(cat.ids, titles, check)
if frame.empty:  # an empty table reading 'empty' says nothing
    st.caption(t("No price stands out at this setting. Move the first slider to the left to "
                 "flag less unusual prices."))
else:
    # the flag and the figures right after the title, the id last, titles medium: at 1024 px
    # the flag, the median and the ratio were cut off behind a wide title and the id
    shown = frame[["flag", "price", "peer_median", "ratio", "z", "product_id", "title"]].assign(
        flag=frame["flag"].map({"over": t("over-priced"), "under": t("under-priced")}))
    # the figures with their decimals lined up (70416.5 over 10682.45 over 1584 was hard to
    # compare), the ratio with two (90.246 took the room of the columns after it)
    heads = {**SHOWN_AS, "price": N_("price")}
    decimals = {"price": "%.2f", "peer_median": "%.2f", "ratio": "%.2f", "z": "%.1f"}
    show_table(shown.rename(columns={k: t(v) for k, v in heads.items()}), key="prices.outliers",
               title_width="medium", column_config={
                   t(heads[k]): st.column_config.NumberColumn(t(heads[k]), format=f)
                   for k, f in decimals.items()})
    export_buttons(lambda: frame, f"{file_stem(cat.name)}_price_outliers", key="prices.export",
                   csv_warning=excel_id_warning(cat))
next_step("pages/neighbors.py", t("Back to the lists"))
