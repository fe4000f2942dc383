"""Go/no-go for a tuned re-ranker (cross-encoder) on top of the fine-tuned lists (issue 16).

    .venv/bin/python bench/finetune_reranker.py                            # abt-buy valid
    .venv/bin/python bench/finetune_reranker.py --dataset walmart-amazon --precision bf16
    .venv/bin/python bench/finetune_reranker.py --dataset walmart-amazon --precision bf16 \
        --epochs 4

Same data, queries and fine-tune job as bench/finetune_abt_buy.py (train positives only,
the two shops one catalog, its automatic hold-out). Then a cross-encoder
(core.finetune.reranker: the bundled MiniLM + a linear head on [CLS], BCE) is trained
on the job's training pairs (both orders) and hard negatives from the tuned pipeline's
catalog lists (entries that are not known matches; an entry ranked above the anchor's
own match is skipped as a likely unlabelled match). The first R entries of every
list are re-scored by a blend of the list's changed score (fused + evidence, before the
0..1 map) and the re-ranker's logit: a logistic regression fitted on the job's held-out
products' lists (never on the queries measured). R@1 = the first other-shop entry of a
query's list is a true match; zero-shot pipeline, tuned bi-encoder pipeline, and tuned
+ re-ranker, all in the same run. Training examples: each training pair both ways and
in both orders (each ordered positive twice), 4 list negatives per side, both orders.

Measured 2026-12-03 (valid queries only; 2-core CPU shared with other jobs, load 1.5-3.6;
re-ranker from the bundled all-MiniLM-L6-v2, lr 5e-5, batch 32, first R=10 entries):
  abt-buy valid (121 queries), 2 epochs fp32, 10,984 examples, length cap 96:
    zero-shot 0.893; tuned bi-encoder 0.917 (job 74 s); tuned + re-ranker (blend) 0.909
    (-0.008); re-ranker order alone 0.802; zero-shot lists + re-ranker 0.893.
    Blend (changed fused, logit) = (1.921, 0.297) on 61 held-out products (held-out R@1
    0.885 -> 0.885). Training 1,024 s (load 3.6); inference 41 pairs/s fp32, 115 pairs/s
    under bf16 autocast (same R@1 0.909).
  walmart-amazon valid (201 queries), 2 epochs bf16, 10,078 examples, length cap 104:
    zero-shot 0.612; tuned bi-encoder 0.647 (job 190 s); tuned + re-ranker (blend) 0.667
    (+0.020, 4 queries); re-ranker order alone 0.642; zero-shot lists + re-ranker 0.642.
    Blend (1.461, 0.285) on 54 held-out products (held-out R@1 0.759 -> 0.741).
    Training 470 s; inference 152 pairs/s (bf16).
  walmart-amazon valid, 4 epochs bf16 (--epochs 4), same examples: tuned + re-ranker
    0.657 (+0.010); re-ranker order alone 0.602; blend (1.502, 0.165), held-out R@1
    0.759 -> 0.722; training 934 s; 141 pairs/s. More epochs overfit.
Verdict: no go at this recipe (the bar: +0.02 on walmart-amazon valid, clearly). The gain
is at the bar on walmart-amazon only (+0.020 = 4 of 201 queries, at 2 epochs; +0.010 at
4), the blend lost on its own held-out products both times, it lost on abt-buy, and it costs
2.5-14x the whole fine-tune job in training plus 40-150 pairs/s at list time (a 24.6k-row
catalog's first-10 entries are up to 246k pairs: 27 min at 152 pairs/s). A cross-encoder
started from a sentence-embedding model learns too little from ~550 positives: its own
order is below the tuned lists' (0.802 vs 0.917 abt-buy, 0.642 vs 0.647 walmart-amazon).
Not integrated into core/finetune/run.py or the lists.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from argparse import Namespace
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
from finetune_abt_buy import K, load, queries_for, training_data
from reranker_model import (
    RerankerSettings,
    examples_from,
    pair_length_cap,
    train_reranker,
)

from core.config import Config
from core.embed.encoders import BertEncoder, resolve_model
from core.finetune import FinetuneSettings, finetune
from core.finetune.card import model_defaults
from core.search.channels import catalog_index
from core.search.index import NeighborIndex


def lists_of(catalog, vectors: np.ndarray, model: str | None):
    """The default pipeline's catalog K-lists (indices, changed fused scores, 0..1 scores)."""
    cfg = Config(k=K, model=model or "bundled")
    cfg = cfg.with_changes(**model_defaults(cfg.model).as_config_changes())
    nb = NeighborIndex.build(catalog, vectors, cfg).pool(K)
    return nb.indices, nb.fused, nb.scores


def r1(indices: np.ndarray, queries: list[int], gold, n_left: int) -> float:
    hits = [next((int(c) - n_left in gold[q] for c in indices[q] if c >= n_left), False)
            for q in queries]
    return float(np.mean(hits))


def negatives_of(indices: np.ndarray, anchors: np.ndarray, positives: np.ndarray,
                 known: dict[int, set[int]], n: int, filter_above: bool) -> np.ndarray:
    """(m, n) hard negatives per anchor from its list; entries above its match skipped."""
    out = np.full((len(anchors), n), -1, dtype=np.int64)
    for i, (a, p) in enumerate(zip(anchors, positives)):
        row = [int(c) for c in indices[a] if c >= 0]
        cut = row.index(int(p)) if filter_above and int(p) in row else len(row)
        bad = known.get(int(a), set()) | {int(a), int(p)}
        keep = [c for j, c in enumerate(row) if c not in bad and (j > cut or not filter_above
                                                                 or int(p) not in row)]
        out[i, :min(n, len(keep))] = keep[:n]
    return out


def rescored(indices, fused, texts, rows, reranker, r: int, blend, cache: dict):
    """(indices of rows with their first r entries re-ordered by the blend, logits)."""
    out = indices[rows].copy()
    pairs = [(int(q), int(c)) for q in rows for c in indices[q, :r] if c >= 0]
    todo = [p for p in dict.fromkeys(pairs) if p not in cache]
    if todo:
        s = reranker.scores([texts[a] for a, _ in todo], [texts[b] for _, b in todo])
        cache.update(zip(todo, s.tolist()))
    for i, q in enumerate(rows):
        head = [c for c in indices[q, :r] if c >= 0]
        x = np.array([[fused[q, j], cache[(int(q), int(c))]] for j, c in enumerate(head)])
        order = np.argsort(-blend(x), kind="stable") if len(head) else []
        out[i, :len(head)] = np.asarray(head)[order]
    return out


def fit_blend(indices, fused, texts, valid, reranker, r: int, cache: dict):
    """Logistic regression of twin ~ (changed fused score, logit) on held-out lists."""
    from sklearn.linear_model import LogisticRegression

    rows = np.asarray(valid.query_rows, dtype=np.int64)
    rescored(indices, fused, texts, rows, reranker, r, lambda x: x[:, 1], cache)
    x, y = [], []
    for q, truth in zip(rows, valid.truth):
        for j, c in enumerate(indices[q, :r]):
            if c >= 0:
                x.append([fused[q, j], cache[(int(q), int(c))]])
                y.append(int(c) in truth)
    lr = LogisticRegression(C=1.0).fit(np.array(x), np.array(y))
    w = lr.coef_[0]
    return (lambda z: z @ w), w


def heldout_r1(indices, valid) -> float:
    return float(np.mean([next((int(c) in t for c in row if c >= 0 and c != q), False)
                          for q, row, t in zip(valid.query_rows, indices, valid.truth)]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="abt-buy", choices=["abt-buy", "walmart-amazon"])
    ap.add_argument("--split", default="valid", choices=["valid", "test"])
    ap.add_argument("--rerank", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--negatives", type=int, default=4)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    ap.add_argument("--keep-above", action="store_true",
                    help="keep list entries ranked above the anchor's match as negatives")
    args = ap.parse_args()
    left, right, col, extra, gold_pairs, to_row = load(args.dataset)
    gold: dict[int, set[int]] = {}
    for a, b in gold_pairs:
        gold.setdefault(a, set()).add(b)
    queries = queries_for(args.dataset, args.split, gold, to_row)
    ns = Namespace(dataset=args.dataset, self_supervised=False, with_views=0)
    catalog, corpus, data = training_data(ns, left, right, col, extra, to_row, len(left))
    texts, n_left = catalog.texts, len(left)
    base = BertEncoder()
    base_vectors = base.encode(texts)
    zi, zf, _ = lists_of(catalog, base_vectors, None)
    z = r1(zi, queries, gold, n_left)
    print(f"{args.dataset} {args.split}: {len(queries)} queries; zero-shot pipeline R@1 {z:.3f}",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = finetune(texts, data, corpus_rows=corpus, out=Path(tmp) / "ft",
                       settings=FinetuneSettings(keep="always"), base_vectors=base_vectors,
                       hybrid_weight=Config().hybrid_weight, words=catalog_index(catalog))
        job = time.perf_counter() - t
        tv = BertEncoder(res.folder).encode(texts)
        ti, tf, _ = lists_of(catalog, tv, str(res.folder))
    tuned = r1(ti, queries, gold, n_left)
    print(f"tuned bi-encoder pipeline R@1 {tuned:.3f} (gain {tuned - z:+.3f}; job {job:.0f} s)",
          flush=True)
    tr = data.train
    negs = negatives_of(ti, tr.anchor_rows, tr.positive_rows, data.known, args.negatives,
                        not args.keep_above)
    back = negatives_of(ti, tr.positive_rows, tr.anchor_rows, data.known, args.negatives,
                        not args.keep_above)
    ex = examples_from(texts, np.concatenate([tr.anchor_rows, tr.positive_rows]),
                       np.concatenate([tr.positive_rows, tr.anchor_rows]),
                       np.concatenate([negs, back]))
    folder = resolve_model(None)[1]
    cap = pair_length_cap(base.tokenizer, texts)
    settings = RerankerSettings(epochs=args.epochs, learning_rate=args.lr, max_tokens=cap,
                                negatives=args.negatives, precision=args.precision)
    reranker, secs = train_reranker(folder, ex, settings, status=print)
    print(f"re-ranker: {len(ex)} examples ({int(ex.label.sum())} positive), length cap {cap}, "
          f"{secs:.0f} s training ({args.precision})", flush=True)
    report(args, ti, tf, zi, zf, texts, data, queries, gold, n_left, reranker, tuned, z)


def report(args, ti, tf, zi, zf, texts, data, queries, gold, n_left, reranker, tuned, z):
    r, cache = args.rerank, {}
    blend, w = fit_blend(ti, tf, texts, data.valid, reranker, r, cache)
    hq = np.asarray(data.valid.query_rows)
    held = [heldout_r1(ti[hq], data.valid),
            heldout_r1(rescored(ti, tf, texts, hq, reranker, r, blend, cache), data.valid)]
    print(f"blend weights (changed fused, logit) {w.round(3).tolist()} fitted on "
          f"{len(hq)} held-out products; held-out R@1 {held[0]:.3f} -> {held[1]:.3f}")
    q = np.asarray(queries, dtype=np.int64)
    n0 = len(cache)
    t = time.perf_counter()
    out = {}
    for name, fn in (("blend", blend), ("re-ranker alone", lambda x: x[:, 1])):
        full = ti.copy()
        full[q] = rescored(ti, tf, texts, q, reranker, r, fn, cache)
        out[name] = r1(full, queries, gold, n_left)
        if name == "blend":
            pairs, secs = len(cache) - n0, time.perf_counter() - t
    zfull = zi.copy()
    zfull[q] = rescored(zi, zf, texts, q, reranker, r, blend, cache)
    print(f"{args.dataset} {args.split} R@1: zero-shot {z:.3f}; tuned bi-encoder {tuned:.3f}; "
          f"tuned + re-ranker (first {r}, blend) {out['blend']:.3f} "
          f"(gain over tuned {out['blend'] - tuned:+.3f}, over zero-shot "
          f"{out['blend'] - z:+.3f}); re-ranker order alone {out['re-ranker alone']:.3f}; "
          f"zero-shot lists + re-ranker {r1(zfull, queries, gold, n_left):.3f}")
    print(f"inference: {pairs} pairs (both orders each) in {secs:.1f} s = "
          f"{pairs / max(secs, 1e-9):.0f} pairs/s ({args.precision}); load "
          f"{os.getloadavg()[0]:.1f}")
    if args.precision == "fp32":
        bf = replace(reranker.settings, precision="bf16")
        reranker.settings, cache16 = bf, {}
        t = time.perf_counter()
        full = ti.copy()
        full[q] = rescored(ti, tf, texts, q, reranker, r, blend, cache16)
        print(f"  same re-ranker under bf16 autocast: R@1 {r1(full, queries, gold, n_left):.3f},"
              f" {len(cache16) / (time.perf_counter() - t):.0f} pairs/s")


if __name__ == "__main__":
    main()
