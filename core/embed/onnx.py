"""ONNX Runtime backend of :class:`core.embed.bert.BertEncoder` (``precision="onnx"``).

The transformers model is exported once with ``torch.onnx`` (eager attention,
so ONNX Runtime's BERT optimizer can fuse attention, GELU and layer norms),
optimised, and cached on disk keyed by the encoder identity (at most
``$CATSIM_ONNX_CACHE_GB``, default 4 GB: the exports used longest ago go first and are
made again when next needed; a fine-tuned model not kept, or deleted, takes its export
with it, :func:`forget_export`). Inference runs on
single-threaded sessions driven by one worker thread per core: small BERT
batches parallelise better across batches than inside one matrix product.
Vectors stay fp32 (cosine to the torch fp32 result >= 0.99999 in
tests/test_perf_paths.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from core.errors import ModelLoadError

CACHE_ENV = "CATSIM_CACHE"
LIMIT_ENV = "CATSIM_ONNX_CACHE_GB"
DEFAULT_LIMIT_GB = 4.0  # a 12-layer model's export is 470 MB, MiniLM's 90 MB


def onnx_available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    """$CATSIM_CACHE, else ~/.cache/catalog-similarity."""
    root = os.environ.get(CACHE_ENV, "").strip()
    return Path(root).expanduser() if root else Path.home() / ".cache" / "catalog-similarity"


class OnnxRunner:
    """last_hidden_state of a transformers encoder through ONNX Runtime (CPU)."""

    def __init__(self, model, tokenizer, identity: str, *, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = _session(model, tokenizer, identity, options)
        self.inputs = [i.name for i in self.session.get_inputs()]
        import torch

        self.workers = int(threads or torch.get_num_threads() or 1)

    def hidden(self, enc: dict[str, np.ndarray]) -> np.ndarray:
        """enc: tokenizer output (numpy int) -> (b, s, hidden) float32."""
        feed = {name: np.asarray(enc[name], dtype=np.int64) for name in self.inputs}
        return self.session.run(None, feed)[0]


def _session(model, tokenizer, identity: str, options):
    """An ONNX Runtime session on the cached export; a cached file that does not load
    (truncated, empty, from a killed run) is deleted and exported again, once."""
    import onnxruntime as ort

    for attempt in (1, 2):
        path = _exported(model, tokenizer, identity)
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types (InvalidProtobuf, Fail...)
            path.unlink(missing_ok=True)
            if attempt == 2:
                raise ModelLoadError(f"The ONNX export of this model does not load ({exc}); "
                                     "use precision fp32") from exc
    raise AssertionError("unreachable")


STALE_EXPORT_SECONDS = 3600


def _sweep_stale(folder: Path) -> None:
    """Remove temporary export folders left by killed runs (older than an hour)."""
    import shutil
    import time

    for tmp in folder.glob("tmp*"):
        try:
            if tmp.is_dir() and time.time() - tmp.stat().st_mtime > STALE_EXPORT_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            continue


def export_path(identity: str) -> Path:
    """Where the export of an encoder identity lives (keyed with the library versions)."""
    import onnxruntime
    import torch

    versions = f"{identity}|onnxruntime {onnxruntime.__version__}|torch {torch.__version__}"
    key = hashlib.sha256(versions.encode("utf-8")).hexdigest()[:24]
    return cache_dir() / "onnx" / f"{key}.onnx"


def forget_export(identity: str) -> bool:
    """Delete the export of an encoder identity (a model that was not kept or was
    deleted); whether there was one. A process using it keeps its loaded session."""
    if not onnx_available():
        return False
    path = export_path(identity)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def cache_limit_bytes() -> int:
    """$CATSIM_ONNX_CACHE_GB (a number of GB, 0.1 or more), else DEFAULT_LIMIT_GB."""
    raw = os.environ.get(LIMIT_ENV, "").strip()
    try:
        gb = float(raw) if raw else DEFAULT_LIMIT_GB
    except ValueError:
        gb = DEFAULT_LIMIT_GB
    return int(max(gb, 0.1) * 1e9)


def trim_cache(folder: Path, keep: Path, limit: int) -> list[Path]:
    """Delete the exports used longest ago (their modification time, touched at each use)
    until the folder's exports take at most limit bytes; keep is never deleted. Returns
    what was deleted."""
    files = []
    for path in folder.glob("*.onnx"):
        try:
            stat = path.stat()
        except OSError:
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in files)
    gone = []
    for _, size, path in sorted(files):
        if total <= limit:
            break
        if path == keep:
            continue
        path.unlink(missing_ok=True)
        total -= size
        gone.append(path)
    return gone


def _exported(model, tokenizer, identity: str) -> Path:
    """Path of the optimised ONNX file for this identity (and library versions), exported once."""
    target = export_path(identity)
    folder = target.parent
    if target.exists() and target.stat().st_size > 0:
        with contextlib.suppress(OSError):
            os.utime(target)  # used now: the last to go when the cache is trimmed
        return target
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_stale(folder)
    try:
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            raw = Path(tmp) / "raw.onnx"
            _export(model, tokenizer, raw)
            optimised = Path(tmp) / "opt.onnx"
            _optimise(raw, optimised, model.config)
            os.replace(optimised, target)
    except (RuntimeError, ValueError, OSError, TypeError) as exc:
        raise ModelLoadError(f"Could not export the model to ONNX ({exc}); use precision "
                             "fp32") from exc
    trim_cache(folder, target, cache_limit_bytes())
    return target


def _export(model, tokenizer, path: Path) -> None:
    import copy

    import torch

    sample = tokenizer(["a b", "a b c d"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    eager = copy.deepcopy(model).float().eval()
    if hasattr(eager, "set_attn_implementation"):
        eager.set_attn_implementation("eager")

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = eager

        def forward(self, *args):
            return self.inner(**dict(zip(names, args))).last_hidden_state

    axes = {n: {0: "batch", 1: "tokens"} for n in names}
    axes["hidden"] = {0: "batch", 1: "tokens"}
    import warnings

    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(Hidden().eval(), tuple(sample[n] for n in names), str(path),
                          input_names=names, output_names=["hidden"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)


def _optimise(raw: Path, out: Path, config) -> None:
    """Fuse attention / GELU / layer norms where the architecture is BERT-like."""
    import shutil

    try:
        from onnxruntime.transformers import optimizer
    except ImportError:  # pragma: no cover - part of onnxruntime
        shutil.copyfile(raw, out)
        return
    heads = int(getattr(config, "num_attention_heads", 0) or 0)
    hidden = int(getattr(config, "hidden_size", 0) or 0)
    model = optimizer.optimize_model(str(raw), model_type="bert", num_heads=heads,
                                     hidden_size=hidden, opt_level=1)
    model.save_model_to_file(str(out))
