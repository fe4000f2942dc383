"""core/ is the UI-free engine: no module in it may import streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
CORE_FILES = sorted(CORE.rglob("*.py"))


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _is_streamlit(module: str) -> bool:
    return module == "streamlit" or module.startswith("streamlit.")


def test_core_has_modules() -> None:
    names = {p.name for p in CORE_FILES}
    assert {"__init__.py", "config.py", "pipeline.py", "errors.py"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_does_not_import_streamlit(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offenders = [f"{path.name}:{line} imports {mod}"
                 for line, mod in _imported_modules(tree) if _is_streamlit(mod)]
    assert offenders == []


def test_the_checker_sees_nested_and_aliased_imports() -> None:
    source = ("def f():\n    import streamlit as st\n"
              "class C:\n    from streamlit.testing.v1 import AppTest\n"
              "import numpy, streamlit.components.v1\n")
    mods = [m for _, m in _imported_modules(ast.parse(source)) if _is_streamlit(m)]
    assert sorted(mods) == ["streamlit", "streamlit.components.v1", "streamlit.testing.v1"]
    assert not _is_streamlit("streamlit_extras_lookalike")
