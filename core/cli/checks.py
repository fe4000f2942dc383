"""What a command checks before any work, so that a nightly job fails in seconds, in one
line naming the flag to fix, not after every text is embedded: the places it writes
(--out, --save-config, the workspace)."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from core.cli.common import review_owner, say, workspace_from_args
from core.errors import CatalogSimilarityError, ConfigError, StoreError, cli_text
from core.workspace import ENV_VAR as WORKSPACE_ENV


def check_outputs(args: argparse.Namespace) -> None:
    """Before any work: each output path (--out, --save-config) can be written, and a table
    output has a known extension; --session looks like an app session key; else a
    ConfigError naming the flag."""
    from core.export.tables import format_from_path

    review_owner(args)  # a key that cannot be one: at once, not after every text is embedded
    check_ray_numbers(args)
    say_unused_ray_options(args)
    encoding = getattr(args, "out_encoding", None)
    if getattr(args, "bom", False) and encoding not in (None, "utf-8-sig"):
        raise ConfigError(f"--bom and --out-encoding {encoding} disagree: --bom is "
                          "--out-encoding utf-8-sig; give one of them")
    for flag, dest in (("--out", "out"), ("--save-config", "save_config")):
        path = getattr(args, dest, None)
        if path:
            _check_writable(Path(path), flag)
            _check_not_an_input(args, Path(path), flag)
    check_workspace(args)
    if getattr(args, "out", None) and getattr(args, "out_kind", None) == "table":
        try:
            format_from_path(args.out)
        except CatalogSimilarityError as exc:
            raise ConfigError(f"--out: {cli_text(exc)}") from None
        if Path(args.out).is_dir():
            raise ConfigError(f"--out {args.out} is a folder; give a file name")


# The files a command reads, by the flag that names them (the catalog is positional).
INPUT_FLAGS = (("the catalog", "catalog"), ("the --config file", "config"),
               ("the --other file", "other"), ("the --vectors file", "vectors"),
               ("the --pairs file", "pairs"), ("the --holdout file", "holdout"),
               ("the --judgements file", "judgements"), ("the --images file", "images"))


def _check_not_an_input(args: argparse.Namespace, path: Path, flag: str) -> None:
    """An output is never a file the command reads (--out shop.csv replaced the catalog);
    --save-config may replace the --config file it read, as a tuned update of it."""
    for what, dest in INPUT_FLAGS:
        value = getattr(args, dest, None)
        if not isinstance(value, str) or not value or Path(value).resolve() != path.resolve():
            continue
        if flag == "--save-config" and dest == "config":
            continue
        raise ConfigError(f"{flag} {path} is {what} this command reads; writing it there would "
                          f"replace it: give {flag} another file name")


# Ray's options: (flag, dest, the least value, whether the least is excluded, what to give).
RAY_NUMBERS = (("--ray-actors", "ray_actors", 1, False, "a whole number from 1"),
               ("--ray-actor-cpus", "ray_actor_cpus", 0, True, "a number of CPUs above 0, e.g. 0.5"),
               ("--ray-shards", "ray_shards", 1, False, "a whole number from 1"),
               ("--ray-gpus", "ray_gpus", 0, False, "a number of GPUs from 0"),
               ("--ray-timeout", "ray_timeout", 0, True, "a number of seconds above 0"))


def say_unused_ray_options(args: argparse.Namespace) -> None:
    """A warning when --ray-* options are given without --engine ray: they were ignored
    without a word (a job meant for the cluster ran on this machine)."""
    given = sorted(o for o in getattr(args, "given_options", ()) if o.startswith("--ray"))
    if given and getattr(args, "engine", None) != "ray":
        say(f"warning: {', '.join(given)} {'is' if len(given) == 1 else 'are'} not used: "
            "they apply only with --engine ray; this run is local")


def check_ray_numbers(args: argparse.Namespace) -> None:
    """Before Ray starts: its options are in range (--ray-actors 0 ran one actor without a
    word; the others failed inside Ray, or timed out at once)."""
    for flag, dest, low, above, what in RAY_NUMBERS:
        value = getattr(args, dest, None)
        if value is not None and (value <= low if above else value < low):
            raise ConfigError(f"{flag} {value:g}: give {what}")


def _check_writable(path: Path, flag: str) -> None:
    """path's folder exists or can be made, and can be written to."""
    folder = path if str(path).endswith(("/", "\\")) else path.parent
    probe, reason = _unwritable(folder)
    if reason and not probe.is_dir():
        raise ConfigError(f"{flag} {path}: {reason}")
    if reason:
        raise ConfigError(f"{flag} {path}: cannot write in the folder {probe} ({reason}); "
                          "choose another place")


def _unwritable(folder: Path) -> tuple[Path, str | None]:
    """(the nearest folder of folder's that exists, why nothing can be written there; None:
    it can be)."""
    probe = folder.absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return probe, f"{probe} is a file, not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return probe, "permission denied"
    return probe, _cannot_create(probe)


def _cannot_create(folder: Path) -> str | None:
    """Why no file can be made in folder (None: one can). os.access says yes to root on a
    folder it still cannot write (/sys, a read-only or root-squashed network mount), which
    was found only after every text was embedded."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as exc:
        return str(exc.strerror or exc).lower()


def check_workspace(args: argparse.Namespace) -> None:
    """Before any work: the workspace the embedding store is written to can be made and
    written (else a StoreError naming where it came from: a nightly job run from cron
    starts in another folder, where ./workspace may not be writable)."""
    if not hasattr(args, "no_store") or args.no_store:
        return
    root = workspace_from_args(args).root
    _, reason = _unwritable(root)
    if reason:
        given = ("--workspace" if getattr(args, "workspace", None)
                 else "$CATSIM_WORKSPACE" if os.environ.get(WORKSPACE_ENV, "").strip()
                 else "the default, in the folder the command runs in")
        raise StoreError(f"the workspace {root.absolute()} ({given}) cannot be written "
                         f"({reason}): give a folder you can write with --workspace, or "
                         "--no-store to leave the embedding store out")
