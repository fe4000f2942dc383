"""Chinese catalogs: the multilingual model, the lexical tokenizer and the fused weight on zh-dev.

    .venv/bin/python bench/chinese_quality.py               # before / baselines / Chinese default
    .venv/bin/python bench/chinese_quality.py --select      # the weight grid and the rule
    .venv/bin/python bench/chinese_quality.py --tokenizers  # chars+bigrams vs bigrams vs jieba
    .venv/bin/python bench/chinese_quality.py --crosslingual PAIRS.tsv   # en <-> zh search
    .venv/bin/python bench/chinese_quality.py --english     # both models on the English sets
    .venv/bin/python bench/chinese_quality.py --speed       # texts/s, multilingual vs MiniLM
    .venv/bin/python bench/chinese_quality.py --finetune    # fine-tuning on half the pairs

zh-dev (../shared/benchmarks/zh-dev, Taobao titles; internal use only, never copied here):
- same-product R@1: the 956 distinct titles of item_align_pairs.tsv form one catalog; a
  title with a published "same" partner (400 of them) scores when its first neighbour is
  one of its partners.
- search R@1: the 167 queries of query_item_pairs.tsv each rank all 500 titles.
- category P@10: classify_titles.tsv (1,000 titles): share of each title's 10 neighbours
  with its fine category (136 classes, 7 titles each on average, so 1.0 is out of
  reach) and its coarse one (5 classes).
Everything here is dev data: these sets chose the model, the tokenizer and the weight;
the held-out Chinese catalogs are checked elsewhere.
"""

from __future__ import annotations

import argparse
import time
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
from common import SHARED, abt_buy, retrieval_metrics, walmart

from core.catalog.language import LANGUAGE_DEFAULTS
from core.search.index import hybrid_topk
from core.search.lexical import _CHUNK_RE, _CJK_RE, _bigrams, _chunk_tokens, build_index, tokenize

ZH = SHARED / "zh-dev"
Tokenizer = Callable[[str], list[str]]


def tokens_with(cjk: Callable[[str], list[str]], *, latin: bool = True) -> Tokenizer:
    """The project's tokenizer with another treatment of CJK runs (latin=False: CJK only)."""
    def tok(text: str) -> list[str]:
        out: list[str] = []
        for chunk in _CHUNK_RE.findall(unicodedata.normalize("NFKC", str(text)).lower()):
            if _CJK_RE.match(chunk):
                out.extend(cjk(chunk))
            elif latin:
                out.extend(_chunk_tokens(chunk))
        return out
    return tok


bigram_tokens = tokens_with(_bigrams)  # the tokenizer before issue 15


def embed(texts: list[str], model: str) -> np.ndarray:
    from core.embed.encoders import load_encoder
    from core.embed.store import EmbeddingStore, embed_with_store
    from core.workspace import Workspace

    store = EmbeddingStore(Workspace.default().ensure().db_path)
    try:
        return embed_with_store(load_encoder(model), texts, store).vectors
    finally:
        store.close()


class ZhDev:
    """The three zh-dev tasks, embedded once per model."""

    def __init__(self) -> None:
        a = pd.read_csv(ZH / "item_align_pairs.tsv", sep="\t", dtype=str)
        self.align = list(dict.fromkeys(a.title_1.tolist() + a.title_2.tolist()))
        pos = {t: i for i, t in enumerate(self.align)}
        self.partners: dict[int, set[int]] = {}
        for t1, t2, same in zip(a.title_1, a.title_2, a.same):
            if same == "1" and t1 != t2:
                self.partners.setdefault(pos[t1], set()).add(pos[t2])
                self.partners.setdefault(pos[t2], set()).add(pos[t1])
        q = pd.read_csv(ZH / "query_item_pairs.tsv", sep="\t", dtype=str)
        self.corpus = list(dict.fromkeys(q.title))
        self.queries = list(dict.fromkeys(q["query"]))
        cpos, qpos = {t: i for i, t in enumerate(self.corpus)}, {t: i for i, t in enumerate(self.queries)}
        self.answer = {qpos[x]: cpos[t] for x, t, m in zip(q["query"], q.title, q.match) if m == "1"}
        c = pd.read_csv(ZH / "classify_titles.tsv", sep="\t", dtype=str)
        self.titles, self.fine, self.coarse = c.title.tolist(), c.fine.to_numpy(), c.coarse.to_numpy()
        self._vectors: dict[str, tuple[np.ndarray, ...]] = {}

    def vectors(self, model: str) -> tuple[np.ndarray, ...]:
        if model not in self._vectors:
            self._vectors[model] = tuple(embed(t, model) for t in (
                self.align, self.corpus, self.queries, self.titles))
        return self._vectors[model]

    def figures(self, model: str, weight: float, tok: Tokenizer = tokenize, *,
                evidence: bool = False) -> dict[str, float]:
        """evidence: the catalogs' texts go to the index, so lists are re-ranked by the
        same-product evidence as in the app (core/search/evidence.py)."""
        va, vc, vq, vt = self.vectors(model) if weight < 1 else (None,) * 4
        ia, ic, it = (build_index(x, tokenizer=tok) for x in (self.align, self.corpus, self.titles))
        dummy = (lambda n: np.zeros((n, 4), np.float32))
        texts = (lambda x: x if evidence else None)
        top = hybrid_topk(va if va is not None else dummy(len(self.align)), ia, 1,
                          weight=weight, texts=texts(self.align)).indices[:, 0]
        rows = sorted(self.partners)
        srch = hybrid_topk(vc if vc is not None else dummy(len(self.corpus)), ic, 1, weight=weight,
                           queries=vq if vq is not None else dummy(len(self.queries)),
                           query_texts=self.queries, texts=texts(self.corpus)).indices[:, 0]
        nb = hybrid_topk(vt if vt is not None else dummy(len(self.titles)), it, 10,
                         weight=weight, texts=texts(self.titles)).indices
        return {"same R@1": float(np.mean([top[r] in self.partners[r] for r in rows])),
                "search R@1": float(np.mean([srch[q] == a for q, a in self.answer.items()])),
                "fine P@10": float((self.fine[nb] == self.fine[:, None]).mean()),
                "coarse P@10": float((self.coarse[nb] == self.coarse[:, None]).mean())}


def _table(rows: list[tuple[str, dict[str, float]]]) -> None:
    print("| configuration | same R@1 | search R@1 | fine P@10 | coarse P@10 |\n|---|---|---|---|---|")
    for name, f in rows:
        print(f"| {name} | {f['same R@1']:.3f} | {f['search R@1']:.3f} | {f['fine P@10']:.3f} "
              f"| {f['coarse P@10']:.3f} |", flush=True)


def report() -> None:
    zh, w = ZhDev(), LANGUAGE_DEFAULTS["zh"].hybrid_weight
    print(f"zh-dev: {len(zh.partners)} same-product queries in {len(zh.align)} titles; "
          f"{len(zh.answer)} search queries x {len(zh.corpus)}; {len(zh.titles)} categorised titles")
    _table([("before: MiniLM + CJK bigrams, w=0.7 (the English default)",
             zh.figures("bundled", 0.7, bigram_tokens)),
            ("character-bigram BM25 alone (lexical, w=1)", zh.figures("bundled", 1.0, bigram_tokens)),
            ("MiniLM alone (w=0)", zh.figures("bundled", 0.0)),
            ("multilingual alone (w=0)", zh.figures("multilingual", 0.0)),
            ("characters + bigrams alone (lexical, w=1)", zh.figures("multilingual", 1.0)),
            (f"Chinese default: multilingual + characters + bigrams, w={w}",
             zh.figures("multilingual", w)),
            ("the same with same-product evidence (the app's lists)",
             zh.figures("multilingual", w, evidence=True))])


def select() -> None:
    """Rule: the weight with the best mean of same-product R@1 and fine P@10 (the two
    figures of issue 15); ties go to the smaller weight."""
    zh = ZhDev()
    rows, best = [], None
    for w in np.round(np.arange(0.0, 1.0001, 0.05), 2):
        f = zh.figures("multilingual", float(w))
        rows.append((f"multilingual, w={w:.2f}", f))
        score = (f["same R@1"] + f["fine P@10"]) / 2
        if best is None or score > best[1] + 1e-9:
            best = (float(w), score)
    _table(rows)
    print(f"chosen by the rule: {best[0]:.2f} (core/catalog/language.py has "
          f"{LANGUAGE_DEFAULTS['zh'].hybrid_weight})")


def tokenizers() -> None:
    import jieba  # requirements-dev.txt; measured, not used by the app

    jieba.setLogLevel(60)
    words = (lambda run: [x for x in jieba.lcut(run) if x.strip()])
    search_words = (lambda run: [x for x in jieba.lcut_for_search(run) if x.strip()])
    kinds = {"characters + bigrams (default)": tokenize, "bigrams (before)": bigram_tokens,
             "jieba words": tokens_with(words), "jieba search mode": tokens_with(search_words),
             "bigrams + jieba words": tokens_with(lambda r: _bigrams(r) + ["w:" + x for x in words(r)]),
             "characters + bigrams, Latin tokens dropped": tokens_with(
                 lambda r: list(r) + _bigrams(r) if len(r) > 1 else [r], latin=False)}
    zh, w = ZhDev(), LANGUAGE_DEFAULTS["zh"].hybrid_weight
    rows = []
    for name, tok in kinds.items():
        rows += [(f"{name}: lexical alone", zh.figures("multilingual", 1.0, tok)),
                 (f"{name}: fused w={w}", zh.figures("multilingual", w, tok))]
    _table(rows)


def crosslingual(path: str) -> None:
    """PAIRS.tsv: columns source, en, zh (the same product in both languages). en->zh: each
    English text ranks the Chinese ones + zh-dev's 1,000 titles; zh->en: each Chinese text
    ranks the English ones + Abt's 1,081 names."""
    x = pd.read_csv(path, sep="\t", dtype=str)
    zh_more = [t for t in ZhDev().titles if t not in set(x.zh)]
    en_more = [t for t in abt_buy()[0]["name"] if t not in set(x.en)]
    print(f"{len(x)} pairs ({path})\n| model | direction | w | R@1 | R@10 |\n|---|---|---|---|---|")
    for model in ("bundled", "multilingual"):
        for name, q, corpus in (("en->zh", x.en.tolist(), x.zh.tolist() + zh_more),
                                ("zh->en", x.zh.tolist(), x.en.tolist() + en_more)):
            vq, vc, index = embed(q, model), embed(corpus, model), build_index(corpus)
            for w in (0.0, LANGUAGE_DEFAULTS["zh"].hybrid_weight, 1.0):
                nb = hybrid_topk(vc, index, 10, weight=w, queries=vq, query_texts=q).indices
                hit = nb == np.arange(len(q))[:, None]
                print(f"| {model} | {name} | {w} | {hit[:, 0].mean():.3f} | {hit.any(1).mean():.3f} |")


def english() -> None:
    """Abt->Buy R@1 (all 1,081 queries) and walmart P@10 (every title) with each model; and
    proof that the Chinese tokenizer change leaves English tokens alone."""
    abt, buy, gold = abt_buy()
    a, b = abt["name"].tolist(), buy["name"].tolist()
    pa, pb = {v: i for i, v in enumerate(abt["id"])}, {v: i for i, v in enumerate(buy["id"])}
    truth: dict[int, set[int]] = {}
    for ia, ib in zip(gold["idAbt"], gold["idBuy"]):
        truth.setdefault(pa[ia], set()).add(pb[ib])
    qs = sorted(truth)
    wm = walmart()
    w_txt, cats = wm["title"].tolist(), wm["category"].to_numpy()
    texts = a + b + w_txt + abt["description"].tolist() + buy["description"].tolist()
    changed = sum(tokenize(t) != bigram_tokens(t) for t in texts)
    print(f"English texts whose tokens changed with the CJK tokenizer: {changed} of {len(texts):,}")
    bi, wi = build_index(b), build_index(w_txt)
    print("| model | w | Abt->Buy R@1 (1,081) | walmart P@10 |\n|---|---|---|---|")
    for model in ("bundled", "multilingual"):
        va, vb, vw = embed(a, model), embed(b, model), embed(w_txt, model)
        for w in (0.0, 0.5, 0.7):
            nb = hybrid_topk(vb, bi, 1, weight=w, queries=va[qs], query_texts=[a[q] for q in qs])
            r1 = retrieval_metrics(nb.indices, [truth[q] for q in qs])["recall@1"]
            p10 = (cats[hybrid_topk(vw, wi, 10, weight=w).indices] == cats[:, None]).mean()
            print(f"| {model} | {w} | {r1:.3f} | {p10:.3f} |", flush=True)


def speed(n: int = 64, rounds: int = 2) -> None:
    """texts/s of each model on the same zh and en titles, rounds interleaved so that a busy
    machine slows both alike (read the ratio)."""
    from core.embed.encoders import load_encoder

    zh, en = ZhDev().titles[:n], walmart()["title"].tolist()[:n]
    models = {"multilingual": load_encoder("multilingual"), "MiniLM (onnx)": load_encoder("bundled")}
    for enc in models.values():
        enc.encode(zh[:8])
    for r in range(rounds):
        for lang, texts in (("zh", zh), ("en", en)):
            rate = {}
            for name, enc in models.items():
                t = time.perf_counter()
                enc.encode(texts)
                rate[name] = len(texts) / (time.perf_counter() - t)
            print(f"round {r} {lang}: " + ", ".join(f"{k} {v:.1f} texts/s" for k, v in rate.items())
                  + f"; multilingual / MiniLM = {rate['multilingual'] / rate['MiniLM (onnx)']:.2f}")


def finetune_gain(seed: int = 0, changes: dict | None = None,
                  starts: tuple[str, ...] = ("multilingual", "bundled")) -> None:
    """Fine-tuning on a Chinese catalog: zh-dev's same-product pairs split in two by
    connected group (seeded), one half trains (through core.finetune as the CLI runs it:
    the lists' current model is the multilingual engine), the other half's titles are the
    queries (never in a training pair); the app's lists (Chinese weight, same-product
    evidence) before and after, tuned from the multilingual copy (the default start) and
    from the bundled English MiniLM."""
    import tempfile
    from pathlib import Path

    from core.catalog.table import ColumnMapping, build_catalog
    from core.embed.bert import BertEncoder
    from core.finetune import FinetuneSettings, finetune
    from core.finetune.card import model_defaults
    from core.finetune.data import build_training_set
    from core.finetune.pairs import LabelledPairs

    zh, w = ZhDev(), LANGUAGE_DEFAULTS["zh"].hybrid_weight
    groups: dict[int, int] = {}
    for r in sorted(zh.partners):  # connected groups of same-product titles
        if r in groups:
            continue
        stack, groups[r] = [r], r
        while stack:
            for o in zh.partners[stack.pop()]:
                if o not in groups:
                    groups[o] = r
                    stack.append(o)
    roots = sorted(set(groups.values()))
    rng = np.random.default_rng(seed)
    train_roots = set(rng.permutation(roots)[: len(roots) // 2].tolist())
    train = [(a, b) for a in sorted(zh.partners) for b in zh.partners[a]
             if a < b and groups[a] in train_roots]
    queries = [r for r in sorted(zh.partners) if groups[r] not in train_roots]
    catalog = build_catalog(pd.DataFrame({"id": [f"t{i}" for i in range(len(zh.align))],
                                          "title": zh.align}),
                            ColumnMapping(text_columns=("title",), id_column="id"))
    words = build_index(zh.align)

    def r1(vectors: np.ndarray, weight: float) -> float:
        top = hybrid_topk(vectors, words, 1, weight=weight, texts=zh.align).indices[:, 0]
        return float(np.mean([top[r] in zh.partners[r] for r in queries]))

    zero = zh.vectors("multilingual")[0]
    print(f"zh-dev same-product pairs: {len(train)} train pairs ({len(train_roots)} groups), "
          f"{len(queries)} query titles in the other groups; {len(zh.align)} titles")
    print(f"zero-shot Chinese default (multilingual engine, w={w}, evidence): R@1 "
          f"{r1(zero, w):.3f}; the engine alone (w=0): {r1(zero, 0.0):.3f}", flush=True)
    pairs = LabelledPairs(np.array([a for a, _ in train]), np.array([b for _, b in train]),
                          np.ones(len(train), dtype=np.int8), "zh-dev train half")
    data = build_training_set(catalog, pairs, valid_fraction=FinetuneSettings().valid_fraction)
    for start in starts:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            res = finetune(catalog.texts, data, base_model="multilingual", base_vectors=zero,
                           start_from=start, out=Path(tmp) / "ft", words=words,
                           hybrid_weight=w,
                           settings=FinetuneSettings(keep="always", **(changes or {})))
            took = time.perf_counter() - t
            tuned = BertEncoder(res.folder).encode(zh.align)
            chosen = model_defaults(str(res.folder)).hybrid_weight or w
            print(f"tuned from {start}: lists R@1 {r1(tuned, chosen):.3f} at its chosen weight "
                  f"{chosen:g} ({r1(tuned, w):.3f} at {w:g}); model alone {r1(tuned, 0.0):.3f}; "
                  f"job {took:.0f} s; the job's held-out check: "
                  f"{'better, kept' if res.improved else 'not better, not kept by default'}",
                  flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--select", action="store_true")
    p.add_argument("--tokenizers", action="store_true")
    p.add_argument("--crosslingual", metavar="PAIRS.tsv")
    p.add_argument("--english", action="store_true")
    p.add_argument("--speed", action="store_true")
    p.add_argument("--finetune", action="store_true")
    p.add_argument("--set", action="append", default=[], help="--finetune: setting=value")
    p.add_argument("--start", action="append", help="--finetune: the models to start from")
    p.add_argument("--seed", type=int, default=0, help="--finetune: the split")
    args = p.parse_args()
    if args.select:
        select()
    elif args.tokenizers:
        tokenizers()
    elif args.crosslingual:
        crosslingual(args.crosslingual)
    elif args.english:
        english()
    elif args.speed:
        speed()
    elif args.finetune:
        import json
        finetune_gain(args.seed, {k: json.loads(v) for k, v in (x.split("=", 1) for x in args.set)},
                      tuple(args.start or ("multilingual", "bundled")))
    else:
        report()


if __name__ == "__main__":
    main()
