r"""A compact limited-memory BFGS for the certified solver's factored phase.

Kept separate from ``certified.py`` (one concept per file).  It differs from scipy's L-BFGS-B in what the
certified solver needs: a line search that switches to a derivative-only test once value differences are
at rounding level (so progress continues down to the duality-gap floor), a per-iteration callback that can
stop the run (certificate reached), and a compact representation whose memory is capped in bytes.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import solve_triangular


def _line_search(fun, x, f, g, d, slope, should_stop=None):
    r"""Step along a descent direction ``d`` (``slope`` = :math:`\phi'(0) = g^\top d < 0`).

    While the predicted decrease :math:`|\alpha\phi'(0)|` exceeds :math:`10^{-8}\max(|f|, 10^{-300})`,
    weak Wolfe: :math:`\phi(\alpha) \le \phi(0) + 10^{-4}\alpha\phi'(0)` and :math:`\phi'(\alpha) \ge 0.9\phi'(0)`;
    below that, value differences are dominated by rounding and the derivative test
    :math:`|\phi'(\alpha)| \le 0.9|\phi'(0)|` alone is used (it implies decrease for the locally
    quadratic function near a minimiser).  Bracketing by expansion (×4) and a
    safeguarded secant on :math:`\phi'`.  Returns ``(x, f, g, alpha)``, ``None`` on failure, or ``"stop"`` when
    ``should_stop()`` (checked after every evaluation) returns True.
    """
    alpha, lo, hi = 1.0, 0.0, math.inf
    slope_lo, slope_hi = slope, math.nan
    for _ in range(40):
        xn = x + alpha * d
        fn, gn = fun(xn)
        if should_stop is not None and should_stop():
            return "stop"
        slope_n = float(gn @ d)
        if not (math.isfinite(fn) and math.isfinite(slope_n)):
            hi, slope_hi = alpha, math.nan
        elif abs(alpha * slope) > 1e-8 * max(abs(f), 1e-300):
            armijo = fn <= f + 1e-4 * alpha * slope
            if armijo and slope_n >= 0.9 * slope:
                return xn, fn, gn, alpha
            if not armijo or slope_n > 0.0:
                hi, slope_hi = alpha, slope_n
            else:
                lo, slope_lo = alpha, slope_n
        else:
            if abs(slope_n) <= 0.9 * abs(slope):
                return xn, fn, gn, alpha
            if slope_n > 0.0:
                hi, slope_hi = alpha, slope_n
            else:
                lo, slope_lo = alpha, slope_n
        if math.isinf(hi):
            alpha *= 4.0
            continue
        width = hi - lo
        if math.isfinite(slope_hi) and slope_hi > slope_lo:
            trial = lo - slope_lo * width / (slope_hi - slope_lo)
        else:
            trial = lo + 0.5 * width
        alpha = min(max(trial, lo + 0.1 * width), hi - 0.1 * width)
        if width <= 1e-16 * hi:
            return None
    return None


class _CompactMemory:
    r"""L-BFGS inverse-Hessian approximation in compact form (Byrd, Nocedal & Schnabel 1994).

    With the stored pairs as columns of S, Y (oldest first), :math:`R` = upper triangle of
    :math:`S^\top Y`, :math:`\Delta = \operatorname{diag}(S^\top Y)` and :math:`H_0 = \gamma I`,
    :math:`\gamma = s^\top y/y^\top y` of the newest pair,

    .. math::

        Hg = \gamma g + S u + \gamma Y v,\quad v = -R^{-1}S^\top g,\quad
        u = R^{-\top}\big(-(\Delta + \gamma Y^\top Y)v - \gamma Y^\top g\big).

    For :math:`n = 2K^2` variables memory traffic dominates, so the pairs live as rows of
    one preallocated (2m, n) array and each iteration makes exactly two passes over
    it (:math:`[S\,Y]^\top g` and the combination).  The inner products a new pair needs
    with the stored ones come without another pass: :math:`S^\top y = S^\top g_{+} - S^\top g`,
    :math:`Y^\top y = Y^\top g_{+} - Y^\top g` (both from the first pass of consecutive
    iterations) and :math:`Y^\top s = \alpha Y^\top d`, where :math:`Y^\top d` follows from the small
    matrices :math:`S^\top Y`, :math:`Y^\top Y` and the coefficients of d.
    """

    def __init__(self, n: int, m: int):
        self.m = m
        self.rows = np.zeros((2 * m, n))  # rows [0, m): s_i; rows [m, 2m): y_i (by slot)
        self.StY = np.zeros((m, m))  # StY[i, j] = s_i . y_j (by slot)
        self.YtY = np.zeros((m, m))
        self.order: list[int] = []  # slots, oldest first
        self._last_products = None  # [S Y]^T g at the last direction
        self._last_Yd = None  # Y^T d for the last direction

    def clear(self) -> None:
        self.order = []
        self._last_products = self._last_Yd = None

    def direction(self, g: np.ndarray, step: tuple | None = None) -> np.ndarray:
        r""":math:`-Hg`, after storing the pair of the last step if given.

        Parameters
        ----------
        g : ndarray
            Current gradient.
        step : (alpha, d, g_prev) or None
            The accepted step :math:`x_+ = x + \alpha d` that led from gradient ``g_prev`` to ``g``.
        """
        m = self.m
        products = self.rows @ g
        if step is not None and self._last_products is not None:
            alpha, d, g_prev = step
            self._store(alpha * d, g - g_prev, products, g, alpha)
        self._last_products = products
        if not self.order:
            self._last_Yd = None
            return -g / max(float(np.linalg.norm(g)), 1e-300)
        idx = np.asarray(self.order)
        p, q = products[idx], products[m + idx]
        StY = self.StY[np.ix_(idx, idx)]
        R = np.triu(StY)
        newest = idx[-1]
        gamma = self.StY[newest, newest] / self.YtY[newest, newest]
        YtY = self.YtY[np.ix_(idx, idx)]
        v = -solve_triangular(R, p, lower=False)
        u = solve_triangular(R, -(np.diag(np.diag(StY)) + gamma * YtY) @ v - gamma * q, lower=False, trans="T")
        coef = np.zeros(2 * m)
        coef[idx] = u
        coef[m + idx] = gamma * v
        # y_j . d for every slot j, from small matrices (d = -(gamma g + sum u_i s_i + gamma v_i y_i))
        self._last_Yd = -(gamma * products[m:] + self.StY[idx, :].T @ u + gamma * (self.YtY[idx, :].T @ v))
        return -(gamma * g + coef @ self.rows)

    def _store(self, s, y, products, g, alpha) -> None:
        sy = float(s @ y)
        if not sy > 1e-12 * float(np.linalg.norm(s)) * float(np.linalg.norm(y)):
            return  # curvature not safely positive (nonconvex region): skip the pair
        m = self.m
        Sy = products[:m] - self._last_products[:m]
        Yy = products[m:] - self._last_products[m:]
        Ys = alpha * self._last_Yd if self._last_Yd is not None else np.zeros(m)
        if len(self.order) == m:
            slot = self.order.pop(0)
        else:
            used = set(self.order)
            slot = next(i for i in range(m) if i not in used)
        self.rows[slot] = s
        self.rows[m + slot] = y
        self.StY[:, slot] = Sy
        self.StY[slot, :] = Ys
        self.YtY[:, slot] = Yy
        self.YtY[slot, :] = Yy
        self.StY[slot, slot] = sy
        self.YtY[slot, slot] = float(y @ y)
        products[slot] = float(s @ g)
        products[m + slot] = float(y @ g)
        self.order.append(slot)


class _PreconditionedMemory:
    r"""L-BFGS with a variable initial matrix :math:`H_0 = P^{-1}`: the two-loop recursion in matrix form.

    ``precondition(v)`` applies :math:`P^{-1}` (symmetric positive definite, carrying the scale of the inverse
    Hessian; it may change from one iteration to the next: it is applied once per direction, between the two
    loops).  No scaling :math:`\gamma = s^\top y/y^\top P^{-1}y` of :math:`H_0`: on the certified solver's instances it
    took as many or more iterations (K = 300, two size profiles, cold and warm starts, m = 3..8) and costs one more
    application of :math:`P^{-1}` per iteration.  With the pairs as rows of S, Y (oldest first),
    :math:`M = SY^\top` (:math:`M_{ij} = s_i^\top y_j`, so :math:`\operatorname{diag}M = 1/\rho`), the two loops

    .. math::

        \alpha_i = \rho_is_i^\top(g - \textstyle\sum_{j>i}\alpha_jy_j),\quad r_0 = H_0(g - Y^\top\alpha),\quad
        \beta_i = \rho_iy_i^\top(r_0 + \textstyle\sum_{j<i}(\alpha_j-\beta_j)s_j),\quad Hg = r_0 + S^\top(\alpha-\beta)

    are two triangular solves, :math:`\operatorname{triu}(M)\,\alpha = Sg` and
    :math:`\operatorname{tril}(M^\top)\,\delta = \operatorname{diag}(M)\alpha - Yr_0` (:math:`\delta = \alpha - \beta`),
    and four passes over the stored vectors (:math:`Sg`, :math:`Y^\top\alpha`, :math:`Yr_0`, :math:`S^\top\delta`) -- for
    :math:`n = 2K^2` variables memory traffic is what costs.  The new pair's products with the stored ones come
    without another pass, as in :class:`_CompactMemory`: :math:`Sy = Sg_+ - Sg` (the first pass of consecutive
    directions) and :math:`Ys = \alpha_{\rm step}Yd = -\alpha_{\rm step}(Yr_0 + M^\top\delta)`.  The arrays hold m + 1
    rows: the new pair is formed in the spare row (no copy), which the oldest pair's row then becomes.
    """

    def __init__(self, n: int, m: int, precondition):
        self.m = m
        self.S = np.zeros((m + 1, n))  # by slot; one slot is the spare
        self.Y = np.zeros((m + 1, n))
        self.M = np.zeros((m + 1, m + 1))  # M[i, j] = s_i . y_j (by slot)
        self.order: list[int] = []  # active slots, oldest first
        self.spare = m
        self.precondition = precondition
        self._Sg = None  # S g at the last direction (by slot)
        self._Yd = None  # Y d for the last direction (by slot)

    def clear(self) -> None:
        self.order = []
        self._Sg = self._Yd = None

    def _coefficients(self, idx, values) -> np.ndarray:
        coef = np.zeros(self.m + 1)  # by slot (inactive slots get 0: their rows are finite, old pairs or zeros)
        coef[idx] = values
        return coef

    def direction(self, g: np.ndarray, step: tuple | None = None) -> np.ndarray:
        r""":math:`-Hg`, after storing the pair of the last step ``(alpha, d, g_prev)`` if given."""
        Sg = self.S @ g
        if step is not None and self._Sg is not None:
            self._store(step, g, Sg)
        self._Sg = Sg
        if not self.order:
            self._Yd = None
            return -self.precondition(g)  # P^{-1} carries the scale: no normalisation (cf. _CompactMemory)
        idx = np.asarray(self.order)
        M = self.M[np.ix_(idx, idx)]
        alpha = solve_triangular(M, Sg[idx], lower=False)
        q = g - self._coefficients(idx, alpha) @ self.Y
        r = self.precondition(q)
        del q
        Yr = self.Y @ r
        delta = solve_triangular(M.T, np.diag(M) * alpha - Yr[idx], lower=True)
        r += self._coefficients(idx, delta) @ self.S
        # Y d (d = -r) for every slot, from small matrices: the new pair's row of M at the next direction
        self._Yd = -(Yr + self.M[idx, :].T @ delta)
        r *= -1.0
        return r

    def _store(self, step, g, Sg) -> None:
        alpha, d, g_prev = step
        slot = self.spare
        s, y = self.S[slot], self.Y[slot]
        np.multiply(d, alpha, out=s)
        np.subtract(g, g_prev, out=y)
        sy = float(s @ y)
        if not sy > 1e-12 * abs(alpha) * float(np.linalg.norm(d)) * float(np.linalg.norm(y)):
            return  # curvature not safely positive (nonconvex region): skip the pair (the spare stays spare)
        if len(self.order) == self.m:
            self.spare = self.order.pop(0)
        else:
            used = set(self.order) | {slot}
            self.spare = next(i for i in range(self.m + 1) if i not in used)
        self.M[:, slot] = Sg - self._Sg  # S y for the active slots (the rest is not used)
        self.M[slot, :] = alpha * self._Yd if self._Yd is not None else 0.0
        self.M[slot, slot] = sy
        Sg[slot] = float(s @ g)
        self.order.append(slot)


def minimize(fun, x, memory: int, max_iter: int, on_iteration, should_stop=None, precondition=None):
    r"""Limited-memory BFGS (:class:`_CompactMemory`) with the line search :func:`_line_search`.

    ``on_iteration(x, f, g, it)`` is called after every accepted step and may return
    True to stop.  ``should_stop()``, if given, is called after every function evaluation (so inside line
    searches too, e.g. a clock); True ends the run at the last accepted point.  Curvature pairs with
    :math:`s^\top y \le 0` (possible: the factored objective is nonconvex) are skipped.  Returns
    ``(x, f, g, iterations, reason)`` with reason ``"callback"``, ``"stopped"`` (``should_stop``),
    ``"stalled"`` (line search failed: rounding level) or ``"max_iter"``.  With ``precondition(v)`` (applies
    :math:`P^{-1}` at the current point, see :class:`_PreconditionedMemory`) the initial inverse Hessian is
    :math:`P^{-1}` (unscaled) instead of :math:`\gamma I`.
    """
    f, g = fun(x)
    if should_stop is not None and should_stop():
        return x, f, g, 0, "stopped"
    hist = _CompactMemory(x.size, memory) if precondition is None else _PreconditionedMemory(x.size, memory, precondition)
    it = 0
    last_step = None
    while it < max_iter:
        d = hist.direction(g, last_step)
        slope = float(g @ d)
        if not slope < 0.0:  # not a descent direction: restart from steepest descent
            hist.clear()
            d = hist.direction(g)
            slope = float(g @ d)
            if not slope < 0.0:
                return x, f, g, it, "stalled"
        step = _line_search(fun, x, f, g, d, slope, should_stop)
        if isinstance(step, str):
            return x, f, g, it, "stopped"
        if step is None:
            last_step = None
            if hist.order:  # retry once along steepest descent before giving up
                hist.clear()
                continue
            return x, f, g, it, "stalled"
        xn, fn, gn, alpha = step
        it += 1
        last_step = (alpha, d, g)
        x, f, g = xn, fn, gn
        if on_iteration(x, f, g, it):
            return x, f, g, it, "callback"
    return x, f, g, it, "max_iter"
