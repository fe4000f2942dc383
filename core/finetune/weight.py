"""What a model does in the lists: held-out queries through the fused pipeline, and the
hybrid weight chosen again for a fine-tuned model.

A model that has learned the shop's products needs less help from the words channel
than the bundled one: the weight chosen for the bundled model (Config's default) would
throw much of what training bought away. After training, every weight of a grid is
tried on the held-out part of the training data (queries never trained on), on the
lists the default pipeline makes (:func:`pipeline_scores`: the catalog searched as one
with the products' texts, same-product evidence on), and the
best is kept by Recall@1 + MRR averaged with the neighbouring weights of the grid (ties:
the weight closest to the one in use). The held-out part is small (often 50-60
queries), so a lone spike at one weight is mostly noise. Measured on the valid queries
of the shared catalogs (five phase-1 runs, see bench/finetune_abt_buy.py): the plain
best-of-grid lost 0.055 R@1 against the weight in use once (walmart-amazon, 0.7 -> 0.2);
the smoothed choice gains as much as keeping 0.7 in total (+0.008 on each abt-buy run,
-0.005 and -0.020 on walmart-amazon, whose held-out training products favour the
meaning channel more than its other products do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from core.finetune.data import ValidationSet
from core.search.calibration import Calibration
from core.search.channels import DenseChannel, LexicalChannel, Queries
from core.search.evidence_weights import RERANK
from core.search.fusion import DEPTH, fused_topk
from core.search.lexical import LexicalIndex

WEIGHT_GRID = tuple(round(0.1 * i, 1) for i in range(11))


@dataclass(frozen=True)
class ListScore:
    """Recall@1, Recall@k and MRR (within the top DEPTH) of the fused lists at one weight."""

    weight: float
    recall_at_1: float
    recall_at_k: float
    mrr: float
    k: int
    queries: int


@dataclass(frozen=True)
class WeightChoice:
    """Held-out list quality per weight, before (current model) and after (tuned)."""

    weight: float
    current_weight: float
    before: tuple[ListScore, ...]
    after: tuple[ListScore, ...]

    @staticmethod
    def _at(scores: Sequence[ListScore], weight: float) -> ListScore:
        return min(scores, key=lambda s: abs(s.weight - weight))

    def before_at(self, weight: float) -> ListScore:
        return self._at(self.before, weight)

    def after_at(self, weight: float) -> ListScore:
        return self._at(self.after, weight)

    def summary_rows(self) -> list[tuple[str, ListScore]]:
        """(label, score): current model at the current weight, tuned at the current
        weight, tuned at the chosen weight."""
        rows = [("current model", self.before_at(self.current_weight)),
                ("fine-tuned, current weight", self.after_at(self.current_weight))]
        if self.weight != self.current_weight:
            rows.append(("fine-tuned, chosen weight", self.after_at(self.weight)))
        return rows

    def to_dict(self) -> dict:
        return {"weight": self.weight, "current_weight": self.current_weight,
                "before": [asdict(s) for s in self.before],
                "after": [asdict(s) for s in self.after]}


def list_scores(query_vectors: np.ndarray, corpus_vectors: np.ndarray, words: LexicalIndex,
                valid: ValidationSet, corpus_rows: np.ndarray, *,
                weights: Sequence[float] = WEIGHT_GRID, k: int = 10,
                metric: str = "cosine") -> tuple[ListScore, ...]:
    """Held-out queries ranked by the fused score at every weight.

    query_vectors: (q, d) of valid.queries; corpus_vectors: (c, d) of corpus_rows (c,);
    words: the words index of the corpus rows (same order). A query's own row is never
    counted. Channel top-DEPTH lists are computed once and shared by every weight.
    """
    q = Queries(query_vectors, list(valid.queries))
    dense, lexical = DenseChannel(corpus_vectors, metric), LexicalChannel(words)
    depth = min(DEPTH, len(corpus_rows))
    pools = {"dense": dense.topk(depth, q), "lexical": lexical.topk(depth, q)}
    out = []
    for w in weights:
        chans = [(c, cw) for c, cw in ((dense, 1.0 - w), (lexical, w)) if cw > 0]
        nb = fused_topk([c for c, _ in chans], [cw for _, cw in chans], depth, queries=q,
                        depth=depth, pools=pools)
        out.append(ListScore(float(w), *_rank_metrics(nb.indices, corpus_rows, valid, k),
                             k, len(valid)))
    return tuple(out)


def pipeline_scores(corpus, valid: ValidationSet, calibration: Calibration, *,
                    query_vectors: np.ndarray | None = None,
                    weights: Sequence[float] = WEIGHT_GRID, k: int = 10,
                    metric: str = "cosine") -> tuple[ListScore, ...]:
    """Held-out queries' lists as the default pipeline makes them, at every weight.

    corpus: a :class:`core.finetune.calibrate.Corpus` (vectors, words index, rows, texts);
    calibration: the model's, with its same-product evidence weights. Held-out queries
    that are corpus products get their catalog lists (every corpus row searched as one
    catalog, evidence read both ways, re-ranked, self excluded), the lists a merchant
    gets; others (self-supervised views, query_vectors (q, d)) are searched as a query
    set. Without texts or words the lists are the fused score's (no evidence).
    """
    pos = corpus.positions
    own = corpus.holds(valid)
    depth = min(max(k, RERANK), len(pos) - (1 if own else 0))
    pools = {} if not own else {  # each channel searched once, shared by every weight
        "dense": DenseChannel(corpus.vectors, metric).topk(DEPTH),
        **({"lexical": LexicalChannel(corpus.words).topk(DEPTH)} if corpus.words else {})}
    rows = np.array([pos.get(int(r), -1) for r in valid.query_rows], dtype=np.int64)
    out = []
    for w in weights:
        index = corpus.index(w, metric, calibration)
        if own:
            nb = index.pool(depth, pools={n: p for n, p in pools.items() if index.has(n)})
            indices = nb.indices[rows]
        else:
            indices = index.query(depth, Queries(query_vectors, list(valid.queries))).indices
        out.append(ListScore(float(w), *_rank_metrics(indices, corpus.rows, valid, k), k,
                             len(valid)))
    return tuple(out)


def _rank_metrics(indices: np.ndarray, corpus_rows: np.ndarray, valid: ValidationSet,
                  k: int) -> tuple[float, float, float]:
    r1 = rk = mrr = 0.0
    for qi, (row, truth) in enumerate(zip(valid.query_rows, valid.truth)):
        ranked = [int(r) for r in corpus_rows[indices[qi][indices[qi] >= 0]] if r != row]
        rank = next((i for i, r in enumerate(ranked) if r in truth), None)
        if rank is not None:
            r1, rk, mrr = r1 + (rank == 0), rk + (rank < k), mrr + 1.0 / (rank + 1)
    n = max(len(valid), 1)
    return r1 / n, rk / n, mrr / n


def choose_weight(scores: Sequence[ListScore], current: float) -> float:
    """The weight with the best Recall@1 + MRR averaged over itself and its neighbours in
    scores (ordered by weight; the ends count themselves twice); ties go to the weight
    nearest current, and so does a lead worth less than one held-out query (1/queries:
    on ~60 held-out products such a lead is noise; measured on abt-buy valid, moving 0.7
    -> 0.8 for a lead of 0.008 lost 0.016 R@1 on the unseen queries)."""
    ordered = sorted(scores, key=lambda s: s.weight)
    value = np.array([s.recall_at_1 + s.mrr for s in ordered])
    padded = np.pad(value, 1, mode="edge")
    smooth = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    best = max(range(len(ordered)), key=lambda i: (round(float(smooth[i]), 9),
                                                   -abs(ordered[i].weight - current)))
    near = min(range(len(ordered)), key=lambda i: abs(ordered[i].weight - current))
    if smooth[best] - smooth[near] < 1.0 / max(ordered[best].queries, 1):
        return ordered[near].weight
    return ordered[best].weight
