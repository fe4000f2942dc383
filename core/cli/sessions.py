"""``python -m core sessions``: the app's saved sessions in a workspace, and pruning them.

Every visitor of the app gets a session folder under ``<workspace>/sessions`` (the
uploaded catalog, its photos .zip, settings and rules) and review decisions in the
workspace database; nothing expires by itself, so a server's disk grows with its
visitors. This command says how much is kept and deletes what was not saved for a
number of days::

    python -m core sessions --workspace /srv/catsim/workspace
    python -m core sessions --older-than 90 --delete

It never prints a session's token (the token is the address that opens its work).
Models fine-tuned in a deleted session are kept: a nightly job may use them; the count
of those is said.
"""

from __future__ import annotations

import argparse
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from core.cli.common import say
from core.errors import CatalogSimilarityError
from core.workspace import SessionStore, Workspace, session_model_owner, valid_session_token

DAY = 86_400.0


@dataclass(frozen=True)
class Session:
    token: str
    folder: Path
    saved: float  # when its work was last saved (epoch seconds)
    size: int  # bytes of its folder


def saved_sessions(workspace: Workspace) -> list[Session]:
    """The sessions with saved work, oldest first."""
    root = workspace.root / "sessions"
    out = []
    for folder in sorted(root.glob("*")) if root.is_dir() else []:
        if not (folder.is_dir() and valid_session_token(folder.name)):
            continue
        store = SessionStore(workspace, folder.name)
        stamp = store.state_path if store.exists() else folder
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        out.append(Session(folder.name, folder, stamp.stat().st_mtime, size))
    return sorted(out, key=lambda s: s.saved)


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} KB"


def _day(t: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def _models_of(workspace: Workspace, sessions: list[Session]) -> int:
    from core.finetune.card import model_owner

    owners = {session_model_owner(s.token) for s in sessions}
    folder = workspace.models_dir
    return sum(model_owner(d) in owners for d in folder.glob("*") if d.is_dir()) \
        if folder.is_dir() else 0


def cmd_sessions(args: argparse.Namespace) -> int:
    from core.lists.review import forget_owner

    if args.delete and args.older_than is None:
        raise CatalogSimilarityError("--delete needs --older-than DAYS: say which sessions "
                                     "to delete (those not saved for that many days)")
    if args.older_than is not None and args.older_than < 0:
        raise CatalogSimilarityError(f"--older-than must be 0 days or more, got {args.older_than:g}")
    workspace = Workspace(Path(args.workspace)) if args.workspace else Workspace.default()
    sessions = saved_sessions(workspace)
    if not sessions:
        print(f"no saved sessions in {workspace.root}")
        return 0
    print(f"{len(sessions):,} saved sessions in {workspace.root}: "
          f"{_size(sum(s.size for s in sessions))}; last saved {_day(sessions[0].saved)} "
          f"(oldest) to {_day(sessions[-1].saved)}")
    if args.older_than is None:
        return 0
    cutoff = time.time() - args.older_than * DAY
    old = [s for s in sessions if s.saved < cutoff]
    print(f"{len(old):,} not saved for {args.older_than:g} days or more: "
          f"{_size(sum(s.size for s in old))}")
    if not old:
        return 0
    models = _models_of(workspace, old)
    if not args.delete:
        print("run again with --delete to delete them (their files, settings and review "
              "decisions)" + (f"; their {models:,} fine-tuned models would be kept" if models
                              else ""))
        return 0
    decisions = 0
    for s in old:
        decisions += forget_owner(workspace.db_path, s.token)  # before the folder: a failure
        shutil.rmtree(s.folder)                                 # leaves the session whole
    say(f"deleted {len(old):,} sessions ({_size(sum(s.size for s in old))}) and their "
        f"{decisions:,} review decisions" + (f"; kept their {models:,} fine-tuned models (a "
                                             f"nightly job may use them; delete their folders "
                                             f"in {workspace.models_dir} if not)" if models
                                             else ""))
    return 0


def register(sub) -> dict:
    p = sub.add_parser("sessions", help="the app's saved sessions in a workspace; delete old "
                       "ones (--older-than DAYS --delete)")
    p.add_argument("--workspace", help="workspace folder (default ./workspace or $CATSIM_WORKSPACE)")
    p.add_argument("--older-than", type=float, metavar="DAYS",
                   help="list (and with --delete, delete) the sessions not saved for DAYS days")
    p.add_argument("--delete", action="store_true",
                   help="delete those sessions: their files, settings and review decisions "
                   "(fine-tuned models are kept)")
    return {"sessions": cmd_sessions}
