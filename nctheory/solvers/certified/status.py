r"""Status, message and iteration record of a certified R2 solve, shared by the dense and the symmetric solver.

The status follows from the certified relative gap :math:`(F - \mathrm{LB})/|F|` of the returned point and why the
iterations stopped, in this order:

* ``"failed"``: the bound exceeds the objective by more than rounding (:math:`64\,s\,\varepsilon` of the larger of
  :math:`|F|` and the bound's magnitude, s the problem's size: K dense, C + 2 reduced) -- an inconsistent
  certificate;
* ``"inaccurate"`` when the requested tol is below the certificate's rounding floor here (a gap can meet it only by
  luck of the last bits), whatever the gap;
* ``"optimal"`` when the gap is at most tol;
* else by the stop reason: ``"max_iter"``, or ``"inaccurate"`` for a time limit, a stall or a returned point that
  lost the accuracy the loop certified (numerical rank applied);
* an optimal answer whose rank exceeds the feature dimension d is a ``"relaxation"`` (R2 is then not exact).

The texts that differ between the solvers (the floor, the lost accuracy, the relaxation note) are ``str.format``
templates given by the caller.
"""

from __future__ import annotations

import numpy as np

from nctheory.solvers.certified.bookkeeping import _STALL_ITERATIONS

__all__ = ["certified_status", "budget_status", "iteration_record"]

_EPS = np.finfo(np.float64).eps


def certified_status(*, objective: float, lower: float, lower_magnitude: float, raw_gap: float, rel_gap: float,
                     tol: float, floor: float, reason: str, size: int, max_iter: int, time_limit, rank: int,
                     d: int | None, below_floor: str, lost_accuracy: str, relaxation: str) -> tuple[str, str]:
    """``(status, message)`` of a certified solve (module doc).

    ``below_floor`` and ``lost_accuracy`` are templates with the fields ``tol``, ``floor``, ``rel_gap``,
    ``reason``, ``rank``; ``relaxation`` (appended when the rank exceeds d) has ``rank`` and ``d``.
    """
    fields = {"tol": tol, "floor": floor, "rel_gap": rel_gap, "reason": reason, "rank": rank}
    if raw_gap < -64.0 * size * _EPS * max(abs(objective), lower_magnitude):
        status, message = "failed", f"inconsistent certificate: lower bound {lower!r} exceeds the objective {objective!r}"
    elif tol < floor:
        status, message = "inaccurate", below_floor.format(**fields)
    elif rel_gap <= tol:
        status, message = "optimal", f"certified: relative duality gap {rel_gap:.3e} <= tol {tol:.3e}"
        if raw_gap < 0:
            message += " (the bound exceeds the objective by rounding only)"
    elif (budget := budget_status(reason, rel_gap, tol, max_iter, time_limit)) is not None:
        status, message = budget
    elif reason == "stalled":
        status = "inaccurate"
        message = (f"progress stalled (certified gap improved < 1% over {_STALL_ITERATIONS} APG iterations, typically "
                   f"the rounding floor); relative gap {rel_gap:.3e} > tol {tol:.3e}")
    else:  # converged in the loop, but the returned point (numerical rank applied) lost accuracy
        status, message = "inaccurate", lost_accuracy.format(**fields)
    rank_exceeds_d = d is not None and rank > d
    if rank_exceeds_d and status == "optimal":
        status = "relaxation"  # certified for R2, but R2 is not exact at this d: not an answer for the model
    if rank_exceeds_d:
        message += relaxation.format(rank=rank, d=d)
    return status, message


def budget_status(reason: str, rel_gap: float, tol: float, max_iter: int, time_limit) -> tuple[str, str] | None:
    """``(status, message)`` of a solve that stopped on its budget before reaching tol (``"max_iter"``, or
    ``"inaccurate"`` at the time limit); None for any other stop reason.  Shared with the reference solvers."""
    if reason == "max_iter":
        return "max_iter", f"iteration budget {max_iter} spent at relative gap {rel_gap:.3e} > tol {tol:.3e}"
    if reason == "time_limit":
        return "inaccurate", f"time limit {time_limit} s reached at relative gap {rel_gap:.3e} > tol {tol:.3e}"
    return None


def iteration_record(counts: dict, best, smooth, zero_ratio: float) -> dict:
    """The ``extra`` entries both certified solvers report about their iterations and certificates (in this order:
    phase iterations, certificates, bias Newton steps, gradient-norm ratios, the dual candidate taken)."""
    return {
        "iterations_factored": counts["factored"],
        "iterations_apg": counts["apg"],
        "certificates": best.certificates,
        "bias_newton_steps": smooth.bias_newton_steps,
        "grad_norm_ratio": best.grad_norm_ratio,
        "zero_grad_norm_ratio": zero_ratio,
        "dual_candidate": best.candidate,
    }
