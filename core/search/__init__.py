"""Neighbour search: exact tiles and kernels, the HNSW index, the lexical index, fusion,
and the NeighborIndex that owns the channels."""
