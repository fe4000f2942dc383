"""Reading the processor from /proc/cpuinfo's text, as the kernel choices use it."""

from __future__ import annotations

import json

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


@pytest.fixture
def measured(monkeypatch, tmp_path):
    """A processor that is not Intel with MKL, its cache folder empty, the engine not forced;
    each measurement returns the next (torch seconds, ONNX seconds) and is counted."""
    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path))
    monkeypatch.delenv(cpu.ENGINE_ENV, raising=False)
    monkeypatch.setattr(cpu, "torch_fp32_fast", lambda: False)

    def use(*timings: tuple[float, float]) -> list[tuple[float, float]]:
        queue, runs = list(timings), []

        def fake() -> tuple[float, float]:
            runs.append(queue.pop(0))
            return runs[-1]

        monkeypatch.setattr(cpu, "_measure", fake)
        return runs

    return use


def test_elsewhere_onnx_is_taken_only_where_it_measured_clearly_faster(measured, tmp_path,
                                                                        monkeypatch):
    runs = measured((3.0, 1.0))  # the Zen 3 seen first: ONNX Runtime 3x
    assert cpu.auto_engine() == "onnx" and cpu.auto_engine() == "onnx"
    assert len(runs) == 1  # measured once, then read from the cache folder
    kept = json.loads((tmp_path / cpu.PROBE_FILE).read_text())
    assert [v["gain"] for v in kept.values()] == [3.0]
    (tmp_path / cpu.PROBE_FILE).unlink()
    runs = measured((1.07, 1.0))  # the other Zen 3: 7% faster does not pay for its exports
    assert cpu.auto_engine() == "torch" and len(runs) == 1
    monkeypatch.setattr(cpu, "torch_fp32_fast", lambda: True)  # Intel with MKL: not measured
    (tmp_path / cpu.PROBE_FILE).unlink()
    runs = measured()
    assert cpu.auto_engine() == "torch" and runs == []
    assert not (tmp_path / cpu.PROBE_FILE).exists()


def test_the_engine_can_be_set_without_measuring(measured, monkeypatch):
    runs = measured()
    for engine in ("onnx", "torch", " ONNX "):
        monkeypatch.setenv(cpu.ENGINE_ENV, engine)
        assert cpu.auto_engine() == engine.strip().lower()
    assert runs == []
    monkeypatch.setenv(cpu.ENGINE_ENV, "fastest")  # not an engine: measured as without it
    runs = measured((2.0, 1.0))
    assert cpu.auto_engine() == "onnx" and len(runs) == 1


def test_a_failed_or_unreadable_measurement_means_torch_and_is_kept(measured, tmp_path,
                                                                     monkeypatch):
    def broken() -> tuple[float, float]:
        raise RuntimeError("export failed: no space left on device")

    monkeypatch.setattr(cpu, "_measure", broken)
    assert cpu.auto_engine() == "torch"
    (entry,) = json.loads((tmp_path / cpu.PROBE_FILE).read_text()).values()
    assert entry["gain"] == 0.0 and "no space left" in entry["failed"]
    (tmp_path / cpu.PROBE_FILE).write_text("{not json")  # a torn file: measured again
    runs = measured((2.0, 1.0))
    assert cpu.auto_engine() == "onnx" and len(runs) == 1
    assert len(json.loads((tmp_path / cpu.PROBE_FILE).read_text())) == 1


def test_probe_texts_are_fixed_product_titles():
    texts = cpu.probe_texts()
    assert texts == cpu.probe_texts() and len(set(texts)) == 256
    assert all(4 <= len(t.split()) <= 18 for t in texts)


@pytest.mark.slow
def test_the_measurement_runs_both_engines_on_the_bundled_model(tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("CATSIM_CACHE", str(tmp_path))
    gain = cpu.onnx_gain()
    (entry,) = json.loads((tmp_path / cpu.PROBE_FILE).read_text()).values()
    assert "failed" not in entry, entry
    assert entry["torch_s"] > 0 and entry["onnx_s"] > 0
    assert gain == pytest.approx(entry["torch_s"] / entry["onnx_s"], rel=0.01)
    assert list((tmp_path / "onnx").glob("*.onnx"))  # the export "auto" then reuses
