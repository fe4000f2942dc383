"""Groups: product groups with automatic labels, and duplicate groups with a merge map
(each duplicate and the product kept in its place)."""

import numpy as np
import streamlit as st

from components import photos, state
from components.embedding import ensure_results
from components.i18n import t
from components.tables import headed, paged_table
from components.tuning_groups import (
    GROUPING_NAMES,
    category_threshold_caption,
    duplicate_threshold_input,
    groups_controls,
    groups_map,
    session_duplicates,
)
from components.widgets import (
    excel_id_warning,
    export_buttons,
    file_stem,
    neighbours_link,
    settings_sidebar,
)
from core.catalog.views import rows_table
from core.lists.groups import duplicate_table, merge_map

SHOWN = 1000  # rows of a group's table

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Groups"))
res = ensure_results(cat, cfg)

st.subheader(t("Product groups"))
groups = groups_controls(res, cfg, cat)
st.caption(t('{n_groups:,} groups ({method}) · {grouped_share:.1%} of products grouped · each group is named '
             'by its most distinctive words', n_groups=groups.n_groups,
             method=t(GROUPING_NAMES.get(groups.method, groups.method)).lower(),
             grouped_share=groups.grouped_share))
table = groups.table()
st.dataframe(headed(table), hide_index=True, key="groups.table")
if len(table):
    pick = st.selectbox(t("Show the products of a group"), table["group"].tolist(),
                        format_func=lambda g: f"{g}: {groups.names[g]}", key="groups.pick")
    members = np.nonzero(groups.labels == pick)[0]
    st.dataframe(headed(rows_table(cat, members[:SHOWN])), hide_index=True, key="groups.members")
    if len(members) > SHOWN:  # say so: the table alone reads as the whole group
        st.caption(t('First {limit:,} of {n:,} shown.', limit=SHOWN, n=len(members)))
    neighbours_link(cat, members[:SHOWN].tolist(), "groups")
# drawn last, in its place: drawing the map of 24,628 products the first time takes a minute,
# and the groups (a few seconds) and the duplicate groups waited behind it
show_map = st.toggle(t("Show the groups on the map"), value=True, key="groups.show_map")
map_slot = st.container()

st.subheader(t("Duplicate groups"))
threshold = duplicate_threshold_input(cfg)
category_threshold_caption(cfg, cat)
dups = session_duplicates(res, cfg, cat, threshold)
st.caption(t('{n_groups:,} duplicate groups · {n_products:,} products · each group keeps one '
             'product (the one with the most duplicates, then the most complete record), and '
             'every other product in the group is a duplicate of it',
             n_groups=dups.n_groups, n_products=dups.n_products))
if dups.n_groups:
    kept = {"canonical_id": t("id of the product kept"), "canonical_title": t("product kept")}
    # one page of groups at a time, as the Neighbours table (5,780 rows at 0.7 on 24,628
    # products were sent whole); the export below has every group
    paged_table(headed(duplicate_table(cat.ids, cat.titles(), dups).rename(columns=kept)),
                key="groups.duplicates", filter_columns=tuple(kept.values()))
    st.markdown(t("**Export the duplicates to merge**: one row per duplicate, with the product kept "
                  "in its place"),
                help=t("The file's columns: product_id (the duplicate), canonical_id (the product "
                       "kept) and score (how similar the duplicate is to the product kept). The "
                       "command line writes the same file: python -m core merge-map."))
    export_buttons(lambda: merge_map(cat.ids, dups), f"{file_stem(cat.name)}_merge_map",
                   key="groups.merge_export", csv_warning=excel_id_warning(cat))
else:
    st.info(t("No two products score {threshold:.2f} or more, so nothing here is a duplicate at "
              "this threshold. Lower it to see near-duplicates.", threshold=threshold),
            icon=":material/check_circle:")

photos.same_photo_section(cat, cfg)
if show_map:
    with map_slot:
        groups_map(res, cfg, cat, groups)
