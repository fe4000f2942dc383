"""``python -m core``: the headless command line (same Config as the app).

Each sub-command module defines ``register(sub) -> {name: handler}``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from core.cli import commands, finetune, quality, tuning
from core.cli.common import say
from core.errors import CatalogSimilarityError

MODULES = (commands, tuning, quality, finetune)


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(prog="python -m core",
                                     description="Product catalog similarity, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    handlers: dict = {}
    for module in MODULES:
        handlers.update(module.register(sub))
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command](args)
    except CatalogSimilarityError as exc:
        say(f"error: {exc}")
        return 2
    except (OSError, MemoryError) as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        return 1
    except Exception as exc:  # last resort: one line, never a traceback (CATSIM_DEBUG=1 shows it)
        if os.environ.get("CATSIM_DEBUG"):
            raise
        say(f"error: unexpected {type(exc).__name__}: {exc} (set CATSIM_DEBUG=1 to see where)")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130


__all__ = ["build_parser", "main"]
