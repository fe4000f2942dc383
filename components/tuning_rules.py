"""The rules panel of the neighbours page, and the session's final lists after rules.

Every widget here edits ``Config.rules`` / ``Config.bands`` (keys
"neighbors.rules.*" / "neighbors.bands.*"); the lists are recomputed from the
cached candidate pool on each change, never re-embedded or re-searched.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from components import resources, state, text
from components.embedding import pool
from components.i18n import N_, NO_COLUMN, column_option, join_list, t
from components.tables import headed
from components.text import md
from components.tuning_review import DECISION_NAMES, review_store, session_review_store
from core.catalog.table import Catalog
from core.config import Config
from core.errors import ConfigError, StoreError
from core.lists.bands import band_ranges, validate_bands
from core.lists.filters import VARIANTS
from core.lists.review import no_decisions
from core.lists.rules import RuleResult, apply_config
from core.lists.spec import Rules
from core.lists.variants import HINT_SHARE, catalog_groups, listed_variant_share
from core.workspace import Workspace

NONE = NO_COLUMN
K = "neighbors.rules."
# Plain names of the checks counted in RuleResult.removed ("same category" stays as it is).
RULE_NAMES = {"price ratio": N_("price range"), "min score": N_("weak matches"),
              "duplicate": N_("near-identical"), "in stock": N_("out of stock"),
              "blocked": N_("never-show pairs"), "relevance floor": N_("unrelated products hidden"),
              VARIANTS: N_("other colours and sizes of the product")}


def rule_name(name: str) -> str:
    """A rule's name in core (RuleResult.short_by, .removed) as the page says it: "same 类目"
    (core's "same {column}") -> "同一类目"; Markdown-safe (the captions it goes into render
    Markdown, and the column is the user's)."""
    for kind, words in (("same ", N_("same {column}")), ("different ", N_("different {column}"))):
        if name.startswith(kind):
            return t(words, column=md(name.removeprefix(kind)))
    return t(RULE_NAMES[name]) if name in RULE_NAMES else md(name)


def review_decisions(catalog: Catalog | None = None) -> pd.DataFrame:
    """This session's latest review decisions on this catalog (default: the session's).

    Decisions on another catalog, or made in another session, never apply here."""
    catalog = catalog or state.require_catalog()
    db = Workspace.default().db_path
    if not db.exists():
        return no_decisions()
    try:
        return session_review_store(db, catalog).decisions()
    except StoreError as exc:  # a damaged or unreadable workspace: lists without decisions
        text.warning(f"{exc} " + t("Lists are shown without review decisions."))
        return no_decisions()


def other_version_warning(catalog: Catalog) -> None:
    """Say which of this session's decisions made on an earlier version of the catalog do
    not apply here (a product's text edited since, or a product gone; the others carry
    over), show them on request, and offer to keep those whose two products are both here
    for the products as they are now (the nightly job says the same, and lists them with
    review-pairs --not-applied)."""
    step = state.forget_gone_step()
    if step is not None and step[0] == "done":
        st.success(t("Decisions on products no longer in the catalog forgotten: {n:,}.", n=step[1]),
                   icon=":material/delete:")
    db = Workspace.default().db_path
    try:
        dropped = session_review_store(db, catalog).not_applied() if db.exists() else None
    except StoreError:  # review_decisions() says it once, with the lists shown without them
        return
    if dropped is None or dropped.empty:
        return
    reasons = dropped["reason"].value_counts()
    why = [t(words, n=int(count)) for words, count in (
        (N_("{n:,} because a product's text was edited since"), reasons.get("changed", 0)),
        (N_("{n:,} made on another version before decisions carried over"),
         reasons.get("version", 0)),
        (N_("{n:,} because a product is no longer in the catalog"), reasons.get("gone", 0)))
        if count]
    st.warning(t("Earlier review decisions of yours that are not applied here: {n:,} ({why}). "
                 "Your other decisions carry over to this version.", n=len(dropped),
                 why=join_list(why)), icon=":material/history:")
    asked = step == ("asked", catalog.identity)  # the confirmation shows
    with st.expander(t("See the decisions that are not applied"), icon=":material/list:",
                     expanded=step in (("asked", catalog.identity), ("open", catalog.identity))):
        st.dataframe(_not_applied_table(catalog, dropped), hide_index=True,
                     key="review.not_applied")
        changed = dropped[dropped["reason"] != "gone"]
        if len(changed) and st.button(
                t("Keep the decisions on edited products for the products as they are now: {n:,}",
                  n=len(changed)), key="review.carry_edited", icon=":material/done_all:",
                help=t("Both products of each of these pairs are still in the catalog; their "
                       "texts were edited. Keep a decision only when the edit did not change "
                       "which product it is (a typo fixed, a longer description).")):
            store = review_store(catalog)
            for row in changed.itertuples(index=False):
                store.record(row.left_id, row.right_id, row.decision)
            st.rerun()
        gone = int((dropped["reason"] == "gone").sum())
        if gone:
            _forget_gone(catalog, gone, asked=asked)


def _forget_gone(catalog: Catalog, n: int, *, asked: bool) -> None:
    """A button that forgets the decisions on products no longer in the catalog (they can
    never apply to it again, and the warning above would stay for good), after a
    confirmation that says how many."""
    if not asked:
        if st.button(t("Forget the decisions on products no longer in the catalog: {n:,}", n=n),
                     key="review.forget_gone", icon=":material/delete:",
                     help=t("A product of each of these pairs was removed from the catalog, so "
                            "these decisions can never apply to it again. Forgetting them stops "
                            "this warning; your other decisions stay.")):
            state.set_forget_gone_step(("asked", catalog.identity))
            st.rerun()
        return
    st.warning(t("Forget your decisions on products no longer in the catalog ({n:,})? They "
                 "cannot be brought back. Your other decisions stay.", n=n),
               icon=":material/delete:")
    yes, no = st.columns(2)
    if yes.button(t("Forget them"), key="review.forget_gone.yes", type="primary",
                  icon=":material/delete:", width="stretch"):
        try:
            forgotten = review_store(catalog).forget_gone()
        except StoreError as exc:  # a damaged or read-only workspace: nothing was forgotten
            state.show_error(exc)
            return
        state.set_forget_gone_step(("done", len(forgotten)))
        st.rerun()
    if no.button(t("Cancel"), key="review.forget_gone.no", width="stretch"):
        state.set_forget_gone_step(("open", catalog.identity))  # the table stays in view
        st.rerun()


REASON_NAMES = {"changed": N_("a product's text was edited since"),
                "version": N_("made on another version before decisions carried over"),
                "gone": N_("a product is no longer in the catalog")}


def _not_applied_table(catalog: Catalog, dropped: pd.DataFrame) -> pd.DataFrame:
    """The decisions that are not applied as the page shows them: ids, the decision and
    why, then today's titles (empty for a product that is gone). The reason before the
    titles: at 1024 px the table shows about five columns, and titles came first and
    pushed it out of view."""
    titles = dict(zip(map(str, catalog.ids), catalog.titles()))
    frame = pd.DataFrame({
        "left_id": dropped["left_id"], "right_id": dropped["right_id"],
        t("decision"): dropped["decision"].map(lambda d: t(DECISION_NAMES[d])),
        t("why"): dropped["reason"].map(lambda r: t(REASON_NAMES[r])),
        "left_title": dropped["left_id"].map(titles),
        "right_title": dropped["right_id"].map(titles)})
    return headed(frame.fillna(""))


def ruled(res: state.Results, cfg: Config) -> RuleResult:
    """The final lists exports use: cached pool -> rules, bands, review decisions.

    Memoised per session on (catalog, vectors, pool settings, rules, k, bands,
    review decisions): reruns that change none of them (page, filter, product,
    another tuning page) reuse the lists instead of re-applying the rules. Also kept
    for every session holding that content (resources.shared_results; res.key holds
    an upload's private key): a reloaded page (a new session) finds them at once,
    where 24,628 products under a same category rule took 15 s of blank page.
    """
    catalog = state.require_catalog()
    decisions = review_decisions(catalog)
    key = json.dumps([catalog.identity, res.key, cfg.pool_key(), cfg.rules.to_dict(), cfg.k, cfg.bands,
                      cfg.relevance_floor, _frame_digest(decisions)], sort_keys=True, default=str)

    def lists() -> RuleResult:
        candidates = pool(res, cfg)  # its own progress bar when it is searched
        with st.spinner(t("Applying the rules to {n:,} lists…", n=len(catalog))):
            return apply_config(catalog, candidates, cfg, vectors=res.vectors,
                                decisions=decisions)

    try:
        return state.memo("neighbors.ruled", key, lambda: (
            catalog,  # held so that id(catalog) names this catalog while the memo lives
            resources.shared_results("ruled").get_or_make(key, lists)))[1]
    except ConfigError as exc:
        state.show_error(exc)
        st.caption(t("Fix the rule above (or load another configuration) to see lists."))
        st.stop()


def _frame_digest(frame: pd.DataFrame) -> str:
    """Content hash of a small frame (the review decisions)."""
    import hashlib

    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return hashlib.sha1(hashed.tobytes() + repr(list(frame.columns)).encode()).hexdigest()


def rules_panel(cat: Catalog, cfg: Config) -> Config:
    """Rule and band widgets in an expander; returns (and stores) the updated Config."""
    rules = cfg.rules
    cols = [str(c) for c in cat.frame.columns]
    with st.expander(t("Rules for the lists"), expanded=bool(cfg.rules or cfg.bands),
                     icon=":material/rule:"):
        st.caption(t("Every neighbour in a list must pass these rules. When too few products "
                   "pass, a list is shorter; the count of short lists is shown below."))
        data = _filters(rules, cols, cat, cfg.k)
        data.update(_extras(rules, cols))
        floor = st.slider(
            t("Hide unrelated neighbours: keep only those more related than this share of "
              "random pairs of products"), 0.0, 0.99, float(cfg.relevance_floor), 0.01,
            key="neighbors.relevance_floor",
            help=t("0.9 (the default) hides a neighbour unless it is more related than 9 in 10 "
                 "random pairs of products, in meaning and in its score; a list that cannot "
                 "be filled above it is shorter. 0 turns it off. Measured: with category, "
                 "brand and price rules on the walmart catalog, unrelated entries drop from "
                 "6% to none while 92% of products keep a list. Settings file: "
                 "`relevance_floor`."))
        bands_text = st.text_input(
            t("Name score ranges, e.g. duplicate=0.95, close=0.8"),
            value=", ".join(f"{n}={v:g}" for n, v in cfg.bands.items()),
            key="neighbors.bands.text",
            help=t("Each name gets the scores from its number up to the next name's. A "
                 "'duplicate' range is left out of the lists (the same product twice) unless "
                 "you keep near-identical products. Settings file: `bands`."))
        try:  # every widget is drawn first: a mistake in one keeps what is typed in all
            data["pinned"] = parse_pairs(data["pinned"])
            data["blocked"] = parse_pairs(data["blocked"])
            new = cfg.with_changes(rules=Rules.from_dict(data), bands=parse_bands(bands_text),
                                   relevance_floor=float(floor))
        except ConfigError as exc:
            state.show_error(exc)
            return cfg
        for name, low, high in band_ranges(new.bands):
            st.caption(t("{name}: score ≥ {low:g}", name=md(name), low=low)
                       + (t(" and < {high:g}", high=high) if high else ""))
    if new != cfg:
        state.set_config(new)
    return new


def _filters(rules: Rules, cols: list[str], cat: Catalog, k: int) -> dict:
    a, b = st.columns(2)
    data: dict = {
        "same": a.multiselect(
            t("Only products with the same"), cols, default=[c for c in rules.same if c in cols],
            key=K + "same", placeholder=t("e.g. category"),
            help=t("A neighbour must have the same value as the product in these columns "
                 "(e.g. the same category). Settings file: `rules.same`.")),
        "different": b.multiselect(
            t("Only products with a different"), cols,
            default=[c for c in rules.different if c in cols], key=K + "different",
            placeholder=t("e.g. brand"),
            help=t("A neighbour must differ from the product in these columns (e.g. another "
                 "brand, for alternatives; or a column naming the parent product, such as "
                 "Shopify's Handle, to leave out other sizes and colours of the same product). "
                 "Settings file: `rules.different`."))}
    per_cols = a.multiselect(
        t("Limit how many neighbours share one"), cols, placeholder=t("e.g. brand"),
        default=[c for c in rules.max_per if c in cols], key=K + "max_per",
        help=t("At most the number on the right per value of these columns in one list "
             "(e.g. at most 2 per brand). Settings file: `rules.max_per`."))
    top = max(1, k, *rules.max_per.values())
    per_n = b.number_input(t("…at most this many per list"), 1, top, key=K + "max_per_n",
                           value=min(rules.max_per.values(), default=min(2, top)))
    data["max_per"] = {c: int(per_n) for c in per_cols}
    priced = bool(cat.mapping.price)
    if a.checkbox(t("Only products in a price range"), key=K + "price_on",
                  value=rules.price_ratio is not None, disabled=not priced,
                  help=t("A neighbour's price must lie between the two multiples of the "
                         "product's price on the right (0.5 and 2 = from half to double). "
                         "Settings file: `rules.price_ratio`.") if priced else
                       t("Choose the price column on the Catalog page first.")):
        high = max(10.0, *(rules.price_ratio or (0.0,)))
        data["price_ratio"] = list(b.slider(t("Neighbour's price, times the product's price"),
                                            0.0, high,
                                            value=tuple(rules.price_ratio or (0.5, 2.0)),
                                            step=0.05, key=K + "price_ratio"))
    if a.checkbox(t("Leave out weak matches"), value=rules.min_score is not None,
                  key=K + "min_on",
                  help=t("Neighbours scoring below the number on the right are left out; "
                       "lists may get shorter. Settings file: `rules.min_score`.")):
        data["min_score"] = float(b.number_input(t("Lowest score kept (0 to 1)"), value=float(
            rules.min_score if rules.min_score is not None else 0.5), step=0.01,
            format="%.3f", key=K + "min_score"))
    data["diversity"] = float(st.slider(
        t("Variety in each list"), 0.0, 1.0, value=float(rules.diversity), step=0.05,
        key=K + "diversity",
        help=t("0 = most similar first. Higher values prefer neighbours that differ from "
             "the ones already in the list (fewer near-copies side by side). Settings "
             "file: `rules.diversity`.")))
    return data


def _extras(rules: Rules, cols: list[str]) -> dict:
    a, b = st.columns(2)  # the two ticks one under the other: three columns cut their labels
    options = [NONE, *cols]
    stock = a.selectbox(t("Only products in stock, from column"), options, key=K + "in_stock",
                        format_func=column_option(),
                        index=options.index(rules.in_stock_column)
                        if rules.in_stock_column in cols else 0,
                        help=t("A column that says whether a product is in stock (1, yes, true, "
                             "in stock, or a number above 0). Settings file: "
                             "`rules.in_stock_column`."))
    data: dict = {"in_stock_column": None if stock == NONE else stock,
                  "keep_duplicates": b.checkbox(
                      t("Keep near-identical products"), value=rules.keep_duplicates,
                      key=K + "keep_dup",
                      help=t("Products in the 'duplicate' score range are the same product "
                           "twice and are left out of lists unless this is ticked. Settings "
                           "file: `rules.keep_duplicates`.")),
                  "use_review": b.checkbox(
                      t("Use my Review decisions"), value=rules.use_review, key=K + "use_review",
                      help=t("Accepted pairs always appear in each other's lists, rejected "
                           "pairs never do. Settings file: `rules.use_review`."))}
    # the whole width: in a half column at 1024 px its label was cut short
    data["leave_out_variants"] = st.checkbox(
        t(VARIANTS_LABEL), value=rules.leave_out_variants, key=K + "variants",
        help=t("Products whose titles differ only in colour or size (\"T-Shirt - Black / S\", "
               "\"T-Shirt - Navy / M\") are one product to a shopper, who picks the colour and "
               "size on its page. Ticked, a list leaves out the product's own colours and sizes "
               "and shows one of each other product. A book's formats (paperback, hardcover, "
               "e-book) count as its sizes. Pack sizes and capacities stay (a 330 ml "
               "can and a 1.5 l bottle, a 32GB and a 64GB drive): a list may offer them. "
               "Products your catalog puts in one variant group (a column item_group_id, "
               "group_id, parent_sku or SPU) are one product too, whatever their titles. "
               "Settings file: `rules.leave_out_variants`."))
    a, b = st.columns(2)
    data["pinned"] = (a.text_area(  # parsed by rules_panel
        t("Always show these pairs"), placeholder=t("one pair per line: product id, neighbour id"),
        value="\n".join(f"{x}, {y}" for x, y in rules.pinned), key=K + "pinned",
        help=t("Each line: a product id, a comma, the id of a product that must always be in "
             "its list. Settings file: `rules.pinned`.")))
    data["blocked"] = (b.text_area(
        t("Never show these pairs"), placeholder=t("one pair per line: product id, neighbour id"),
        value="\n".join(f"{x}, {y}" for x, y in rules.blocked), key=K + "blocked",
        help=t("Each line: a product id, a comma, the id of a product that must never be in "
             "its list. Settings file: `rules.blocked`.")))
    return data


# what a Chinese (full-width) keyboard types for ',' and '=', read as the ASCII signs
_FULL_WIDTH = str.maketrans({"，": ",", "＝": "="})


def parse_pairs(text: str) -> list[list[str]]:
    """'a, b' lines -> [[a, b], ...] (a full-width '，' or a tab also separates); raises
    ConfigError on a line without two ids."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.translate(_FULL_WIDTH).replace("\t", ",").split(",")]
        if len(parts) != 2 or not all(parts):
            raise ConfigError(t("line {number}: write a product id, a comma and a neighbour "
                                "id, got {line!r}", number=number, line=line))
        pairs.append(parts)
    return pairs


def parse_bands(text: str) -> dict[str, float]:
    """'duplicate=0.95, substitute=0.8' -> {...}; raises ConfigError when malformed."""
    bands = {}
    for part in [p.strip() for p in text.translate(_FULL_WIDTH).split(",") if p.strip()]:
        name, sep, value = part.partition("=")
        try:
            bands[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ConfigError(t("bands: write name=score, got {part!r}", part=part))
    return validate_bands(bands)


def short_lists_text(result: RuleResult) -> str:
    """RuleResult.short_text in the interface's language: "12 of 500 lists are shorter than
    10, made short by: unrelated products hidden (9 lists), same category (4 lists)"."""
    why = join_list(t("{rule} ({count:,} lists)", rule=rule_name(name), count=count)
                    for name, count in sorted(result.short_by.items(), key=lambda kv: -kv[1]))
    head = t("{short:,} of {total:,} lists are shorter than {k}", short=result.n_short,
             total=len(result.lengths), k=result.neighbors.k)
    return t("{head}, made short by: {why}", head=head, why=why) if why else head


def empty_lists_reason(cat: Catalog) -> str:
    """Why every list is empty, and what to do (pages say so instead of an empty table)."""
    if len(cat) < 2:
        return t("A catalog of one product has no neighbours: upload one with at least two "
                 "products.")
    return t("The rules leave every list empty: loosen them under Rules for the lists on the "
             "Neighbours page.")


def rules_summary(result: RuleResult, cfg: Config) -> None:
    """Short lists and the rules that made them short; candidates removed per rule, pins
    and blocks in force."""
    if result.n_short:
        st.caption(t("{short_text}. A short list is better than one padded with unrelated products.",
                     short_text=short_lists_text(result)))
    if not (cfg.rules or cfg.bands or result.pinned or result.blocked):
        return
    removed = join_list(f"{rule_name(name)} {count:,}"
                        for name, count in result.removed.items() if count)
    text = t("pairs always shown {pinned:,} · pairs never shown {blocked:,}",
             pinned=result.pinned, blocked=result.blocked)
    st.caption(text + (t(" · candidates looked at and left out, by rule (several candidates are "
                         "looked at for each place in a list, so these add up to more than the "
                         "export): {removed}", removed=removed) if removed else ""))


VARIANTS_LABEL = N_("Leave out other colours and sizes of the same product")


def variant_hint(cat: Catalog, result: RuleResult, cfg: Config) -> None:
    """Says so when many list entries are the product itself in another colour or size
    (a clothing catalog: the T-shirt's list is the T-shirt in ten variants), and which
    rule lists other products instead. Read on at most 2,000 lists, once per lists: ruled()
    gives the same result object until the lists change, and the memo holds it, so its id
    names it while the memo lives."""
    if cfg.rules.leave_out_variants:
        return
    share = state.memo("neighbors.variant_share", str(id(result)), lambda: (
        result, listed_variant_share(cat.titles(), result.neighbors.indices,
                                     groups=catalog_groups(cat))))[1]
    if share >= HINT_SHARE:
        st.info(t("{share:.0%} of the entries in these lists are the product itself in another "
                  "colour, size or format. To list other products instead, tick “{label}” under "
                  "Rules for the lists.", share=share, label=t(VARIANTS_LABEL)),
                icon=":material/checkroom:")


def short_lists_table(cat: Catalog, result: RuleResult, *, limit: int = 1000) -> None:
    """The products whose list is short after the rules (first `limit`)."""
    rows = result.short_rows
    st.subheader(t('Short lists after the rules: {n:,} products', n=len(rows)))
    if not len(rows):
        st.caption(t("Every product has a full list."))
        return
    titles = cat.titles()
    # how short before the title: after a wide title the count was out of sight at 1024 px
    frame = pd.DataFrame({"id": cat.ids[rows[:limit]],
                          "neighbours": result.lengths[rows[:limit]],
                          "title": [titles[r] for r in rows[:limit]]})
    st.dataframe(headed(frame), hide_index=True, key="neighbors.short_lists")
    if len(rows) > limit:
        st.caption(t('First {limit:,} of {n:,} shown.', limit=limit, n=len(rows)))


def product_list(cat: Catalog, lists, row: int, bands: dict[str, float]) -> pd.DataFrame:
    """One product's final list (padding dropped), with a band column when bands are set."""
    from core.catalog.views import rows_table
    from core.lists.bands import band_of

    keep = lists.indices[row] >= 0
    table = rows_table(cat, lists.indices[row][keep], lists.scores[row][keep])
    if bands:
        table.insert(table.columns.get_loc("score") + 1, "band",
                     band_of(lists.scores[row][keep], bands))
    return table
