"""Baseline for the side-by-side benchmark: scipy's L-BFGS-B on the factored class-mean UFM, then the certified
solver's own certificate at its answer (the same dual construction, so the gaps are comparable).

The objective and gradient are the certified solver's factored objective (:class:`_Factored`: the UFM on class means
with X = A B^T, bias scaled), so only the optimiser differs.  Starts: ``"prox"`` = one prox-gradient step at 0 (the
dense solver's start when no grouped start applies), ``"grouped"`` = the dense solver's grouped start.

Stopping (generous to scipy): L-BFGS-B has no certificate, so it is given an *oracle*: after each iteration whose
value is within ``tol`` (relative) of a reference lower bound ``oracle_lb`` (the certified solver's, i.e. the primal
error is provably small), the certificate is taken there (one SVD, counted in scipy's time) and the run stops once
the certified gap is <= ``tol``.  Without an oracle it runs until its own stopping rule (``ftol=0``, ``gtol=1e-14``:
until its line search fails), the iteration cap or ``max_seconds``, and is certified at the end.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.optimize

from nctheory.model import Problem
from nctheory.solvers.certified.bookkeeping import _Clock
from nctheory.solvers.certified.dual import DualBound
from nctheory.solvers.certified.factored_phase import _Factored
from nctheory.solvers.certified.smooth import ReducedSmooth
from nctheory.solvers.certified.starts import _balanced, _grouped_start
from nctheory.solvers.certified.svd import single_threaded, singular_value_threshold
from nctheory.solvers.result import relative_gap


def solve(p: Problem, start: str = "prox", max_seconds: float = 60.0, memory: int = 10, tol: float = 1e-10,
          oracle_lb: float | None = None) -> dict:
    """Time, iterations, objective, certified relative gap of L-BFGS-B (``maxcor=memory``, ``ftol=0``,
    ``gtol=1e-14``: it runs until its line search fails, the iteration cap or ``max_seconds``)."""
    with single_threaded():  # as the certified solver (same BLAS conditions)
        t0 = time.perf_counter()
        K = p.K
        smooth = ReducedSmooth(p)
        objective = _Factored(smooth)
        b0 = None
        if start == "grouped":
            g = _grouped_start(p, 1e-10, _Clock(None), None)
            if g is None:
                raise ValueError("start: no grouped start for this problem")
            (A0, B0), b0, _ = g
        else:
            ev0 = smooth.evaluate(np.zeros((K, K)), None)
            step = 1.0 / smooth.lipschitz
            _, s0, U0, Vt0 = singular_value_threshold(-step * ev0.grad, step * smooth.lam)
            A0, B0 = _balanced(U0, s0, Vt0)
            b0 = ev0.b
        r = A0.shape[1]
        rng = np.random.default_rng(0)
        A = np.zeros((K, K))
        B = np.zeros((K, K))
        A[:, :r], B[:, :r] = A0, B0
        jitter = 1e-3 * max(math.sqrt(smooth.lam * smooth.N), 1e-8)
        A[:, r:] = jitter * rng.standard_normal((K, K - r))
        B[:, r:] = jitter * rng.standard_normal((K, K - r))
        v0 = objective.pack(A, B, b0 if objective.has_bias else None)
        deadline = t0 + max_seconds
        state = {"it": 0, "certificates": 0, "bound": None, "f": None, "capped": False}

        def certify(x):
            f, Gamma = objective.dual_at(x)
            state["certificates"] += 1
            state["bound"], state["f"] = DualBound.from_gradient(smooth, Gamma, saturate=True, recheck=True), f
            return relative_gap(f, state["bound"].value)

        def callback(intermediate_result):
            state["it"] += 1
            if time.perf_counter() > deadline:
                state["capped"] = True
                raise StopIteration
            f = float(intermediate_result.fun)
            if oracle_lb is not None and relative_gap(f, oracle_lb) <= tol and certify(intermediate_result.x) <= tol:
                raise StopIteration

        res = scipy.optimize.minimize(objective, v0, jac=True, method="L-BFGS-B", callback=callback,
                                      options={"maxiter": 100_000, "maxcor": memory, "ftol": 0.0, "gtol": 1e-14,
                                               "maxfun": 1_000_000})
        if state["bound"] is None or relative_gap(state["f"], state["bound"].value) > tol:
            certify(res.x)  # the final certificate (also when the oracle's certificates missed tol)
        t = time.perf_counter() - t0
    f, bound = state["f"], state["bound"]
    stop = "time cap" if state["capped"] else ("oracle + certificate" if relative_gap(f, bound.value) <= tol
                                              else str(res.message))
    return {"time_s": t, "iterations": state["it"], "objective": float(f), "lower_bound": float(bound.value),
            "rel_gap": relative_gap(f, bound.value), "certificates": state["certificates"], "stop": stop}
