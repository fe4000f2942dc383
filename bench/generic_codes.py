"""The codes that name a kind of product in the reference catalogs, for
core/search/generic_codes.py (paste the printed literal there).

    .venv/bin/python bench/generic_codes.py

A code (core.search.evidence.read_text) counts as a model code in a catalog when at most
max(CODE_ROWS, CODE_SHARE of its rows) products name it: "ddr3" or "cat6" name a kind
of product, not one product. A small catalog cannot tell: in 300 products "ddr3" may
appear twice, and two memory modules of different brands then "share a model code"
and read as the same product. The same rule applied to the reference catalogs (the
titles of Abt, Buy, walmart.csv and every amazon.csv row: 26,801 products) names the
codes that are common anyway; TextEvidence.build leaves them out in every catalog.

Measured 2026-12-06 with the list made without the catalog read (so that no catalog is
read with a list made from itself; /work-only prototypes), with the decimal and resolution
rule of read_text and the refit of the calibration (bench/score_quality.py --fit):
- one-shop samples of walmart.csv (10 each): list entries scored >= 0.9 per 100
  products, before -> after: 300 products 1.70 -> 1.17, 2,554 (the demo) 2.82 -> 2.39;
  most of those left out are two products of a kind ("kingston 2gb ddr3" and "hyperx
  4gb ddr3", two usb 2.0 hard drive enclosures, two cat6 cables);
- random samples of walmart-amazon (20 each; the list without walmart.csv), precision /
  recall of entries >= 0.9 across the shops: 1,000 products 0.689 / 0.405 -> 0.779 /
  0.397, 3,000 0.800 / 0.362 -> 0.815 / 0.356;
- random samples of abt-buy (20 each; the list from walmart + amazon): 300 products
  0.947 / 0.635 -> 0.963 / 0.624, 1,000 0.981 / 0.615 -> 0.985 / 0.613;
- the whole labelled catalogs (bench/score_quality.py with the shipped list): valid
  abt-buy 0.912 / 0.995 / 0.590 (unchanged), walmart-amazon 0.865 / 0.907 / 0.402 ->
  0.864 / 0.912 / 0.402; test 0.912 / 0.995 / 0.573 -> 0.570 and 0.853 / 0.890 / 0.345
  -> 0.853 / 0.888 / 0.334.
"""

from __future__ import annotations

from collections import Counter

from common import SHARED, abt_buy, walmart

from core.search.evidence import CODE_SHARE, read_text


def reference_titles() -> list[str]:
    import pandas as pd

    abt, buy, _ = abt_buy()
    amazon = pd.read_csv(SHARED / "walmart-amazon" / "amazon.csv", dtype=str,
                         keep_default_na=False)
    return (abt["name"].tolist() + buy["name"].tolist() + walmart()["title"].tolist()
            + amazon["title"].tolist())


def generic_codes(texts: list[str]) -> list[tuple[str, int]]:
    df: Counter = Counter()
    for text in texts:
        df.update(read_text(text)[0])
    limit = CODE_SHARE * len(texts)
    return sorted(((c, n) for c, n in df.items() if n > limit), key=lambda x: (-x[1], x[0]))


def main() -> None:
    texts = reference_titles()
    found = generic_codes(texts)
    print(f"# {len(texts):,} reference titles; codes named by more than "
          f"{CODE_SHARE * len(texts):.1f} of them: {len(found)}")
    print("GENERIC_CODES = frozenset((")
    line = "   "
    for code, _ in found:
        item = f" {code!r},"
        if len(line) + len(item) > 90:
            print(line)
            line = "   "
        line += item
    print(line)
    print("))")
    print("# counts:", ", ".join(f"{c} {n}" for c, n in found))


if __name__ == "__main__":
    main()
