"""List health, list comparison and price check against hand-computed oracles."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from core.lists.compare import compare_lists, movers, side_by_side
from core.lists.health import gini, health_table, list_health, top_hubs
from core.lists.pricecheck import (
    one_currency,
    outliers_frame,
    parse_prices,
    price_check,
    price_currencies,
)
from core.search.neighbors import Neighbors


def nb(rows: list[list[int]], k: int | None = None) -> Neighbors:
    k = k or max(len(r) for r in rows)
    idx = np.full((len(rows), k), -1, dtype=np.int64)
    for i, r in enumerate(rows):
        idx[i, :len(r)] = r
    scores = np.where(idx >= 0, 1.0 - 0.01 * np.arange(k), np.nan).astype(np.float32)
    return Neighbors(idx, scores, 1 - scores, "cosine")


def test_health_figures_by_hand():
    lists = nb([[1, 2], [0, 2], [1, -1], [1, 0]])
    cats = np.array([0, 0, 1, -1])
    brands = np.array([5, 5, 6, 5])
    h = list_health(lists, k=2, categories=cats, brands=brands)
    assert h.coverage == 0.75 and h.mean_length == 1.75
    assert h.in_degree.tolist() == [2, 3, 2, 0]
    assert h.orphans == 1 and h.max_in_degree == 3
    assert h.hub_share == pytest.approx(3 / 7)  # top 1% of 4 products = 1 product
    # agreement over entries whose source has a category: row0 1/2, row1 1/2, row2 0/1
    assert h.category_agreement == pytest.approx(2 / 5)
    # brand concentration: row0 {5,6} .5, row1 {5,6} .5, row2 {5} 1, row3 {5,5} 1
    assert h.brand_concentration == pytest.approx(0.75)
    table = health_table(h, h)
    assert table["before rules"].tolist() == table["after rules"].tolist()
    hubs = top_hubs(np.array(list("abcd"), dtype=object), list("ABCD"), h, top=2)
    assert hubs["product_id"].tolist() == ["b", "a"]


def test_gini_oracle(rng):
    assert gini(np.zeros(5)) == 0.0 and gini(np.ones(5)) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)
    x = rng.integers(0, 20, 50)
    mean_abs = np.abs(x[:, None] - x[None, :]).mean()
    assert gini(x) == pytest.approx(mean_abs / (2 * x.mean()))


def test_compare_identical_reversed_disjoint():
    a = nb([[1, 2, 3], [0, 2, 3]])
    same = compare_lists(a, a)
    assert same.overlap.tolist() == [1.0, 1.0] and same.rank_corr == pytest.approx([1, 1])
    rev = compare_lists(a, nb([[3, 2, 1], [3, 2, 0]]))
    assert rev.rank_corr == pytest.approx([-1, -1])
    disjoint = compare_lists(nb([[1, 2]]), nb([[3, 0]]))
    assert disjoint.overlap.tolist() == [0.0]
    assert disjoint.identical == 0


def test_identical_lists_cut_short_by_rules_overlap_fully():
    """Lists under the relevance floor or rules hold fewer than k products: the same short
    list in A and B read 0.3 overlap@10 and not identical, though nothing differed."""
    short = nb([[1, 2, 3], [0, -1, -1], [-1, -1, -1]])
    same = compare_lists(short, short, k=10)
    assert same.overlap.tolist() == [1.0, 1.0, 1.0] and same.identical == 3
    longer = compare_lists(nb([[1, 2, -1, -1]]), nb([[1, 2, 3, 0]]), k=4)
    assert longer.overlap.tolist() == [0.5] and longer.identical == 0  # B holds two more


def test_rank_correlation_matches_scipy_on_the_union(rng):
    from scipy.stats import pearsonr

    n, k = 40, 6
    a = np.array([rng.permutation(12)[:k] for _ in range(n)])
    b = np.array([rng.permutation(12)[:k] for _ in range(n)])
    got = compare_lists(nb(a.tolist()), nb(b.tolist()))
    for i in range(n):
        union = list(dict.fromkeys([*a[i], *b[i]]))
        ra = [list(a[i]).index(x) + 1 if x in a[i] else k + 1 for x in union]
        rb = [list(b[i]).index(x) + 1 if x in b[i] else k + 1 for x in union]
        assert got.overlap[i] == pytest.approx(len(set(a[i]) & set(b[i])) / k)
        assert got.rank_corr[i] == pytest.approx(pearsonr(ra, rb)[0])


def test_movers_and_side_by_side():
    a, b = nb([[1, 2], [0, 2], [0, 1]]), nb([[1, 2], [2, 0], [1, 0]])
    b = Neighbors(np.array([[1, 2], [2, 0], [2, -1]]), b.scores, b.distances, "cosine")
    result = compare_lists(a, b)
    ids = np.array(["x", "y", "z"], dtype=object)
    table = movers(ids, ["X", "Y", "Z"], result, a, b, top=3)
    assert table["product_id"].tolist()[0] == "z"
    assert table.loc[0, "only_in_a"] == "x, y" and table.loc[0, "only_in_b"] == "z"
    pair = side_by_side(ids, ["X", "Y", "Z"], a, b, 2)
    assert pair["a_id"].tolist() == ["x", "y"] and pair["b_id"].tolist() == ["z", ""]


def test_parse_prices():
    got = parse_prices(["$1,299.00", "1.299,00 €", "12,5", "399", "", "free", "-3", "0"])
    assert got[:4].tolist() == [1299.0, 1299.0, 12.5, 399.0]
    assert np.isnan(got[4:]).all()
    # whole prices on a German or Swiss price tag; a range is still no price
    tags = parse_prices(["19,-", "1.299,- €", "CHF 19.–", "12-15", "12,-15"])
    assert tags[:3].tolist() == [19.0, 1299.0, 19.0] and np.isnan(tags[3:]).all()


def test_full_width_digits_and_abbreviation_dots():
    """'１２８' (Chinese input) was unreadable, and 'Rs. 499' read 0.499 (the abbreviation's
    dot taken for a decimal point): a rupee catalog's price rules compared the wrong numbers."""
    got = parse_prices(["１２８", "９９．５", "￥１，２９９", "Rs. 499", "Rs.499", "approx. 12.5",
                        ".99", "¥99起"])
    assert got.tolist() == [128.0, 99.5, 1299.0, 499.0, 499.0, 12.5, 0.99, 99.0]


def test_a_price_in_another_currency_than_most_is_no_price_to_compare():
    """A catalog merged from two shops: "3,980 円" beside dollars would read as 133 times
    the price (a price conflict between every pair of the two shops)."""
    cells = ["$29.99", "19.99 USD", "3,980 円", "12,50 €", "15.00", "R$ 10", "$5"]
    assert price_currencies(cells).tolist() == ["USD", "USD", "JPY", "EUR", "", "BRL", "USD"]
    got = one_currency(cells)
    assert got[[0, 1, 4, 6]].tolist() == [29.99, 19.99, 15.0, 5.0]  # the most named; none
    assert np.isnan(got[[2, 3, 5]]).all()
    same = ["€ 9", "12,50 €", "7"]  # one currency named: every number kept
    np.testing.assert_array_equal(one_currency(same), parse_prices(same))


def test_the_yen_sign_is_the_yuan_of_a_chinese_shop_and_the_yen_of_a_japanese_one():
    """¥ is the sign of both: a Chinese catalog writing "¥99" beside "199元" lost every ¥
    price (or every 元 one) as another currency; a Japanese one "¥980" beside "1,980円" too."""
    chinese = ["¥99", "199元", "￥299", "¥1,299.00", "88 元", "RMB 50", "50", "¥99 元"]
    assert price_currencies(chinese)[-1] == "CNY"  # both marks: the yuan
    np.testing.assert_array_equal(one_currency(chinese), parse_prices(chinese))
    japanese = ["¥980", "1,980円", "¥500", "$5"]
    got = one_currency(japanese)
    assert got[:3].tolist() == [980.0, 1980.0, 500.0] and np.isnan(got[3])
    both = ["¥980", "1,980元", "2,000円", "¥500"]  # the yuan and the yen named: ¥ says neither
    assert np.isnan(one_currency(both)[[1, 2]]).all()


def test_cells_that_are_no_price_have_none():
    """Every character but digits, '.', ',' and '-' was dropped before reading: '=1+1' read
    11, '$x^2$' 2, '=HYPERLINK("x","9")' 0.9 and 'Model 2000 lamp' 2000, and those numbers
    went into the Price check and the price rules."""
    junk = ["=1+1", "$x^2$", '=HYPERLINK("x","9")', "Model 2000 lamp", "10-20", "20%",
            "2 for $5", "+5", "@SUM(1)", "see page 3"]
    assert np.isnan(parse_prices(junk)).all(), parse_prices(junk)
    kept = ["¥12.5/件", "1 299,00 €", "USD 1,299.00", "Preis: 12,99 €", "券后价 99",
            "1'299.00", "12.99 USD", "CNY¥1299"]
    assert parse_prices(kept).tolist() == [12.5, 1299.0, 1299.0, 12.99, 99.0, 1299.0,
                                           12.99, 1299.0]


def test_a_magnitude_after_the_number_multiplies_it():
    """'2.3万' (23,000: Chinese listings price dear goods in 万) read 2.3, '1.5k' 1.5 and
    '$12.5M' 12.5, with no warning: a price range rule compared a 23,000 yuan product with
    ones at 2 yuan."""
    got = parse_prices(["2.3万", "¥1.98万元", "3.5 万", "1.5k", "1.2 K", "$12.5M", "3千", "2亿"])
    assert got.tolist() == [23000.0, 19800.0, 35000.0, 1500.0, 1200.0, 12_500_000.0, 3000.0,
                            200_000_000.0]
    # no magnitude: a unit or a word after the number, or a letter before it
    assert parse_prices(["5 kg", "128元", "Mk 5", "12 Mio"]).tolist() == [5.0, 128.0, 5.0, 12.0]


def test_a_point_groups_thousands_in_a_column_written_with_decimal_commas():
    german = parse_prices(["12,50", "1.299", "1.299,00", "2.500.000", "7"])
    assert german.tolist() == [12.5, 1299.0, 1299.0, 2500000.0, 7.0]
    # with a decimal point anywhere in the column, "1.299" stays a decimal number
    assert parse_prices(["12.50", "1.299", "3,5"]).tolist() == [12.5, 1.299, 3.5]
    assert parse_prices(["1.299", "7"]).tolist() == [1.299, 7.0]  # nothing says otherwise


def test_price_check_flags_a_planted_outlier(rng):
    n = 60
    prices = rng.lognormal(3, 0.1, n)
    prices[7] *= 20
    prices[9] = np.nan
    lists = nb([[j for j in rng.permutation(n)[:6] if j != i][:5] for i in range(n)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = price_check(prices, lists, z_threshold=4.0)
    assert check.flag[7] == "over"
    assert check.count("over") + check.count("under") <= 3
    assert np.isnan(check.z[9])
    frame = outliers_frame(np.arange(n).astype(str), [f"t{i}" for i in range(n)], check)
    assert frame["product_id"].iloc[0] == "7"
    lonely = price_check(prices, nb([[1]] + [[0]] * (n - 1)), min_peers=3)
    assert lonely.checked == 0
    with pytest.raises(ValueError):
        price_check(prices, lists, z_threshold=0)
    assert isinstance(frame, pd.DataFrame)


def test_price_check_of_a_catalog_of_one_product_warns_nothing():
    # lists of width 0 (one product): numpy's "RuntimeWarning: Mean of empty slice", with
    # its file path, reached the nightly log
    empty = Neighbors(np.zeros((1, 0), np.int64), np.zeros((1, 0), np.float32),
                      np.zeros((1, 0), np.float32), "cosine")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = price_check(np.array([12.5]), empty)
    assert check.checked == 0 and np.isnan(check.peer_median[0])


def test_in_degree_figure_counts_products_per_in_degree():
    from core.lists.health import in_degree_figure

    before = list_health(nb([[1, 2], [0, 2], [1, -1], [1, 0]]), k=2)
    after = list_health(nb([[1, -1], [0, -1], [1, -1], [1, -1]]), k=2)
    fig = in_degree_figure(before, after)
    assert [t.name for t in fig.data] == ["without rules", "with your rules"]
    assert list(fig.data[0].y) == [1, 0, 2, 1]  # in-degrees 2, 3, 2, 0 -> one 0, two 2s, one 3
    assert list(fig.data[1].y) == [2, 1, 0, 1]  # in-degrees 1, 3, 0, 0
    assert fig.layout.yaxis.type != "log"
    single = in_degree_figure(before, before)
    assert len(single.data) == 1 and not single.layout.showlegend


def test_price_figure_labels_powers_of_ten_only(rng):
    from core.lists.pricecheck import price_figure

    n = 30
    prices = 10 ** np.linspace(0, 4, n)  # 1 to 10,000: labels at 1, 10, 100, 1k, 10k
    lists = nb([[(i + d) % n for d in (1, 2, -1, -2, 3)] for i in range(n)])
    fig = price_figure(price_check(prices, lists), [f"t{i}" for i in range(n)])
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.type == "log" and axis.dtick == 1 and axis.tickvals is None
    # a catalog priced within one decade (12.5 to 18.5) had no label on either axis
    narrow = 12.5 + (np.arange(n) % 7)
    fig = price_figure(price_check(narrow, lists), [f"t{i}" for i in range(n)])
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.type == "log" and axis.tickmode == "array", axis
        assert len(axis.tickvals) >= 2 and all(12 <= v <= 20 for v in axis.tickvals), axis
    same = np.full(n, 9.99)  # one price: one label
    fig = price_figure(price_check(same, lists), [f"t{i}" for i in range(n)])
    assert list(fig.layout.yaxis.tickvals) == [9.99]


def test_price_flags_differ_by_colour_blind_safe_colours_and_by_shape(rng):
    """Over-priced (orange) and under-priced (red) were told apart by a colour pair that
    red-green colour-blind merchandisers cannot separate: now Okabe-Ito vermillion and blue,
    each with its own marker shape, the prices in line grey dots behind them."""
    from core.lists.pricecheck import price_figure

    n = 40
    prices = rng.lognormal(3, 0.2, n)
    prices[0], prices[1] = 1e5, 0.01  # one far above its peers, one far below
    lists = nb([[j for j in rng.permutation(n)[:8] if j != i][:6] for i in range(n)])
    fig = price_figure(price_check(prices, lists), [f"t{i}" for i in range(n)])
    traces = {tr.name: tr for tr in fig.data}
    over, under, rest = traces["over-priced"], traces["under-priced"], traces["in line"]
    assert len(over.x) >= 1 and len(under.x) >= 1
    assert {over.marker.color, under.marker.color} == {"#D55E00", "#0072B2"}
    assert len({over.marker.symbol, under.marker.symbol, rest.marker.symbol}) == 3
    assert rest.marker.color not in (over.marker.color, under.marker.color)
    # the hover names its second figure in words (it read "peers 780.27")
    assert "<br>median of similar products %{x:.2f}" in over.hovertemplate

    def rgb(colour: str) -> np.ndarray:
        return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)

    # Seen with deuteranopia (Machado et al. 2009, severity 1, on sRGB values), the two flags
    # stay apart (206); the old orange #E8710A and red #C62828 came to 104.
    deutan = np.array([[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]])

    def seen(colour: str) -> np.ndarray:
        return np.clip(deutan @ rgb(colour), 0, 255)

    assert np.linalg.norm(seen(over.marker.color) - seen(under.marker.color)) > 150
