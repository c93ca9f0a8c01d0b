r"""The models the class-mean certified solvers handle, as data (:class:`~nctheory.solvers.base.Requirements`).

The R2 solvers (``certified``, ``certified:symmetric``) and the layer-peeled ones (``certified:lpm``,
``certified:lpm-symmetric``) all solve a convex problem in the class-mean logits of a learned classifier with free
features at depth 1, certified by a Fenchel dual bound: the loss needs its conjugate, and with a bias its Hessian
(the bias is minimised out by Newton) and, for a free bias, the move of a dual point onto :math:`U\pi = 0`.  The
symmetry-reduced (grouped) solvers need the same capabilities on compressed columns.  They differ in the
constraint: penalties (R2) or average norm budgets (layer-peeled).
"""

from __future__ import annotations

from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.solvers.base import Requirements

__all__ = ["class_mean_requirements"]


def class_mean_requirements(constraint: Constraint, *, grouped: bool) -> Requirements:
    """The requirements of a class-mean certified solver for models with ``constraint`` (module doc); ``grouped``:
    the symmetry-reduced solver's (the loss also evaluates compressed columns)."""
    if grouped:
        needs, hessian, free_bias = frozenset({"conjugate", "grouped"}), "grouped-hessian", "grouped-free-bias-dual"
    else:
        needs, hessian, free_bias = frozenset({"conjugate"}), "hessian", "free-bias-dual"
    return Requirements(
        classifier=frozenset({Classifier.LEARNED}),
        features=frozenset({Features.FREE}),
        constraint=frozenset({constraint}),
        depth=(1, 1),
        loss_needs=needs,
        bias_loss_needs={Bias.REGULARIZED: frozenset({hessian}), Bias.FREE: frozenset({hessian, free_bias})},
    )
