"""What this computer's processor does fast, read once at run time: the kernels are picked by it.

- :func:`torch_fp32_fast`: torch's own fp32 matrix products are as fast as ONNX Runtime's, so
  "auto" precision on a CPU runs the model through torch and makes no ONNX export. True when
  torch was built with Intel MKL and the processor is an Intel one. MKL takes slower generic
  paths on other vendors' processors: on an AMD EPYC (Zen 3, AVX2) ONNX Runtime embedded 2.8x
  faster than torch fp32, while on an Intel Xeon with AMX torch fp32 was 1.0-1.1x ONNX Runtime's
  speed and needs no export (9 s and 90 MB for MiniLM, 27 s and 470 MB for a 12-layer model;
  bench/perf_embedding.py). The vectors are the same either way (cosine 1.000000).
- :func:`auto_engine`: what "auto" precision runs a BERT model with on a CPU, "torch" or "onnx".
  Torch on an Intel processor with MKL (above). Elsewhere the vendor does not settle it: on
  one AMD EPYC Zen 3 ONNX Runtime was 2.8x torch fp32, on another (family 25, model 1, AVX2)
  1.05-1.13x (MiniLM; the 12-layer multilingual copy 1.1x), where the export (5 s for MiniLM,
  25 s and 470 MB for the multilingual copy) made a fine-tuning job slower (abt-buy 210 s
  against 183 s without the "preparing" phase). So it is measured there, once per processor
  and library versions (:func:`onnx_gain`: the bundled MiniLM on 256 product titles through
  both engines, best of two rounds), kept in the cache folder, and ONNX Runtime is taken
  only for a gain of ONNX_GAIN or more. ``$CATSIM_CPU_ENGINE`` (torch or onnx) settles it
  without measuring.
- :func:`bf16_fast`: bfloat16 arithmetic in hardware (AVX512-BF16 or AMX).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
import time
from pathlib import Path

ENGINE_ENV = "CATSIM_CPU_ENGINE"
ONNX_GAIN = 1.25  # ONNX Runtime must embed this much faster to be worth its exports
PROBE_FILE = "cpu_engine.json"
_PROBE_LOCK = threading.Lock()  # two sessions loading a model at once measure once


@functools.cache
def cpuinfo() -> str:
    """/proc/cpuinfo's text ("" where there is none: macOS, Windows)."""
    try:
        return Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return ""


def _field(name: str, info: str | None) -> str:
    """The first processor's value of a cpuinfo field ("" if there is none)."""
    for line in (cpuinfo() if info is None else info).splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def vendor(info: str | None = None) -> str:
    """The processor's vendor id ("GenuineIntel", "AuthenticAMD", ...; "" if unknown)."""
    return _field("vendor_id", info)


def flags(info: str | None = None) -> set[str]:
    """The processor's feature flags (the first processor's; empty if unknown)."""
    return set(_field("flags", info).split())


def bf16_fast(info: str | None = None) -> bool:
    """bfloat16 arithmetic in hardware: AVX512-BF16 or AMX."""
    return bool({"avx512_bf16", "amx_bf16"} & flags(info))


@functools.cache
def _torch_has_mkl() -> bool:
    import torch

    return bool(torch.backends.mkl.is_available())


def torch_fp32_fast(info: str | None = None) -> bool:
    """Whether torch's fp32 matrix products match ONNX Runtime's here (see the module note)."""
    return vendor(info) == "GenuineIntel" and _torch_has_mkl()


def auto_engine() -> str:
    """"torch" or "onnx": the engine "auto" precision runs a BERT model with on a CPU (see the
    module note). ONNX only where onnxruntime is installed."""
    forced = os.environ.get(ENGINE_ENV, "").strip().lower()
    if forced in ("torch", "onnx"):
        return forced
    if torch_fp32_fast():
        return "torch"
    from core.embed.onnx import onnx_available

    if not onnx_available():
        return "torch"
    return "onnx" if onnx_gain() >= ONNX_GAIN else "torch"


def _probe_key() -> str:
    import onnxruntime
    import torch

    return (f"{vendor()} {_field('model name', None)} family {_field('cpu family', None)} "
            f"model {_field('model', None)}|torch {torch.__version__}|onnxruntime "
            f"{onnxruntime.__version__}|threads {torch.get_num_threads()}")


def onnx_gain() -> float:
    """ONNX Runtime's embedding speed over torch fp32's on this machine: measured once and kept
    in the cache folder's cpu_engine.json by processor and library versions (a measurement
    that fails counts as no gain)."""
    with _PROBE_LOCK:
        return _gain()


def _gain() -> float:
    from core.embed.onnx import cache_dir

    path, key = cache_dir() / PROBE_FILE, _probe_key()
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    entry = known.get(key)
    if isinstance(entry, dict) and isinstance(entry.get("gain"), (int, float)):
        return float(entry["gain"])
    try:
        torch_s, onnx_s = _measure()
        entry = {"torch_s": round(torch_s, 3), "onnx_s": round(onnx_s, 3),
                 "gain": round(torch_s / onnx_s, 3)}
    except Exception as exc:  # no export or no model: torch, and say why
        entry = {"gain": 0.0, "failed": f"{type(exc).__name__}: {exc}"[:300]}
    known[key] = entry
    try:  # written whole or not at all; another process may measure at the same time
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False,
                                         encoding="utf-8") as f:
            json.dump(known, f, indent=1)
        os.replace(f.name, path)
    except OSError:
        pass  # measured again next time
    return float(entry["gain"])


def probe_texts(n: int = 256) -> list[str]:
    """n product-title-like texts of 4-16 words, the same every time."""
    words = ["wireless", "noise", "cancelling", "headphones", "black", "usb-c", "cable", "2m",
             "stainless", "steel", "kitchen", "knife", "set", "8-piece", "cotton", "crew",
             "neck", "t-shirt", "men", "large", "laptop", "stand", "aluminium", "adjustable",
             "4k", "hdmi", "monitor", "27", "inch", "ips", "led", "desk", "lamp", "dimmable",
             "running", "shoes", "women", "size", "8", "blue", "water", "bottle", "750ml",
             "insulated"]
    return [" ".join(words[(7 * i + 3 * j) % len(words)] for j in range(4 + i % 13))
            + f" model {1000 + 37 * i}" for i in range(n)]


def _measure() -> tuple[float, float]:
    """Seconds for probe_texts() through torch fp32 and through ONNX Runtime (the bundled
    MiniLM, exported as "auto" would; best of two rounds each, alternating)."""
    from core.embed.bert import BertEncoder

    texts = probe_texts()
    engines = [BertEncoder(None, device="cpu", precision=p) for p in ("fp32", "onnx")]
    for e in engines:
        e.encode(texts[:16])  # warm: weights, sessions, allocator
    best = [float("inf"), float("inf")]
    for _ in range(2):
        for i, e in enumerate(engines):
            start = time.perf_counter()
            e.encode(texts)
            best[i] = min(best[i], time.perf_counter() - start)
    return best[0], best[1]
