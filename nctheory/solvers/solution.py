r"""The common result type of every solver.

Field names follow ``scipy.optimize.OptimizeResult`` where they overlap
(``fun`` ~ ``objective``, ``nit`` ~ ``iterations``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Statuses a solver may report.  Only ``"optimal"`` may be used as an answer.  ``"relaxation"``: the
#: certified optimum of a convex relaxation that is not exact for this instance (e.g. the class-mean
#: reduction R2 when the feature dimension d is below the rank of its solution) — a valid lower bound,
#: not a solution of the model.
STATUSES = ("optimal", "inaccurate", "max_iter", "failed", "infeasible", "local", "relaxation")


@dataclass(frozen=True)
class Solution:
    r"""A solved model instance.

    Attributes
    ----------
    W : ndarray, shape (K, d)
        Classifier (rows :math:`w_k`); for deep models the product :math:`W_M\cdots W_1`.
    H_mean : ndarray, shape (d, K)
        Class means :math:`\bar h_k` as columns.
    b : ndarray, shape (K,)
        Bias (zeros when the model has none).
    logits_mean : ndarray, shape (K, K)
        :math:`\bar Z = W\bar H + b 1^\top`; column k is class k's mean logit.
    objective : float
        Objective value in the canonical convention (``nctheory.problem``).
    lower_bound : float or None
        A certified lower bound on the global optimum (``None`` if no certificate).
    gap : float or None
        ``objective - lower_bound`` (absolute), ``None`` without certificate.
    status : str
        One of :data:`STATUSES`.  Anything but ``"optimal"`` is not an answer.
    iterations : int
    time_s : float
    method : str
        ``"certified"``, ``"convex:<formulation>/<solver>"``, ``"factored"``, ...
    message : str
        Human-readable stopping reason.
    H : ndarray or None
        Full features ``(d, N)`` when the solver produced them.
    extra : dict
        Method-specific details (restarts, singular values, solver stats).
    """

    W: np.ndarray
    H_mean: np.ndarray
    b: np.ndarray
    logits_mean: np.ndarray
    objective: float
    lower_bound: float | None
    gap: float | None
    status: str
    iterations: int
    time_s: float
    method: str
    message: str = ""
    H: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        """True when the status is optimal and a lower bound certifies the objective."""
        return self.status == "optimal" and self.lower_bound is not None and self.gap is not None

    @property
    def rel_gap(self) -> float | None:
        r"""Relative gap :math:`(f - \mathrm{lb}) / \max(1, |f|)`."""
        if self.gap is None:
            return None
        return float(self.gap) / max(1.0, abs(float(self.objective)))

    @property
    def success(self) -> bool:
        return self.status == "optimal"

    def to_json(self) -> dict:
        """The CLI contract's JSON keys (DESIGN.md)."""

        def arr(x):
            return None if x is None else np.asarray(x, dtype=float).tolist()

        return {
            "objective": float(self.objective),
            "lower_bound": None if self.lower_bound is None else float(self.lower_bound),
            "gap": None if self.gap is None else float(self.gap),
            "certified": self.certified,
            "status": self.status,
            "W": arr(self.W),
            "H_mean": arr(self.H_mean),
            "b": arr(self.b),
            "logits_mean": arr(self.logits_mean),
            "method": self.method,
            "time_s": float(self.time_s),
            "iterations": int(self.iterations),
            "message": self.message,
        }
