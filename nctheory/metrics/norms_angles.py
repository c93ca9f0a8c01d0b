r"""NC2 through norms and angles: equinorm, equiangularity and the distance from the ETF's angle."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.cosines import ZERO_TOL, cosine_matrix
from nctheory.metrics.validation import _vectors


def equinorm(X, axis: str = "rows", name: str = "X") -> float:
    r"""Equinorm (NC2, Papyan et al. 2020 Fig. 2): coefficient of variation of the vector norms,

    .. math::

        \frac{\operatorname{std}_k\|v_k\|}{\operatorname{mean}_k\|v_k\|}\qquad
        (\text{population std, } \tfrac1K\text{ normalisation}).

    Apply it to W (``axis="rows"``) and to the centred means (``axis="cols"``,
    :func:`~nctheory.metrics.centered_means`).  0 iff all norms are equal.

    Raises
    ------
    ValueError
        ``name`` when every vector is zero.
    """
    V = _vectors(X, axis, name)
    nrm = np.linalg.norm(V, axis=1)
    mean = float(np.mean(nrm))
    if mean == 0.0:
        raise ValueError(f"{name}: every vector is zero; the equinorm ratio is undefined")
    return float(np.std(nrm) / mean)


def _pair_cosines(V: np.ndarray, name: str, zero_tol: float) -> np.ndarray:
    c = cosine_matrix(V, "rows", zero_tol=zero_tol)
    if not c.all_defined:
        raise ValueError(f"{name}: vectors {list(c.zero[0])} are zero; their cosines are undefined")
    return c.values[np.triu_indices(V.shape[0], k=1)]


def equiangularity(X, axis: str = "rows", name: str = "X", zero_tol: float = ZERO_TOL) -> float:
    r"""Equiangularity (NC2, Papyan et al. 2020 Fig. 3): :math:`\operatorname{std}_{j<k}\cos\angle(v_j, v_k)`.

    0 iff all pairs meet at the same angle (a simplex ETF, an orthogonal frame, or any equiangular
    set).  Population std over the :math:`K(K-1)/2` pairs.

    Raises
    ------
    ValueError
        ``name`` when a vector is zero (within ``zero_tol`` of the largest norm): its angles are
        undefined.
    """
    return float(np.std(_pair_cosines(_vectors(X, axis, name), name, zero_tol)))


def etf_angle_deviation(X, axis: str = "rows", name: str = "X", zero_tol: float = ZERO_TOL) -> float:
    r"""Distance of the angles from the simplex ETF's (NC2, Papyan et al. 2020 Fig. 4):

    .. math::

        \operatorname{mean}_{j<k}\Big|\cos\angle(v_j, v_k) + \frac1{K-1}\Big| .

    0 iff every pair has the ETF's cosine :math:`-1/(K-1)` (the largest equal angle K vectors can
    have).  Raises like :func:`equiangularity`.
    """
    V = _vectors(X, axis, name)
    return float(np.mean(np.abs(_pair_cosines(V, name, zero_tol) + 1.0 / (V.shape[0] - 1))))
