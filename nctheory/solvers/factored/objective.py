r"""Value and analytic gradient of the nonconvex (factored) objectives.

Variables (flattened by :class:`~nctheory.solvers.factored.layout.VariableLayout`):
layers :math:`W_1 \in \mathbb R^{d\times d}, \dots, W_{M-1} \in \mathbb R^{d\times d}`,
:math:`W_M \in \mathbb R^{K\times d}` (absent for a fixed-ETF classifier, where
:math:`P = W^*` is fixed), features :math:`H \in \mathbb R^{d\times m}` and, with a bias,
:math:`b \in \mathbb R^K`.  With :math:`P = W_M\cdots W_1` and :math:`Z = PH + b\mathbf 1^\top`:

.. math::

    f = \sum_j c_j\,\ell(z_j, y_j) + \sum_{i=1}^M \frac{\lambda_W}2\|W_i\|_F^2
        + \frac{\lambda_H}2 \sum_j \omega_j \|h_j\|^2 + \frac{\lambda_b}2\|b\|^2 .

``on="samples"``: columns are the N samples, :math:`c_j = 1/N`, :math:`\omega_j = 1` — the
canonical objective (catalogue §0).  ``on="means"``: columns are the K class means,
:math:`c_k = n_k/N`, :math:`\omega_k = n_k` — the canonical objective at
:math:`h_{k,i} = \bar h_k`, which loses nothing: for fixed classifier layers the objective is
convex in each :math:`h_{k,i}`, so replacing a class's features by their mean never increases it
(Jensen), and the mean of feasible features stays feasible for every constraint below.

Under the layer-peeled constraints (``constraint="average"`` or ``"per-sample"``) the
:math:`\lambda_W, \lambda_H` penalties are absent and the feasible set is handled by exact
projections (:mod:`~nctheory.solvers.factored.feasible`); ReLU features add :math:`H \ge 0`.

Gradient by reverse mode: :math:`A_0 = H`, :math:`A_i = W_i A_{i-1}`, :math:`G = \partial L/\partial Z`,
:math:`G_M = G`, :math:`\partial f/\partial W_i = G_i A_{i-1}^\top + \lambda_W W_i`,
:math:`G_{i-1} = W_i^\top G_i`, :math:`\partial f/\partial H = G_0 + \lambda_H H\,\mathrm{diag}(\omega)`,
:math:`\partial f/\partial b = G\mathbf 1 + \lambda_b b`.
"""

from __future__ import annotations

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.factored.etf import simplex_etf_classifier
from nctheory.solvers.factored.feasible import project_ball_columns, project_weighted_ball
from nctheory.solvers.factored.layout import VariableLayout

ON_CHOICES = ("means", "samples")


class FactoredObjective:
    """The factored objective of ``problem`` (see module doc) as a function of one flat vector.

    Parameters
    ----------
    problem : Problem
    on : {"means", "samples"}
        Optimise class means (exact, cheaper) or the full d×N feature matrix.
    """

    def __init__(self, problem: Problem, on: str = "means"):
        if not isinstance(problem, Problem):
            raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
        if on not in ON_CHOICES:
            raise ValueError(f"on: unknown option {on!r}; allowed: {', '.join(ON_CHOICES)}")
        self.problem = problem
        self.on = on
        K, d, M = problem.K, problem.dim, problem.depth
        self.K, self.d, self.M = K, d, M
        n = problem.n
        if on == "means":
            self.labels = np.arange(K)
            self.loss_weights = n / problem.N
            self.feature_weights = n.copy()
        else:
            self.labels = problem.labels
            self.loss_weights = np.full(problem.N, 1.0 / problem.N)
            self.feature_weights = np.ones(problem.N)
        self.m = self.labels.size
        self.learned = problem.classifier == "learned"
        self.penalised = problem.constraint == "penalty"
        self.relu = problem.features == "relu"
        self.has_bias = problem.has_bias
        self.lambda_b = problem.lambda_b if problem.bias == "regularized" else 0.0
        self.W_fixed = None if self.learned else simplex_etf_classifier(K, d, problem.e_w)
        blocks: list[tuple[str, tuple[int, ...]]] = []
        if self.learned:
            blocks += [(f"W{i}", (d, d)) for i in range(1, M)] + [(f"W{M}", (K, d))]
        blocks.append(("H", (d, self.m)))
        if self.has_bias:
            blocks.append(("b", (K,)))
        self.layout = VariableLayout(blocks)
        self.layer_names = [f"W{i}" for i in range(1, M + 1)] if self.learned else []
        # constraint data
        self.constrained = problem.constraint != "penalty"
        if problem.constraint == "average":
            if on == "means":
                self.avg_weights = np.full(K, 1.0 / K)
            else:
                self.avg_weights = 1.0 / (K * n[self.labels])

    # ---------------------------------------------------------------- access
    def layers(self, parts: dict) -> list[np.ndarray]:
        """Classifier layers :math:`[W_1, \\dots, W_M]` (``[W^*]`` for a fixed classifier)."""
        if not self.learned:
            return [self.W_fixed]
        return [parts[name] for name in self.layer_names]

    def product(self, parts: dict) -> np.ndarray:
        """End-to-end classifier :math:`P = W_M \\cdots W_1` (K×d)."""
        layers = self.layers(parts)
        P = layers[-1]
        for W in reversed(layers[:-1]):
            P = P @ W
        return np.array(P, dtype=np.float64)

    def bias(self, parts: dict) -> np.ndarray:
        return parts["b"].copy() if self.has_bias else np.zeros(self.K)

    def class_means(self, parts: dict) -> np.ndarray:
        """Class means :math:`\\bar H` (d×K)."""
        H = parts["H"]
        if self.on == "means":
            return H.copy()
        sums = np.zeros((self.d, self.K))
        np.add.at(sums.T, self.labels, H.T)
        return sums / self.problem.n

    # ------------------------------------------------------------ objective
    def _forward(self, parts):
        acts = [parts["H"]]
        for W in self.layers(parts):
            acts.append(W @ acts[-1])
        Z = acts[-1]
        if self.has_bias:
            Z = Z + parts["b"][:, None]
        return acts, Z

    def data_loss(self, x: np.ndarray) -> float:
        r"""The loss term :math:`\sum_j c_j \ell(z_j, y_j)` alone (the training loss)."""
        _, Z = self._forward(self.layout.split(x))
        return self.problem.loss.weighted(Z, self.labels, self.loss_weights)[0]

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Objective value (canonical convention) and its gradient at the flat vector ``x``."""
        p = self.problem
        parts = self.layout.split(x)
        grad = self.layout.zeros()
        gparts = self.layout.split(grad)
        acts, Z = self._forward(parts)
        value, G = p.loss.weighted(Z, self.labels, self.loss_weights)
        if self.has_bias:
            b = parts["b"]
            gparts["b"][:] = G.sum(axis=1) + self.lambda_b * b
            value += 0.5 * self.lambda_b * float(b @ b)
        layers = self.layers(parts)
        for i in range(len(layers) - 1, -1, -1):
            if self.learned:
                gparts[self.layer_names[i]][:] = G @ acts[i].T
            G = layers[i].T @ G
        gparts["H"][:] = G
        if self.penalised:
            H = parts["H"]
            gparts["H"][:] += p.lambda_h * H * self.feature_weights
            value += 0.5 * p.lambda_h * float(self.feature_weights @ np.einsum("ij,ij->j", H, H))
            if self.learned:
                for name in self.layer_names:
                    W = parts[name]
                    gparts[name][:] += p.lambda_w * W
                    value += 0.5 * p.lambda_w * float(np.vdot(W, W))
        return float(value), grad

    # -------------------------------------------------------- feasible set
    @property
    def has_projection(self) -> bool:
        """True when the feasible set is more than a box (needs projected gradient, not L-BFGS-B)."""
        return self.constrained

    def bounds(self) -> list[tuple[float | None, float | None]] | None:
        """L-BFGS-B bounds: :math:`H \\ge 0` for ReLU features, else None."""
        if not self.relu:
            return None
        lo = np.full(self.layout.size, -np.inf)
        lo[self.layout.slices["H"]] = 0.0
        return [(None if np.isinf(v) else 0.0, None) for v in lo]

    def project(self, x: np.ndarray) -> np.ndarray:
        """Euclidean projection of ``x`` onto the feasible set (identity when unconstrained)."""
        y = x.copy()
        parts = self.layout.split(y)
        H = parts["H"]
        if self.relu:
            np.maximum(H, 0.0, out=H)
        p = self.problem
        if p.constraint == "per-sample":
            H[:] = project_ball_columns(H, p.e_h)
        elif p.constraint == "average":
            H[:] = project_weighted_ball(H, self.avg_weights, p.e_h)
            if self.learned:
                W = parts[self.layer_names[-1]]
                total = float(np.vdot(W, W))
                if total > self.K * p.e_w:
                    W *= np.sqrt(self.K * p.e_w / total)
        return y

    def stationarity(self, x: np.ndarray, g: np.ndarray) -> float:
        r"""Projected-gradient norm :math:`\|x - \Pi(x - \nabla f)\|_\infty`.

        Without constraints or bounds this is :math:`\|\nabla f\|_\infty`.
        """
        if not (self.relu or self.constrained):
            return float(np.max(np.abs(g))) if g.size else 0.0
        return float(np.max(np.abs(x - self.project(x - g))))

    def feasibility_violation(self, x: np.ndarray) -> dict[str, float]:
        """Violations (≥ 0; 0 = feasible) of each constraint, relative to its budget."""
        p = self.problem
        parts = self.layout.split(x)
        H = parts["H"]
        out: dict[str, float] = {}
        if self.relu:
            out["nonneg"] = float(max(0.0, -H.min()))
        sq = np.einsum("ij,ij->j", H, H)
        if p.constraint == "per-sample":
            out["per_sample"] = float(max(0.0, sq.max() / p.e_h - 1.0))
        elif p.constraint == "average":
            out["average_h"] = float(max(0.0, float(self.avg_weights @ sq) / p.e_h - 1.0))
            if self.learned:
                W = parts[self.layer_names[-1]]
                out["average_w"] = float(max(0.0, float(np.vdot(W, W)) / (self.K * p.e_w) - 1.0))
        return out

    # --------------------------------------------------------------- starts
    def default_scales(self) -> tuple[float, float]:
        r"""Typical row norm of each classifier layer and column norm of H at a good solution.

        Penalties: balancing :math:`\lambda_W a^2 = \lambda_H \bar n h^2` with :math:`a^M h = 1`
        (logits of order one, :math:`\bar n = N/K`) gives :math:`a = r^{1/(2M+2)}`,
        :math:`h = a^{-M}`, :math:`r = \lambda_H \bar n/\lambda_W`.  Constraints: the budgets.
        """
        p = self.problem
        if self.constrained:
            return float(np.sqrt(p.e_w or 1.0)), float(np.sqrt(p.e_h))
        if not self.learned:
            a = np.sqrt(p.e_w or 1.0)
            return float(a), float(1.0 / a)
        r = p.lambda_h * (p.N / p.K) / p.lambda_w
        a = r ** (1.0 / (2 * self.M + 2))
        return float(a), float(a ** (-self.M))

    def initial_point(self, rng: np.random.Generator, scale: float = 1.0, rank: int | None = None) -> np.ndarray:
        """A random feasible start: Gaussian blocks with the :meth:`default_scales` times ``scale``.

        Entries are :math:`N(0, s^2/d)` so rows/columns have norm about :math:`s`; ReLU features
        take absolute values; the bias starts at 0; constrained starts are projected.  ``rank`` r < d
        draws the features as a product of d×r and r×m Gaussians (a rank-r start, from which the
        rank-deficient minima of deep models are reachable).
        """
        a, h = self.default_scales()
        a, h = a * scale, h * scale
        d = self.d
        parts = {}
        for i, name in enumerate(self.layer_names):
            rows = d if i < self.M - 1 else self.K
            parts[name] = rng.standard_normal((rows, d)) * (a / np.sqrt(d))
        if rank is not None and 1 <= rank < min(d, self.m):
            H = (rng.standard_normal((d, rank)) @ rng.standard_normal((rank, self.m))) * (h / np.sqrt(d * rank))
        else:
            H = rng.standard_normal((d, self.m)) * (h / np.sqrt(d))
        parts["H"] = np.abs(H) if self.relu else H
        if self.has_bias:
            parts["b"] = np.zeros(self.K)
        x = self.layout.join(parts)
        return self.project(x) if self.constrained else x
