"""core/ is the UI-free engine: no module in it may import streamlit."""

from __future__ import annotations

import ast
import importlib
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


# --- The shape of core/ (docs/architecture.md) --------------------------------------------

MAX_TOP_LEVEL_MODULES = 12


def _module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _core_imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """core modules imported anywhere in the file (function bodies too), skipping
    ``if TYPE_CHECKING:`` blocks; ``from pkg import submodule`` counts as the submodule."""
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
            for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("core")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.startswith("core"):
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= subs or {node.module}
    out = set()
    for name in found:  # resolve to the nearest module that exists
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            out.add(name)
    return out


def _import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p) for p in CORE_FILES}
    graph = {}
    for path in CORE_FILES:
        name = _module_name(path)
        deps = _core_imports(ast.parse(path.read_text(encoding="utf-8")), modules)
        # A package's __init__ re-exporting its own submodules is not a cycle.
        graph[name] = {d for d in deps if d != name and not d.startswith(name + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_core_is_a_few_packages_not_a_flat_wall() -> None:
    top = sorted(p.name for p in CORE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    for package in ("catalog", "embed", "search", "lists", "quality", "finetune", "export", "cli"):
        assert (CORE / package / "__init__.py").exists(), package


def test_core_has_no_import_cycles() -> None:
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_only_the_neighbour_index_decides_which_channels_exist() -> None:
    """No page, component or core module outside core/search/index.py tests the hybrid
    weight to decide whether the words channel exists."""
    root = CORE.parent
    offenders = []
    for folder in ("core", "components", "pages"):
        for path in (root / folder).rglob("*.py"):
            if path == CORE / "search" / "index.py" or path == CORE / "config.py":
                continue
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "hybrid_weight >" in line or "hybrid_weight <" in line:
                    offenders.append(f"{path.relative_to(root)}:{line_no}")
    assert offenders == []


# Modules split by concern re-export their old public names (notebooks import them there).
SPLIT_MODULES = {
    "core.embed.encoders": "BUNDLED_ALIASES ENCODER_FACTORIES MULTILINGUAL_SUGGESTIONS PRECISIONS "
                           "TOKEN_BUDGET BertEncoder Encoder ModelSettings Progress bundled_model_path "
                           "check_device default_device encoder_kind load_encoder resolve_model "
                           "token_batches",
    "core.finetune.data": "LEFT_HINTS RIGHT_HINTS LabelledPairs TextPairs TrainingSet ValidationSet "
                          "build_training_set catalog_views code_view combine corrupt empty_pairs "
                          "model_tokens pairs_from_frame positive_text_pairs read_pairs review_pairs "
                          "self_supervised_pairs split_validation validation_from_pairs "
                          "validation_from_views vary_code vary_codes view_columns",
    "core.lists.select": "REFILL_DEPTH RELEVANCE Features Floor candidate_gram distances_of "
                         "filter_candidates first_eligible first_set greedy in_order index_block "
                         "metric_block occurrence refill_pool scores_to select_chunk unit_rows",
}


@pytest.mark.parametrize("module", sorted(SPLIT_MODULES))
def test_a_split_module_keeps_its_old_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [n for n in SPLIT_MODULES[module].split() if not hasattr(mod, n)]
    assert missing == [] and set(SPLIT_MODULES[module].split()) <= set(mod.__all__)


def test_no_name_core_exports_hides_one_of_its_packages() -> None:
    """`from core.pipeline import search` in core/__init__ once replaced the package
    core.search by the function, so `import core.search.index as ix` failed ("cannot
    import name 'index' from 'search'") in a notebook; the function is search_products."""
    import types

    import core

    children = {p.stem if p.is_file() else p.name for p in CORE.iterdir()
                if (p.is_dir() and (p / "__init__.py").exists())
                or (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))}
    for name in sorted(children):
        importlib.import_module(f"core.{name}")
        assert isinstance(getattr(core, name), types.ModuleType), name
    index = importlib.import_module("core.search.index")
    assert core.search.index is index and callable(core.search_products)
