"""``from_json(to_json(x))`` gives ``x`` back: solutions (dense and grouped), checks, evidence and verifications,
straight from the dicts and through JSON text (where non-finite numbers become null); the CLI's own output
reads back; damaged input is a ValueError naming the field."""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nctheory.model import Problem
from nctheory.present.serialize import dumps, envelope
from nctheory.solvers import solve
from nctheory.solvers.certified.grouped import GroupedSolution
from nctheory.solvers.result import Certificate, Solution, Status
from nctheory.verify import verify_claim
from nctheory.verify.compare import Check
from nctheory.verify.engine import Evidence, Verification
from nctheory.verify.verdict import Decision

ROOT = Path(__file__).resolve().parents[2]


def text_trip(obj) -> dict:
    """``obj.to_json()`` as a reader of the printed JSON sees it."""
    return json.loads(dumps(obj.to_json()))


def same_arrays(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


# ------------------------------------------------------------------------------ Solution
@pytest.fixture(scope="module")
def dense():
    return Problem(sizes=(4, 2, 1), lambda_w=1e-3, lambda_h=2e-3, bias="regularized", lambda_b=1e-3), None


@pytest.fixture(scope="module")
def dense_solution(dense):
    return solve(dense[0])


def assert_same_solution(a: Solution, b: Solution):
    for name in ("W", "H_mean", "b", "logits_mean"):
        same_arrays(getattr(a, name), getattr(b, name))
    for name in ("objective", "lower_bound", "gap", "status", "iterations", "time_s", "method", "message",
                 "certificate", "certified", "rel_gap"):
        assert getattr(a, name) == getattr(b, name), name


def test_solution_round_trips_from_the_dict_and_through_text(dense_solution):
    sol = dense_solution
    assert sol.certified and sol.certificate is not None
    assert_same_solution(Solution.from_json(sol.to_json()), sol)
    back = Solution.from_json(text_trip(sol))
    assert_same_solution(back, sol)
    assert text_trip(back) == text_trip(sol)
    assert back.H is None and back.extra == {}


def test_a_local_solution_keeps_its_options_and_so_its_reference_level():
    """The CLI writes the options: a local solve with a loose gtol stays unusable as a reference when read back."""
    p = Problem(sizes=(3, 2), lambda_w=1e-2, lambda_h=1e-2)
    sol = solve(p, method="factored", restarts=1, gtol=1e-3)
    assert sol.status == Status.LOCAL and sol.reference_level(1e-8)[0] == "unusable"
    cli_json = json.loads(dumps({**sol.to_json(), "problem": p.to_dict(), "options": sol.options}))
    back = Solution.from_json(cli_json)
    assert back.options["gtol"] == 1e-3 and back.reference_level(1e-8) == sol.reference_level(1e-8)
    assert Solution.from_json(sol.to_json()).reference_level(1e-8)[0] == "uncertified"  # to_json has no options


def test_non_finite_entries_come_back_as_nan(dense_solution):
    W = dense_solution.W.copy()
    W[0, 0] = np.inf
    sol = replace(dense_solution, W=W, lower_bound=None, gap=None, certificate=None)
    data = text_trip(sol)
    assert data["W"][0][0] is None
    back = Solution.from_json(data)
    assert math.isnan(back.W[0, 0]) and back.W[1, 0] == W[1, 0] and back.lower_bound is None and not back.certified


@pytest.mark.parametrize("field, change, message", [
    ("objective", None, "^objective: a value is required"),
    ("status", "done", "^status: unknown 'done'"),
    ("W", "x", "^W: expected a list of rows"),
    ("b", [[1.0]], r"^b: expected 1 dimension\(s\)"),
    ("iterations", 1.5, "^iterations: expected an integer"),
    ("certificate", {"kind": "k"}, "^certificate: the field 'description' is required"),
    ("schema_version", "1", "^schema_version: this nctheory reads version '2', got '1'"),
    ("options", [1], "^options: expected a JSON object"),
])
def test_solution_from_bad_json_names_the_field(dense_solution, field, change, message):
    data = dense_solution.to_json()
    if change is None:
        data.pop(field)
    else:
        data[field] = change
    with pytest.raises(ValueError, match=message):
        Solution.from_json(data)
    with pytest.raises(ValueError, match="^solution: expected a JSON object"):
        Solution.from_json([data])


def test_the_solve_commands_output_reads_back(dense, dense_solution, capsys):
    from nctheory.cli import main

    p = dense[0]
    assert main(["solve", "--sizes", "4,2,1", "--lambda-w", "1e-3", "--lambda-h", "2e-3", "--lambda-b", "1e-3",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    back = Solution.from_json(data)
    assert Problem.from_dict(data["problem"]) == p
    assert back.certified and back.options == dense_solution.options
    # the same instance, solved again: the same point to the solver's precision
    assert np.allclose(back.logits_mean, dense_solution.logits_mean, atol=1e-5)


# ------------------------------------------------------------------------------ GroupedSolution
@pytest.mark.parametrize("sizes, kw", [((300,) * 3 + (20,) * 2, {}),
                                       ((50, 50, 7, 7, 7, 1), {"bias": "regularized", "lambda_b": 1e-3}),
                                       ((40,) * 4 + (4,) * 3, {"d": 9})])
def test_grouped_solution_round_trips(sizes, kw):
    p = Problem(sizes=sizes, **kw)
    g = solve(p, method="certified:symmetric")
    assert isinstance(g, GroupedSolution) and g.certified
    data = json.loads(dumps({**g.to_json(), "problem": p.to_dict(), "options": g.options}))
    back = GroupedSolution.from_json(data)
    assert text_trip(back) == text_trip(g)  # every block, and the dense arrays rebuilt from them
    assert back.rank == g.rank and back.K == g.K and back.problem == p and back.options == g.options
    for name in ("Y", "gram_WW", "gram_HH", "gram_WH"):
        same_arrays(getattr(back, name).core, getattr(g, name).core)
        same_arrays(getattr(back, name).perp, getattr(g, name).perp)
    assert back.reference_level(1e-8) == g.reference_level(1e-8)
    # the problem may be given instead of read from the JSON
    assert text_trip(GroupedSolution.from_json(g.to_json(), problem=p)) == text_trip(g)


def test_a_large_grouped_answer_round_trips_without_dense_arrays():
    p = Problem(sizes=(50,) * 1500 + (5,) * 600)
    g = solve(p, method="certified:symmetric")
    data = json.loads(dumps({**g.to_json(), "problem": p.to_dict()}))
    assert data["W"] is None
    back = GroupedSolution.from_json(data)
    assert text_trip(back) == json.loads(dumps(g.to_json()))
    np.testing.assert_array_equal(back.w_norms(), g.w_norms())
    with pytest.raises(ValueError, match="^W: this grouped answer carries no dense arrays"):
        Solution.from_json(data)


def test_grouped_from_bad_json_names_the_field():
    p = Problem(sizes=(30, 30, 3, 3))
    g = solve(p, method="certified:symmetric")
    data = g.to_json()
    with pytest.raises(ValueError, match="^problem: a grouped answer is read with its problem"):
        GroupedSolution.from_json(data)
    with pytest.raises(ValueError, match="^groups: .* are not the equal-size groups"):
        GroupedSolution.from_json(data, problem=Problem(sizes=(30, 3, 3, 3)))
    broken = json.loads(json.dumps(data))
    broken["grouped"]["gram_WW"].pop("core")
    with pytest.raises(ValueError, match="^gram_WW: expected a grouped matrix"):
        GroupedSolution.from_json(broken, problem=p)
    broken = json.loads(json.dumps(data))
    broken["grouped"]["beta"] = [0.0]
    with pytest.raises(ValueError, match="^beta: expected 2 values"):
        GroupedSolution.from_json(broken, problem=p)
    with pytest.raises(ValueError, match="^grouped: a value is required"):
        GroupedSolution.from_json(Solution.from_json(solve(p).to_json()).to_json(), problem=p)


# ------------------------------------------------------------------------------ Check, Evidence, Verification
def _user_claims():
    spec = importlib.util.spec_from_file_location("json_roundtrip_user_claims", ROOT / "tests" / "cli" / "user_claims.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {c.id: c for c in mod.CLAIMS}


@pytest.fixture(scope="module")
def verifications():
    """A pass with matrices and scalars, a certified fail on a boolean, a consistent (uncertified), an
    inconclusive (assumptions unmet), and a sequence experiment's boolean check."""
    from nctheory.claims import get_claim

    user = _user_claims()
    small = Problem(sizes=(5, 5, 5), lambda_w=1e-2, lambda_h=1e-2)
    out = [verify_claim(get_claim("zhu/balanced-ce"), Problem(sizes=(4, 4, 4), bias="regularized", lambda_b=1e-3)),
           verify_claim(get_claim("hong-ling/angles"), Problem(sizes=(30, 30, 3, 3), lambda_w=1e-3, lambda_h=1e-3)),
           verify_claim(user["user/always-zero"], small),
           verify_claim(user["user/zero-factored"], small),
           verify_claim(get_claim("zhu/balanced-ce"), Problem(sizes=(6, 3)))]
    seq = get_claim("hong-ling/asymptotic")
    out.append(verify_claim(seq, seq.default_instances()[0]))
    return out


def test_the_fixture_covers_the_verdicts_and_check_kinds(verifications):
    verdicts = {v.verdict.value for v in verifications}
    assert {"pass", "fail", "consistent", "inconclusive"} <= verdicts
    checks = [c for v in verifications for c in v.checks]
    assert any(np.ndim(c.predicted) == 2 for c in checks) and any(np.ndim(c.predicted) == 0 for c in checks)
    assert any(isinstance(c.predicted, (bool, np.bool_)) for c in checks)
    assert any(c.quantity.startswith("sequence:") for c in checks)
    assert any(c.rel_err is None for c in checks)


def test_verification_round_trips(verifications):
    for v in verifications:
        back = Verification.from_json(v.to_json())
        assert back.to_json() == v.to_json() or text_trip(back) == text_trip(v)
        assert text_trip(Verification.from_json(text_trip(v))) == text_trip(v), v.claim_id
        assert (back.claim_id, back.expected, back.verdict, back.certified, back.reason, back.unmet, back.notes,
                back.refutation, back.time_s) == (v.claim_id, v.expected, v.verdict, v.certified, v.reason, v.unmet,
                                                  v.notes, v.refutation, v.time_s)
        assert back.problem == v.problem and back.as_expected == v.as_expected
        assert back.exit_code() == v.exit_code() and len(back.checks) == len(v.checks)
        assert [e.to_json() for e in back.solutions] == [e.to_json() for e in v.solutions]


def test_check_and_evidence_round_trip(verifications):
    for v in verifications:
        for c in v.checks:
            back = Check.from_json(json.loads(dumps(c.to_json())))
            assert back.decision == c.decision and back.ok == c.ok and back.explain() == c.explain()
            assert back.entry == c.entry and back.tol == json.loads(dumps(c.tol))
            if isinstance(c.predicted, np.ndarray):
                assert isinstance(back.predicted, np.ndarray) and back.predicted.dtype == c.predicted.dtype
                same_arrays(back.predicted, c.predicted)
            assert json.loads(dumps(back.to_json())) == json.loads(dumps(c.to_json()))
        for e in v.solutions:
            assert Evidence.from_json(json.loads(dumps(e.to_json()))) == Evidence(**json.loads(dumps(e.to_json())))
            assert Evidence.from_json(e.to_json()) == e


def test_the_verify_commands_output_reads_back(capsys):
    from nctheory.cli import main

    assert main(["verify", "zhu/balanced-ce", "--sizes", "4x3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    v = Verification.from_json(data)
    assert v.verdict == "pass" and v.certified and v.problem == Problem(sizes=(4, 4, 4))
    assert {k: x for k, x in text_trip(v).items()} == {k: x for k, x in data.items()
                                                        if k not in ("schema_version", "nctheory_version", "command")}


def test_verification_from_bad_json_names_the_field(verifications):
    good = verifications[0].to_json()
    cases = [(lambda d: d.pop("verdict"), "^verdict: a value is required"),
             (lambda d: d.update(verdict="maybe"), "^verdict: unknown 'maybe'"),
             (lambda d: d.update(expected="yes"), "^expected: unknown 'yes'"),
             (lambda d: d.update(notes="x"), "^notes: expected a list of strings"),
             (lambda d: d.update(checks={}), "^checks: expected a list"),
             (lambda d: d["problem"].update(sizes=[1]), "^sizes: "),
             (lambda d: d["checks"][0].update(decision="maybe"), "^decision: unknown 'maybe'"),
             (lambda d: d["checks"][0].pop("tol"), "^tol: a value is required"),
             (lambda d: d["checks"][0].update(entry=["a"]), "^entry: expected a list of integers"),
             (lambda d: d["solutions"][0].update(certified="yes"), "^certified: expected true or false"),
             (lambda d: d["solutions"][0].update(certificate=3), "^certificate: expected a JSON object or null"),
             (lambda d: d.update(refutation=[]), "^refutation: expected a JSON object or null"),
             (lambda d: d.update(schema_version=2), "^schema_version: this nctheory reads version '2', got 2")]
    for mutate, message in cases:
        data = json.loads(json.dumps(good))
        mutate(data)
        with pytest.raises(ValueError, match=message):
            Verification.from_json(data)
    with pytest.raises(ValueError, match="^verification: expected a JSON object"):
        Verification.from_json(envelope("verify", {"results": [good]})["results"])
    assert Verification.from_json(good).checks[0].decision == Decision.AGREE
    assert Certificate.from_json(verifications[0].solutions[0].certificate).kind == "fenchel-dual:R2"
