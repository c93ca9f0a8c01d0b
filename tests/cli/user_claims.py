"""Claims used by the CLI tests through ``--claims``: tiny, fast, with known verdicts.

Balanced cross-entropy UFM without bias (Zhu et al.): the global minimiser is W = H = 0 exactly when
K·sqrt(n λ_W λ_H) >= 1.  The certified solver returns exact zeros there (its zero test), so the boolean
``zero_solution`` is observed without rounding ambiguity away from the threshold.
"""

import math

from nctheory.claims.base import Claim, Expectation, Prediction, Requires, Tolerance
from nctheory.model import Problem

SOURCE = "nctheory CLI tests"


def _zero(p: Problem) -> bool:
    return p.K * math.sqrt(p.sizes[0] * p.lambda_w * p.lambda_h) >= 1


def _instances():
    # K·s = 1.2 (zero) and 0.067 (not zero): both far from the threshold K·s = 1
    return [Problem(sizes=(4, 4, 4), lambda_w=0.2, lambda_h=0.2), Problem(sizes=(5, 5, 5), lambda_w=1e-2, lambda_h=1e-2)]


def _claim(id_, predict, reference=("certified",), expected=Expectation.TRUE, defaults=_instances):
    return Claim(id=id_, source=SOURCE, provenance=("user",),
                 statement=f"{id_}: the zero solution of balanced CE (K·sqrt(n λW λH) >= 1)",
                 requires=Requires.ufm("ce", balanced=True, bias=("none",)),
                 predict=lambda p: Prediction(id_, p, {"zero_solution": predict(p)}),
                 observe=("zero_solution",), reference=reference, defaults=defaults,
                 tolerances={"*": Tolerance(0.0, 0.0, "a boolean: exact")}, expected=expected)


CLAIMS = [
    _claim("user/zero-threshold", _zero),
    # wrong away from large λ: FAIL (certified) on its first instance, which the search draws around
    _claim("user/always-zero", lambda p: True, defaults=lambda: _instances()[::-1]),
    _claim("user/zero-factored", _zero, reference=("factored",)),  # only uncertified solves: CONSISTENT
    _claim("user/refuted-zero", lambda p: True, expected=Expectation.FALSE,
           defaults=lambda: _instances()[1:]),  # registered to be refuted, and refuted: REFUTED
    _claim("user/unmet", _zero, defaults=lambda: [Problem(sizes=(6, 3), lambda_w=1e-2, lambda_h=1e-2)]),  # imbalanced
]
