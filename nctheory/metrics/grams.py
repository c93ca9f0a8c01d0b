r"""NC2 and NC3 as Gram distances: classifier and class-mean Grams, and :math:`W\tilde H`, against a target."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.frames import etf_gram
from nctheory.geometry.grams import gram, gram_distance
from nctheory.geometry.validation import as_float_array
from nctheory.metrics.means import _center
from nctheory.metrics.validation import _check_means, _check_pair, _check_W


def _target(target, K: int) -> np.ndarray:
    if isinstance(target, str):
        if target == "etf":
            return etf_gram(K)
        if target == "orthogonal":
            return np.eye(K)
        raise ValueError(f"target: must be 'etf', 'orthogonal' or a K x K array, got {target!r}")
    T = as_float_array("target", target, ndim=2)
    if T.shape != (K, K):
        raise ValueError(f"target: expected shape {(K, K)}, got {T.shape}")
    return T


def nc2_w(W, target="etf") -> float:
    r"""NC2 of the classifier: :func:`~nctheory.geometry.gram_distance` of :math:`WW^\top` to ``target``.

    .. math::

        \Big\|\frac{WW^\top}{\|WW^\top\|_F} - \frac{T}{\|T\|_F}\Big\|_F,

    ``target`` T: ``"etf"`` (:math:`\tfrac{K}{K-1}S`, normalised :math:`S/\sqrt{K-1}` as in Papyan
    et al. and rhubarbwu's ``simplex_etf_error``), ``"orthogonal"`` (:math:`I_K`) or a K×K array
    (e.g. a claim's predicted Gram, ``seli_grams(sizes)["WW"]``).  The classifier rows are not
    centred (as in Papyan et al.).
    """
    W = _check_W(W)
    return gram_distance(gram(W, "rows"), _target(target, W.shape[0]), names=("W", "target"))


def nc2_h(H_mean, target="etf", center="global", counts=None) -> float:
    r"""NC2 of the class means: distance of :math:`\tilde H^\top\tilde H` to ``target`` (as :func:`nc2_w`).

    :math:`\tilde H = [\bar h_k - h_G]` are the means centred by the global mean
    (:func:`~nctheory.metrics.centered_means`; ``center="none"`` for the raw means, the UFM convention).  With the
    default target this is rhubarbwu's ``simplex_etf_error`` (Kothapalli 2023).
    """
    M = _center(_check_means(H_mean), center, counts)
    return gram_distance(gram(M, "cols"), _target(target, M.shape[1]), names=("H_mean", "target"))


def nc3(W, H_mean, target="etf", center="global", counts=None) -> float:
    r"""Distance of :math:`W\tilde H` (K×K; entry (j, k) is :math:`\langle w_j, \bar h_k - h_G\rangle`) to ``target``.

    .. math::

        \Big\|\frac{W\tilde H}{\|W\tilde H\|_F} - \frac{T}{\|T\|_F}\Big\|_F .

    With self-duality and an ETF, :math:`W\tilde H \propto S \propto` the ETF Gram, so the
    default target is ``"etf"``; this is rhubarbwu's ``self_duality_error``.  SELI predicts
    ``S`` itself (``seli_grams(...)["WH"]``), the same target after normalisation.
    ``center``/``counts`` as in :func:`nc2_h`.
    """
    W, M = _check_pair(W, H_mean)
    M = _center(M, center, counts)
    return gram_distance(W @ M, _target(target, W.shape[0]), names=("W @ H_mean", "target"))


def self_duality_distance(W, H_mean, center="global", counts=None) -> float:
    r"""NC3 self-duality (Papyan et al. 2020; nc-toolbox's ``nc3_self_duality``):

    .. math::

        \Big\|\frac{W}{\|W\|_F} - \frac{\tilde H^\top}{\|\tilde H\|_F}\Big\|_F \in [0, 2],

    0 iff :math:`W \propto \tilde H^\top` (:math:`\tilde H` the centred means, as in :func:`nc2_h`).
    Some authors report its square.
    """
    W, M = _check_pair(W, H_mean)
    M = _center(M, center, counts)
    return gram_distance(W, M.T, names=("W", "H_mean"))
