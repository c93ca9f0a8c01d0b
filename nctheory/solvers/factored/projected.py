r"""Spectral projected gradient (SPG) for smooth objectives over a set with an exact projection.

Birgin–Martínez–Raydan's SPG2: from :math:`x_k` (feasible) take the direction
:math:`d_k = \Pi(x_k - \alpha_k \nabla f(x_k)) - x_k` with the Barzilai–Borwein step
:math:`\alpha_k = s^\top s / s^\top y` (clipped to :math:`[10^{-30}, 10^{30}]`), and backtrack
:math:`x_k + t d_k` until the non-monotone Armijo test
:math:`f(x_k + t d_k) \le \max_{0\le j<m} f(x_{k-j}) + \gamma\, t\, \nabla f(x_k)^\top d_k`
holds (:math:`\gamma = 10^{-4}`, memory :math:`m = 10`).  Every iterate is feasible (a convex
combination of feasible points, the set being convex), and every limit point is stationary:
:math:`\|x - \Pi(x - \nabla f(x))\| = 0`.  That projected-gradient sup-norm is the stopping test.

Near a solution the change of :math:`f` drops below its rounding level long before the
gradient is small (:math:`\Delta f \sim \|g\|^2`), and on a curved constraint boundary even
:math:`\nabla f^\top d_k` is dominated by the rounding of the projection.  Once
:math:`|f(x_k+td_k) - f(x_k)| \le 10^{-11}|f(x_k)|` the step is therefore accepted on either of two
tests that do not rank points by :math:`f`: Hager–Zhang's approximate Armijo test
:math:`\varphi'(t) \le (2\delta - 1)\varphi'(0)` (:math:`\delta = 0.1`; the Armijo test for the
trapezoidal estimate :math:`\varphi(t)-\varphi(0) \approx t(\varphi'(0)+\varphi'(t))/2`), or a decrease
of the projected-gradient norm.  Either way :math:`f` moves by at most its rounding level there,
so no real ascent is possible.  If no step is accepted, the spectral step :math:`\alpha_k` is
shortened (at most 6 times, by :math:`10^{-2}` each) before the method reports a stall.
This reaches gradient levels far below :math:`\sqrt{\epsilon_{\rm mach}}`.
"""

from __future__ import annotations

import numpy as np

from nctheory.solvers.factored.local_result import GTOL, MAX_ITER, FunGrad, LocalResult, Projection


def minimize_projected(
    fun_grad: FunGrad,
    x0: np.ndarray,
    project: Projection,
    *,
    max_iter: int = MAX_ITER,
    gtol: float = GTOL,
    memory: int = 10,
    armijo: float = 1e-4,
    approx_delta: float = 0.1,
    noise: float = 1e-11,
    max_backtracks: int = 40,
    alpha_retries: int = 6,
) -> LocalResult:
    """Minimize ``f`` over the convex set with projection ``project`` by SPG (module doc).

    Parameters
    ----------
    fun_grad : FunGrad
        ``x -> (f(x), grad f(x))``.
    x0 : ndarray
        Start (projected first).
    project : Projection
        Euclidean projection onto the feasible set.
    max_iter, gtol : int, float
        Iteration budget; stop when :math:`\\|x - \\Pi(x - \\nabla f)\\|_\\infty \\le` ``gtol``.
    """

    def pg_norm(x, g):
        return float(np.max(np.abs(x - project(x - g)))) if x.size else 0.0

    x = project(np.asarray(x0, dtype=np.float64))
    f, g = fun_grad(x)
    recent = [f]
    pg = pg_norm(x, g)
    alpha = 1.0 / max(pg, 1e-12)
    it = 0
    reason, message = "max_iter", "iteration budget exhausted"
    while True:
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            reason, message = "nonfinite", "non-finite objective or gradient"
            break
        if pg <= gtol:
            reason, message = "converged", "projected gradient below gtol"
            break
        if it >= max_iter:
            break
        ref = max(recent[-memory:])
        accepted = False
        for _ in range(alpha_retries):
            d = project(x - alpha * g) - x
            gd = float(g @ d)
            t = 1.0
            for _ in range(max_backtracks):
                x_new = x + t * d
                f_new, g_new = fun_grad(x_new)
                if np.isfinite(f_new):
                    if gd < 0.0 and f_new <= ref + armijo * t * gd:
                        accepted = True
                        break
                    if abs(f_new - f) <= noise * max(abs(f), 1e-300):
                        if gd < 0.0 and float(g_new @ d) <= (2.0 * approx_delta - 1.0) * gd:
                            accepted = True
                            break
                        if pg_norm(x_new, g_new) < pg:
                            accepted = True
                            break
                # safeguarded quadratic interpolation of the step length
                denom = 2.0 * (f_new - f - t * gd) if (np.isfinite(f_new) and gd < 0.0) else 0.0
                t_q = -gd * t * t / denom if denom > 0 else 0.5 * t
                t = float(np.clip(t_q, 0.1 * t, 0.5 * t))
            if accepted:
                break
            # a projected arc with a huge step can fail at rounding level: shorten the spectral step
            alpha = min(alpha, 1.0 / max(pg, 1e-300)) * 1e-2
        if not accepted:
            reason, message = "stalled", "line search failed: no acceptable step at machine precision"
            break
        s = x_new - x
        y = g_new - g
        sy = float(s @ y)
        alpha = float(np.clip(float(s @ s) / sy, 1e-30, 1e30)) if sy > 0 else 1e30
        x, f, g = x_new, f_new, g_new
        recent.append(f)
        pg = pg_norm(x, g)
        it += 1
    return LocalResult.stopped(x, f, it, pg, reason, message)
