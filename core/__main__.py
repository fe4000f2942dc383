"""``python -m core``: the headless command line."""

import signal
import sys

from core.cli import EXIT_STOPPED, main
from core.cli.supervise import run_reported, supervise, wanted


def _stop(signum: int, frame: object) -> None:
    """SIGTERM (a scheduler's time limit, `kill`): stop like Ctrl+C does, so that outputs in
    progress are removed and last night's stay whole, and exit 143 with one line."""
    print("error: stopped (SIGTERM); earlier outputs are left as they were", file=sys.stderr)
    raise SystemExit(EXIT_STOPPED)


if wanted(sys.argv[1:]):  # --engine ray: Ray may end this process itself (core.cli.supervise)
    raise SystemExit(supervise(sys.argv[1:]))
signal.signal(signal.SIGTERM, _stop)
raise SystemExit(run_reported(main))
