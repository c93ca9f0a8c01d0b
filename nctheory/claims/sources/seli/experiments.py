r"""The SELI check that runs solvers: distances to SELI along a decreasing-λ sequence (``seli/regularization-path``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.claims.sources.seli.accuracy import PATH_NOISE
from nctheory.claims.sources.seli.distance import seli_distances
from nctheory.model import Problem


@dataclass(frozen=True)
class PathCheck:
    """Distances to SELI along a decreasing-λ sequence (see :func:`regularization_path`).

    Attributes
    ----------
    lambdas : ndarray
        The λ = √(λ_Wλ_H) values, decreasing.
    distances : ndarray, shape (len(lambdas), 3)
        Normalised-Gram distances of WWᵀ, H̄ᵀH̄, WH̄ to SELI (:func:`~.distance.seli_distances`).
    monotone : bool
        No distance increases by more than ``noise`` from one λ to the next.
    decreased : bool
        The last distances are below the first ones (or the first are already at noise level).
    certified : bool
        Every solve was certified (status "optimal").
    ok : bool
        ``monotone and decreased and certified``.
    message : str
    """

    lambdas: np.ndarray
    distances: np.ndarray
    monotone: bool
    decreased: bool
    certified: bool
    ok: bool
    message: str


def regularization_path(problem: Problem, lambdas=(1e-2, 1e-3, 1e-4, 1e-5), *, method: str = "certified",
                        noise: float = PATH_NOISE, **solver_options) -> PathCheck:
    r"""Solve the ridge-CE UFM along ``lambdas`` (λ_W/λ_H ratio of ``problem`` kept) and measure the distance to SELI.

    The claim: the distances decrease as λ → 0 (convergence in direction, ~1/log(1/λ)).
    """
    from nctheory.solvers import solve

    lam = np.asarray(lambdas, dtype=np.float64)
    if lam.ndim != 1 or lam.size < 2 or not np.all(lam > 0) or not np.all(np.diff(lam) < 0):
        raise ValueError("lambdas: need at least two positive values in decreasing order")
    if not noise >= 0:
        raise ValueError(f"noise: must be >= 0, got {noise!r}")
    ratio = math.sqrt(problem.lambda_h / problem.lambda_w)
    dist = np.empty((lam.size, 3))
    certified = True
    for i, l in enumerate(lam):
        p = problem.with_(lambda_w=l / ratio, lambda_h=l * ratio)
        sol = solve(p, method=method, **solver_options)
        certified &= sol.status == "optimal"
        dist[i] = seli_distances(p, sol)
    finite = np.all(np.isfinite(dist))
    monotone = bool(finite and np.all(np.diff(dist, axis=0) <= noise))
    decreased = bool(finite and np.all((dist[-1] < dist[0]) | (dist[0] <= noise)))
    ok = monotone and decreased and certified
    msg = ("distances to SELI (W, H, WH) per λ: "
           + "; ".join(f"{l:.1e}: {d[0]:.4f}/{d[1]:.4f}/{d[2]:.4f}" for l, d in zip(lam, dist)))
    if not certified:
        msg += " (some solve was not certified)"
    return PathCheck(lam, dist, monotone, decreased, bool(certified), ok, msg)
