"""The contract every claim satisfies (built-ins and, through the same function, users' claims).

1. identity: id "<source>/<name>", provenance tags known, a statement, at least one default instance;
2. requirements name fields: every unmet-requirement message starts with "<field>: " on instances of other
   models (a checker that names the field, so users see what to change);
3. predict works on every default instance (quantities finite or bool; an ``objective`` is finite);
4. the numeric form equals the lambdified symbolic form (what runs is what proofs_check proves), at
   random admissible points;
5. the default instances satisfy the requirements, and observe() reads every predicted quantity from a
   reference solution of the first default instance (only the cheap claims, where a solve is fast).
"""

import math
import re

import numpy as np
import pytest
import sympy as sp

from nctheory.claims import all_claims
from nctheory.errors import is_input_error
from nctheory.model import Problem

CLAIMS = all_claims()
IDS = [c.id for c in CLAIMS]
FIELD = re.compile(r"^[A-Za-z_][\w\-]*: ")

#: Instances of other models: each claim must reject most of them with field-named messages.
PROBES = [
    Problem((5, 3), loss="mse"),
    Problem((5, 3), features="relu"),
    Problem((5, 3), depth=2),
    Problem((5, 3), classifier="fixed-etf", constraint="per-sample", e_h=1.0, lambda_w=0.0, lambda_h=0.0),
    Problem((5, 3), constraint="average", e_w=1.0, e_h=1.0, lambda_w=0.0, lambda_h=0.0),
    Problem((4, 4, 4)),
    Problem((9, 3, 1), bias="free"),
]


def check_contract(claim) -> None:
    """Raise AssertionError naming what breaks the contract (usable on users' claims too)."""
    assert "/" in claim.id and claim.statement.strip(), claim.id
    defaults = claim.default_instances()
    assert defaults, f"{claim.id}: no default instances"
    for p in PROBES + defaults:
        for msg in claim.assumptions(p):
            assert FIELD.match(msg), f"{claim.id}: requirement message does not name a field: {msg!r}"
    for p in defaults:
        assert not claim.assumptions(p), f"{claim.id}: a default instance fails its own requirements"
        pred = claim.predict(p)
        assert pred.quantities, f"{claim.id}: empty prediction"
        for name, v in pred.quantities.items():
            arr = np.asarray(v)
            assert arr.dtype == bool or np.all(np.isfinite(arr.astype(float))), f"{claim.id}: {name} not finite"
        if pred.objective is not None:
            assert math.isfinite(pred.objective), f"{claim.id}: predicted objective not finite"
    if claim.numeric is not None:
        assert claim.symbolic is not None, f"{claim.id}: numeric forms without symbolic ones"
        symbolic = claim.symbolic()
        rng = np.random.default_rng(0)
        for name, (fn, symbols) in claim.numeric().items():
            expr = symbolic[name]
            f_sym = sp.lambdify(symbols, expr, "mpmath")
            checked = 0
            for _ in range(40):
                args = [_draw(s, rng) for s in symbols]
                try:
                    want = float(f_sym(*args))
                    got = float(fn(*args))
                except (ValueError, ZeroDivisionError, TypeError):
                    continue
                if not (math.isfinite(want) and math.isfinite(got)):
                    continue
                # both sides are float64 evaluations of the same closed form: rounding only
                assert got == pytest.approx(want, rel=1e-9, abs=1e-12), f"{claim.id}: {name} at {args}"
                checked += 1
            assert checked >= 5, f"{claim.id}: numeric form {name} evaluated at only {checked} admissible points"


def _draw(symbol, rng):
    """An admissible value for a symbol by its name (integers for counts, small positives for penalties)."""
    name = symbol.name
    if name in ("K", "K_A", "K_B", "M"):
        return int(rng.integers(2, 7))
    if name.startswith("n"):
        return int(rng.integers(1, 60))
    if name.startswith("lambda") or name.startswith("E"):
        return float(10 ** rng.uniform(-4, -1.5))
    return float(rng.uniform(0.1, 2.0))


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_claim_contract(claim):
    check_contract(claim)


def test_contract_rejects_a_claim_with_unnamed_requirement_messages():
    from dataclasses import replace

    from nctheory.claims.base import Requires

    bad = replace(CLAIMS[0], requires=Requires(conditions=(lambda p: ["needs something"],)))
    with pytest.raises(AssertionError, match="does not name a field"):
        check_contract(bad)
    assert not is_input_error(ValueError("needs something"))
