r"""The answer of the dense certified solver (:mod:`~nctheory.solvers.certified.dense`, step 3): recovery of
(W, H_mean, b) from the best point (reductions R1/R2), the UFM objective of exactly those factors, and the
status and message from the certified gap and the reason the iterations stopped."""

from __future__ import annotations

import math

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.bookkeeping import _Best, _Clock, rounding_floor
from nctheory.solvers.certified.status import certified_status, iteration_record
from nctheory.solvers.certified.svd import balanced_factors
from nctheory.solvers.result import Solution, relative_gap

#: The dense solver's texts of :func:`~nctheory.solvers.certified.status.certified_status`.
_BELOW_FLOOR = ("requested tol {tol:.1e} is below the certificate's rounding floor {floor:.1e} here (8Kε times the "
                "cancellation in the dual bound), which a gap can meet only by luck of the last bits; relative gap "
                "reached {rel_gap:.3e} (stop: {reason})")
_LOST_ACCURACY = ("the loop certified tol {tol:.1e}, but the objective of the recovered factors (rank {rank}) leaves "
                  "relative gap {rel_gap:.3e} > tol (stop: {reason})")
_RELAXATION = ("; rank {rank} of the R2 solution exceeds d = {d}: R2 is only a relaxation of the UFM with this d, "
               "and W, H_mean have width {rank} (the relaxation's solution)")


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
    status, message = certified_status(
        objective=objective, lower=best.lower, lower_magnitude=best.lower_magnitude, raw_gap=raw_gap, rel_gap=rel_gap,
        tol=tol, floor=floor, reason=reason, size=K, max_iter=max_iter, time_limit=time_limit, rank=rank, d=problem.d,
        below_floor=_BELOW_FLOOR, lost_accuracy=_LOST_ACCURACY, relaxation=_RELAXATION)
    singular_values = np.zeros(K)  # of the returned Y (numerical rank applied)
    singular_values[:rank] = best.s[:rank]
    extra = {
        "singular_values": singular_values,
        "rank": rank,
        "rank_exceeds_d": bool(rank_exceeds_d),
        "rel_gap": rel_gap if lower is not None else None,
        **iteration_record(counts, best, smooth, zero_ratio),
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
