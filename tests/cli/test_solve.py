"""``nctheory solve``: the contract's JSON keys, the exit code, the time limit."""

import json
import time

import pytest

from .conftest import run_cli

CONTRACT_KEYS = {"objective", "lower_bound", "gap", "certified", "status", "W", "H_mean", "b", "logits_mean",
                 "method", "time_s"}


def test_json_has_the_contract_keys_and_is_certified(main_run):
    code, out, err = main_run("solve", "--sizes", "6,3", "--lambda-w", "1e-2", "--lambda-h", "1e-2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert CONTRACT_KEYS <= set(data)
    assert data["method"] == "certified" and data["status"] == "optimal" and data["certified"] is True
    assert len(data["logits_mean"]) == 2 and err == ""  # no progress output on --json


def test_text_output(main_run):
    code, out, _ = main_run("solve", "--sizes", "6,3", "--lambda-w", "1e-2", "--lambda-h", "1e-2")
    assert code == 0
    assert out.startswith("method     certified") and "certified True" in out and "nan" not in out


def test_strict_json_even_when_a_value_is_not_finite(main_run, monkeypatch):
    """Python's json writes NaN (not JSON); the CLI writes null."""
    from nctheory.solvers.result import Solution

    real = Solution.to_json
    monkeypatch.setattr(Solution, "to_json", lambda self: {**real(self), "gap": float("nan")})
    code, out, _ = main_run("solve", "--sizes", "3,2", "--json")
    assert code == 0 and json.loads(out)["gap"] is None and "NaN" not in out


def test_time_limit_stops_the_certified_solver_and_exits_3():
    # K = 150 long-tail at λ = 1e-4: the full solve takes ~0.5 s; the solver's own time_limit option (the
    # remaining budget) stops it at ~0.02 s, well before the hard stop at 0.02 + GRACE_S
    t0 = time.time()
    proc = run_cli("solve", "--sizes", ",".join(str(155 - k) for k in range(150)), "--lambda-w", "1e-4",
                   "--lambda-h", "1e-4", "--time-limit", "0.02", "--json")
    wall = time.time() - t0
    assert proc.returncode == 3, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["status"] != "optimal" and "time limit" in data["message"]
    assert wall < 60


@pytest.mark.parametrize("method", ["factored"])
def test_time_limit_hard_stop_for_solvers_without_a_time_option(method):
    """Factored restarts have no time option: the hard stop ends them at the limit + grace."""
    # ReLU features, K = 30: the factored restarts take ~30 s (measured); stopped at 0.3 s + grace
    proc = run_cli("solve", "--sizes", "40x30", "--relu", "--lambda-w", "1e-4", "--lambda-h", "1e-4", "--method", method,
                   "--time-limit", "0.3")
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("nctheory: time limit of 0.3 s reached")
