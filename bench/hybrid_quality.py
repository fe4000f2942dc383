"""Hybrid retrieval quality on the shared benchmarks: default vs MiniLM-only vs BM25-only.

    .venv/bin/python bench/hybrid_quality.py            # table on the TEST splits
    .venv/bin/python bench/hybrid_quality.py --select   # weight grid on the VALID splits
    .venv/bin/python bench/hybrid_quality.py --fields   # field weighting, VALID splits
    .venv/bin/python bench/hybrid_quality.py --expand   # neighbour expansion, VALID splits
    .venv/bin/python bench/hybrid_quality.py --heldout  # catalogs never used for tuning
    .venv/bin/python bench/hybrid_quality.py --one-catalog  # duplicates within one catalog

Splits (nothing here is trained; the only tuned number is the default weight,
chosen with --select on valid):
- Abt->Buy retrieval: queries = Abt rows with a positive pair in pairs_valid.csv
  (valid, 206) or pairs_test.csv (test, 206); every query ranks all Buy rows,
  gold = abt_buy_perfectMapping.csv. "all" = the 1,081 queries of the README.
- walmart category precision@10: neighbours come from the whole catalog; the
  queries are a seeded half of the products (valid) and the other half (test).
  Text = title only (the category column is never used as text).
- Abt-Buy duplicates: match scores of pairs_valid.csv choose the threshold,
  F1 is reported on pairs_test.csv.

Held-out catalogs (--heldout; never looked at when the weight or the tokenizer
were chosen): amazon.csv category precision@10 (the 20,845 rows with a
category, 706 categories) and walmart->amazon same-product retrieval (every
walmart row with a known match ranks all 22,074 amazon titles; gold = positive
pairs of all three splits plus the 1:1 subset).
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
import pandas as pd
from common import SHARED, abt_buy, retrieval_metrics, walmart

from core.config import Config
from core.quality.threshold import choose_threshold, f1_at
from core.search.channels import DenseChannel, LexicalChannel, Queries, catalog_index
from core.search.fusion import pair_fused, relative
from core.search.index import NeighborIndex, hybrid_topk
from core.search.lexical import build_index, lexical_topk

BASELINE_BM25 = {"k1": 1.5, "b": 0.75}
_WORD = re.compile(r"(?u)\b\w\w+\b")


def standard_tokens(text: str) -> list[str]:
    """bm25s' default tokenizer: lower-cased words of 2+ characters."""
    return _WORD.findall(text.lower())


def embed(texts: list[str], encoder=None) -> np.ndarray:
    """Vectors of texts through the workspace's store (encoder: the bundled model)."""
    from core.embed.encoders import BertEncoder
    from core.embed.store import EmbeddingStore, embed_with_store
    from core.workspace import Workspace

    store = EmbeddingStore(Workspace.default().ensure().db_path)
    try:
        return embed_with_store(encoder or BertEncoder(), texts, store).vectors
    finally:
        store.close()


def _both(anchors):
    """Anchors with both channels (a missing one: top 1, floor 0, as a weight-0 channel)."""
    from core.search.fusion import Anchors

    m = len(anchors.best)
    top = {c: anchors.top.get(c, np.ones(m, np.float32)) for c in ("dense", "lexical")}
    floor = {c: anchors.floor.get(c, np.zeros(m, np.float32)) for c in ("dense", "lexical")}
    return Anchors(top, floor, anchors.best)


class AbtBuy:
    """Abt names query Buy names (queries != corpus); both directions for match scores."""

    def __init__(self) -> None:
        self.abt, self.buy, gold = abt_buy()
        self.a_txt, self.b_txt = self.abt["name"].tolist(), self.buy["name"].tolist()
        self.a, self.b = embed(self.a_txt), embed(self.b_txt)
        self.b_index, self.a_index = build_index(self.b_txt), build_index(self.a_txt)
        pa = {v: i for i, v in enumerate(self.abt["id"])}
        pb = {v: i for i, v in enumerate(self.buy["id"])}
        self.truth: dict[int, set[int]] = {}
        for ia, ib in zip(gold["idAbt"], gold["idBuy"]):
            if ia in pa and ib in pb:
                self.truth.setdefault(pa[ia], set()).add(pb[ib])

    def queries(self, split: str) -> list[int]:
        if split == "all":
            return sorted(self.truth)
        p = pairs(split)
        return sorted(set(p.loc[p.label == 1, "ltable_id"]) & set(self.truth))

    def retrieval(self, weight: float, split: str) -> dict[str, float]:
        qs = self.queries(split)
        nb = hybrid_topk(self.b, self.b_index, 10, weight=weight, queries=self.a[qs],
                         query_texts=[self.a_txt[q] for q in qs])
        return retrieval_metrics(nb.indices, [self.truth[q] for q in qs])

    def standard_bm25(self, split: str) -> dict[str, float]:
        qs = self.queries(split)
        index = build_index(self.b_txt, tokenizer=standard_tokens, **BASELINE_BM25)
        nb = lexical_topk(index, 10, queries=[self.a_txt[q] for q in qs], score="bm25")
        return retrieval_metrics(nb.indices, [self.truth[q] for q in qs])

    def match(self, weight: float, frame: pd.DataFrame) -> np.ndarray:
        """Match scores of labelled pairs (ltable_id = Abt row, rtable_id = Buy row)."""
        fwd = hybrid_topk(self.b, self.b_index, 1, weight=weight, queries=self.a,
                          query_texts=self.a_txt)
        rev = hybrid_topk(self.a, self.a_index, 1, weight=weight, queries=self.b,
                          query_texts=self.b_txt)
        left, right = frame["ltable_id"].to_numpy(), frame["rtable_id"].to_numpy()
        f_ab, _ = pair_fused([DenseChannel(self.b), LexicalChannel(self.b_index)],
                             [1 - weight, weight], left, right, _both(fwd.anchors),
                             Queries(self.a, self.a_txt))
        f_ba, _ = pair_fused([DenseChannel(self.a), LexicalChannel(self.a_index)],
                             [1 - weight, weight], right, left, _both(rev.anchors),
                             Queries(self.b, self.b_txt))
        return np.minimum(relative(f_ab, fwd.anchors.best[left]),
                          relative(f_ba, rev.anchors.best[right]))

    def duplicates(self, weight: float) -> tuple[float, float, float]:
        """(threshold chosen on valid, valid F1, test F1)."""
        pv, pt = pairs("valid"), pairs("test")
        choice = choose_threshold(self.match(weight, pv), pv["label"].to_numpy())
        test = f1_at(self.match(weight, pt), pt["label"].to_numpy(), choice.threshold)
        return choice.threshold, choice.f1, test.f1


def pairs(split: str) -> pd.DataFrame:
    return pd.read_csv(SHARED / "abt-buy" / f"pairs_{split}.csv")


class Walmart:
    """Category precision@10 of walmart titles (self-retrieval), seeded query halves."""

    def __init__(self, columns: tuple[str, ...] = ("title",)) -> None:
        self.frame = walmart()
        self.cats = self.frame["category"].to_numpy()
        self.v = embed(self.frame["title"].tolist())
        self.index = build_index(self.frame["title"].tolist())
        perm = np.random.default_rng(0).permutation(len(self.frame))
        half = len(perm) // 2
        self.rows = {"valid": np.sort(perm[:half]), "test": np.sort(perm[half:]),
                     "all": np.arange(len(perm))}

    def precision(self, indices: np.ndarray, split: str) -> float:
        rows = self.rows[split]
        return float((self.cats[indices[rows]] == self.cats[rows][:, None]).mean())

    def hybrid(self, weight: float, split: str, index=None, vectors=None) -> float:
        v = self.v if vectors is None else vectors
        nb = hybrid_topk(v, index or self.index, 10, weight=weight)
        return self.precision(nb.indices, split)

    def standard_bm25(self, split: str) -> float:
        index = build_index(self.frame["title"].tolist(), tokenizer=standard_tokens,
                            **BASELINE_BM25)
        return self.precision(lexical_topk(index, 10, score="bm25").indices, split)


class HeldOut:
    """Catalogs the default was not tuned on: amazon categories, walmart->amazon matches."""

    def __init__(self) -> None:
        folder = SHARED / "walmart-amazon"
        read = {"dtype": str, "keep_default_na": False}
        self.left = walmart()
        self.right = pd.read_csv(folder / "amazon.csv", **read)
        self.l_txt, self.r_txt = self.left["title"].tolist(), self.right["title"].tolist()
        self.l, self.r = embed(self.l_txt), embed(self.r_txt)
        self.r_index = build_index(self.r_txt)
        pl = {int(v): i for i, v in enumerate(self.left["id"])}
        pr = {int(v): i for i, v in enumerate(self.right["id"])}
        gold = pd.read_csv(folder / "gold_1to1_subset.csv", sep="|")
        found = list(zip(gold["D1"], gold["D2"]))
        for split in ("train", "valid", "test"):
            p = pd.read_csv(folder / f"pairs_{split}.csv")
            found += list(zip(p.ltable_id[p.label == 1], p.rtable_id[p.label == 1]))
        self.truth: dict[int, set[int]] = {}
        for a, b in found:
            self.truth.setdefault(pl[int(a)], set()).add(pr[int(b)])
        self.queries = sorted(self.truth)
        has_cat = (self.right["category"] != "").to_numpy()
        self.cat_rows = np.flatnonzero(has_cat)
        self.cats = self.right["category"].to_numpy()[has_cat]
        self.cat_index = build_index([self.r_txt[i] for i in self.cat_rows])

    def retrieval(self, weight: float) -> dict[str, float]:
        qs = self.queries
        nb = hybrid_topk(self.r, self.r_index, 10, weight=weight, queries=self.l[qs],
                         query_texts=[self.l_txt[q] for q in qs])
        return retrieval_metrics(nb.indices, [self.truth[q] for q in qs])

    def standard_bm25_retrieval(self) -> dict[str, float]:
        index = build_index(self.r_txt, tokenizer=standard_tokens, **BASELINE_BM25)
        nb = lexical_topk(index, 10, queries=[self.l_txt[q] for q in self.queries], score="bm25")
        return retrieval_metrics(nb.indices, [self.truth[q] for q in self.queries])

    def category(self, weight: float) -> float:
        nb = hybrid_topk(self.r[self.cat_rows], self.cat_index, 10, weight=weight)
        return float((self.cats[nb.indices] == self.cats[:, None]).mean())

    def standard_bm25_category(self) -> float:
        index = build_index([self.r_txt[i] for i in self.cat_rows], tokenizer=standard_tokens,
                            **BASELINE_BM25)
        nb = lexical_topk(index, 10, score="bm25")
        return float((self.cats[nb.indices] == self.cats[:, None]).mean())


def heldout() -> None:
    """Default vs MiniLM vs standard BM25 on catalogs never used for tuning."""
    w0 = Config().hybrid_weight
    t = time.perf_counter()
    ho = HeldOut()
    print(f"Held-out: walmart->amazon retrieval ({len(ho.queries)} queries x "
          f"{len(ho.r_txt):,} amazon titles); amazon category P@10 ({len(ho.cat_rows):,} rows, "
          f"{len(set(ho.cats))} categories)")
    print("| configuration | R@1 | R@10 | MRR | amazon cat P@10 |")
    print("|---|---|---|---|---|")
    for name, w in ((f"default hybrid (w={w0})", w0), ("MiniLM only (w=0)", 0.0),
                    ("lexical channel only (w=1)", 1.0)):
        m = ho.retrieval(w)
        print(f"| {name} | {m['recall@1']:.3f} | {m['recall@10']:.3f} | {m['mrr']:.3f} "
              f"| {ho.category(w):.3f} |", flush=True)
    m = ho.standard_bm25_retrieval()
    print(f"| BM25, standard tokenizer (bm25s) | {m['recall@1']:.3f} | {m['recall@10']:.3f} "
          f"| {m['mrr']:.3f} | {ho.standard_bm25_category():.3f} |")
    print(f"total {time.perf_counter() - t:.0f} s")


def one_catalog() -> None:
    """Duplicate F1 with Abt and Buy merged into ONE catalog (as a shop deduplicating
    its own listings): threshold on pairs_valid.csv, F1 on pairs_test.csv, for the
    relative match score (what the Threshold page uses) and the absolute one (the
    smaller of the two fused scores)."""
    from core.quality.threshold import match_scores

    w0 = Config().hybrid_weight
    ab = AbtBuy()
    texts, vectors, offset = ab.a_txt + ab.b_txt, np.vstack([ab.a, ab.b]), len(ab.a_txt)
    space = NeighborIndex.from_parts(vectors, build_index(texts), hybrid_weight=w0)

    def scores(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        left = frame["ltable_id"].to_numpy()
        right = frame["rtable_id"].to_numpy() + offset
        ab_side, ba_side = match_scores(space, left, right), match_scores(space, right, left)
        return ab_side.match, np.minimum(ab_side.fused, ba_side.fused)

    pv, pt = pairs("valid"), pairs("test")
    (rv, av), (rt, at) = scores(pv), scores(pt)
    print(f"Abt + Buy as one catalog ({len(texts):,} rows), default w={w0}")
    print("| score | threshold (valid) | F1 valid | F1 test |")
    print("|---|---|---|---|")
    for name, v, t in (("match score (relative)", rv, rt), ("fused, smaller side (absolute)", av, at)):
        choice = choose_threshold(v, pv["label"].to_numpy())
        test = f1_at(t, pt["label"].to_numpy(), choice.threshold)
        print(f"| {name} | {choice.threshold:.3f} | {choice.f1:.3f} | {test.f1:.3f} |")


def _row(name: str, m: dict[str, float], p: float | None, f1: str = "") -> str:
    pw = f"{p:.3f}" if p is not None else "  -  "
    return (f"| {name:34s} | {m['recall@1']:.3f} | {m['recall@10']:.3f} | {m['mrr']:.3f} "
            f"| {pw} | {f1:17s} |")


def report(split: str = "test") -> None:
    w0 = Config().hybrid_weight
    t = time.perf_counter()
    ab, wm = AbtBuy(), Walmart()
    print(f"Splits: {split} (Abt queries {len(ab.queries(split))}, walmart queries "
          f"{len(wm.rows[split])}); default hybrid_weight {w0}")
    print("| configuration                      | R@1   | R@10  | MRR   | wal P@10 "
          "| dup F1 (thr)      |")
    print("|---|---|---|---|---|---|")
    for name, w in ((f"default hybrid (w={w0})", w0), ("MiniLM only (w=0)", 0.0),
                    ("lexical channel only (w=1)", 1.0)):
        thr, _, f1 = ab.duplicates(w)
        print(_row(name, ab.retrieval(w, split), wm.hybrid(w, split), f"{f1:.3f} ({thr:.3f})"))
    print(_row("BM25, standard tokenizer (bm25s)", ab.standard_bm25(split),
               wm.standard_bm25(split)))
    print(f"Abt->Buy all 1,081 queries (README protocol): default R@1 "
          f"{ab.retrieval(w0, 'all')['recall@1']:.3f}, MiniLM {ab.retrieval(0.0, 'all')['recall@1']:.3f}, "
          f"standard BM25 {ab.standard_bm25('all')['recall@1']:.3f}")
    print("dup F1: threshold chosen on pairs_valid.csv, F1 on pairs_test.csv "
          f"(match scores). total {time.perf_counter() - t:.0f} s")


def select() -> None:
    """Grid of weights on the VALID splits and the rule that picks the default.

    Rule: the weight with the best Abt->Buy Recall@1 among those whose walmart
    P@10 is not below MiniLM-only (lexical must never cost similar-product
    quality); ties go to the smaller weight.
    """
    ab, wm = AbtBuy(), Walmart()
    dense_w = wm.hybrid(0.0, "valid")
    print("| weight | Abt R@1 | Abt MRR | wal P@10 | dup F1 valid |")
    print("|---|---|---|---|---|")
    best: tuple[float, float] | None = None
    for w in np.round(np.arange(0.0, 1.0001, 0.05), 2):
        m, p = ab.retrieval(float(w), "valid"), wm.hybrid(float(w), "valid")
        _, f1v, _ = ab.duplicates(float(w))
        print(f"| {w:.2f} | {m['recall@1']:.3f} | {m['mrr']:.3f} | {p:.3f} | {f1v:.3f} |",
              flush=True)
        if p >= dense_w and (best is None or m["recall@1"] > best[1]):
            best = (float(w), m["recall@1"])
    print(f"chosen by the rule: hybrid_weight = {best[0]:.2f}  (set in core/config.py; "
          f"current default {Config().hybrid_weight})")


def fields() -> None:
    """Field weighting on walmart VALID: text templates vs separate vectors vs lexical weights."""
    wm = Walmart()
    f = wm.frame
    title, brand = wm.v, embed(f["brand"].tolist())
    w0 = Config().hybrid_weight
    print(f"walmart valid P@10 (dense only; hybrid w={w0})")
    print(f"title only:                      {wm.hybrid(0.0, 'valid'):.3f}; "
          f"hybrid {wm.hybrid(w0, 'valid'):.3f}")
    tmpl = embed((f["brand"] + " | " + f["title"]).tolist())
    print(f"template 'brand | title':        {wm.hybrid(0.0, 'valid', vectors=tmpl):.3f}")
    for wb in (0.2, 0.5):
        v = title + wb * brand
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
        print(f"vectors title + {wb} x brand:     {wm.hybrid(0.0, 'valid', vectors=v):.3f}")
    from core.catalog.table import ColumnMapping, build_catalog

    cat = build_catalog(f, ColumnMapping(text_columns=("title",)))
    for weights in ({"brand": 0.5}, {"modelno": 0.5}, {"brand": 0.5, "modelno": 0.5}):
        index = catalog_index(cat, weights)
        print(f"lexical fields title=1,{weights}: hybrid {wm.hybrid(w0, 'valid', index=index):.3f}")


def expand() -> None:
    """Hybrid-neighbour expansion on the VALID splits (an idea for walmart P@10, not the default).

    Each vector moves towards the mean of its m best hybrid neighbours
    (v + beta * mean, renormalised): the catalog side in self-retrieval, both
    sides for Abt->Buy (Buy rows by their Buy neighbours, Abt queries by their
    Buy candidates); then the default hybrid search again.
    """
    ab, wm = AbtBuy(), Walmart()
    w0 = Config().hybrid_weight
    qs = ab.queries("valid")
    qt, truth = [ab.a_txt[q] for q in qs], [ab.truth[q] for q in qs]
    pw = hybrid_topk(wm.v, wm.index, 10, weight=w0).indices
    pb = hybrid_topk(ab.b, ab.b_index, 10, weight=w0).indices
    pa = hybrid_topk(ab.b, ab.b_index, 10, weight=w0, queries=ab.a[qs], query_texts=qt).indices

    def moved(v: np.ndarray, corpus: np.ndarray, nbr: np.ndarray, m: int, beta: float):
        x = v + beta * corpus[nbr[:, :m]].mean(1)
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    print(f"valid, default w={w0}: walmart P@10 {wm.precision(pw, 'valid'):.3f}, "
          f"Abt R@1 {retrieval_metrics(pa, truth)['recall@1']:.3f}")
    for m, beta in ((3, 0.5), (3, 1.0), (5, 0.5), (5, 1.0), (10, 1.0)):
        p = wm.precision(hybrid_topk(moved(wm.v, wm.v, pw, m, beta), wm.index, 10,
                                     weight=w0).indices, "valid")
        nb = hybrid_topk(moved(ab.b, ab.b, pb, m, beta), ab.b_index, 10, weight=w0,
                         queries=moved(ab.a[qs], ab.b, pa, m, beta), query_texts=qt)
        print(f"m={m:2d} beta={beta}: walmart P@10 {p:.3f}, "
              f"Abt R@1 {retrieval_metrics(nb.indices, truth)['recall@1']:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--select", action="store_true", help="weight grid on valid splits")
    parser.add_argument("--fields", action="store_true", help="field weighting on valid")
    parser.add_argument("--expand", action="store_true", help="neighbour expansion on valid")
    parser.add_argument("--heldout", action="store_true",
                        help="catalogs never used for tuning (amazon)")
    parser.add_argument("--one-catalog", action="store_true",
                        help="duplicates with Abt and Buy merged into one catalog")
    parser.add_argument("--split", default="test", choices=["valid", "test"])
    args = parser.parse_args()
    if args.select:
        select()
    elif args.fields:
        fields()
    elif args.expand:
        expand()
    elif args.heldout:
        heldout()
    elif args.one_catalog:
        one_catalog()
    else:
        report(args.split)


if __name__ == "__main__":
    main()
