r"""Class-dropping refinement: try switching classes off, keep what lowers the objective.

For deep linear models (:math:`M \ge 2`) every class has a local minimum at zero, and a class
can also have a *nonzero* local minimum that is worse than zero (catalogue §3: the window
threshold :math:`\le \beta_k \le` peak of the root equation, where the largest root exists but the
class is zero at the global minimum).  Random starts of ordinary scale land in the nonzero
basin, so restarts alone miss the global minimum there.  ReLU features have the same
on/off structure (a class is either alive or collapsed, catalogue §4).

Greedy refinement from the best restart :math:`x`: for every class k whose mean is nonzero,
set its features (:math:`\bar h_k = 0`, or all :math:`h_{k,i} = 0` on samples) and its row of
the last classifier layer to zero, and re-solve locally from there; if the best of these
trial solves lowers the objective by more than :math:`10^{-10}|f|` (far above rounding), adopt
it and repeat with the remaining nonzero classes.  Each adopted step strictly decreases
:math:`f` and removes a class, so the loop ends after at most K rounds.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nctheory.solvers.factored.assemble import class_mean_norms
from nctheory.solvers.factored.local_result import LocalResult
from nctheory.solvers.factored.objective import FactoredObjective

#: Relative decrease of the objective needed to adopt a trial solve.
ADOPT_RTOL = 1e-10


def switch_off_class(objective: FactoredObjective, x: np.ndarray, k: int) -> np.ndarray:
    """Copy of ``x`` with class ``k``'s feature columns and row k of the last layer :math:`W_M` set to zero.

    Both are needed: with only :math:`\bar h_k = 0` the remaining weight :math:`w^{(M)}_k` pulls the
    features straight back into the nonzero basin.
    """
    y = x.copy()
    parts = objective.layout.split(y)
    parts["H"][:, objective.labels == k] = 0.0
    if objective.learned:
        parts[objective.layer_names[-1]][k, :] = 0.0
    return y


def drop_classes(objective: FactoredObjective, start: LocalResult, local: Callable[[np.ndarray], LocalResult],
                 *, nonzero_rel: float = 1e-4) -> tuple[LocalResult, list[dict]]:
    """Greedy class-dropping refinement of ``start`` (module doc).

    Parameters
    ----------
    objective : FactoredObjective
    start : LocalResult
        The best restart.
    local : callable
        ``x0 -> LocalResult``, the local solver (same options as the restarts).
    nonzero_rel : float
        A class is a candidate when :math:`\\|\\bar h_k\\| > ` ``nonzero_rel`` times the largest mean norm.

    Returns
    -------
    result : LocalResult
        ``start`` or the last adopted trial.
    log : list of dict
        One entry per trial: ``round``, ``class``, ``objective_before``, ``objective_after``,
        ``converged``, ``iterations``, ``adopted``.
    """
    current = start
    log: list[dict] = []
    for rnd in range(objective.K):
        norms = class_mean_norms(objective, current.x)
        scale = float(norms.max())
        if scale <= 0.0:
            break
        best_trial, best_entry = None, None
        for k in np.flatnonzero(norms > nonzero_rel * scale):
            trial = local(switch_off_class(objective, current.x, int(k)))
            entry = {"round": rnd, "class": int(k), "objective_before": current.fun, "objective_after": trial.fun,
                     "converged": trial.converged, "iterations": trial.nit, "adopted": False}
            log.append(entry)
            if np.isfinite(trial.fun) and (best_trial is None or trial.fun < best_trial.fun):
                best_trial, best_entry = trial, entry
        if best_trial is None or not best_trial.fun < current.fun - ADOPT_RTOL * abs(current.fun):
            break
        best_entry["adopted"] = True
        current = best_trial
    return current, log
