"""``python -m core ... --engine ray`` runs in a child process that a small parent watches.

When the cluster goes away under a job ('ray stop' on the machine, the head node lost,
the object store killed), Ray's C++ core ends the process that drives the job by itself
(exit status 1): no Python exception is raised, so the job ended with Ray's log lines, or
none, and without the one line ``error: ...`` that says what happened and what to do. The
child tells the parent the status it exits with (through a pipe, :func:`run_reported`);
a child that ends without telling was ended from outside Python: the parent says so in
one line, removes the child's half-written outputs and exits 1 (a failed run), or 143
when it was stopped by SIGTERM passed on from the parent.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

STATUS_FD = "CATSIM_STATUS_FD"
EXIT_FAILED, EXIT_STOPPED = 1, 143  # as in core.cli


def _option(argv: Sequence[str], name: str) -> str | None:
    """The value of --name VALUE or --name=VALUE in argv (the last one given), else None."""
    value = None
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def wanted(argv: Sequence[str]) -> bool:
    """Whether this command runs on Ray and is not already the watched child."""
    return os.name == "posix" and _option(argv, "--engine") == "ray" and \
        STATUS_FD not in os.environ


def run_reported(main: Callable[[], int]) -> int:
    """main()'s exit status, told to a watching parent (if any) as the process ends."""
    code: object = EXIT_FAILED
    try:
        code = main()
        return code
    except SystemExit as exc:
        code = exc.code
        raise
    finally:
        _report(code)


def _report(code: object) -> None:
    fd = os.environ.get(STATUS_FD, "")
    if not fd.isdigit():
        return
    status = 0 if code is None else code if isinstance(code, int) else EXIT_FAILED
    try:
        os.write(int(fd), str(status).encode())
        os.close(int(fd))
    except OSError:
        pass


def supervise(argv: Sequence[str]) -> int:
    """Run ``python -m core *argv`` in a child; its exit status, or 1 with one line when it
    was ended without reporting one. Ctrl+C reaches the child from the terminal; SIGTERM
    sent to this process is passed on to it."""
    read, write = os.pipe()
    child = subprocess.Popen([sys.executable, "-m", "core", *argv], pass_fds=(write,),
                             env={**os.environ, STATUS_FD: str(write)})
    os.close(write)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopped: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopped.append(signum)
        child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    returncode = child.wait()
    os.set_blocking(read, False)
    try:
        told = os.read(read, 16).decode()
    except BlockingIOError:
        told = ""
    os.close(read)
    if told.strip().lstrip("-").isdigit():
        return int(told)
    _clean_up(argv, child.pid)
    if stopped:  # stopped as asked, though not by our own handler in the child
        print("error: stopped (SIGTERM); earlier outputs are left as they were",
              file=sys.stderr)
        return EXIT_STOPPED
    print(f"error: {ended_line(argv, returncode)}", file=sys.stderr)
    return EXIT_FAILED


def ended_line(argv: Sequence[str], returncode: int) -> str:
    """What happened to a child that ended without reporting, and what to do."""
    kept = "earlier outputs are left as they were"
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() \
            else f"signal {-returncode}"
        return (f"the job was ended by {name} (out of memory, or another program stopped it); "
                f"{kept}")
    address = _option(argv, "--ray-address") or os.environ.get("RAY_ADDRESS", "").strip()
    where = f"The Ray cluster at {address}" if address and address != "local" else \
        "The local Ray this job started"
    return (f"{where} stopped during the run (its processes were ended: 'ray stop', lack of "
            f"memory, or its head node was lost) and Ray ended this job; {kept}: start the "
            "cluster again if it is down and run the job again")


def _clean_up(argv: Sequence[str], pid: int) -> None:
    """Remove what the child was writing beside --out (its staging folder or temporary
    files, named with its process id); put back earlier results it had moved aside."""
    out = _option(argv, "--out")
    if not out:
        return
    target = Path(out).absolute()
    for path in target.parent.glob(f".{target.name}.{pid}.*"):
        if path.name.endswith(".old"):
            if not target.exists():
                path.rename(target)  # killed between moving the old results and the new in
            continue
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
