r"""NC1, within-class variability collapse: :math:`\operatorname{tr}(\Sigma_W\Sigma_B^+)/K` and its variants."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.validation import as_float_array
from nctheory.metrics.means import _means
from nctheory.metrics.validation import _check_labels, _check_means


#: Relative eigenvalue cutoff for :math:`\Sigma_B^+` in NC1: eigenvalues
#: :math:`\le` ``NC1_RCOND`` :math:`\cdot\lambda_{\max}(\Sigma_B)` count as zero.  It equals a
#: cutoff of 1e-6 on the singular values of the centred class means; rounding puts the
#: spurious ones near :math:`\varepsilon\cdot`\ (size of the means, including any common
#: offset), far below this unless the offset exceeds the spread by ~1e9.
NC1_RCOND = 1e-12

WEIGHTINGS = ("sample", "class")


def _nc1_setup(H, labels, K, weighting: str, rcond) -> dict:
    """Shared pieces of the NC1 family: validated H and labels, means, h_G and Sigma_B's eigenpairs."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting: must be 'sample' or 'class', got {weighting!r}")
    if isinstance(rcond, bool) or not isinstance(rcond, (int, float, np.floating)) or not (0.0 <= rcond < 1.0):
        raise ValueError(f"rcond: must be a real number in [0, 1), got {rcond!r}")
    H = as_float_array("H", H, ndim=2)
    lab, K = _check_labels(labels, H.shape[1], K)
    N = lab.size
    means = _means(H, lab, K)
    counts = np.bincount(lab, minlength=K).astype(np.float64)
    if weighting == "sample":
        h_G = means @ (counts / N)
        sample_w = np.full(N, 1.0 / N)
    else:
        h_G = means.mean(axis=1)
        sample_w = 1.0 / (K * counts[lab])
    B = means - h_G[:, None]
    U, s, _ = np.linalg.svd(B, full_matrices=False)
    lam = s * s / K
    if lam.size == 0 or lam[0] == 0.0:
        raise ValueError("H: all class means coincide (Sigma_B = 0); NC1 is undefined")
    keep = lam > rcond * lam[0]
    C = H - means[:, lab]  # within-class deviations h_i - hbar_{y_i}
    return {"H": H, "lab": lab, "K": K, "N": N, "means": means, "counts": counts, "B": B, "U": U[:, keep],
            "lam": lam[keep], "C": C, "sample_w": sample_w}


def nc1(H, labels, K: int | None = None, weighting: str = "sample", rcond: float = NC1_RCOND) -> float:
    r"""NC1 :math:`= \operatorname{tr}(\Sigma_W \Sigma_B^+)/K` (catalogue §8).

    ``weighting="sample"`` (default; Papyan et al., catalogue §8 exactly):

    .. math::

        \Sigma_W = \frac1N \sum_k\sum_{i\in k} (h_i - \bar h_k)(h_i - \bar h_k)^\top,\quad
        \Sigma_B = \frac1K \sum_k (\bar h_k - h_G)(\bar h_k - h_G)^\top,\quad
        h_G = \frac1N\sum_i h_i .

    ``weighting="class"`` gives every class equal weight whatever its size:
    :math:`\Sigma_W = \frac1K\sum_k \frac1{n_k}\sum_{i\in k}(\cdot)(\cdot)^\top`,
    :math:`h_G = \frac1K\sum_k \bar h_k`, same :math:`\Sigma_B`.

    :math:`\Sigma_B^+` is the pseudo-inverse on the eigenvalues :math:`\lambda_j >` ``rcond``
    :math:`\cdot\lambda_{\max}(\Sigma_B)` only (truncated eigendecomposition).  The eigenpairs
    come from the SVD of the centred means :math:`B = [\bar h_k - h_G]`
    (:math:`\Sigma_B = BB^\top/K`, :math:`\lambda_j = s_j^2/K`, eigenvectors :math:`u_j`), and
    the trace is summed as :math:`\sum_j u_j^\top\Sigma_W u_j/\lambda_j` with
    :math:`u_j^\top\Sigma_W u_j` a weighted sum of squares, so the result is never negative.
    For generic data :math:`\Sigma_B` has rank K−1, and this equals both the Moore–Penrose
    pseudo-inverse form (rhubarbwu's ``"pinv"``) and the top-(K−1) SVD form (Han et al. 2022,
    rhubarbwu's ``"svd"``) in exact arithmetic.

    Returns
    -------
    float
        NC1 >= 0; 0 iff there is no within-class spread along the span of the class means.

    Raises
    ------
    ValueError
        Bad shapes/labels/non-finite entries; ``H`` if all class means coincide
        (:math:`\Sigma_B = 0`, NC1 undefined).
    """
    z = _nc1_setup(H, labels, K, weighting, rcond)
    P = z["U"].T @ z["C"]  # projections u_j^T (h_i - hbar_{y_i})
    within = (P * P) @ z["sample_w"]  # u_j^T Sigma_W u_j, sums of squares: >= 0
    return float(np.sum(within / z["lam"]) / z["K"])


def nc1_per_class(H, labels, K: int | None = None, weighting: str = "sample", rcond: float = NC1_RCOND) -> np.ndarray:
    r"""NC1 of each class: :math:`v_k = \operatorname{tr}(\Sigma_k\Sigma_B^+)/K` with
    :math:`\Sigma_k = \frac1{n_k}\sum_{i\in k}(h_i - \bar h_k)(h_i - \bar h_k)^\top`.

    :math:`\Sigma_B` (and its truncation) as in :func:`nc1` with the same ``weighting``, so NC1 is
    their average: :math:`\mathrm{NC1} = \sum_k \frac{n_k}{N} v_k` (``"sample"``) or
    :math:`\frac1K\sum_k v_k` (``"class"``).  Under imbalance it shows whether the minority
    classes are less collapsed than the majority.

    Returns
    -------
    ndarray, shape (K,), entries >= 0
    """
    z = _nc1_setup(H, labels, K, weighting, rcond)
    P = z["U"].T @ z["C"]
    per_sample = np.sum((P * P) / z["lam"][:, None], axis=0)  # (h_i - hbar)^T Sigma_B^+ (h_i - hbar)
    return np.bincount(z["lab"], weights=per_sample, minlength=z["K"]) / (z["counts"] * z["K"])


def nc1_quotient(H, labels, K: int | None = None, weighting: str = "sample") -> float:
    r"""Tirer, Huang & Niles-Weed (2023)'s NC1: :math:`\operatorname{tr}(\Sigma_W)/\operatorname{tr}(\Sigma_B)`.

    :math:`\Sigma_W, \Sigma_B` as in :func:`nc1` (same ``weighting``).  No inverse: it is defined
    whenever the class means are not all equal, and never negative.
    """
    z = _nc1_setup(H, labels, K, weighting, 0.0)
    tr_w = float(np.sum(z["C"] * z["C"], axis=0) @ z["sample_w"])
    tr_b = float(np.sum(z["B"] * z["B"]) / z["K"])
    return tr_w / tr_b


def nc1_from_means(H_mean) -> float:
    r"""NC1 of a solution given by class means only: 0 by definition.

    A reduced solution places every sample at its class mean (:math:`h_{k,i} = \bar h_k`,
    reduction R2), so :math:`\Sigma_W = 0`.  The means are still validated, and NC1 is
    undefined (ValueError naming ``H_mean``) when they all coincide, exactly as in :func:`nc1`.
    """
    M = _check_means(H_mean)
    if np.all(M == M[:, :1]):
        raise ValueError("H_mean: all class means coincide (Sigma_B = 0); NC1 is undefined")
    return 0.0
