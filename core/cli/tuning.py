"""Tuning sub-commands: groups, merge-map, health, compare, price-check, review-pairs,
config-keys; plus the rule options of ``neighbors`` and the replay of the app's lists.

    python -m core neighbors CATALOG --config tuned.json --out lists.csv
    python -m core neighbors CATALOG --same category --max-per brand=2 --price-ratio 0.5,2 --out l.csv
    python -m core health CATALOG --config tuned.json
    python -m core groups CATALOG --out groups.csv [--method agglomerative|hdbscan] [--size N]
    python -m core merge-map CATALOG --out merge.csv [--threshold 0.95] [--chain]
    python -m core compare CATALOG --config a.json --other b.json [--out movers.csv]
    python -m core price-check CATALOG --out outliers.csv [--z 3]
    python -m core review-pairs catalog.csv --config cfg.json --out pairs.csv
    python -m core review-pairs catalog.csv --session KEY --forget-gone --out forgotten.csv
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from core.cli.common import (
    CATALOG_HELP,
    K_HELP,
    METRIC_HELP,
    add_catalog_options,
    config_from_args,
    load_catalog_from_args,
    load_config_file,
    review_owner,
    say,
    say_price_note,
    show,
    vectors_from_args,
    with_language,
    workspace_db,
)
from core.config import KEY_DOCS, Config
from core.errors import ConfigError, cli_text
from core.export.tables import write_table
from core.lists.groups import DEFAULT_METHOD, METHODS
from core.lists.pricecheck import DEFAULT_MIN_PEERS, DEFAULT_Z
from core.lists.spec import RULE_KEYS, Rules
from core.search.neighbors import METRICS


def add_rule_options(p: argparse.ArgumentParser) -> None:
    """Rule flags named like the configuration keys; they override --config."""
    g = p.add_argument_group("rules (override the configuration's rules)")
    g.add_argument("--same", help="comma-separated columns the neighbour must share")
    g.add_argument("--different", help="comma-separated columns the neighbour must differ in")
    g.add_argument("--max-per", help="COL=N[,COL=N]: at most N neighbours per value")
    g.add_argument("--price-ratio", help="LOW,HIGH: neighbour price / product price band")
    g.add_argument("--min-score", type=float, help="minimum similarity score")
    g.add_argument("--diversity", type=float, help="0 to 1: how much a neighbour unlike the "
                   "ones listed above it is preferred (default 0 = off)")
    g.add_argument("--in-stock-column", help="column marking stock (truthy = in stock)")
    g.add_argument("--keep-duplicates", action="store_true",
                   help="keep neighbours in the 'duplicate' band")
    g.add_argument("--leave-out-variants", action="store_true",
                   help="leave out the product itself in other colours and sizes, or a book in "
                   "its other formats (titles alike but for them, or one variant group: a "
                   "column item_group_id, group_id, parent_sku or SPU), so that a list offers "
                   "other products")
    g.add_argument("--no-review", action="store_true",
                   help="ignore review decisions (pins from accepts, blocks from rejects)")
    g.add_argument("--bands", help="NAME=LOW[,NAME=LOW]: named score bands, e.g. duplicate=0.95")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _pairs(text: str, flag: str, cast) -> dict:
    out = {}
    for part in _split(text):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = cast(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise ConfigError(f"{flag} expects NAME=VALUE[,NAME=VALUE], got {text!r}")
    return out


RULE_FLAGS = {"same": "--same", "different": "--different", "max_per": "--max-per",
              "price_ratio": "--price-ratio", "min_score": "--min-score",
              "diversity": "--diversity", "in_stock_column": "--in-stock-column"}


def rules_from_args(args: argparse.Namespace, cfg: Config) -> Config:
    """cfg with the rule flags given on the command line applied; an invalid value is a
    ConfigError naming its flag."""
    rules = cfg.rules.to_dict()
    for key in ("same", "different"):
        if getattr(args, key, None):
            rules[key] = _split(getattr(args, key))
    if getattr(args, "max_per", None):
        rules["max_per"] = _pairs(args.max_per, "--max-per", int)
    if getattr(args, "price_ratio", None):
        try:
            rules["price_ratio"] = [float(v) for v in _split(args.price_ratio)]
        except ValueError as exc:
            raise ConfigError(f"--price-ratio expects LOW,HIGH, got {args.price_ratio!r}") from exc
    min_score = getattr(args, "min_score", None)
    if min_score is not None and not 0 <= min_score <= 1:  # 3 emptied every list, exit 0
        raise ConfigError(f"--min-score {min_score:g}: give a score from 0 to 1, the scale of "
                          "the lists' scores (e.g. 0.5)")
    for key in ("min_score", "diversity", "in_stock_column"):
        if getattr(args, key, None) is not None:
            rules[key] = getattr(args, key)
    for key, flag in RULE_FLAGS.items():  # each flag alone, so that an error names it
        if getattr(args, key, None) is not None:
            try:
                Rules.from_dict({key: rules[key]})
            except ConfigError as exc:
                raise ConfigError(f"{flag} {getattr(args, key)}: {cli_text(exc)}") from None
    if getattr(args, "keep_duplicates", False):
        rules["keep_duplicates"] = True
    if getattr(args, "leave_out_variants", False):
        rules["leave_out_variants"] = True
    if getattr(args, "no_review", False):
        rules["use_review"] = False
    bands = _pairs(args.bands, "--bands", float) if getattr(args, "bands", None) else cfg.bands
    if getattr(args, "bands", None):
        from core.lists.bands import validate_bands

        try:
            validate_bands(bands)
        except ConfigError as exc:
            raise ConfigError(f"--bands {args.bands}: {cli_text(exc)}") from None
    return cfg.with_changes(rules=Rules.from_dict(rules), bands=bands)


def check_rule_columns(args: argparse.Namespace, cfg: Config, catalog) -> None:
    """Before embedding: every column a rule names is in the catalog, and a price column
    for the price range rule and price-check, so a misspelt column fails at once, naming
    the flag or the settings file, not after every text is embedded."""
    from core.errors import short_list

    _check_price_column(args, cfg, catalog)
    missing = sorted(c for c in cfg.rules.columns() if c not in catalog.frame.columns)
    if not missing:
        return
    given = {"same": "--same", "different": "--different", "max_per": "--max-per",
             "in_stock_column": "--in-stock-column"}
    flags = [flag for key, flag in given.items()
             if getattr(args, key, None) and any(c in _split(str(getattr(args, key)))
                                                 or f"{c}=" in str(getattr(args, key))
                                                 for c in missing)]
    where = flags[0] if flags else f"the rules of the settings file --config {args.config}" \
        if getattr(args, "config", None) else "the rules"
    raise ConfigError(f"{where}: column(s) {short_list(missing)} not in the catalog; "
                      f"available: {short_list(catalog.frame.columns, 40)}")


def _check_price_column(args: argparse.Namespace, cfg: Config, catalog) -> None:
    """price-check and the price range rule need a price column: mapped, or named like one
    (as guess_roles maps it, later)."""
    from core.errors import short_list

    price_check = getattr(args, "command", None) == "price-check"
    if cfg.rules.price_ratio is None and not price_check:
        return
    if rule_roles(args, catalog)["price"]:
        return
    if price_check:
        who = "price-check"
    elif getattr(args, "price_ratio", None):
        who = "--price-ratio: the price range rule"
    else:
        who = "rules: the price range rule"
    raise ConfigError(f"{who} needs a price column, and the catalog {args.catalog} has "
                      "none mapped (price_column) or named like one: give --price-col "
                      "COLUMN, set price_column in the settings file (--config), or save "
                      "the settings from the app with a price column mapped; the "
                      f"catalog's columns: {short_list(catalog.frame.columns, 40)}")


def workspace_decisions(args: argparse.Namespace, catalog) -> pd.DataFrame:
    """Review decisions on this catalog in the workspace (--workspace or the default): one
    app session's (--session) or every reviewer's; empty if none. Decisions on other
    catalogs never apply."""
    from core.lists.review import load_decisions

    return load_decisions(workspace_db(args), catalog, owner=review_owner(args))


def say_decisions(args: argparse.Namespace, cfg: Config, catalog, decisions: pd.DataFrame) -> None:
    """What the app's Export page says of review decisions: how many the lists use
    (decisions carry over from earlier versions of the catalog, product by product), and a
    warning naming the earlier decisions that are not applied (a product's text edited
    since, or a product gone), so that a nightly job never drops them without a word."""
    from core.lists.review import not_applied

    db = workspace_db(args)
    if not cfg.rules.use_review:
        return
    counts = decisions["decision"].value_counts() if len(decisions) else {}
    if len(decisions):
        say(f"review decisions used: {counts.get('accept', 0):,} accepted, "
            f"{counts.get('reject', 0):,} rejected (workspace {db.parent})")
    dropped = not_applied(db, catalog, owner=review_owner(args))
    if len(dropped):
        say(not_applied_warning(dropped, catalog_path=getattr(args, "catalog", "CATALOG"),
                                session=getattr(args, "session", None)))
    elif not len(decisions):
        say(f"review decisions: none on this catalog in the workspace folder {db.parent}")


def not_applied_warning(dropped: pd.DataFrame, *, catalog_path: str,
                        session: str | None = None) -> str:
    """One warning line: how many earlier decisions are not applied, why, which ids, the
    command that lists them and, for products gone, the one that forgets them (--session's
    decisions: session, else KEY for the user to fill in)."""
    from shlex import quote

    from core.errors import short_list

    def ids(side_status: str) -> list[str]:
        return list(dict.fromkeys(
            pid for side in ("left", "right")
            for pid, now in zip(dropped[f"{side}_id"], dropped[f"{side}_now"])
            if now == side_status))

    reasons = dropped["reason"].value_counts()
    parts = []
    if reasons.get("changed", 0):
        parts.append(f"{reasons['changed']:,} because a product's text was edited since "
                     f"(ids: {short_list(ids('changed'), 5)})")
    if reasons.get("gone", 0):
        parts.append(f"{reasons['gone']:,} because a product is no longer in the catalog "
                     f"(ids: {short_list(ids('gone'), 5)})")
    if reasons.get("version", 0):
        parts.append(f"{reasons['version']:,} made on another version of this catalog by an "
                     "earlier release, which cannot be matched product by product")
    n = len(dropped)
    return (f"warning: {n:,} earlier review decision{'s are' if n != 1 else ' is'} not "
            f"applied: {'; '.join(parts)}. Review those pairs again in the app; list them "
            f"with: python -m core review-pairs {quote(str(catalog_path))} --not-applied --out FILE"
            + (f"; forget those on products no longer in the catalog with: python -m core "
               f"review-pairs {quote(str(catalog_path))} --session {quote(session or 'KEY')} "
               "--forget-gone --out FILE" if reasons.get("gone", 0) else ""))


def rule_roles(args: argparse.Namespace, catalog) -> dict[str, str | None]:
    """{role: column} of category / brand / price / image: mapped, else (without --config)
    named like one, as the app's automatic mapping does (a saved configuration always names
    them, so a replay never guesses)."""
    from core.catalog.table import guess_role

    roles = ("category", "brand", "price", "image")
    if getattr(args, "config", None):
        out = {r: getattr(catalog.mapping, r) for r in roles}
    else:
        out = {r: getattr(catalog.mapping, r) or guess_role(catalog.frame, r) for r in roles}
    return {**out, "model_number": _model_number_role(args, catalog)}


def _model_number_role(args: argparse.Namespace, catalog) -> str | None:
    """rule_roles' model number column: mapped, else (without --config or
    --model-number-col none) one named like a model number."""
    from core.catalog.table import guess_model_number_column
    from core.cli.common import no_model_numbers

    if catalog.mapping.model_number or getattr(args, "config", None) or no_model_numbers(args):
        return catalog.mapping.model_number
    return guess_model_number_column(catalog.frame)


def say_unread_model_numbers(args: argparse.Namespace, catalog,
                             saved: frozenset[str] | None = None) -> None:
    """A note when a settings file saved before model numbers were compared (it has no
    model_number_column key at all) is replayed on a catalog with a column named like one:
    the replay does not start reading it on its own (that would change the lists without a
    word), and the nightly job would never learn that it could. saved: the keys of
    compare's --other file (load_config_file); default: --config's (config_from_args)."""
    from core.catalog.table import guess_model_number_column
    from core.cli.common import no_model_numbers

    other = saved is not None
    keys = saved if other else getattr(args, "file_settings", None)
    if keys is None or "model_number_column" in keys or catalog.mapping.model_number \
            or no_model_numbers(args):
        return
    column = guess_model_number_column(catalog.frame)
    if not column:
        return
    if other:  # the command's flags set --config's side only
        say(f"note: the --other settings file was saved before model numbers were compared, "
            f"so its lists do not read the column {column} (named like a model number); add "
            f"\"model_number_column\": \"{column}\" to it, or save it again in the app, to "
            "compare it")
        return
    say(f"note: the settings file was saved before model numbers were compared, so the "
        f"column {column} (named like a model number) is not read; --model-number-col "
        f"{column} compares it (two products whose model numbers differ are then never "
        "scored as the same product), and saving the settings again in the app keeps it")


def _say_model_number(column: str) -> None:
    say(f"model number column (automatic): {column} (two products whose model numbers differ "
        "are never scored as the same product; --model-number-col names another column, "
        "--model-number-col none compares none)")


def guess_model_number(args: argparse.Namespace, cfg: Config, catalog):
    """The configuration and catalog with rule_roles' model number and price columns, the
    model number said when it was found by its name: both change scores (equal model
    numbers, prices far apart), so every command that scores pairs (search, explain,
    evaluate, threshold, finetune) reads them as the lists do; the other roles matter only
    to rules, lists and figures. Prices in a price column found by its name that cannot be
    read are named, as guess_roles names them."""
    from dataclasses import replace

    mapping = catalog.mapping
    column = _model_number_role(args, catalog)
    if column == mapping.model_number:
        say_unread_model_numbers(args, catalog)
    else:
        _say_model_number(column)
    price = rule_roles(args, catalog)["price"]
    _say_unread_prices(price, catalog)
    changes = {role: value for role, value in (("model_number", column), ("price", price))
               if value != getattr(mapping, role)}
    if not changes:
        return cfg, catalog
    return (cfg.with_changes(**{f"{role}_column": value for role, value in changes.items()}),
            replace(catalog, mapping=replace(mapping, **changes)))


def _say_unread_prices(price: str | None, catalog) -> None:
    """Prices the rules cannot read in a price column found by its name (build_catalog names
    them for a mapped one)."""
    from core.catalog.column_checks import price_notes

    if price and not catalog.mapping.price:
        for warning in price_notes(price, catalog.frame[price]):
            say(f"warning: {warning}")


def guess_roles(args: argparse.Namespace, cfg: Config, catalog):
    """The configuration and catalog with the role columns of rule_roles; prices in a price
    column found by its name that the rules cannot read are named, as for --price-col
    (build_catalog names them for a mapped one)."""
    from dataclasses import replace

    if getattr(args, "config", None):
        say_unread_model_numbers(args, catalog)
        return cfg, catalog
    roles = rule_roles(args, catalog)
    _say_unread_prices(roles["price"], catalog)
    if roles["model_number"] != catalog.mapping.model_number:
        _say_model_number(roles["model_number"])
    cfg = cfg.with_changes(**{f"{r}_column": c for r, c in roles.items()})
    return cfg, replace(catalog, mapping=replace(catalog.mapping, **roles))


def say_lost_pairs(cfg: Config, catalog) -> None:
    """A warning for each kind of pair rule (pinned, blocked) naming pairs whose ids are not
    both in the catalog: the lists cannot apply them (a product gone since the settings were
    saved, or a typo), and a nightly job must not drop them without a word."""
    from core.errors import short_list

    ids = set(map(str, catalog.ids))
    for key in ("pinned", "blocked"):
        lost = [f"{a} -> {b}" for a, b in getattr(cfg.rules, key) if a not in ids or b not in ids]
        if lost:
            say(f"warning: {len(lost)} {key} pair(s) of the rules name ids not in the catalog, "
                f"so they are not applied: {short_list(lost, 5)}")


def replay_neighbors(args: argparse.Namespace, cfg: Config, catalog, vectors: np.ndarray, *,
                     images=None, pools: dict | None = None):
    """The app's final lists for cfg (rules, bands, review decisions): (cfg, catalog, Neighbors).

    images: the catalog's image vectors (the photos channel when cfg.image_weight > 0);
    pools: channel lists computed elsewhere (the Ray engine's dense top-k, core.scale)."""
    from core.pipeline import candidate_pool, neighbor_index, rule_result

    cfg, catalog = guess_roles(args, rules_from_args(args, cfg), catalog)
    index = neighbor_index(catalog, vectors, cfg, images=images)
    say_price_note(catalog)
    pool = candidate_pool(catalog, vectors, cfg, index=index, pools=pools)
    decisions = workspace_decisions(args, catalog)
    say_decisions(args, cfg, catalog, decisions)
    say_lost_pairs(cfg, catalog)
    result = rule_result(catalog, pool, cfg, vectors=vectors, decisions=decisions)
    if result.n_short:
        from core.lists.filters import RELEVANCE

        floor = "; --relevance-floor 0 turns the floor off" if RELEVANCE in result.short_by \
            else ""
        say(f"{result.short_text()} (the rules that made them short; a short list is better "
            f"than one padded with unrelated products{floor})")
    return cfg, catalog, result.neighbors


def replay_lists(args: argparse.Namespace, cfg: Config, catalog, vectors: np.ndarray, *,
                 images=None):
    """The app's final lists for cfg (rules, bands, review decisions): (Neighbors, frame)."""
    from core.lists.rules import lists_frame

    cfg, catalog, nb = replay_neighbors(args, cfg, catalog, vectors, images=images)
    frame = lists_frame(catalog, nb, bands=cfg.bands, with_titles=not args.no_titles)
    return nb, frame


def _loaded(args: argparse.Namespace, cfg: Config | None = None, *, check=None):
    """(cfg, catalog, vectors) for a catalog command. check(cfg): raises what is wrong with
    the settings before the catalog is read and embedded."""
    given = cfg is not None  # a configuration B (compare) keeps its own model and weight
    cfg = rules_from_args(args, cfg or config_from_args(args))
    if check is not None:
        check(cfg)
    catalog = load_catalog_from_args(args, cfg)
    cfg = cfg if given else with_language(args, cfg, catalog)
    cfg, catalog = guess_roles(args, cfg, catalog)
    check_rule_columns(args, cfg, catalog)
    return cfg, catalog, vectors_from_args(args, cfg, catalog)


def _prepared(args: argparse.Namespace, cfg: Config | None = None):
    """(cfg, catalog, vectors, pool, decisions) for a catalog command."""
    from core.pipeline import candidate_pool

    cfg, catalog, vectors = _loaded(args, cfg, check=lambda _: _check_numbers(args))
    return (cfg, catalog, vectors, candidate_pool(catalog, vectors, cfg),
            workspace_decisions(args, catalog))


def _check_numbers(args: argparse.Namespace) -> None:
    """Before any work: the command's own numbers are in range (a --z of -1 was an
    'unexpected ValueError' after embedding; a --size of 0 was taken as 2 without a word)."""
    for flag, dest, low, what in (("--size", "size", 2, "a whole number from 2: the typical "
                                   "number of products in a group"),
                                  ("--min-peers", "min_peers", 1, "a whole number from 1"),
                                  ("--top", "top", 1, "a whole number from 1")):
        value = getattr(args, dest, None)
        if value is not None and value < low:
            raise ConfigError(f"{flag} {value}: give {what}")
    z = getattr(args, "z", None)
    if z is not None and not z > 0:
        raise ConfigError(f"--z {z:g}: give a number above 0 (3, the default, lists about the "
                          "most unusual few percent of prices)")
    threshold = getattr(args, "threshold", None)
    if threshold is not None and not 0 <= threshold <= 1:  # as duplicate_threshold (Config)
        raise ConfigError(f"--threshold {threshold:g}: give a duplicate score from 0 to 1 "
                          "(the app's Groups page starts at 0.95)")


def _merge_threshold(args: argparse.Namespace, cfg: Config) -> float:
    """merge-map's threshold: --threshold, else the settings' duplicate threshold or
    'duplicate' band; else a ConfigError (raised before the catalog is embedded)."""
    from core.lists.bands import groups_threshold

    _check_numbers(args)
    threshold = args.threshold if args.threshold is not None else groups_threshold(cfg)
    if threshold is None:
        raise ConfigError("No duplicate threshold: pass --threshold SCORE (a duplicate score "
                          "0..1; the app's Groups page starts at 0.95), choose one on labelled "
                          "pairs (python -m core threshold --save-config, or the app's Duplicate "
                          "threshold page) or set a 'duplicate' band (--bands duplicate=0.95, or "
                          "bands in the settings file)")
    return threshold


def cmd_health(args: argparse.Namespace) -> int:
    from core.lists.health import health_table, list_health
    from core.lists.rules import apply_config
    from core.lists.spec import column_codes

    cfg, catalog, vectors, pool, decisions = _prepared(args)
    result = apply_config(catalog, pool, cfg, vectors=vectors, decisions=decisions)
    roles = {r: column_codes(catalog.frame[c]) for r, c in catalog.mapping.roles().items()
             if r in ("category", "brand")}
    kw = {"categories": roles.get("category"), "brands": roles.get("brand")}
    table = health_table(list_health(pool.head(cfg.k), k=cfg.k, **kw),
                         list_health(result.neighbors, k=cfg.k, **kw))
    print(table.to_string(index=False))
    print(f"short lists after rules: {result.n_short}; removed per rule: {result.removed}")
    if result.n_short:
        print(result.short_text())
    if args.out:
        write_table(table, args.out)
    return 0


def cmd_groups(args: argparse.Namespace) -> int:
    from core.lists.groups import product_groups

    _, catalog, vectors, pool, _ = _prepared(args)
    groups = product_groups(vectors, catalog.texts, method=args.method, size=args.size,
                            neighbors=pool)
    frame = pd.DataFrame({"product_id": catalog.ids, "title": catalog.titles(),
                          "group": groups.labels,
                          "group_label": [groups.names.get(int(g), "") for g in groups.labels]})
    write_table(frame, args.out)
    chosen = " (chosen for this catalog; --size to change)" if groups.chosen else ""
    say(f"wrote {args.out}: {groups.n_groups} groups ({args.method}), typical size "
        f"{groups.size}{chosen}, {groups.grouped_share:.1%} of products grouped")
    return 0


def cmd_merge_map(args: argparse.Namespace) -> int:
    from core.lists.bands import groups_categories
    from core.lists.groups import duplicate_groups, merge_map
    from core.pipeline import candidate_pool, neighbor_index

    cfg, catalog, vectors = _loaded(args, check=lambda c: _merge_threshold(args, c))
    threshold = _merge_threshold(args, cfg)
    filled = (catalog.frame.astype(str).apply(lambda s: s.str.strip() != "")).sum(axis=1).to_numpy()
    index = neighbor_index(catalog, vectors, cfg)  # the duplicate score, as the app's Groups
    pool = candidate_pool(catalog, vectors, cfg, index=index)
    categories, per_category = groups_categories(cfg, catalog)
    dups = duplicate_groups(pool, threshold, vectors=vectors, completeness=filled,
                            both_ways=lambda a, b: index.pair_scores(a, b).match,
                            categories=categories, per_category=per_category,
                            chain=args.chain)
    frame = merge_map(catalog.ids, dups)
    write_table(frame, args.out)
    own = _own_thresholds(per_category)
    say(f"wrote {args.out}: {dups.n_groups} duplicate groups, {len(frame)} products to merge "
        f"(threshold {threshold}" + (f"; {own}" if own else "") + ")")
    if dups.chained:  # the merge map folds them into a product they do not duplicate
        say(f"warning: {dups.chained:,} products are in a duplicate group only through other "
            f"products (they do not score {threshold} with the product kept; the largest group "
            f"holds {dups.largest:,} products): similar products chain at a low threshold; "
            "raise --threshold, leave out --chain, or check those groups before merging")
    return 0


def _own_thresholds(per_category: dict[str, float]) -> str:
    """'2 categories with their own threshold (shoes 0.9, tv 0.98)' (groups_categories keeps
    the categories this catalog has)."""
    if not per_category:
        return ""
    shown = ", ".join(f"{k} {v:g}" for k, v in list(per_category.items())[:5])
    more = f", +{len(per_category) - 5} more" if len(per_category) > 5 else ""
    noun = "category" if len(per_category) == 1 else "categories"
    return f"{len(per_category)} {noun} with their own threshold chosen on labelled pairs ({shown}{more})"


def cmd_compare(args: argparse.Namespace) -> int:
    from core.lists.compare import compare_lists, movers
    from core.pipeline import final_lists

    cfg_b, keys_b = load_config_file(args.other, "--other")  # a missing file: before any work
    cfg_a, catalog, vectors_a, _, decisions = _prepared(args)
    catalog_b = load_catalog_from_args(args, cfg_b, where=f"--other {args.other}")
    say_unread_model_numbers(args, catalog_b, frozenset(keys_b))
    if list(catalog_b.ids) != list(catalog.ids):
        raise ConfigError("the two configurations map different product ids; compare "
                          "configurations over the same id column")
    vectors_b = vectors_from_args(args, cfg_b, catalog_b)
    a = final_lists(catalog, vectors_a, cfg_a, decisions=decisions)
    b = final_lists(catalog_b, vectors_b, cfg_b, decisions=decisions)
    result = compare_lists(a, b, k=max(cfg_a.k, cfg_b.k))
    print(f"mean overlap@{result.k}: {result.mean_overlap:.3f}; mean rank correlation: "
          f"{result.mean_rank_corr:.3f}; identical lists: {result.identical}/{len(catalog)}")
    table = movers(catalog.ids, catalog.titles(), result, a, b, top=args.top)
    if args.out:
        write_table(table, args.out)
    else:
        show(table.to_string(index=False))
    return 0


def cmd_price_check(args: argparse.Namespace) -> int:
    from core.lists.pricecheck import outliers_frame, peer_rules, price_check
    from core.lists.rules import apply_config

    cfg, catalog, vectors, pool, decisions = _prepared(args)
    say_price_note(catalog)
    if cfg.rules.price_ratio is not None:
        say("the price-range rule is left out: it would compare each product only with "
            "products priced like it")
    lists = apply_config(catalog, pool, cfg.with_changes(rules=peer_rules(cfg.rules)),
                         vectors=vectors, decisions=decisions).neighbors
    check = price_check(np.array(catalog.prices()), lists,  # prices of one currency
                        z_threshold=args.z, min_peers=args.min_peers)
    frame = outliers_frame(catalog.ids, catalog.titles(), check)
    write_table(frame, args.out)
    say(f"wrote {args.out}: {check.count('over'):,} over-priced, {check.count('under'):,} "
         f"under-priced of {check.checked:,} checked products")
    return 0


def cmd_review_pairs(args: argparse.Namespace) -> int:
    """Labelled pairs of one catalog (the decisions applied to it: made on it or carried over
    from an earlier version, by every reviewer or --session's); with --not-applied, the
    earlier decisions that are not applied to it and why; with --forget-gone, --session's
    decisions on products no longer in it, forgotten."""
    from core.lists.review import ReviewStore, review_key

    db = workspace_db(args)
    forget = getattr(args, "forget_gone", False)
    if forget and review_owner(args) is None:
        raise ConfigError("--forget-gone forgets one app session's decisions: add --session KEY "
                          "(the s=... part of the app's address); other sessions' decisions are "
                          "never touched")
    if not db.exists():
        raise ConfigError(f"No workspace database at {db}: nothing reviewed yet")
    cfg = config_from_args(args)
    _, catalog = guess_roles(args, cfg, load_catalog_from_args(args, cfg))
    store = ReviewStore(db, catalog, owner=review_owner(args))
    if forget:
        return _forget_gone(args, store, catalog)
    if getattr(args, "not_applied", False):
        frame = store.not_applied()
        write_table(frame, args.out)
        say(f"wrote {args.out}: {len(frame)} earlier decisions not applied to catalog "
            f"{catalog.name} ({(frame['reason'] == 'changed').sum()} a product edited since, "
            f"{(frame['reason'] == 'gone').sum()} a product gone)")
        return 0
    frame = store.as_labelled_pairs()
    write_table(frame, args.out)
    say(f"wrote {args.out}: {len(frame)} labelled pairs ({int(frame['label'].sum())} accepted) "
        f"of catalog {catalog.name} ({review_key(catalog)})")
    return 0


def _forget_gone(args: argparse.Namespace, store, catalog) -> int:
    """review-pairs --forget-gone: the list of what goes is written first (a file that
    cannot be written forgets nothing), then the decisions are forgotten."""
    before = store.not_applied()
    write_table(before[before["reason"] == "gone"], args.out)
    forgotten = store.forget_gone()
    write_table(forgotten, args.out)
    kept = int((before["reason"] != "gone").sum())
    say(f"forgot {len(forgotten)} review decision{'' if len(forgotten) == 1 else 's'} of session "
        f"{args.session} on products no longer in catalog {catalog.name} (listed in {args.out})"
        + (f"; {kept} not applied for another reason kept" if kept else ""))
    return 0


def cmd_config_keys(args: argparse.Namespace) -> int:
    from dataclasses import fields

    for f in fields(Config):
        print(f"{f.name:22s} {KEY_DOCS.get(f.name, '')}")
    print("\nrules:")
    for key, doc in RULE_KEYS.items():
        print(f"  {key:20s} {doc}")
    return 0


def _catalog_parser(sub, name: str, help_text: str, *, out_required: bool):
    p = sub.add_parser(name, help=help_text)
    p.add_argument("catalog", help=CATALOG_HELP)
    p.add_argument("--out", required=out_required, help="output .csv, .xlsx, .parquet or .json")
    p.add_argument("--metric", choices=list(METRICS), help=METRIC_HELP)
    p.add_argument("--k", type=int, help=K_HELP)
    add_catalog_options(p)
    add_rule_options(p)
    p.set_defaults(out_kind="table")
    return p


def register(sub) -> dict:
    """Add the tuning sub-commands (and rule flags on ``neighbors``)."""
    if "neighbors" in sub.choices:
        add_rule_options(sub.choices["neighbors"])
    _catalog_parser(sub, "health", "list health before and after rules", out_required=False)
    p = _catalog_parser(sub, "groups", "product groups with c-TF-IDF labels", out_required=True)
    p.add_argument("--method", choices=list(METHODS), default=DEFAULT_METHOD,
                   help="agglomerative (default): every product in a group, about --size "
                   "each; hdbscan: groups of at least --size alike products, the rest left "
                   "ungrouped")
    p.add_argument("--size", type=int, default=None,
                   help="typical group size (default: chosen for the catalog, the size at "
                   "which its groups stand furthest apart, as the app's Groups page does)")
    p = _catalog_parser(sub, "merge-map", "duplicate groups as product_id, canonical_id, score",
                        out_required=True)
    p.add_argument("--threshold", type=float,
                   help="duplicate score 0..1 from which two products are duplicates, the lower "
                   "of their scores for each other (default: the settings file's "
                   "duplicate_threshold, chosen on labelled pairs, else its 'duplicate' band); "
                   "pairs of one category listed in the settings file's category_thresholds "
                   "use that category's threshold")
    p.add_argument("--chain", action="store_true",
                   help="group products that are duplicates only through others (A of B and "
                   "B of C puts A and C in one group), as before; by default every product in "
                   "a group is a duplicate of the product kept")
    p = _catalog_parser(sub, "compare", "compare the lists of --config and --other",
                        out_required=False)
    p.add_argument("--other", required=True, help="the second configuration (JSON)")
    p.add_argument("--top", type=int, default=20, help="biggest movers to list")
    p = _catalog_parser(sub, "price-check", "prices far from similar products' prices",
                        out_required=True)
    p.add_argument("--z", type=float, default=DEFAULT_Z,
                   help="how unusual a price must be to be listed, against how far prices "
                   "usually are from their similar products' median price: 3 (default) lists "
                   "about the most unusual few percent; higher lists fewer")
    p.add_argument("--min-peers", type=int, default=DEFAULT_MIN_PEERS,
                   help="fewest similar products with a price needed to check a price "
                   f"(default {DEFAULT_MIN_PEERS})")
    p = _catalog_parser(sub, "review-pairs", "review decisions on a catalog as labelled pairs",
                        out_required=True)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--not-applied", action="store_true",
                      help="write instead the decisions made on an earlier version of the "
                      "catalog that are not applied to it (left_id, right_id, decision, "
                      "decided_at, reason: changed, gone or version, left_now, right_now)")
    what.add_argument("--forget-gone", action="store_true",
                      help="forget --session's decisions on products no longer in the catalog "
                      "(they can never apply to it again; the app and nightly runs stop warning "
                      "of them) and write them to --out; its other decisions, edited products' "
                      "included, and other sessions' stay")
    sub.add_parser("config-keys", help="print the documented configuration keys")
    return {"health": cmd_health, "groups": cmd_groups, "merge-map": cmd_merge_map,
            "compare": cmd_compare, "price-check": cmd_price_check,
            "review-pairs": cmd_review_pairs, "config-keys": cmd_config_keys}
