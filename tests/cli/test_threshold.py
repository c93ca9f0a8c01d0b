"""``nctheory threshold``: the located onset beside √n_c/N; tolerances must be finite; the time limit."""

import json

from .conftest import run_cli


def test_onset_agrees_with_the_formula(main_run):
    code, out, _ = main_run("threshold", "--sizes", "60x2,10x3", "--json")
    data = json.loads(out)
    assert code == 0 and data["conclusive"] is True
    assert data["cluster"] == [2, 3, 4] and data["N"] == 150
    assert abs(data["predicted"] - 10 ** 0.5 / 150) <= 1e-15
    # the bracket is at rtol 1e-7 around the located onset; --agree (1e-6) is the pass criterion
    assert data["rel_diff"] <= 1e-6


def test_text_says_pass_certified(main_run):
    code, out, _ = main_run("threshold", "--sizes", "60x2,10x3", "--rtol", "1e-4", "--agree", "1e-3")
    assert code == 0 and out.splitlines()[-1].startswith("PASS certified")


def test_a_tolerance_tighter_than_the_bracket_fails(main_run):
    # rtol 1e-2 leaves the midpoint up to 5e-3 away; located 1.3e-3 from λ* here (measured), > agree 1e-9
    code, out, _ = main_run("threshold", "--sizes", "60x2,10x3", "--rtol", "1e-2", "--agree", "1e-9")
    assert code == 1 and out.splitlines()[-1].startswith("FAIL certified")


def test_time_limit_stops_the_bisection_with_exit_3():
    # K = 40: the 27 certified solves of the bisection take ~5-15 s (measured); K = 5 can finish in 0.4 s
    proc = run_cli("threshold", "--sizes", "500x20,50x20", "--time-limit", "0.2", "--json")
    assert proc.returncode == 3, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["conclusive"] is False and data["observed"] is None and "time limit of 0.2 s" in data["message"]
    assert "Traceback" not in proc.stderr
