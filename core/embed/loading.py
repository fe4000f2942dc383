"""Loading a BERT-family model folder or hub id through ``transformers``, safely.

Only safetensors weights are loaded (pickle ``.bin``/``.pt`` files can run code
when opened) and ``trust_remote_code`` stays off; a failure becomes a
:class:`~core.errors.ModelLoadError` that says what to do (docs/robustness.md).
:func:`folder_facts` reads what the encoder's store key needs from the folder's files
without loading the weights (:func:`local_model_folder`: which folder that is).
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from core.errors import ModelLoadError

if TYPE_CHECKING:
    from core.embed.models import ModelFacts


def _load(source: Path | str, device: str):
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if isinstance(source, Path) and not any(source.glob("*.safetensors")):
        from core.embed.models import no_weights_message

        raise ModelLoadError(no_weights_message(source))
    local_only = isinstance(source, str) and not _offline() and not hub_reachable()
    if local_only and not _cached(source):  # fail now, not after a minute of retries
        raise ModelLoadError(_load_message(source, OSError(f"no connection to {_hub_host()[0]}"),
                                           unreachable=True))
    try:  # trust_remote_code stays off: a model folder never runs its own Python code
        tokenizer = AutoTokenizer.from_pretrained(str(source), trust_remote_code=False,
                                                  local_files_only=local_only)
        model = AutoModel.from_pretrained(str(source), use_safetensors=True,
                                          trust_remote_code=False, local_files_only=local_only)
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


def local_model_folder(source: Path | str) -> Path | None:
    """The folder a model option's files are in without loading it: the folder itself, or a
    hub id's snapshot in the local cache while offline (HF_HUB_OFFLINE). None for a hub id
    online: loading it may fetch a newer revision, so only the loaded model says which."""
    if isinstance(source, Path):
        return source
    if not _offline():
        return None
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(source, local_files_only=True))
    except Exception:  # not cached, or a malformed id: loading it says why
        return None


def folder_facts(folder: Path) -> ModelFacts:
    """ModelFacts read from a model folder's config.json and tokenizer_config.json, the
    values the loaded model and tokenizer would have, without loading the weights; the
    config or tokenizer class is loaded only for a value those files do not hold."""
    from core.embed.models import ModelFacts, _json_object, no_weights_message

    if not any(folder.glob("*.safetensors")):
        raise ModelLoadError(no_weights_message(folder))
    config = _json_object(folder / "config.json")
    positions, hidden = config.get("max_position_embeddings"), config.get("hidden_size")
    if not (_whole(positions) and _whole(hidden)):
        from transformers import AutoConfig

        loaded = _from_folder(AutoConfig, folder)
        positions = getattr(loaded, "max_position_embeddings", 512)
        hidden = loaded.hidden_size
    tokenizer_max = _json_object(folder / "tokenizer_config.json").get("model_max_length")
    if not _whole(tokenizer_max):
        from transformers import AutoTokenizer

        tokenizer_max = getattr(_from_folder(AutoTokenizer, folder), "model_max_length", 512)
    return ModelFacts(int(tokenizer_max or 512), int(positions), int(hidden))


def _whole(value: object) -> bool:
    """Whether a JSON value is a positive whole number (not a bool, a float or null)."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _from_folder(auto_class, folder: Path):
    try:
        return auto_class.from_pretrained(str(folder), trust_remote_code=False,
                                          local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        raise ModelLoadError(_load_message(folder, exc)) from exc


PROBE_SECONDS = 3.0


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _hub_host() -> tuple[str, int]:
    url = urlsplit(os.environ.get("HF_ENDPOINT", "").strip() or "https://huggingface.co")
    return url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)


def hub_reachable(timeout: float = PROBE_SECONDS) -> bool:
    """Whether the Hugging Face Hub answers a TCP connection within timeout seconds. Without
    it, loading an uncached hub id retries for about a minute before it fails. Behind a
    proxy (HTTPS_PROXY, ALL_PROXY) no direct connection is tried: the hub client's own
    requests say."""
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    try:
        with socket.create_connection(_hub_host(), timeout=timeout):
            return True
    except OSError:
        return False


def _cached(model_id: str) -> bool:
    """Whether a hub id's config.json is in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except Exception:  # a malformed id: not cached; from_pretrained says why
        return False


def _snapshot_folder(model) -> Path:
    path = getattr(model, "name_or_path", "") or getattr(model.config, "_name_or_path", "")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(path, local_files_only=True))
    except Exception as exc:  # hub raises several types; the model itself loaded
        raise ModelLoadError(f"Loaded {path} but cannot find its files to hash: {exc}") from exc


def _load_message(source: Path | str, exc: Exception, *, unreachable: bool = False) -> str:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if isinstance(source, Path):
        return (f"Cannot load the model folder {source}: {detail}. "
                "It needs config.json, tokenizer files and model.safetensors.")
    why = ("offline mode is on (HF_HUB_OFFLINE) and it is not in the local cache" if _offline()
           else "it is not in the local cache and the Hugging Face Hub cannot be reached "
                "from this computer" if unreachable
           else "the Hugging Face Hub cannot be reached, or the id is wrong")
    return (f"Cannot load model '{source}': it is not a local folder and {why}. Download it "
            "where there is network access and give its folder, or use the bundled "
            f"all-MiniLM-L6-v2. ({detail})")
