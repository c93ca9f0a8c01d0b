"""Sweeps: one solve per point, fixed records, resume after interruption, validated sweep files, parallel
workers that die with the sweep, the time limit; through the Python API and the CLI."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from nctheory.explore import sweep_file
from nctheory.explore.sweep import RECORD_KEYS, Grid, point_key, run_sweep
from nctheory.explore.sweep_file import HEADER_LINE, read_done
from nctheory.model import Problem

from .conftest import USER_CLAIMS, cli_env, run_cli

BASE = Problem(sizes=(1, 1), lambda_w=1e-3, lambda_h=1e-3)
SMALL = ["--majority", "20x2", "--minority-classes", "2", "--no-progress"]


def _grid(ratios=(2.0, 10.0), lambdas=(1e-3, 5e-3, 2e-2), n_major=60):
    return Grid(base=BASE, n_major=n_major, k_major=2, k_minor=2, ratios=ratios, lambdas=lambdas)


def _records(path):
    with open(path, "rb") as fh:
        lines = fh.read().splitlines()
    assert lines[0] + b"\n" == HEADER_LINE
    return [json.loads(x) for x in lines[1:]]


# ------------------------------------------------------------------------------- records and solves
def test_limit_then_resume_without_loss_or_duplicates(tmp_path):
    out = str(tmp_path / "s.jsonl")
    first = run_sweep(_grid(), out, limit=2, progress=False)
    assert len(first) == 2
    with open(out, "a") as fh:  # a process killed while writing leaves a partial line
        fh.write('{"key": "trunc')
    recs = run_sweep(_grid(), out, progress=False)
    assert len(recs) == 6
    keys = [r["key"] for r in _records(out)]
    assert len(keys) == len(set(keys)) == 6  # the partial line was dropped, nothing solved twice
    assert all(r["status"] == "optimal" for r in recs)


def test_every_record_has_the_same_keys(tmp_path, monkeypatch):
    import nctheory.solvers as solvers

    out = str(tmp_path / "k.jsonl")
    run_sweep(_grid(ratios=(1.0, 3.0), lambdas=(1e-3,)), out, progress=False)  # balanced: no minority fields
    run_sweep(_grid(ratios=(2.0,), lambdas=(1e-3,)), out, claim_id="hong-ling/threshold", progress=False)
    real = solvers.solve

    def broken(problem, method="auto", **kw):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(solvers, "solve", broken)
    run_sweep(_grid(ratios=(5.0,), lambdas=(1e-3,)), out, progress=False)  # an error record
    monkeypatch.setattr(solvers, "solve", real)
    recs = _records(out)
    assert len(recs) == 4
    assert {r["status"] for r in recs} >= {"optimal", "error"}
    for r in recs:
        assert tuple(r) == RECORD_KEYS
    balanced = next(r for r in recs if r["ratio"] == 1.0)
    assert balanced["minority_collapse_measure"] is None and balanced["verdict"] is None
    verified = next(r for r in recs if r["claim"])
    assert verified["verdict"] in ("pass", "consistent", "fail", "inconclusive") and verified["solver"] == "certified"


def test_each_point_is_solved_once_and_verified_on_that_solve(tmp_path, monkeypatch):
    """The reference solver's ``solve`` runs once per point (verification only refines that solve)."""
    from nctheory.solvers.certified import CertifiedSolver

    calls = []
    real = CertifiedSolver.solve

    def counting(self, problem, **options):
        sol = real(self, problem, **options)
        calls.append(sol.objective)
        return sol

    monkeypatch.setattr(CertifiedSolver, "solve", counting)
    recs = run_sweep(_grid(ratios=(2.0, 5.0), lambdas=(2e-3,)), str(tmp_path / "once.jsonl"),
                     claim_id="hong-ling/threshold", progress=False)
    assert len(calls) == len(recs) == 2
    assert sorted(calls) == sorted(r["objective"] for r in recs)  # the recorded status is that solve's
    assert all(r["verdict"] == "pass" and r["verdict_certified"] for r in recs)


def test_parallel_equals_serial(tmp_path):
    g = _grid(lambdas=(1e-3, 2e-2), n_major=30)
    a = run_sweep(g, str(tmp_path / "a.jsonl"), progress=False)
    b = run_sweep(g, str(tmp_path / "b.jsonl"), n_jobs=2, progress=False)
    # same certified objective to 1e-9 relative: both runs target rel gap 1e-10
    for ra, rb in zip(a, b):
        assert ra["key"] == rb["key"]
        assert abs(ra["objective"] - rb["objective"]) <= 1e-9 * max(1.0, abs(ra["objective"]))


def test_collapse_measure_follows_hong_ling_onset(tmp_path):
    """Far from the onset λ* = √n_B/N the swept minority collapses exactly when λ ≥ λ*."""
    recs = run_sweep(_grid(ratios=(3.0,), lambdas=(2e-3, 5e-2)), str(tmp_path / "c.jsonl"), progress=False)
    nb = 20
    crit = nb ** 0.5 / (2 * 60 + 2 * nb)  # 0.0280
    for r in recs:
        collapsed = r["minority_collapse_measure"] <= 1e-5  # present.plots.COLLAPSE_TOL, see its comment
        assert collapsed == (r["lambda"] >= crit)


def test_bad_grid_input(tmp_path):
    with pytest.raises(ValueError, match="^ratios: "):
        _grid(ratios=(0.5,))
    with pytest.raises(ValueError, match="^lambdas: "):
        _grid(lambdas=(-1.0,))
    with pytest.raises(ValueError, match="^n_major: "):
        _grid(n_major=0)
    with pytest.raises(ValueError, match="^backend: "):
        run_sweep(_grid(), str(tmp_path / "x.jsonl"), backend="spark")
    with pytest.raises(ValueError, match="^n_jobs: "):
        run_sweep(_grid(), str(tmp_path / "x.jsonl"), n_jobs=0)


# ------------------------------------------------------------------------------- the sweep file
def _write(path, data: bytes):
    with open(path, "wb") as fh:
        fh.write(data)


def _rec(key, status="optimal"):
    return (json.dumps({"key": key, "status": status, "problem": {}}) + "\n").encode()


@pytest.mark.parametrize("body, message", [
    (b"# a README\n", "is not a sweep file"),
    (b"hello", "is not a sweep file"),
    (b'{"format": "nctheory-sweep", "version": 99}\n', "version 99"),
    (b'{"key": "a"}\n', "is not a sweep file"),  # a JSON line, but not a record of ours
    (HEADER_LINE + _rec("a") + b"\xff\xfe broken\n" + _rec("b"), "line 3 of"),
    (HEADER_LINE + _rec("a") + b"{not json\n" + _rec("b"), "is not JSON"),
    (HEADER_LINE + b"[1, 2]\n", "not a record"),
    (HEADER_LINE + b'{"key": 5, "status": "optimal"}\n', "no string 'key'"),
    (HEADER_LINE + b'{"key": "a", "status": null}\n', "no string 'status'"),
])
def test_a_file_that_is_not_a_clean_sweep_file_is_refused_untouched(tmp_path, body, message):
    path = tmp_path / "f.jsonl"
    _write(path, body)
    with pytest.raises(ValueError, match="^out: ") as exc:
        run_sweep(_grid(), str(path), progress=False)
    assert message in str(exc.value)
    assert path.read_bytes() == body


def test_invalid_utf8_is_a_clear_error_through_the_cli(tmp_path):
    path = tmp_path / "u.jsonl"
    _write(path, HEADER_LINE + b'{"key": "\xff"}\n')
    proc = run_cli("sweep", "--out", path, *SMALL)
    assert proc.returncode == 2 and "not valid UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_only_an_unterminated_last_line_is_repaired(tmp_path):
    path = tmp_path / "r.jsonl"
    _write(path, HEADER_LINE + _rec("a") + _rec("b", "error") + _rec("c") + b'{"key": "d", "sta')
    done = read_done(str(path))
    assert set(done) == {"a", "c"}  # "b" failed with an error: redone on resume
    assert path.read_bytes() == HEADER_LINE + _rec("a") + _rec("b", "error") + _rec("c")


def test_a_truncated_header_is_repaired(tmp_path):
    path = tmp_path / "h.jsonl"
    _write(path, HEADER_LINE[:10])
    assert read_done(str(path)) == {}
    assert path.read_bytes() == b""


def test_a_file_from_before_the_header_is_resumed(tmp_path):
    path = tmp_path / "legacy.jsonl"
    _write(path, _rec("a") + _rec("b"))
    assert set(read_done(str(path))) == {"a", "b"}


def test_lines_are_read_with_a_length_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_file, "MAX_LINE_BYTES", 64)
    path = tmp_path / "long.jsonl"
    body = HEADER_LINE + (json.dumps({"key": "a", "status": "optimal", "pad": "x" * 200}) + "\n").encode()
    _write(path, body)
    with pytest.raises(ValueError, match="longer than 64 bytes"):
        read_done(str(path))
    assert path.read_bytes() == body


# ------------------------------------------------------------------------------- the CLI
def test_cli_sweep_killed_then_resumed(tmp_path):
    """A real interruption: SIGKILL the CLI mid-sweep, then the same command finishes the grid."""
    out = tmp_path / "kill.jsonl"
    cmd = [sys.executable, "-m", "nctheory", "sweep", "--majority", "60x2", "--minority-classes", "2",
           "--ratios", "2,3,5,8,10,15", "--lambdas", "1e-3,3e-3,1e-2,3e-2", "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
    deadline = time.time() + 60
    while time.time() < deadline and (not out.exists() or out.stat().st_size <= len(HEADER_LINE)):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    n_before = len(read_done(str(out)))
    assert 1 <= n_before  # something was saved before the kill
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert "24/24 points" in done.stdout
    keys = [r["key"] for r in _records(out)]
    assert len(keys) == len(set(keys)) == 24


def _children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_do_not_outlive_a_killed_sweep(tmp_path):
    out = tmp_path / "par.jsonl"
    cmd = [sys.executable, "-m", "nctheory", "sweep", "--majority", "200x2", "--minority-classes", "6",
           "--ratios", "2,3,5,8,10,15,20,30", "--lambdas", "1e-4,1e-3", "--jobs", "2", "--out", str(out),
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env())
    deadline = time.time() + 90
    workers = []
    while time.time() < deadline and not (out.exists() and out.stat().st_size > len(HEADER_LINE)):
        time.sleep(0.05)
    workers = [p for p in _children(proc.pid) if _alive(p)]
    assert len(workers) >= 2, "the sweep did not start its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # a worker notices within WATCHDOG_INTERVAL_S (0.5 s); 5 s leaves room for a loaded machine
    t_end = time.time() + 5
    while time.time() < t_end and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)]


def test_cli_sweep_with_a_users_claim_in_parallel_workers(tmp_path):
    """Workers are fresh processes: they load --claims files themselves."""
    out = tmp_path / "u.jsonl"
    proc = run_cli("sweep", "--out", out, "--majority", "6x3", "--minority-classes", "1", "--ratios", "1",
                   "--lambdas", "0.2,0.01", "--claim", "user/zero-threshold", "--claims", USER_CLAIMS, "--jobs", "2",
                   "--no-progress", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert summary["verdicts"]["pass"] == 2 and summary["points"] == summary["total"] == 2
    assert all(r["verdict"] == "pass" for r in _records(out))


def test_cli_lambda_w_alone_sweeps_one_lambda_keeping_the_ratio(tmp_path, main_run):
    out = tmp_path / "one.jsonl"
    code, stdout, _ = main_run("sweep", "--out", out, *SMALL, "--ratios", "2", "--lambda-w", "4e-3",
                               "--lambda-h", "1e-3")
    assert code == 0 and "1/1 points" in stdout
    (rec,) = _records(out)
    assert rec["lambda"] == pytest.approx(2e-3, rel=1e-15)
    assert rec["problem"]["lambda_w"] == pytest.approx(4e-3, rel=1e-15)
    assert rec["problem"]["lambda_h"] == pytest.approx(1e-3, rel=1e-15)


def test_cli_claim_verdicts_exit_codes_and_require_certified(tmp_path, main_run):
    base = ["sweep", *SMALL, "--ratios", "1", "--minority-classes", "1", "--majority", "5x2", "--lambdas", "1e-2",
            "--claims", USER_CLAIMS]
    assert main_run(*base, "--out", tmp_path / "a.jsonl", "--claim", "user/always-zero")[0] == 1
    code, out, _ = main_run(*base, "--out", tmp_path / "b.jsonl", "--claim", "user/zero-factored")
    assert code == 0 and "1 consistent" in out
    code, _, _ = main_run(*base, "--out", tmp_path / "c.jsonl", "--claim", "user/zero-factored", "--require-certified")
    assert code == 3


def test_cli_time_limit_saves_what_was_done_and_resume_finishes(tmp_path):
    out = tmp_path / "t.jsonl"
    # 70 points at K = 16: the full grid takes ~2 s of solves after start-up (measured, stop 13; the K = 4 grid used
    # before took ~0.4 s, close enough to the 0.3 s limit to finish inside it on a fast run)
    argv = ["sweep", "--out", out, "--majority", "300x8", "--minority-classes", "8", "--ratios", "2,3,5,8,10,15,20",
            "--lambdas", "1e-5,2e-5,5e-5,1e-4,2e-4,5e-4,1e-3,2e-3,5e-3,1e-2", "--no-progress", "--json"]
    proc = run_cli(*argv, "--time-limit", "0.3")
    assert proc.returncode == 3, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert summary["stopped"].startswith("time limit of 0.3 s reached") and summary["points"] < summary["total"]
    assert len(read_done(str(out))) == summary["points"]
    done = run_cli(*argv)
    assert done.returncode == 0 and json.loads(done.stdout)["points"] == 70


def test_point_keys_do_not_depend_on_worker_count(tmp_path):
    g = _grid(ratios=(2.0,), lambdas=(1e-3,))
    (pt, p), = g.problems()
    assert point_key(p, None, "auto") == run_sweep(g, str(tmp_path / "k.jsonl"), n_jobs=1, progress=False)[0]["key"]
