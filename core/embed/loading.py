"""Loading a BERT-family model folder or hub id through ``transformers``, safely.

Only safetensors weights are loaded (pickle ``.bin``/``.pt`` files can run code
when opened) and ``trust_remote_code`` stays off; a failure becomes a
:class:`~core.errors.ModelLoadError` that says what to do (docs/robustness.md).
"""

from __future__ import annotations

import threading
from pathlib import Path

from core.errors import ModelLoadError


def _load(source: Path | str, device: str):
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if isinstance(source, Path) and not any(source.glob("*.safetensors")):
        pickles = sorted(p.name for p in source.glob("*") if p.suffix in (".bin", ".pt", ".pth"))
        raise ModelLoadError(
            f"The model folder {source} has no .safetensors weights"
            + (f" (only {', '.join(pickles)})" if pickles else "")
            + ". Only safetensors weights are loaded: pickle files (.bin, .pt) can run code "
            "when opened. Save the model with safe_serialization=True, or use the bundled model")
    try:  # trust_remote_code stays off: a model folder never runs its own Python code
        tokenizer = AutoTokenizer.from_pretrained(str(source), trust_remote_code=False)
        model = AutoModel.from_pretrained(str(source), use_safetensors=True,
                                          trust_remote_code=False)
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        raise ModelLoadError(_load_message(source, exc)) from exc
    # A fast tokenizer re-sets its padding/truncation state on every call, so two sessions
    # (or a fine-tune job) sharing the cached model could race; serialise its calls.
    encode_plus, tokenizer_lock = tokenizer._encode_plus, threading.RLock()

    def _serialised_encode_plus(*args, **kwargs):
        with tokenizer_lock:
            return encode_plus(*args, **kwargs)

    tokenizer._encode_plus = _serialised_encode_plus
    # Texts are counted untruncated on purpose (count_truncated) and truncated when
    # encoded; transformers' "will result in indexing errors" warning would mislead.
    tokenizer.deprecation_warnings["sequence-length-is-longer-than-the-specified-maximum"] = True
    model.eval().to(device)
    folder = Path(source) if isinstance(source, Path) else _snapshot_folder(model)
    return tokenizer, model, folder


def _snapshot_folder(model) -> Path:
    path = getattr(model, "name_or_path", "") or getattr(model.config, "_name_or_path", "")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(path, local_files_only=True))
    except Exception as exc:  # hub raises several types; the model itself loaded
        raise ModelLoadError(f"Loaded {path} but cannot find its files to hash: {exc}") from exc


def _load_message(source: Path | str, exc: Exception) -> str:
    import os

    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if isinstance(source, Path):
        return (f"Cannot load the model folder {source}: {detail}. "
                "It needs config.json, tokenizer files and model.safetensors.")
    offline = any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
                  for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
    why = ("offline mode is on (HF_HUB_OFFLINE) and it is not in the local cache" if offline
           else "the Hugging Face Hub cannot be reached, or the id is wrong")
    return (f"Cannot load model '{source}': it is not a local folder and {why}. Download it "
            "where there is network access and give its folder, or use the bundled "
            f"all-MiniLM-L6-v2. ({detail})")
