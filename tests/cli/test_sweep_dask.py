"""The sweep's dask backend: the same records as loky, a worker killed mid-sweep loses nothing, a local
cluster started and closed by the sweep, and one line + exit 2 for a missing ``distributed`` or a scheduler
that does not answer.

The tests that need a cluster start a ``LocalCluster`` of 2 worker processes × 1 thread (shared by the
module) and are skipped when ``distributed`` is not installed; the refusals without it run anyway.
"""

import json
import os
import signal
import socket
import threading
import time

import pytest

from nctheory.explore.sweep import RECORD_KEYS, Grid, point_key, run_sweep
from nctheory.explore.sweep_file import HEADER_LINE
from nctheory.model import Problem

from .conftest import ROOT, USER_CLAIMS, run_cli

BASE = Problem(sizes=(1, 1), lambda_w=1e-3, lambda_h=1e-3)
NEEDS_DISTRIBUTED = "the dask backend needs the optional package 'distributed' (pip install 'nctheory[dask]')"


def _distributed():
    return pytest.importorskip("distributed", reason=NEEDS_DISTRIBUTED)


@pytest.fixture(scope="module")
def cluster():
    distributed = _distributed()
    from nctheory.explore.sweep_dask import local_cluster_quiet

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, **local_cluster_quiet()) as c:
        yield c


@pytest.fixture
def client(cluster):
    from distributed import Client

    with Client(cluster.scheduler_address) as c:
        c.wait_for_workers(2, timeout=60)  # a worker killed by an earlier test is back
        yield c


def _lines(path):
    with open(path, "rb") as fh:
        data = fh.read()
    assert data.startswith(HEADER_LINE)
    return [json.loads(x) for x in data[len(HEADER_LINE):].splitlines()]


def _without_time(rec):
    return {k: v for k, v in rec.items() if k != "time_s"}


def _keys(grid, claim_id=None, method="auto"):
    return {point_key(p, claim_id, method) for _, p in grid.problems()}


# ----------------------------------------------------------------------------------- the records
@pytest.mark.parametrize("claim_id", [None, "hong-ling/threshold"])
def test_dask_writes_the_records_the_loky_backend_writes(tmp_path, client, cluster, claim_id):
    grid = Grid(base=BASE, n_major=30, k_major=2, k_minor=2, ratios=(2.0, 10.0), lambdas=(1e-3, 2e-2))
    loky = run_sweep(grid, str(tmp_path / "loky.jsonl"), n_jobs=2, claim_id=claim_id, progress=False)
    dask = run_sweep(grid, str(tmp_path / "dask.jsonl"), backend="dask", scheduler=cluster.scheduler_address,
                     claim_id=claim_id, progress=False)
    # returned in grid order by both; value for value the same solve (only the wall-clock time differs)
    assert [_without_time(r) for r in dask] == [_without_time(r) for r in loky]
    in_loky, in_dask = _lines(tmp_path / "loky.jsonl"), _lines(tmp_path / "dask.jsonl")
    assert len(in_dask) == len({r["key"] for r in in_dask}) == 4  # each point once, in the order it finished
    assert {r["key"]: _without_time(r) for r in in_dask} == {r["key"]: _without_time(r) for r in in_loky}
    assert all(tuple(r) == RECORD_KEYS and r["status"] == "optimal" for r in in_dask)
    if claim_id:
        assert all(r["verdict"] == "pass" for r in in_dask)


def test_a_point_listed_twice_is_solved_once_on_a_client_of_the_callers(tmp_path, client):
    grid = Grid(base=BASE, n_major=30, k_major=2, k_minor=2, ratios=(2.0, 2.0), lambdas=(1e-3,))
    recs = run_sweep(grid, str(tmp_path / "twice.jsonl"), backend="dask", scheduler=client, progress=False)
    assert len(recs) == 2 and recs[0] is recs[1]  # both grid entries, one record
    assert len(_lines(tmp_path / "twice.jsonl")) == 1
    assert client.status == "running"  # the caller's client is the caller's to close


def test_workers_load_a_users_claims_file(tmp_path, cluster):
    """The workers are other processes: the claim is found there from ``claim_files``, not this process."""
    grid = Grid(base=Problem(sizes=(1, 1), lambda_w=0.2, lambda_h=0.2), n_major=6, k_major=3, k_minor=1,
                ratios=(1.0,), lambdas=(0.2, 0.01))
    recs = run_sweep(grid, str(tmp_path / "user.jsonl"), claim_id="user/zero-threshold", claim_files=(USER_CLAIMS,),
                     backend="dask", scheduler=cluster.scheduler_address, progress=False)
    assert [r["verdict"] for r in recs] == ["pass", "pass"] and all(r["error"] is None for r in recs)


# ----------------------------------------------------------------------------------- a worker dies
#: Dense certified solves of K = 600 classes, ~0.6 s each on one thread (measured): long enough that the
#: worker killed is still running the task it was seen running, so that task has to run again elsewhere.
SLOW = Grid(base=BASE, n_major=100, k_major=150, k_minor=450, ratios=(2.0, 5.0), lambdas=(1e-3, 3e-3))


class _Sweep(threading.Thread):
    """``run_sweep`` of :data:`SLOW` on the module's cluster, in a thread."""

    def __init__(self, out, address):
        super().__init__()
        self.out, self.address, self.result, self.error = out, address, None, None

    def run(self):
        try:
            self.result = run_sweep(SLOW, str(self.out), method="certified", backend="dask", scheduler=self.address,
                                    progress=False)
        except BaseException as exc:  # noqa: BLE001 (the test reads it)
            self.error = exc


def _kill_a_busy_worker_after_the_first_record(client, out, sweep):
    """SIGKILL the process of a worker that is running a task, once a record is on disk; its task keys."""
    pids = client.run(os.getpid)  # asked beforehand: the kill follows the look at the tasks at once
    end = time.time() + 60
    while time.time() < end and not (out.exists() and out.stat().st_size > len(HEADER_LINE)):
        time.sleep(0.02)
    assert out.stat().st_size > len(HEADER_LINE), "no record was written while the sweep ran"
    while time.time() < end:
        busy = [(w, list(keys)) for w, keys in client.processing().items() if keys]
        if busy:
            worker, running = busy[0]
            os.kill(pids[worker], signal.SIGKILL)
            assert sweep.is_alive()  # the kill came mid-sweep, after the first record was on disk
            return running
        time.sleep(0.01)
    raise AssertionError("no worker was running a task")


def _runs_of(cluster, task):
    """How often the scheduler sent ``task`` to a worker."""
    return sum(1 for t in cluster.scheduler.story(task) if t[0] == task and t[2] == "processing")


def test_a_worker_killed_mid_sweep_loses_and_repeats_nothing(tmp_path, client, cluster):
    out = tmp_path / "killed.jsonl"
    sweep = _Sweep(out, cluster.scheduler_address)
    sweep.start()
    running = _kill_a_busy_worker_after_the_first_record(client, out, sweep)
    sweep.join(timeout=120)
    assert not sweep.is_alive() and sweep.error is None, sweep.error

    recs = _lines(out)
    keys = [r["key"] for r in recs]
    assert len(keys) == len(set(keys)) == 4 and set(keys) == _keys(SLOW, method="certified")
    assert all(r["status"] == "optimal" for r in recs)
    assert [r["key"] for r in sweep.result] == [point_key(p, None, "certified") for _, p in SLOW.problems()]
    for task in running:  # what the dead worker was running went to another worker
        assert _runs_of(cluster, task) >= 2, task
        assert task.split("-")[2] in keys  # nctheory-point-<point key>-<run>

    before = out.read_bytes()
    again = run_sweep(SLOW, str(out), method="certified", backend="dask", scheduler="tcp://127.0.0.1:1",
                      progress=False)  # nothing left to do: no scheduler is even asked
    assert out.read_bytes() == before
    assert again == sweep.result


def test_a_point_whose_worker_dies_too_often_is_an_error_record_retried_on_resume(tmp_path, client, cluster,
                                                                                   monkeypatch):
    monkeypatch.setattr(cluster.scheduler, "allowed_failures", 0)  # the first death of its worker fails a task
    out = tmp_path / "killed-worker.jsonl"
    sweep = _Sweep(out, cluster.scheduler_address)
    sweep.start()
    running = _kill_a_busy_worker_after_the_first_record(client, out, sweep)
    sweep.join(timeout=120)
    assert not sweep.is_alive() and sweep.error is None, sweep.error  # the sweep went on

    recs = _lines(out)
    failed = {r["key"] for r in recs if r["status"] == "error"}
    assert failed == {task.split("-")[2] for task in running}
    assert all(tuple(r) == RECORD_KEYS for r in recs)
    for r in recs:
        if r["key"] in failed:  # built on the sweep's side, with the point's own fields
            assert r["error"].startswith("KilledWorker: ") and r["ratio"] in SLOW.ratios and r["problem"]
    assert len(recs) == 4 and {r["key"] for r in recs} == _keys(SLOW, method="certified")

    monkeypatch.undo()
    client.wait_for_workers(2, timeout=60)
    again = run_sweep(SLOW, str(out), method="certified", backend="dask", scheduler=cluster.scheduler_address,
                      progress=False)
    assert all(r["status"] == "optimal" for r in again)
    assert len(_lines(out)) == 4 + len(failed)  # the error lines stay; one new line per retried point


# ----------------------------------------------------------------------------------- a local cluster
def _children():
    me, kids = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                kids.add(int(entry))
    return kids


def test_without_a_scheduler_the_sweep_starts_a_local_cluster_and_closes_it(tmp_path, monkeypatch):
    distributed = _distributed()
    started = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)  # returns once its workers are up
            started.append((self, sorted(w.nthreads for w in self.scheduler.workers.values())))

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    grid = Grid(base=BASE, n_major=30, k_major=2, k_minor=2, ratios=(2.0,), lambdas=(1e-3, 2e-2))
    before = _children()
    recs = run_sweep(grid, str(tmp_path / "local.jsonl"), backend="dask", progress=False)
    assert [r["status"] for r in recs] == ["optimal", "optimal"]
    ((c, threads),) = started
    assert threads == [1, 1]  # DASK_LOCAL_WORKERS workers of one thread each
    assert c.status.name == "closed"
    end = time.time() + 10  # its worker processes are gone too
    while time.time() < end and _children() - before:
        time.sleep(0.1)
    assert not _children() - before


def test_cli_local_cluster_under_python_m(tmp_path):
    """The whole command in its own interpreter: worker processes spawned from ``python -m nctheory``."""
    _distributed()
    out = tmp_path / "cli.jsonl"
    proc = run_cli("sweep", "--backend", "dask", "--jobs", "1", "--out", out, "--majority", "30x2",
                   "--minority-classes", "2", "--ratios", "2,10", "--lambdas", "1e-3", "--no-progress", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert summary["points"] == summary["total"] == 2 and summary["not_optimal"] == 0
    assert len(_lines(out)) == 2


@pytest.mark.parametrize("extra, workers, address", [
    ([], 2, None),  # the default: DASK_LOCAL_WORKERS
    (["--jobs", "3"], 3, None),
    (["--scheduler", "tcp://10.0.0.7:8786"], 2, "tcp://10.0.0.7:8786"),
])
def test_cli_jobs_and_scheduler_reach_the_cluster(tmp_path, main_run, monkeypatch, client, extra, workers, address):
    """What the command asks of :func:`~nctheory.explore.sweep_dask.connected` (run on the module's cluster)."""
    import contextlib

    from nctheory.explore import sweep_dask

    asked = []

    @contextlib.contextmanager
    def recorded(scheduler=None, n_workers=2):
        asked.append((scheduler, n_workers))
        yield client

    monkeypatch.setattr(sweep_dask, "connected", recorded)
    code, stdout, err = main_run("sweep", "--backend", "dask", *extra, "--out", tmp_path / "w.jsonl",
                                 "--majority", "30x2", "--minority-classes", "2", "--ratios", "2", "--lambdas", "1e-3",
                                 "--no-progress")
    assert code == 0 and "1/1 points" in stdout, err
    assert asked == [(address, workers)]


# ----------------------------------------------------------------------------------- refusals
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_a_scheduler_that_does_not_answer_is_one_line_and_exit_2(tmp_path):
    _distributed()
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there: dask's connect timeout, set to 1 s
    out = tmp_path / "none.jsonl"
    proc = run_cli("sweep", "--backend", "dask", "--scheduler", address, "--out", out, "--majority", "5x2",
                   "--ratios", "2", "--lambdas", "1e-3", "--no-progress",
                   env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nctheory: error: scheduler: cannot connect"), proc.stderr
    assert address in lines[0] and "Timed out trying to connect" in lines[0]
    assert not out.exists()  # refused before the sweep file was created


@pytest.mark.parametrize("address, says", [("nonsense://x", "unknown address scheme"),
                                           ("tcp://127.0.0.1:port", "invalid literal"),
                                           ("  ", "expected the address")])
def test_cli_a_malformed_scheduler_address_is_exit_2(tmp_path, main_run, address, says):
    _distributed()
    code, _, err = main_run("sweep", "--backend", "dask", "--scheduler", address, "--out", tmp_path / "m.jsonl",
                            "--majority", "5x2", "--ratios", "2", "--lambdas", "1e-3", "--no-progress")
    assert code == 2 and err.startswith("nctheory: error: scheduler: ") and says in err, err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "m.jsonl").exists()


def test_without_distributed_the_dask_backend_is_one_line_naming_the_extra(tmp_path):
    """A ``distributed`` that fails to import (as when it is not installed) shadows the real one."""
    stub = tmp_path / "stub" / "distributed"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ModuleNotFoundError('no distributed here', name='distributed')\n")
    out = tmp_path / "x.jsonl"
    proc = run_cli("sweep", "--backend", "dask", "--out", out, "--majority", "5x2", "--ratios", "2",
                   "--lambdas", "1e-3", "--no-progress", env={"PYTHONPATH": f"{stub.parent}{os.pathsep}{ROOT}"})
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nctheory[dask]" in lines[0] and "distributed" in lines[0], proc.stderr
    assert not out.exists()


def test_run_sweep_without_distributed_raises_naming_the_extra(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    grid = Grid(base=BASE, n_major=5, k_major=2, k_minor=1, ratios=(2.0,), lambdas=(1e-3,))
    with pytest.raises(ValueError, match=r"^backend: .*nctheory\[dask\]"):
        run_sweep(grid, str(tmp_path / "x.jsonl"), backend="dask", progress=False)
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize("extra, field", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "scheduler: "),  # loky has no scheduler
    (["--backend", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "3"], "jobs: "),
])
def test_cli_scheduler_option_conflicts(tmp_path, main_run, extra, field):
    code, _, err = main_run("sweep", "--out", tmp_path / "c.jsonl", "--majority", "5x2", "--ratios", "2",
                            "--lambdas", "1e-3", "--no-progress", *extra)
    assert code == 2 and err.startswith(f"nctheory: error: {field}") and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "c.jsonl").exists()
