r"""Factored (nonconvex) solvers: the original variables, as training sees them.

* :func:`solve` — L-BFGS-B (penalties, ReLU bounds) or spectral projected gradient
  (layer-peeled norm constraints) from several seeded random starts; reports the best
  stationary point with status ``"local"`` (never certified) and flags spurious
  zero-class solutions.
* :func:`gradient_descent` — full-batch heavy-ball gradient descent with a history.
* :class:`FactoredObjective` — value and analytic gradient of every variant.
"""

from nctheory.solvers.factored.gradient_descent import gradient_descent  # noqa: F401
from nctheory.solvers.factored.objective import FactoredObjective  # noqa: F401
from nctheory.solvers.factored.restarts import solve  # noqa: F401

__all__ = ["solve", "gradient_descent", "FactoredObjective"]
