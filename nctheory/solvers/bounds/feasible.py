r"""Make a conic solver's answer exactly feasible before it is certified: :func:`repair`.

An interior-point answer of a constrained model satisfies its constraints only to the solver's
feasibility tolerance (~1e-10): a norm budget may be exceeded, a margin may fall short of 1.  Its
objective is then not the value of a feasible point, and a gap computed from it proves nothing.
:func:`repair` scales the offending factors exactly into the feasible set and recomputes the logits and
the objective, so every objective reported is the value of a feasible point.

Rules (each a scaling, which keeps the point's directions and changes the objective by the
violation's order, ~1e-10 relative):

* layer-peeled budgets (``constraint="average"``, learned W): :math:`\frac1K\|W\|_F^2 \le E_W` and
  :math:`\frac1K\|\bar H\|_F^2 \le E_H`, each matrix scaled as a whole;
* fixed ETF, ``"per-sample"``: every column :math:`\|\bar h_k\|^2 \le E_H` (each offending column scaled);
  ``"average"``: :math:`\frac1K\|\bar H\|_F^2 \le E_H`;
* an answer with per-sample features H (``on="samples"``) is repaired on H itself -- each sample's
  feature for the per-sample budget, :math:`\frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H` for the
  average one -- and its class means recomputed;
* ReLU features: negative entries of :math:`\bar H` (and of H) set to 0;
* UF-SVM (``method`` ``convex:uf-svm*``): margins :math:`\min_{j,c}(z_{y_j j} - z_{cj}) \ge 1`; W and H are
  both scaled by :math:`\sqrt{\mu}` with :math:`\mu \ge 1/\text{margin}`, which multiplies the margins by
  μ and the objective :math:`\frac12\|W\|^2 + \frac12\|H\|^2` by μ.

"Exactly" means in exact arithmetic on the stored float64 numbers: a budget is met when the computed
squared norm is at most :math:`\text{budget}\,(1 - 4m\varepsilon)` (m entries summed; the computed sum is
within :math:`m\varepsilon` of the exact one), a margin when the computed margin is at least
:math:`1 + 8\varepsilon\max|z|`; otherwise the factor is scaled again, at most a few times.
Penalised models without constraints (R2, full-sample) are returned unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nctheory.model.options import Classifier, Constraint, Features
from nctheory.solvers.bounds.rounding import EPS
from nctheory.solvers.result import Solution

#: Attempts at re-scaling a factor whose rounded result is still outside the feasible set.
MAX_SCALINGS = 8


def onto_budget(M: np.ndarray, budget: float, weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    r"""``(M', f)``: ``M`` scaled by :math:`f \le 1` so that :math:`\sum_j w_j\|m'_j\|^2 \le` budget exactly
    (module doc); without ``weights`` (one per column) the constraint is :math:`\|M'\|_F^2 \le` budget."""
    M = np.asarray(M, dtype=np.float64)
    safe = budget * (1.0 - 4.0 * max(M.size, 1) * EPS)
    factor = 1.0
    for _ in range(MAX_SCALINGS):
        used = float(np.vdot(M, M)) if weights is None else float(np.einsum("ij,ij->j", M, M) @ weights)
        if used <= safe:
            return M, factor
        f = float(np.sqrt(safe / used)) * (1.0 - 2.0 * EPS)
        M, factor = M * f, factor * f
    raise RuntimeError("could not scale onto the budget (non-finite input?)")


def margin(logits: np.ndarray, labels: np.ndarray) -> float:
    r""":math:`\min_j\min_{c\ne y_j}(z_{y_j j} - z_{cj})`."""
    cols = np.arange(labels.size)
    gaps = logits[labels, cols][None, :] - logits
    gaps[labels, cols] = np.inf
    return float(gaps.min())


def _objective(problem, W, H_mean, b, H):
    from nctheory.solvers.convex._model import collapsed_objective, sample_objective

    return sample_objective(problem, W, H, b) if H is not None else collapsed_objective(problem, W, H_mean, b)


def _svm(problem, sol: Solution) -> Solution:
    labels = problem.labels if sol.H is not None else np.arange(problem.K)
    W, H_mean, H = sol.W, sol.H_mean, sol.H
    factor = 1.0
    for _ in range(MAX_SCALINGS):
        Z = W @ (H if H is not None else H_mean)
        need = 1.0 + 8.0 * EPS * float(np.abs(Z).max())
        m = margin(Z, labels)
        if m >= need:
            break
        if not m > 0:
            return sol  # not a scaling problem: leave it (the bound still applies; the objective is the solver's)
        f = float(np.sqrt(need / m)) * (1.0 + 2.0 * EPS)
        W, H_mean = W * f, H_mean * f
        H = None if H is None else H * f
        factor *= f
    if factor == 1.0:
        return sol
    feature_sq = float(np.vdot(H, H)) if H is not None else float(problem.n @ np.einsum("ij,ij->j", H_mean, H_mean))
    objective = 0.5 * float(np.vdot(W, W)) + 0.5 * feature_sq
    extra = {**sol.extra, "feasibility_repair": {"margin_scale": factor, "objective_before": sol.objective},
             "min_margin": margin(W @ (H if H is not None else H_mean), labels)}
    return replace(sol, W=W, H_mean=H_mean, H=H, logits_mean=W @ H_mean + sol.b[:, None], objective=objective,
                   extra=extra)


def repair(problem, solution: Solution) -> Solution:
    """``solution`` moved exactly into the feasible set of ``problem`` (module doc); unchanged when it is
    feasible, not an answer, or of a penalised model without constraints."""
    if solution.status.value not in ("optimal", "local") or not np.isfinite(solution.objective):
        return solution
    if solution.method.startswith("convex:uf-svm"):
        return _svm(problem, solution)
    W, H_mean, H, b = solution.W, solution.H_mean, solution.H, solution.b
    record = {}
    if problem.features == Features.RELU:
        if H is not None and H.min() < 0.0:
            from nctheory.solvers.convex._model import class_means

            H = np.maximum(H, 0.0)
            H_mean = class_means(problem, H)
            record["relu_clip"] = True
        elif H_mean.min() < 0.0:
            H_mean = np.maximum(H_mean, 0.0)
            record["relu_clip"] = True
    K = problem.K
    # per-sample features (when the answer has them) carry the constraint; their class means follow
    F = H if H is not None else H_mean
    if problem.constraint == Constraint.AVERAGE:
        # (1/K) sum_k (1/n_k) sum_i ||h_ki||^2 <= E_H on samples, (1/K) sum_k ||hbar_k||^2 <= E_H on means
        weights = 1.0 / (K * problem.n[problem.labels]) if H is not None else np.full(K, 1.0 / K)
        F, f = onto_budget(F, problem.e_h, weights)
        if f != 1.0:
            record["feature_scale"] = f
        if problem.classifier == Classifier.LEARNED:
            W, f = onto_budget(W, K * problem.e_w)
            if f != 1.0:
                record["classifier_scale"] = f
    elif problem.constraint == Constraint.PER_SAMPLE:
        scales = np.ones(F.shape[1])
        cols = []
        for j in range(F.shape[1]):
            col, scales[j] = onto_budget(F[:, j], problem.e_h)
            cols.append(col)
        if np.any(scales != 1.0):
            F = np.stack(cols, axis=1)
            record["column_scales"] = scales.tolist()
    if not record:
        return solution
    if H is not None and ("feature_scale" in record or "column_scales" in record):
        from nctheory.solvers.convex._model import class_means

        H = F
        H_mean = class_means(problem, H)
    elif H is None:
        H_mean = F
    objective = _objective(problem, W, H_mean, b, H)
    extra = {**solution.extra, "feasibility_repair": {**record, "objective_before": solution.objective}}
    return replace(solution, W=W, H_mean=H_mean, H=H, logits_mean=W @ H_mean + b[:, None], objective=objective,
                   extra=extra)
