"""Every sub-command's --help says what it does and ends with examples, and the examples
run as pasted (in a folder holding the shop.csv and the files they name)."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import pytest

from core.cli import build_parser, main
from core.cli.common import Output
from core.cli.examples import EXAMPLES, TOP_EXAMPLES
from core.config import Config
from tests.conftest import make_csv_bytes

SHOP = [["sku", "title", "brand", "category", "price"],
        ["A1", "red running shoe size 42", "acme", "shoes", "59.00"],
        ["A2", "blue running shoe size 42", "acme", "shoes", "61.00"],
        ["A3", "trail running shoe waterproof", "stride", "shoes", "89.00"],
        ["A4", "kids running shoe velcro", "stride", "shoes", "35.00"],
        ["B1", "green tea 40 bags", "leafco", "tea", "4.50"],
        ["B2", "green tea 20 bags", "leafco", "tea", "2.90"],
        ["B3", "black tea 40 bags", "leafco", "tea", "4.20"],
        ["B4", "jasmine green tea loose leaf", "teahouse", "tea", "9.90"],
        ["C1", "usb c cable 2m braided", "wired", "cables", "12.00"],
        ["C2", "usb c cable 1m", "wired", "cables", "8.00"],
        ["C3", "hdmi cable 2m 4k", "wired", "cables", "11.00"],
        ["C4", "lightning cable 1m", "plugco", "cables", "9.00"]]
PAIRS = [["left_id", "right_id", "label"], ["A1", "A2", "1"], ["B1", "B2", "1"],
         ["C1", "C2", "1"], ["A1", "B1", "0"], ["C3", "B4", "0"], ["A3", "C4", "0"]]
# photos are not made here, and fine-tuning is slow: parsed only
NOT_RUN = ("duplicate-photos", "finetune")


def _lines() -> list[tuple[str, str]]:
    return [(name, line) for name, lines in EXAMPLES.items() for line in lines]


def _argv(line: str) -> tuple[list[str], str | None]:
    """(the arguments after 'python -m core', the file stdout is sent to, if any)."""
    words = shlex.split(line)
    assert words[:3] == ["python", "-m", "core"], line
    words, stdout = words[3:], None
    if ">" in words:
        stdout = words[words.index(">") + 1]
        words = words[: words.index(">")]
    return words, stdout


def test_every_command_has_examples() -> None:
    _, handlers = build_parser()
    assert set(EXAMPLES) == set(handlers)


@pytest.mark.parametrize(("name", "line"), _lines())
def test_every_example_is_a_valid_command_line(name: str, line: str) -> None:
    parser, _ = build_parser()
    argv, _ = _argv(line)
    parser.parse_args(argv)  # a mistyped flag or value exits here


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_help_says_what_the_command_does_and_ends_with_examples(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([name, "--help"])
    text = capsys.readouterr().out
    summary = text.split("\n\n")[1]  # after the usage lines
    assert not summary.startswith(("positional arguments:", "options:")), summary
    tail = text.rsplit("examples:\n", 1)[1]
    assert tail.splitlines() == [f"  {line}" for line in EXAMPLES[name]]


def test_the_top_help_ends_with_examples_that_parse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    shown = text.split("examples (each command's --help ends with its own):\n")[1]
    assert shown.splitlines()[:len(TOP_EXAMPLES)] == [f"  {line}" for line in TOP_EXAMPLES]
    parser, _ = build_parser()
    for line in TOP_EXAMPLES:
        argv, _ = _argv(line)
        try:
            parser.parse_args(argv)
        except SystemExit as exc:  # --help
            assert exc.code == 0 and "--help" in argv, line
    capsys.readouterr()


@pytest.fixture
def shop(tmp_path: Path, tiny_bert_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding shop.csv and the other files the examples read (settings of the
    tiny model)."""
    (tmp_path / "shop.csv").write_bytes(make_csv_bytes(SHOP))
    (tmp_path / "pairs.csv").write_bytes(make_csv_bytes(PAIRS))
    Config(model=str(tiny_bert_dir), id_column="sku", text_columns=("title",),
           k=3).save(tmp_path / "settings.json")
    Config(model=str(tiny_bert_dir), id_column="sku", text_columns=("title", "brand"), k=3,
           hybrid_weight=0.3).save(tmp_path / "tuned.json")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_examples_run_as_pasted(shop: Path, tiny_bert_dir: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    tiny = ["--model", str(tiny_bert_dir)]
    for name, line in _lines():  # in order: embed writes the vectors neighbors reads
        if name in NOT_RUN:
            continue
        argv, stdout = _argv(line)
        extra = [] if argv[0] in ("config-keys", "sessions") else tiny
        if argv[0] != "config-keys" and "--workspace" not in argv:
            extra += ["--workspace", str(shop / "workspace")]
        Output.quiet = False
        code = main([*argv, *extra])
        out, err = capsys.readouterr()
        assert code == 0, (line, err)
        assert "Traceback" not in err and "error:" not in err, (line, err)
        if stdout:
            assert out.splitlines()[0] == "rank,product_id,title,score", (line, out)
        for word in argv:
            if word.endswith((".csv", ".npy", ".json")) and word != "shop.csv":
                assert (shop / word).is_file(), (line, word)


def test_embed_offers_only_what_it_uses(capsys: pytest.CaptureFixture[str]) -> None:
    # embed writes text vectors: --index, --relevance-floor and the photo options were taken
    # and did nothing (embed --image-col photo --image-weight 0.3 wrote no photo vectors)
    with pytest.raises(SystemExit):
        main(["embed", "--help"])
    text = capsys.readouterr().out
    for absent in ("--index", "--relevance-floor", "--image-col", "--image-weight", "--images",
                   "--fetch-images"):
        assert absent not in text, absent
    with pytest.raises(SystemExit) as info:
        main(["embed", "shop.csv", "--out", "v.npy", "--image-col", "photo"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "unrecognized arguments: --image-col photo" in err


def test_every_option_says_what_it_does() -> None:
    # groups --method was listed as "--method {hdbscan,agglomerative}" and nothing else
    parser, _ = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    silent = [f"{name} {action.option_strings or action.dest}"
              for name, command in sub.choices.items() for action in command._actions
              if not action.help]
    assert silent == []
