"""Price check: each product's price against the prices of its similar products.

A product whose price is far from the median price of its neighbours is an
outlier: over-priced (or mis-keyed) above, under-priced below. "Far" is a robust
z-score of log(price / peer median) across the catalog (median and MAD, so a few
wild prices do not hide the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.figures import safe_label
from core.lists.spec import Rules
from core.search.neighbors import Neighbors

DEFAULT_Z = 3.0
DEFAULT_MIN_PEERS = 3
_CURRENCY = re.compile(r"[^0-9.,\-]")
_ABBREVIATION_DOT = re.compile(r"(?<=[^\W\d_])\.")
# A price cell: one number (digits with grouping marks) between a few currency words or
# signs ("US$ 1,299.00", "¥99起", "12,5 € / Stück"); a formula, an expression, a range or a
# sentence with a number in it ("=1+1", "$x^2$", "10-20", "Model 2000 lamp") is no price
_ONE_NUMBER = re.compile(r"^(\D*?)(\d(?:[\d.,' \u00a0\u202f]*\d)?)(\D*)$")
_NOT_AROUND_A_PRICE = re.compile(r"[=^*\\<>(){}\[\]|#_~`\"%@&;]|\d")
_MAX_LETTERS = 6  # "approx.", "券后价", "USD", "Preis:"; "see page 3" is no price
# A magnitude right after the number: "1.5k" is 1,500, "2.3万" 23,000 (Chinese listings price
# dear goods in 万), "$12.5M" 12,500,000; they read 1.5, 2.3 and 12.5 before. "5 kg" is no
# magnitude (a Latin letter follows the k; "万元" is 万 yuan).
_MAGNITUDE = re.compile(r"^\s*(k|K|千|万|萬|亿|億|M)(?![A-Za-z])")
_MAGNITUDES = {"k": 1e3, "K": 1e3, "千": 1e3, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8,
               "M": 1e6}
MAD_TO_SIGMA = 1.4826
# Okabe-Ito vermillion and blue: told apart with any colour vision (orange beside red was not),
# and each flag has its own shape as well (up: above its similar products' prices); the
# prices in line are grey dots, behind.
FLAG_COLORS = {"in line": "#A6A6A6", "over-priced": "#D55E00", "under-priced": "#0072B2"}
FLAG_SYMBOLS = {"in line": "circle", "over-priced": "triangle-up", "under-priced": "triangle-down"}


# A whole price written "19,-" or "1.299,- €" (German, Swiss, Scandinavian price tags)
_WHOLE_DASH = re.compile(r"(\d)([.,])[-\u2013\u2014](?!\d)")


# The currency a price cell names, as one code per sign or word ("$" is every dollar: a
# catalog of US and Canadian dollars is one currency here)
_CURRENCIES = (("USD", r"\$|\busd\b|\bus\$"), ("EUR", r"€|\beur\b|\beuro?s?\b"),
               ("GBP", r"£|\bgbp\b"), ("JPY", r"\bjpy\b|円"), ("CNY", r"\bcny\b|\brmb\b|元"),
               ("YEN", r"¥|￥"), ("RUB", r"₽|\brub\b|руб"), ("INR", r"₹|\binr\b|\brs\b\.?"),
               ("CHF", r"\bchf\b"), ("KRW", r"₩|\bkrw\b|원"), ("PLN", r"\bpln\b|zł"),
               ("SEK", r"\bsek\b"), ("BRL", r"r\$|\bbrl\b"))
_CURRENCY_OF = [(code, re.compile(pattern, re.IGNORECASE)) for code, pattern in _CURRENCIES]


def price_currencies(values: pd.Series | list | np.ndarray) -> np.ndarray:
    """(n,) object array: the currency each price cell names ("USD", "EUR", ...; "" when
    it names none or several)."""
    out = []
    for value in pd.Series(values, dtype=object).fillna("").astype(str).tolist():
        text = value[:60]
        found = {code for code, pattern in _CURRENCY_OF if pattern.search(text)}
        if "BRL" in found:  # R$ holds a $
            found.discard("USD")
        if len(found) == 2 and "YEN" in found and found & {"CNY", "JPY"}:
            found.discard("YEN")  # "¥99 元": the ¥ of a yuan
        out.append(found.pop() if len(found) == 1 else "")
    return np.asarray(out, dtype=object)


def one_currency(values: pd.Series | list | np.ndarray) -> np.ndarray:
    """parse_prices, NaN where a cell names another currency than the column's most common
    one (a catalog merged from two shops, "29.99 USD" beside "3,980 円": numbers that cannot
    be compared); cells that name none keep their number."""
    prices = parse_prices(values)
    codes = price_currencies(values)
    present = set(codes.tolist()) - {""}
    if "YEN" in present and len(present & {"CNY", "JPY"}) == 1:
        # ¥ is the sign of the yuan and of the yen: in a column that names one of them
        # ("¥99" beside "199元", a Chinese shop's usual mix) it is that one
        codes[codes == "YEN"] = (present & {"CNY", "JPY"}).pop()
    named = pd.Series(codes[codes != ""])
    if named.nunique() > 1:
        prices[(codes != "") & (codes != named.mode().iloc[0])] = np.nan
    return prices


def parse_prices(values: pd.Series | list | np.ndarray) -> np.ndarray:
    """Prices as (n,) float64; NaN where a value is empty, unparseable or not > 0.

    Accepts "$1,299.00", "1.299,00 €", "12,5", "399", "19,-", and a magnitude after the number
    ("1.5k" = 1,500, "2.3万" = 23,000, "$12.5M" = 12,500,000). A comma followed by one or
    two digits at the end is a decimal comma; otherwise commas group thousands. In a
    column written with decimal commas (and no decimal point anywhere), "1.299" is
    1299: its point groups thousands, as a German or French spreadsheet writes it.
    """
    # NFKC: full-width digits and marks (Chinese and Japanese input: "１２８", "９９．５") as
    # ASCII, as the product finder reads them (core.catalog.views.fold_all); the dot of an
    # abbreviation ("Rs. 499", "approx.") is not a decimal point
    text = pd.Series(values, dtype=object).astype(str).str.normalize("NFKC").str.strip()
    text = text.str.replace(_ABBREVIATION_DOT, " ", regex=True)
    text = text.str.replace(_WHOLE_DASH, r"\1\g<2>00", regex=True)  # "19,-" is 19,00
    parts = text.str.extract(_ONE_NUMBER)  # (before, the number, after) of each cell
    price_like = _price_like(text, parts)
    magnitude = parts[2].fillna("").str.extract(_MAGNITUDE)[0].map(_MAGNITUDES).fillna(1.0) \
        .to_numpy(dtype=np.float64)
    text = text.str.replace(_CURRENCY, "", regex=True)
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    comma_last = text.str.rfind(",") > text.str.rfind(".")
    euro = both & comma_last
    decimal_comma = ~both & text.str.contains(r",\d{1,2}$", regex=True)
    decimal_point = ~both & text.str.contains(r"\.\d{1,2}$", regex=True)
    if (euro | decimal_comma).any() and not (decimal_point | (both & ~comma_last)).any():
        euro = euro | (~both & text.str.fullmatch(r"[-+]?\d{1,3}(?:\.\d{3})+"))
    text = text.where(~euro, text.str.replace(".", "", regex=False))
    text = text.where(~(euro | decimal_comma), text.str.replace(",", ".", regex=False))
    text = text.str.replace(",", "", regex=False)
    prices = pd.to_numeric(text.where(price_like, ""), errors="coerce").to_numpy(
        dtype=np.float64, copy=True) * magnitude
    prices[~(prices > 0)] = np.nan
    return prices


def _price_like(text: pd.Series, parts: pd.DataFrame) -> pd.Series:
    """Which cells hold one number with at most a few currency words or signs around it
    (parts: the cells' _ONE_NUMBER groups)."""
    around = parts[0].fillna("") + " " + parts[2].fillna("")
    letters = around.str.count(r"[^\W\d_]")
    return (parts[1].notna() & ~around.str.contains(_NOT_AROUND_A_PRICE)
            & (letters <= _MAX_LETTERS) & ~text.str.startswith(("=", "+", "@")))


@dataclass(frozen=True)
class PriceCheck:
    """Per product: price, peer median, ratio, robust z and flag.

    All arrays (n,): price/peer_median/ratio/z float64 (NaN when unknown or
    fewer than min_peers priced neighbours), peers int64, flag object
    ("over", "under" or "").
    """

    price: np.ndarray
    peer_median: np.ndarray
    peers: np.ndarray
    ratio: np.ndarray
    z: np.ndarray
    flag: np.ndarray
    z_threshold: float

    @property
    def checked(self) -> int:
        return int(np.isfinite(self.z).sum())

    def count(self, flag: str) -> int:
        return int((self.flag == flag).sum())


def peer_rules(rules: Rules) -> Rules:
    """The rules of the lists a price check compares prices within: every rule but the price
    range. Under a range of 0.5 to 2 times the product's price, every peer is priced within
    it by construction, so nothing could ever be flagged."""
    return replace(rules, price_ratio=None)


def price_check(prices: np.ndarray, neighbors: Neighbors, *, z_threshold: float = DEFAULT_Z,
                min_peers: int = DEFAULT_MIN_PEERS) -> PriceCheck:
    """Compare prices (n,) float with the median price of each product's list.

    neighbors: (n, k) lists; -1 entries (short lists) are ignored.
    """
    if z_threshold <= 0:
        raise ValueError("z_threshold must be positive")
    prices = np.asarray(prices, dtype=np.float64)
    idx = neighbors.indices
    peer = np.where(idx >= 0, prices[np.clip(idx, 0, None)], np.nan)
    peers = np.isfinite(peer).sum(1)
    median = np.full(len(prices), np.nan)
    known = peers >= max(1, min_peers)  # rows with a priced peer (none when lists are empty)
    if known.any():
        median[known] = np.nanmedian(peer[known], axis=1)
    ratio = prices / median
    log_ratio = np.log(ratio)
    ok = np.isfinite(log_ratio)
    z = np.full(len(prices), np.nan)
    if ok.any():
        centre = np.median(log_ratio[ok])
        spread = MAD_TO_SIGMA * np.median(np.abs(log_ratio[ok] - centre))
        spread = spread if spread > 0 else max(float(np.std(log_ratio[ok])), 1e-9)
        z[ok] = (log_ratio[ok] - centre) / spread
    flag = np.full(len(prices), "", dtype=object)
    flag[z > z_threshold] = "over"
    flag[z < -z_threshold] = "under"
    return PriceCheck(prices, median, peers.astype(np.int64), ratio, z, flag, float(z_threshold))


def outliers_frame(ids: np.ndarray, titles: list[str], check: PriceCheck) -> pd.DataFrame:
    """Flagged products, most extreme first: id, title, price, peer median, ratio, z, flag."""
    rows = np.nonzero(check.flag != "")[0]
    rows = rows[np.argsort(-np.abs(check.z[rows]), kind="stable")]
    return pd.DataFrame({
        "product_id": np.asarray(ids, dtype=object)[rows],
        "title": np.asarray(titles, dtype=object)[rows],
        "price": check.price[rows].round(2),
        "peer_median": check.peer_median[rows].round(2),
        "ratio": check.ratio[rows].round(3),
        "z": check.z[rows].round(2),
        "flag": check.flag[rows],
    })


def _log_ticks(values: np.ndarray) -> dict:
    """A log axis's labels: powers of ten where at least two fall within the values' range,
    else 1-2-5 steps (5, 10, 20) where two fall in it, else evenly spaced round values inside
    it (14, 16, 18 for prices of 12.50 to 18.50: a catalog priced within one decade)."""
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return {"dtick": 1}
    lo, hi = float(values.min()), float(values.max())
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    for steps in ((1,), (1, 2, 5)):
        inside = [m * 10.0 ** e for e in decades for m in steps
                  if lo / 1.05 <= m * 10.0 ** e <= hi * 1.05]
        if len(inside) >= 2:
            return {"dtick": 1} if steps == (1,) else {"tickmode": "array", "tickvals": inside}
    if hi - lo <= 1e-9 * hi:  # one price
        return {"tickmode": "array", "tickvals": [float(f"{lo:.3g}")]}
    raw = (hi - lo) / 4
    scale = 10.0 ** np.floor(np.log10(raw))
    step = next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= raw)
    ticks = np.arange(np.ceil(lo / step) * step, hi + step * 1e-6, step)
    return {"tickmode": "array", "tickvals": [float(f"{v:.6g}") for v in ticks]}


def price_figure(check: PriceCheck, titles: list[str], *, max_points: int = 5000):
    """Log-log scatter of price vs peer median; outliers coloured and shaped (FLAG_COLORS,
    FLAG_SYMBOLS). Capped at max_points
    (outliers always kept, the rest sampled with a fixed seed)."""
    import plotly.graph_objects as go

    ok = np.nonzero(np.isfinite(check.z))[0]
    flagged = ok[check.flag[ok] != ""]
    rest = ok[check.flag[ok] == ""]
    room = max(0, max_points - len(flagged))
    if len(rest) > room:
        rest = np.sort(np.random.default_rng(0).choice(rest, room, replace=False))
    fig = go.Figure()
    for name, rows in (("in line", rest), ("over-priced", flagged[check.flag[flagged] == "over"]),
                       ("under-priced", flagged[check.flag[flagged] == "under"])):
        fig.add_trace(go.Scattergl(
            x=check.peer_median[rows], y=check.price[rows], mode="markers", name=name,
            text=[safe_label(titles[r]) for r in rows],
            marker={"size": 6 if name == "in line" else 9, "opacity": 0.6 if name == "in line"
                    else 0.9, "color": FLAG_COLORS[name], "symbol": FLAG_SYMBOLS[name]},
            hovertemplate=("%{text}<br>price %{y:.2f}<br>median of similar products %{x:.2f}"
                           "<extra></extra>")))
    # Log axes without minor labels, ticks from the prices shown (_log_ticks: powers of ten,
    # else 1-2-5 steps, else evenly spaced round values within one decade)
    shown = np.concatenate([rest, flagged])
    log_axis = {"type": "log", "tickformat": "~s", "minor": {"showgrid": False}}
    fig.update_layout(xaxis={**log_axis, **_log_ticks(check.peer_median[shown]),
                             "title": {"text": "median price of similar products"}},
                      yaxis={**log_axis, **_log_ticks(check.price[shown]),
                             "title": {"text": "price"}}, height=520,
                      legend={"orientation": "h", "y": 1.08},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig
