r"""The depth sequence of ``garrod-keating/rank-vs-depth``: the rank of the optimal mean logits as M grows.

:func:`rank_along_depth` solves the balanced bias-free CE UFM at depths 1..M (the problem's own depth): the certified
solver at M = 1 (convex, R2), the factored solver's restart plan at M >= 2 (full-rank starts at several scales and
low-rank starts of every rank; nonconvex, uncertified), and reads the numerical rank of :math:`\bar Z = W\bar H`
(:data:`~.accuracy.RANK_RTOL`).  The claim holds on the sequence when the ranks do not increase with M, the rank at
M = 1 is K − 1 (the ETF) and the rank at the largest M is below K − 1.  ``certified`` is False whenever a factored
solve is involved: the deep CE model has no certificate, so a passing sequence supports the claim (verdict
``consistent``) without proving it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.claims.sources.garrod_keating.accuracy import RANK_RTOL
from nctheory.claims.sources.garrod_keating.formulas import numerical_rank
from nctheory.model import Problem


@dataclass(frozen=True)
class DepthSequence:
    depths: tuple
    ranks: tuple
    objectives: tuple
    singular_values: tuple
    monotone: bool
    certified: bool
    ok: bool
    message: str


def logit_spectrum(solution) -> np.ndarray:
    W, H = np.asarray(solution.W, dtype=np.float64), np.asarray(solution.H_mean, dtype=np.float64)
    return np.linalg.svd(W @ H, compute_uv=False)


def rank_along_depth(problem: Problem, *, restarts: int | None = None) -> DepthSequence:
    """Solve depths 1..problem.depth (module doc) and check the ranks."""
    from nctheory.solvers import solve

    K = problem.K
    depths, ranks, values, spectra = [], [], [], []
    certified = problem.depth == 1
    for M in range(1, problem.depth + 1):
        p = problem.with_(depth=M)
        if M == 1:
            sol = solve(p, method="certified", tol=1e-12)
            certified &= sol.status == "optimal"
        else:
            sol = solve(p, method="factored", **({} if restarts is None else {"restarts": restarts}))
        s = logit_spectrum(sol)
        depths.append(M)
        ranks.append(numerical_rank(s, RANK_RTOL))
        values.append(float(sol.objective))
        spectra.append(s)
    monotone = all(b <= a for a, b in zip(ranks, ranks[1:]))
    ok = bool(monotone and ranks[0] == K - 1 and ranks[-1] < K - 1)
    msg = ("rank of the optimal mean logits per depth: " + ", ".join(f"M={m}: {r}" for m, r in zip(depths, ranks))
           + "; objectives " + ", ".join(f"{v:.6f}" for v in values)
           + ("" if certified else " (M >= 2: best of the factored restart plan, no certificate exists for deep CE)"))
    return DepthSequence(tuple(depths), tuple(ranks), tuple(values), tuple(spectra), bool(monotone), bool(certified),
                         ok, msg)


__all__ = ["DepthSequence", "logit_spectrum", "rank_along_depth"]
