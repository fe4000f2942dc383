"""Shared fixtures for the core/ tests.

Test data is built here, never downloaded: a tiny randomly-initialised BERT
(saved as safetensors), small catalogs as bytes, and a temporary workspace.
Nothing here touches the network: the Hugging Face hub is forced offline for
the whole session.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Word pieces of the tiny vocabulary: enough that product text does not turn
# entirely into [UNK], small enough that the model builds in well under a second.
_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_CHARS = list("abcdefghijklmnopqrstuvwxyz0123456789")
_PUNCT = list(".,;:!?'\"-_/|&()+=@#%$€<>")
_WORDS = ["the", "and", "with", "for", "red", "blue", "green", "black", "white",
          "shoe", "shirt", "phone", "case", "cable", "usb", "pack", "set", "cup",
          "tea", "coffee", "lamp", "desk", "chair", "table", "book", "pen"]
_PIECES = ["##s", "##es", "##ed", "##ing", "##er", "##ly", "##tion"]
_CJK = list("手机红色鞋苹果电脑标题名称")


def _vocab() -> list[str]:
    tokens = _SPECIAL + _CHARS + ["##" + c for c in _CHARS] + _PUNCT + _WORDS + _PIECES + _CJK
    return list(dict.fromkeys(tokens))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (the README runs two workers): the Ray tests share one worker, so
    one local Ray cluster runs at a time (some start their own, one stops a head node), and
    so do the browser tests, so that two Chromium + Streamlit pairs never share 2 cores and
    each module's server starts once. Everything else is spread by load."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        for group in ("ray", "browser"):
            if item.get_closest_marker(group) is not None:
                item.add_marker(pytest.mark.xdist_group(group))
                break


@pytest.fixture(scope="session", autouse=True)
def _offline_hub():
    """No test may reach the Hugging Face hub (or any network)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        mp.setenv("TOKENIZERS_PARALLELISM", "false")
        try:
            import huggingface_hub.constants as hub_constants
        except ImportError:  # pragma: no cover - transformers always brings it
            hub_constants = None
        if hub_constants is not None:
            mp.setattr(hub_constants, "HF_HUB_OFFLINE", True)
        yield


@pytest.fixture(scope="session", autouse=True)
def _own_export_cache(tmp_path_factory: pytest.TempPathFactory):
    """The models' ONNX exports go to the session's own folder, never the user's
    ~/.cache/catalog-similarity (every run added one per tiny model made there). "auto"
    precision on the CPU runs torch on every processor (CATSIM_CPU_ENGINE, inherited by the
    app servers and CLI runs the tests start): the same engine on any CI machine, and no
    ONNX export of the real models on the ones that are not Intel; the ONNX path has its own
    tests (tests/embed/test_cpu_choice.py, test_perf_paths.py, the finetune export tests)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CATSIM_CACHE", str(tmp_path_factory.mktemp("catsim-cache")))
        mp.setenv("CATSIM_CPU_ENGINE", "torch")
        yield


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT + BertTokenizerFast folder (model.safetensors)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny_bert")
    vocab_file = root / "vocab_source.txt"
    vocab = _vocab()
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    folder = root / "tiny-bert"
    folder.mkdir()
    tokenizer = BertTokenizerFast(str(vocab_file), do_lower_case=True, model_max_length=64)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=64)
    model = BertModel(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    assert (folder / "model.safetensors").exists()
    assert tokenizer.tokenize("red shoe") == ["red", "shoe"], "tiny vocabulary did not load"
    return folder


@pytest.fixture(scope="session")
def tiny_encoder(tiny_bert_dir: Path):
    """core.embed.encoders.BertEncoder over the tiny model, on CPU."""
    from core.embed.encoders import BertEncoder

    return BertEncoder(tiny_bert_dir, device="cpu")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh workspace folder, also the default through $CATSIM_WORKSPACE."""
    root = tmp_path / "workspace"
    monkeypatch.setenv("CATSIM_WORKSPACE", str(root))
    return root


@pytest.fixture
def env(tiny_bert_dir: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on the tiny BERT (the model of every session) and a fresh workspace."""
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    return workspace


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def make_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per (name, frame), in order, without the index."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buf.getvalue()


def make_csv_bytes(rows: Sequence[Sequence[object]], encoding: str = "utf-8",
                   delimiter: str = ",") -> bytes:
    """Header + rows as delimited text in ``encoding`` ("utf-16" adds a BOM)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


PRODUCT_ROWS: list[list[str]] = [
    ["id", "title", "brand", "category", "price"],
    ["P1", "red running shoe", "acme", "shoes", "49.90"],
    ["P2", "blue running shoe", "acme", "shoes", "52.00"],
    ["P3", "green tea 20 pack", "leafco", "tea", "3.50"],
    ["P4", "black coffee cup", "mugs", "kitchen", "7.25"],
    ["P5", "white desk lamp", "lumen", "home", "19.99"],
    ["P6", "usb c cable 2m", "wired", "electronics", "8.00"],
    ["P7", "phone case red", "wired", "electronics", "12.00"],
    ["P8", "oak desk chair", "sitwell", "home", "89.00"],
]


@pytest.fixture
def product_rows() -> list[list[str]]:
    """A small product catalog: header + 8 rows with unique ids."""
    return [list(r) for r in PRODUCT_ROWS]


@pytest.fixture
def csv_bytes() -> Callable[..., bytes]:
    """The ``make_csv_bytes(rows, encoding, delimiter)`` builder."""
    return make_csv_bytes


@pytest.fixture
def catalog_csv(tmp_path: Path, product_rows: list[list[str]]) -> Path:
    """The small product catalog written as a UTF-8 CSV file."""
    path = tmp_path / "catalog.csv"
    path.write_bytes(make_csv_bytes(product_rows))
    return path



def open_session(token: str | None = None, page: str | None = None):
    """The app in a new AppTest session (a reload, a new tab, or the first visit after a
    server restart): with token, the session of that page address (?s=token); with page,
    switched to it. Fails on an exception the page raised."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    if token is not None:
        at.query_params["s"] = token
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def element_texts(elements) -> str:
    """The text a user reads in AppTest elements (markdown, errors, captions), joined by
    newlines: Markdown backslash escapes (components/text.md) are read as the character."""
    return "\n".join(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(e.value)) for e in elements)


@contextmanager
def running_app(model_dir: Path, workspace: Path, *, timeout: int = 300,
                state: dict | None = None) -> Iterator:
    """The app under AppTest with the given model and workspace, first run done (no exception).

    state: session_state entries set before the first run.
    """
    from streamlit.testing.v1 import AppTest

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CATSIM_MODEL", str(model_dir))
        mp.setenv("CATSIM_WORKSPACE", str(workspace))
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=timeout)
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, at.exception
        yield at
