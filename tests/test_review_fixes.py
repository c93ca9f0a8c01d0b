"""Honesty fixes: bugs are not "bad input", nothing checked is never "ok", resumes never lose records."""

import json

import numpy as np

from nctheory import cli
from nctheory.claims.base import Claim, Prediction, Tolerance
from nctheory.errors import is_input_error
from nctheory.model import Problem
from nctheory.solvers import certified
from nctheory.sweep import read_done
from nctheory.verify import verify_claim


def test_input_errors_are_field_named_only():
    assert is_input_error(ValueError("sizes: need K >= 2"))
    assert not is_input_error(ValueError("math domain error"))
    assert not is_input_error(TypeError("sizes: x"))


def test_internal_value_error_is_not_reported_as_bad_input(monkeypatch, capsys):
    def boom(args):
        raise ValueError("math domain error")

    monkeypatch.setattr(cli, "cmd_claims", boom)
    parser_main = cli.main
    code = parser_main(["claims"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INCONCLUSIVE and "internal error" in err and "Traceback" in err


def test_search_rejects_bad_max_classes(capsys):
    assert cli.main(["search", "zhu/balanced-ce", "--max-classes", "0"]) == 2
    assert "max_classes" in capsys.readouterr().err


def test_sweep_limit_must_be_positive(capsys):
    assert cli.main(["sweep", "--out", "/tmp/never.jsonl", "--limit", "0"]) == 2


def test_relaxation_is_not_an_answer():
    sol = certified.solve(Problem((50, 40, 30, 20, 10), lambda_w=1e-3, lambda_h=1e-3, d=2))
    assert sol.status == "relaxation" and not sol.success and not sol.certified


def test_resume_skips_a_bad_middle_line_and_retries_errors(tmp_path):
    path = tmp_path / "s.jsonl"
    good = [{"key": "a", "status": "optimal"}, {"key": "b", "status": "error"}, {"key": "c", "status": "optimal"}]
    with open(path, "w") as fh:
        fh.write(json.dumps(good[0]) + "\n")
        fh.write("{not json\n")  # corrupt line in the middle: skipped, kept, nothing after it lost
        fh.write(json.dumps(good[1]) + "\n")
        fh.write(json.dumps(good[2]) + "\n")
        fh.write('{"key": "d", "sta')  # truncated last line: removed
    done = read_done(str(path))
    assert set(done) == {"a", "c"}  # "b" failed with an error: redone on resume
    assert path.read_text().endswith(json.dumps(good[2]) + "\n")


def _claim_with_certificate(allowance):
    p0 = Problem(sizes=(5, 5), lambda_w=1e-2, lambda_h=1e-2)
    return Claim(
        id="test/loose", source="test", provenance=("derived",), statement="objective is what it is",
        assumptions=lambda p: [], predict=lambda p: Prediction("test/loose", p, {"objective": 0.0}),
        observe=lambda p, s: {"objective": 0.0}, methods=("certified",), default_instances=lambda: [p0],
        tolerances={"objective": Tolerance(0.0, 0.0, "exact", certificate=lambda p, s: allowance)})


def test_loose_certificate_allowance_makes_the_verdict_inconclusive():
    p = Problem(sizes=(5, 5), lambda_w=1e-2, lambda_h=1e-2)
    assert verify_claim(_claim_with_certificate(0.5), p).verdict == "inconclusive"
    assert verify_claim(_claim_with_certificate(1e-9), p).verdict == "pass"


def test_unobserved_prediction_is_reported():
    p = Problem(sizes=(5, 5), lambda_w=1e-2, lambda_h=1e-2)
    c = _claim_with_certificate(0.0)
    c2 = Claim(**{**c.__dict__, "predict": lambda q: Prediction("test/loose", q, {"objective": 0.0, "typo": 1.0})})
    v = verify_claim(c2, p)
    assert any("not observable" in n and "typo" in n for n in v.notes)
    assert np.isfinite(v.time_s)
