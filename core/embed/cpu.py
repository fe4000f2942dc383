"""What this computer's processor does fast, read once at run time: the kernels are picked by it.

- :func:`torch_fp32_fast`: torch's own fp32 matrix products are as fast as ONNX Runtime's, so
  "auto" precision on a CPU runs the model through torch and makes no ONNX export. True when
  torch was built with Intel MKL and the processor is an Intel one. MKL takes slower generic
  paths on other vendors' processors: on an AMD EPYC (Zen 3, AVX2) ONNX Runtime embedded 2.8x
  faster than torch fp32, while on an Intel Xeon with AMX torch fp32 was 1.0-1.1x ONNX Runtime's
  speed and needs no export (9 s and 90 MB for MiniLM, 27 s and 470 MB for a 12-layer model;
  bench/perf_embedding.py). The vectors are the same either way (cosine 1.000000).
- :func:`auto_engine`: "torch" or "onnx", what "auto" runs a BERT model with on a CPU: torch
  where torch_fp32_fast, ONNX Runtime elsewhere; ``$CATSIM_CPU_ENGINE`` (torch or onnx) sets it.
  Measured 2026-12-07 on a second AMD EPYC Zen 3 (family 25, model 1, AVX2): idle, ONNX Runtime
  was only 1.05-1.13x torch fp32 (MiniLM), and its exports (5 s for MiniLM, 25 s and 470 MB for
  the multilingual copy) made the abt-buy fine-tuning job slower (210 s against 183 s without
  its "preparing" phase); but with the test suite running on the same 2 cores it was 1.9x
  (torch splits each product of matrices over two threads, which then wait for a busy core;
  ONNX Runtime runs one single-threaded batch per core). A one-time measurement would pick by
  the load of its moment, so the rule stays by vendor: on a shared server ONNX Runtime is the
  safer engine, and its exports are made once.
- :func:`bf16_fast`: bfloat16 arithmetic in hardware (AVX512-BF16 or AMX).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

ENGINE_ENV = "CATSIM_CPU_ENGINE"


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
    """"torch" or "onnx": what "auto" precision runs a BERT model with on a CPU (see the
    module note); ``$CATSIM_CPU_ENGINE`` settles it."""
    forced = os.environ.get(ENGINE_ENV, "").strip().lower()
    if forced in ("torch", "onnx"):
        return forced
    return "torch" if torch_fp32_fast() else "onnx"
