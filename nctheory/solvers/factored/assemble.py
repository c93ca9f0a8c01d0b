"""Turn a flat point of a :class:`FactoredObjective` into a :class:`Solution`."""

from __future__ import annotations

import numpy as np

from nctheory.solvers.factored.objective import FactoredObjective
from nctheory.solvers.result import Solution


def class_mean_norms(objective: FactoredObjective, x: np.ndarray) -> np.ndarray:
    """:math:`\\|\\bar h_k\\|` for every class."""
    return np.linalg.norm(objective.class_means(objective.layout.split(x)), axis=0)


def build_solution(objective: FactoredObjective, x: np.ndarray, *, status: str, iterations: int,
                   time_s: float, message: str, extra: dict) -> Solution:
    r"""Solution with :math:`W = P = W_M\cdots W_1`, class means, bias and mean logits
    :math:`\bar Z = P\bar H + b\mathbf 1^\top`; the objective is re-evaluated at ``x``."""
    parts = objective.layout.split(x)
    P = objective.product(parts)
    Hbar = objective.class_means(parts)
    b = objective.bias(parts)
    value, _ = objective.value_and_grad(x)
    extra = dict(extra)
    if objective.learned and objective.M > 1:
        extra["layers"] = [parts[name].copy() for name in objective.layer_names]
    if objective.relu or objective.constrained:
        violation = objective.feasibility_violation(x)
        extra["feasibility"] = violation
        extra["feasibility_violation"] = max(violation.values()) if violation else 0.0
    return Solution(
        W=P,
        H_mean=Hbar,
        b=b,
        logits_mean=P @ Hbar + b[:, None],
        objective=float(value),
        lower_bound=None,
        gap=None,
        status=status,
        iterations=int(iterations),
        time_s=float(time_s),
        method="factored",
        message=message,
        H=parts["H"].copy() if objective.on == "samples" else None,
        extra=extra,
    )
