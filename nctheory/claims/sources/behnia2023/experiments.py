r"""The Behnia et al. checks that run solvers along λ → 0: the regularised VS-UFM approaches its CS-SVM.

:func:`limit_path` solves the ridge VS-UFM (certified solver, reduction R2) along a decreasing λ sequence at the
problem's λ_H/λ_W ratio, and measures the normalised Gram distances
:math:`\|G/\|G\|_F - T/\|T\|_F\|_F` of :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` to the targets T of the
certified CS-SVM solve (``convex:cs-svm``) -- or to a closed-form target (the symmetric geometry of
``behnia2023/symmetric-gamma``).  The claim holds along the sequence when no distance rises by more than
:data:`PATH_NOISE` from one λ to the next and the last distances are below the first.  The convergence is slow
(~1/log(1/λ), as for SELI): a decrease, not a small final distance, is what a finite sequence can show.

For the CS-SVM limit the path also records the distances to SELI (the plain-CE limit) at the last λ: where the
VS parameters change the CS-SVM, the path must end closer to the CS-SVM than to SELI (``distinguished``); where
they do not (the CS-SVM *is* SELI, distance below :data:`PATH_NOISE`), that test is vacuous and not required.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.claims.lambda_path import decreasing_lambdas, solve_along
from nctheory.claims.sources.behnia2023.accuracy import PATH_NOISE
from nctheory.geometry import gram_distance, seli_grams
from nctheory.model import Problem

#: The default λ sequence of the path checks (four certified solves of R2).
LAMBDAS = (1e-2, 1e-3, 1e-4, 1e-5)


@dataclass(frozen=True)
class LimitPath:
    """Distances of the regularised solutions to a λ → 0 target along a decreasing λ sequence.

    Attributes
    ----------
    lambdas : ndarray
    distances : ndarray, shape (len(lambdas), 3)
        To the target (W, H̄, WH̄).
    seli_distances : ndarray, shape (3,) or None
        To SELI at the last λ (CS-SVM targets only).
    target_to_seli : float or None
        Distance of the target's WWᵀ to SELI's (0: the VS parameters do not change the limit).
    monotone, decreased, distinguished, certified, ok : bool
    message : str
    """

    lambdas: np.ndarray
    distances: np.ndarray
    seli_distances: np.ndarray | None
    target_to_seli: float | None
    monotone: bool
    decreased: bool
    distinguished: bool
    certified: bool
    ok: bool
    message: str


def _grams(sol) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W, H = np.asarray(sol.W, dtype=np.float64), np.asarray(sol.H_mean, dtype=np.float64)
    return W @ W.T, H.T @ H, W @ H


def _dist(grams, targets) -> np.ndarray:
    return np.array([gram_distance(G, T, ("solution", "target")) if np.any(G) else np.nan
                     for G, T in zip(grams, targets)])


def cs_svm_targets(problem: Problem) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], bool]:
    """``((WW, HH, WH), certified)`` of the CS-SVM of the problem's sizes and loss (``convex:cs-svm``)."""
    from nctheory.solvers.convex.cs_svm import cs_svm_parameters, solve_cs_svm

    delta, margins = cs_svm_parameters(problem)
    sol = solve_cs_svm(problem.sizes, delta, margins)
    return _grams(sol), bool(sol.certified)


def limit_path(problem: Problem, lambdas=LAMBDAS, *, targets=None, noise: float = PATH_NOISE,
               tol: float = 1e-12) -> LimitPath:
    r"""Certified VS-UFM solves along ``lambdas`` and their distances to ``targets`` (module doc).

    ``targets``: a triple (WW, HH, WH) of K × K matrices, or None for the problem's CS-SVM (then the SELI
    comparison is made too).  ``tol``: the certified solver's relative gap.
    """
    lam = decreasing_lambdas(lambdas)
    if not noise >= 0:
        raise ValueError(f"noise: must be >= 0, got {noise!r}")
    certified = True
    with_seli = targets is None
    if targets is None:
        targets, certified = cs_svm_targets(problem)
    dist, path_certified, last = solve_along(problem, lam, lambda p, sol: _dist(_grams(sol), targets), tol=tol)
    certified = certified and path_certified
    last = _grams(last)
    finite = bool(np.all(np.isfinite(dist)))
    monotone = bool(finite and np.all(np.diff(dist, axis=0) <= noise))
    decreased = bool(finite and np.all((dist[-1] < dist[0]) | (dist[0] <= noise)))
    seli_d, target_seli, distinguished = None, None, True
    if with_seli:
        T = seli_grams(problem.sizes)
        seli_d = _dist(last, (T["WW"], T["HH"], T["WH"]))
        target_seli = float(gram_distance(targets[0], T["WW"], ("CS-SVM", "SELI")))
        if target_seli > noise:
            distinguished = bool(np.all(dist[-1] < seli_d))
    ok = monotone and decreased and distinguished and certified
    msg = ("distances to the λ → 0 target (W, H, WH) per λ: "
           + "; ".join(f"{l:.1e}: {d[0]:.4f}/{d[1]:.4f}/{d[2]:.4f}" for l, d in zip(lam, dist)))
    if with_seli:
        msg += (f"; to SELI at λ = {lam[-1]:.1e}: {seli_d[0]:.4f}/{seli_d[1]:.4f}/{seli_d[2]:.4f} (CS-SVM vs SELI "
                f"W distance {target_seli:.4f})")
    if not certified:
        msg += " (some solve was not certified)"
    return LimitPath(lam, dist, seli_d, target_seli, monotone, decreased, distinguished, bool(certified), ok, msg)


__all__ = ["LAMBDAS", "LimitPath", "cs_svm_targets", "limit_path"]
