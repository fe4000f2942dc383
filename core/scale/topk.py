"""Sharded top-k on Ray: corpus-shard actors, query blocks broadcast by reference.

Each actor reads one contiguous row range of the vectors parts and answers every
query block against it (core.scale.shards: exact, or one HNSW graph per shard
with candidates re-scored exactly); the driver merges the partial lists with the
lower-row tie rule and hands them on block by block, in row order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from .runtime import ClusterLost, from_worker

QUERY_BLOCK = 2048


def prepare(x: np.ndarray, metric: str) -> np.ndarray:
    from core.search.neighbors import prepare as prepare_rows

    return np.ascontiguousarray(prepare_rows(x, metric).numpy())


class CorpusShard:
    """Rows [start, stop) of the corpus, prepared for the metric (an actor)."""

    def __init__(self, folder: str, start: int, stop: int, metric: str, index: str,
                 threads: int = 1) -> None:
        import torch

        from .vectors import read_rows

        torch.set_num_threads(max(1, threads))
        self.start, self.metric = start, metric
        self.x = prepare(read_rows(folder, start, stop), metric)
        self.hnsw = None
        if index == "approximate":
            import faiss

            from core.search import ann

            faiss.omp_set_num_threads(max(1, threads))  # the actor's share, not every core
            self.hnsw = ann._index_for(self.x, metric)
            self.hnsw.add(self.x)

    def sums(self) -> np.ndarray:
        """Column sums (d,) float64 of this shard's rows (the euclidean centre)."""
        return self.x.sum(0, dtype=np.float64)

    def search(self, q: np.ndarray, q_start: int, depth: int, rescore: bool = True,
               centre: np.ndarray | None = None):
        from .shards import hnsw_topk, shard_topk

        if self.hnsw is None:
            return shard_topk(q, q_start, self.x, self.start, depth, self.metric,
                              rescore=rescore, centre=centre)
        return hnsw_topk(self.hnsw, q, q_start, self.x, self.start, depth, self.metric)


def shard_bounds(n: int, shards: int) -> list[tuple[int, int]]:
    """Contiguous row ranges of nearly equal size."""
    edges = np.linspace(0, n, max(1, shards) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


def sharded_topk(folder: str, n: int, depth: int, *, metric: str = "cosine",
                 index: str = "exact", shards: int = 2, actor_cpus: float = 0.5,
                 block: int = QUERY_BLOCK, limit_blocks: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 timeout_s: float = 600.0) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (start, rows (b, D) int64, raw (b, D) float32) per query block, in order.

    folder: vectors parts (core.scale.vectors) every actor can read. index: "exact"
    (the lists and scores of the single-process exact search of n rows, see
    core.scale.shards.rescored) or "approximate" (HNSW per shard). D = min(depth, n - 1).
    limit_blocks: answer only the first blocks (benchmarks). A shard that dies or is
    silent for timeout_s fails the job with ClusterLost instead of hanging it.
    """
    from pathlib import Path

    import ray

    from .shards import direct_euclidean, euclidean_centre, rescored
    from .vectors import read_rows

    folder = str(Path(folder).absolute())  # the actors' working folder is not ours
    depth = max(0, min(depth, n - 1))
    rescore = rescored(metric, n)
    actor = ray.remote(num_cpus=actor_cpus, max_restarts=0)(CorpusShard)
    actors = [actor.remote(folder, a, b, metric, index) for a, b in shard_bounds(n, shards)]
    starts = list(range(0, n, block))[:limit_blocks]
    try:
        centre = None
        if index == "exact" and direct_euclidean(metric, n):
            sums = _answers([a.sums.remote() for a in actors], timeout_s)
            centre = ray.put(euclidean_centre(np.sum(sums, axis=0), n))
        pending = []
        for start in [*starts, None]:
            if start is not None:
                q = prepare(read_rows(folder, start, min(n, start + block)), metric)
                ref = ray.put(q)  # broadcast by reference: every shard reads the same object
                pending.append((start, [a.search.remote(ref, start, depth, rescore, centre)
                                       for a in actors]))
            while pending and (len(pending) > 1 or start is None):  # one block in flight
                first, refs = pending.pop(0)
                rows, raw = _merged(refs, depth, timeout_s)
                if progress is not None:
                    progress(min(n, first + block), n)
                yield first, rows, raw
    finally:
        for a in actors:
            ray.kill(a)


def _merged(refs, depth: int, timeout_s: float) -> tuple[np.ndarray, np.ndarray]:
    from .shards import merge_partials

    return merge_partials(_answers(refs, timeout_s), depth)


def _answers(refs, timeout_s: float) -> list:
    """ray.get of the shards' answers; a silent or dead shard as one ClusterLost."""
    import ray
    from ray.exceptions import GetTimeoutError, RayActorError

    try:
        return ray.get(refs, timeout=timeout_s)
    except GetTimeoutError:
        raise ClusterLost(f"A corpus shard did not answer within {timeout_s:g} s; the cluster "
                          "is overloaded or a node was lost (raise --ray-timeout or add nodes, "
                          "then run the job again)") from None
    except RayActorError as exc:
        ours = from_worker(exc)  # e.g. the vectors folder is not there on the shard's node
        if ours is not None and not isinstance(ours, ClusterLost):
            raise ours from None
        raise ClusterLost(f"A corpus shard worker died ({type(exc).__name__}): the cluster was "
                          "stopped, a node was lost, or the shard ran out of memory (each "
                          "shard holds its rows' vectors); check the cluster and run the job "
                          "again") from None
