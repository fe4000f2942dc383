"""core.quality.evaluate: metric oracles, judgement parsing, configurations compared, CLI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.config import Config
from core.errors import CatalogSimilarityError
from core.quality.evaluate import (
    coherence,
    compare,
    comparison_figure,
    evaluate,
    labelled_pairs,
    ranking_metrics,
    read_judgements,
    variants,
)


def test_ranking_metrics_hand_oracle():
    ranked = np.array([[5, 2, 9], [1, 7, 3], [4, 6, 8]])
    relevant = [{2: 1.0}, {3: 2.0, 1: 1.0}, {0: 1.0}]
    m = ranking_metrics(ranked, relevant, ks=(1, 3))
    assert m["recall@1"] == pytest.approx((0 + 0.5 + 0) / 3)
    assert m["recall@3"] == pytest.approx((1 + 1 + 0) / 3)
    assert m["precision@3"] == pytest.approx((1 / 3 + 2 / 3 + 0) / 3)
    assert m["mrr"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    # query 2: gains (2^1-1)=1 at rank 1 and (2^2-1)=3 at rank 3; ideal 3 then 1.
    dcg = 1 + 3 / math.log2(4)
    idcg = 3 + 1 / math.log2(3)
    ndcg3 = (1 / math.log2(3) / 1 + dcg / idcg + 0) / 3
    assert m["ndcg@3"] == pytest.approx(ndcg3)


def test_perfect_ranking_scores_one_and_padding_is_ignored():
    m = ranking_metrics(np.array([[3, -1, -1]]), [{3: 1.0}], ks=(1, 3))
    assert m["recall@1"] == m["mrr"] == m["ndcg@3"] == 1.0
    assert m["precision@3"] == pytest.approx(1 / 3)
    assert ranking_metrics(np.zeros((0, 3), int), [], ks=(1,))["mrr"] == 0.0


def test_a_cut_off_given_twice_is_measured_once():
    # evaluate --ks 1,1,5 added recall@1 up twice: 0.5 where --ks 1,5 said 0.25
    # (--ks 1,1,1: precision@1 1.5)
    ranked = np.array([[5, 2, 9], [1, 7, 3], [4, 6, 8]])
    relevant = [{2: 1.0}, {3: 2.0, 1: 1.0}, {0: 1.0}]
    assert ranking_metrics(ranked, relevant, ks=(1, 1, 3, 1)) == \
        ranking_metrics(ranked, relevant, ks=(1, 3))


def test_coherence_skips_empty_values():
    idx = np.array([[1, 2], [0, 2], [0, 1], [0, 1]])
    values = ["a", "a", "b", ""]
    assert coherence(idx, values) == pytest.approx((1 / 2 + 1 / 2 + 0) / 3)
    assert coherence(idx, values, k=1) == pytest.approx((1 + 1 + 0) / 3)


@pytest.fixture
def catalog(product_rows):
    frame = pd.DataFrame(product_rows[1:], columns=product_rows[0])
    return build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id",
                                              category="category"))


def test_read_labelled_pairs(catalog):
    frame = pd.DataFrame({"ltable_id": ["P1", "P1", "P3", "ZZ"],
                          "rtable_id": ["P2", "P4", "P4", "P1"], "label": [1, 0, 1, 1]})
    j = read_judgements(frame, catalog)
    assert j.kind == "pairs" and j.skipped == 1
    assert j.query_rows == (0, 2) and j.relevant == ({1: 1.0}, {3: 1.0})
    no_label = read_judgements(frame.drop(columns="label").iloc[:1], catalog)
    assert no_label.relevant == ({1: 1.0},)


def test_read_query_judgements(catalog):
    frame = pd.DataFrame({"query": ["shoe", "shoe", "lamp", "tea"],
                          "product_id": ["P1", "P2", "P5", "NOPE"], "grade": [2, 1, 0, 3]})
    j = read_judgements(frame, catalog)
    assert j.kind == "queries" and j.query_texts == ("shoe",)
    assert j.relevant == ({0: 2.0, 1: 1.0},) and j.skipped == 1


def test_pairs_files_as_people_write_them_are_read(catalog):
    """Columns a,b / left,right and labels named match or is_match holding yes/no or
    true/false were refused ('The label column must hold 0 or 1'), though fine-tuning read
    such files."""
    for frame in (pd.DataFrame({"a": ["P1", "P1"], "b": ["P2", "P3"], "match": ["yes", "no"]}),
                  pd.DataFrame({"left": ["P1", "P1"], "right": ["P2", "P3"],
                                "is_match": ["TRUE", "False"]})):
        j = read_judgements(frame, catalog)
        assert j.kind == "pairs" and j.relevant == ({1: 1.0},)
        assert j.pairs[2].tolist() == [1, 0]


def test_y_n_labels_are_read_where_every_labels_file_is_read(catalog):
    """A spreadsheet's Y/N column was refused ("Pair labels must be 1/0 ...; found 'N', 'Y'")
    on Evaluate, Duplicate threshold and Fine-tune alike; a value that says neither is
    still refused, naming it and the values that are read."""
    from core.finetune.pairs import pairs_from_frame

    frame = pd.DataFrame({"left_id": ["P1", "P1", "P3"], "right_id": ["P2", "P3", "P4"],
                          "label": ["Y", "n", " y "]})
    assert labelled_pairs(frame, catalog).labels.tolist() == [1, 0, 1]
    assert read_judgements(frame, catalog).relevant == ({1: 1.0}, {3: 1.0})
    assert pairs_from_frame(frame, catalog).label.tolist() == [1, 0, 1]
    for read in (labelled_pairs, pairs_from_frame):
        with pytest.raises(CatalogSimilarityError, match=r"1/0 \(or yes/no, y/n, accepted/"
                                                         r"rejected\); found 'x'"):
            read(frame.assign(label=["y", "x", "n"]), catalog)


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"x": [1]}), "left_id,right_id"),
    (pd.DataFrame({"x": [1], "y": [2]}),
     r"in the catalog \(columns used: x, y; their ids: 1; the catalog's: P1, P2, P3\)"),
    (pd.DataFrame({"left_id": ["X"], "right_id": ["Y"]}), "None of the pairs"),
    # the right column another shop's ids: the message showed the left ones, all known
    (pd.DataFrame({"left_id": ["P1", "P2"], "right_id": ["B7", "B8"]}),
     r"\(columns used: left_id, right_id; the ids in right_id: B7, B8; the catalog's: P1, "),
    (pd.DataFrame({"left_id": ["P1"], "right_id": ["P2"], "label": [3]}), "found '3'"),
    (pd.DataFrame({"left_id": ["P1"], "right_id": ["P2"], "label": ["maybe"]}), "found 'maybe'"),
    (pd.DataFrame({"left_id": ["P1"], "right_id": ["P2"], "label": [0]}), "label 1"),
])
def test_bad_judgements_say_what_to_fix(catalog, frame, message):
    with pytest.raises(CatalogSimilarityError, match=message):
        read_judgements(frame, catalog)


def test_pairs_files_with_their_own_column_names_are_read(catalog):
    """Abt-Buy's own mapping file (idAbt,idBuy) and a sheet headed 'Abt ID,Buy ID,Same
    product?' were refused on Evaluate and Duplicate threshold ('Labelled pairs need columns
    left_id,right_id'), though Fine-tune read them: the first two columns are the ids, a
    third the label, as fine-tuning reads them."""
    mapping = read_judgements(pd.DataFrame({"idAbt": ["P1", "P3"], "idBuy": ["P2", "P4"]}),
                              catalog)
    assert mapping.query_rows == (0, 2) and mapping.relevant == ({1: 1.0}, {3: 1.0})
    sheet = labelled_pairs(pd.DataFrame({"Abt ID": ["P1", "P1"], "Buy ID": ["P2", "P3"],
                                         "Same product?": ["yes", "no"]}), catalog)
    assert sheet.left.tolist() == [0, 0] and sheet.right.tolist() == [1, 2]
    assert sheet.labels.tolist() == [1, 0]
    named = labelled_pairs(pd.DataFrame({"left_id": ["P1"], "right_id": ["P2"],
                                         "note": ["café"]}), catalog)
    assert named.labels.tolist() == [1]  # a third column of notes is not a label
    assert named.not_label == "note"


@pytest.mark.parametrize("frame, labels, note", [
    # named ids and a third column of notes: a note (Fine-tune refused it: "found 'café'")
    ({"left_id": ["P1", "P1"], "right_id": ["P2", "P3"], "note": ["café", ""]}, [1, 1], "note"),
    # named ids and a third column of labels: labels (Evaluate measured both as matches)
    ({"left_id": ["P1", "P1"], "right_id": ["P2", "P3"], "verdict": ["Y", "N"]}, [1, 0], None),
    ({"Abt ID": ["P1", "P1"], "Buy ID": ["P2", "P3"], "Same?": ["yes", "no"]}, [1, 0], None),
    ({"sku": ["P1", "P1"], "right_id": ["P2", "P3"]}, [1, 1], None),
    ({"b": ["P2", "P3"], "a": ["P1", "P1"], "match": [1, 0]}, [1, 0], None),
    # the lists file Export writes: no label, nothing to say
    ({"source_id": ["P1", "P1"], "rank": [1, 2], "neighbor_id": ["P2", "P3"],
      "score": [0.9, 0.8]}, [1, 1], None),
])
def test_evaluate_and_fine_tune_read_a_pairs_file_the_same_way(catalog, frame, labels, note):
    """Evaluate and Duplicate threshold read 'left_id,right_id,<third column>' with the third
    column ignored; Fine-tune read it as the labels: a notes column was refused on Fine-tune,
    a verdict column of 1/0 or Y/N was measured on Evaluate as if every pair matched."""
    from core.finetune.pairs import pairs_from_frame

    frame = pd.DataFrame(frame)
    read, tuned = labelled_pairs(frame, catalog), pairs_from_frame(frame, catalog)
    assert read.left.tolist() == tuned.left.tolist() == [0, 0]
    assert read.right.tolist() == tuned.right.tolist() == [1, 2]
    assert read.labels.tolist() == tuned.label.tolist() == labels
    assert read.not_label == note
    assert [w for w in tuned.warnings if "third column" in w] == (
        [] if note is None else [f"The third column, {note}, is not read as labels (none of its "
                                 "cells is 1/0, yes/no or y/n): every pair counts as the same "
                                 "product. If it holds labels, write 1 (same product) or 0 "
                                 "(different) in it"])


def test_a_third_column_of_labels_and_other_text_is_refused_by_both(catalog):
    from core.finetune.pairs import pairs_from_frame

    frame = pd.DataFrame({"left_id": ["P1", "P1"], "right_id": ["P2", "P3"],
                          "verdict": ["y", "maybe"]})
    for read in (labelled_pairs, pairs_from_frame):
        with pytest.raises(CatalogSimilarityError, match="found 'maybe'"):
            read(frame, catalog)


def test_rows_that_cannot_be_measured_are_left_out_and_counted(catalog):
    """An empty label cell was read as 'same product' (a file with 43 blank labels among
    300 'different' pairs measured 43 more matches); a product paired with itself, a row
    given twice and a pair labelled both ways all counted, the last two twice on the
    Duplicate threshold page."""
    frame = pd.DataFrame({
        "left_id": ["P1", "P1", "P3", "P5", "P5", "P1", "P2", "P2", "ZZ", "P6"],
        "right_id": ["P2", "P3", "P4", "P6", "P6", "P2", "P7", "P7", "P1", "P6"],
        "label": ["1", "0", "", "0", "0", "1", "1", "0", "1", "1"]})
    read = labelled_pairs(frame, catalog)
    assert list(zip(read.left, read.right, read.labels)) == [(0, 1, 1), (0, 2, 0), (4, 5, 0)]
    assert (read.rows, read.unknown, read.unlabelled, read.itself, read.repeated) == \
        (10, 1, 1, 1, 2)
    assert read.conflicting == ("P2 / P7",)
    assert read.left_out() == [  # it read "1 name an id", "1 have an empty label"
        "1 row names an id that is not in the catalog (such as ZZ)", "1 row has an empty label",
        "1 row names the same product twice", "2 rows are the same as an earlier row",
        "1 pair is labelled both same and different (P2 / P7)"]
    judged = read_judgements(frame, catalog)
    assert judged.relevant == ({1: 1.0},) and judged.read.left_out() == read.left_out()
    with pytest.raises(CatalogSimilarityError, match=r"Every label cell \(column label\) is empty"):
        labelled_pairs(frame.assign(label=""), catalog)


def test_evaluate_and_compare_with_the_tiny_model(catalog, tiny_encoder):
    vectors = tiny_encoder.encode(catalog.texts)
    pairs = pd.DataFrame({"left_id": ["P1", "P6"], "right_id": ["P2", "P7"]})
    j = read_judgements(pairs, catalog)
    cfg = Config(text_columns=("title",), id_column="id")
    lexical = evaluate(catalog, vectors, cfg.with_changes(hybrid_weight=1.0), j, ks=(1, 3))
    assert lexical["recall@1"] == pytest.approx(0.5)  # "running shoe" shared; P6/P7 share nothing
    queries = read_judgements(pd.DataFrame({"query": ["oak chair"], "product_id": ["P8"],
                                            "grade": [1]}), catalog)
    m = evaluate(catalog, vectors, cfg.with_changes(hybrid_weight=1.0), queries,
                 ks=(1,), encoder=tiny_encoder)
    assert m["recall@1"] == 1.0
    items = variants(cfg, weights=[0.0, 1.0], metrics=["cosine", "dot"])
    assert len(items) == 4 and items[0].label.startswith("w=0 · cosine")
    table = compare(items, lambda c: evaluate(catalog, vectors, c, j, ks=(1,)))
    assert list(table["hybrid_weight"]) == [0.0, 0.0, 1.0, 1.0]
    assert {"recall@1", "mrr", "ndcg@1"} <= set(table.columns)
    fig = comparison_figure(table)
    assert len(fig.data) == 4
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("measure", "value")
    assert fig.layout.legend.orientation == "h"  # above the bars, not beside them


def test_cli_evaluate(catalog_csv, tmp_path, workspace, tiny_bert_dir, capsys):
    from core.cli import main

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("left_id,right_id,label\nP1,P2,1\nP6,P7,1\nP1,P3,0\n", encoding="utf-8")
    out = tmp_path / "table.csv"
    code = main(["evaluate", str(catalog_csv), "--judgements", str(pairs), "--model",
                 str(tiny_bert_dir), "--text-cols", "title", "--coherence", "category",
                 "--compare-weights", "0,1", "--ks", "1,3", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert len(table) == 2 and "coherence@3:category" in table.columns
    assert table.loc[table.hybrid_weight == 1.0, "recall@1"].item() == pytest.approx(0.5)
    assert main(["evaluate", str(catalog_csv), "--model", str(tiny_bert_dir)]) == 2
    assert "--judgements" in capsys.readouterr().err
