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

The run is also written to the session's folder (core.workspace.SessionStore
.keep_finetune_run) when it starts and when it ends, so that its result (or how it
ended) comes back after a server restart: :meth:`FinetuneJob.record` and
:meth:`FinetuneJob.from_record`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from core.config import DEFAULT_HYBRID_WEIGHT
from core.embed.store import EmbeddingStore
from core.errors import CatalogSimilarityError
from core.finetune.card import model_owner, read_card
from core.finetune.data import TrainingSet
from core.finetune.record import result_from_dict, result_to_dict
from core.finetune.run import finetune, model_to_train
from core.finetune.settings import FinetuneCancelled, FinetuneResult, FinetuneSettings
from core.search.lexical import LexicalIndex

# prepare(progress) -> (zero-shot vectors, words index or None); progress(done, total)
Prepare = Callable[[Callable[[int, int], None]], "tuple[np.ndarray, LexicalIndex | None]"]
# the status while prepare() reads the catalog (the core's phase name for the same step)
READING = "embedding the catalog with the current model"


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
    started_at: str = field(default_factory=lambda: _now())
    finished_at: str | None = None
    # the kept model's card "created": ties the result to that model (a folder deleted,
    # or made again under the same name, is not the model these figures describe)
    model_created: str | None = None
    # read back from a run that was under way when the server stopped: nothing was saved
    interrupted: bool = False
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

    def model_gone(self) -> bool:
        """Whether the model this run kept is no longer there (deleted, or its folder now
        holds another model)."""
        return self.gone_reason() is not None

    def gone_reason(self) -> str | None:
        """Why the model this run kept is not there: "deleted" (its folder holds no model
        any more), "replaced" (the folder holds another model: made again under that name,
        or another session's), None (it is there, or the run kept none)."""
        result = self.result
        if result is None or not result.kept or result.folder is None:
            return None
        card = read_card(result.folder)
        if card is None:
            return "deleted"
        return None if card.get("created") == self.model_created else "replaced"

    def record(self) -> dict:
        """The run as JSON-ready data (for the session's folder)."""
        outcome = ("finished" if self.result is not None else "cancelled" if self.cancelled
                   else "failed" if self.error else "running")
        return {"outcome": outcome, "base_model": self.base_model,
                "train_pairs": self.train_pairs, "started_at": self.started_at,
                "finished_at": self.finished_at, "error": self.error,
                "model_created": self.model_created,
                "result": None if self.result is None else result_to_dict(self.result)}

    @classmethod
    def from_record(cls, data: dict, models_dir: Path, owner: str) -> FinetuneJob | None:
        """A finished job from record()'s data (None when it is not of that shape). A run
        recorded as under way was stopped by a server restart: interrupted. A kept model
        of another owner is not this work's: the result reads as its model gone."""
        outcome, texts = data.get("outcome"), ("base_model", "started_at")
        if outcome not in ("running", "finished", "cancelled", "failed") or \
                not all(isinstance(data.get(k), str) for k in texts) or \
                isinstance(data.get("train_pairs"), bool) or \
                not isinstance(data.get("train_pairs"), int):
            return None
        job = cls(data["base_model"], data["train_pairs"], started_at=data["started_at"],
                  status=outcome, interrupted=outcome == "running",
                  cancelled=outcome == "cancelled")
        job.finished_at = _text(data.get("finished_at"))
        job.error = _text(data.get("error")) if outcome == "failed" else None
        if outcome == "finished":
            job.result = result_from_dict(data.get("result"), models_dir)
            if job.result is None:
                return None
            job.model_created = _text(data.get("model_created"))
            if job.result.folder is not None and model_owner(job.result.folder) != owner:
                job.model_created = None  # never taken for this work's model
        return job


def start_job(texts: list[str], data: TrainingSet, *, base_model: str,
              base_vectors: np.ndarray | None, settings: FinetuneSettings,
              models_dir: Path, words: LexicalIndex | None = None,
              hybrid_weight: float = DEFAULT_HYBRID_WEIGHT, metric: str = "cosine",
              owner: str | None = None,
              keep: Callable[[dict], None] | None = None,
              model_numbers: list[str] | None = None,
              prices: np.ndarray | None = None,
              prepare: Prepare | None = None,
              start_from: str | None = None,
              store: EmbeddingStore | None = None,
              private: bytes | None = None) -> FinetuneJob:
    """Start fine-tuning on a daemon thread; returns the job to keep in session state.
    owner: the session the kept model belongs to (components.state.model_owner); keep:
    called with job.record() as the run starts and again when it ends (on the thread);
    model_numbers: the catalog's model number column (None: not mapped); prices: its
    prices (Catalog.prices; None: no price column); prepare: when the
    catalog is not read yet, what reads it on the thread first (its zero-shot vectors and
    words index, in place of base_vectors and words; progress(done, total) by product), so
    that leaving the page while the model reads the catalog does not stop the run;
    start_from: the model trained (core.finetune.run.finetune; None: its default); store,
    private: the workspace's embedding store and the session's key in it (finetune keeps
    the new model's vectors of the catalog there; None: no store)."""
    job = FinetuneJob(base_model=str(model_to_train(base_model, start_from)),
                      train_pairs=len(data.train))
    _keep(keep, job)

    def run() -> None:
        nonlocal base_vectors, words
        try:
            if prepare is not None:
                base_vectors, words = _prepared(job, prepare)
            result = finetune(texts, data, base_model=base_model, base_vectors=base_vectors,
                              settings=settings, models_dir=models_dir,
                              progress=job._progress, cancel=job.cancel_requested,
                              status=job._status, words=words,
                              hybrid_weight=hybrid_weight, metric=metric, owner=owner,
                              model_numbers=model_numbers, prices=prices,
                              start_from=start_from, store=store, private=private)
            if result.kept and result.folder is not None:
                job.model_created = (read_card(result.folder) or {}).get("created")
            job.result, job.status = result, "finished"
        except FinetuneCancelled:
            job.cancelled, job.status = True, "cancelled; nothing was saved"
        except CatalogSimilarityError as exc:
            job.error, job.status = str(exc), "failed"
        except (RuntimeError, OSError, ValueError, MemoryError) as exc:
            job.error, job.status = f"{type(exc).__name__}: {exc}", "failed"
        job.finished_at = _now()
        _keep(keep, job)

    job._thread = threading.Thread(target=run, name="finetune", daemon=True)
    job._thread.start()
    return job


def _prepared(job: FinetuneJob, prepare: Prepare) -> tuple[np.ndarray, LexicalIndex | None]:
    """prepare() under the job's status and progress; Cancel stops it at its next update
    (or as it ends); the step count starts again from 0 for training."""
    job.status = READING

    def progress(done: int, total: int) -> None:
        if job.cancel_requested():
            raise FinetuneCancelled("cancelled while reading the catalog")
        job._progress(done, total)

    found = prepare(progress)
    progress(0, 0)
    return found


def _keep(keep: Callable[[dict], None] | None, job: FinetuneJob) -> None:
    if keep is not None:
        with contextlib.suppress(OSError):  # a full disk: shown until the server restarts
            keep(job.record())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
