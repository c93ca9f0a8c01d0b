r"""The SELI check that runs solvers: distances to SELI along a decreasing-λ sequence (``seli/regularization-path``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.claims.lambda_path import decreasing_lambdas, solve_along
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
        No distance increases by more than ``noise`` from one λ to the next (from the first nonzero solution on).
    decreased : bool
        The last distances are below the first ones (or the first are already at noise level).
    certified : bool
        Every solve was certified (status "optimal").
    ok : bool
        ``monotone and decreased and certified``.
    message : str
    undecided : bool
        Some solution along the path is zero (W = H = 0: no direction, distance NaN), so the sequence says nothing
        about the claim; the verifier reports it as undecided, never as a refutation.
    """

    lambdas: np.ndarray
    distances: np.ndarray
    monotone: bool
    decreased: bool
    certified: bool
    ok: bool
    message: str
    undecided: bool = False


#: The default path, as multiples of the instance's λ = √(λ_Wλ_H): two decades above it to one below (for the
#: default instance λ = 1e-4 this is 1e-2, 1e-3, 1e-4, 1e-5).
PATH_FACTORS = (100.0, 10.0, 1.0, 0.1)


def regularization_path(problem: Problem, lambdas=None, *, method: str = "certified",
                        noise: float = PATH_NOISE, **solver_options) -> PathCheck:
    r"""Solve the ridge-CE UFM along ``lambdas`` (λ_W/λ_H ratio of ``problem`` kept) and measure the distance to SELI.

    ``lambdas`` defaults to :data:`PATH_FACTORS` times the instance's λ = √(λ_Wλ_H).

    The claim: the distances decrease as λ → 0 (convergence in direction, ~1/log(1/λ)).  ``method`` gets its grouped
    variant where that applies (:func:`~nctheory.solvers.registry.preferred_method`), so the path runs at K = 10⁵.
    """
    if lambdas is None:
        lambdas = [f * problem.lam for f in PATH_FACTORS]
    lam = decreasing_lambdas(lambdas)
    if not noise >= 0:
        raise ValueError(f"noise: must be >= 0, got {noise!r}")
    dist, certified, _ = solve_along(problem, lam, seli_distances, method=method, grouped=True, **solver_options)
    # zero solutions (W = H = 0 at the larger λ, above the zero threshold) have no direction: the claim is about
    # λ → 0, so the path is judged from the first nonzero solution on, if at least two remain
    rows = np.all(np.isfinite(dist), axis=1)
    start = int(np.argmax(rows)) if rows.any() else lam.size
    finite = bool(lam.size - start >= 2 and rows[start:].all())
    judged = dist[start:]
    monotone = bool(finite and np.all(np.diff(judged, axis=0) <= noise))
    decreased = bool(finite and np.all((judged[-1] < judged[0]) | (judged[0] <= noise)))
    ok = monotone and decreased and certified
    msg = ("distances to SELI (W, H, WH) per λ: "
           + "; ".join(f"{l:.1e}: {d[0]:.4f}/{d[1]:.4f}/{d[2]:.4f}" for l, d in zip(lam, dist)))
    if not certified:
        msg += " (some solve was not certified)"
    if finite and start:
        msg += f" (judged from λ = {lam[start]:.1e} on: the solutions above are zero, with no direction)"
    if not finite:
        msg += (" (fewer than two nonzero solutions, or a zero one below a nonzero one: a zero solution has no "
                "direction; choose smaller λ, below the zero threshold, to test the claim)")
    return PathCheck(lam, dist, monotone, decreased, bool(certified), ok, msg, undecided=not finite)
