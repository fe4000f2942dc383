"""Business rules over a candidate pool: the final recommendation lists.

:class:`Rules` (core.rule_spec) is the validated form of ``Config.rules``;
:func:`apply_rules` turns a deeper candidate pool (:class:`Neighbors`, best
first) into lists of k. It never re-embeds or re-searches, so changing a rule
costs milliseconds (bench/rules_speed.py). Work is done in row chunks, so memory
stays bounded for large catalogs.

Order of a final list: pinned neighbours first (best score first), then the
greedy selection: pool order (best score first) or, with ``diversity`` > 0,
maximal marginal relevance: the next neighbour maximises
``(1 - diversity) * score - diversity * max cosine to those already chosen``.

Short lists with a ``same`` rule are completed from an exact search within the
product's own group (same values), as if the pool were unlimited (up to
REFILL_DEPTH). That needs the vectors and a pool scored by a plain metric: with
hybrid retrieval (fused dense + lexical scores) lists are drawn from the pool
only, and pins outside the pool get a NaN score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.bands import band_of, duplicate_threshold
from core.errors import ConfigError
from core.rule_spec import RULE_KEYS, Rules, column_codes, stock_mask
from core.similarity import METRICS, Neighbors

if TYPE_CHECKING:
    from core.catalog import Catalog
    from core.config import Config

_CHUNK_ROWS = 8192
_CHUNK_ROWS_MMR = 1024
REFILL_DEPTH = 2000


@dataclass(frozen=True)
class RuleResult:
    """Final lists after the rules.

    neighbors: (n, width) with width = min(k, pool depth); short lists are
    padded with index -1 and NaN score/distance. lengths: (n,) int64 entries
    per list. removed: pool candidates failing each rule (counted independently).
    pinned / blocked: pairs in force (after mapping ids to rows).
    """

    neighbors: Neighbors
    lengths: np.ndarray
    k: int
    removed: dict[str, int]
    pinned: int = 0
    blocked: int = 0

    @property
    def short_rows(self) -> np.ndarray:
        """(s,) rows whose list holds fewer entries than the list width."""
        return np.nonzero(self.lengths < self.neighbors.k)[0]

    @property
    def n_short(self) -> int:
        return len(self.short_rows)


@dataclass(frozen=True)
class _Features:
    """Per-product arrays the rules read: codes (n,) int64, prices (n,) float, stock (n,) bool."""

    same: tuple[tuple[str, np.ndarray], ...]
    different: tuple[tuple[str, np.ndarray], ...]
    max_per: tuple[tuple[str, np.ndarray, int], ...]
    prices: np.ndarray | None
    stock: np.ndarray | None


def needs_rules(cfg: Config, decisions: pd.DataFrame | None = None) -> bool:
    """Whether cfg (and review decisions) change anything versus the pool's best k."""
    rules = Rules.from_dict(cfg.rules)
    if rules.to_dict().keys() - {"use_review"}:
        return True
    if not rules.keep_duplicates and duplicate_threshold(cfg) is not None:
        return True
    return rules.use_review and decisions is not None and len(decisions) > 0


def apply_config(catalog: Catalog | None, pool: Neighbors, cfg: Config, *,
                 vectors: np.ndarray | None = None,
                 decisions: pd.DataFrame | None = None) -> RuleResult:
    """apply_rules with cfg.rules, cfg.k and the duplicate band of cfg."""
    rules = Rules.from_dict(cfg.rules)
    dup = None if rules.keep_duplicates else duplicate_threshold(cfg)
    return apply_rules(catalog, pool, rules, cfg.k, vectors=vectors, decisions=decisions,
                       duplicate_threshold=dup)


def apply_rules(catalog: Catalog | None, pool: Neighbors, rules: Rules, k: int, *,
                vectors: np.ndarray | None = None, decisions: pd.DataFrame | None = None,
                duplicate_threshold: float | None = None,
                chunk_rows: int | None = None) -> RuleResult:
    """Lists of at most k from a candidate pool (n, m), best first.

    catalog: the rows of the pool (None: ids are row numbers, no column rules).
    vectors: (n, d) float, needed for diversity and for scoring pins outside
    the pool (else their score is NaN). decisions: DataFrame(left_id,
    right_id, decision) from core.review. duplicate_threshold: neighbours
    scoring at or above it are left out. Pure: inputs are not modified.
    """
    n, m = pool.indices.shape
    width = max(0, min(int(k), m))
    if rules.diversity > 0 and vectors is None:
        raise ConfigError("rules.diversity needs the product vectors; pass vectors=")
    feats = _features(catalog, rules, n)
    ids = catalog.ids if catalog is not None else np.arange(n).astype(str)
    pins, blocks = _pair_rows(ids, rules, decisions)
    pin_lists = _pin_lists(pins, pool, vectors, width)
    block_keys = np.array(sorted(a * n + b for a, b in blocks), dtype=np.int64)
    unit = _unit(vectors) if rules.diversity > 0 else None
    step = chunk_rows or (_CHUNK_ROWS_MMR if unit is not None else _CHUNK_ROWS)
    out_i = np.full((n, width), -1, dtype=np.int64)
    out_s = np.full((n, width), np.nan, dtype=np.float32)
    out_d = np.full((n, width), np.nan, dtype=np.float32)
    lengths = np.zeros(n, dtype=np.int64)
    removed: dict[str, int] = {}
    out = (out_i, out_s, out_d, lengths)
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        cand = (pool.indices[rows], pool.scores[rows], pool.distances[rows])
        ok = _filter(rows, cand, n, feats, rules, duplicate_threshold, block_keys, removed)
        _select_chunk(rows, cand, ok, feats, rules, unit, pin_lists, width, out)
    short = np.nonzero(lengths < width)[0]
    refill = None
    if len(short) and feats.same and vectors is not None and pool.metric in METRICS:
        def keep(rows: np.ndarray, cand: tuple[np.ndarray, ...]) -> np.ndarray:
            return _filter(rows, cand, n, feats, rules, duplicate_threshold, block_keys, {})

        refill = _refill_pool(short, feats, vectors, pool.metric, keep)
    if refill is not None:
        rows_all, cand_all, ok_all = refill
        out_i[rows_all], out_s[rows_all], out_d[rows_all] = -1, np.nan, np.nan
        for start in range(0, len(rows_all), step):
            part = slice(start, start + step)
            _select_chunk(rows_all[part], tuple(a[part] for a in cand_all), ok_all[part].copy(),
                          feats, rules, unit, pin_lists, width, out)
    lists = Neighbors(out_i, out_s, out_d, pool.metric)
    return RuleResult(lists, lengths, int(k), removed, pinned=len(pins), blocked=len(blocks))


def _features(catalog: Catalog | None, rules: Rules, n: int) -> _Features:
    needs_catalog = rules.columns() or rules.price_ratio is not None
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
                              "page (price_column in the configuration)")
        from core.pricecheck import parse_prices

        prices = parse_prices(catalog.frame[catalog.mapping.price])
    stock = stock_mask(catalog.frame[rules.in_stock_column]) if rules.in_stock_column else None
    return _Features(tuple((c, codes[c]) for c in rules.same),
                     tuple((c, codes[c]) for c in rules.different),
                     tuple((c, codes[c], lim) for c, lim in rules.max_per.items()),
                     prices, stock)


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


def _unit(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def pair_scores(vectors: np.ndarray, a: np.ndarray, b: np.ndarray,
                metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(scores, distances) float32 of row pairs (a[i], b[i]) under a metric (see similarity)."""
    x = np.asarray(vectors, dtype=np.float64)
    xa, xb = x[a], x[b]
    if metric == "cosine":
        xa, xb = _unit(xa).astype(np.float64), _unit(xb).astype(np.float64)
    if metric in ("cosine", "dot"):
        s = (xa * xb).sum(1)
        d = 1.0 - s if metric == "cosine" else -s
    else:
        d = np.abs(xa - xb).sum(1) if metric == "manhattan" else np.sqrt(((xa - xb) ** 2).sum(1))
        s = 1.0 / (1.0 + d)
    return s.astype(np.float32), d.astype(np.float32)


def _pin_lists(pins: set[tuple[int, int]], pool: Neighbors, vectors: np.ndarray | None,
               width: int) -> dict[int, list[tuple[int, float, float]]]:
    """row -> [(neighbour row, score, distance)] best first, at most width."""
    if not pins or width == 0:
        return {}
    src, dst = (np.array(x, dtype=np.int64) for x in zip(*sorted(pins)))
    if vectors is not None and pool.metric in METRICS:
        scores, dists = pair_scores(vectors, src, dst, pool.metric)
    else:
        scores = dists = np.full(len(src), np.nan, dtype=np.float32)
    out: dict[int, list[tuple[int, float, float]]] = {}
    for a, b, s, d in zip(src.tolist(), dst.tolist(), scores.tolist(), dists.tolist()):
        hit = np.nonzero(pool.indices[a] == b)[0]
        if len(hit):
            s, d = float(pool.scores[a, hit[0]]), float(pool.distances[a, hit[0]])
        out.setdefault(a, []).append((b, s, d))
    for a, items in out.items():
        items.sort(key=lambda t: (np.isnan(t[1]), -np.nan_to_num(t[1]), t[0]))
        del items[width:]
    return out


def _refill_pool(short: np.ndarray, feats: _Features, vectors: np.ndarray, metric: str,
                 keep) -> tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray] | None:
    """Candidates for short rows from an exact search within each product's own group
    (equal values in every ``same`` column), as deep as the group (at most REFILL_DEPTH).

    keep(rows, cand) -> (r, M) bool applies the filter rules. Returns (rows,
    (indices, scores, distances), ok) holding only the passing candidates, best
    first (ties: lower row), padded with -1 / NaN; None when no short row has a
    known group.
    """
    codes = np.stack([c for _, c in feats.same], axis=1)
    _, group = np.unique(codes, axis=0, return_inverse=True)
    group = np.where((codes >= 0).all(1), group.reshape(-1), -1)
    rows = short[group[short] >= 0]
    if not len(rows):
        return None
    parts = []
    for g in np.unique(group[rows]):
        members = np.nonzero(group == g)[0]
        mine = rows[group[rows] == g]
        scores, dists = _scores_to(vectors, mine, members, metric)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :min(REFILL_DEPTH,
                                                                 len(members) - 1)]
        cand = (members[order], np.take_along_axis(scores, order, 1),
                np.take_along_axis(dists, order, 1))
        parts.append((mine, *_compact(keep(mine, cand), cand)))
    width = max(p[2].shape[1] for p in parts)
    out = (np.full((len(rows), width), -1, dtype=np.int64),
           np.full((len(rows), width), np.nan, dtype=np.float32),
           np.full((len(rows), width), np.nan, dtype=np.float32))
    ok = np.zeros((len(rows), width), dtype=bool)
    at = 0
    for mine, cand, passed in parts:
        block, w = slice(at, at + len(mine)), passed.shape[1]
        for target, values in zip(out, cand):
            target[block, :w] = values
        ok[block, :w] = passed
        at += len(mine)
    return np.concatenate([p[0] for p in parts]), out, ok


def _compact(ok: np.ndarray, cand: tuple[np.ndarray, ...]):
    """Move each row's passing candidates to the front (order kept); drop the rest.

    Returns (cand, ok) as wide as the row with the most passing candidates.
    """
    width = int(ok.sum(1).max()) if ok.size else 0
    order = np.argsort(~ok, axis=1, kind="stable")[:, :width]
    passed = np.take_along_axis(ok, order, 1)
    fill = (-1, np.nan, np.nan)
    return tuple(np.where(passed, np.take_along_axis(a, order, 1), f).astype(a.dtype)
                 for a, f in zip(cand, fill)), passed


def _scores_to(vectors: np.ndarray, rows: np.ndarray, members: np.ndarray,
               metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(r, M) scores and distances of rows against members (self = -inf), as in similarity."""
    from scipy.spatial.distance import cdist

    a, b = vectors[rows].astype(np.float32), vectors[members].astype(np.float32)
    if metric in ("cosine", "dot"):
        if metric == "cosine":
            a, b = _unit(a), _unit(b)
        scores = a @ b.T
        dists = 1.0 - scores if metric == "cosine" else -scores
    else:
        dists = cdist(a, b, "cityblock" if metric == "manhattan" else "euclidean")
        scores = 1.0 / (1.0 + dists)
    scores = scores.astype(np.float32)
    scores[rows[:, None] == members[None, :]] = -np.inf
    return scores, dists.astype(np.float32)


def _filter(rows: np.ndarray, cand: tuple[np.ndarray, ...], n: int, feats: _Features,
            rules: Rules, dup: float | None, block_keys: np.ndarray,
            removed: dict[str, int]) -> np.ndarray:
    """(c, m) bool: candidates (indices, scores, ...) of these rows passing every filter."""
    idx, scores = cand[0], cand[1]
    ok = idx >= 0
    nb = np.clip(idx, 0, None)
    checks: list[tuple[str, np.ndarray]] = []
    for col, codes in feats.same:
        src = codes[rows][:, None]
        checks.append((f"same {col}", (src < 0) | (codes[nb] == src)))
    for col, codes in feats.different:
        src = codes[rows][:, None]
        checks.append((f"different {col}", (src < 0) | (codes[nb] != src)))
    if feats.prices is not None:
        low, high = rules.price_ratio
        src = feats.prices[rows][:, None]
        ratio = feats.prices[nb] / src
        checks.append(("price ratio", np.isnan(src) | ((ratio >= low) & (ratio <= high))))
    if rules.min_score is not None:
        checks.append(("min score", scores >= rules.min_score))
    if dup is not None:
        checks.append(("duplicate", scores < dup))
    if feats.stock is not None:
        checks.append(("in stock", feats.stock[nb]))
    if len(block_keys):
        checks.append(("blocked", ~np.isin(rows[:, None] * n + nb, block_keys)))
    passed = ok.copy()
    for name, mask in checks:
        removed[name] = removed.get(name, 0) + int((ok & ~mask).sum())
        passed &= mask
    return passed


def _first_eligible(ok: np.ndarray, depth: int) -> np.ndarray:
    """(c, D) pool columns of each row's first D eligible entries, -1 where none."""
    m = ok.shape[1]
    if depth >= m:
        return np.where(ok, np.arange(m)[None, :], -1)
    order = np.argsort(~ok, axis=1, kind="stable")[:, :depth]
    return np.where(np.take_along_axis(ok, order, 1), order, -1)


def _select_chunk(rows: np.ndarray, cand_in: tuple[np.ndarray, ...], ok: np.ndarray,
                  feats: _Features, rules: Rules, unit: np.ndarray | None, pin_lists: dict,
                  width: int, out: tuple[np.ndarray, ...]) -> None:
    """Greedy selection for one chunk of rows, written into out (indices, scores, dists, lengths).

    cand_in: (indices, scores, distances) (c, m) candidates of these rows, best first.
    With diversity, only each row's first max(3k, 30) eligible candidates compete.
    """
    out_i, out_s, out_d, lengths = out
    idx, cand_scores, cand_dists = cand_in
    npins = np.zeros(len(rows), dtype=np.int64)
    pinned = [(r, row, pin_lists[row]) for r, row in enumerate(rows.tolist())
              if row in pin_lists] if pin_lists else []
    for r, row, pins in pinned:
        npins[r] = len(pins)
        for j, (b, s, d) in enumerate(pins):
            out_i[row, j], out_s[row, j], out_d[row, j] = b, s, d
            ok[r] &= idx[r] != b
    depth = max(3 * width, 30) if unit is not None else idx.shape[1]
    cols = _first_eligible(ok, depth)
    valid = cols >= 0
    r_all = np.arange(len(rows))[:, None]
    safe_cols = np.clip(cols, 0, None)
    cand = np.where(valid, idx[r_all, safe_cols], -1)
    nb = np.clip(cand, 0, None)
    limits = [(np.where(valid, codes[nb], -1), lim, np.zeros(cand.shape, dtype=np.int64))
              for _, codes, lim in feats.max_per]
    g = unit[nb] if unit is not None else None
    maxsim = np.full(cand.shape, -np.inf, dtype=np.float32) if g is not None else None
    for r, _, pins in pinned:
        for b, _, _ in pins:
            for (codes_nb, _, cnt), (_, codes, _) in zip(limits, feats.max_per):
                cnt[r] += (codes_nb[r] == codes[b]) & (codes[b] >= 0)
            if g is not None:
                maxsim[r] = np.maximum(maxsim[r], g[r] @ unit[b])
    scores = np.where(valid, cand_scores[r_all, safe_cols], -np.inf)
    picks, count = _greedy(scores, valid, width - npins, limits, rules.diversity, g, maxsim,
                           width)
    r_idx, t_idx = np.nonzero(picks >= 0)
    chosen = safe_cols[r_idx, picks[r_idx, t_idx]]
    dest = npins[r_idx] + t_idx
    out_i[rows[r_idx], dest] = idx[r_idx, chosen]
    out_s[rows[r_idx], dest] = cand_scores[r_idx, chosen]
    out_d[rows[r_idx], dest] = cand_dists[r_idx, chosen]
    lengths[rows] = npins + count


def _greedy(scores: np.ndarray, eligible: np.ndarray, quota: np.ndarray, limits: list,
            lam: float, g: np.ndarray | None, maxsim: np.ndarray | None,
            width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick up to quota[r] columns per row; returns (picks (c, width) -1 padded, count (c,)).

    limits: [(codes (c, m), limit, counts (c, m))] updated in place (max_per).
    g: (c, m, d) unit vectors of the candidates (diversity), maxsim (c, m) their
    highest cosine to a chosen item so far (-inf: none). Without diversity the
    utility is pool order, so the result equals a plain cut of the eligible.
    """
    if lam == 0 and len(limits) <= 1:
        return _in_order(eligible, quota, limits[0] if limits else None, width)
    c, m = scores.shape
    gram = _gram(g) if g is not None else None
    picks = np.full((c, width), -1, dtype=np.int64)
    count = np.zeros(c, dtype=np.int64)
    elig = eligible.copy()
    rows = np.arange(c)
    order = -np.arange(m, dtype=np.float64)[None, :]
    for _ in range(width):
        cand = elig & (count < quota)[:, None]
        for codes, limit, cnt in limits:
            cand &= ~((codes >= 0) & (cnt >= limit))
        if lam > 0:
            penalty = np.where(np.isfinite(maxsim), maxsim, 0.0)
            util = (1.0 - lam) * scores - lam * penalty
        else:
            util = order
        j = np.where(cand, util, -np.inf).argmax(1)
        got = cand[rows, j]
        if not got.any():
            break
        r, jj = rows[got], j[got]
        picks[r, count[r]] = jj
        count[r] += 1
        elig[r, jj] = False
        for codes, _, cnt in limits:
            picked = codes[r, jj][:, None]
            cnt[r] += (codes[r] == picked) & (picked >= 0)
        if gram is not None:
            maxsim[r] = np.maximum(maxsim[r], gram[r, :, jj])
    return picks, count


def _in_order(eligible: np.ndarray, quota: np.ndarray, limit: tuple | None,
              width: int) -> tuple[np.ndarray, np.ndarray]:
    """_greedy without diversity and with at most one max_per column, vectorised.

    A candidate is taken when fewer than `limit` earlier eligible candidates (plus
    pins, in counts) share its value, and while the row's quota is not reached;
    greedy in pool order does exactly that.
    """
    ok = eligible
    if limit is not None:
        codes, cap, pins = limit
        ok = eligible & ((codes < 0) | (_occurrence(codes, eligible) + pins < cap))
    rank = np.cumsum(ok, axis=1)
    take = ok & (rank <= quota[:, None])
    count = take.sum(1)
    picks = np.full((len(ok), width), -1, dtype=np.int64)
    r, j = np.nonzero(take)
    picks[r, rank[r, j] - 1] = j
    return picks, count


def _occurrence(codes: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """(c, m): how many earlier eligible columns of the row share the column's code."""
    c, m = codes.shape
    key = np.where(eligible, codes, -1)
    order = np.argsort(key, axis=1, kind="stable")
    srt = np.take_along_axis(key, order, 1)
    pos = np.broadcast_to(np.arange(m), (c, m))
    start = np.where(np.diff(srt, axis=1, prepend=srt[:, :1] - 1) != 0, pos, 0)
    start = np.maximum.accumulate(start, axis=1)
    out = np.empty((c, m), dtype=np.int64)
    np.put_along_axis(out, order, pos - start, 1)
    return out


def _gram(g: np.ndarray) -> np.ndarray:
    """(c, m, m) float32 cosine between each row's candidates (batched matmul in torch)."""
    import torch

    t = torch.from_numpy(np.ascontiguousarray(g, dtype=np.float32))
    with torch.inference_mode():
        return torch.bmm(t, t.transpose(1, 2)).numpy()


def lists_frame(catalog: Catalog, neighbors: Neighbors, *, bands: dict[str, float] | None = None,
                with_titles: bool = True) -> pd.DataFrame:
    """Long-format export of final lists: padding dropped, a 'band' column when bands are set."""
    from core.export import catalog_neighbors_frame

    frame = catalog_neighbors_frame(catalog, neighbors, with_titles=with_titles)
    keep = neighbors.indices.reshape(-1) >= 0
    if bands:
        frame.insert(frame.columns.get_loc("score") + 1, "band",
                     band_of(neighbors.scores.reshape(-1), bands))
    return frame[keep].reset_index(drop=True) if not keep.all() else frame


__all__ = [
    "RULE_KEYS",
    "RuleResult",
    "Rules",
    "apply_config",
    "apply_rules",
    "lists_frame",
    "needs_rules",
    "pair_scores",
]
