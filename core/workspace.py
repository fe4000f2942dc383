"""The workspace folder: the database file and fine-tuned model folders."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = "workspace"
ENV_VAR = "CATSIM_WORKSPACE"
DB_NAME = "catalog_similarity.sqlite"


@dataclass(frozen=True)
class Workspace:
    """root/catalog_similarity.sqlite holds the embedding store; root/models fine-tunes."""

    root: Path

    @classmethod
    def default(cls) -> Workspace:
        return cls(Path(os.environ.get(ENV_VAR, DEFAULT_ROOT)).expanduser())

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    def ensure(self) -> Workspace:
        self.root.mkdir(parents=True, exist_ok=True)
        return self


def database_message(path: Path, exc: Exception) -> str:
    """One line for an SQLite failure that says what to do, never to delete the file."""
    text = str(exc).lower()
    if "full" in text:
        what = "the disk is full; free some space and try again"
    elif "readonly" in text or "read-only" in text:
        what = ("the folder is read-only; make it writable or set $CATSIM_WORKSPACE to a "
                "writable folder (keep this file: it holds your review decisions)")
    else:
        what = (f"it is damaged ({exc}); keep a copy of it (it holds your review decisions) "
                f"and recover it with: sqlite3 {path} .recover | sqlite3 recovered.db")
    return f"The workspace database {path} cannot be used: {what}"
