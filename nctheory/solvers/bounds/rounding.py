r"""Float64 rounding allowances that keep a computed lower bound below the exact one.

Every bound in this package is an expression :math:`\mathrm{LB} = \sum_j t_j` (conjugate terms, norms,
bias terms) evaluated in float64.  The standard model of floating-point arithmetic
(:math:`\mathrm{fl}(a \circ b) = (a \circ b)(1 + \delta)`, :math:`|\delta| \le \varepsilon/2`) gives, for a
sum of m terms each computed with relative error at most :math:`c\varepsilon`,

.. math::

    |\mathrm{fl}(\textstyle\sum_j t_j) - \sum_j t_j| \le (m + c)\,\varepsilon \sum_j |t_j|

to first order (Higham, *Accuracy and Stability of Numerical Algorithms*, §4.2).  The terms here are
entropies, logarithms, squares and products of at most K factors, so :math:`c \le K + 8`; the
allowance :func:`sum_allowance` takes four times the bound above, and is subtracted from every
reported bound.  It is far below any gap we certify (relative :math:`\sim 10^{-14}` against the
certification threshold :math:`10^{-8}`), so it costs nothing and makes the bound honest.

Spectral norms come from LAPACK's SVD, whose computed singular values satisfy
:math:`|\tilde\sigma_i - \sigma_i| \le p(m, n)\,\varepsilon\,\|A\|_2` with p a modest polynomial (backward
stability); forming A itself perturbs it by at most :math:`\varepsilon\|A\|_F` entrywise in norm.
:func:`spectral_upper` returns :math:`\tilde\sigma_1 + 8\max(m, n)\,\varepsilon\|A\|_F`, an upper bound on
the exact :math:`\sigma_1` with a generous margin.  Eigenvalues of a symmetric matrix are handled the
same way (:func:`eigen_margin`).
"""

from __future__ import annotations

import numpy as np

EPS = float(np.finfo(np.float64).eps)


def sum_allowance(magnitude: float, count: int, per_term: int = 8) -> float:
    r"""Allowance for the rounding of a sum of ``count`` terms of total absolute size ``magnitude``.

    :math:`4(\text{count} + \text{per\_term})\,\varepsilon\cdot\text{magnitude}` (module doc).
    """
    return 4.0 * (int(count) + int(per_term)) * EPS * abs(float(magnitude))


def spectral_upper(A: np.ndarray) -> float:
    r"""An upper bound on :math:`\|A\|_2` (module doc): the computed largest singular value plus
    :math:`8\max(m, n)\,\varepsilon\|A\|_F`."""
    A = np.asarray(A, dtype=np.float64)
    if A.size == 0:
        return 0.0
    top = float(np.linalg.norm(A, 2))
    return top + 8.0 * max(A.shape) * EPS * float(np.linalg.norm(A))


def eigen_margin(A: np.ndarray, scale: float | None = None) -> float:
    r"""Rounding margin for the eigenvalues of a symmetric matrix built in float64.

    :math:`16\,n\,\varepsilon\cdot s`, with s = ``scale`` (the size of the terms the matrix was formed
    from, e.g. :math:`\|A_1\| + \|A_2\|` for :math:`A = A_1 - A_2`) or :math:`\|A\|_F`.  A computed smallest
    eigenvalue at least this large proves the exact matrix positive semidefinite (Weyl's inequality
    with the backward error of the symmetric eigensolver and of forming A).
    """
    A = np.asarray(A, dtype=np.float64)
    s = float(np.linalg.norm(A)) if scale is None else float(scale)
    return 16.0 * max(A.shape[0], 1) * EPS * s
