"""Hard negatives: close products that are not a known match, and the batch masks that
keep known matches from ever being used as negatives."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.finetune.pairs import TextPairs
from core.search.exact import topk

ListsOf = Callable[[np.ndarray, int], np.ndarray]


def model_lists(vectors: np.ndarray, corpus_rows: np.ndarray) -> ListsOf:
    """lists_of(anchor_rows, depth) -> (a, depth) catalog rows: the model's own nearest
    neighbours of each anchor among corpus_rows (vectors: (n, d) of every row)."""
    def lists_of(anchors: np.ndarray, depth: int) -> np.ndarray:
        nb = topk(vectors[corpus_rows], min(depth, len(corpus_rows)), queries=vectors[anchors],
                  exclude_self=False)
        return corpus_rows[nb.indices]
    return lists_of


def mine_negatives(vectors: np.ndarray, pairs: TextPairs, corpus_rows: np.ndarray,
                   known: dict[int, set[int]], *, rejected: dict[int, set[int]] | None = None,
                   depth: int = 10, filter_above_positive: bool = True,
                   lists_of: ListsOf | None = None) -> np.ndarray:
    """Hard negative candidates per labelled pair: the anchor's known non-matches
    (rejected) when it has any, else the first depth products of its neighbour list
    (lists_of; default the model's own nearest neighbours in corpus_rows) that are
    neither the anchor, its positive, nor a known match. Self-supervised pairs (anchor
    row == positive row) get none: without labels a close neighbour is too often the
    same product. With filter_above_positive, a neighbour that the current model scores
    above the anchor's own positive is skipped: it is more often an unlabelled match
    than a true negative.

    vectors: (n, d) vectors of every catalog row. Returns (m, depth) int64 rows, -1 padded.
    """
    rejected = rejected or {}
    out = np.full((len(pairs), depth), -1, dtype=np.int64)
    anchors = np.unique(pairs.anchor_rows[pairs.anchor_rows != pairs.positive_rows])
    if not len(anchors):
        return out
    ranked = (lists_of or model_lists(vectors, corpus_rows))(anchors, depth + 8)
    lists = {int(a): ranked[i] for i, a in enumerate(anchors)}
    for i, (a, p) in enumerate(zip(pairs.anchor_rows, pairs.positive_rows)):
        if a == p:
            continue
        bad = known.get(int(a), set()) | {int(a), int(p)}
        ceiling = float(vectors[a] @ vectors[p]) if filter_above_positive else np.inf
        options = sorted(rejected.get(int(a), set()) - bad) or \
            [int(r) for r in lists[int(a)] if r >= 0 and int(r) not in bad
             and float(vectors[a] @ vectors[r]) < ceiling]
        out[i, :min(depth, len(options))] = options[:depth]
    return out


def pick_negatives(candidates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random candidate per row of (m, depth) candidates; -1 where there is none."""
    counts = (candidates >= 0).sum(1)
    col = (rng.random(len(candidates)) * np.maximum(counts, 1)).astype(np.int64)
    return np.where(counts > 0, candidates[np.arange(len(candidates)), col], -1)


def _batch_masks(a_rows: np.ndarray, p_rows: np.ndarray, n_rows: np.ndarray,
                 known: dict[int, set[int]]):
    """Bool masks, True where a candidate is the same product as, or a known match of,
    the row being scored: (B, B + N) anchors vs positives + negatives, (B, B) back."""
    import torch

    def clash(x: np.ndarray, cands: np.ndarray) -> np.ndarray:
        out = np.zeros((len(x), len(cands)), dtype=bool)
        for i, r in enumerate(x):
            good = known.get(int(r), set()) | {int(r)}
            out[i] = [int(c) in good for c in cands]
        return out

    cands = np.concatenate([p_rows, n_rows])
    fwd = clash(a_rows, cands) | clash(p_rows, cands)
    back = clash(p_rows, a_rows) | clash(a_rows, a_rows)
    diag = np.arange(len(a_rows))
    fwd[diag, diag] = back[diag, diag] = False
    return torch.from_numpy(fwd), torch.from_numpy(back)
