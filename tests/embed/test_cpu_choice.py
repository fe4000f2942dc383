"""Reading the processor from /proc/cpuinfo's text, as the kernel choices use it."""

from __future__ import annotations

import pytest

from core.embed import cpu

INTEL = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8

processor\t: 1
vendor_id\t: GenuineIntel
flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8
"""
ZEN3 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse2 avx2 fma
"""
ZEN5 = ZEN3.replace("avx2 fma", "avx2 fma avx512f avx512_bf16").replace("7B13", "9B45")


@pytest.mark.parametrize("info, vendor, bf16", [(INTEL, "GenuineIntel", True),
                                                (ZEN3, "AuthenticAMD", False),
                                                (ZEN5, "AuthenticAMD", True),
                                                ("", "", False)])
def test_vendor_and_bf16_read_from_cpuinfo(info, vendor, bf16):
    assert cpu.vendor(info) == vendor
    assert cpu.bf16_fast(info) is bf16
    assert ("amx_tile" in cpu.flags(info)) is (info == INTEL)


def test_torch_fp32_counts_as_fast_on_intel_with_mkl_only(monkeypatch):
    monkeypatch.setattr(cpu, "_torch_has_mkl", lambda: True)
    assert cpu.torch_fp32_fast(INTEL)
    assert not cpu.torch_fp32_fast(ZEN3) and not cpu.torch_fp32_fast(ZEN5)
    assert not cpu.torch_fp32_fast("")  # unknown (no /proc/cpuinfo): ONNX, as before
    monkeypatch.setattr(cpu, "_torch_has_mkl", lambda: False)  # e.g. an ARM or OpenBLAS build
    assert not cpu.torch_fp32_fast(INTEL)


def test_auto_engine_is_torch_on_intel_with_mkl_onnx_elsewhere_or_as_set(monkeypatch):
    monkeypatch.delenv(cpu.ENGINE_ENV, raising=False)
    for fast, engine in ((True, "torch"), (False, "onnx")):
        monkeypatch.setattr(cpu, "torch_fp32_fast", lambda fast=fast: fast)
        assert cpu.auto_engine() == engine
    for value in ("torch", " ONNX ", "onnx"):  # an administrator's choice, on any processor
        monkeypatch.setenv(cpu.ENGINE_ENV, value)
        assert cpu.auto_engine() == value.strip().lower()
    monkeypatch.setenv(cpu.ENGINE_ENV, "fastest")  # not an engine: the rule as without it
    assert cpu.auto_engine() == "onnx"
