"""The workspace folder: the database file, fine-tuned model folders, and each app
session's saved work (:class:`SessionStore`)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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


# --- One app session's saved work --------------------------------------------------------
# A session is named by a random token that only its browser holds (the app keeps it in
# the page address, ?s=...). Its folder <workspace>/sessions/<token>/ holds:
#   catalog/<file name>  the uploaded file, byte for byte (nothing for the demo);
#   photos/<digest>.zip  the photos uploaded as a .zip, if any, byte for byte;
#   uploads/<slot>/<digest>/<file name>  a file uploaded beside the catalog (labelled
#                        pairs on Evaluate, Duplicate threshold, Fine-tune), byte for byte;
#   evaluate.json        the last Evaluate comparison table;
#   finetune.json        the last fine-tuning run: how it ended, its figures, its model's name;
#   state.json           the catalog's source, the whole Config, small UI facts;
# Its review decisions live in the workspace database, keyed by catalog identity and with the
# token as their owner (core.lists.review.ReviewStore), so they come back with the token.
# Writes are atomic (temporary file + rename): a killed server leaves the last complete state.

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STATE_VERSION = 1
DEMO_SOURCE = "demo"
PHOTOS_DIR = "photos"
PHOTOS_NAME = re.compile(r"^photos/[0-9a-f]{16}\.zip$")
FILE_SOURCE = "file"
UPLOADS_DIR = "uploads"
# a slot is the uploader's widget key (e.g. "evaluate.upload"); a kept file's path names it
# What a kept upload records of the catalog it was uploaded for: its source's key
# (components.state.catalog_source_key) and its name, to say so when another is open.
UPLOAD_CATALOG = ("catalog", "catalog_name")
UPLOAD_SLOT = re.compile(r"^[a-z][a-z_.]{0,39}$")
UPLOAD_FILE = re.compile(r"^uploads/([a-z][a-z_.]{0,39})/[0-9a-f]{16}/[\w.\- ]{1,120}$")
EVALUATE_TABLE = "evaluate.json"
FINETUNE_RUN = "finetune.json"


def new_session_token() -> str:
    """A fresh random session token: 22 URL-safe characters (128 random bits), never
    starting with "-": the command line reads ``--session -x...`` as another option."""
    while True:
        token = secrets.token_urlsafe(16)
        if not token.startswith("-"):
            return token


def valid_session_token(token: object) -> bool:
    """Only tokens of the shape new_session_token makes (never a path)."""
    return isinstance(token, str) and bool(TOKEN_PATTERN.match(token))


def session_model_owner(token: str) -> str:
    """The mark a session's fine-tuned models carry (card.json "owner"): derived from the
    token, never the token itself (the card says nothing that opens the work)."""
    return hashlib.sha256(b"catalog-similarity model|" + token.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SavedSource:
    """Where a session's catalog came from: the demo, or a file kept in its folder."""

    kind: str = DEMO_SOURCE
    file: str | None = None  # relative to the session folder
    name: str = ""
    sheet: str | None = None
    # how the user asked for the file to be read, where not detected (core.catalog.read
    # read_table's delimiter / encoding / header / allow_ragged): a file read with a chosen
    # delimiter or "Read anyway" is read the same way after a reload
    read: dict[str, Any] | None = None

    def read_options(self) -> dict[str, Any]:
        """The saved read choices as read_table arguments; anything else in the file is
        left out (state.json is data, never arguments taken as they are)."""
        kinds = {"delimiter": str, "encoding": str, "header": bool, "allow_ragged": bool}
        return {key: value for key, value in (self.read or {}).items()
                if key in kinds and isinstance(value, kinds[key])}


@dataclass(frozen=True)
class SavedState:
    """A session's saved work. config: Config.to_dict(); ui: small facts of the app."""

    source: SavedSource
    config: dict[str, Any]
    ui: dict[str, Any] = field(default_factory=dict)
    photos: str | None = None  # the photos .zip, relative to the session folder
    # files uploaded beside the catalog, by slot: {"file": relative path, "name": the
    # upload's own name, "at": when it was uploaded (ISO 8601, UTC), "catalog" and
    # "catalog_name": the catalog it was uploaded for (absent in states saved before)}
    uploads: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"version": STATE_VERSION, "source": asdict(self.source),
                           "config": self.config, "ui": self.ui, "photos": self.photos,
                           "uploads": self.uploads},
                          indent=1, ensure_ascii=False, sort_keys=True)


class SessionStore:
    """The folder of one session token under ``<workspace>/sessions``."""

    def __init__(self, workspace: Workspace, token: str) -> None:
        if not valid_session_token(token):
            raise ValueError("not a session token")
        self.token = token
        self.root = workspace.root / "sessions" / token

    @property
    def state_path(self) -> Path:
        return self.root / "state.json"

    def exists(self) -> bool:
        """Whether this token has saved work (the app saves it on a session's first run)."""
        return self.state_path.is_file()

    def keep_file(self, name: str, data: bytes) -> str:
        """Keep an uploaded file; returns its path relative to the session folder.

        Files are kept under a digest of their bytes, so the file the saved state
        points to stays until a state pointing elsewhere is saved (see save)."""
        return self._keep(f"catalog/{_digest(data)}/{_safe_file_name(name)}", data)

    def _keep(self, rel: str, data: bytes) -> str:
        """Write data at rel (relative to the session folder) unless it is there already."""
        if not (self.root / rel).exists():
            _atomic_write(self.root / rel, data)
        return rel

    def file_path(self, source: SavedSource) -> Path | None:
        return None if source.file is None else self.root / source.file

    def keep_photos(self, data: bytes) -> Path:
        """Keep an uploaded .zip of photos (named by a digest of its bytes); returns its
        path. It stays while the saved state points to it (see save)."""
        return self.root / self._keep(f"{PHOTOS_DIR}/{_digest(data)}.zip", data)

    def photos_rel(self, path: str | Path | None) -> str | None:
        """A kept photos .zip as the state records it (relative); None for anything else."""
        if path is None:
            return None
        path = Path(path)
        return (f"{PHOTOS_DIR}/{path.name}"
                if path.parent == self.root / PHOTOS_DIR and path.suffix == ".zip" else None)

    def photos_path(self, state: SavedState) -> Path | None:
        """The photos .zip the state points to, if it is still there (only a file of
        this session's photos folder: state.json is data, never a path taken as it is)."""
        return self._kept_file(state.photos, PHOTOS_NAME)

    def keep_upload(self, slot: str, name: str, data: bytes) -> str:
        """Keep a file uploaded beside the catalog (slot: the uploader's key); returns its
        path relative to the session folder. It stays while the saved state points to it."""
        if not UPLOAD_SLOT.match(slot):
            raise ValueError("not an upload slot")
        return self._keep(f"{UPLOADS_DIR}/{slot}/{_digest(data)}/{_safe_file_name(name)}", data)

    def upload_path(self, rel: object) -> Path | None:
        """A kept upload's file, if it is still there (only a file of this session's
        uploads folder: state.json is data, never a path taken as it is)."""
        return self._kept_file(rel, UPLOAD_FILE)

    def _kept_file(self, rel: object, shape: re.Pattern[str]) -> Path | None:
        """The session's file at rel, a path recorded in state.json, if rel has the shape
        of such a file (never '..') and the file is still there; else None."""
        if not isinstance(rel, str) or not shape.match(rel) or ".." in rel:
            return None
        path = self.root / rel
        return path if path.is_file() else None

    def save(self, state: SavedState) -> None:
        """Write the state, then drop kept files it no longer points to."""
        _atomic_write(self.state_path, state.to_json().encode("utf-8"))
        uploads = {(self.root / kept["file"]).parent for kept in state.uploads.values()
                   if self.upload_path(kept.get("file")) is not None}
        for folder in (self.root / UPLOADS_DIR).glob("*/*"):
            if folder not in uploads:
                shutil.rmtree(folder, ignore_errors=True)
        keep = (self.root / state.source.file).parent if state.source.file else None
        for folder in (self.root / "catalog").glob("*"):
            if folder != keep:
                shutil.rmtree(folder, ignore_errors=True)
        photos = self.photos_path(state)
        for kept in (self.root / PHOTOS_DIR).glob("*.zip"):
            if kept != photos:
                kept.unlink(missing_ok=True)

    def load(self) -> SavedState | None:
        """The saved state; None when there is none or it cannot be read."""
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                return None
            photos = data.get("photos")
            return SavedState(SavedSource(**data["source"]), dict(data["config"]),
                              dict(data.get("ui", {})),
                              photos if isinstance(photos, str) else None,
                              _uploads(data.get("uploads")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def keep_evaluate_table(self, data: dict[str, Any] | None) -> None:
        """Keep (or, with None, forget) the last Evaluate comparison (JSON-ready data)."""
        self._keep_json(EVALUATE_TABLE, data)

    def evaluate_table(self) -> dict[str, Any] | None:
        """The last Evaluate comparison kept; None when there is none or it cannot be read."""
        return self._json(EVALUATE_TABLE)

    def keep_finetune_run(self, data: dict[str, Any] | None) -> None:
        """Keep (or, with None, forget) the last fine-tuning run (JSON-ready data)."""
        self._keep_json(FINETUNE_RUN, data)

    def finetune_run(self) -> dict[str, Any] | None:
        """The last fine-tuning run kept; None when there is none or it cannot be read."""
        return self._json(FINETUNE_RUN)

    def _keep_json(self, name: str, data: dict[str, Any] | None) -> None:
        path = self.root / name
        if data is None:
            path.unlink(missing_ok=True)
        else:
            _atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def _json(self, name: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def clear(self) -> None:
        """Forget everything of this session (the app's "Start over")."""
        shutil.rmtree(self.root, ignore_errors=True)


def _uploads(data: object) -> dict[str, dict[str, str]]:
    """The saved uploads entry as SavedState holds it (file, name, at; and the catalog it was
    uploaded for, when recorded); anything of another shape is left out."""
    if not isinstance(data, dict):
        return {}
    return {slot: {key: kept[key] for key in ("file", "name", "at", *UPLOAD_CATALOG)
                   if isinstance(kept.get(key), str)}
            for slot, kept in data.items()
            if isinstance(slot, str) and UPLOAD_SLOT.match(slot) and isinstance(kept, dict)
            and all(isinstance(kept.get(key), str) for key in ("file", "name", "at"))}


def _digest(data: bytes) -> str:
    """The name kept files go by: 16 hex digits of their SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


def _safe_file_name(name: str) -> str:
    """The upload's own name without folders or odd characters."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "catalog"
    return base[-120:]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

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
