r"""The state an onset predicate reads off a solve: a dimensionless measure against two thresholds.

Every onset of the catalogue (a zero class, a zero minimiser, a collapsed minority) is decided from one number
:math:`m \ge 0` computed on the solution: the onset state holds if :math:`m \le` ``zero_tol``, fails if
:math:`m \ge` ``nonzero_tol``, and is undecided in between (:func:`nctheory.explore.onsets.decide.threshold_state`).
:func:`measured_state` builds the ``state_of(problem, solution) -> (state, measure, reason)`` callable of
:class:`~nctheory.explore.onsets.spec.OnsetSpec` from the measure alone, so each source states only what it measures.
"""

from __future__ import annotations

from typing import Callable

from nctheory.explore.onsets import decide as dc


def measured_state(measure: Callable, label: str, *, zero_tol: float = dc.ZERO_TOL,
                   nonzero_tol: float = dc.NONZERO_TOL) -> Callable:
    r"""``state_of(problem, sol) -> (state, m, reason)`` for the measure :math:`m` = ``measure(problem, sol)``.

    Parameters
    ----------
    measure : callable(Problem, Solution) -> float
        The dimensionless measure, 0 exactly in the onset state.
    label : str
        Format string with one ``{}`` slot for :math:`m` (e.g. ``"max |centred mean logit| {:.2e}"``): the start
        of the reason, which then says which threshold decided (``<= 1e-12``, ``>= 1e-09``) or that :math:`m` lies
        between the thresholds.
    zero_tol, nonzero_tol : float
        :math:`m \le` ``zero_tol``: state True; :math:`m \ge` ``nonzero_tol``: False; else None (undecided).
    """

    def state_of(problem, sol):
        m = float(measure(problem, sol))
        state = dc.threshold_state(m, zero_tol=zero_tol, nonzero_tol=nonzero_tol)
        reason = (label.format(m) + " " +
                  ("between the thresholds" if state is None else
                   f"{'<=' if state else '>='} {zero_tol if state else nonzero_tol:.0e}"))
        return state, m, reason

    return state_of
