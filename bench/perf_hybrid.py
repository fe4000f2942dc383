"""Hybrid candidate pool at catalog scale: time and peak memory.

    .venv/bin/python bench/perf_hybrid.py [--sizes 10000,30000] [--k 100] [--methods new,old] [--parts]

A seeded synthetic catalog (brand + product words + a model number + a size,
2,000 product families so both channels find real neighbours) and seeded
clustered 384-d unit vectors (MiniLM's size; the encoder is not what is
measured). For each size: the pool core.pipeline.candidate_pool builds with
hybrid on (hybrid_topk, depth 100) -- "new" is the current code, "old" the
previous implementation (core/search/reference.py) as the baseline -- wall time, peak extra
RSS (sampled every 50 ms), and whether both give the same lists and scores.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from perf_topk import PeakRss, vectors

from core.config import DEFAULT_HYBRID_WEIGHT
from core.search.fusion import DEPTH
from core.search.index import hybrid_topk
from core.search.lexical import build_index
from core.search.reference import old_hybrid_topk, old_lexical_topk

UNITS = ["gb", "in", "oz", "w", "ft", "mm", "ml", "lb", "pk", "tb", "mah", "v"]
SYLLABLES = ["ka", "ro", "ve", "lin", "tor", "sa", "mi", "dex", "po", "ra", "zen", "qu", "bel"]
BRANDS = [SYLLABLES[i % 13] + SYLLABLES[(i // 13) % 13] + SYLLABLES[(i // 169) % 13]
          for i in range(300)]  # letter-only names: no token shared by every title
WORDS = [
    "black", "white", "steel", "wireless", "digital", "portable", "compact", "pro", "mini",
    "ultra", "hd", "lcd", "led", "camera", "lens", "speaker", "headphones", "cable", "charger",
    "case", "cover", "laptop", "tablet", "phone", "printer", "ink", "toner", "mouse", "keyboard",
    "monitor", "tv", "stand", "mount", "bag", "battery", "adapter", "kit", "set", "pack",
    "replacement", "kitchen", "blender", "coffee", "maker", "vacuum", "fan", "heater",
]


def synthetic_titles(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """n product titles and their family (0..1999) for clustered vectors."""
    rng = np.random.default_rng(seed)
    fam = rng.integers(0, 2000, n)
    frng = np.random.default_rng(seed + 1)
    fam_words = frng.integers(0, len(WORDS), (2000, 4))
    fam_brand = frng.integers(0, len(BRANDS), 2000)
    out = []
    for _i, f in enumerate(fam):
        words = [WORDS[w] for w in fam_words[f] if rng.random() < 0.8]
        words.append(WORDS[rng.integers(0, len(WORDS))])
        model = f"{chr(65 + f % 26)}{chr(65 + (f // 26) % 26)}-{f * 7 % 9973}{rng.integers(0, 9)}"
        size = f"{rng.integers(1, 64)}{rng.choice(UNITS)}"
        out.append(" ".join([BRANDS[fam_brand[f]], *words, model, size]))
    return out, fam


def measure(fn, *args, **kwargs):
    """(result, seconds, extra peak GB) of one call."""
    with PeakRss() as mem:
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        wall = time.perf_counter() - t
    return out, wall, mem.extra_gb


def same(a, b) -> str:
    idx = (a.indices == b.indices).mean()
    diff = float(np.abs(a.scores - b.scores).max()) if a.scores.size else 0.0
    return f"same lists {idx:.4%}, max score diff {diff:.1e}"


def parts(v: np.ndarray, index, depth: int, n: int) -> None:
    """Where the pool's time goes: each channel's top-depth alone, new and old lexical."""
    from core.search.exact import topk
    from core.search.lexical import lexical_topk

    for name, fn, args in (("dense top-k (core.search.exact)", topk, (v, depth)),
                           ("lexical top-k new", lexical_topk, (index, depth)),
                           ("lexical top-k old", old_lexical_topk, (index, depth))):
        _, wall, gb = measure(fn, *args)
        print(f"n={n:>7,}   {name:30s} {wall:7.1f} s, extra peak {gb:5.2f} GB", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,30000")
    p.add_argument("--k", type=int, default=DEPTH)
    p.add_argument("--weight", type=float, default=DEFAULT_HYBRID_WEIGHT)
    p.add_argument("--methods", default="new,old")
    p.add_argument("--parts", action="store_true", help="also time each channel alone")
    args = p.parse_args()
    methods = args.methods.split(",")
    warm_t, _ = synthetic_titles(300)
    for fn in (hybrid_topk, old_hybrid_topk):  # imports and JIT (cached) out of the timings
        fn(vectors(300, "clustered"), build_index(warm_t), 10, weight=args.weight)
    print(f"hybrid pool, depth {max(DEPTH, args.k)}, weight {args.weight}; "
          f"load {os.getloadavg()[0]:.1f} (2 cores shared: ratios count)")
    for n in (int(s) for s in args.sizes.split(",")):
        titles, _ = synthetic_titles(n)
        v = vectors(n, "clustered")
        index, t_index, _ = measure(build_index, titles)
        out = {}
        for method in methods:
            fn = hybrid_topk if method == "new" else old_hybrid_topk
            out[method], wall, gb = measure(fn, v, index, args.k, weight=args.weight,
                                            depth=max(DEPTH, args.k))
            print(f"n={n:>7,} {method:3s}: pool {wall:7.1f} s, extra peak {gb:5.2f} GB "
                  f"(index {t_index:.1f} s) load {os.getloadavg()[0]:.1f}", flush=True)
        if len(out) == 2:
            print(f"n={n:>7,} new vs old: {same(out['new'], out['old'])}", flush=True)
        if args.parts:
            parts(v, index, max(DEPTH, args.k), n)


if __name__ == "__main__":
    main()
