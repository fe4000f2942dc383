"""``python -m core``: the headless command line (same Config as the app).

Each sub-command module defines ``register(sub) -> {name: handler}``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from core.cli import commands, finetune, quality, sessions, tuning
from core.cli.checks import check_outputs
from core.cli.common import Output, model_hint, say
from core.cli.examples import add_examples, top_examples
from core.errors import CatalogSimilarityError, ModelLoadError, StoreError, cli_text
from core.scale.runtime import ClusterLost

MODULES = (commands, tuning, quality, finetune, sessions)

# Exit statuses, so that a nightly job can tell what to do about a failure.
EXIT_OK = 0
EXIT_FAILED = 1  # unexpected: a bug or out of memory; or the Ray cluster was lost mid-run
EXIT_INPUT = 2  # the command line, a settings file or a catalog must be fixed
EXIT_MODEL = 3  # the model cannot be loaded (missing folder; a Hub id while offline)
EXIT_IO = 4  # a file or the workspace cannot be read or written (disk full, permissions)
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141  # the reader of stdout left early (| head), as for any Unix tool
EXIT_STOPPED = 143  # SIGTERM (python -m core only)

EPILOG = """\
exit status:
  0    done
  1    the run failed: out of memory, the Ray cluster lost or stopped during the run,
       or a bug (set CATSIM_DEBUG=1 to see where)
  2    bad command line, settings file or catalog: the message says what to fix
  3    the model cannot be loaded (a missing folder, or a Hugging Face id while offline)
  4    a file or the workspace cannot be read or written (disk full, permissions)
  130  interrupted (Ctrl+C)
  141  the program reading the results left early (e.g. | head); nothing is said
  143  stopped (SIGTERM, e.g. a time limit)
Messages go to stderr, one line each; results go to --out (or stdout for search,
explain, health, compare, evaluate, threshold, config-keys and sessions). On a terminal
progress is a bar; in a log (cron) it is a plain line per tenth of the work. --quiet
prints only warnings and errors."""


def _add_quiet(p: argparse.ArgumentParser, default) -> None:
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help="print only warnings and errors (no progress, no counts)")


class Parser(argparse.ArgumentParser):
    """argparse with a usage error on one line (argparse prints the whole usage first:
    about 40 lines for neighbors, in which a nightly log's reader loses the error), naming
    the --help to read. Sub-command parsers are of this class too (add_subparsers)."""

    def error(self, message: str) -> NoReturn:
        from core.errors import one_line

        self.exit(EXIT_INPUT, f"error: {one_line(message, 1000)} (see: {self.prog} --help)\n")

    def parse_args(self, args: Sequence[str] | None = None,
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """argparse's, but options no parser knows are refused by the command's parser, so
        the line names that command's --help (whose page lists its options), not the top
        one's; given_options: the long options the command line names (a default is not
        given)."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            commands = [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]
            command = commands[0].choices.get(getattr(parsed, "command", None)) if commands \
                else None
            (command or self).error(f"unrecognized arguments: {' '.join(extra)}")
        given = sys.argv[1:] if args is None else args
        parsed.given_options = frozenset(str(a).split("=", 1)[0] for a in given
                                         if str(a).startswith("--"))
        return parsed


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = Parser(prog="python -m core", epilog=f"{top_examples()}\n\n{EPILOG}",
                                     description="Product catalog similarity, headless.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_quiet(parser, False)
    sub = parser.add_subparsers(dest="command", required=True)
    handlers: dict = {}
    for module in MODULES:
        handlers.update(module.register(sub))
    for p in sub.choices.values():  # --quiet after the command too; SUPPRESS keeps one given before
        _add_quiet(p, argparse.SUPPRESS)
    add_examples(sub)
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    Output.quiet = bool(args.quiet)
    try:
        check_outputs(args)
        return handlers[args.command](args)
    except ModelLoadError as exc:
        say(f"error: {cli_text(exc)}{model_hint(args) if 'does not exist' in str(exc) else ''}")
        return EXIT_MODEL
    except BrokenPipeError:  # stdout's reader left (| head): what it read was all it wanted
        _drop_stdout()
        return EXIT_PIPE
    except StoreError as exc:
        say(f"error: {cli_text(exc)}")
        return EXIT_IO
    except ClusterLost as exc:  # the run failed on the cluster: nothing on the command line to fix
        say(f"error: {cli_text(exc)}")
        return EXIT_FAILED
    except CatalogSimilarityError as exc:
        say(f"error: {cli_text(exc)}")
        return EXIT_INPUT
    except OSError as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        return EXIT_IO
    except MemoryError as exc:
        say(f"error: out of memory ({exc}); try a smaller --batch-size or a smaller catalog")
        return EXIT_FAILED
    except Exception as exc:  # last resort: one line, never a traceback (CATSIM_DEBUG=1 shows it)
        if os.environ.get("CATSIM_DEBUG"):
            raise
        say(f"error: unexpected {type(exc).__name__}: {exc} (set CATSIM_DEBUG=1 to see where)")
        return EXIT_FAILED
    except KeyboardInterrupt:
        say("error: interrupted")
        return EXIT_INTERRUPTED


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit does not fail again
    on the closed pipe (and print 'Exception ignored ...')."""
    with contextlib.suppress(OSError, ValueError):  # no descriptor behind it (a test's capture)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


__all__ = ["EXIT_FAILED", "EXIT_INPUT", "EXIT_IO", "EXIT_MODEL", "EXIT_OK", "EXIT_PIPE",
           "EXIT_STOPPED", "build_parser", "main"]
