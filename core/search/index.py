"""The neighbour index: the one object that owns the channels and their fusion.

Which channels exist is decided here, once, from the settings: a channel whose
weight is 0 is not built. Pages, components, the CLI and the public API ask the
index for candidate pools (every product's best candidates), free-text queries
and pair scores; none of them asks "is there a lexical channel?" again.

    index = NeighborIndex.build(catalog, vectors, SearchSettings.from_config(cfg))
    pool = index.pool(depth)            # (n, depth) Neighbors, self excluded
    hits = index.query(k, Queries(q_vectors, q_texts))
    scores = index.pair_scores(left, right)   # the same scores for any pair

Lists are ranked by the fused score, changed by the same-product evidence of
each pair (:mod:`core.search.evidence`: shared model codes, size or colour
conflicts, whether the two are each other's best candidates) where the model's
calibration has evidence weights, and show the calibrated score
(:mod:`core.search.calibration`: 0..1, the same product near 1), everywhere.

The settings and the channel registry (:data:`CHANNELS`: each channel's weight under
the settings and how it is built) live in :mod:`core.search.settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.search.calibration import Calibration
from core.search.channels import (
    Channel,
    DenseChannel,
    LexicalChannel,
    Queries,
    candidate_dense,
)
from core.search.dense import dense_search
from core.search.evidence import TextEvidence
from core.search.evidence_weights import RELATED_SHARES, RERANK, pair_features, relatedness
from core.search.exact import topk
from core.search.fusion import (
    DEPTH,
    Anchors,
    HybridNeighbors,
    fuse,
    fused_topk,
    meaning_words,
    pair_fused,
    relative,
)
from core.search.lexical import LexicalIndex
from core.search.named import NumberLookup
from core.search.neighbors import Neighbors, check_metric
from core.search.query_gate import (
    OWN_QUERY_SHARES,
    QUERY_SHARES,
    coverage,
    query_relatedness,
)
from core.search.rerank import changed_scores, reranked
from core.search.scoring import calibrated, dense_only, random_pair_threshold, random_pairs
from core.search.settings import CHANNELS, SPECS, SearchSettings
from core.search.spelling import Speller

# Below this many products a catalog's own random pairs are too few to set the floor.
MIN_FLOOR_ROWS = 1000
# random pairs the score floor is measured on (0.1-0.3 s for 20k products with evidence)
SCORE_FLOOR_PAIRS = 5_000
SCORE_FLOOR_SEED = 1


@dataclass(frozen=True)
class PairScores:
    """Scores of p pairs, each (p,) float32: ``score`` (the calibrated score of the
    right product in the left one's list, what lists and exports show), ``match``
    (the duplicate score, symmetric, what duplicate thresholds apply to, 1 only for
    the same text: the lower of both directions' scores when the scores read
    same-product evidence, which weighs mutual best candidates; otherwise the
    geometric mean of that and of how much each is the other's best candidate, the
    lower of both fused scores as a share of its best, so that an unrelated pair of
    mutual best candidates stays low), ``fused`` (left's view) and each channel's raw
    score in ``parts``."""

    match: np.ndarray
    fused: np.ndarray
    parts: Mapping[str, np.ndarray]
    score: np.ndarray
    change: np.ndarray | None = None  # (p,) what the evidence added to ``fused``
    evidence: np.ndarray | None = None  # (p, len(PAIR_FEATURES)) the evidence features

    def part(self, name: str) -> np.ndarray:
        """A channel's raw scores; zeros for a channel the index does not have."""
        return self.parts.get(name, np.zeros(len(self.fused), dtype=np.float32))


class NeighborIndex:
    """Channels over one catalog's rows and their fusion weights.

    vectors: (n, d) float32 embeddings (the dense channel); channels: name ->
    Channel, in CHANNELS order; weights: name -> weight (> 0). with_evidence: lists
    and scores read same-product evidence; calibration: the model's map to 0..1 (with
    the evidence, else the map of the fused score alone).
    """

    def __init__(self, vectors: np.ndarray, channels: Mapping[str, Channel],
                 weights: Mapping[str, float], settings: SearchSettings,
                 texts: Sequence[str] | None = None,
                 model_numbers: Sequence[str] | None = None,
                 prices: np.ndarray | None = None,
                 evidence: TextEvidence | None = None) -> None:
        self.vectors = vectors
        self.model_numbers = model_numbers
        self.prices = prices
        self.channels = dict(channels)
        self.weights = dict(weights)
        self.settings = settings
        self.texts = texts
        self._space: Anchors | None = None
        self._evidence: TextEvidence | None = None
        self._read = evidence  # the texts' evidence read before (the catalog's), if any
        self._speller: Speller | None = None
        self._numbers: NumberLookup | None = None
        # evidence is part of the words side: weights, texts and a words channel
        # (meaning-only lists stay in meaning order); fixed for the index's life. A catalog
        # with prices reads them as evidence too, through the map fitted with them; a search
        # query has no price, so queries keep the map without
        own = settings.calibration if prices is None else settings.calibration.with_prices(prices)
        self.with_evidence = bool(own.evidence) and texts is not None \
            and "lexical" in self.channels
        self.calibration = own if self.with_evidence else own.without_evidence()
        self.query_calibration = settings.calibration if self.with_evidence \
            else settings.calibration.without_evidence()
        self._thresholds: dict[float, float | None] = {}
        self._blank: np.ndarray | None = None
        self._random_scores: np.ndarray | None = None  # score_floor's random pairs, scored

    @classmethod
    def build(cls, catalog, vectors: np.ndarray, settings: SearchSettings | Any, *,
              prebuilt: Mapping[str, Channel] | None = None,
              texts: Sequence[str] | None = None,
              model_numbers: Sequence[str] | None = None,
              prices: np.ndarray | None = None) -> NeighborIndex:
        """Decide the channels (weight > 0 and buildable) and build them.

        settings: SearchSettings or a Config; prebuilt: channels already built
        (the app's cached lexical index), by name; texts: the products' texts for
        the same-product evidence (default: the catalog's); model_numbers: each
        product's model number, part of that evidence (default: the catalog's mapped
        model number column, if any); prices: each product's price, part of it too
        (default: the catalog's mapped price column, parsed, if any, where it prices the
        products that are surely one product alike: Catalog.price_evidence).
        """
        s = settings if isinstance(settings, SearchSettings) else SearchSettings.from_config(
            settings)
        channels, weights = {}, {}
        for spec in CHANNELS:
            weight = spec.weight(s)
            if weight <= 0:
                continue
            channel = (prebuilt or {}).get(spec.name) or spec.build(catalog, vectors, s)
            if channel is not None:
                channels[spec.name], weights[spec.name] = channel, weight
        if not channels:  # e.g. words only but no catalog: meaning only
            channels, weights = {"dense": DenseChannel(vectors, s.metric)}, {"dense": 1.0}
        total = sum(weights.values())
        if abs(total - 1.0) > 1e-9:  # a channel not built (no photos): the rest share it
            weights = {name: w / total for name, w in weights.items()}
        if texts is None and catalog is not None:
            texts = catalog.texts
        if model_numbers is None and catalog is not None:
            model_numbers = catalog.model_numbers()
        if prices is None and catalog is not None:
            prices = catalog.price_evidence()  # None where the column prices twins apart
        read = catalog.text_evidence() if catalog is not None and texts is catalog.texts \
            and catalog.mapping.price else None  # read for the price check: read once
        return cls(vectors, channels, weights, s, texts, model_numbers, prices, read)

    def calibration_of(self, queries: Queries | None) -> Calibration:
        """The map of the catalog's own pairs (queries None), or of search queries."""
        return self.calibration if queries is None else self.query_calibration

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.channels)

    def has(self, name: str) -> bool:
        return name in self.channels

    @property
    def fused(self) -> bool:
        """Lists are fused scores (more than the meaning channel alone)."""
        return self.names != ("dense",)

    @property
    def label(self) -> str:
        return f"hybrid({self.settings.metric})" if self.fused else self.settings.metric

    def describe(self, translate: Callable[[str], str] = str, *,
                 leave_out: Collection[str] = ()) -> str:
        """How a list score is made, for captions: "30% meaning + 70% words and model
        numbers", or "meaning only" (the metric named when it is not cosine). translate:
        the interface's translation of each channel's words (default: English).
        leave_out: channels with no opinion (the photos on a typed query, when words cannot
        search them): the others' shares, as the fusion divides by their weight."""
        if not self.fused:
            return translate(f"{meaning_words(self.settings.metric)} only")
        kept = {name: w for name, w in self.weights.items() if name not in leave_out}
        total = sum(kept.values()) or 1.0
        shown = {name: w / total for name, w in kept.items() if w / total >= 0.005}
        if list(shown) == ["dense"]:
            return translate(f"{meaning_words(self.settings.metric)} only")
        return " + ".join(f"{w:.0%} {translate(SPECS[name].words(self.settings))}"
                          for name, w in shown.items())

    @property
    def lexical_index(self) -> LexicalIndex | None:
        channel = self.channels.get("lexical")
        return channel.index if channel is not None else None

    @property
    def speller(self) -> Speller | None:
        """The words' Chinese pairs by sound, for respelling queries (None: no words
        channel); built on first use."""
        words = self.lexical_index
        if words is not None and self._speller is None:
            self._speller = Speller.build(words)
        return self._speller

    @property
    def weight(self) -> float:
        """The words share the calibration is read at (0 when there is no words channel)."""
        return float(self.weights.get("lexical", 0.0))

    def named_by(self, query: str) -> tuple[np.ndarray, str | None]:
        """(rows whose mapped model number a search query names, the number as compared;
        core.search.named): none without a model number column."""
        if self.model_numbers is None:
            return np.zeros(0, dtype=np.int64), None
        if self._numbers is None:
            self._numbers = NumberLookup(self.model_numbers)
        return self._numbers.named_by(query)

    @property
    def text_evidence(self) -> TextEvidence | None:
        """What each product's text says about its exact product (None: no texts)."""
        if self.texts is None:
            return None
        if self._evidence is None:
            ev = self._read if self._read is not None else TextEvidence.build(self.texts)
            if self.model_numbers is not None:
                ev = ev.with_model_numbers(self.model_numbers)
            if self.prices is not None:
                ev = ev.with_prices(self.prices)
            self._evidence = ev
        return self._evidence

    def pair_evidence(self, left, right) -> tuple[np.ndarray, np.ndarray]:
        """(fused (p,), evidence features (p, len(PAIR_FEATURES))) of pairs of catalog rows,
        before any evidence weight (what the weights are fitted on)."""
        left, right, f_lr, f_rl, parts = self._both_ways(left, right)
        a = self.anchors()
        ev = self.text_evidence
        text = ev.pairs(left, right) if ev is not None else None
        return f_lr, pair_features(f_lr, f_rl, a.best[left], a.runner_up[left], a.best[right],
                                   text, self.related_of(parts))

    def related_of(self, parts: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """(p,) how related pairs are, from their raw channel scores: in meaning
        (:meth:`related`) when the lists read meaning; with words alone (hybrid weight 1, no
        meaning channel) 1 for a pair that shares a word and 0 for one that shares none (its
        best candidate sharing no word is no twin: such pairs read "a close substitute",
        0.43-0.70, and padded words-only lists); None otherwise (not gated)."""
        if "dense" in parts:
            return self.related(parts["dense"])
        if set(parts) == {"lexical"}:
            return (np.asarray(parts["lexical"]) > 0).astype(np.float32)
        return None

    def related(self, meaning: np.ndarray | None) -> np.ndarray | None:
        """(p,) how related pairs are in meaning, 0..1 (:func:`relatedness` between the
        meaning scores of RELATED_SHARES of random pairs), from their raw meaning scores;
        None: no meaning scores, or no measure of random pairs (a small catalog with a
        model that has no calibration of its own)."""
        if meaning is None:
            return None
        low, high = (self.relevance_threshold(share) for share in RELATED_SHARES)
        if low is None or high is None:
            return None
        return relatedness(meaning, low, high)

    def query_related(self, meaning: np.ndarray | None, texts: Sequence[str] | None,
                      rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
        """(p,) how related search queries texts[rows[i]] are to their best-related
        product among cols (:mod:`core.search.query_gate`): the words of the query the
        product has, or the meaning scores (raw, the pairs'), whichever says more. The
        meaning is read against the QUERY_SHARES of a reference catalog's random pairs
        when the model's calibration knows them (the bundled model), else against the
        OWN_QUERY_SHARES of the catalog's own (the multilingual and fine-tuned models);
        None (not gated) when neither is known (such a model on a catalog under
        MIN_FLOOR_ROWS products)."""
        cosine = self.settings.metric == "cosine"
        if self.calibration.meaning_floor(QUERY_SHARES[0]) is not None:  # a reference
            low, high = (self.calibration.meaning_floor(share) if cosine else None
                         for share in QUERY_SHARES)
        else:  # none: the catalog's own random pairs
            low, high = (self.relevance_threshold(share) for share in OWN_QUERY_SHARES)
        by_meaning = None if meaning is None or low is None or high is None else \
            relatedness(meaning, low, high)
        words = self.channels.get("lexical")
        covered = None if words is None or texts is None else \
            coverage(words.index, texts, rows, cols)
        pair = query_relatedness(by_meaning, covered)
        if pair is None or not len(pair):
            return pair
        best = np.zeros(int(rows.max()) + 1, dtype=np.float32)
        np.maximum.at(best, rows, pair)
        return best[rows]

    def _fuse(self, k: int, queries: Queries | None = None, depth: int = DEPTH,
              pools: Mapping[str, Neighbors] | None = None):
        own = self.with_evidence
        nb = fused_topk(list(self.channels.values()), list(self.weights.values()),
                        max(k, RERANK) if own else k, queries=queries, depth=depth,
                        label=self.label, pools=pools)
        if own:
            if queries is None and self._space is None and nb.anchors.second is not None:
                self._space = nb.anchors  # pair scores use the lists' anchors
            nb = reranked(self, nb, k, queries)
        return calibrated(nb, self.calibration_of(queries), self.weight,
                          self if queries is None else None)

    def pool(self, depth: int, *,
             pools: Mapping[str, Neighbors] | None = None) -> HybridNeighbors:
        """Every product's best ``depth`` candidates (self excluded), best first, scores 0..1.

        Meaning only: the dense search of the chosen index kind, at least DEPTH
        deep for the anchors; fused: each channel's top-max(DEPTH, depth) merged
        and fused. Either way ranked by the fused score, calibrated. pools: channels'
        top lists computed elsewhere (the dense top-k of a Ray cluster, core.scale), by
        name, at least max(DEPTH, depth) deep; the others are searched here.
        """
        pools = pools or {}
        if not self.fused:
            s = self.settings
            deep = pools["dense"].head(max(depth, DEPTH)) if "dense" in pools else \
                dense_search(self.vectors, max(depth, DEPTH), metric=s.metric, index=s.index)
            nb = dense_only(deep, depth, s.metric, self.calibration, self)
            if self._space is None:  # pair scores use the lists' anchors
                self._space = nb.anchors
            return nb
        deep = max(DEPTH, depth)
        return self._fuse(depth, depth=deep, pools={n: nb.head(deep) for n, nb in pools.items()})

    def query(self, k: int, queries: Queries, *, depth: int = DEPTH) -> HybridNeighbors:
        """Top-k products for a query set (free-text search, judged queries), scored like lists."""
        if not self.fused:
            deep = topk(self.vectors, max(k, DEPTH), metric=self.settings.metric,
                        queries=queries.vectors, exclude_self=False)
            return dense_only(deep, k, self.settings.metric, self.query_calibration)
        return self._fuse(k, queries, depth=max(DEPTH, depth))

    @classmethod
    def from_parts(cls, vectors: np.ndarray, lexical: LexicalIndex | None, *,
                   hybrid_weight: float, metric: str = "cosine",
                   texts: Sequence[str] | None = None,
                   calibration: Calibration | None = None,
                   model_numbers: Sequence[str] | None = None,
                   prices: np.ndarray | None = None) -> NeighborIndex:
        """An index over prebuilt parts: vectors and (for hybrid_weight > 0) a words index."""
        if not 0.0 <= hybrid_weight <= 1.0:
            raise ConfigError(f"hybrid weight must be between 0 and 1, got {hybrid_weight}")
        if hybrid_weight > 0 and lexical is None:
            raise ConfigError("A lexical index is needed when the hybrid weight is above 0")
        prebuilt = {"lexical": LexicalChannel(lexical)} if lexical is not None else {}
        settings = SearchSettings(metric=check_metric(metric), hybrid_weight=hybrid_weight)
        if calibration is not None:
            settings = replace(settings, calibration=calibration)
        return cls.build(None, vectors, settings, prebuilt=prebuilt, texts=texts,
                         model_numbers=model_numbers, prices=prices)

    def rank(self, k: int, queries: Queries | None = None, *, depth: int = DEPTH) -> Neighbors:
        """Top-k by the fused score, even with one channel (evaluation, benchmarks).

        queries: a query set, default the catalog itself (self excluded).
        """
        return self._fuse(k, queries, depth=depth)

    def anchors(self) -> Anchors:
        """Every product's anchors (one top-DEPTH pass per channel, computed once)."""
        if self._space is None:
            self._space = fused_topk(list(self.channels.values()), list(self.weights.values()),
                                     2, label=self.label).anchors
        return self._space

    def _both_ways(self, left, right):
        """(left, right, fused of right in left's view, of left in right's, raw parts)."""
        left = np.asarray(left, dtype=np.int64)
        right = np.asarray(right, dtype=np.int64)
        channels, weights = list(self.channels.values()), list(self.weights.values())
        f_lr, parts = pair_fused(channels, weights, left, right, self.anchors())
        f_rl, _ = pair_fused(channels, weights, right, left, self.anchors())
        return left, right, f_lr, f_rl, parts

    def pair_scores(self, left, right) -> PairScores:
        """Scores of catalog rows (left[i], right[i]): calibrated, as in the lists."""
        left, right, f_lr, f_rl, parts = self._both_ways(left, right)
        anchors = self.anchors()
        mutual = np.minimum(relative(f_lr, anchors.best[left]), relative(f_rl, anchors.best[right]))
        change = x = None
        if self.with_evidence:
            ev = self.text_evidence
            text = ev.pairs(left, right) if ev is not None else None
            related = self.related_of(parts)  # raw channel scores are symmetric
            g_lr, x = changed_scores(self, left, right, f_lr, f_rl, text=text, related=related)
            g_rl, _ = changed_scores(self, right, left, f_rl, f_lr, text=text, related=related)
            change = (g_lr - f_lr).astype(np.float32)
            f_lr, f_rl = g_lr, g_rl
        score = self.calibration.score(f_lr, self.weight)
        both = np.minimum(score, self.calibration.score(f_rl, self.weight))
        # with evidence the score already weighs whether each is the other's best
        # candidate (closeness): the duplicate score is the score both ways (valid F1
        # 0.916 against 0.899 for the geometric mean with the relative score below)
        match = both.copy() if change is not None else np.sqrt(both * mutual)
        match[left == right] = 1.0
        return PairScores(match.astype(np.float32), f_lr, parts, score, change, x)

    def block_scores(self, rows: np.ndarray, members: np.ndarray) -> np.ndarray:
        """(r, M) float32 calibrated scores of rows against members, as in the rows'
        lists (a row against itself: -inf). Rules refill short lists with it."""
        rows = np.asarray(rows, dtype=np.int64)
        members = np.asarray(members, dtype=np.int64)
        parts = {name: ch.block(rows, members) for name, ch in self.channels.items()}
        fused = fuse(parts, self.anchors().take(rows), self.weights)
        if self.with_evidence and fused.size:
            back = {name: v.T for name, v in parts.items()}  # raw scores are symmetric
            reverse = fuse(back, self.anchors().take(members), self.weights).T
            r, mm = fused.shape
            ev = self.text_evidence
            text = None if ev is None else ev.block(rows, members).reshape(r * mm, -1)
            changed, _ = changed_scores(self, np.repeat(rows, mm), np.tile(members, r),
                                        fused.ravel(), reverse.ravel(), text=text,
                                        related=self.related_of(
                                            {name: v.ravel() for name, v in parts.items()}))
            fused = changed.reshape(r, mm)
        scores = self.calibration.score(fused, self.weight)
        scores[rows[:, None] == members[None, :]] = -np.inf
        return scores

    @property
    def meaning_channel(self) -> DenseChannel:
        """The meaning channel (built for the relevance floor even when its weight is 0)."""
        dense = self.channels.get("dense")
        return dense if dense is not None else DenseChannel(self.vectors, self.settings.metric)

    def meaning(self, rows: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """(r, C) float32 meaning scores of rows against their candidates (-1: NaN)."""
        dense = self.meaning_channel
        out = candidate_dense(self.vectors[rows], dense.vectors, cand, dense.metric,
                              corpus_scale=dense.corpus_scale)
        return np.where(cand >= 0, out, np.nan).astype(np.float32)

    def blank_texts(self) -> np.ndarray | None:
        """(n,) bool: products with no text (read once; texts are fixed for the index's
        life); None when the index has no texts or none is blank."""
        if self._blank is None and self.texts is not None:
            self._blank = np.array([not str(t).strip() for t in self.texts], dtype=bool)
        return self._blank if self._blank is not None and self._blank.any() else None

    def shared_words(self, rows: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """(r, C) float32 words scores (lexical cosines) of rows against their candidates
        (NaN: padding): the words-only relevance floor reads them."""
        rows = np.asarray(rows, dtype=np.int64)
        cand = np.asarray(cand, dtype=np.int64)
        ok = cand >= 0
        out = np.full(cand.shape, np.nan, dtype=np.float32)
        out[ok] = self.channels["lexical"].pair_scores(
            np.broadcast_to(rows[:, None], cand.shape)[ok], cand[ok])
        return out

    def relevance_threshold(self, share: float) -> float | None:
        """The meaning score a neighbour must reach under the relevance floor `share`.

        The model's calibration knows it (random pairs of a broad reference catalog,
        cosine); otherwise the catalog's own random pairs decide, from
        MIN_FLOOR_ROWS products on (None below: no floor)."""
        if share not in self._thresholds:
            known = (self.calibration.meaning_floor(share)
                     if self.settings.metric == "cosine" else None)
            if known is None and len(self.vectors) >= MIN_FLOOR_ROWS:
                known = random_pair_threshold(self.meaning_channel, share)
            self._thresholds[share] = known
        return self._thresholds[share]

    def score_floor(self, share: float) -> float | None:
        """The list score a neighbour must reach under the relevance floor `share`: the
        score that `share` of random pairs of the catalog's products stay below, scored
        as the lists score them (seeded), so the floor never keeps a neighbour its own
        score reads as unrelated. None (no such floor) when share is 0, for a catalog
        under MIN_FLOOR_ROWS products, or without a meaning channel."""
        if share <= 0 or len(self.vectors) < MIN_FLOOR_ROWS or not self.has("dense"):
            return None
        if self._random_scores is None:  # scored once: each floor is one of their quantiles
            a, b = random_pairs(len(self.vectors), SCORE_FLOOR_PAIRS, SCORE_FLOOR_SEED)
            self._random_scores = self.pair_scores(a, b).score
        return float(np.quantile(self._random_scores, share))


def hybrid_topk(corpus: np.ndarray, lexical: LexicalIndex | None, k: int, *, weight: float,
                metric: str = "cosine", queries: np.ndarray | None = None,
                query_texts: list[str] | None = None, depth: int = DEPTH,
                texts: Sequence[str] | None = None, calibration: Calibration | None = None):
    """Fused top-k of a query set (default: the corpus, self excluded) over a corpus given
    by its vectors (N, d) and words index: NeighborIndex.from_parts(...).rank(...).

    For matching two catalogs (benchmarks, evaluation) where the query side is not the
    corpus. Returns HybridNeighbors (m, k).
    """
    index = NeighborIndex.from_parts(corpus, lexical, hybrid_weight=weight, metric=metric,
                                     texts=texts, calibration=calibration)
    q = None if queries is None else Queries(queries, query_texts)
    return index.rank(k, q, depth=depth)


__all__ = [
    "NeighborIndex",
    "PairScores",
    "Queries",
    "SearchSettings",
    "hybrid_topk",
]
