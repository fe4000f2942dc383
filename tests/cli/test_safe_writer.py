"""Issue 14 items 4, 8 and 9: one safe CSV/XLSX writer (exports, the CLI's stdout),
one-line CLI messages with control characters escaped, no leftover temporary files."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from core.catalog.read import read_table
from core.errors import CatalogSimilarityError, one_line
from core.export.tables import to_bytes, write_stream, write_table
from tests.catalog.test_robustness import cli  # noqa: F401 (the CLI harness fixture)
from tests.conftest import make_csv_bytes


# --- 4, 9: one safe writer ---------------------------------------------------------------
def test_cli_search_output_goes_through_the_safe_writer(cli, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "c.csv"
    path.write_bytes(make_csv_bytes([["id", "title"], ["1", "red shoe"],
                                     ["=HYPERLINK(\"http://x\")", "red shoe lace"],
                                     ["3", "green tea"]]))
    code, out, err = cli("search", str(path), "--query", "red shoe", "--id-col", "id",
                         "--text-cols", "title", "--k", "3")
    assert code == 0, err
    assert out.startswith("rank,product_id,title,score\r\n")  # CRLF rows, as every export
    frame = pd.read_csv(io.StringIO(out))
    assert "'=HYPERLINK(\"http://x\")" in set(frame["product_id"].astype(str))


def test_csv_exports_carry_no_control_characters() -> None:
    frame = pd.DataFrame({"source_id": ["a\x00b", "c\x1b[2J"], "score": [0.5, 0.25]})
    data = to_bytes(frame, "csv")
    assert b"\x00" not in data and b"\x1b" not in data
    read_table(data, "export.csv")  # the app reads its own export again


def test_xlsx_refuses_ids_it_would_cut(tmp_path: Path) -> None:
    long_id = "x" * 40_000
    frame = pd.DataFrame({"source_id": [long_id + "a", long_id + "b"], "rank": [1, 1]})
    with pytest.raises(CatalogSimilarityError, match="longer than Excel's 32,767"):
        to_bytes(frame, "xlsx")


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    frame = pd.DataFrame({"source_id": ["a"], "rank": [1]})

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError):
        write_table(frame, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(Path, "symlink_to"), reason="needs symbolic links")
def test_an_output_that_is_a_symbolic_link_updates_the_file_it_points_to(
        tmp_path: Path) -> None:
    # --out lists.csv, a link to the file the shop's recommender reads: the link was
    # replaced by a plain file and the recommender's file kept last month's lists
    import numpy as np

    from core.cli.common import save_vectors
    from core.config import Config

    served = tmp_path / "srv"
    served.mkdir()
    frame = pd.DataFrame({"source_id": ["a"], "neighbor_id": ["b"], "score": [0.5]})
    for name, write in (("lists.csv", lambda p: write_table(frame, p)),
                        ("v.npy", lambda p: save_vectors(str(p), np.ones((1, 2), np.float32))),
                        ("settings.json", lambda p: Config(k=3).save(p))):
        (served / name).write_text("last month", encoding="utf-8")
        link = tmp_path / name
        link.symlink_to(served / name)
        write(link)
        assert link.is_symlink() and (served / name).read_bytes() != b"last month", name
        assert sorted(p.name for p in served.iterdir() if p.name.endswith(".tmp")) == []


def test_write_stream_writes_bytes_to_a_binary_stdout() -> None:
    class Out(io.StringIO):
        buffer = io.BytesIO()

    out = Out()
    write_stream(pd.DataFrame({"id": ["=1+1"], "t": ["a\rb"]}), out)
    assert out.buffer.getvalue() == b"id,t\r\n'=1+1,\"a\rb\"\r\n"


# --- 8: one-line messages instead of tracebacks -----------------------------------------------
def test_cli_messages_show_control_characters_as_escapes() -> None:
    assert one_line("id \x1b[2J\x1b]0;pwned\x07 x\ny") == "id \\x1b[2J\\x1b]0;pwned\\x07 x y"


def test_cli_catches_what_it_did_not_expect(monkeypatch, capsys) -> None:
    from core import cli as cli_module

    def boom(args):
        raise KeyError("surprise")

    parser, handlers = cli_module.build_parser()
    monkeypatch.setattr(cli_module, "build_parser", lambda: (parser, {**handlers,
                                                                      "config-keys": boom}))
    assert cli_module.main(["config-keys"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and "CATSIM_DEBUG" in err


def test_a_reader_that_leaves_stdout_early_ends_the_run_quietly(tmp_path: Path) -> None:
    # python -m core health shop.csv | head -1 printed 'error: BrokenPipeError: [Errno 32]
    # Broken pipe' and exited 4, as if a file could not be written
    import subprocess
    import sys

    code = ("import sys\nfrom core import cli\n"
            "def long(args):\n    for i in range(100_000):\n        print('line', i)\n"
            "    return 0\n"
            "parser, handlers = cli.build_parser()\n"
            "cli.build_parser = lambda: (parser, {**handlers, 'config-keys': long})\n"
            "raise SystemExit(cli.main(['config-keys']))\n")
    repo = Path(__file__).resolve().parents[2]
    run = subprocess.run(f"{sys.executable} -c \"$CODE\" | head -1", shell=True, cwd=repo,
                         env={"CODE": code, "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, timeout=120, executable="/bin/bash")
    assert run.stdout == "line 0\n" and run.stderr == "", run.stderr
    status = subprocess.run(f"set -o pipefail; {sys.executable} -c \"$CODE\" | head -1",
                            shell=True, cwd=repo, env={"CODE": code, "PATH": "/usr/bin:/bin"},
                            capture_output=True, timeout=120, executable="/bin/bash")
    assert status.returncode == 141  # a reader gone, as for any Unix tool (128 + SIGPIPE)


def test_catalog_text_printed_to_the_terminal_shows_control_characters_as_escapes(
        cli, tmp_path: Path) -> None:  # noqa: F811
    # a title holding ESC sequences (red text, a window title, OSC 52 can set the clipboard)
    # reached the terminal raw through explain's and compare's lines
    rows = [["id", "title"], ["1", "\x1b[31mred\x1b[0m running shoe\x1b]0;pwned\x07"],
            *([str(i), f"plain product number {i} in blue cotton"] for i in range(2, 40))]
    path = tmp_path / "c.csv"
    path.write_bytes(make_csv_bytes(rows))
    other = tmp_path / "other.json"
    other.write_text('{"k": 2, "metric": "dot"}', encoding="utf-8")
    for args in (["explain", str(path), "--left", "1", "--right", "2"],
                 ["compare", str(path), "--other", str(other), "--top", "40"]):
        code, out, err = cli(*args, "--id-col", "id", "--text-cols", "title")
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out, args[0]
        assert "\\x1b[31mred\\x1b[0m running shoe" in out, args[0]
