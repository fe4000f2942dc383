"""Shared by the command-line tests: every run prints its lines (no --quiet left over from
another test), and a runner of `python -m core` on a small catalog with the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import main
from core.cli.common import Output
from tests.conftest import make_csv_bytes


@pytest.fixture(autouse=True)
def _loud() -> None:
    Output.quiet = False


def cli_runner(rows: list[list[str]], tmp_path: Path, model_dir: Path,
               capsys: pytest.CaptureFixture[str]):
    """run(*args) -> (code, stdout, stderr) with the model and a workspace in tmp_path;
    run.catalog is the catalog (rows as shop.csv), run.capsys the capture."""
    catalog = tmp_path / "shop.csv"
    catalog.write_bytes(make_csv_bytes(rows))

    def go(*args: str) -> tuple[int, str, str]:
        try:
            code = main([*args, "--model", str(model_dir), "--workspace", str(tmp_path / "ws")])
        except SystemExit as exc:  # argparse's errors
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    go.catalog, go.capsys = catalog, capsys
    return go
