"""``python -m core``: the headless command line."""

import signal
import sys

from core.cli import EXIT_STOPPED, main
from core.cli.supervise import run_reported, supervise, wanted

STOPPED_LINE = "error: stopped (SIGTERM); earlier outputs are left as they were"


class _Stopped(SystemExit):
    """SIGTERM, raised where the job was: it unwinds like Ctrl+C does, so that outputs in
    progress are removed and last night's stay whole."""


def _stop(signum: int, frame: object) -> None:
    """SIGTERM (a scheduler's time limit, `kill`): stop the job; its one line is written once
    the job has unwound. Written here, it could land in the middle of a progress line being
    written to stderr, and Python refused it ("reentrant call inside BufferedWriter"): the
    job ended with status 1 and an "unexpected RuntimeError" line instead."""
    raise _Stopped(EXIT_STOPPED)


if wanted(sys.argv[1:]):  # --engine ray: Ray may end this process itself (core.cli.supervise)
    raise SystemExit(supervise(sys.argv[1:]))
signal.signal(signal.SIGTERM, _stop)
try:
    status = run_reported(main)
except _Stopped:
    print(STOPPED_LINE, file=sys.stderr)
    status = EXIT_STOPPED
raise SystemExit(status)
