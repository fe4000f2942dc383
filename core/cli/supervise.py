"""``python -m core ... --engine ray`` runs in a child process that a small parent watches.

When the cluster goes away under a job ('ray stop' on the machine, the head node lost,
the object store killed), Ray's C++ core ends the process that drives the job by itself
(exit status 1): no Python exception is raised, so the job ended with Ray's log lines, or
none, and without the one line ``error: ...`` that says what happened and what to do. The
child tells the parent the status it exits with (through a pipe, :func:`run_reported`);
a child that ends without telling was ended from outside Python: the parent says so in
one line, removes the child's half-written outputs and exits 1 (a failed run), or 143
when it was stopped by SIGTERM passed on from the parent.

The child writes its own messages (and progress bars) straight to this process's stderr
(a file descriptor it is given, :func:`adopt_stderr`); its standard error, where Ray's C++
core logs, comes through this process (:func:`relay`), which leaves out one false alarm
(:data:`RAY_FALSE_ALARM`) and passes everything else on.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

STATUS_FD = "CATSIM_STATUS_FD"
STDERR_FD = "CATSIM_STDERR_FD"
# Ray's C++ core logs this at error level whenever Ray Data starts an embedding actor: its
# pools pass their settings to the actors by reference and let them restart, and Ray warns
# that a restart fails if those objects are lost (ray-project/ray#53727, #57838). This
# process holds them for the whole run, and a lost actor is restarted (a healthy nightly
# log would show an ERROR line on every run). Ray's session log folder still has it.
RAY_FALSE_ALARM = re.compile(rb"core_worker\.cc:\d+: Actor with class name: "
                             rb"'MapWorker\(MapBatches\(EmbedBatch\)\)' .*has constructor "
                             rb"arguments in the object store and max_restarts > 0")
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
    adopt_stderr()
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


def adopt_stderr() -> None:
    """In the watched child: Python's messages go to the parent's stderr itself (given as
    $CATSIM_STDERR_FD: a terminal stays a terminal for progress bars), while file
    descriptor 2, where Ray's C++ core writes, stays the pipe to the parent's relay."""
    fd = os.environ.get(STDERR_FD, "")
    if fd.isdigit():
        sys.stderr.flush()
        sys.stderr = open(int(fd), "w", buffering=1, encoding=sys.stderr.encoding,  # noqa: SIM115
                          errors="backslashreplace")


def relay(pipe: BinaryIO, out: BinaryIO | None) -> None:
    """Copy pipe to out line by line until it closes, without the RAY_FALSE_ALARM lines.
    A line that cannot be one of Ray's logs (they start with '[') is passed on unfinished.
    Once out cannot be written (a reader that went away), the pipe is still read to its end:
    a child blocked on a full pipe would never finish."""
    rest = b""
    while chunk := pipe.read1(65536):
        *lines, rest = (rest + chunk).split(b"\n")
        kept = [line + b"\n" for line in lines if not RAY_FALSE_ALARM.search(line)]
        if rest and not rest.startswith(b"["):
            kept.append(rest)
            rest = b""
        out = _write(out, b"".join(kept))
    if rest and not RAY_FALSE_ALARM.search(rest):
        _write(out, rest)


def _write(out: BinaryIO | None, data: bytes) -> BinaryIO | None:
    """out after writing data to it, or None once it cannot be written."""
    if out is None or not data:
        return out
    try:
        out.write(data)
        out.flush()
        return out
    except (OSError, ValueError):
        return None


def supervise(argv: Sequence[str]) -> int:
    """Run ``python -m core *argv`` in a child; its exit status, or 1 with one line when it
    was ended without reporting one. Ctrl+C reaches the child from the terminal; SIGTERM
    sent to this process is passed on to it."""
    read, write = os.pipe()
    logs, logs_in = os.pipe()  # the child's standard error, relayed
    own = os.dup(sys.stderr.fileno())
    sys.stderr.flush()
    child = subprocess.Popen([sys.executable, "-m", "core", *argv], pass_fds=(write, own),
                             stderr=logs_in,
                             env={**os.environ, STATUS_FD: str(write), STDERR_FD: str(own)})
    for fd in (write, logs_in, own):
        os.close(fd)
    relaying = threading.Thread(target=relay, args=(os.fdopen(logs, "rb"), sys.stderr.buffer),
                                name="ray-log-relay", daemon=True)
    relaying.start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopped: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopped.append(signum)
        child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    returncode = child.wait()
    relaying.join(timeout=5)  # what the child wrote last (Ray's own reason) comes first
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
