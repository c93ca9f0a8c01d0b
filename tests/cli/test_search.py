"""``nctheory search``: counterexamples shrunk, exit codes per expectation, require-certified, time limit."""

import json

from .conftest import USER_CLAIMS, run_cli


def test_true_claim_without_counterexample_exits_0(main_run):
    code, out, _ = main_run("search", "user/zero-threshold", "--budget", "3", "--seed", "1", "--claims", USER_CLAIMS,
                            "--json")
    data = json.loads(out)
    assert code == 0 and data["counterexample"] is None and data["evaluations"] >= 1
    assert data["all_compared_solves_certified"] is True


def test_a_wrong_claim_gives_a_shrunk_counterexample_and_exit_1(main_run):
    code, out, _ = main_run("search", "user/always-zero", "--budget", "6", "--claims", USER_CLAIMS)
    assert code == 1
    assert "counterexample after" in out
    assert any(line.split()[:2] == ["FAIL", "certified"] for line in out.splitlines())


def test_require_certified_makes_an_uncertified_search_exit_3(main_run):
    argv = ["search", "user/zero-factored", "--budget", "3", "--claims", USER_CLAIMS]
    code, out, _ = main_run(*argv)
    assert code == 0 and "not all certified" in out
    code, _, err = main_run(*argv, "--require-certified")
    assert code == 3 and "uncertified solves only" in err


def test_time_limit_stops_the_search_with_exit_3():
    proc = run_cli("search", "user/zero-threshold", "--budget", "100000", "--claims", USER_CLAIMS,
                   "--time-limit", "1", "--json")
    assert proc.returncode == 3, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["counterexample"] is None and data["stopped"].startswith("time limit of 1 s reached after")
    assert "Traceback" not in proc.stderr
