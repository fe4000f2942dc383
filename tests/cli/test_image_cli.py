"""`python -m core neighbors|search` with photos: --image-col, --image-weight, --images."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from core.cli import main
from core.config import Config
from tests.imagegen import SVG, encoded, photo

# Titles say nothing useful; the photos pair the products up (kinds 0-3, two listings each).
ROWS = [("s1", "alpha item", "p/disc.png"), ("s2", "beta item", "p/stripes.png"),
        ("s3", "gamma item", "p/checks.png"), ("s4", "delta item", "p/triangle.png"),
        ("s5", "epsilon item", "p/disc_small.jpg"), ("s6", "zeta item", "p/stripes_small.jpg"),
        ("s7", "eta item", "p/checks_small.jpg"), ("s8", "theta item", "p/triangle_small.jpg"),
        ("s9", "iota item", "p/missing.png"), ("s10", "kappa item", "p/logo.svg")]


def _catalog(root: Path) -> Path:
    (root / "p").mkdir(parents=True)
    for kind, name in enumerate(("disc", "stripes", "checks", "triangle")):
        im = photo(kind, (128, 100))
        (root / "p" / f"{name}.png").write_bytes(encoded(im))
        (root / "p" / f"{name}_small.jpg").write_bytes(
            encoded(im.crop((6, 5, 122, 95)).resize((64, 50)), "JPEG", quality=50))
    (root / "p" / "logo.svg").write_bytes(SVG)
    path = root / "catalog.csv"
    pd.DataFrame(ROWS, columns=["sku", "title", "photo"]).to_csv(path, index=False)
    return path


def _pairs(out: Path) -> dict[str, str]:
    frame = pd.read_csv(out, dtype=str)
    return dict(zip(frame[frame["rank"] == "1"]["source_id"],
                    frame[frame["rank"] == "1"]["neighbor_id"]))


def test_photos_only_lists_pair_the_same_photos(tmp_path, tiny_bert_dir, capsys) -> None:
    catalog = _catalog(tmp_path / "shop")
    out = tmp_path / "lists.csv"
    code = main(["neighbors", str(catalog), "--out", str(out), "--model", str(tiny_bert_dir),
                 "--id-col", "sku", "--text-cols", "title", "--image-col", "photo",
                 "--image-weight", "1", "--workspace", str(tmp_path / "ws"), "--k", "3"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "row 9 (id s9): image 'p/missing.png' was not found; skipped" in err
    assert "row 10 (id s10): image 'p/logo.svg' is SVG/XML/HTML" in err
    assert "photos: 8 of 10 products" in err
    assert "reading photos: 10/10 photos (100%)" in err  # a catalog of photos took minutes, silent
    assert ("score: 0 = unrelated, 1 = the same text and the same photo; the score comes from "
            "the photos (the text only breaks ties), and a product without a photo is scored "
            "by its text") in err  # not only "the same text"
    best = _pairs(out)
    for a, b in (("s1", "s5"), ("s2", "s6"), ("s3", "s7"), ("s4", "s8")):
        assert best[a] == b and best[b] == a


def test_a_later_photo_of_one_cell_is_said_in_the_singular(tmp_path, tiny_bert_dir,
                                                           capsys) -> None:
    """'photos: 1 products use a later photo of their cell' for a count of one."""
    catalog = _catalog(tmp_path / "shop")
    frame = pd.read_csv(catalog, dtype=str)
    frame.loc[frame["sku"] == "s9", "photo"] = "p/missing.png; p/disc.png"
    frame.to_csv(catalog, index=False)
    code = main(["neighbors", str(catalog), "--out", str(tmp_path / "lists.csv"), "--model",
                 str(tiny_bert_dir), "--id-col", "sku", "--text-cols", "title", "--image-col",
                 "photo", "--image-weight", "1", "--no-store", "--k", "3"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "photos: 1 product uses a later photo of its cell, because the first one could " \
        "not be used" in err, err


def test_zip_of_photos_and_config_replay(tmp_path, tiny_bert_dir, capsys) -> None:
    catalog = _catalog(tmp_path / "shop")
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (tmp_path / "shop" / "p").iterdir():
            zf.write(path, f"p/{path.name}")
    cfg = tmp_path / "tuned.json"
    Config(id_column="sku", text_columns=("title",), image_column="photo", image_weight=0.8,
           model=str(tiny_bert_dir), k=2).save(cfg)
    out = tmp_path / "lists.csv"
    code = main(["neighbors", str(catalog), "--config", str(cfg), "--out", str(out),
                 "--images", str(archive), "--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "reused 0" in err and _pairs(out)["s1"] == "s5"
    assert ("score: 0 = unrelated, 1 = the same text and the same photo; 80% of the score "
            "comes from the photos, and a pair where one product has no photo is scored by "
            "its text alone") in err
    code = main(["neighbors", str(catalog), "--config", str(cfg), "--out", str(out),
                 "--images", str(archive), "--workspace", str(tmp_path / "ws")])
    assert "embedded 0 new, reused 8" in capsys.readouterr().err  # the store, by photo hash


def test_bad_image_weight_is_one_line(tmp_path, tiny_bert_dir, capsys) -> None:
    catalog = _catalog(tmp_path / "shop")
    code = main(["neighbors", str(catalog), "--out", str(tmp_path / "o.csv"),
                 "--image-col", "photo", "--image-weight", "2"])
    assert code == 2
    assert capsys.readouterr().err.strip().startswith(
        "error: --image-weight 2.0: image_weight must be between")


@pytest.mark.parametrize("flag", ["--image-col", "--image-weight", "--image-model",
                                  "--fetch-images", "--images"])
def test_search_has_the_image_flags(flag, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    assert flag in capsys.readouterr().out


def test_duplicate_photos_command(tmp_path, tiny_bert_dir, capsys) -> None:
    catalog = _catalog(tmp_path / "shop")
    out = tmp_path / "pairs.csv"
    code = main(["duplicate-photos", str(catalog), "--out", str(out), "--id-col", "sku",
                 "--text-cols", "title", "--image-col", "photo", "--model", str(tiny_bert_dir),
                 "--workspace", str(tmp_path / "ws"), "--threshold", "0.6"])
    assert code == 0, capsys.readouterr().err
    pairs = pd.read_csv(out, dtype={"left_id": str, "right_id": str})
    found = {frozenset(p) for p in zip(pairs["left_id"], pairs["right_id"])}
    assert found == {frozenset(p) for p in (("s1", "s5"), ("s2", "s6"), ("s3", "s7"),
                                            ("s4", "s8"))}
    assert not pairs["same_file"].any()  # copies, not the very same file
    assert main(["duplicate-photos", str(catalog), "--out", str(out)]) == 2


def test_search_with_photos(tmp_path, tiny_bert_dir, capsys) -> None:
    catalog = _catalog(tmp_path / "shop")
    code = main(["search", str(catalog), "--query", "alpha item", "--model", str(tiny_bert_dir),
                 "--id-col", "sku", "--text-cols", "title", "--image-col", "photo",
                 "--image-weight", "0.5", "--workspace", str(tmp_path / "ws"), "--k", "3"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "photos: 8 of 10 products" in out.err
    rows = [line.split(",") for line in out.out.strip().splitlines()[1:]]
    assert rows[0][1] == "s1"  # the words decide: the bundled image model reads no words


def test_the_score_is_described_as_the_export_page_does(tmp_path, tiny_bert_dir, capsys) -> None:
    """The CLI said nothing of what the score means; the results folder's manifest neither."""
    import json

    from core.export.tables import score_meaning

    catalog = _catalog(tmp_path / "shop")
    common = ["--model", str(tiny_bert_dir), "--id-col", "sku", "--text-cols", "title",
              "--workspace", str(tmp_path / "ws"), "--k", "2"]
    assert main(["neighbors", str(catalog), "--out", str(tmp_path / "t.csv"), *common]) == 0
    assert "score: 0 = unrelated, 1 = the same text\n" in capsys.readouterr().err
    folder = tmp_path / "results"
    assert main(["neighbors", str(catalog), "--out", str(folder), *common, "--image-col",
                 "photo", "--image-weight", "0.3"]) == 0
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["score"].startswith("0 = unrelated, 1 = the same text and the same photo; "
                                        "30% of the score comes from the photos")
    assert f"score: {manifest['score']}" in capsys.readouterr().err
    assert score_meaning(0.3, None) == score_meaning() == "0 = unrelated, 1 = the same text"


def test_explain_scores_a_pair_with_its_photos_as_the_lists_do(tmp_path, tiny_bert_dir,
                                                               capsys) -> None:
    """`explain` took --image-col and --image-weight and left the photos out: its score was
    not the lists' (0.097 for a pair listed at 0.213) and said '1 = the same text'."""
    catalog = _catalog(tmp_path / "shop")
    common = ["--model", str(tiny_bert_dir), "--id-col", "sku", "--text-cols", "title",
              "--image-col", "photo", "--image-weight", "0.5", "--workspace",
              str(tmp_path / "ws")]
    out = tmp_path / "lists.csv"
    assert main(["neighbors", str(catalog), "--out", str(out), "--k", "3", *common]) == 0
    lists = pd.read_csv(out, dtype={"source_id": str, "neighbor_id": str})
    listed = lists[(lists["source_id"] == "s1") & (lists["neighbor_id"] == "s5")]["score"]
    capsys.readouterr()
    assert main(["explain", str(catalog), "--left", "s1", "--right", "s5", *common]) == 0
    text = capsys.readouterr().out
    assert f"score {float(listed.iloc[0]):.3f}:" in text, text
    assert "1 = the same text and the same photo)" in text
    assert "photos: the two photos' similarity is" in text and " + photos " in text
