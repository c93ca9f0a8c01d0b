r"""The answer of the dense certified solver (:mod:`~nctheory.solvers.certified.dense`, step 3): recovery of
(W, H_mean, b) from the best point (reductions R1/R2), the UFM objective of exactly those factors, and the
status and message from the certified gap and the reason the iterations stopped."""

from __future__ import annotations

import math

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.apg import _STALL_ITERATIONS
from nctheory.solvers.certified.bookkeeping import _Best, _Clock, rounding_floor
from nctheory.solvers.certified.svd import balanced_factors
from nctheory.solvers.result import Solution, relative_gap

_EPS = np.finfo(np.float64).eps


def _ufm_objective(problem: Problem, W: np.ndarray, H_mean: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Canonical UFM objective with every :math:`h_{k,i} = \bar h_k`, and the mean logits.

    Returns ``(f(W, H, b), W H_mean + b 1^T)``; the feature penalty is
    :math:`\frac{\lambda_H}2\sum_k n_k\|\bar h_k\|^2` (summed over samples, catalogue §0).
    """
    logits = W @ H_mean + b[:, None]
    values, _ = problem.loss.value_grad(logits, np.arange(problem.K))
    value = (
        float(values @ problem.weights)
        + 0.5 * problem.lambda_w * float(np.sum(W * W))
        + 0.5 * problem.lambda_h * float((H_mean * H_mean).sum(axis=0) @ problem.n)
        + 0.5 * problem.lambda_b * float(b @ b)
    )
    return value, logits



def _assemble(problem: Problem, smooth, best: _Best, counts: dict, reason: str, tol: float, max_iter: int,
              time_limit, zero_ratio: float, clock: _Clock, log) -> Solution:
    """The :class:`Solution` from the best point and bound (module doc); ``reason`` is the stop reason of the
    iterations ("converged", "max_iter", "time_limit", "stalled")."""
    K = problem.K
    # recovery of (W, H_mean, b) and the objective of exactly those factors
    b = best.b if problem.bias != "none" else np.zeros(K)
    W, H_mean, rank = balanced_factors(
        best.U, best.s, best.Vt, problem.n, problem.lambda_w, problem.lambda_h, problem.d
    )
    objective, logits = _ufm_objective(problem, W, H_mean, b)
    lower = best.lower
    raw_gap = objective - lower
    gap = max(raw_gap, 0.0)
    rel_gap = relative_gap(objective, lower)
    if not math.isfinite(lower):  # no certificate taken (the time limit came first)
        lower, gap = None, None
    rank_exceeds_d = problem.d is not None and rank > problem.d
    floor = rounding_floor(K) * max(1.0, best.lower_magnitude / max(abs(objective), 1e-300))
    if raw_gap < -64.0 * K * _EPS * max(abs(objective), best.lower_magnitude):
        status = "failed"
        message = f"inconsistent certificate: lower bound {lower!r} exceeds the objective {objective!r}"
    elif tol < floor:
        status = "inaccurate"
        message = (f"requested tol {tol:.1e} is below the certificate's rounding floor {floor:.1e} here (8Kε times the "
                   f"cancellation in the dual bound), which a gap can meet only by luck of the last bits; relative gap "
                   f"reached {rel_gap:.3e} (stop: {reason})")
    elif rel_gap <= tol:
        status, message = "optimal", f"certified: relative duality gap {rel_gap:.3e} <= tol {tol:.3e}"
        if raw_gap < 0:
            message += " (the bound exceeds the objective by rounding only)"
    elif reason == "max_iter":
        status = "max_iter"
        message = f"iteration budget {max_iter} spent at relative gap {rel_gap:.3e} > tol {tol:.3e}"
    elif reason == "time_limit":
        status = "inaccurate"
        message = f"time limit {time_limit} s reached at relative gap {rel_gap:.3e} > tol {tol:.3e}"
    elif reason == "stalled":
        status = "inaccurate"
        message = (
            f"progress stalled (certified gap improved < 1% over {_STALL_ITERATIONS} APG iterations, "
            f"typically the rounding floor); relative gap {rel_gap:.3e} > tol {tol:.3e}"
        )
    else:  # converged in the loop, but the recovered factors (numerical rank applied) lost accuracy
        status = "inaccurate"
        message = (f"the loop certified tol {tol:.1e}, but the objective of the recovered factors (rank {rank}) leaves "
                   f"relative gap {rel_gap:.3e} > tol (stop: {reason})")
    if rank_exceeds_d and status == "optimal":
        status = "relaxation"  # certified for R2, but R2 is not exact at this d: not an answer for the model
    if rank_exceeds_d:
        message += (
            f"; rank {rank} of the R2 solution exceeds d = {problem.d}: R2 is only a relaxation of the UFM "
            f"with this d, and W, H_mean have width {rank} (the relaxation's solution)"
        )
    singular_values = np.zeros(K)  # of the returned Y (numerical rank applied)
    singular_values[:rank] = best.s[:rank]
    extra = {
        "singular_values": singular_values,
        "rank": rank,
        "rank_exceeds_d": bool(rank_exceeds_d),
        "rel_gap": rel_gap if lower is not None else None,
        "iterations_factored": counts["factored"],
        "iterations_apg": counts["apg"],
        "certificates": best.certificates,
        "bias_newton_steps": smooth.bias_newton_steps,
        "grad_norm_ratio": best.grad_norm_ratio,
        "zero_grad_norm_ratio": zero_ratio,
        "dual_candidate": best.candidate,
        "stop_reason": reason,
    }
    if log is not None:
        log(f"{status}: {message}")
    return Solution(
        W=W,
        H_mean=H_mean,
        b=np.array(b, dtype=np.float64),
        logits_mean=logits,
        objective=objective,
        lower_bound=lower,
        gap=gap,
        status=status,
        iterations=counts["factored"] + counts["apg"],
        time_s=clock.elapsed(),
        method="certified",
        message=message,
        H=None,
        extra=extra,
    )
