"""Catalog language detection, the defaults a language implies, and the CLI applying them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from core.catalog.language import detect_language, model_reads, text_language
from core.catalog.table import ColumnMapping, field_defaults
from core.cli import main
from core.config import DEFAULT_HYBRID_WEIGHT, Config
from core.errors import ConfigError

ZH = ["Sansui/山水U3一拖二无线话筒", "兰芝隔离霜 保湿提亮", "小米 Redmi Note 11 Pro 5G手机"]
EN = ["Sony KDL-40V4100 40\" LCD TV", "Canon black ink cartridge CLI8B", "oak desk chair"]


@pytest.mark.parametrize(("text", "code"), [
    ("Sansui/山水U3一拖二无线话筒", "zh"),  # a Latin brand and model inside stay Chinese
    ("iPhone 15 Pro Max 手机壳", "zh"),
    ("Midea 21L microwave oven classic cooker cooking maker 微波炉", "en"),
    ("ソニー ヘッドホン WH-1000XM5", "ja"),
    ("삼성 갤럭시 휴대폰", "ko"),
    ("Canon EOS Rebel XSi", "en"),
    ("Кроссовки мужские Nike Air Max 90 белые", "cyrillic"),  # 3 Cyrillic words, 3 Latin
    ("Смартфон Xiaomi Redmi Note 12 256 ГБ", "cyrillic"),  # 2 Cyrillic words, 3 Latin
    ("Nike Air Max 90 Herren weiß, Größe 42 (кроссовки)", "en"),  # mostly Latin
    ("Ηλεκτρικός βραστήρας Bosch 1.7L", "greek"),
    ("سماعات بلوتوث لاسلكية", "arabic"),
    ("נעלי ספורט לגברים", "hebrew"),
    ("รองเท้าวิ่ง ผู้ชาย", "thai"),
    ("पुरुषों के जूते", "indic"),
    ("10μF 50V capacitor, 100Ω resistor", "en"),  # one Greek letter is a unit, not a word
    ("Café crème brûlée set", "en"),
    ("12345 -- 678", "unknown"),
    ("", "unknown"),
])
def test_text_language(text: str, code: str) -> None:
    assert text_language(text) == code


def test_catalog_language_by_majority_and_mixed() -> None:
    zh = detect_language(ZH * 10 + EN[:1])  # 30 of 31 Chinese: above the 90% majority
    assert zh.code == "zh" and zh.shares["zh"] == pytest.approx(30 / 31)
    assert "Chinese" in zh.describe()
    mixed = detect_language(ZH + EN)
    assert mixed.code == "mixed" and set(mixed.shares) == {"zh", "en"}
    assert "English 50%" in mixed.describe() and "Chinese 50%" in mixed.describe()
    assert detect_language(EN).code == "en"
    assert detect_language(["", "123"]).code == "unknown"
    assert detect_language([]).code == "unknown"


def test_detection_reads_a_spread_sample() -> None:
    texts = EN * 2000 + ZH * 2000  # 12,000 texts: English first, Chinese second
    lang = detect_language(texts, sample=100)
    assert lang.sampled <= 100 and lang.code == "mixed"


def test_language_defaults_leave_explicit_settings_alone() -> None:
    cfg = Config()
    assert (cfg.for_language("en").model, cfg.for_language("en").hybrid_weight) == \
        ("bundled", DEFAULT_HYBRID_WEIGHT)
    zh = cfg.for_language("zh")
    assert zh.model == "multilingual" and 0 < zh.hybrid_weight < 1
    kept = cfg.with_changes(model="my-folder", hybrid_weight=0.2).for_language(
        "zh", explicit={"model", "hybrid_weight"})
    assert (kept.model, kept.hybrid_weight) == ("my-folder", 0.2)
    assert cfg.for_language("unknown") == cfg
    assert cfg.with_changes(language="zh").resolved_language(EN).code == "zh"
    with pytest.raises(ConfigError, match="language must be one of"):
        Config(language="fr")


def test_model_reads() -> None:
    assert not model_reads("bundled", "zh") and not model_reads("bundled", "mixed")
    assert model_reads("bundled", "en") and model_reads("multilingual", "zh")
    assert model_reads("/models/some-folder", "zh")  # unknown models are not accused
    assert not model_reads("bundled", "cyrillic") and model_reads("multilingual", "cyrillic")
    assert model_reads("bundled", "unknown")


def _csv(path: Path, titles: list[str]) -> Path:
    path.write_text("id,title\n" + "".join(f"{i},{t}\n" for i, t in enumerate(titles)),
                    encoding="utf-8")
    return path


def test_cli_keeps_a_model_given_and_warns_when_it_cannot_read_the_catalog(
        tiny_bert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cat = _csv(tmp_path / "zh.csv", ZH * 3)
    out = tmp_path / "v.npy"
    assert main(["embed", str(cat), "--out", str(out), "--model", str(tiny_bert_dir),
                 "--workspace", str(tmp_path / "ws")]) == 0
    err = capsys.readouterr().err
    assert "catalog language (automatic): Chinese" in err and f"model {tiny_bert_dir}" in err
    assert "hybrid weight 0.5 (chosen for this language)" in err
    assert main(["embed", str(cat), "--out", str(out), "--model", "bundled", "--no-store",
                 "--hybrid-weight", "0.3"]) == 0
    err = capsys.readouterr().err
    assert "hybrid weight 0.3" in err and "reads English only" in err


def test_cli_configuration_file_settings_are_kept(tiny_bert_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cat = _csv(tmp_path / "zh.csv", ZH * 3)
    conf = tmp_path / "c.json"
    conf.write_text(json.dumps({"model": str(tiny_bert_dir), "hybrid_weight": 0.9}))
    assert main(["neighbors", str(cat), "--out", str(tmp_path / "l.csv"), "--config", str(conf),
                 "--no-store", "--k", "2"]) == 0
    err = capsys.readouterr().err
    assert "hybrid weight 0.9" in err and "chosen for this language" not in err
    assert main(["neighbors", str(cat), "--out", str(tmp_path / "l.csv"), "--language", "en",
                 "--model", str(tiny_bert_dir), "--no-store", "--k", "2"]) == 0
    assert "catalog language (set): English" in capsys.readouterr().err


RU = ["Кроссовки мужские Nike Air Max 90 белые", "Чайник электрический Bosch 1.7 л",
      "Футболка хлопковая мужская синяя"]


def test_a_cyrillic_catalog_gets_the_multilingual_model(tiny_bert_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """A Russian shop was embedded by the English-only MiniLM without a word said."""
    lang = detect_language(RU * 5)
    assert lang.code == "cyrillic" and "Cyrillic script" in lang.describe()
    assert field_defaults(pd.DataFrame({"Артикул": ["A1", "B2"], "Наименование": RU[:2],
                                        "Категория": ["Обувь", "Бытовая техника"],
                                        "Бренд": ["Nike", "Bosch"], "Цена": ["12990", "3490"],
                                        "Фото": ["a.jpg", "b.jpg"]})) == ColumnMapping(
        text_columns=("Наименование",), id_column="Артикул", category="Категория",
        brand="Бренд", price="Цена", image="Фото")
    assert field_defaults(pd.DataFrame({"商品コード": ["A1"], "商品名": ["ナイキ スニーカー 白"],
                                        "カテゴリ": ["靴"], "ブランド": ["ナイキ"],
                                        "価格": ["12990"], "型番": ["DH-2024"]})) == ColumnMapping(
        text_columns=("商品名",), id_column="商品コード", category="カテゴリ", brand="ブランド",
        price="価格", model_number="型番")
    assert field_defaults(pd.DataFrame({"상품번호": ["A1"], "상품명": ["나이키 운동화"],
                                        "카테고리": ["신발"], "브랜드": ["나이키"],
                                        "가격": ["99000"]})) == ColumnMapping(
        text_columns=("상품명",), id_column="상품번호", category="카테고리", brand="브랜드",
        price="가격")
    assert Config().for_language("cyrillic").model == "multilingual"
    cat = _csv(tmp_path / "ru.csv", RU * 3)
    assert main(["embed", str(cat), "--out", str(tmp_path / "v.npy"), "--model", "bundled",
                 "--no-store"]) == 0
    err = capsys.readouterr().err
    assert "catalog language (automatic): Cyrillic script (Russian, Ukrainian...)" in err
    assert "reads English only" in err


def test_the_sample_reads_as_many_texts_as_it_says():
    """A stride sample read 1,004 of a 2,008-text catalog ("100% of the 1,004 texts checked"): the
    sample is spread evenly and reads the full 2,000 (every text of a smaller catalog)."""
    texts = ["红色运动鞋"] * 2008
    texts[-1] = "last text in English"
    assert detect_language(texts).sampled == 2000
    assert detect_language(texts[:1500]).sampled == 1500
    assert detect_language(texts, sample=2).shares == {"zh": 0.5, "en": 0.5}  # first and last
