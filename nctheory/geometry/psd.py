"""The symmetric positive-semidefinite square root of a matrix."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.validation import as_float_array

#: Relative tolerance on negative eigenvalues accepted (and clipped to 0) by :func:`psd_sqrt`.
PSD_NEG_TOL = 1e-10


def psd_sqrt(A, name: str = "A", neg_tol: float = PSD_NEG_TOL) -> np.ndarray:
    r"""The symmetric PSD square root :math:`A^{1/2} = V \operatorname{diag}(\sqrt{\mu_+}) V^\top`.

    ``A`` is symmetrised (:math:`(A + A^\top)/2`) and diagonalised with ``eigh``.  Eigenvalues
    with :math:`|\mu| \le 4K\varepsilon\max|\mu|` are indistinguishable from 0 given eigh's
    backward error and are set to 0 (so an exactly singular A keeps an exact null space
    instead of picking up :math:`\sqrt{\varepsilon}`-sized noise); negative eigenvalues down to
    :math:`-\text{neg\_tol}\cdot\max|\mu|` are clipped to 0.

    Accuracy: the square root is not Lipschitz at 0, so a perturbation :math:`\delta` of A
    moves :math:`A^{1/2}` by up to :math:`\sqrt\delta`.  When A is a Gram :math:`FF^\top`,
    prefer the SVD of F (as :func:`~nctheory.geometry.seli.seli_grams` does): it gives :math:`(FF^\top)^{1/2}` to
    :math:`\varepsilon` accuracy.

    Raises
    ------
    ValueError
        ``name`` is not square, not symmetric (relative asymmetry above ``neg_tol``), or has an
        eigenvalue below :math:`-\text{neg\_tol}\cdot\max|\mu|`.
    """
    A = as_float_array(name, A, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name}: must be square, got shape {A.shape}")
    scale = np.max(np.abs(A))
    if scale == 0.0:
        return np.zeros_like(A)
    if np.max(np.abs(A - A.T)) > neg_tol * scale:
        raise ValueError(f"{name}: must be symmetric (max |A - A^T| = {np.max(np.abs(A - A.T)):.3g})")
    mu, V = np.linalg.eigh(0.5 * (A + A.T))
    top = np.max(np.abs(mu))
    if mu[0] < -neg_tol * top:
        raise ValueError(f"{name}: not positive semidefinite (eigenvalue {mu[0]:.3g}, largest {top:.3g})")
    mu = np.where(mu <= 4.0 * A.shape[0] * np.finfo(np.float64).eps * top, 0.0, mu)
    R = (V * np.sqrt(mu)) @ V.T
    return 0.5 * (R + R.T)
