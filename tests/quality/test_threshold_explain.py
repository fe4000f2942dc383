"""core.quality.threshold and core.quality.explain: curves vs brute force, match scores, explanations, CLI."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from core.catalog.table import ColumnMapping, build_catalog
from core.config import Config
from core.errors import CatalogSimilarityError
from core.quality.explain import (
    contribution_figure,
    evidence_frame,
    explain_pair,
    explanation_lines,
    plain_highlight,
    score_words,
    spans,
)
from core.quality.threshold import (
    category_thresholds,
    choose_threshold,
    curve_figure,
    f1_at,
    histogram_figure,
    match_scores,
    score_bands,
    scoring_space,
    share_called,
    threshold_curve,
)
from core.search.lexical import tokenize


def _brute_f1(scores, labels, t):
    called = scores >= t
    tp = (called & (labels == 1)).sum()
    p = tp / max(called.sum(), 1)
    r = tp / labels.sum()
    return 0.0 if tp == 0 else 2 * p * r / (p + r)


def test_curve_and_choice_match_brute_force(rng):
    scores = np.round(rng.random(60), 2)  # rounded: ties on purpose
    labels = (scores + rng.normal(0, 0.25, 60) > 0.6).astype(int)
    curve = threshold_curve(scores, labels)
    for t, f in zip(curve.thresholds, curve.f1):
        assert f == pytest.approx(_brute_f1(scores, labels, t))
    best = max(_brute_f1(scores, labels, t) for t in np.unique(scores))
    choice = choose_threshold(scores, labels)
    assert choice.f1 == pytest.approx(best)
    assert f1_at(scores, labels, choice.threshold).f1 == pytest.approx(best)


def test_threshold_corner_cases():
    c = choose_threshold(np.array([0.9, 0.8, 0.2]), np.array([1, 1, 0]))
    assert 0.2 < c.threshold <= 0.8 and c.f1 == 1.0
    one = choose_threshold(np.array([0.5, 0.4]), np.array([1, 0]))
    assert one.f1 == 1.0 and one.threshold == pytest.approx(0.45)
    with pytest.raises(CatalogSimilarityError, match="positive"):
        choose_threshold(np.array([0.5, 0.4]), np.array([0, 0]))
    with pytest.raises(CatalogSimilarityError, match=r"0 .different"):
        choose_threshold(np.array([0.5]), np.array([2]))


def test_a_threshold_needs_pairs_labelled_different():
    """A file of known matches only (Abt-Buy's own mapping, the usual labels file) gave the
    lowest match's score as the 'F1-best' threshold, with precision, recall and F1 all
    1.000: saved, it made a merge map of nearly everything."""
    scores, matches = np.array([0.9, 0.6, 0.12]), np.array([1, 1, 1])
    with pytest.raises(CatalogSimilarityError, match="none labelled 0"):
        choose_threshold(scores, matches)
    per_category = category_thresholds(np.r_[scores, 0.95, 0.3], np.r_[matches, 1, 0],
                                       ["tv"] * 3 + ["cable"] * 2, min_pairs=2, min_positives=1)
    assert set(per_category) == {"cable"}  # tv has no pair labelled 0


def test_share_of_list_entries_a_threshold_calls_duplicates():
    assert share_called(np.array([0.2, 0.5, 0.9]), 0.5) == pytest.approx(2 / 3)
    assert share_called(np.array([]), 0.5) == 0.0


def test_category_thresholds_need_enough_pairs(rng):
    scores = rng.random(40)
    labels = (scores > 0.5).astype(int)
    cats = ["tv"] * 30 + ["cable"] * 10
    labels[30:] = (scores[30:] > 0.8).astype(int)
    out = category_thresholds(scores, labels, cats, min_pairs=10, min_positives=1)
    assert set(out) <= {"tv", "cable"} and out["tv"].f1 == 1.0
    assert category_thresholds(scores, labels, cats, min_pairs=31) == {}


def test_score_bands_are_seeded_and_cover_every_pair(rng):
    scores = rng.random(200)
    a, b = score_bands(scores, per_band=3), score_bands(scores, per_band=3)
    assert a == b and sum(x.count for x in a) == 200
    for band in a:
        assert all(band.low <= scores[i] < band.high + 1e-3 for i in band.sample)
    assert a[0].high == 1.0  # highest band first


def test_figures_carry_the_data():
    scores, labels = np.array([0.9, 0.3, 0.8]), np.array([1, 0, 1])
    fig = histogram_figure(scores, labels, threshold=0.5)
    assert [len(t.x) for t in fig.data] == [2, 1]
    assert fig.layout.xaxis.range == (0, 1.0)  # the 0-1 scale, not 0-1.5 beside the legend
    assert len(histogram_figure(scores).data) == 1
    assert len(curve_figure(threshold_curve(scores, labels)).data) == 3


@pytest.fixture
def setup(tiny_encoder):
    frame = pd.DataFrame({
        "id": ["A", "B", "C", "D", "E"],
        "title": ["Sony turntable PSLX350H", "sony PS-LX350H belt drive turntable",
                  "red running shoe", "blue running shoe", "<b>desk</b> lamp [x](y)"],
        "brand": ["sony", "sony", "acme", "acme", "lumen"]})
    cat = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id",
                                             brand="brand"))
    cfg = Config(text_columns=("title",), id_column="id", hybrid_weight=0.5)
    return cat, tiny_encoder.encode(cat.texts), cfg


def test_match_scores_are_symmetric_absolute_and_one_only_for_the_same_product(setup):
    cat, vectors, cfg = setup
    space = scoring_space(cat, vectors, cfg)
    forward = match_scores(space, [0, 2, 0], [1, 3, 4])
    backward = match_scores(space, [1, 3, 4], [0, 2, 0])
    np.testing.assert_allclose(forward.match, backward.match, atol=1e-6)
    assert (forward.match <= np.sqrt(np.minimum(forward.score, backward.score)) + 1e-6).all()
    assert forward.match[2] < forward.match[0] < 1.0  # mutual best, yet not the same text
    assert match_scores(space, [2], [2]).match[0] == 1.0
    assert ((forward.match >= 0) & (forward.match <= 1)).all()


def test_explanation_parts_add_up_and_name_the_model_number(setup, tiny_encoder):
    cat, vectors, cfg = setup
    e = explain_pair(cat, vectors, cfg, 0, 1, encoder=tiny_encoder)
    assert e.dense_part + e.lexical_part + e.evidence_part == pytest.approx(e.fused, abs=1e-5)
    evidence = {name: c for name, _, c in e.evidence}
    assert evidence["code_shared"] > 0  # PSLX350H = PS-LX350H
    assert sum(evidence.values()) == pytest.approx(e.evidence_part, abs=1e-4)
    assert set(evidence_frame(e)["evidence"]) >= {"the same model code"}
    assert e.tokens[0].token in {"pslx350h", "sony", "turntable"}
    assert "pslx350h" in {t.token for t in e.tokens}
    assert sum(t.share for t in e.tokens) == pytest.approx(1.0)
    assert {f.field for f in e.fields} == {"title", "brand"}
    brand = next(f for f in e.fields if f.field == "brand")
    assert brand.lexical == pytest.approx(1.0) and brand.dense == pytest.approx(1.0, abs=1e-5)
    assert "".join(s.text for s in e.right_spans) == cat.texts[1]
    assert "[PS-LX350H]" in plain_highlight(e.right_spans)
    lines = explanation_lines(cat, e)
    assert lines[0].startswith("left:  A") and any("shared words" in x for x in lines)
    assert any(x.startswith("same-product evidence: the same model code (+") for x in lines)
    # the Explain page's words (the CLI printed dense/lexical/fused): analyst words only in
    # the last line, which says it is for analysts; the score is the lists' 0..1 score
    words = " ".join(lines[2:-1])
    for jargon in ("dense", "lexical", "fused", "token", "hybrid"):
        assert jargon not in words, jargon
    assert lines[-1].startswith("for analysts: fused")
    assert f"score {e.score:.3f}: " in words and "meaning" in words
    assert "words and model numbers" in words
    # the bar's parts add up to the fused score, not to the 0..1 score above it: the axis
    # says so (a total mark at 0.05 beside a score of 0.69 read as a wrong sum)
    axis = contribution_figure(e).layout.xaxis.title.text
    assert axis == "the parts add up before the score is put on its 0 to 1 scale"


def test_spans_keep_markup_as_plain_text():
    text = "<b>desk</b> lamp [x](y)"
    parts = spans(text, {"lamp"})
    assert "".join(p.text for p in parts) == text
    assert [p.text for p in parts if p.token] == ["lamp"]
    assert plain_highlight(parts) == "<b>desk</b> [lamp] [x](y)"


def test_no_shared_token(setup):
    cat, vectors, cfg = setup
    e = explain_pair(cat, vectors, cfg, 0, 2)
    assert e.tokens == () and e.lexical == 0.0 and e.fields[0].dense is None


def test_cli_threshold_and_explain(catalog_csv, tmp_path, workspace, tiny_bert_dir, capsys):
    from core.cli import main

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("left_id,right_id,label\nP1,P2,1\nP3,P4,0\nP6,P7,0\nP5,P1,0\n",
                     encoding="utf-8")
    saved = tmp_path / "cfg.json"
    common = ["--model", str(tiny_bert_dir), "--text-cols", "title", "--hybrid-weight", "1"]
    assert main(["threshold", str(catalog_csv), "--pairs", str(pairs), "--holdout", str(pairs),
                 "--save-config", str(saved), "--category-col", "category", *common]) == 0
    out = capsys.readouterr().out
    assert "calibration" in out and "holdout" in out and "F1 1.000" in out
    # what the threshold does to the lists, as the page says it
    assert re.search(r"at \d\.\d{4}, \d+\.\d% of the entries of every product's top \d+ "
                     r"score as duplicates", out), out
    cfg = Config.load(saved)
    assert 0 < cfg.duplicate_threshold <= 1 and cfg.hybrid_weight == 1.0
    assert main(["threshold", str(catalog_csv), *common]) == 0
    assert "no labels" in capsys.readouterr().out
    assert main(["explain", str(catalog_csv), "--left", "P1", "--right", "P2", *common]) == 0
    out = capsys.readouterr().out
    assert "running" in out and "[shoe]" in out
    assert main(["explain", str(catalog_csv), "--left", "P1", "--right", "NOPE", *common]) == 2


def test_a_conflict_says_whether_it_held_anything_back(setup, tiny_encoder):
    """A remote transmitter against a keypad remote with another model number: the "different
    model numbers" row read "effect 0", as if the numbers were ignored. A conflict cancels
    what the rest of the evidence added; with nothing added there is nothing to cancel, and
    the row now says so (the page and the CLI)."""
    from dataclasses import replace

    from core.quality.explain import HELD_BACK, NOTHING_HELD, evidence_notes, explanation_lines

    cat, vectors, cfg = setup
    e = explain_pair(cat, vectors, cfg, 0, 1, encoder=tiny_encoder)
    lifted = replace(e, evidence=(("code_shared", 1.0, 0.2), ("size_conflict", 1.0, -0.2),
                                  ("colour_conflict", 1.0, 0.0)))
    unlifted = replace(e, evidence=(("closeness", 0.5, -0.08), ("code_conflict", 1.0, 0.0)))
    assert evidence_notes(lifted) == ["", HELD_BACK, HELD_BACK]
    assert evidence_notes(unlifted) == ["", NOTHING_HELD]
    assert evidence_frame(unlifted)["what it did"].tolist() == ["", NOTHING_HELD]
    assert evidence_notes(e) == [""] * len(e.evidence)  # a shared code, no conflict
    lines = explanation_lines(cat, unlifted)
    assert any(line.endswith(f"(+0.000): {NOTHING_HELD}") for line in lines), lines


def test_explanation_of_the_same_text_names_it(tiny_encoder):
    frame = pd.DataFrame({"id": ["A", "B", "C", "D"],  # C: a close runner-up, so no big lead
                          "title": ["hp 45 black inkjet 51645a", "hp 45 black inkjet 51645a",
                                    "hp 45 black inkjet 51645a twin pack", "oak desk"]})
    cat = build_catalog(frame, ColumnMapping(text_columns=("title",), id_column="id"))
    cfg = Config(text_columns=("title",), id_column="id", hybrid_weight=0.5)
    e = explain_pair(cat, tiny_encoder.encode(cat.texts), cfg, 0, 1, encoder=tiny_encoder)
    assert e.score == pytest.approx(1.0)
    parts = {name: c for name, _, c in e.evidence}
    assert parts["same_text"] > 0 and sum(parts.values()) == pytest.approx(e.evidence_part,
                                                                           abs=1e-4)
    assert "the same text (scores 1)" in set(evidence_frame(e)["evidence"])


def test_a_chinese_title_marks_the_words_it_shares_not_the_whole_title():
    """Chinese has no spaces: the shared words (character pairs) are marked within a
    title, not the whole title at once (every title was one bracket)."""
    shared = set(tokenize("兰芝隔离霜 防晒")) & set(tokenize("兰芝雪纱隔離霜防晒妆前乳"))
    parts = spans("兰芝雪纱隔離霜防晒妆前乳 Laneige", shared | {"laneige"})
    assert plain_highlight(parts) == "[兰芝]雪纱[隔離霜][防晒]妆前乳 [Laneige]"
    assert plain_highlight(spans("霜 乳", {"霜"})) == "[霜] 乳"  # one character alone
    assert plain_highlight(spans("面霜乳液", {"霜", "乳"})) == "面霜乳液"  # single characters alone


def test_the_photos_share_of_a_score_is_explained(setup):
    """With photos in the score, Explain said 'fused = meaning part + words part +
    evidence' and left the photos' part out: the parts did not add up to the score."""
    from core.embed.image_vectors import ImageVectors
    from core.pipeline import neighbor_index

    cat, vectors, cfg = setup
    cfg = cfg.with_changes(image_weight=0.5)
    rng = np.random.default_rng(0)
    pics = rng.normal(size=(5, 8)).astype(np.float32)
    pics[1] = pics[0] + 0.05 * pics[1]  # A and B: the same picture, nearly
    pics /= np.linalg.norm(pics, axis=1, keepdims=True)
    has = np.array([True, True, True, True, False])
    pics[~has] = 0
    images = ImageVectors(pics, has, tuple(b"%d" % i if h else b"" for i, h in enumerate(has)),
                          (), "test-photos")
    space = scoring_space(cat, vectors, cfg, index=neighbor_index(cat, vectors, cfg,
                                                                   images=images))
    e = explain_pair(cat, vectors, cfg, 0, 1, space=space)
    assert e.image_part > 0 and e.image == pytest.approx(float(pics[0] @ pics[1]), abs=1e-5)
    assert e.dense_part + e.lexical_part + e.image_part + e.evidence_part == pytest.approx(
        e.fused, abs=1e-5)
    assert "photos" in {bar.name.split(" ")[0] for bar in contribution_figure(e).data}
    assert any(f"+ photos {e.image_part:.3f}" in line for line in explanation_lines(cat, e))
    no_photo = explain_pair(cat, vectors, cfg, 0, 4, space=space)
    assert no_photo.image is None and no_photo.image_part == 0.0
    assert no_photo.dense_part + no_photo.lexical_part + no_photo.evidence_part == pytest.approx(
        no_photo.fused, abs=1e-5)  # the text alone, its weights taken as the whole
    assert explain_pair(cat, vectors, cfg.with_changes(image_weight=0.0), 0, 1).image is None


@pytest.mark.parametrize(("score", "words"), [(0.95, "the same product"),
                                              (0.87, "probably the same product or a variant"),
                                              (0.6, "a close substitute or a similar product"),
                                              (0.2, "loosely related")])
def test_score_words_read_the_bands(score: float, words: str) -> None:
    assert score_words(score) == words
