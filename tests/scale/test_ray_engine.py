"""--engine ray on a local Ray cluster (2 CPUs, fractional actors, object store 256 MiB):
the lists are the single-process lists, vectors are reused from the store.

Marked ``ray``: deselected by the fast default selection (starting Ray and its
actors takes tens of seconds here), run by CI (-m "slow or not slow").
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli import EXIT_INPUT, main
from core.export.results import ResultsFolder

pytestmark = pytest.mark.ray
WORDS = ["red", "blue", "green", "black", "white", "shoe", "shirt", "phone", "case", "cable",
         "usb", "pack", "cup", "tea", "coffee", "lamp", "desk", "chair", "table", "book", "pen"]


@pytest.fixture(scope="module")
def ray_cluster():
    """One local Ray for the module; the CLI joins it instead of starting its own."""
    pytest.importorskip("ray")
    from core.scale.runtime import RaySettings, ray_session

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    with ray_session(RaySettings()):
        yield


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 seeded products with model numbers, brands and categories (CSV)."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(300):
        words = " ".join(rng.choice(WORDS, size=rng.integers(2, 6)))
        rows.append({"sku": f"S{i:04d}", "title": f"{words} x{rng.integers(0, 40)}",
                     "brand": f"b{rng.integers(0, 6)}", "category": f"c{rng.integers(0, 4)}",
                     "price": f"{rng.uniform(1, 100):.2f}"})
    path = tmp_path_factory.mktemp("ray_catalog") / "catalog.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _run(engine: str, catalog: Path, out: Path, model: Path, ws: Path, *extra: str) -> None:
    argv = ["neighbors", str(catalog), "--out", str(out), "--model", str(model),
            "--workspace", str(ws), "--text-cols", "title", "--no-excel-safe", *extra]
    if engine == "ray":
        argv += ["--engine", "ray"]
    assert main(argv) == 0


def _same_lists(a: Path, b: Path) -> None:
    x, y = (pd.read_csv(p, dtype={"source_id": str, "neighbor_id": str}) for p in (a, b))
    pd.testing.assert_frame_equal(x.drop(columns="score"), y.drop(columns="score"))
    # scores: the same value; a last-digit difference of the 6-decimal rounding is allowed
    # below the tiles' size (tests/scale/test_shards.py checks the scores themselves)
    np.testing.assert_allclose(x.score, y.score, atol=1.01e-6, rtol=0)


@pytest.mark.parametrize("extra", [
    ("--k", "5"),                                                   # default hybrid (driver)
    ("--same", "category", "--max-per", "brand=2", "--bands", "duplicate=0.9"),  # rules
    ("--metric", "euclidean", "--hybrid-weight", "0", "--index", "exact", "--k", "7"),  # Ray only
], ids=["hybrid", "rules", "euclidean"])
def test_ray_lists_are_the_single_process_lists(ray_cluster, catalog: Path, tiny_bert_dir: Path,
                                                tmp_path: Path, extra: tuple[str, ...]) -> None:
    ws = tmp_path / "ws"
    _run("local", catalog, tmp_path / "local.csv", tiny_bert_dir, ws, *extra)
    _run("ray", catalog, tmp_path / "ray.csv", tiny_bert_dir, ws, *extra)
    _same_lists(tmp_path / "local.csv", tmp_path / "ray.csv")


def test_ray_results_folder_reuses_the_store_and_matches_local(
        ray_cluster, catalog: Path, tiny_bert_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    parts = tmp_path / "parts"  # the catalog as a folder of Parquet parts
    parts.mkdir()
    frame = pd.read_csv(catalog, dtype=str)
    for i, s in enumerate(range(0, len(frame), 110)):
        frame.iloc[s:s + 110].to_parquet(parts / f"part-{i}.parquet", index=False)
    common = ["--model", str(tiny_bert_dir), "--workspace", str(ws), "--text-cols", "title",
              "--id-col", "sku", "--hybrid-weight", "0"]
    assert main(["neighbors", str(parts), "--out", f"{tmp_path / 'r1'}/", "--engine", "ray",
                 *common]) == 0
    err = capsys.readouterr().err
    assert "embedded 300 new texts, reused 0" in err
    assert "embedding: 300/300 texts (100%)" in err  # a log heard nothing while it embedded
    assert main(["neighbors", str(catalog), "--out", f"{tmp_path / 'r2'}/", "--engine", "ray",
                 *common]) == 0
    assert "embedded 0 new texts, reused 300" in capsys.readouterr().err
    assert main(["neighbors", str(catalog), "--out", f"{tmp_path / 'loc'}/", *common]) == 0
    r1, r2, loc = (ResultsFolder.open(tmp_path / n) for n in ("r1", "r2", "loc"))
    assert r1.manifest["engine"] == "ray" and "dense top-k" in r1.manifest["where"]
    pd.testing.assert_frame_equal(r1.page(0, 5000), r2.page(0, 5000))
    a, b = r2.page(0, 5000), loc.page(0, 5000)
    pd.testing.assert_frame_equal(a.drop(columns="score"), b.drop(columns="score"))
    from core.scale.vectors import read_all

    ids_r, vec_r = read_all(tmp_path / "r2" / "vectors")
    ids_l, vec_l = read_all(tmp_path / "loc" / "vectors")
    np.testing.assert_array_equal(ids_r, ids_l)
    np.testing.assert_allclose(vec_r, vec_l, atol=1e-6)


def test_ray_embed_writes_the_single_process_vectors(ray_cluster, catalog: Path,
                                                     tiny_bert_dir: Path, tmp_path: Path) -> None:
    common = ["--model", str(tiny_bert_dir), "--workspace", str(tmp_path / "ws"),
              "--text-cols", "title,brand"]
    assert main(["embed", str(catalog), "--out", str(tmp_path / "ray.npy"), "--engine", "ray",
                 "--no-store", *common]) == 0
    assert main(["embed", str(catalog), "--out", str(tmp_path / "loc.npy"), "--no-store",
                 *common]) == 0
    np.testing.assert_allclose(np.load(tmp_path / "ray.npy"), np.load(tmp_path / "loc.npy"),
                               atol=1e-6)


def test_approximate_shards_recall(ray_cluster, tmp_path: Path) -> None:
    from core.scale.topk import sharded_topk
    from core.scale.vectors import write_vectors
    from core.search.exact import topk

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(30, 16)).astype(np.float32)
    x = centres[rng.integers(0, 30, 2500)] + 0.3 * rng.normal(size=(2500, 16)).astype(np.float32)
    write_vectors(tmp_path / "v", x, rows_per_part=700)
    rows = np.concatenate([r for _, r, _ in sharded_topk(str(tmp_path / "v"), len(x), 10,
                                                         index="approximate", shards=3,
                                                         block=1000)])
    exact = topk(x, 10, method="fp32").indices
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, exact)])
    assert recall >= 0.98


def test_unreachable_cluster_is_one_line(catalog: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["neighbors", str(catalog), "--out", str(tmp_path / "x.csv"), "--engine", "ray",
                 "--ray-address", "127.0.0.1:1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: Ray cluster at 127.0.0.1:1")


def _cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """python -m core in a child process (its own Ray settings, from env)."""
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-m", "core", *argv], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_cluster_that_wants_a_token_says_how_to_give_it(ray_cluster, catalog: Path,
                                                          tmp_path: Path) -> None:
    """Ray 2.59+ clusters want a token; a job joining one by address without
    RAY_AUTH_MODE=token got 20 s of retries and 'error: ConnectionError' (exit 4)."""
    import ray

    if os.environ.get("RAY_AUTH_MODE", "").lower() != "token":
        pytest.skip("this Ray started without token authentication")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    done = _cli("neighbors", str(catalog), "--out", str(tmp_path / "x.csv"), "--engine", "ray",
                "--ray-address", ray.get_runtime_context().gcs_address, "--no-store",
                env=env)
    err = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(err) == 1, done.stderr
    assert "asks for a token" in err[0] and "RAY_AUTH_MODE=token" in err[0]
    assert not (tmp_path / "x.csv").exists()


def test_an_address_that_is_not_a_ray_cluster_fails_in_seconds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Something else listening at the port (the dashboard's, say): ray.init retried for
    minutes, a log line a second."""
    from core.scale import runtime

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"127.0.0.1:{listener.getsockname()[1]}"
        monkeypatch.setattr(runtime, "PROBE_TIMEOUT_S", 8.0)
        with pytest.raises(runtime.ClusterError, match=r"does not answer as a Ray cluster.*6379"),\
                runtime.ray_session(runtime.RaySettings(address=address)):
            pass


def test_ray_address_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """$RAY_ADDRESS (set on cluster nodes and by 'ray job submit') names the cluster when
    --ray-address is left out: ray.init joined it by itself and refused num_cpus (exit 1)."""
    from core.cli import build_parser
    from core.cli.engine import settings_from_args

    parser, _ = build_parser()
    argv = ["neighbors", "c.csv", "--out", "x.csv", "--engine", "ray"]
    monkeypatch.setenv("RAY_ADDRESS", "head:6379")
    assert settings_from_args(parser.parse_args(argv)).address == "head:6379"
    given = parser.parse_args([*argv, "--ray-address", "other:6379"])
    assert settings_from_args(given).address == "other:6379"
    monkeypatch.setenv("RAY_ADDRESS", "local")
    assert settings_from_args(parser.parse_args(argv)).address is None


def test_a_small_catalog_is_cut_into_a_block_per_embedding_actor(ray_cluster,
                                                                 catalog: Path) -> None:
    """300 rows are read as one block: one of the two embedding actors did all the work."""
    from core.scale.dataset import read_dataset, with_row_numbers

    ds, n = with_row_numbers(read_dataset(catalog), "sku", parts=2)
    blocks = [len(b) for b in ds.iter_batches(batch_size=None, batch_format="pyarrow")]
    rows = ds.to_pandas()["row"].to_numpy()
    assert n == 300 and len(blocks) >= 2 and sum(blocks) == 300
    np.testing.assert_array_equal(rows, np.arange(300))


def test_relative_paths_reach_the_workers(ray_cluster, catalog: Path, tiny_bert_dir: Path,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """'neighbors shop.csv --workspace ws --out results/' from the shop's folder: Ray's
    workers run in their own folder, where 'shop.csv' was not found (and a relative store or
    results folder would have been written there)."""
    import shutil

    shutil.copy(catalog, tmp_path / "shop.csv")
    shutil.copytree(tiny_bert_dir, tmp_path / "model")
    monkeypatch.chdir(tmp_path)
    assert main(["neighbors", "shop.csv", "--out", "results/", "--engine", "ray",
                 "--workspace", "ws", "--model", "model", "--text-cols", "title",
                 "--hybrid-weight", "0", "--relevance-floor", "0"]) == 0
    assert "embedded 300 new texts" in capsys.readouterr().err
    assert (tmp_path / "ws" / "catalog_similarity.sqlite").is_file()
    assert ResultsFolder.open(tmp_path / "results").manifest["list_rows"] == 300 * 10


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux's /proc/self")
def test_what_only_the_driver_sees_is_one_line_naming_it(
        ray_cluster, catalog: Path, tiny_bert_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A model folder or catalog on the driver's disk only (here: under /proc/self/cwd, which
    is another folder in each worker) ended in Ray's 200-line traceback and 'unexpected
    ActorDiedError' (exit 1) or 'RayTaskError(FileNotFoundError)' (exit 4)."""
    import shutil

    shutil.copy(catalog, tmp_path / "shop.csv")
    shutil.copytree(tiny_bert_dir, tmp_path / "model")
    monkeypatch.chdir(tmp_path)
    here = "/proc/self/cwd"
    common = ["--engine", "ray", "--text-cols", "title", "--hybrid-weight", "0",
              "--relevance-floor", "0", "--no-store"]
    capsys.readouterr()
    assert main(["neighbors", "shop.csv", "--out", "a.csv", "--model", f"{here}/model",
                 *common]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"error: Model folder {here}/model does not exist on a Ray worker: "
                       "every node of the cluster must see the catalog, the --model folder, "
                       "the --workspace and the --out folder at the same path (storage all "
                       "nodes mount)")
    assert main(["neighbors", f"{here}/shop.csv", "--out", "b.csv", "--model", "model",
                 *common]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: A Ray worker could not open a file") and \
        f"'{here}/shop.csv'" in err[-1] and "same path" in err[-1]
    assert not any(line.startswith("Traceback") for line in err)


def test_a_silent_shard_is_a_failed_run_in_one_line(ray_cluster, catalog: Path, tiny_bert_dir: Path,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A shard that does not answer in time (or dies) ended with exit status 2, the status
    of a command line to fix; the run failed on the cluster: 1, one line saying what to do."""
    capsys.readouterr()
    code = main(["neighbors", str(catalog), "--out", str(tmp_path / "x.csv"), "--engine", "ray",
                 "--model", str(tiny_bert_dir), "--text-cols", "title", "--no-store",
                 "--hybrid-weight", "0", "--ray-timeout", "0.0001"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1, err
    assert err[-1].startswith("error: A corpus shard did not answer within 0.0001 s") and \
        "run the job again" in err[-1]
    assert not (tmp_path / "x.csv").exists() and not list(tmp_path.glob(".x.csv.*"))


def test_a_dead_shard_is_a_lost_cluster(ray_cluster) -> None:
    """A shard actor that died (its node lost, 'ray stop', out of memory): ClusterLost."""
    import ray

    from core.scale.runtime import ClusterLost
    from core.scale.topk import _answers

    @ray.remote(num_cpus=0, max_restarts=0)
    class Shard:
        def answer(self) -> int:
            return 1

        def die(self) -> int:
            os._exit(1)  # the worker process ends while it answers (killed, out of memory)

    shard = Shard.remote()
    assert _answers([shard.answer.remote()], 30) == [1]
    with pytest.raises(ClusterLost, match=r"A corpus shard worker died \(.*Error\): the cluster "
                                          r"was stopped.*run the job again"):
        _answers([shard.die.remote()], 30)


_CLUSTER = """
import sys, ray
ray.init(address="local", num_cpus=2, include_dashboard=False,
         object_store_memory=100 * 2**20, log_to_driver=False)
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def _cluster_process(env: dict):
    """A Ray cluster in a process of its own (as 'ray start' leaves one), started with env:
    (its address, the head process, a function that ends all its processes, as
    'ray stop --force' does)."""
    import psutil

    head = subprocess.Popen([sys.executable, "-c", _CLUSTER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)

    def stop() -> None:
        for proc in [*psutil.Process(head.pid).children(recursive=True), head]:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()

    try:
        address = head.stdout.readline().strip()
        assert address, "the test's Ray did not start"
        yield address, head, stop
    finally:
        stop()
        head.wait()


@pytest.fixture
def own_cluster():
    """A Ray cluster in a process of its own: (its address, the environment of jobs that
    join it, a function that ends all its processes, as 'ray stop --force' does)."""
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled",
           "RAY_gcs_rpc_server_reconnect_timeout_s": "3"}  # Ray's 60 s, shortened for the test
    with _cluster_process(env) as (address, _, stop):
        yield address, env, stop


def _joined_job(address: str, env: dict, catalog: Path, model: Path, out: Path):
    """python -m core neighbors --engine ray joining address, started and read up to the
    moment it has joined and is about to embed: (the process, the lines read so far)."""
    root = Path(__file__).resolve().parents[2]
    job = subprocess.Popen(
        [sys.executable, "-m", "core", "neighbors", str(catalog), "--out", f"{out}/",
         "--engine", "ray", "--ray-address", address, "--model", str(model),
         "--text-cols", "title", "--no-store"],
        cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    seen = [job.stderr.readline()]
    while seen[-1] and not seen[-1].startswith("id column"):
        seen.append(job.stderr.readline())
    return job, "".join(seen)


def test_a_cluster_stopped_during_the_run_ends_in_our_one_line(own_cluster, catalog: Path,
                                                               tiny_bert_dir: Path,
                                                               tmp_path: Path) -> None:
    """'ray stop --force' in the middle of a run: Ray ends the job's process from its C++
    core (no Python exception), which ended with Ray's own lines ('Failed to connect to GCS
    ... The program will terminate.') and exit status 1. The job now ends with one line
    saying what happened and what to do, status 1, and no half-written output left."""
    address, env, stop = own_cluster
    job, seen = _joined_job(address, env, catalog, tiny_bert_dir, tmp_path / "out")
    stop()
    err = seen + job.communicate(timeout=120)[1]
    lines = err.strip().splitlines()
    assert job.returncode == 1, err
    assert lines[-1].startswith("error: ") and "run the job again" in lines[-1], err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*")), \
        list(tmp_path.iterdir())


def test_sigterm_stops_a_ray_job_like_any_other(own_cluster, catalog: Path, tiny_bert_dir: Path,
                                                tmp_path: Path) -> None:
    """A scheduler's time limit (SIGTERM) during an --engine ray job: ray.init had put Ray's
    own handler in place, which printed a stack dump and aborted (exit status 134). It
    stops as any job does: one line, status 143, no half-written output."""
    address, env, _ = own_cluster
    job, seen = _joined_job(address, env, catalog, tiny_bert_dir, tmp_path / "out")
    job.terminate()
    err = seen + job.communicate(timeout=120)[1]
    assert job.returncode == 143, err
    assert err.strip().splitlines()[-1] == ("error: stopped (SIGTERM); earlier outputs are left "
                                            "as they were"), err
    assert "SIGTERM received" not in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*")), \
        list(tmp_path.iterdir())


def _ray_error_lines(err: str) -> list[str]:
    """Lines of Ray's own logs at error level: '[2026-01-01 10:00:00,000 E 123 123] ...' from
    its C++ core, '... ERROR file.py:12 -- ...' from its Python side."""
    import re

    return [line for line in err.splitlines()
            if re.match(r"\[[^\]]* E \d+ \d+\]", line) or re.search(r"\sERROR\s", line)]


def test_a_healthy_run_prints_no_error_line(catalog: Path, tiny_bert_dir: Path,
                                            tmp_path: Path) -> None:
    """Every --engine ray run printed Ray's 'E ... core_worker.cc: Actor with class name:
    'MapWorker(MapBatches(EmbedBatch))' ... max_restarts > 0' line: a nightly log with an
    error line in every healthy run teaches its readers to ignore errors."""
    done = _cli("neighbors", str(catalog), "--out", f"{tmp_path / 'out'}/", "--engine", "ray",
                "--model", str(tiny_bert_dir), "--workspace", str(tmp_path / "ws"),
                "--text-cols", "title", "--hybrid-weight", "0",
                env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    assert done.returncode == 0, done.stderr
    assert "embedded 300 new texts" in done.stderr  # our lines still come through
    assert _ray_error_lines(done.stderr) == [], done.stderr


def test_a_lost_head_node_ends_the_job_in_seconds(catalog: Path, tiny_bert_dir: Path,
                                                  tmp_path: Path) -> None:
    """The head's GCS gone (its node lost) while the job's own node lives: Ray kept trying
    to reach it for 60 s of silence before ending the job; a job gives it 15 s now
    (core.scale.runtime.RECONNECT_S), then says so in one line, exit status 1."""
    import time

    import psutil

    env = {k: v for k, v in os.environ.items() if k != "RAY_gcs_rpc_server_reconnect_timeout_s"}
    env.update(RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled")
    with _cluster_process(env) as (address, head, _):
        job, seen = _joined_job(address, env, catalog, tiny_bert_dir, tmp_path / "out")
        gcs = [p for p in psutil.Process(head.pid).children(recursive=True)
               if p.name().startswith("gcs_server")]
        assert len(gcs) == 1, gcs
        gcs[0].kill()
        t0 = time.monotonic()
        err = seen + job.communicate(timeout=120)[1]
        took = time.monotonic() - t0
    assert job.returncode == 1, err
    assert err.strip().splitlines()[-1].startswith("error: The Ray cluster at "), err
    assert "within 15 seconds" in err, err  # Ray's own reason, kept
    assert took < 45, f"{took:.1f} s"  # Ray's default: 60 s


def test_without_the_store_nothing_is_reused_from_it(ray_cluster, tiny_bert_dir: Path,
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """--no-store on a catalog that repeats texts said 'reused 20 from the store'."""
    rows = [{"sku": f"S{i}", "title": f"{WORDS[i // 2]} {WORDS[i // 2 + 1]}"} for i in range(40)]
    pd.DataFrame(rows).to_csv(tmp_path / "twice.csv", index=False)
    capsys.readouterr()
    assert main(["embed", str(tmp_path / "twice.csv"), "--out", str(tmp_path / "v.npy"),
                 "--engine", "ray", "--no-store", "--model", str(tiny_bert_dir),
                 "--text-cols", "title"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("embedded")]
    assert len(said) == 1 and ", reused 0 from the store" in said[0], said


def test_a_catalog_cut_to_one_product_keeps_the_lists_on_ray_too(ray_cluster, catalog: Path,
                                                                  tiny_bert_dir: Path,
                                                                  tmp_path: Path, capsys) -> None:
    """One product wrote an empty lists file with exit 0 under --engine ray (the single
    process run refused it); both now fail the same way and the old file stays."""
    out = tmp_path / "lists.csv"
    _run("local", catalog, out, tiny_bert_dir, tmp_path / "ws")  # last night's lists (any engine)
    kept = out.read_bytes()
    one = tmp_path / "one.csv"
    pd.read_csv(catalog).head(1).to_csv(one, index=False)
    capsys.readouterr()
    argv = ["neighbors", str(one), "--out", str(out), "--model", str(tiny_bert_dir),
            "--workspace", str(tmp_path / "ws"), "--text-cols", "title", "--engine", "ray"]
    assert main(argv) == EXIT_INPUT
    assert "has 1 product: neighbour lists need at least 2, so nothing was written" \
        in capsys.readouterr().err
    assert out.read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lists.csv", "one.csv", "ws"]


def test_an_id_column_passed_over_for_row_numbers_is_named(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """The Ray engine guesses the columns from the first rows, as the single process does
    from the whole table: an id-like column with too many repeated ids is named with what
    it would take to use it (unique ids: that engine takes no --on-duplicate-ids)."""
    from argparse import Namespace

    from core.cli.engine import _columns
    from core.config import Config

    path = tmp_path / "variants.csv"
    pd.DataFrame({"sku": [f"A{i // 4}" for i in range(40)],
                  "title": [f"shoe model {i}" for i in range(40)]}).to_csv(path, index=False)
    cols, _ = _columns(Namespace(catalog=str(path)), Config())
    assert cols.id_column is None and cols.passed_over == ("sku", 10, 40)
    err = capsys.readouterr().err
    assert "note: column 'sku' has 10 different ids in the first 40 rows" in err, err
    assert "make that column's ids unique" in err and "--on-duplicate-ids" not in err
