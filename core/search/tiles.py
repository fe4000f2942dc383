"""Tiled exhaustive top-k of a catalog against itself, fast on a CPU.

The score matrix is symmetric, so only tiles on and above the diagonal are
computed: each (I, J) tile updates the candidate lists of rows I (row pass)
and of rows J (column pass), half the multiply-adds of a plain blocked search.
Candidates are generated with one of two products:

- ``"int8"``: ONNX Runtime ``DynamicQuantizeMatMul`` (8-bit activations, 7-bit
  per-row weights so the AVX2 kernel never saturates), about 2x fp32 GEMM on
  this class of CPU. Lists are kept deeper than k and re-ranked with exact
  fp32 scores, so returned scores are exact and the recall is measured
  (``bench/perf_topk.py``), not assumed.
- ``"fp32"``: torch matmul; re-ranking only fixes the tie order.

cosine, dot and euclidean are supported (manhattan has no product form and
stays on the blocked path of :mod:`core.search.exact`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.search import kernels as kk
from core.search.neighbors import SearchCancelled

TILE = 2048
# Row tiles per int8 product call: ORT wakes its threads (spinning is off) a few
# times per call, ~4 ms each time; 4 tiles per call measured 15-28% faster at 50k.
GROUP = 4
Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class Prepared:
    """What the tiles multiply: a (n, d) float32 and per-row mul/sub (n,) float32."""

    x: np.ndarray
    mul: np.ndarray
    sub: np.ndarray
    plain: bool = False


def prepare(vectors: np.ndarray, metric: str) -> Prepared:
    """Rows scaled for the product; score = (a . b) * mul[other] - sub[other]."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(x)
    if metric == "euclidean":
        centred = np.ascontiguousarray(x - x.mean(axis=0, keepdims=True), dtype=np.float32)
        half_sq = 0.5 * np.einsum("ij,ij->i", centred, centred, dtype=np.float32)
        return Prepared(centred, np.ones(n, np.float32), half_sq.astype(np.float32))
    norms = np.linalg.norm(x, axis=1).astype(np.float32)
    unit = x / np.maximum(norms, 1e-30)[:, None]
    mul = norms if metric == "dot" else np.ones(n, np.float32)
    return Prepared(np.ascontiguousarray(unit, dtype=np.float32), mul, np.zeros(n, np.float32),
                    plain=metric == "cosine")


def int8_available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class _Fp32Product:
    """x_I @ x_J.T (torch) written into one reused buffer.

    A fresh 16 MB result per tile costs page faults and zeroing on every call;
    reusing one buffer removes them. The returned tile is valid until the next call.
    """

    def __init__(self, x: np.ndarray, tile: int) -> None:
        import torch

        self.x = torch.from_numpy(x)
        self.buf = torch.empty(tile * tile, dtype=torch.float32)

    def columns(self, j0: int, j1: int):
        import torch

        bt = self.x[j0:j1].T.contiguous()

        def scores(i0: int, i1: int) -> np.ndarray:
            out = self.buf[:(i1 - i0) * (j1 - j0)].view(i1 - i0, j1 - j0)
            torch.matmul(self.x[i0:i1], bt, out=out)
            return out.numpy()

        return scores


class _Int8Product:
    """x_I @ x_J.T with x_J quantized once per column tile (ONNX Runtime, MLAS)."""

    def __init__(self, x: np.ndarray, threads: int, cells: int) -> None:
        self.x = x
        self.threads = threads
        self.buf = np.empty(cells, dtype=np.float32)  # reused output (see _Fp32Product)

    def columns(self, j0: int, j1: int):
        session = _int8_session(self.x[j0:j1], self.threads)
        binding = session.io_binding()

        def scores(i0: int, i1: int) -> np.ndarray:
            a = self.x[i0:i1]
            out = self.buf[:(i1 - i0) * (j1 - j0)].reshape(i1 - i0, j1 - j0)
            binding.bind_cpu_input("A", a)
            binding.bind_output("Y", "cpu", 0, np.float32, out.shape, out.ctypes.data)
            session.run_with_iobinding(binding)
            return out

        return scores


def _int8_session(block: np.ndarray, threads: int):
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    w = np.ascontiguousarray(block.T)  # (d, m)
    scale = (np.abs(w).max(axis=0) / 63.0).astype(np.float32)
    scale[scale == 0] = 1.0
    wq = np.clip(np.rint(w / scale), -63, 63).astype(np.int8)
    d, m = w.shape
    node = helper.make_node("DynamicQuantizeMatMul", ["A", "B", "s", "z"], ["Y"],
                            domain="com.microsoft")
    graph = helper.make_graph(
        [node], "tile", [helper.make_tensor_value_info("A", TensorProto.FLOAT, ["n", d])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["n", m])],
        [numpy_helper.from_array(wq, "B"), numpy_helper.from_array(scale, "s"),
         numpy_helper.from_array(np.zeros(m, np.int8), "z")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False  # one session per tile: arenas would pile up
    # Idle ORT threads would otherwise spin between calls and steal the cores the
    # numba scan of the previous tile needs (measured: 15.4 s -> 10.2 s at 50k).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def candidate_lists(prep: Prepared, depth: int, *, product: str = "int8",
                    tile: int = TILE, progress: Progress | None = None,
                    cancel: CancelCheck | None = None) -> np.ndarray:
    """(n, depth) int64 candidates per row (self excluded), unordered, from symmetric tiles."""
    import torch

    n = len(prep.x)
    threads = max(1, torch.get_num_threads())
    group = GROUP if product == "int8" else 1
    engine = (_Int8Product(prep.x, threads, group * tile * tile) if product == "int8"
              else _Fp32Product(prep.x, tile))
    lists = kk.new_lists(n, depth)
    group_max = np.empty(-(-tile // kk.ROW_CHUNK) * tile, dtype=np.float32)  # column pass buffer
    starts = list(range(0, n, tile))
    total, done = len(starts) * (len(starts) + 1) // 2, 0
    for j0 in starts:
        j1 = min(n, j0 + tile)
        scores = engine.columns(j0, j1)
        rows = [i0 for i0 in starts if i0 <= j0]
        for g in range(0, len(rows), group):
            if cancel is not None and cancel():
                raise SearchCancelled("top-k search cancelled")
            r0 = rows[g]
            r1 = min(n, rows[min(len(rows), g + group) - 1] + tile)
            strip = scores(r0, r1)  # several row tiles in one product call
            for i0 in rows[g:g + group]:
                _scan_tile(strip[i0 - r0:min(n, i0 + tile) - r0], i0, j0, prep, lists, group_max)
                done += 1
            if progress is not None:
                progress(done, total)
    return lists[1]


def _scan_tile(t: np.ndarray, i0: int, j0: int, prep: Prepared, lists,
               group_max: np.ndarray | None = None) -> None:
    """Update row lists i0.. (and, off the diagonal, j0..) from score tile t (b, w) float32."""
    kk.scan_rows(t, i0, j0, prep.mul, prep.sub, prep.plain, *lists, i0 == j0)
    if i0 != j0:
        kk.scan_cols(t, i0, j0, prep.mul, prep.sub, prep.plain, *lists, group_max)


def exact_scores(x: np.ndarray, cand: np.ndarray, metric: str) -> np.ndarray:
    """Raw exact scores (higher = better) of each row against its candidates. (n, K) float32.

    x: the original (n, d) float32 vectors (normalised already for cosine); cand (n, K)
    int64 row numbers (negative = none: score 0). One pass in numba with float64 sums
    (the previous broadcast einsum took 2.9 s of a 9.4 s search at 40k rows).
    """
    mode = {"euclidean": 1, "manhattan": 2}.get(metric, 0)
    return kk.pair_scores(np.ascontiguousarray(x, dtype=np.float32),
                          np.ascontiguousarray(cand, dtype=np.int64), mode)


def best_k(cand: np.ndarray, raw: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the k best (raw desc, index asc) of the candidates. Both (n, k)."""
    by_idx = np.argsort(cand, axis=1, kind="stable")
    rows = np.arange(len(cand))[:, None]
    by_score = np.argsort(-raw[rows, by_idx], axis=1, kind="stable")[:, :k]
    order = by_idx[rows, by_score]
    return cand[rows, order], raw[rows, order]
