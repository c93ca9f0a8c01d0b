r"""Float64 allowances that keep a computed lower bound at or below the exact one.

Every certificate of this package is a finite expression (a sum of conjugate terms, a spectral norm times a
radius, a bias term) evaluated in float64.  In the standard model of floating-point arithmetic each operation
is exact up to a factor :math:`1 + \delta`, :math:`|\delta| \le \varepsilon/2`, so a sum of m terms, each itself
computed with relative error at most :math:`c\varepsilon`, is off by at most about
:math:`(m + c)\varepsilon\sum_j|t_j|` (recursive summation; Higham, *Accuracy and Stability of Numerical
Algorithms*, ch. 4).  :func:`sum_allowance` (:mod:`nctheory.solvers.bounds.rounding`'s) takes four times that
and is subtracted from every reported bound,
so a bound is honest even where its terms cancel; relative to an objective of the same size it is
:math:`\sim 10^{-14}` for K = 100 -- far below any gap worth certifying.

Spectral norms come from LAPACK's SVD, which is backward stable: the computed singular values are those of
:math:`A + E` with :math:`\|E\|_2 \le p(m, n)\varepsilon\|A\|_2`, p a modest polynomial, and by Weyl's inequality
:math:`|\tilde\sigma_i - \sigma_i| \le \|E\|_2`.  Forming the matrix A itself (one product or sum per entry)
perturbs it by at most :math:`c\varepsilon\|A_{|\cdot|}\|_F`, where :math:`A_{|\cdot|}` is the same expression
evaluated with absolute values.  :func:`spectral_upper` adds both with generous constants.
"""

from __future__ import annotations

import numpy as np

# the summation allowance is the bounds package's: one rounding model for every certificate of the toolkit
from nctheory.solvers.bounds.rounding import EPS, sum_allowance

__all__ = ["EPS", "sum_allowance", "spectral_upper", "singular_value_margin"]


def singular_value_margin(top: float, size: int, formed_abs: float) -> float:
    r"""Upper margin on the error of a computed largest singular value: :math:`8\,\text{size}\,\varepsilon\,
    \tilde\sigma_1 + 8\varepsilon\,\|A_{|\cdot|}\|_F` (SVD backward error, then the rounding of forming A)."""
    return 8.0 * max(int(size), 1) * EPS * abs(float(top)) + 8.0 * EPS * abs(float(formed_abs))


def spectral_upper(A: np.ndarray, formed_abs: float | None = None) -> float:
    r"""An upper bound on the exact :math:`\|A\|_2` of a dense matrix formed with a few roundings per entry.

    ``formed_abs`` is :math:`\|A_{|\cdot|}\|_F` (module doc); by default :math:`\|A\|_F`, right when each entry was
    formed by one product (then :math:`A_{|\cdot|} = |A|`).
    """
    A = np.asarray(A, dtype=np.float64)
    if A.size == 0:
        return 0.0
    top = float(np.linalg.norm(A, 2))
    fro = float(np.linalg.norm(A)) if formed_abs is None else float(formed_abs)
    return top + singular_value_margin(top, max(A.shape), fro)
