"""Business rules over a candidate pool: the final recommendation lists.

:class:`Rules` (core.lists.spec) is the validated form of ``Config.rules``;
:func:`apply_rules` turns a deeper candidate pool (:class:`Neighbors`, best
first) into lists of k. It never re-embeds or re-searches, so changing a rule
costs milliseconds (bench/rules_speed.py). Work is done in row chunks, so memory
stays bounded for large catalogs.

Order of a final list: pinned neighbours first (best score first), then the
greedy selection: pool order (best score first) or, with ``diversity`` > 0,
maximal marginal relevance: the next neighbour maximises
``(1 - diversity) * score - diversity * max cosine to those already chosen``.

The relevance floor (``Config.relevance_floor``, on by default) leaves out
candidates no closer in meaning than that share of random pairs of the
catalog's products, or scored no higher than that share of them (from
MIN_FLOOR_ROWS products on; NeighborIndex.score_floor), so a list that
cannot be filled with related products is shorter instead of padded with
unrelated ones; :attr:`RuleResult.short_by` says which rules removed
candidates of the lists left short.

Short lists with a ``same`` rule are completed from an exact search within the
product's own group (same values), as if the pool were unlimited (up to
REFILL_DEPTH), shallow first: most rows settle within the best 64 of their
group. A pool from a :class:`core.search.index.NeighborIndex` is refilled, its
pins scored and its floor applied with the index's own scores (fused and
calibrated, as in the pool); a pool scored by a plain metric needs the vectors;
any other pool is drawn from as it is (pins outside it get a NaN score, no floor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.errors import ConfigError
from core.export.tables import neighbors_frame
from core.lists.bands import band_of, duplicate_threshold
from core.lists.filters import SHARED_WORD, VARIANTS, Features, Floor, filter_candidates
from core.lists.refill import REFILL_DEPTH, index_block, metric_block, refill_pool, unit_rows
from core.lists.select import select_chunk
from core.lists.spec import RULE_KEYS, Rules, column_codes, stock_mask
from core.lists.variants import catalog_families
from core.search.fusion import HybridNeighbors
from core.search.neighbors import METRICS, Neighbors

if TYPE_CHECKING:
    from core.catalog.table import Catalog
    from core.config import Config

_CHUNK_ROWS = 8192
# First refill depth (core.lists.refill.refill_pool); rows still short then go to REFILL_DEPTH.
REFILL_START = 64
_CHUNK_ROWS_MMR = 1024


@dataclass(frozen=True)
class RuleResult:
    """Final lists after the rules.

    neighbors: (n, width) with width = min(k, pool depth); short lists are
    padded with index -1 and NaN score/distance. lengths: (n,) int64 entries
    per list. removed: pool candidates failing each rule (counted independently).
    pinned / blocked: pairs in force (after mapping ids to rows). short_by: rule ->
    how many of the short lists it removed pool candidates from.
    """

    neighbors: Neighbors
    lengths: np.ndarray
    k: int
    removed: dict[str, int]
    pinned: int = 0
    blocked: int = 0
    short_by: dict[str, int] = field(default_factory=dict)

    @property
    def short_rows(self) -> np.ndarray:
        """(s,) rows whose list holds fewer entries than the list width."""
        return np.nonzero(self.lengths < self.neighbors.k)[0]

    @property
    def n_short(self) -> int:
        return len(self.short_rows)

    def short_text(self) -> str:
        """"12 of 500 lists are shorter than 10: relevance floor (9 lists), same category
        (4 lists)" ("" when none)."""
        if not self.n_short:
            return ""
        why = ", ".join(f"{name} ({count:,} list{'s' if count != 1 else ''})" for name, count in
                        sorted(self.short_by.items(), key=lambda kv: -kv[1]))
        return (f"{self.n_short:,} of {len(self.lengths):,} lists are shorter than "
                f"{self.neighbors.k}" + (f": {why}" if why else ""))


def needs_rules(cfg: Config, decisions: pd.DataFrame | None = None) -> bool:
    """Whether cfg (and review decisions) change anything versus the pool's best k."""
    rules = cfg.rules
    if rules.to_dict().keys() - {"use_review"} or cfg.relevance_floor > 0:
        return True
    if not rules.keep_duplicates and duplicate_threshold(cfg) is not None:
        return True
    return rules.use_review and decisions is not None and len(decisions) > 0


def apply_config(catalog: Catalog | None, pool: Neighbors, cfg: Config, *,
                 vectors: np.ndarray | None = None,
                 decisions: pd.DataFrame | None = None,
                 rows: np.ndarray | None = None) -> RuleResult:
    """apply_rules with cfg.rules, cfg.k and the duplicate band of cfg (rows: as there)."""
    rules = cfg.rules
    dup = None if rules.keep_duplicates else duplicate_threshold(cfg)
    if not needs_rules(cfg, decisions):
        fast = _head_result(pool, cfg.k)
        if fast is not None:
            return fast
    return apply_rules(catalog, pool, rules, cfg.k, vectors=vectors, decisions=decisions,
                       duplicate_threshold=dup, relevance_floor=cfg.relevance_floor, rows=rows)


def apply_rules(catalog: Catalog | None, pool: Neighbors, rules: Rules, k: int, *,
                vectors: np.ndarray | None = None, decisions: pd.DataFrame | None = None,
                duplicate_threshold: float | None = None, relevance_floor: float = 0.0,
                chunk_rows: int | None = None, rows: np.ndarray | None = None) -> RuleResult:
    """Lists of at most k from a candidate pool (n, m), best first.

    catalog: the rows of the pool (None: ids are row numbers, no column rules).
    vectors: (n, d) float, needed for diversity and for scoring pins outside
    the pool (else their score is NaN). decisions: DataFrame(left_id,
    right_id, decision) from core.lists.review. duplicate_threshold: neighbours
    scoring at or above it are left out. relevance_floor: share of random pairs a
    neighbour must be closer in meaning than (0 = off; needs a pool from a
    NeighborIndex whose score has meaning in it, so not words only). Pure:
    inputs are not modified. rows: only these source rows' lists are made (each list is
    made on its own, so as in a whole run); the others are left empty (length 0): one
    product's list in milliseconds instead of the whole catalog's.
    """
    n, m = pool.indices.shape
    todo = np.arange(n) if rows is None else np.unique(np.asarray(rows, dtype=np.int64))
    width = max(0, min(int(k), m))
    if rules.diversity > 0 and vectors is None:
        raise ConfigError("rules.diversity needs the product vectors; pass vectors=")
    feats = _features(catalog, rules, n)
    ids = catalog.ids if catalog is not None else np.arange(n).astype(str)
    pins, blocks = _pair_rows(ids, rules, decisions)
    scorer = pool.scorer if isinstance(pool, HybridNeighbors) else None
    floor, floor_part = _floor(scorer, relevance_floor)
    pool_meaning = pool.parts.get(floor_part) if floor is not None else None  # the pool's own
    pin_lists = _pin_lists(pins, pool, vectors, width, scorer)
    block_keys = np.array(sorted(a * n + b for a, b in blocks), dtype=np.int64)
    unit = unit_rows(vectors) if rules.diversity > 0 else None
    step = chunk_rows or (_CHUNK_ROWS_MMR if unit is not None else _CHUNK_ROWS)
    out_i = np.full((n, width), -1, dtype=np.int64)
    out_s = np.full((n, width), np.nan, dtype=np.float32)
    out_d = np.full((n, width), np.nan, dtype=np.float32)
    lengths = np.zeros(n, dtype=np.int64)
    removed: dict[str, int] = {}
    per_row: dict[str, np.ndarray] = {}
    out = (out_i, out_s, out_d, lengths)
    for start in range(0, len(todo), step):
        part = todo[start:start + step]
        cand = (pool.indices[part], pool.scores[part], pool.distances[part])
        ok = filter_candidates(part, cand, n, feats, rules, duplicate_threshold, block_keys, removed,
                               floor, per_row,
                               None if pool_meaning is None else pool_meaning[part])
        select_chunk(part, cand, ok, feats, rules, unit, pin_lists, width, out)
    short = todo[lengths[todo] < width]
    block = index_block(scorer) if scorer is not None else (
        metric_block(vectors, pool.metric) if vectors is not None and pool.metric in METRICS
        else None)
    if len(short) and feats.same and block is not None:
        def keep(rows: np.ndarray, cand: tuple[np.ndarray, ...]) -> np.ndarray:
            return filter_candidates(rows, cand, n, feats, rules, duplicate_threshold, block_keys,
                                     {}, floor)

        _refill(short, feats, block, keep, rules, unit, pin_lists, width, out)
    lists = Neighbors(out_i, out_s, out_d, pool.metric)
    short = todo[lengths[todo] < width]
    short_by = {name: int((counts[short] > 0).sum()) for name, counts in per_row.items()
                if (counts[short] > 0).any()}
    return RuleResult(lists, lengths, int(k), removed, pinned=len(pins), blocked=len(blocks),
                      short_by=short_by)


def _floor(scorer, relevance_floor: float) -> tuple[Floor | None, str | None]:
    """(the relevance floor, the pool's part it reads): meaning above the share
    `relevance_floor` of random pairs when the lists read meaning; with words alone
    (hybrid weight 1), a word in common (a product sharing none is as unrelated as any:
    such lists were padded with them); either way a product with no text (and no photos in
    the lists) is related to none: two blank titles were each other's best at 0.80, and
    blanks sat in other products' lists. (None, None) when off or not measurable."""
    if relevance_floor <= 0 or scorer is None:
        return None, None
    blank = None if scorer.has("image") else scorer.blank_texts()
    if scorer.has("dense"):
        threshold = scorer.relevance_threshold(relevance_floor)
        if threshold is None:
            return None, None
        return Floor(threshold, scorer.meaning, scorer.score_floor(relevance_floor),
                     blank), "dense"
    if scorer.names == ("lexical",):
        return Floor(SHARED_WORD, scorer.shared_words, blank=blank), "lexical"
    return None, None


def _refill(short: np.ndarray, feats, block, keep, rules: Rules,
            unit: np.ndarray | None, pin_lists: dict, width: int, out: tuple) -> None:
    """Complete short lists from their own group, shallow first.

    The first pass takes the best REFILL_START of the group (at least 4k; with
    diversity 2 x max(3k, 30)), the second as deep as refill_pool goes
    (REFILL_DEPTH). A row is settled once its list is full and, with diversity,
    it has the max(3k, 30) eligible candidates MMR looks at, or when the search
    is as deep as it goes. Greedy selection reads candidates best first, so a
    settled row gets the list an unlimited search would give, at a fraction of
    the cost.
    """
    out_i, out_s, out_d, lengths = out
    mmr_depth = max(3 * width, 30)
    depth = max(REFILL_START, 2 * mmr_depth if unit is not None else 4 * width)
    pending = short
    while len(pending):
        refill = refill_pool(pending, feats, block, keep, depth)
        if refill is None:
            return
        rows_all, cand_all, ok_all, complete = refill
        by_width = np.argsort(ok_all.sum(1), kind="stable")  # chunks of similar width
        rows_all, ok_all, complete = rows_all[by_width], ok_all[by_width], complete[by_width]
        cand_all = tuple(a[by_width] for a in cand_all)
        out_i[rows_all], out_s[rows_all], out_d[rows_all] = -1, np.nan, np.nan
        for start in range(0, len(rows_all), 1024):
            part = slice(start, start + 1024)
            select_chunk(rows_all[part], tuple(a[part] for a in cand_all), ok_all[part].copy(),
                         feats, rules, unit, pin_lists, width, out)
        settled = complete | (lengths[rows_all] >= width)
        if unit is not None:
            pins = np.array([len(pin_lists.get(r, ())) for r in rows_all.tolist()], dtype=np.int64)
            settled = complete | (settled & (ok_all.sum(1) >= mmr_depth + pins))
        pending = np.sort(rows_all[~settled])
        depth = REFILL_DEPTH


def _head_result(pool: Neighbors, k: int) -> RuleResult | None:
    """What apply_rules returns without any rule: the pool's first k (milliseconds).

    None when those columns hold padding (-1): the full path then decides.
    """
    width = max(0, min(int(k), pool.indices.shape[1]))
    idx = pool.indices[:, :width]
    if not (idx >= 0).all():
        return None
    lists = Neighbors(idx.astype(np.int64), pool.scores[:, :width].astype(np.float32),
                      pool.distances[:, :width].astype(np.float32), pool.metric)
    lengths = np.full(len(idx), width, dtype=np.int64)
    return RuleResult(lists, lengths, int(k), {})


def _features(catalog: Catalog | None, rules: Rules, n: int) -> Features:
    needs_catalog = rules.columns() or rules.price_ratio is not None or rules.leave_out_variants
    if needs_catalog and catalog is None:
        raise ConfigError("rules on columns need a catalog (not only vectors)")
    for col in sorted(rules.columns()):
        if col not in catalog.frame.columns:
            raise ConfigError(f"rules: column '{col}' is not in the catalog; available: "
                              f"{', '.join(map(str, catalog.frame.columns))}")
    codes = {c: column_codes(catalog.frame[c]) for c in
             {*rules.same, *rules.different, *rules.max_per}} if catalog is not None else {}
    prices = None
    if rules.price_ratio is not None:
        if not catalog.mapping.price:
            raise ConfigError("rules.price_ratio needs a price column: map one on the Catalog "
                              "page (price_column in the configuration)",
                              cli="rules.price_ratio (--price-ratio) needs a price column: set "
                              "price_column in the settings file (--config), or save the "
                              "settings from the app with a price column mapped")
        # one currency (the price check's too): a price in another currency, named in its
        # cell or in a currency column beside it, is no price to compare
        prices = np.asarray(catalog.prices())
    stock = stock_mask(catalog.frame[rules.in_stock_column]) if rules.in_stock_column else None
    # other colours and sizes: not the product's own, and one of each other product's
    families = catalog_families(catalog) if rules.leave_out_variants else None
    return Features(tuple((c, codes[c]) for c in rules.same),
                     tuple((c, codes[c]) for c in rules.different),
                     tuple((c, codes[c], lim) for c, lim in rules.max_per.items())
                     + (((VARIANTS, families, 1),) if families is not None else ()),
                     prices, stock, families)


def _pair_rows(ids: np.ndarray, rules: Rules,
               decisions: pd.DataFrame | None) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(pins, blocks) as row pairs: explicit rules win over review decisions."""
    pins, blocks = set(rules.pinned), set(rules.blocked)
    if decisions is not None and rules.use_review and len(decisions):
        for a, b, d in zip(decisions["left_id"].astype(str), decisions["right_id"].astype(str),
                           decisions["decision"]):
            pair = {(a, b), (b, a)}
            if d == "accept":
                pins |= pair - set(rules.blocked)
            elif d == "reject":
                blocks |= pair - set(rules.pinned)
    pos = {str(pid): i for i, pid in enumerate(ids)}

    def rows(pairs: set[tuple[str, str]]) -> set[tuple[int, int]]:
        return {(pos[a], pos[b]) for a, b in pairs if a in pos and b in pos and a != b}

    return rows(pins), rows(blocks)


def pair_scores(vectors: np.ndarray, a: np.ndarray, b: np.ndarray,
                metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(scores, distances) float32 of row pairs (a[i], b[i]) under a metric (see similarity)."""
    x = np.asarray(vectors, dtype=np.float64)
    xa, xb = x[a], x[b]
    if metric == "cosine":
        xa, xb = unit_rows(xa).astype(np.float64), unit_rows(xb).astype(np.float64)
    if metric in ("cosine", "dot"):
        s = (xa * xb).sum(1)
        d = 1.0 - s if metric == "cosine" else -s
    else:
        d = np.abs(xa - xb).sum(1) if metric == "manhattan" else np.sqrt(((xa - xb) ** 2).sum(1))
        s = 1.0 / (1.0 + d)
    return s.astype(np.float32), d.astype(np.float32)


def _pin_lists(pins: set[tuple[int, int]], pool: Neighbors, vectors: np.ndarray | None,
               width: int, scorer=None) -> dict[int, list[tuple[int, float, float]]]:
    """row -> [(neighbour row, score, distance)] best first, at most width."""
    if not pins or width == 0:
        return {}
    src, dst = (np.array(x, dtype=np.int64) for x in zip(*sorted(pins)))
    if scorer is not None:
        scores = scorer.pair_scores(src, dst).score
        dists = (1.0 - scores).astype(np.float32)
    elif vectors is not None and pool.metric in METRICS:
        scores, dists = pair_scores(vectors, src, dst, pool.metric)
    else:
        scores = dists = np.full(len(src), np.nan, dtype=np.float32)
    out: dict[int, list[tuple[int, float, float]]] = {}
    for a, b, s, d in zip(src.tolist(), dst.tolist(), scores.tolist(), dists.tolist()):
        hit = np.nonzero(pool.indices[a] == b)[0]
        if len(hit):
            s, d = float(pool.scores[a, hit[0]]), float(pool.distances[a, hit[0]])
        out.setdefault(a, []).append((b, s, d))
    for items in out.values():
        items.sort(key=lambda t: (np.isnan(t[1]), -np.nan_to_num(t[1]), t[0]))
        del items[width:]
    return out


def lists_frame(catalog: Catalog, neighbors: Neighbors, *, bands: dict[str, float] | None = None,
                with_titles: bool = True, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Long-format export of final lists: padding dropped, a 'band' column when bands are set.

    rows: (r,) int source rows to include, in that order (default: every row);
    a page of the table costs O(r * k), not O(n * k).
    """
    titles = catalog.titles() if with_titles else None
    ids, neighbors, own_titles = _source_rows(catalog, neighbors, titles, rows)
    frame = neighbors_frame(ids, neighbors, titles=own_titles, corpus_ids=catalog.ids,
                            corpus_titles=titles)
    keep = neighbors.indices.reshape(-1) >= 0
    if bands:
        frame.insert(frame.columns.get_loc("score") + 1, "band",
                     band_of(neighbors.scores.reshape(-1), bands))
    return frame[keep].reset_index(drop=True) if not keep.all() else frame


def product_lists_frame(catalog: Catalog, neighbors: Neighbors, *, with_titles: bool = True,
                        rows: np.ndarray | None = None) -> pd.DataFrame:
    """The final lists one row per product (core.export.tables.products_frame): every
    product, its list's ids and scores joined in rank order. rows: as lists_frame."""
    from core.export.tables import products_frame

    ids, neighbors, titles = _source_rows(
        catalog, neighbors, catalog.titles() if with_titles else None, rows)
    return products_frame(ids, neighbors, titles=titles, corpus_ids=catalog.ids)


def _source_rows(catalog: Catalog, neighbors: Neighbors, titles: list[str] | None,
                 rows: np.ndarray | None) -> tuple[np.ndarray, Neighbors, list[str] | None]:
    """(ids, lists, titles) of the source rows `rows` (every row when None): a page of a
    table costs O(r * k), not O(n * k)."""
    if rows is None:
        return catalog.ids, neighbors, titles
    rows = np.asarray(rows, dtype=np.int64)
    part = Neighbors(neighbors.indices[rows], neighbors.scores[rows],
                     neighbors.distances[rows], neighbors.metric)
    return (catalog.ids[rows], part,
            None if titles is None else [titles[r] for r in rows.tolist()])


__all__ = [
    "RULE_KEYS",
    "RuleResult",
    "Rules",
    "apply_config",
    "apply_rules",
    "lists_frame",
    "needs_rules",
    "pair_scores",
    "product_lists_frame",
]
