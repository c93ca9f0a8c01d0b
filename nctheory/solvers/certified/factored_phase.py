r"""The factored (Burer-Monteiro) phase of :mod:`~nctheory.solvers.certified.dense` (step 1): the objective on
:math:`(A, B, \beta)`, its preconditioner, the certificate schedule and the L-BFGS driver."""

from __future__ import annotations

import math
import time

import numpy as np

from nctheory.solvers.certified.bookkeeping import _Best, _Clock, _Outcome
from nctheory.solvers.certified.dual import DualBound
from nctheory.solvers.certified.smooth import ReducedSmooth
from nctheory.solvers.certified.lbfgs import minimize as lbfgs_minimize
from nctheory.solvers.result import relative_gap

_EPS = np.finfo(np.float64).eps
#: Memory budget (bytes) for the L-BFGS history, and the fewest pairs kept whatever K.
_LBFGS_BYTES = 160 * 2**20  # m = 5 at K = 1000: 15 iterations as m = 10, 17% less time, 508 vs 681 MB peak
_LBFGS_MIN_MEMORY = 3
#: Certificate schedule of the factored phase (see _Schedule): the gradient rule's first certificate when the
#: gradient norm has fallen by _FIRST_CERTIFICATE; certificates aimed at _SCHEDULE_AIM × the target gap; the
#: primal rule's window (iterations).
_FIRST_CERTIFICATE = 1e-6
_SCHEDULE_AIM = 0.2
_WINDOW = 4
_RATE_MIN, _RATE_MAX = 0.5**_WINDOW, 0.95**_WINDOW


class _Factored:
    r"""The factored objective on :math:`v = (A, B, \beta)`, :math:`X = AB^\top`, :math:`b = s\beta`.

    The bias scale :math:`s = N^{-1/8}\min(1, \sqrt{10\lambda/\lambda_b})` is a diagonal
    preconditioner for L-BFGS.  When :math:`\lambda_b` dominates the curvature of the bias
    block, :math:`s^2\lambda_b \approx 10\lambda` puts it on the scale of the penalty curvature
    :math:`\lambda` of the factor blocks; otherwise (free or weakly penalised bias) the
    factor :math:`N^{-1/8}` was chosen by measured iteration counts over 28 instances
    (K = 10..300, free and regularised bias, λ from 1e-8 to 1e-3), where it beat
    :math:`N^{-1/4}`, :math:`N^{-1/2}`, 1 and multiples of them.
    """

    def __init__(self, smooth: ReducedSmooth):
        self.smooth = smooth
        self.K = smooth.K
        self.size = self.K * self.K
        self.has_bias = smooth.bias != "none"
        bias_weight = math.sqrt(10.0 * smooth.lam / smooth.lambda_b) if smooth.lambda_b > 0 else 1.0
        self.b_scale = smooth.N**-0.125 * min(1.0, bias_weight)
        self.evaluations = 0
        self.last = None
        self._X = self._b = self._w = self._jj = None

    def pack(self, A, B, b) -> np.ndarray:
        parts = [A.ravel(), B.ravel()]
        if self.has_bias:
            parts.append((np.zeros(self.K) if b is None else b) / self.b_scale)
        return np.concatenate(parts)

    def unpack(self, v):
        K, size = self.K, self.size
        A = v[:size].reshape(K, K)
        B = v[size : 2 * size].reshape(K, K)
        b = v[2 * size :] * self.b_scale if self.has_bias else np.zeros(K)
        return A, B, b

    def __call__(self, v):
        self.evaluations += 1
        lam = self.smooth.lam
        A, B, b = self.unpack(v)
        X = A @ B.T
        value, grad_x, grad_b, Gamma = self.smooth.joint(X, b)
        a, bb = v[: self.size], v[self.size : 2 * self.size]
        value += 0.5 * lam * (float(a @ a) + float(bb @ bb))  # dot products: no K x K temporaries
        # the gradient written in place into one vector (no concatenation copy)
        grad = np.empty_like(v)
        gA = grad[: self.size].reshape(self.K, self.K)
        gB = grad[self.size : 2 * self.size].reshape(self.K, self.K)
        np.matmul(grad_x, B, out=gA)
        np.matmul(grad_x.T, A, out=gB)
        del grad_x
        grad[: 2 * self.size] += lam * v[: 2 * self.size]
        if self.has_bias:
            grad[2 * self.size :] = grad_b * self.b_scale
        self.last = (v, value, Gamma)  # the certificate at an accepted iterate reuses its Γ (the last evaluation)
        self._X, self._b, self._w = X, b, None
        return value, grad

    def label_curvature(self) -> np.ndarray:
        r""":math:`w_k = \partial^2\varphi/\partial X_{kk}^2 = \ell''_{kk}(z_k)/N` at the last evaluation (bias fixed), by a
        forward difference of the gradient along the label logits (any loss; a preconditioner needs no more)."""
        if self._w is None:
            sm = self.smooth
            Z = self._X / sm.sqrt_n + self._b[:, None]
            h = 1e-4
            Gamma = self.last[2]
            idx = np.arange(self.K)
            Z[idx, idx] += h
            _, Gamma_h = sm.loss.value_grad(Z, sm.labels)
            self._w = np.maximum((Gamma_h[idx, idx] - Gamma[idx, idx]) / h, 0.0) / sm.N
        return self._w

    def precondition(self, q: np.ndarray) -> np.ndarray:
        r""":math:`P^{-1}q` for :math:`P = \lambda I + \sum_k w_kj_kj_k^\top` (module doc: the label directions), at the
        last evaluated point; :math:`j_k` = (row k of A: :math:`b_k`, row k of B: :math:`a_k`), so P is block diagonal
        over the pairs (row k of A, row k of B) and each block is inverted by Sherman-Morrison."""
        K, size, lam = self.K, self.size, self.smooth.lam
        v = self.last[0]
        A = v[:size].reshape(K, K)
        B = v[size : 2 * size].reshape(K, K)
        if self._jj is None or self._jj[0] is not v:
            w = self.label_curvature()
            jj = np.einsum("ij,ij->i", A, A) + np.einsum("ij,ij->i", B, B)
            self._jj = (v, w / (lam + w * jj))
        factor = self._jj[1]
        qA = q[:size].reshape(K, K)
        qB = q[size : 2 * size].reshape(K, K)
        c = (np.einsum("ij,ij->i", qA, B) + np.einsum("ij,ij->i", qB, A)) * factor
        out = np.empty_like(q)
        outA = out[:size].reshape(K, K)
        outB = out[size : 2 * size].reshape(K, K)
        np.multiply(B, c[:, None], out=outA)
        np.subtract(qA, outA, out=outA)
        np.multiply(A, c[:, None], out=outB)
        np.subtract(qB, outB, out=outB)
        out[: 2 * size] *= 1.0 / lam
        if self.has_bias:
            out[2 * size :] = q[2 * size :] / lam
        return out


    def dual_at(self, v) -> tuple[float, np.ndarray]:
        """``(f(v), Γ at v)``: from the last evaluation if it was at ``v`` (the accepted point of a line search)."""
        if self.last is None or self.last[0] is not v:
            self(v)
        return self.last[1], self.last[2]


def _lbfgs_memory(K: int) -> int:
    """History length: 20 pairs, fewer when 2·m·2K² doubles would exceed :data:`_LBFGS_BYTES`, at least
    :data:`_LBFGS_MIN_MEMORY` (3: at K = 3000 the history -- m + 1 rows of S and Y -- is then 1.15 GB; with the former
    minimum 5 it was 1.7 GB of a measured 3.85 GB peak.  At K = 1500 m = 3, 4, 5 all took 15 iterations; at
    K = 1000 m = 3 took 22 against 15 for m = 5 and 10)."""
    return int(max(_LBFGS_MIN_MEMORY, min(20, _LBFGS_BYTES // (2 * 2 * K * K * 8))))


class _Schedule:
    r"""When the factored phase takes a certificate (module doc, step 1); each costs about one K×K SVD.

    *Primal rule* (the usual trigger).  Near the optimum both the primal value's error and the saturated dual
    point's are second order, so the certified gap is a small multiple of :math:`f_k - f^*` (at least 1: the gap
    bounds it).  L-BFGS converges linearly, so :math:`f_k - f^*` is estimated from the decreases over the last two
    windows of :data:`_WINDOW` iterations, :math:`D_1 = f_{k-w} - f_k`, :math:`D_0 = f_{k-2w} - f_{k-w}`, as the
    geometric tail :math:`D_1 r/(1 - r)`, :math:`r = D_1/D_0` clamped to [:data:`_RATE_MIN`, :data:`_RATE_MAX`] (the
    rate is irregular, and superlinear stretches after a warm start would make the raw ratio tiny: a rate of at least
    0.5 per iteration is assumed); a certificate is taken when the estimate is below
    :data:`_SCHEDULE_AIM` × the target (relative to :math:`\max(1, |f|)`), while the decreases are well above rounding
    (:math:`D_1 > 64\varepsilon|f|`).  After a certificate that did not reach the target (gap
    :math:`\Delta` at :math:`f_c`), the next one also waits until :math:`f \le f_c - (\Delta - \text{aim})/4` (relative
    units): the gap has to fall, and it is at most 4× the primal error in the measurements behind these numbers.

    *Gradient rule* (backstop, e.g. when value differences are at rounding level).  The certified gap falls like a
    power of the gradient norm, :math:`c\|g\|^p`; p is fitted to the last two certificates (clamped to [1, 2.5]; 2
    after one), and a certificate is taken where the fit predicts the aim, but at least 2× and at most
    :math:`10^3`× below the last certificate's gradient norm; the first when the gradient norm has fallen by
    :data:`_FIRST_CERTIFICATE`.  Also every 200 iterations (the period doubling each time), and when L-BFGS stops.
    """

    def __init__(self, target: float):
        self.target = target
        self.g0 = None
        self.next = None
        self.since = 0
        self.period = 200
        self.history: list[tuple[float, float]] = []
        self.values: list[float] = []
        self.f_required = math.inf

    def primal_error(self) -> float | None:
        """The extrapolated :math:`(f_k - f^*)/\\max(1, |f_k|)`, or None when the last windows do not allow it."""
        w, fs = _WINDOW, self.values
        if len(fs) < 2 * w + 1:
            return None
        f = fs[-1]
        D1, D0 = fs[-1 - w] - f, fs[-1 - 2 * w] - fs[-1 - w]
        if not (D0 > D1 > 64.0 * _EPS * abs(f)):
            return None
        r = min(_RATE_MAX, max(_RATE_MIN, D1 / D0))
        return D1 * r / (1.0 - r) / max(1.0, abs(f))

    def due(self, gnorm: float, f: float) -> bool:
        if self.g0 is None:
            self.g0, self.next = gnorm, _FIRST_CERTIFICATE * gnorm
        self.values.append(f)
        self.since += 1
        if self.since >= self.period:
            self.period *= 2
            return True
        if f <= self.f_required or not self.history:
            error = self.primal_error()
            if error is not None and error <= _SCHEDULE_AIM * self.target:
                return True
        return gnorm <= self.next

    def taken(self, gnorm: float, f: float, gap: float, target: float) -> None:
        self.since = 0
        self.target = target
        if not (gap > 0 and gnorm > 0 and math.isfinite(gap)):
            self.next = 0.1 * gnorm
            return
        self.f_required = f - 0.25 * (gap - _SCHEDULE_AIM * target) * max(1.0, abs(f))
        power = 2.0
        if self.history:
            g_prev, gap_prev = self.history[-1]
            if g_prev > gnorm and gap_prev > gap > 0:
                power = min(2.5, max(1.0, math.log(gap_prev / gap) / math.log(g_prev / gnorm)))
        self.history.append((gnorm, gap))
        predicted = gnorm * (_SCHEDULE_AIM * target / gap) ** (1.0 / power)
        self.next = min(0.5 * gnorm, max(predicted, 1e-3 * gnorm))


def _factored_phase(smooth, start, b0, best: _Best, tol: float, budget: int, clock: _Clock, log,
                    seed: int = 20240917, certify_start: bool = False) -> _Outcome:
    """Step 1 of the algorithm (module doc): L-BFGS on the balanced factorisation with certificates.

    ``start`` is a one-item list ``[(A0, B0)]`` with :math:`X_0 = A_0B_0^\top` (K × r each, r <= K), nearly
    balanced; they are padded to K columns.  The call empties the list, so that the caller keeps no reference to
    the start while the phase runs (memory: two K × K matrices at large K).  ``certify_start``: take a certificate at the start (one expected to be optimal
    already) before the perturbation."""
    K = smooth.K
    objective = _Factored(smooth)
    A0, B0 = start.pop()
    r = A0.shape[1]
    rng = np.random.default_rng(seed)
    scale = math.sqrt(max(float(np.max(np.sum(A0 * A0, axis=0), initial=0.0)),
                          float(np.max(np.sum(B0 * B0, axis=0), initial=0.0))))
    jitter = 1e-3 * max(scale, math.sqrt(smooth.lam * smooth.N), 1e-8)
    A = np.zeros((K, K))
    B = np.zeros((K, K))
    A[:, :r] = A0
    B[:, :r] = B0
    del A0, B0
    schedule = _Schedule(max(tol, best.floor(K)))
    state = {"reason": ""}
    floor = lambda: max(tol, best.floor(K))  # noqa: E731

    def certify(v, gnorm):
        f, Gamma = objective.dual_at(v)
        A, B, b = objective.unpack(v)
        best.offer_factors(f, A.copy(), B.copy(), b.copy() if objective.has_bias else None)
        t0 = time.perf_counter()
        bound = DualBound.from_gradient(smooth, Gamma, saturate=True, recheck=False)
        clock.observe_svd(time.perf_counter() - t0)
        best.offer_bound(bound)
        gap = relative_gap(f, bound.value) if math.isfinite(bound.value) else math.inf
        converged = best.rel_gap(provisional=True) <= floor()
        if converged and best.pending is not None:
            best.confirm(smooth)  # the provisional bound is measured once, when it would end the phase
            converged = best.rel_gap() <= floor()
        if log is not None:
            log(f"factored: certificate F={best.value:.15g} LB={best.provisional_lower():.15g} "
                f"rel_gap={best.rel_gap(provisional=True):.3e} |grad|={gnorm:.3e} ({bound.candidate})")
        if converged:
            return True
        schedule.taken(gnorm, f, gap, floor())
        return False

    def on_iteration(v, f, g, it):
        gnorm = float(np.linalg.norm(g))
        if clock.expired():
            state["reason"] = "time_limit"
            return True
        if schedule.due(gnorm, f) and certify(v, gnorm):
            state["reason"] = "converged"
            return True
        return False

    if certify_start and not clock.expired():
        v0 = objective.pack(A, B, b0)
        f0, g0 = objective(v0)
        if certify(v0, float(np.linalg.norm(g0))):
            if log is not None:
                log("factored phase: the start is certified")
            return _Outcome(0, "converged")
        del v0, g0
    # the padding columns (the null directions of X0: a saddle of the factored objective, where their gradient
    # vanishes) get a small deterministic perturbation, so that they are not invariant
    A[:, r:] = jitter * rng.standard_normal((K, K - r))
    B[:, r:] = jitter * rng.standard_normal((K, K - r))
    packed = [objective.pack(A, B, b0)]
    del A, B  # memory: only the packed start stays, and only until L-BFGS takes its first step (popped below)
    v, f, g, iterations, reason = lbfgs_minimize(objective, packed.pop(), _lbfgs_memory(K), budget,
                                                 on_iteration, should_stop=clock.expired,
                                                 precondition=objective.precondition)
    if reason == "callback":
        reason = state["reason"]
    elif reason == "stopped":
        reason = "time_limit"
    elif certify(v, float(np.linalg.norm(g))):  # final certificate at the stalled / last point
        reason = "converged"
    if reason == "time_limit":  # keep the last iterate as a primal point (f bounds F at AB^T from above)
        A, B, b = objective.unpack(v)
        best.offer_factors(f, A.copy(), B.copy(), b.copy() if objective.has_bias else None)
    if log is not None:
        log(f"factored phase: {iterations} L-BFGS iterations, {objective.evaluations} evaluations, stop: {reason}")
    return _Outcome(iterations, reason)
