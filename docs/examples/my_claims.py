r"""Your own theorem, checked without editing nctheory: a loss and three claims in one file.

Run::

    nctheory check --claims docs/examples/my_claims.py --only me/      # all three; exit 1 (one is false)
    nctheory verify me/temperature-etf --claims docs/examples/my_claims.py --sizes 6x4 --lambda-w 1e-2 \
        --lambda-h 1e-2 --loss ce-temperature
    nctheory search me/majority-norm-ratio --claims docs/examples/my_claims.py --budget 10

or, in Python / pytest, ``load_claims("docs/examples/my_claims.py")`` and ``nctheory.testing.assert_claim``.

What is here
------------
1. A **loss** of your own: cross-entropy at temperature T, :math:`\ell_T(z, y) = \mathrm{CE}(z/T, y)`.  Because
   it provides its conjugate (:math:`\ell_T^*(u) = \mathrm{CE}^*(Tu)`), the certified solver handles it and
   certifies every answer -- nothing in the package knows about this loss.
2. ``me/temperature-etf`` (true, derived here): balanced classes, temperature T: the optimum is the simplex ETF
   :math:`W\bar H = cS` with margin :math:`c = T\log\frac{1-(K-1)sT}{sT}`, :math:`s = \sqrt{n\lambda_W\lambda_H}`
   (Zhu et al.'s form with the logits scaled: stationarity of
   :math:`\log(1+(K-1)e^{-c/T}) + s(K-1)c`), or 0 when :math:`KsT \ge 1`.
3. ``me/column-sums`` (true, catalogue R2): CE without bias -- every column of the mean-logit matrix sums to 0.
4. ``me/majority-norm-ratio`` (false, on purpose): "the majority-to-minority classifier norm ratio equals
   :math:`n_A/n_B`".  ``nctheory check`` fails it with a certified counterexample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.claims import Claim, Prediction, Requires, Tolerance
from nctheory.model import Problem
from nctheory.model.losses import CrossEntropy, Loss, register_loss
from nctheory.observe import centred_classifier, zbar


# ------------------------------------------------------------------------------------ a loss
@dataclass(frozen=True, eq=False)
class TemperatureCE(Loss):
    r"""Cross-entropy of the logits divided by a temperature T > 0: :math:`\ell_T(z, y) = \mathrm{CE}(z/T, y)`."""

    temperature: float = 2.0
    name = "ce-temperature"
    shift_invariant = True

    def __post_init__(self):
        if not (isinstance(self.temperature, (int, float)) and math.isfinite(self.temperature) and self.temperature > 0):
            raise ValueError(f"temperature: must be a finite number > 0, got {self.temperature!r}")

    @property
    def _ce(self):
        return CrossEntropy()

    @property
    def curvature(self) -> float:
        return 0.5 / self.temperature**2  # the CE Hessian bound 1/2, times the chain rule's 1/T²

    def value_grad(self, Z, labels):
        values, G = self._ce.value_grad(np.asarray(Z) / self.temperature, labels)
        return values, G / self.temperature

    def hessian_sum(self, Z, labels, weights):
        return self._ce.hessian_sum(np.asarray(Z) / self.temperature, labels, weights) / self.temperature**2

    # ℓ_T*(u) = CE*(T u): the dual point of ℓ_T is T times a dual point of CE
    def neg_conjugate(self, U, labels):
        return self._ce.neg_conjugate(self.temperature * np.asarray(U), labels)

    def dual_segment(self, U_in, U_out, labels):
        return self._ce.dual_segment(self.temperature * np.asarray(U_in), self.temperature * np.asarray(U_out), labels)

    def dual_zero_bias(self, U, weights, labels):
        return self._ce.dual_zero_bias(self.temperature * np.asarray(U), weights, labels) / self.temperature

    def cvxpy(self, logits, labels, weights):
        return self._ce.cvxpy(logits / self.temperature, labels, weights)


register_loss(TemperatureCE, replace=True)


# ------------------------------------------------------------------------ claim 1 (true)
def temperature_margin(K: int, n: int, lambda_w: float, lambda_h: float, T: float) -> float:
    """The ETF margin c (module doc); 0 in the zero regime K s T >= 1."""
    sT = math.sqrt(n * lambda_w * lambda_h) * T
    return T * math.log((1 - (K - 1) * sT) / sT) if K * sT < 1 else 0.0


def _temperature_predict(problem):
    K, n = problem.K, problem.sizes[0]
    T = problem.loss.temperature
    c = temperature_margin(K, n, problem.lambda_w, problem.lambda_h, T)
    S = np.eye(K) - 1.0 / K
    s = problem.lam * math.sqrt(n)
    objective = math.log1p((K - 1) * math.exp(-c / T)) + s * (K - 1) * c if c > 0 else math.log(K)
    return Prediction("me/temperature-etf", problem, {"mean_logits": c * S}, objective=objective)


def _temperature_observe(problem, solution):
    Z = zbar(solution)
    return {"mean_logits": Z - Z.mean(axis=0, keepdims=True)}  # CE ignores a common shift of each column


TEMPERATURE_ETF = Claim(
    id="me/temperature-etf",
    source="user (derived in docs/examples/my_claims.py)",
    provenance=("user", "derived"),
    statement="Balanced CE at temperature T: the mean logits are c·S with c = T log((1-(K-1)sT)/(sT)), "
              "s = sqrt(n λ_W λ_H); zero when K s T >= 1.",
    requires=Requires.ufm("ce-temperature", balanced=True),
    predict=_temperature_predict,
    observe=_temperature_observe,
    reference=("certified",),
    defaults=lambda: [Problem(sizes=(6, 6, 6, 6), lambda_w=1e-2, lambda_h=1e-2,
                                                     loss=TemperatureCE(2.0))],
    tolerances={"mean_logits": Tolerance(1e-7, 1e-6, "certified solves at rel gap 1e-12 fix the logits to ~1e-8 "
                                                     "relative here (measured); the precision estimate covers the rest")},
    solver_options={"certified": {"tol": 1e-12}},
)


# ------------------------------------------------------------------------ claim 2 (true)
def _sums_predict(problem):
    return Prediction("me/column-sums", problem, {"column_sums": np.zeros(problem.K)})


def _sums_observe(problem, solution):
    Z = zbar(solution)
    return {"column_sums": Z.sum(axis=0) / max(1.0, float(np.abs(Z).max()))}


COLUMN_SUMS = Claim(
    id="me/column-sums",
    source="catalogue R2 (a remark)",
    provenance=("user", "derived"),
    statement="CE, no bias: every column of the mean logits W H̄ sums to 0 (relative to max |W H̄|).",
    requires=Requires.ufm("ce", bias=("none",)),
    predict=_sums_predict,
    observe=_sums_observe,
    reference=("certified",),
    defaults=lambda: [Problem(sizes=(50, 20, 5, 5), lambda_w=1e-3, lambda_h=1e-3)],
    tolerances={"column_sums": Tolerance(1e-7, 0.0, "a relative column sum; certified solves give ~1e-10")},
    solver_options={"certified": {"tol": 1e-12}},
)


# ----------------------------------------------------------------------- claim 3 (false)
def _ratio_predict(problem):
    nA, nB = max(problem.sizes), min(problem.sizes)
    return Prediction("me/majority-norm-ratio", problem, {"norm_ratio": nA / nB})


def _ratio_observe(problem, solution):
    W = centred_classifier(solution)
    sq = np.einsum("kd,kd->k", W, W)
    n = np.asarray(problem.sizes)
    return {"norm_ratio": float(sq[n == n.max()].mean() / sq[n == n.min()].mean())}


NORM_RATIO = Claim(
    id="me/majority-norm-ratio",
    source="user (a naive guess, false on purpose)",
    provenance=("user",),
    statement="Two clusters: ‖w_A‖²/‖w_B‖² = n_A/n_B (majority over minority classifier squared norms).",
    requires=Requires.ufm("ce", conditions=(
        lambda p: [] if len(set(p.sizes)) == 2 else ["sizes: needs exactly two distinct class sizes"],)),
    predict=_ratio_predict,
    observe=_ratio_observe,
    reference=("certified",),
    defaults=lambda: [Problem(sizes=(100, 100, 10, 10), lambda_w=1e-3, lambda_h=1e-3)],
    tolerances={"norm_ratio": Tolerance(0.0, 1e-3, "a ratio of certified norms; 1e-3 relative is generous")},
    solver_options={"certified": {"tol": 1e-12}},
)

CLAIMS = [TEMPERATURE_ETF, COLUMN_SUMS, NORM_RATIO]
