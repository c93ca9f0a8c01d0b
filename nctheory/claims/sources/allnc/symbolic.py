r"""The AllNC squeeze threshold as sympy forms (Hong & Ling's critical λ applied to the minority cluster), and the
numeric function the code evaluates for it (checked by ``tests/claims/test_claim_contract.py``)."""

from __future__ import annotations

import sympy as sp

lam, N, n_B, n_x = sp.symbols("lambda N n_B n_x", positive=True)
K_A, K_B = sp.symbols("K_A K_B", positive=True)


def squeeze_forms() -> dict:
    return {
        "squeeze_threshold_lambda": sp.sqrt(n_B) / N,
        "squeeze_indicator": lam * N - sp.sqrt(n_B),  # >= 0 <=> both squeezes
        # the same on the profile K_A classes of n_B + n_x (n_x >= 1), K_B classes of n_B
        "squeeze_threshold_two_clusters": sp.sqrt(n_B) / (K_A * (n_B + n_x) + K_B * n_B),
    }


def squeeze_numeric() -> dict:
    from nctheory.claims.sources.allnc.formulas import threshold_lambda
    from nctheory.model import Problem

    def star(nb, nx, ka, kb):
        return threshold_lambda(Problem(sizes=(int(nb) + int(nx),) * int(ka) + (int(nb),) * int(kb)))

    return {"squeeze_threshold_two_clusters": (star, (n_B, n_x, K_A, K_B))}
