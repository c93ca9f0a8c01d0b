r"""Per-class self-duality angles between each classifier row and its centred class mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.geometry.cosines import ZERO_TOL, paired_cosines
from nctheory.metrics.means import _center, center_name
from nctheory.metrics.validation import _check_pair, _check_unit


@dataclass(frozen=True)
class SelfDualityAngles:
    r"""Per-class angle between :math:`w_k` and its (centred) class mean :math:`\bar h_k - h_G`.

    Attributes
    ----------
    angles : ndarray, shape (K,)
        In ``unit`` (degrees in [0, 180] by default, radians in [0, π]); NaN exactly where
        ``defined`` is False.
    cosines : ndarray, shape (K,)
        :math:`\cos\angle(w_k, \bar h_k - h_G)`; NaN exactly where ``defined`` is False.
    defined : ndarray of bool, shape (K,)
        False where :math:`w_k` or the (centred) mean is zero (see ``zero_tol``).
    zero_w, zero_h : tuple of int
        Classes whose classifier / class mean counts as zero.
    zero_tol : float
        :math:`w_k` is zero when :math:`\|w_k\| \le \text{zero\_tol}\cdot\max_j\|w_j\|`;
        the means likewise among themselves.
    unit : str
        ``"deg"`` or ``"rad"``.
    center : str
        What was subtracted from the means (``"global"``, ``"class"``, ``"none"`` or ``"vector"``).
    """

    angles: np.ndarray
    cosines: np.ndarray
    defined: np.ndarray
    zero_w: tuple
    zero_h: tuple
    zero_tol: float
    unit: str = "deg"
    center: str = "global"

    @property
    def all_defined(self) -> bool:
        return bool(np.all(self.defined))

    def require(self) -> np.ndarray:
        """``angles`` if all are defined, else a ValueError naming the zero vectors."""
        if not self.all_defined:
            raise ValueError(
                f"angles: undefined for zero classifiers {list(self.zero_w)} / zero class means {list(self.zero_h)}"
            )
        return self.angles


def self_duality_angles(W, H_mean, zero_tol: float = ZERO_TOL, *, center="global", counts=None,
                        unit: str = "deg") -> SelfDualityAngles:
    r"""Per-class self-duality angles (AllNC's per-class view of NC3):

    .. math::

        \angle(w_k, \bar h_k - h_G) = \arccos\frac{\langle w_k, \bar h_k - h_G\rangle}
                                               {\|w_k\|\,\|\bar h_k - h_G\|} .

    Undefined (and flagged) where either vector is zero.  ``center``/``counts`` as in
    :func:`~nctheory.metrics.centered_means` (``center="none"``: the raw means, the UFM convention); ``unit``
    ``"deg"`` (default) or ``"rad"``.  The arccos near 0° turns a rounding error ε of the cosine
    into :math:`\sqrt{2\varepsilon}` (~1e-6°), so angles below that are not resolved.
    """
    unit = _check_unit(unit)
    W, M = _check_pair(W, H_mean)
    M = _center(M, center, counts)
    c = paired_cosines(W, M.T, zero_tol=zero_tol)
    angles = np.full(c.values.shape, np.nan)
    rad = np.arccos(c.values[c.defined])
    angles[c.defined] = np.degrees(rad) if unit == "deg" else rad
    return SelfDualityAngles(
        angles=angles,
        cosines=c.values,
        defined=c.defined,
        zero_w=c.zero[0],
        zero_h=c.zero[1],
        zero_tol=c.zero_tol,
        unit=unit,
        center=center_name(center),
    )
