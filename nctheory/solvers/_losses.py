r"""The smooth part of reduction R2 and its Fenchel dual bound.

Per-class losses (catalogue §0), on a logit matrix ``Z`` whose column k,
:math:`z_k`, is scored against label k:

* cross-entropy  :math:`\ell_k(z) = \operatorname{logsumexp}(z) - z_k`,
  :math:`\nabla\ell_k(z) = p - e_k`, :math:`p = \operatorname{softmax}(z)`;
  conjugate :math:`\ell_k^*(y) = \sum_i q_i\log q_i` with :math:`q = y + e_k`, finite only
  when :math:`q` is a probability vector (:math:`0\log 0 = 0`);
* squared error  :math:`\ell_k(z) = \tfrac12\|z - e_k\|^2`, :math:`\nabla\ell_k(z) = z - e_k`;
  conjugate :math:`\ell_k^*(y) = y_k + \tfrac12\|y\|^2`.

Smooth part in the coordinates :math:`X = \bar Z D^{1/2}` (so :math:`\bar z_k = x_k/\sqrt{n_k}`),
:math:`\pi_k = n_k/N`, with the bias minimised out:

.. math::

    \varphi(X) = \min_b\; \sum_k \pi_k\,\ell_k(x_k/\sqrt{n_k} + b)
                 + \tfrac{\lambda_b}{2}\|b\|^2
    \qquad(b \equiv 0 \text{ without bias}, \lambda_b = 0 \text{ for a free bias}).

:math:`\nabla\varphi(X) = \frac1N\,\Gamma D^{1/2}`, where :math:`\Gamma = [\nabla\ell_k(z_k + b^*)]_k` is the
logit-space gradient.  Partial minimisation does not increase curvature
(:math:`\nabla^2\varphi = A - BC^{-1}B^\top \preceq A`), so :math:`\nabla\varphi` is Lipschitz with
:math:`L = 1/(2N)` (CE: :math:`\nabla^2\ell_k \preceq \tfrac12 I`) or :math:`1/N` (MSE).

Dual bound (weak duality, derived in :mod:`nctheory.solvers.certified`): for any
:math:`Y\in\mathbb R^{K\times K}` with :math:`\|Y D^{1/2}\|_2 \le \lambda N`, and :math:`Y\pi = 0`
for a free bias,

.. math::

    \mathrm{LB}(Y) = -\sum_k \pi_k\,\ell_k^*(y_k) \;-\; \frac{\|Y\pi\|^2}{2\lambda_b}
    \quad(\text{last term only for a regularised bias})

is below the optimal value of R2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.solvers._svd import svd

__all__ = [
    "ce_losses",
    "mse_losses",
    "ce_neg_conjugate",
    "mse_neg_conjugate",
    "Evaluation",
    "ReducedSmooth",
    "DualBound",
]

_EPS = np.finfo(np.float64).eps


# --------------------------------------------------------------------------- losses
def ce_losses(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Column-wise cross-entropy against the diagonal labels.

    Parameters
    ----------
    Z : ndarray, shape (K, K)
        Column k holds the logits of a sample of class k.

    Returns
    -------
    values : ndarray, shape (K,)
        :math:`\ell_k(z_k) = \operatorname{logsumexp}(z_k) - Z_{kk}`, computed with the
        column maximum :math:`m_k` shifted out (no overflow for logits of any size);
        when the true class holds the maximum the value is
        :math:`\operatorname{log1p}(\sum_{i\ne k} e^{Z_{ik}-m_k})`, exact for tiny losses.
    P : ndarray, shape (K, K)
        Column-wise softmax :math:`p_k`; the gradient is ``P - I``.
    """
    shift = Z.max(axis=0)
    E = np.exp(Z - shift)
    total = E.sum(axis=0)
    P = E / total
    diag = np.diagonal(Z)
    true_is_max = diag >= shift
    others = total - np.diagonal(E)  # = sum_{i != k} exp(z_ik - m_k) when the true class is the max
    values = np.where(
        true_is_max,
        np.log1p(np.where(true_is_max, others, 0.0)),
        (shift - diag) + np.log(total),
    )
    return values, P


def mse_losses(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Column-wise :math:`\tfrac12\|z_k - e_k\|^2`; returns ``(values, Z - I)`` (the gradient)."""
    R = Z - np.eye(Z.shape[0])
    return 0.5 * np.einsum("ij,ij->j", R, R), R


def ce_neg_conjugate(Q: np.ndarray, weights: np.ndarray) -> float:
    r"""Weighted entropy :math:`-\sum_k w_k\,\ell_k^*(q_k - e_k) = \sum_k w_k\,\mathcal H(q_k)`.

    ``Q`` must have probability-vector columns; a negative entry makes the conjugate
    :math:`+\infty` and the function returns ``-inf``.
    """
    if np.any(Q < 0.0):
        return -np.inf
    safe = np.where(Q > 0.0, Q, 1.0)
    terms = -Q * np.log(safe)  # 0 log 0 = 0 since Q = 0 there
    # contiguous rows -> numpy's pairwise summation (error ~ log K, not K, roundings)
    return float(np.ascontiguousarray(terms.T).sum(axis=1) @ weights)


def mse_neg_conjugate(Y: np.ndarray, weights: np.ndarray) -> float:
    r""":math:`-\sum_k w_k\,\ell_k^*(y_k) = -\sum_k w_k\,(Y_{kk} + \tfrac12\|y_k\|^2)` for MSE."""
    per_column = np.diagonal(Y) + 0.5 * np.ascontiguousarray((Y * Y).T).sum(axis=1)
    return float(-(per_column @ weights))


# ------------------------------------------------------------------- smooth part
@dataclass(frozen=True)
class Evaluation:
    r"""The smooth part at one point ``X``.

    Attributes
    ----------
    value : float
        :math:`\varphi(X)` (bias minimised out, penalty on b included).
    grad : ndarray, shape (K, K)
        :math:`\nabla\varphi(X) = \frac1N \Gamma D^{1/2}`.
    b : ndarray, shape (K,)
        The minimising bias (zeros without bias).
    dual : ndarray, shape (K, K)
        CE: the softmax matrix ``P`` (:math:`\Gamma = P - I`); MSE: :math:`\Gamma` itself.
    """

    value: float
    grad: np.ndarray
    b: np.ndarray
    dual: np.ndarray


class ReducedSmooth:
    r"""Smooth part :math:`\varphi` of R2 for one :class:`~nctheory.problem.Problem` (see module doc)."""

    def __init__(self, problem):
        self.K = problem.K
        self.N = float(problem.N)
        self.n = problem.n
        self.sqrt_n = np.sqrt(self.n)
        self.pi = problem.weights
        self.lam = problem.lam
        self.loss = problem.loss
        self.bias = problem.bias
        self.lambda_b = float(problem.lambda_b)
        self.lipschitz = (0.5 if self.loss == "ce" else 1.0) / self.N
        self.eye = np.eye(self.K)
        self.bias_newton_steps = 0

    # -- joint function of (X, b), used by the factored phase ---------------------
    def joint(self, X: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        r"""Value, X-gradient, b-gradient and ``dual`` matrix of
        :math:`\sum_k \pi_k\ell_k(x_k/\sqrt{n_k} + b) + \frac{\lambda_b}2\|b\|^2` at a given b."""
        Z = X / self.sqrt_n + b[:, None]
        values, M = (ce_losses if self.loss == "ce" else mse_losses)(Z)
        Gamma = M - self.eye if self.loss == "ce" else M
        value = float(values @ self.pi) + 0.5 * self.lambda_b * float(b @ b)
        grad_x = Gamma * (self.sqrt_n / self.N)
        grad_b = Gamma @ self.pi + self.lambda_b * b if self.bias != "none" else np.zeros(self.K)
        return value, grad_x, grad_b, M

    # -- bias elimination ------------------------------------------------------------
    def optimal_bias(self, Zbar: np.ndarray, b_start: np.ndarray | None) -> np.ndarray:
        r"""Minimiser of :math:`\sum_k\pi_k\ell_k(\bar z_k + b) + \frac{\lambda_b}2\|b\|^2` over b.

        MSE: :math:`b^* = (\pi - \bar Z\pi)/(1+\lambda_b)`.  CE: damped Newton from ``b_start``
        with Hessian :math:`\operatorname{diag}(P\pi) - P\operatorname{diag}(\pi)P^\top + \lambda_b I`;
        for a free bias the CE loss is invariant under :math:`b \to b + c\mathbf 1`, so the
        gauge :math:`\mathbf 1^\top b = 0` is fixed (Newton system regularised by a multiple
        of :math:`\mathbf 1\mathbf 1^\top`, which leaves steps in :math:`\mathbf 1^\perp`).
        Stops when the Newton decrement (twice the predicted decrease) is below
        :math:`10^{-24}` or stops decreasing.
        """
        K, pi, lb = self.K, self.pi, self.lambda_b
        if self.bias == "none":
            return np.zeros(K)
        if self.loss == "mse":
            return (pi - Zbar @ pi) / (1.0 + lb)
        b = np.zeros(K) if b_start is None else np.array(b_start, dtype=np.float64)
        if lb == 0.0:
            b -= b.mean()

        def value_of(bb):
            v, P = ce_losses(Zbar + bb[:, None])
            return float(v @ pi) + 0.5 * lb * float(bb @ bb), P

        f, P = value_of(b)
        grad = P @ pi - pi + lb * b
        for _ in range(100):
            Hess = np.diag(P @ pi) - (P * pi) @ P.T + lb * np.eye(K)
            scale = max(float(np.trace(Hess)) / K, 1e-300)
            if lb == 0.0:
                grad -= grad.mean()
                Hess += scale / K  # + (scale/K) 1 1^T: fixes the gauge, keeps steps in 1^perp
            Hess += (1e-14 * scale) * np.eye(K)
            try:
                step = -np.linalg.solve(Hess, grad)
            except np.linalg.LinAlgError:
                step = -np.linalg.lstsq(Hess, grad, rcond=None)[0]
            decrement = -float(grad @ step)
            self.bias_newton_steps += 1
            if not np.isfinite(decrement) or decrement <= 1e-24:
                break
            grad_norm = float(np.linalg.norm(grad))
            t, accepted = 1.0, False
            for _halving in range(40):
                trial = b + t * step
                f_trial, P_trial = value_of(trial)
                grad_trial = P_trial @ pi - pi + lb * trial
                # Armijo, or (near the solution, where value differences drown in
                # rounding) a halved gradient norm.
                if f_trial <= f - 0.25 * t * decrement or float(np.linalg.norm(grad_trial)) <= 0.5 * grad_norm:
                    accepted = True
                    break
                t *= 0.5
            if not accepted:
                break
            b, f, P, grad = trial, f_trial, P_trial, grad_trial
            if decrement <= 1e-20 and t == 1.0:  # quadratic convergence: next step is at rounding level
                break
        if lb == 0.0:
            b -= b.mean()
        return b

    def evaluate(self, X: np.ndarray, b_start: np.ndarray | None = None) -> Evaluation:
        r""":math:`\varphi(X)`, its gradient and the minimising bias."""
        b = self.optimal_bias(X / self.sqrt_n, b_start)
        value, grad_x, _, M = self.joint(X, b)
        return Evaluation(value=value, grad=grad_x, b=b, dual=M)

    # -- certificate -------------------------------------------------------------------
    def lower_bound(self, ev: Evaluation) -> "DualBound":
        r"""A valid lower bound on the optimum of R2 from the gradient at ``ev`` (see :class:`DualBound`)."""
        return DualBound.from_evaluation(self, ev)


@dataclass(frozen=True)
class DualBound:
    r"""A dual-feasible point built from a gradient, and its value.

    Construction (logit space, :math:`\Gamma` = gradient matrix at the current point):

    1. *Bias feasibility* (free bias only, needs :math:`Y\pi = 0`).  CE: with
       :math:`Q = P`, :math:`r = \pi - Q\pi`, set :math:`Q \leftarrow Q + r\mathbf 1^\top` (column
       sums stay 1 because :math:`\mathbf 1^\top r = 0`) and, if that made an entry negative,
       mix with :math:`\pi\mathbf 1^\top` (which satisfies :math:`Q\pi = \pi`) just enough to
       restore non-negativity.  MSE: :math:`Y \leftarrow Y - (Y\pi)\mathbf 1^\top`.
    2. *Spectral feasibility*, with :math:`G = \frac1N Y D^{1/2} = U\Sigma V^\top` and radius
       :math:`\rho = \lambda(1 - 8K\varepsilon)` (a margin for SVD rounding):

       * scaled: :math:`Y_s = cY`, :math:`c = \min(1, \rho/\sigma_1)` (for CE:
         :math:`Q_s = cQ + (1-c)I`, still column-stochastic);
       * clipped: :math:`Y_c = Y - N\Delta D^{-1/2}`, :math:`\Delta = \sum_{\sigma_i>\rho}(\sigma_i-\rho)u_iv_i^\top`
         (only the excess is removed; :math:`\mathbf 1^\top\Delta = 0` and
         :math:`\Delta\sqrt n = 0` whenever :math:`\mathbf 1^\top G = 0`, :math:`G\sqrt n = 0`,
         so the simplex and bias constraints are kept).  For CE a clipped column may
         lose non-negativity; then :math:`\theta Y_c + (1-\theta)Y_s` with the largest
         feasible :math:`\theta` is used (the spectral ball is convex).

    3. The bound is the best value of :math:`\mathrm{LB}(Y)` (module doc) over the candidates.

    Every candidate is feasible up to floating-point rounding, so ``value`` is a true
    lower bound up to rounding of relative size :math:`\sim K\varepsilon`.

    Attributes
    ----------
    value : float
    grad_norm_ratio : float
        :math:`\sigma_1(G)/\lambda` (1 at an optimum with :math:`X^* \ne 0`; :math:`\le 1` iff
        :math:`X = 0` is optimal when evaluated at 0).
    candidate : str
        ``"scaled"``, ``"clipped"`` or ``"mixed"``: which dual point gave ``value``.
    """

    value: float
    grad_norm_ratio: float
    candidate: str

    @classmethod
    def from_evaluation(cls, smooth: ReducedSmooth, ev: Evaluation) -> "DualBound":
        K, N, pi, lam = smooth.K, smooth.N, smooth.pi, smooth.lam
        sqrt_n = smooth.sqrt_n
        ce = smooth.loss == "ce"
        eye = smooth.eye
        if ce:
            Q = np.array(ev.dual, dtype=np.float64)
            if smooth.bias == "free":
                Q = _make_stationary(Q, pi)
            Y = Q - eye
        else:
            Y = np.array(ev.dual, dtype=np.float64)
            if smooth.bias == "free":
                Y = Y - np.outer(Y @ pi, np.ones(K))
        G = Y * (sqrt_n / N)
        U, sigma, Vt = svd(G)
        radius = lam * (1.0 - 8.0 * K * _EPS)
        ratio = float(sigma[0] / lam) if lam > 0 else np.inf

        def value_of(Yc, Qc=None):
            if ce:
                v = ce_neg_conjugate(Qc, pi)
            else:
                v = mse_neg_conjugate(Yc, pi)
            if smooth.bias == "regularized":
                v -= float(np.sum((Yc @ pi) ** 2)) / (2.0 * smooth.lambda_b)
            return v

        c = min(1.0, radius / sigma[0]) if sigma[0] > 0 else 1.0
        if ce:
            Q_s = c * Q + (1.0 - c) * eye
            Y_s = Q_s - eye
        else:
            Y_s = c * Y
            Q_s = None
        best = (value_of(Y_s, Q_s), "scaled")
        excess = sigma - radius
        m = int(np.count_nonzero(excess > 0))
        if m > 0 and c < 1.0:
            Delta = (U[:, :m] * excess[:m]) @ Vt[:m]
            correction = Delta * (N / sqrt_n)
            if ce:
                Q_c = Q - correction
                if np.all(Q_c >= 0.0):
                    best = max(best, (value_of(Q_c - eye, Q_c), "clipped"))
                else:
                    # largest theta in [0, 1] with theta*Q_c + (1-theta)*Q_s >= 0 entrywise
                    neg = Q_c < 0.0
                    with np.errstate(divide="ignore", invalid="ignore"):
                        limits = Q_s[neg] / (Q_s[neg] - Q_c[neg])
                    theta = float(np.min(limits)) if limits.size else 1.0
                    theta = max(0.0, min(1.0, theta * (1.0 - 1e-12)))
                    if theta > 0.0:
                        Q_m = np.maximum(theta * Q_c + (1.0 - theta) * Q_s, 0.0)
                        best = max(best, (value_of(Q_m - eye, Q_m), "mixed"))
            else:
                Y_c = Y - correction
                best = max(best, (value_of(Y_c), "clipped"))
        return cls(value=float(best[0]), grad_norm_ratio=ratio, candidate=best[1])


def _make_stationary(Q: np.ndarray, pi: np.ndarray) -> np.ndarray:
    r"""Nearby column-stochastic :math:`Q' \ge 0` with :math:`Q'\pi = \pi` (free-bias dual feasibility)."""
    r = pi - Q @ pi
    Q2 = Q + np.outer(r, np.ones(Q.shape[1]))
    if np.any(Q2 < 0.0):
        target = np.outer(pi, np.ones(Q.shape[1]))  # pi 1^T: stationary and non-negative
        neg = Q2 < 0.0
        theta = float(np.max(-Q2[neg] / (target[neg] - Q2[neg])))
        Q2 = np.maximum((1.0 - theta) * Q2 + theta * target, 0.0)
    return Q2
