r"""Nuclear norm of a wide K × N matrix through N small LMIs instead of one big one.

cvxpy's ``normNuc`` of a K × N matrix is one PSD cone of side K + N, whose
interior-point cost grows like :math:`(K+N)^6`; at N = 100 that is minutes.  Use
instead the variational form (minimiser :math:`P = (ZZ^\top)^{1/2}`)

.. math::

    \|Z\|_* = \min_{P \succeq 0,\ t}\ \tfrac12\operatorname{tr} P + \tfrac12\sum_{i=1}^N t_i
    \quad\text{s.t.}\quad
    \begin{bmatrix} P & z_i \\ z_i^\top & t_i \end{bmatrix} \succeq 0\ \ (i = 1..N),

i.e. :math:`t_i \ge z_i^\top P^{-1} z_i` (Schur complement): N cones of side K + 1.
For fixed Z the inner value is :math:`\tfrac12\operatorname{tr}P + \tfrac12\operatorname{tr}(P^{-1}ZZ^\top)`,
minimised at :math:`P = (ZZ^\top)^{1/2}` with value :math:`\operatorname{tr}(ZZ^\top)^{1/2} = \|Z\|_*`
(for singular :math:`ZZ^\top` the LMI form attains it, z_i lying in the range of P).

:func:`nuclear_norm` picks between the two: ``normNuc`` (one cone, converges to
tighter tolerances) while :math:`K + N \le` :data:`NORMNUC_MAX_SIDE` (about 0.5 s),
the column LMIs beyond (their interior-point iterates converge linearly near the
singular optimum :math:`P`, so the tight attempts usually stop at a gap of about
1e-10 and the 1e-8 default attempt is the accepted one).
"""

from __future__ import annotations

import cvxpy as cp

#: Largest side K + N of a single ``normNuc`` cone used by :func:`nuclear_norm`.
NORMNUC_MAX_SIDE = 30


def nuclear_norm_columns(Z) -> tuple:
    """``(expression, constraints)`` with ``min expression s.t. constraints`` = ‖Z‖_* (module doc).

    Only valid where the expression is *minimised* (it is an upper bound elsewhere).
    """
    K, N = Z.shape
    P = cp.Variable((K, K), symmetric=True, name="P")
    t = cp.Variable(N, name="t")
    constraints = [P >> 0]
    for i in range(N):
        zi = cp.reshape(Z[:, i], (K, 1), order="F")
        constraints.append(cp.bmat([[P, zi], [zi.T, cp.reshape(t[i], (1, 1), order="F")]]) >> 0)
    return 0.5 * cp.trace(P) + 0.5 * cp.sum(t), constraints


def nuclear_norm(Z) -> tuple:
    """``(expression, constraints, form)`` for ‖Z‖_* under minimisation; ``form`` is
    ``"normNuc"`` or ``"column-lmi"`` (module doc)."""
    K, N = Z.shape
    if K + N <= NORMNUC_MAX_SIDE:
        return cp.normNuc(Z), [], "normNuc"
    expression, constraints = nuclear_norm_columns(Z)
    return expression, constraints, "column-lmi"
