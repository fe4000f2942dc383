"""Embedding on Ray: map_batches over an actor pool, through the embedding store.

Each actor loads the encoder once (ONNX Runtime on a CPU, one thread; fp16
with num_gpus on a GPU) and, for each batch, reads the vectors it already
has from the workspace store (keyed by model identity and sha256 of the text,
exactly as core.store) and embeds only the others, writing them back.
"""

from __future__ import annotations

import numpy as np


class Tally:
    """Rows embedded so far (an actor): the embedding actors add to it, the driver reads it
    for its progress lines. A batch run again after a lost actor counts twice."""

    def __init__(self) -> None:
        self.done = 0

    def add(self, rows: int) -> None:
        self.done += rows

    def value(self) -> int:
        return self.done


class EmbedBatch:
    """Callable class for Dataset.map_batches(compute=ActorPoolStrategy(...)).

    tally: a Tally actor handle told the rows of each batch done (progress), or None.
    device: "cpu" for precision auto on actors without a GPU (the actor's processor picks
    torch or ONNX Runtime, core.embed.cpu), None for the encoder's own choice.
    """

    def __init__(self, model: str, precision: str, batch_size: int,
                 store_path: str | None, threads: int = 1, tally=None,
                 device: str | None = None) -> None:
        import torch

        from core.embed.encoders import load_encoder

        torch.set_num_threads(max(1, threads))
        self.encoder = load_encoder(model, batch_size=batch_size, precision=precision,
                                    device=device)
        self.store, self.tally = None, tally
        if store_path:
            from core.embed.store import EmbeddingStore

            self.store = EmbeddingStore(store_path)

    def __call__(self, batch):
        import pyarrow as pa

        hashes = [bytes(h) for h in batch.column("text_hash").to_pylist()]
        texts = batch.column("text").to_pylist()
        unique = list(dict.fromkeys(hashes))
        known = self.store.get(self.encoder.identity, unique) if self.store else {}
        first = dict(zip(reversed(hashes), reversed(texts)))
        missing = [h for h in unique if h not in known]
        if missing:
            vecs = self.encoder.encode([first[h] for h in missing])
            if self.store is not None:
                self.store.put(self.encoder.identity, missing, vecs)
            known.update(zip(missing, vecs))
        dim = self.encoder.dim
        flat = np.concatenate([np.asarray(known[h], np.float32) for h in hashes]) \
            if hashes else np.zeros(0, np.float32)
        fresh = set(missing)  # the first row of each text embedded here counts as new
        new = []
        for h in hashes:
            new.append(h in fresh)
            fresh.discard(h)
        if self.tally is not None:
            self.tally.add.remote(len(hashes))  # no wait: progress only
        out = batch.drop_columns(["text"])
        out = out.append_column("vector", pa.FixedSizeListArray.from_arrays(pa.array(flat), dim))
        return out.append_column("new", pa.array(new, pa.bool_()))
