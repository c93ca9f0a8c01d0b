r"""The LPM Gram SDP with real class weights (catalogue §6 R4): an unreduced reference for real ratios R.

``Problem`` instances are verified through the registry's ``convex:lpm``
(:func:`nctheory.solvers.convex.solve_lpm_sdp`); this formulation takes arbitrary positive weights
:math:`\pi_k` (they need not come from integer sizes) and also returns the budget multiplier, so the onset can
be located on a continuous R (:mod:`~nctheory.claims.sources.fang.experiments`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LpmGram:
    r"""An SDP solve of the LPM for given class weights.

    Attributes
    ----------
    X : ndarray, shape (2K, 2K)
        Gram of :math:`[\bar H\ W^\top]`: rows/columns 0..K-1 are the class means, K..2K-1 the classifiers.
    objective : float
    mu : float
        The budget multiplier :math:`\mu = -\partial f/\partial\rho` recovered from the duals
        :math:`\nu_H, \nu_W` of the two trace constraints: :math:`\mu = \nu_H\sqrt{E_H/E_W} + \nu_W\sqrt{E_W/E_H}`
        (each term alone equals μ/2 at an exact optimum, as :math:`f` depends on :math:`\rho = K\sqrt{E_WE_H}` only).
    status : str
        ``"optimal"``, ``"inaccurate"`` or ``"failed"``.
    tol : float
        Clarabel gap/feasibility tolerance used.
    """

    X: np.ndarray
    objective: float
    mu: float
    status: str
    tol: float

    @property
    def K(self) -> int:
        return self.X.shape[0] // 2

    @property
    def gram_WW(self) -> np.ndarray:
        return self.X[self.K:, self.K:]

    @property
    def gram_HH(self) -> np.ndarray:
        return self.X[:self.K, :self.K]

    @property
    def logits(self) -> np.ndarray:
        """:math:`W\bar H` (column k = class k's logits)."""
        return self.X[self.K:, :self.K]


def lpm_sdp_weights(weights, e_w: float, e_h: float, *, tol: float = 1e-11, **clarabel_options) -> LpmGram:
    r"""Gram SDP of the LPM (catalogue §6) with real class weights :math:`\pi_k` (they need not come from integers).

    .. math::

        \min_{X\succeq 0} \sum_k \pi_k\Big(\operatorname{logsumexp}_j X_{K+j,k} - X_{K+k,k}\Big)
        \ \text{s.t.}\ \operatorname{tr}X_{HH} \le KE_H,\ \operatorname{tr}X_{WW}\le KE_W .

    Clarabel with gap and feasibility tolerances ``tol`` (further Clarabel settings via ``clarabel_options``,
    e.g. ``equilibrate_enable=False``); the status is ``"optimal"`` only if cvxpy reports
    optimal (``"optimal_inaccurate"`` becomes ``"inaccurate"``).  This is an internal reference for real-valued
    ratios R; Problem instances are verified with ``nctheory.solvers.convex.solve_lpm_sdp``.
    """
    import cvxpy as cp

    pi = np.asarray(weights, dtype=float)
    if pi.ndim != 1 or pi.size < 2 or np.any(pi <= 0) or not np.all(np.isfinite(pi)):
        raise ValueError(f"weights: need >= 2 positive finite class weights, got {weights!r}")
    for name, v in (("e_w", e_w), ("e_h", e_h)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: must be > 0, got {v!r}")
    pi = pi / pi.sum()
    K = pi.size
    X = cp.Variable((2 * K, 2 * K), PSD=True)
    terms = [pi[k] * (cp.log_sum_exp(X[K:, k]) - X[K + k, k]) for k in range(K)]
    cons = [cp.trace(X[:K, :K]) <= K * e_h, cp.trace(X[K:, K:]) <= K * e_w]
    prob = cp.Problem(cp.Minimize(cp.sum(cp.hstack(terms))), cons)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "may be inaccurate": reported through the status
            prob.solve(solver="CLARABEL", tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol, max_iter=500,
                       **clarabel_options)
        status = {"optimal": "optimal", "optimal_inaccurate": "inaccurate"}.get(prob.status, "failed")
    except cp.error.SolverError:
        status = "failed"
    if X.value is None:
        return LpmGram(np.zeros((2 * K, 2 * K)), float("nan"), float("nan"), "failed", tol)
    nu_h, nu_w = (float(c.dual_value) for c in cons)
    mu = nu_h * math.sqrt(e_h / e_w) + nu_w * math.sqrt(e_w / e_h)
    return LpmGram(0.5 * (X.value + X.value.T), float(prob.value), mu, status, tol)
