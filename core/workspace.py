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

    @property
    def image_cache_dir(self) -> Path:
        """Downloaded image URLs (only when fetching is turned on)."""
        return self.root / "image_cache"

    def ensure(self) -> Workspace:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
