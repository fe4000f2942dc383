"""A fine-tuning result as JSON-ready data and back: the app keeps its last run in the
session's folder (core.workspace.SessionStore.keep_finetune_run), so that the before/after
figures, the chosen weight and the time come back after a reload or a server restart.

The data read back is the user's own file but is treated as data: every figure is
checked for its type, and the kept model is named by its folder's name only, looked up
in the models folder it must be in (never a path taken as it is).
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from core.finetune.settings import (
    FinetuneError,
    FinetuneResult,
    FinetuneSettings,
    RetrievalMetrics,
)
from core.finetune.weight import ListScore, WeightChoice

FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_BAD = (TypeError, KeyError, ValueError, AttributeError, FinetuneError)


def result_to_dict(result: FinetuneResult) -> dict[str, Any]:
    """The result as JSON-ready data (the kept model by its folder's name)."""
    choice = result.weight_choice
    return {"before": None if result.before is None else asdict(result.before),
            "after": None if result.after is None else asdict(result.after),
            "kept": result.kept,
            "folder": None if result.folder is None else Path(result.folder).name,
            "steps": result.steps, "train_seconds": result.train_seconds,
            "total_seconds": result.total_seconds, "train_pairs": result.train_pairs,
            "base_model": result.base_model, "settings": asdict(result.settings),
            "notes": list(result.notes),
            "weight_choice": None if choice is None else choice.to_dict(),
            "config": dict(result.config), "epochs_run": result.epochs_run,
            "phase_seconds": dict(result.phase_seconds)}


def result_from_dict(data: object, models_dir: Path) -> FinetuneResult | None:
    """The result result_to_dict wrote; None when data is not of that shape. The kept
    model's folder is models_dir / its name (a name of another shape: None)."""
    try:
        folder = data["folder"]
        if folder is not None and not (isinstance(folder, str) and FOLDER_NAME.match(folder)):
            return None
        kept = data["kept"]
        if not isinstance(kept, bool) or (kept and folder is None):
            return None
        return FinetuneResult(
            _metrics(data["before"]), _metrics(data["after"]), kept,
            None if folder is None else Path(models_dir) / folder,
            _int(data["steps"]), _float(data["train_seconds"]), _float(data["total_seconds"]),
            _int(data["train_pairs"]), _str(data["base_model"]), _settings(data["settings"]),
            notes=tuple(_str(n) for n in data["notes"]),
            weight_choice=_choice(data["weight_choice"]),
            config={str(k): v for k, v in dict(data["config"]).items()},
            epochs_run=_int(data["epochs_run"]),
            phase_seconds={_str(k): _float(v) for k, v in dict(data["phase_seconds"]).items()})
    except _BAD:
        return None


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("not a number")
    return float(value)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a whole number")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a text")
    return value


def _metrics(data: object) -> RetrievalMetrics | None:
    if data is None:
        return None
    return RetrievalMetrics(_float(data["recall_at_1"]), _float(data["recall_at_k"]),
                            _float(data["mrr"]), _int(data["k"]), _int(data["queries"]))


def _score(data: dict) -> ListScore:
    return ListScore(_float(data["weight"]), _float(data["recall_at_1"]),
                     _float(data["recall_at_k"]), _float(data["mrr"]), _int(data["k"]),
                     _int(data["queries"]))


def _choice(data: object) -> WeightChoice | None:
    if data is None:
        return None
    before, after = (tuple(_score(s) for s in data[side]) for side in ("before", "after"))
    if not before or not after:
        raise ValueError("no list scores")
    return WeightChoice(_float(data["weight"]), _float(data["current_weight"]), before, after)


def _settings(data: object) -> FinetuneSettings:
    """The run's settings (only FinetuneSettings' own names; checked as any settings are)."""
    names = {f.name for f in fields(FinetuneSettings)}
    return FinetuneSettings(**{k: v for k, v in dict(data).items() if k in names})
