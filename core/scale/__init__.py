"""The pipeline on Ray Data, for catalogs beyond one machine (``--engine ray``).

- :mod:`.runtime`: ray.init / shutdown for one job (local cluster or an address), settings.
- :mod:`.dataset`: the catalog as a Ray Dataset: CSV / Parquet (folder of parts) in blocks,
  texts and sha256 content hashes built in tasks, row numbers in file order.
- :mod:`.embed`: the embedding actor pool, through the embedding store.
- :mod:`.shards` (pure numpy, no Ray) and :mod:`.topk`: sharded exact top-k (or one HNSW
  graph per shard), merged with the lower-row tie rule.
- :mod:`.vectors`: vectors as Parquet parts (row, id, vector).
- :mod:`.pipeline`: the jobs the CLI runs, and which parts run where.

Ray is imported only inside functions: ``import core`` never needs it.
"""

from core.scale.runtime import ClusterError, RaySettings, check_reachable, ray_session

__all__ = ["ClusterError", "RaySettings", "check_reachable", "ray_session"]
