"""``nctheory threshold [CLAIM] --vary VAR``: the located onset beside the prediction; the outcome from the
certified bracket and its exit code; bad claims and variables (exit 2, naming the valid ones); the time limit;
readable text; --help documents the variables."""

import json

from .conftest import run_cli

FAST = ("--sizes", "60x2,10x3")


def test_default_claim_and_variable_agree_with_the_formula(main_run):
    code, out, _ = main_run("threshold", *FAST, "--json")
    data = json.loads(out)
    assert code == 0 and data["outcome"] == "agree" and data["conclusive"] is True
    assert data["claim"] == "hong-ling/threshold" and data["variable"] == "lambda"
    assert data["variables"] == ["lambda", "n_B", "n_A"]
    assert abs(data["predicted"] - 10 ** 0.5 / 150) <= 1e-15
    assert data["rel_error"] <= 1e-6 and data["max_rel_error"] <= 1e-6 and data["bracket_certified"]
    evs = data["evaluations"]
    assert data["certified_evaluations"] == len(evs) and all(e["certified"] and e["rel_gap"] <= 1e-10 for e in evs)
    assert data["bracket"][0] < data["predicted"] < data["bracket"][1]


def test_another_claim_and_variable(main_run):
    # Zhu's n* = 1/(Kλ)² = 444444.4 for K = 3, λ = 5e-4
    code, out, _ = main_run("threshold", "zhu/balanced-ce", "--vary", "n", "--sizes", "5x3", "--json")
    data = json.loads(out)
    assert code == 0 and data["variable"] == "n" and abs(data["predicted"] - 1 / (3 * 5e-4) ** 2) <= 1e-9
    assert data["rel_error"] <= 1e-6


def test_text_is_readable(main_run):
    code, out, _ = main_run("threshold", "zhu/balanced-ce", "--sizes", "4x3", "--rtol", "1e-4", "--agree", "1e-3")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("zhu/balanced-ce: onset in lambda")
    assert any(line.strip().startswith("predicted  lambda* = 0.166666666667") for line in lines)
    assert any(line.strip().startswith("located    lambda  = ") for line in lines)
    assert lines[-1].startswith("AGREE: every onset in the certified bracket is within 0.001")


def test_a_bracket_too_wide_for_agree_is_inconclusive_not_a_failure(main_run):
    # rtol 1e-2 leaves a bracket ~1e-2 wide holding the prediction: it cannot tell at 1e-9 (exit 3, not 1)
    code, out, _ = main_run("threshold", *FAST, "--rtol", "1e-2", "--agree", "1e-9")
    assert code == 3 and out.splitlines()[-1].startswith("INCONCLUSIVE: the bracket is too wide to tell")


def test_bad_variable_exits_2_naming_the_valid_ones(main_run):
    code, out, err = main_run("threshold", "fang/minority-collapse", "--vary", "lambda", "--sizes", "20x2,10x2")
    assert code == 2 and out == ""
    assert "vary: the fang/minority-collapse onset is located in R, E; got 'lambda'" in err


def test_unknown_claim_exits_2_naming_the_claims_with_onsets(main_run):
    code, _, err = main_run("threshold", "seli/grams", "--sizes", "3,3")
    assert code == 2 and "claim: 'seli/grams' states no onset" in err and "dang2024/relu-collapse" in err


def test_unmet_family_and_bad_method_exit_2(main_run):
    code, _, err = main_run("threshold", "zhu/balanced-ce", "--sizes", "6,3")
    assert code == 2 and "sizes: the claim is about balanced classes" in err
    code, _, err = main_run("threshold", *FAST, "--method", "factored")
    assert code == 2 and "method: the hong-ling/threshold onset in lambda is decided with certified" in err


def test_tolerances_must_be_finite(main_run):
    for flag, value in (("--agree", "nan"), ("--rtol", "0"), ("--rtol", "1.5")):
        code, _, err = main_run("threshold", *FAST, flag, value)
        assert code == 2 and err.startswith(f"nctheory: error: {flag[2:]}:"), err


def test_help_documents_the_variables():
    proc = run_cli("threshold", "--help")
    text = " ".join(proc.stdout.split()).replace("- ", "-")  # argparse wraps lines at hyphens
    assert proc.returncode == 0
    for name in ("lambda", "tau", "n_B", "n_A", "R", "E", "dang2023/mse-imbalanced: lambda, n_B"):
        assert name in text, name


def test_time_limit_stops_the_bisection_with_exit_3():
    # K = 40: the 27 certified solves of the bisection take ~5-15 s (measured); K = 5 can finish in 0.4 s
    proc = run_cli("threshold", "--sizes", "500x20,50x20", "--time-limit", "0.2", "--json")
    assert proc.returncode == 3, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["outcome"] == "inconclusive" and data["located"] is None and "time limit of 0.2 s" in data["message"]
    assert "Traceback" not in proc.stderr
