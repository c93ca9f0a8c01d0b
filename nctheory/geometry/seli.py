r"""Simplex-encoded labels (SEL) and the SELI geometry of the UF-SVM solution (catalogue §6)."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.frames import centering
from nctheory.geometry.validation import _check_sizes


def one_hot_labels(sizes) -> np.ndarray:
    r"""The K×N one-hot label matrix Y, :math:`Y_{k,i} = 1` iff sample i is in class k.

    Samples are ordered by class (the first :math:`n_1` columns are class 0, ...), as in
    :attr:`nctheory.model.problem.Problem.labels`.  :math:`YY^\top = D`.
    """
    n = _check_sizes(sizes).astype(int)
    labels = np.repeat(np.arange(n.size), n)
    Y = np.zeros((n.size, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def sel_matrix(sizes, per: str = "sample") -> np.ndarray:
    r"""The simplex-encoded-labels (SEL) matrix of Thrampoulidis et al. (catalogue §6).

    Parameters
    ----------
    sizes : sequence of int
        Class sizes :math:`n_k`.
    per : {"sample", "class", "weighted"}
        * ``"sample"``: :math:`\hat Z = S Y \in \mathbb R^{K\times N}`, with Y the K×N one-hot
          label matrix (columns grouped by class, :func:`one_hot_labels`).  Column i is
          :math:`e_{y_i} - 1/K`, the logit vector of sample i at the UF-SVM optimum.
        * ``"class"``: the class-mean version :math:`\hat Z Y^\top D^{-1} = S` (K×K; column k is
          the mean logit of class k).
        * ``"weighted"``: :math:`\hat Z Y^\top D^{-1/2} = S D^{1/2}` (K×K), the matrix
          :math:`\bar Z D^{1/2}` of reduction R2.  It has the same singular values and left
          singular vectors as :math:`\hat Z`, because :math:`Y^\top D^{-1/2}` has orthonormal
          columns.
    """
    n = _check_sizes(sizes)
    K = n.size
    S = centering(K)
    if per == "sample":
        return S @ one_hot_labels(n.astype(int))
    if per == "class":
        return S
    if per == "weighted":
        return S * np.sqrt(n)[None, :]
    raise ValueError(f"per: must be 'sample', 'class' or 'weighted', got {per!r}")


def seli_grams(sizes) -> dict[str, np.ndarray]:
    r"""The SELI geometry (catalogue §6): Grams of the UF-SVM solution for class sizes ``sizes``.

    With :math:`\hat Z = SY = U\Sigma V^\top` (:func:`sel_matrix`), the UF-SVM
    :math:`\min \tfrac12\|W\|^2 + \tfrac12\|H\|^2` s.t. margins has the balanced factors
    :math:`W = U\Sigma^{1/2}`, :math:`H = \Sigma^{1/2}V^\top` and class means
    :math:`\bar H = H Y^\top D^{-1}`.  This function returns their Grams **exactly, with that
    normalisation** (no free scale):

    .. math::

        WW^\top = (SDS)^{1/2},\qquad
        \bar H^\top \bar H = D^{-1/2}\,(D^{1/2} S D^{1/2})^{1/2}\,D^{-1/2},\qquad
        W\bar H = S .

    Consequently :math:`\operatorname{tr}(WW^\top) = \sum_k n_k\|\bar h_k\|^2 = \|\hat Z\|_*`.
    For equal sizes n: :math:`WW^\top = \sqrt n\,S`, :math:`\bar H^\top\bar H = S/\sqrt n` (ETF).

    Both square roots are computed from one SVD :math:`SD^{1/2} = P\Theta Q^\top`:
    :math:`(SDS)^{1/2} = P\Theta P^\top` and :math:`(D^{1/2}SD^{1/2})^{1/2} = Q\Theta Q^\top`.
    This avoids squaring (the matrices are singular: :math:`S1 = 0`), so the result is accurate
    to rounding, not to :math:`\sqrt\varepsilon`.

    Returns
    -------
    dict with keys ``"WW"``, ``"HH"``, ``"WH"`` (each K×K, float64).
    """
    n = _check_sizes(sizes)
    S = centering(n.size)
    sq = np.sqrt(n)
    P, theta, Qt = np.linalg.svd(S * sq[None, :])
    WW = (P * theta) @ P.T
    inner = (Qt.T * theta) @ Qt
    HH = inner / sq[:, None] / sq[None, :]
    return {"WW": 0.5 * (WW + WW.T), "HH": 0.5 * (HH + HH.T), "WH": S}
