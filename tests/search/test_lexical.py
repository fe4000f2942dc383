"""core.search.lexical: tokenizer, BM25 weights against a hand oracle, blocked top-k vs brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.search.lexical import build_index, dense_topk, lexical_topk, pair_scores, tokenize


@pytest.mark.parametrize(("text", "expected"), [
    ("Sony KDL-40V4100 40\" LCD", ["sony", "kdl40v4100", "kdl", "40v4100", "40", "lcd"]),
    ("Panasonic KXTS208W", ["panasonic", "kxts208w", "kxts", "208", "w", "kxts208"]),
    ("2.5mm jack", ["2.5mm", "2.5", "mm", "jack"]),
    ("", []),
    ("  --  ", []),
])
def test_tokenizer_keeps_model_numbers_whole_and_indexes_parts(text, expected):
    assert tokenize(text) == expected


def test_model_number_variants_meet():
    # Joined forms meet across punctuation; stems meet across colour suffixes.
    assert "kdl40v4100" in tokenize("KDL40V4100") and "kdl40v4100" in tokenize("KDL-40V4100")
    assert set(tokenize("DDW1805WH")) & set(tokenize("DDW1805W")) >= {"ddw1805"}
    assert "1eg005201" in tokenize("1EG0.052.01") and "1eg005201" in tokenize("1EG005201")


def test_chinese_becomes_characters_and_bigrams():
    assert tokenize("红色苹果手机") == ["红", "色", "苹", "果", "手", "机",
                                     "红色", "色苹", "苹果", "果手", "手机"]
    assert tokenize("鞋 iPhone15") == ["鞋", "iphone15", "iphone", "15"]
    # a Latin brand and model number inside a Chinese title are tokenized as in English
    assert tokenize("Sansui/山水U3话筒") == ["sansui", "山", "水", "山水", "u3", "u", "3",
                                          "话", "筒", "话筒"]


def test_chinese_tokens_leave_latin_text_unchanged():
    """Only CJK runs changed (characters + bigrams): Latin-script text tokenizes as before."""
    text = 'Sony KDL-40V4100 40" LCD, DDW1805WH 32GB café'
    assert tokenize(text) == ["sony", "kdl40v4100", "kdl", "40v4100", "40", "lcd", "ddw1805wh",
                              "ddw", "1805", "wh", "ddw1805", "32gb", "32", "gb", "café"]
    # full-width characters are normalised (NFKC) before tokenizing
    assert tokenize("ＡＢＣ１２３") == tokenize("ABC123")


def test_traditional_characters_read_as_their_simplified_forms():
    """A query typed in traditional characters (Taiwan, Hong Kong) meets a simplified
    catalog, and a title that mixes the two (去濕气) meets one that does not."""
    assert tokenize("話筒") == tokenize("话筒") == ["话", "筒", "话筒"]
    assert tokenize("蘭芝隔離霜 藍牙耳機") == tokenize("兰芝隔离霜 蓝牙耳机")
    assert tokenize("去濕气") == tokenize("去湿气")
    assert tokenize("Sony KDL-40V4100 café") == ["sony", "kdl40v4100", "kdl", "40v4100", "café"]
    index = build_index(["无线话筒 一拖二", "蓝牙耳机 黑色", "兰芝隔离霜"])
    top = lexical_topk(index, 1, queries=["無線話筒"])
    assert top.indices[0, 0] == 0 and top.scores[0, 0] > 0.5


def _oracle_bm25(docs: list[list[str]], query: list[str], k1: float, b: float) -> list[float]:
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        s = 0.0
        for t in query:
            df = sum(t in x for x in docs)
            if df == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = d.count(t)
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


def test_bm25_scores_match_hand_oracle():
    texts = ["red shoe", "red red cup", "blue shoe shoe lace", "tea", "red tea cup"]
    index = build_index(texts, k1=1.5, b=0.75)
    nb = lexical_topk(index, 5, queries=["red cup"], score="bm25")
    oracle = _oracle_bm25([t.split() for t in texts], ["red", "cup"], 1.5, 0.75)
    got = dict(zip(nb.indices[0].tolist(), nb.scores[0].tolist()))
    for i, s in enumerate(oracle):
        assert got[i] == pytest.approx(s, rel=1e-5)


def test_cosine_is_symmetric_bounded_and_one_for_identical_texts():
    texts = ["acme red shoe 42", "acme red shoe 42", "blue tea", "red tea cup"]
    index = build_index(texts)
    s = pair_scores(index, np.array([0, 1, 0, 2]), np.array([1, 0, 2, 3]))
    assert s[0] == pytest.approx(1.0, abs=1e-6) and s[1] == pytest.approx(s[0])
    assert s[2] == 0.0 and 0 < s[3] < 1


def _brute(index, k, exclude_self=True):
    full = (index.unit @ index.unit.T).toarray().astype(np.float32)
    if exclude_self:
        np.fill_diagonal(full, -np.inf)
    cols = np.arange(full.shape[1])
    order = np.array([np.lexsort((cols, -row))[:k] for row in full])
    return order, np.take_along_axis(full, order, 1)


@pytest.mark.parametrize("block", [1, 3, 7, None])
def test_blocked_topk_matches_brute_force(rng, block):
    words = [f"w{i}" for i in range(12)]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 6))) for _ in range(23)]
    index = build_index(texts)
    nb = lexical_topk(index, 5, block_size=block)
    order, vals = _brute(index, 5)
    np.testing.assert_array_equal(nb.indices, order)
    np.testing.assert_allclose(nb.scores, vals, atol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_corpora_and_k_beyond_n(n):
    index = build_index(["same text"] * n)
    nb = lexical_topk(index, 10)
    assert nb.indices.shape == (n, n - 1)
    for r in range(n):
        assert r not in nb.indices[r]
        assert list(nb.indices[r]) == sorted(nb.indices[r])  # all tied: lower index first


def test_queries_against_a_corpus_do_not_exclude_rows():
    index = build_index(["sony kdl-40v4100 lcd", "samsung ln40a650 lcd", "sony dsc camera"])
    nb = lexical_topk(index, 3, queries=["Sony KDL40V4100"])
    assert nb.indices[0, 0] == 0 and nb.indices.shape == (1, 3)


def test_field_weights_scale_and_drop_fields():
    fields = {"title": ["red shoe", "blue cup"], "brand": ["acme", "acme"]}
    both = build_index(fields)
    assert "acme" in both.vocab
    dropped = build_index(fields, field_weights={"brand": 0.0})
    assert "acme" not in dropped.vocab
    doubled = build_index(fields, field_weights={"brand": 2.0})
    col = doubled.vocab["acme"]
    assert doubled.weights[0, col] > both.weights[0, col]


def test_dense_topk_ties_by_lower_index():
    block = np.array([[1.0, 3.0, 3.0, 0.0, 3.0]], dtype=np.float32)
    idx, vals = dense_topk(block, 2)
    assert idx.tolist() == [[1, 2]] and vals.tolist() == [[3.0, 3.0]]


def test_gb18030_catalog_gets_real_lexical_matches(tmp_path, csv_bytes):
    from core.catalog.table import ColumnMapping, build_catalog, read_table
    from core.search.channels import catalog_index

    rows = [["id", "标题"], ["1", "华为手机 红色 P30"], ["2", "苹果手机 黑色"],
            ["3", "红色运动鞋"], ["4", "华为 P30 手机壳"]]
    table = read_table(csv_bytes(rows, encoding="gb18030"), "商品.csv")
    cat = build_catalog(table, ColumnMapping(text_columns=("标题",), id_column="id"))
    index = catalog_index(cat)
    nb = lexical_topk(index, 3)
    assert nb.indices[0, 0] == 3  # 华为 P30 phone <-> 华为 P30 case
    assert nb.scores[0, 0] > 0 and "手机" in index.vocab


@pytest.mark.parametrize("k", [1, 4, 30, 31])
def test_dense_topk_with_many_ties_matches_lexsort(rng, k):
    block = rng.integers(0, 3, size=(9, 31)).astype(np.float32)
    idx, vals = dense_topk(block, k)
    cols = np.arange(31)
    oracle = np.array([np.lexsort((cols, -row))[:k] for row in block])
    np.testing.assert_array_equal(idx, oracle)
    np.testing.assert_array_equal(vals, np.take_along_axis(block, oracle, 1))


def test_the_model_reads_a_traditional_query_in_the_catalogs_script():
    from core.search.hant_hans import query_for_model, writes_simplified

    shop = ["无线话筒 一拖二", "蓝牙耳机", "去濕气 足浴包", "Sony KDL-40V4100"]
    assert writes_simplified(shop) and not writes_simplified(["無線話筒", "藍牙耳機", "话筒"])
    assert query_for_model("無線話筒 Sony", shop) == "无线话筒 Sony"
    assert query_for_model("無線話筒", ["無線話筒", "藍牙耳機"]) == "無線話筒"  # a shop in traditional
    assert query_for_model("無線話筒", None) == "無線話筒"
    assert query_for_model("usb cable", shop) == "usb cable"
    assert not writes_simplified([])
