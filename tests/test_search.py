"""Counterexample search: finds the refutation of the deep-CE ETF claim, nothing for true claims, reproducibly."""

import json

from nctheory.claims import get_claim
from nctheory.cli import main
from nctheory.explore.search import search


def test_finds_deep_ce_etf_counterexample_and_is_reproducible():
    claim = get_claim("dang2023/ce-etf-deep")
    a = search(claim, budget=8, seed=0, max_shrinks=6)
    assert a.counterexample is not None and a.counterexample.depth >= 2
    assert a.verification.verdict == "fail" and a.verification.refutation is not None  # refuted by value
    assert a.first_counterexample is not None  # the instance before shrinking is reported too
    assert a.evaluations <= 8 + 6 + 1  # drawn + shrinking budget (+ the draw that found it)
    b = search(claim, budget=8, seed=0, max_shrinks=6)
    assert b.counterexample == a.counterexample and b.first_counterexample == a.first_counterexample


def test_true_claim_has_no_counterexample_within_budget(capsys):
    code = main(["search", "zhu/balanced-ce", "--budget", "8", "--seed", "3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["counterexample"] is None and out["evaluations"] >= 1


def test_bad_budget(capsys):
    assert main(["search", "zhu/balanced-ce", "--budget", "0"]) == 2
    assert "budget" in capsys.readouterr().err
