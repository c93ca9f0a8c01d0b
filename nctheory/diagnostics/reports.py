"""The all-around NC report of a classifier/feature pair and its per-cluster parts, as data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClusterReport:
    r"""Diagnostics of one cluster of classes.

    Attributes
    ----------
    classes : tuple of int
        Class indices of the cluster.
    classifier_spread, mean_spread : float or None
        :math:`\max_{j,k}\|w_j - w_k\|` and :math:`\max_{j,k}\|\bar h_j - \bar h_k\|` over the
        cluster; ``None`` for a one-class cluster (no pair).
    classifier_squeeze, mean_squeeze : float or None
        The spreads divided by the mean norm of the cluster's vectors (0.0 when the cluster's
        vectors are all exactly zero: collapsed exactly); for the means, the norms of the centred
        means :math:`\|\bar h_k - h_G\|`.  A simplex ETF of K vectors has relative spread
        :math:`\sqrt{2K/(K-1)}`; exact minority collapse gives 0.
    self_duality_angle : float or None
        Largest :math:`\angle(w_k, \bar h_k - h_G)` (in the report's ``angle_unit``) over the
        classes where it is defined; ``None`` if it is defined for none of them.
    undefined_angles : tuple of int
        Classes of the cluster whose angle is undefined (zero :math:`w_k` or :math:`\bar h_k`).
    """

    classes: tuple
    classifier_spread: float | None
    mean_spread: float | None
    classifier_squeeze: float | None
    mean_squeeze: float | None
    self_duality_angle: float | None
    undefined_angles: tuple

    def to_dict(self) -> dict:
        return {
            "classes": list(self.classes),
            "classifier_spread": self.classifier_spread,
            "mean_spread": self.mean_spread,
            "classifier_squeeze": self.classifier_squeeze,
            "mean_squeeze": self.mean_squeeze,
            "self_duality_angle": self.self_duality_angle,
            "undefined_angles": list(self.undefined_angles),
        }


@dataclass(frozen=True)
class AllAround:
    r"""The all-around NC report of one classifier/feature pair (see :func:`~nctheory.diagnostics.all_around`).

    Attributes
    ----------
    K : int
    nc1 : float or None
        :math:`\operatorname{tr}(\Sigma_W\Sigma_B^+)/K` (:func:`nctheory.metrics.nc1`); ``None``
        when no samples were given or all class means coincide (then ``nc1_note`` says why).
    nc1_note : str
    w_norms, h_norms : ndarray, shape (K,)
        :math:`\|w_k\|` and :math:`\|\bar h_k - h_G\|` (raw :math:`\|\bar h_k\|` with ``center="none"``).
    self_duality_angle : tuple of (float or None)
        Per class, :math:`\angle(w_k, \bar h_k - h_G)` in ``angle_unit``; ``None`` where undefined.
    self_duality_cosine : tuple of (float or None)
        Per class, :math:`\cos\angle(w_k, \bar h_k - h_G)`; ``None`` where undefined.
    clusters : tuple of ClusterReport
    center : str
        How the means were centred (``"global"``, ``"class"``, ``"none"`` or ``"vector"``).
    angle_unit : str
        ``"deg"`` or ``"rad"``.
    """

    K: int
    nc1: float | None
    nc1_note: str
    w_norms: np.ndarray
    h_norms: np.ndarray
    self_duality_angle: tuple
    self_duality_cosine: tuple
    clusters: tuple
    center: str = "global"
    angle_unit: str = "deg"

    def to_dict(self) -> dict:
        """JSON-ready dictionary (undefined values are ``None``)."""
        return {
            "K": self.K,
            "nc1": self.nc1,
            "nc1_note": self.nc1_note,
            "w_norms": self.w_norms.tolist(),
            "h_norms": self.h_norms.tolist(),
            "self_duality_angle": list(self.self_duality_angle),
            "self_duality_cosine": list(self.self_duality_cosine),
            "clusters": [c.to_dict() for c in self.clusters],
            "center": self.center,
            "angle_unit": self.angle_unit,
        }

    def summary(self) -> str:
        """A short human-readable table."""

        def fmt(x):
            return "undef" if x is None else f"{x:.4g}"

        lines = [f"K = {self.K}   NC1 = {fmt(self.nc1)}" + (f"  ({self.nc1_note})" if self.nc1_note else "")]
        head = f"max angle ({self.angle_unit})"
        lines.append(f"{'cluster':<24} {'w squeeze':>10} {'h squeeze':>10} {head:>16}")
        for c in self.clusters:
            name = ",".join(map(str, c.classes))
            name = name if len(name) <= 24 else name[:21] + "..."
            lines.append(f"{name:<24} {fmt(c.classifier_squeeze):>10} {fmt(c.mean_squeeze):>10} "
                         f"{fmt(c.self_duality_angle):>16}")
        return "\n".join(lines)
