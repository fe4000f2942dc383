"""Groups page blocks: product groups (memoised per session) and duplicate groups."""

from __future__ import annotations

import streamlit as st

from components import resources, state
from components.embedding import pool, projection
from components.i18n import N_, map_legend, t
from components.text import md
from core.catalog.table import Catalog
from core.config import Config
from core.figures import build_map
from core.lists.bands import groups_categories, groups_threshold
from core.lists.groups import (
    DEFAULT_METHOD,
    METHODS,
    DuplicateGroups,
    DuplicateScorer,
    Groups,
    duplicate_groups,
    product_groups,
)
from core.projection import DEFAULT_MAX_POINTS

DEFAULT_DUPLICATE = 0.95


GROUPING_NAMES = {"agglomerative": N_("Every product in a group"),
                  "hdbscan": N_("Only tight groups")}


def groups_controls(res: state.Results, cfg: Config, cat: Catalog) -> Groups:
    """How groups are made and their typical size (chosen for this catalog by default):
    the groups."""
    a, b = st.columns(2)
    method = a.radio(t("How groups are made"), METHODS, index=METHODS.index(DEFAULT_METHOD),
                     horizontal=True, key="groups.method",
                     format_func=lambda m: t(GROUPING_NAMES.get(m, m)),
                     help=t("Every product in a group (agglomerative, the default: it made the "
                            "most coherent groups when measured), or only tight groups with "
                            "the rest left ungrouped (HDBSCAN)."))
    top = min(500, len(cat) // 2)
    if top <= 2:  # under 6 products a slider would run from 2 to 2 (Streamlit refuses it)
        b.caption(t("Typical group size: 2 (too few products to choose)"))
        return session_groups(res, cfg, cat, method, 2)
    chosen = session_groups(res, cfg, cat, DEFAULT_METHOD, None)  # the size suited to it
    auto = min(chosen.size, top)
    # keyed by the catalog and its size: another catalog starts at its own size
    size = int(b.slider(
        t("Typical group size"), 2, top, value=auto, key=f"groups.size.{cat.identity}.{auto}",
        help=t("Chosen for this catalog: {size} is the size at which its groups stand furthest "
               "apart from each other. Move it left for more, smaller groups, or right for "
               "fewer, larger ones.", size=auto)))
    if size == auto and chosen.chosen and method == DEFAULT_METHOD:
        return chosen
    return session_groups(res, cfg, cat, method, size)


def session_groups(res: state.Results, cfg: Config, cat: Catalog, method: str,
                   size: int | None) -> Groups:
    """Groups of the session's vectors, recomputed only when vectors or settings change;
    size None: the size chosen for this catalog (kept in its own memo)."""
    key = f"{cat.identity}:{res.key}:{cfg.pool_key()}:{method}:{size}"
    with st.spinner(t("Grouping products…")):
        # kept for every session holding the same content (key holds res.key, so an upload's
        # private key): a reload found nothing and grouped 24,628 products again for 18 s
        return state.memo("groups" if size is not None else "groups_chosen", key,
                          lambda: resources.shared_results("groups").get_or_make(
            key, lambda: product_groups(res.vectors, cat.texts, method=method, size=size,
                                        neighbors=pool(res, cfg))))


def groups_map(res: state.Results, cfg: Config, cat: Catalog, groups: Groups) -> None:
    """The 2-D map coloured by group label (the 19 largest groups; others grouped): the Map
    page's default layout, shared with it (UMAP runs once for both pages)."""
    proj = projection(res, cfg, dim=2, max_points=min(len(cat), DEFAULT_MAX_POINTS))
    rows = proj.rows.tolist()
    titles = cat.titles()
    names = [groups.names.get(int(groups.labels[r]), t("(ungrouped)")) for r in rows]
    fig = build_map(proj.coords, [titles[r] for r in rows], color=names, color_name=t("group"),
                    ids=[str(r) for r in rows])
    st.plotly_chart(map_legend(fig), key="groups.map")
    if proj.sampled:
        st.caption(t('Map of a random sample of {n:,} of {total:,} products.', n=len(rows), total=proj.total))


def session_duplicates(res: state.Results, cfg: Config, cat: Catalog,
                       threshold: float) -> DuplicateGroups:
    """Duplicate groups on the duplicate score (both products' scores for each other), the
    score the Duplicate threshold page chooses its threshold on."""
    def groups() -> DuplicateGroups:  # on a miss only: filled fields read the whole frame
        filled = (cat.frame.astype(str).apply(lambda s: s.str.strip() != "")).sum(axis=1).to_numpy()
        candidates = pool(res, cfg)  # its own progress bar when it is searched
        scorer = resources.shared_results("duplicate_scores").get_or_make(
            pool_key, lambda: DuplicateScorer(
                candidates, _match(resources.scored_index(cat, res.key, res.vectors, cfg))))
        # each pool pair is scored once, at the first threshold that reaches it (24,628
        # products at 0.5: 23 s on every change before; bench/perf_duplicates.py)
        with st.spinner(t("Finding duplicate groups at {threshold:.2f}…", threshold=threshold)):
            return duplicate_groups(candidates, threshold, vectors=res.vectors,
                                    completeness=filled, scorer=scorer,
                                    categories=categories, per_category=per_category)

    categories, per_category = groups_categories(cfg, cat)
    own = sorted(per_category.items()) if categories is not None else []
    pool_key = f"{cat.identity}:{res.key}:{cfg.pool_key()}"
    key = f"{pool_key}:{threshold}:both:{own}"
    return state.memo("duplicates", key,
                      lambda: resources.shared_results("duplicates").get_or_make(key, groups))


def _match(space):
    """The duplicate score of pairs of rows (NeighborIndex.pair_scores(...).match)."""
    return lambda a, b: space.pair_scores(a, b).match


def category_threshold_caption(cfg: Config, cat: Catalog) -> None:
    """Which categories use their own threshold (chosen on labelled pairs), if any."""
    own = sorted(groups_categories(cfg, cat)[1].items())  # the catalog's categories only
    if not own:
        return
    shown = ", ".join(f"{md(k, 60)} {v:.3f}" for k, v in own[:8])
    more = t(" and {n:,} more", n=len(own) - 8) if len(own) > 8 else ""
    st.caption(t("Pairs within these categories use the threshold chosen for them on your "
                 "labelled pairs (Duplicate threshold page): {categories}{more}.",
                 categories=shown, more=more))


def duplicate_threshold_input(cfg: Config) -> float:
    """The threshold duplicate groups start at; a value the user sets here is kept in the
    settings (duplicate_threshold), so the settings file replays it in merge-map."""
    current = groups_threshold(cfg)
    if cfg.duplicate_threshold is not None:
        st.caption(t("Starts at {threshold:.3f}, the threshold saved in your settings (chosen on "
                     "the Duplicate threshold page or here); python -m core merge-map uses it "
                     "too.", threshold=cfg.duplicate_threshold))
    start = float(current if current is not None else DEFAULT_DUPLICATE)
    value = float(st.number_input(
        t("Duplicate threshold (score from which two products are the same item)"),
        min_value=0.0, max_value=1.0, value=start,
        step=0.01, format="%.3f", key="groups.duplicate_threshold",
        help=t("Two products are duplicates when each one's score for the other reaches it "
               "(the duplicate score of the Duplicate threshold page). Scores run from 0 to 1; "
               "from 0.90 on, two products read as the same item. Defaults to the threshold "
               "chosen there on labelled pairs, else where your 'duplicate' score range "
               "starts (Neighbours, Rules for the lists), else {default}.",
               default=DEFAULT_DUPLICATE)))
    if round(value, 4) != round(start, 4):  # chosen here: the settings file carries it
        state.set_config(cfg.with_changes(duplicate_threshold=round(value, 4)))
    return value
