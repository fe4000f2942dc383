"""The BERT-family text encoder: ``encode(texts) -> (n, d) float32``, L2-normalised.

:class:`BertEncoder` runs any BERT-family model through ``transformers``
(AutoTokenizer + AutoModel, attention-masked mean pooling), sorted by length
into batches, under ``torch.inference_mode()``, on CUDA when present. Its
``identity`` (model name + weights hash + pooling + max length + precision
class) keys the embedding store, so a fine-tuned model never reuses another
model's vectors. The identity comes from the model folder's files (config, tokenizer
config, weights hash), so the model is loaded only when a text is encoded: a run whose
texts are all in the store never loads it.

Token batching (:func:`token_batches`) and the precision / autocast choice live
here with it; loading is core.embed.loading, model options core.embed.models.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.embed.cpu import auto_engine
from core.embed.loading import _load, folder_facts, local_model_folder
from core.embed.models import (
    _read_settings,
    _weights_hash,
    check_device,
    default_device,
    encoder_kind,
    loaded_facts,
    resolve_model,
)
from core.errors import ModelLoadError

if TYPE_CHECKING:
    from core.embed.encoders import OnBatch, Progress

PRECISIONS = ("auto", "fp32", "bf16", "fp16", "onnx")
# Token budget of one batch (rows x padded length): short titles go in big
# batches, long descriptions in small ones (bench/perf_embedding.py).
TOKEN_BUDGET = 4096


class BertEncoder:
    """A BERT-family sentence encoder (mean or CLS pooling, L2-normalised).

    model: None/"bundled" for the bundled MiniLM, a local folder, or a hub id.
    precision: "auto" (fp16 on CUDA; on a CPU "fp32" through torch on Intel processors,
    where torch's MKL is as fast, else "onnx" when ONNX Runtime is installed and the
    model exports, else "fp32": core.embed.cpu), "fp32", "bf16" (autocast; fast only
    on CPUs with AMX and on CUDA), "fp16" (CUDA only) or "onnx" (ONNX Runtime fp32 on
    the CPU, same vectors as fp32 to 1e-6, 1.05-2.8x faster on AMD EPYC processors;
    bench/perf_embedding.py).
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
        self._precision = _effective_precision(precision, self.device)
        self._source, self._requested = source, precision
        self._tokenizer = self._model = self._onnx = None
        self._load_lock = threading.Lock()
        self._lock = threading.Lock()
        self._tokenize_lock = threading.Lock()
        folder, loaded = local_model_folder(source), None
        if folder is None:  # a hub id, online: load it now (it may update the local cache)
            *loaded, folder = _load(source, self.device)
            facts = loaded_facts(*loaded)
        else:
            facts = folder_facts(folder)
        settings = _read_settings(folder, facts.tokenizer_max)
        self.pooling = settings.pooling
        self.max_tokens = min(max_tokens or settings.max_tokens, facts.positions)
        self.dim = facts.hidden
        self.folder = folder
        full = self._precision in ("fp32", "onnx")  # onnx runs the same fp32 weights
        # the model's name and weights lead the identity: every precision and length of
        # one model shares this prefix (what deleting a model forgets in the store)
        self.model_key = f"{self.name}|{_weights_hash(folder)}|"
        self.identity = (f"{self.model_key}{self.pooling}"
                         f"|{self.max_tokens}|{'fp32' if full else 'half'}")
        if loaded is not None:
            self._adopt(*loaded)

    @property
    def tokenizer(self):
        """The model's tokenizer (loads the model on first use)."""
        self._ensure_loaded()
        return self._tokenizer

    @property
    def model(self):
        """The transformers model (loaded on first use: the identity, dim and max_tokens come
        from the folder's files, so texts all in the embedding store never load it)."""
        self._ensure_loaded()
        return self._model

    @property
    def precision(self) -> str:
        """What the encoder runs with: "fp32", "bf16", "fp16" or "onnx". Whether "auto" on
        a CPU runs through ONNX is known once the model is loaded, so asking that loads it."""
        if self._model is None and self._requested == "auto" and self.device == "cpu":
            self._ensure_loaded()
        return self._precision

    @property
    def loaded(self) -> bool:
        """Whether the model's weights are loaded."""
        return self._model is not None

    def _ensure_loaded(self) -> None:
        if self._model is not None:
            return
        with self._load_lock:
            if self._model is None:
                tokenizer, model, _folder = _load(self._source, self.device)
                self._adopt(tokenizer, model)

    def _adopt(self, tokenizer, model) -> None:
        self._tokenizer = tokenizer
        self._onnx = self._onnx_runner(model, tokenizer, requested=self._requested)
        if self._onnx is not None:
            self._precision = "onnx"
        self._model = model

    def _onnx_runner(self, model, tokenizer, *, requested: str):
        """ONNX Runtime for "onnx", and for "auto" on a CPU where torch's fp32 is slower (not an
        Intel processor with MKL, or $CATSIM_CPU_ENGINE: core.embed.cpu.auto_engine) when the
        model exports (else torch)."""
        from core.embed.onnx import OnnxRunner, onnx_available

        wanted = self._precision == "onnx" or (
            requested == "auto" and self.device == "cpu" and auto_engine() == "onnx")
        if not wanted or not onnx_available():
            if self._precision == "onnx":
                raise ModelLoadError("precision onnx needs: pip install onnx onnxruntime")
            return None
        try:
            return OnnxRunner(model, tokenizer, self.identity)
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
               batch_size: int | None = None, on_batch: OnBatch | None = None) -> np.ndarray:
        """texts -> (n, dim) float32, L2-normalised, in input order.

        Texts are sorted by token length (stable) and cut into batches of at most
        batch_size rows and TOKEN_BUDGET padded tokens; with precision "onnx"
        one worker thread per core runs batches side by side. on_batch(rows, vectors)
        after each batch, in batch order (rows: positions in texts), before progress:
        what it got is a prefix of the batches, and the texts it did not get, encoded
        again on their own, make the very same batches.
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
        self._ensure_loaded()
        with self._lock:
            done = 0
            for idx, vecs in self._run(batches, order, clipped):
                out[idx] = vecs
                done += len(idx)
                if on_batch is not None:
                    on_batch(idx, vecs)
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
        raise ModelLoadError(
            "Precision 'Half (graphics card)' (fp16) needs a CUDA device (a graphics card) and "
            "this computer has none; choose Automatic, Full, Half (bfloat16) or Fast CPU engine "
            "under Advanced",
            cli="--precision fp16 (precision in a settings file) needs a CUDA device (a graphics "
                "card) and this computer has none; use --precision auto, fp32, bf16 or onnx")
    if precision == "onnx" and device.startswith("cuda"):
        raise ModelLoadError(
            "Precision 'Fast CPU engine' (onnx) runs on the CPU only; choose Automatic or Half "
            "(graphics card) under Advanced on a computer with a CUDA graphics card",
            cli="--precision onnx (precision in a settings file) runs on the CPU only; use "
                "--precision auto or fp16 on a CUDA device")
    return precision


def _autocast(precision: str, device: str):
    import contextlib

    import torch

    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu",
                          dtype=dtype)
