"""``nctheory verify``: verdict words with certification, JSON from the engine, exit codes, time limit."""

import json

from .conftest import USER_CLAIMS, run_cli

ZERO = ["--sizes", "4x3", "--lambda-w", "0.2", "--lambda-h", "0.2"]
NONZERO = ["--sizes", "5x3", "--lambda-w", "1e-2", "--lambda-h", "1e-2"]


def test_pass_line_names_the_instance_and_says_certified(main_run):
    code, out, _ = main_run("verify", "user/zero-threshold", *NONZERO, "--claims", USER_CLAIMS)
    assert code == 0
    first = out.splitlines()[0]
    assert first.split()[:2] == ["PASS", "certified"]
    assert "sizes=5x3 λW=0.01 λH=0.01 bias=none loss=ce" in first
    assert "nan" not in out


def test_json_has_the_engine_keys(main_run):
    code, out, _ = main_run("verify", "user/zero-threshold", *ZERO, "--claims", USER_CLAIMS, "--json")
    data = json.loads(out)
    assert code == 0
    assert {"verdict", "certified", "reason", "refutation", "checks", "solutions", "problem"} <= set(data)
    assert data["verdict"] == "pass" and data["certified"] is True
    assert {"quantity", "predicted", "observed", "abs_err", "rel_err", "tol", "ok"} <= set(data["checks"][0])


def test_a_failing_claim_exits_1(main_run):
    code, out, _ = main_run("verify", "user/always-zero", *NONZERO, "--claims", USER_CLAIMS)
    assert code == 1 and out.split()[:2] == ["FAIL", "certified"] and "reason:" in out


def test_refuted_as_registered_exits_0(main_run):
    code, out, _ = main_run("verify", "user/refuted-zero", *NONZERO, "--claims", USER_CLAIMS)
    assert code == 0 and out.split()[:2] == ["REFUTED", "certified"]


def test_consistent_exits_0_or_3_under_require_certified(main_run):
    code, out, _ = main_run("verify", "user/zero-factored", *NONZERO, "--claims", USER_CLAIMS)
    assert code == 0 and out.split()[:2] == ["CONSISTENT", "uncertified"]
    code, out, _ = main_run("verify", "user/zero-factored", *NONZERO, "--claims", USER_CLAIMS, "--require-certified")
    assert code == 3 and out.split()[0] == "CONSISTENT"


def test_inconclusive_says_why(main_run):
    code, out, _ = main_run("verify", "user/zero-threshold", "--sizes", "6,3", "--claims", USER_CLAIMS)
    assert code == 3 and out.split()[:2] == ["INCONCLUSIVE", "uncertified"]
    assert "reason: assumptions unmet" in out and "unmet: sizes:" in out


def test_default_instances_when_no_sizes(main_run):
    code, out, _ = main_run("verify", "user/zero-threshold", "--claims", USER_CLAIMS, "--json")
    data = json.loads(out)["results"]
    assert code == 0 and isinstance(data, list) and [d["problem"]["sizes"] for d in data] == [[4, 4, 4], [5, 5, 5]]


def test_time_limit_reports_what_was_done_and_exits_3():
    """--all over the built-in claims cannot finish in 1 s; what finished is printed, then exit 3."""
    proc = run_cli("verify", "--all", "--time-limit", "1", "--json")
    assert proc.returncode in (1, 3), proc.stderr[-2000:]  # 1 only if a claim already failed
    data = json.loads(proc.stdout)["results"]
    assert data and data[-1]["verdict"] == "inconclusive" and "time limit of 1 s" in data[-1]["reason"]
    assert "Traceback" not in proc.stderr and "time limit of 1 s reached" in proc.stderr
