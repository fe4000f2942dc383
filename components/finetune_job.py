"""A fine-tuning run on a background thread that the page can watch and cancel.

Choice (documented for the Fine-tune page): training runs in a daemon thread
owned by the user's session (the job object lives in session_state through
components/state.py, and under the session's token in components.resources.finetune_jobs
so that a reload of the same address finds the run again). The thread only touches this
object: ``progress`` writes (done, total) and the status line, and
``core.finetune.run.finetune`` asks ``cancel_requested`` before every training step and
every later phase (validating, choosing the weight, calibrating). The Cancel button sets
a ``threading.Event``; the run stops within one step or phase, raises FinetuneCancelled
inside the thread and saves nothing. The page polls the
object from a fragment that re-runs every second while the job is alive, so the
rest of the app stays usable (and other pages keep working) during training.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.config import DEFAULT_HYBRID_WEIGHT
from core.errors import CatalogSimilarityError
from core.finetune.data import TrainingSet
from core.finetune.run import finetune
from core.finetune.settings import FinetuneCancelled, FinetuneResult, FinetuneSettings
from core.search.lexical import LexicalIndex


@dataclass
class FinetuneJob:
    """State shared between the training thread and the page (one per session)."""

    base_model: str
    train_pairs: int
    done: int = 0
    total: int = 0
    status: str = "starting"
    started: float = field(default_factory=time.perf_counter)
    result: FinetuneResult | None = None
    error: str | None = None
    cancelled: bool = False
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def cancel(self) -> None:
        self._cancel.set()
        self.status = "cancelling…"

    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread (tests, scripts)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def _status(self, message: str) -> None:
        self.status = message


def start_job(texts: list[str], data: TrainingSet, *, base_model: str,
              base_vectors: np.ndarray | None, settings: FinetuneSettings,
              models_dir: Path, words: LexicalIndex | None = None,
              hybrid_weight: float = DEFAULT_HYBRID_WEIGHT, metric: str = "cosine",
              owner: str | None = None) -> FinetuneJob:
    """Start fine-tuning on a daemon thread; returns the job to keep in session state.
    owner: the session the kept model belongs to (components.state.model_owner)."""
    job = FinetuneJob(base_model=base_model, train_pairs=len(data.train))

    def run() -> None:
        try:
            job.result = finetune(texts, data, base_model=base_model, base_vectors=base_vectors,
                                  settings=settings, models_dir=models_dir,
                                  progress=job._progress, cancel=job.cancel_requested,
                                  status=job._status, words=words,
                                  hybrid_weight=hybrid_weight, metric=metric, owner=owner)
            job.status = "finished"
        except FinetuneCancelled:
            job.cancelled, job.status = True, "cancelled; nothing was saved"
        except CatalogSimilarityError as exc:
            job.error, job.status = str(exc), "failed"
        except (RuntimeError, OSError, ValueError, MemoryError) as exc:
            job.error, job.status = f"{type(exc).__name__}: {exc}", "failed"

    job._thread = threading.Thread(target=run, name="finetune", daemon=True)
    job._thread.start()
    return job
