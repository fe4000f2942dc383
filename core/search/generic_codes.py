"""Codes that name a kind of product, not one product, in any catalog.

TextEvidence.build counts a code as a model code only when few of the catalog's products
name it (at most max(CODE_ROWS, CODE_SHARE of them)); a small catalog cannot tell a kind
("ddr3", "cat6", "mp3") from a model that way. These are the codes that more than
CODE_SHARE of the reference catalogs' 26,801 titles name (Abt, Buy, walmart.csv and
amazon.csv of the labelled benchmarks; made and measured by bench/generic_codes.py), left
out of every catalog's model codes.
"""

from __future__ import annotations

GENERIC_CODES = frozenset((
    'mp3', 'ddr2', 'ddr3', '240pin', '2way', '3gs', 'cat5e', 'wifi3g', 'pc25300', '2nd',
    '200pin', 'rj45', 'dimm240pin', 'pc26400', 'ddr5', 'h264', 'gddr5', '3way', '184pin',
    '4th', 'pc310600', 'pc2700', 'ps2', '10500', '10700', 'db9', 'pc3200', 'hd15', 'f355',
    'cat6', 'mp4', 't1i', 't2i',
))

__all__ = ["GENERIC_CODES"]
