"""Starting and stopping Ray for one job: a small local cluster, or joining an existing one.

Settings follow what a small cluster needs (ray-project/ray#44687): actors reserve
fractional CPUs so read tasks are never starved, usage statistics stay off, the
dashboard is not started, and Ray is shut down after every job, also on errors.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.errors import CatalogSimilarityError

OBJECT_STORE_MB = 256
LOCAL_CPUS = 2
CONNECT_TIMEOUT_S = 5.0
SHARD_ROWS = 500_000  # rows per corpus shard at most (1.5 GB of 384-d float32 vectors)
# How long a job keeps trying to reach a cluster whose head (its GCS) stopped answering
# before Ray ends it: Ray's default is 60 s, of silence. Without GCS fault tolerance the
# cluster is gone for good; a cluster that has it (its head restarts) may need Ray's 60 s
# or more: $RAY_gcs_rpc_server_reconnect_timeout_s, when set, is left as it is.
RECONNECT_ENV = "RAY_gcs_rpc_server_reconnect_timeout_s"
RECONNECT_S = 15


class ClusterError(CatalogSimilarityError):
    """The Ray cluster cannot be reached, a worker died or timed out, or Ray is missing."""


class ClusterLost(ClusterError):
    """The cluster, a node or a worker was lost (or fell silent) during the run: a failed
    run (the CLI's exit status 1), not a command line to fix."""


LOST_HINT = ("the cluster was stopped ('ray stop'), a node was lost, or a worker ran out of "
             "memory; earlier outputs are left as they were: check the cluster and run the "
             "job again")


@dataclass(frozen=True)
class RaySettings:
    """How a job uses Ray.

    address: None = start a local cluster of num_cpus CPUs and an object store of
    object_store_mb; "host:port" or "ray://host:port" = join that cluster.
    actors: embedding actors (and the least number of corpus shards); actor_cpus /
    task_cpus: CPUs each actor / task reserves (fractional on purpose); num_gpus:
    GPUs per embedding actor (fp16 encoders on CUDA); timeout_s: the longest wait
    for one shard's answer before the job fails instead of hanging.
    """

    address: str | None = None
    num_cpus: int = LOCAL_CPUS
    object_store_mb: int = OBJECT_STORE_MB
    actors: int = 2
    actor_cpus: float = 0.5
    task_cpus: float = 0.25
    num_gpus: float = 0.0
    shards: int | None = None
    embed_batch: int = 512
    timeout_s: float = 600.0

    def shards_for(self, n: int) -> int:
        """Corpus shards for n products: the requested number, else enough that none holds
        more than SHARD_ROWS rows, and at least one per actor."""
        if self.shards:
            return max(1, min(self.shards, n))
        return max(1, min(n, max(self.actors, -(-n // SHARD_ROWS))))


def _host_port(address: str) -> tuple[str, int] | None:
    text = address.split("://", 1)[-1].strip().rstrip("/")
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host or "127.0.0.1", int(port)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """ClusterError unless something answers at host:port (Ray itself retries for minutes)."""
    hp = _host_port(address)
    if hp is None:
        raise ClusterError(f"Ray address '{address}' must look like host:port or ray://host:port")
    try:
        with socket.create_connection(hp, timeout=timeout):
            pass
    except OSError as exc:
        raise ClusterError(f"Ray cluster at {address} is not reachable ({exc.strerror or exc}); "
                           "start it with 'ray start --head' or leave out --ray-address to "
                           "run on a local Ray") from None


ADDRESS_HINT = ("give the address 'ray start --head' printed (its GCS port, 6379 unless "
                "--port was given; not the dashboard's 8265 or the client's 10001), or "
                "leave out --ray-address to run on a local Ray")
TOKEN_HINT = ("set RAY_AUTH_MODE=token and give this process the cluster's token, as "
              "RAY_AUTH_TOKEN or in ~/.ray/auth_token ('ray get-auth-token' on the head node "
              "prints it)")


PROBE_TIMEOUT_S = 20.0
# One GCS handshake in a child process: 0 = a Ray cluster that takes this process's
# token (or needs none), 3 = it refuses the token, 4 = something else answered.
_PROBE = """
import sys
from ray._raylet import GcsClient
from ray.exceptions import AuthenticationError
try:
    GcsClient(address=sys.argv[1])
except AuthenticationError:
    sys.exit(3)
except Exception:
    sys.exit(4)
"""


def check_gcs(address: str, timeout: float | None = None) -> None:
    """ClusterError unless a Ray cluster that accepts this process answers at address.

    Ray 2.59+ starts clusters with token authentication on, and a process joining an
    explicit address sends no token unless RAY_AUTH_MODE=token; another service at the
    port (the dashboard's 8265, say) never answers as a cluster. ray.init would retry
    either for 20 s to many minutes, a log line a second, and end in a bare
    ConnectionError. A child process does the handshake once, its logs kept out of ours.
    A ray:// (Ray Client) address is left to ray.init.
    """
    import subprocess

    hp = _host_port(address)
    if hp is None or "://" in address:
        return
    timeout = PROBE_TIMEOUT_S if timeout is None else timeout
    try:
        code = subprocess.run([sys.executable, "-c", _PROBE, f"{hp[0]}:{hp[1]}"],
                              capture_output=True, timeout=timeout, check=False).returncode
    except subprocess.TimeoutExpired:
        code = 4
    if code == 3:
        raise ClusterError(f"Ray cluster at {address} asks for a token this process does not "
                           f"have (token authentication): {TOKEN_HINT}")
    if code == 4:
        raise ClusterError(f"{address} does not answer as a Ray cluster within {timeout:.0f} s: "
                           f"{ADDRESS_HINT}")


def _runtime_env(remote: bool) -> dict:
    """Workers import this checkout's core: by PYTHONPATH locally, shipped to a remote cluster."""
    package = Path(__file__).resolve().parents[1]
    if remote:
        return {"py_modules": [str(package)]}
    path = os.pathsep.join(p for p in (str(package.parent), os.environ.get("PYTHONPATH")) if p)
    return {"env_vars": {"PYTHONPATH": path, "RAY_USAGE_STATS_ENABLED": "0"}}


@contextmanager
def ray_session(settings: RaySettings) -> Iterator[None]:
    """ray.init for the block, ray.shutdown after it (also on errors)."""
    try:
        import ray
    except ImportError:
        raise ClusterError("Ray is not installed: pip install 'ray[data]==2.60.0' "
                           "(it is in requirements.txt)") from None
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ.setdefault(RECONNECT_ENV, str(RECONNECT_S))  # read by ray.init, below
    if settings.address:
        check_reachable(settings.address)
        check_gcs(settings.address)
    if ray.is_initialized():  # a caller (a notebook, the tests) already holds a session
        _configure(ray)
        with worker_errors():
            yield
        return
    common = {"log_to_driver": False, "logging_level": logging.WARNING,
                  "runtime_env": _runtime_env(bool(settings.address))}
    with _own_sigterm():
        if settings.address:
            _join(ray, settings.address, common)
        else:
            # "local": a Ray of our own, even where 'ray start' left a cluster on this machine
            # (ray.init() would join that one and refuse num_cpus)
            ray.init(address="local", num_cpus=settings.num_cpus, include_dashboard=False,
                     object_store_memory=settings.object_store_mb * 2**20, **common)
    try:
        _configure(ray)
        with worker_errors():  # a worker, node or the cluster lost: one ClusterLost
            yield
    finally:
        ray.shutdown()


@contextmanager
def _own_sigterm() -> Iterator[None]:
    """Keep this process's SIGTERM handler through ray.init, which puts its own in place
    (a stack dump and abort, exit status 134): a scheduler's time limit then stops the job
    as it stops any other (python -m core: one line, outputs in progress removed, 143)."""
    import signal
    import threading

    handler = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        if callable(handler) and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, handler)


def _join(ray, address: str, options: dict) -> None:
    """ray.init(address=...), its failure as one ClusterError that says what to do."""
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError) as exc:
        cause = f"{exc} {exc.__cause__ or ''}"
        hint = TOKEN_HINT if "AuthToken" in cause or "authentication" in cause.lower() else \
            ADDRESS_HINT
        reason = (str(exc).strip() or type(exc).__name__).splitlines()[0][:300]
        raise ClusterError(f"Could not join the Ray cluster at {address} ({reason}): "
                           f"{hint}") from None


WORKER_PATHS_HINT = ("every node of the cluster must see the catalog, the --model folder, "
                     "the --workspace and the --out folder at the same path (storage all "
                     "nodes mount)")


@contextmanager
def worker_errors() -> Iterator[None]:
    """A failure raised on a Ray worker as the project's own one-line error (the model
    folder or a file missing there, a bad column), not Ray's wrapper around the worker's
    traceback. Anything else passes unchanged."""
    try:
        yield
    except CatalogSimilarityError:
        raise
    except Exception as exc:
        ours = from_worker(exc)
        if ours is None:
            raise
        raise ours from None


def from_worker(exc: BaseException) -> CatalogSimilarityError | None:
    """The project error a Ray error carries (a task's cause, or named in an actor's
    creation traceback, which Ray keeps only as text), or a ClusterError for a file a
    worker could not open; None for anything else."""
    import re

    from core import errors

    if "ray" not in type(exc).__module__:
        return None
    cause = getattr(exc, "cause", None)
    if isinstance(cause, CatalogSimilarityError):
        return _on_worker(cause)
    named = re.findall(r"core\.errors\.(\w+): ([^\n]+)", str(exc))
    kind = getattr(errors, named[-1][0], None) if named else None
    if isinstance(kind, type) and issubclass(kind, CatalogSimilarityError):
        return _on_worker(kind(named[-1][1].strip()))
    if isinstance(cause, OSError):
        first = (str(cause).strip() or type(cause).__name__).splitlines()[0]
        first = first.split(" Detail:")[0].rstrip(".")  # pyarrow appends its retry notes
        return ClusterError(f"A Ray worker could not open a file ({first}): {WORKER_PATHS_HINT}")
    if _lost(exc):
        return ClusterLost(f"A Ray worker or node was lost during the run "
                           f"({type(exc).__name__}): {LOST_HINT}")
    return None


def _lost(exc: BaseException) -> bool:
    """Whether a Ray error says a worker, a node, an object or the cluster itself is gone."""
    from ray import exceptions as rx

    return isinstance(exc, rx.RayActorError | rx.WorkerCrashedError | rx.NodeDiedError
                      | rx.LocalRayletDiedError | rx.ObjectLostError | rx.RaySystemError
                      | rx.RpcError)


def _on_worker(err: CatalogSimilarityError) -> CatalogSimilarityError:
    from core.errors import ModelLoadError, StoreError

    if isinstance(err, ModelLoadError | StoreError):
        return type(err)(f"{err} on a Ray worker: {WORKER_PATHS_HINT}")
    return err


def _configure(ray) -> None:
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # row numbers follow the file order
    ctx.enable_progress_bars = sys.stderr.isatty()
    # Parquet through the V1 reader: V2 lists files through fsspec's HTTP module, whose
    # ImportError without aiohttp Ray 2.60 does not catch (it expects ModuleNotFoundError).
    ctx.use_datasource_v2 = False
    # a failure is one line from the CLI (worker_errors); Ray Data's traceback dumps of
    # it stay in the session's log files unless CATSIM_DEBUG is set
    logging.getLogger("ray.data").setLevel(
        logging.ERROR if os.environ.get("CATSIM_DEBUG") else logging.CRITICAL)
