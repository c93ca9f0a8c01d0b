r"""Closed forms of the Behnia et al. claims: the CS-SVM a VS loss leads to, LDT, CDT, the symmetric choice of γ.

Notation (catalogue §0): sizes :math:`n_k`, :math:`D = \operatorname{diag}(n)`, :math:`S = I - J/K`; the VS loss
:math:`\mathrm{CE}(\omega_y(\Delta\circ z + \iota), y)` (:mod:`nctheory.model.losses.vector_scaling`).

The CS-SVM [derived] (:mod:`nctheory.solvers.convex.cs_svm`, which derives it): as λ → 0 the UFM under a VS loss
follows, in direction, the solution of

.. math::

    \min\ \|\bar Z D^{1/2}\|_* \quad\text{s.t.}\quad \Delta_k\bar z_{kk} - \Delta_c\bar z_{ck} \ge 1/\omega_k
    \quad (c \ne k),

(ι drops out).  Its factors :math:`W = U\Sigma^{1/2}`, :math:`\bar H = \Sigma^{1/2}V^\top D^{-1/2}` from
:math:`\bar ZD^{1/2} = U\Sigma V^\top` are the limit geometry.

LDT (Δ = 1) [derived].  Put :math:`\tilde Z = \bar Z\Omega`, :math:`\Omega = \operatorname{diag}(\omega)`: the
margins become the plain ones, :math:`\tilde z_{kk} - \tilde z_{ck} \ge 1`, and the objective
:math:`\|\tilde Z\,\Omega^{-1}D^{1/2}\|_* = \|\tilde Z D'^{1/2}\|_*` with the **effective sizes**
:math:`D' = D\Omega^{-2}`, :math:`n'_k = n_k/\omega_k^2`.  That is the UF-SVM of the (real, positive) sizes
:math:`n'`, whose unique solution is the SEL matrix :math:`\tilde Z = S` (SELI, catalogue §6; the SELI argument
uses only the positivity of the weights, and every instance here is certified by its own dual bound).  Hence

.. math::

    \bar Z = S\Omega^{-1},\qquad WW^\top = (SD'S)^{1/2},\qquad
    \bar H^\top\bar H = \Omega^{-1}\,D'^{-1/2}(D'^{1/2}SD'^{1/2})^{1/2}D'^{-1/2}\,\Omega^{-1},\qquad
    \text{value } \|SD'^{1/2}\|_* ,

(the second from :math:`\bar ZD^{1/2} = SD'^{1/2}`; the third from
:math:`\bar H^\top\bar H = D^{-1/2}(X^\top X)^{1/2}D^{-1/2}` with :math:`X = SD'^{1/2}` and
:math:`D^{-1/2} = D'^{-1/2}\Omega^{-1}`).  So the classifier geometry is SELI's **at the effective sizes**
:math:`n_k/\omega_k^2`, not at the true sizes, and the class means are SELI's at those sizes divided by
:math:`\omega_k`.  The same follows at every λ: with :math:`\tilde h_i = \omega_{y_i}h_i` the LDT loss of
:math:`Wh_i` is the CE loss of :math:`W\tilde h_i` and the feature penalty becomes
:math:`\frac{\lambda_H}2\sum_i\|\tilde h_i\|^2/\omega_{y_i}^2`.

The authors' factors (their code) for a (R, ρ)-step: per class :math:`b_k^\gamma` with :math:`b_k = R` (majority)
or 1 (minority), normalised to sum to K; for general sizes :math:`n_k^\gamma K/\sum_j n_j^\gamma` (the same numbers:
:math:`b = n/n_{\min}`).  With LDT factors of exponent γ the effective ratio is
:math:`n'_A/n'_B = R\cdot R^{-2\gamma} = R^{1-2\gamma}`: **γ = ½ makes every effective size equal** (for any
sizes: :math:`n_k/\omega_k^2 = (\sum_j\sqrt{n_j}/K)^2`), and the limit geometry is symmetric:
:math:`WW^\top = \sqrt c\,S` (simplex ETF), :math:`\bar H^\top\bar H = \Omega^{-1}S\Omega^{-1}/\sqrt c`
(class-mean cosines :math:`-1/(K-1)`, :math:`\|\bar h_k\|^2 \propto 1/n_k`), :math:`c = (\sum_j\sqrt{n_j}/K)^2`.

The authors' LDT geometry [authors-code] (``LDT_geom`` of valavakilian/Implicit_geometry, ρ = ½): classifier
Gram entries of SELI at the true R (independent of the temperatures) and :math:`\|\bar h_k\|^2` divided by
:math:`\delta_k^2` -- i.e. the point :math:`(W_{\rm SELI}, \bar H_{\rm SELI}\Omega^{-1})`, which is feasible for the
LDT CS-SVM (margins exactly :math:`1/\omega_k`); its best rescaling :math:`(tW, \bar H/t)` has value
:math:`\|W_{\rm SELI}\|_F\,(\sum_k n_k\|\bar h_k^{\rm SELI}\|^2/\omega_k^2)^{1/2}`.  It differs from the derived
solution unless all ω are equal.

The authors' CDT geometry [authors-code] (``CDT_geom``, ρ = ½, k = 2K_A): with temperatures a (majority) and b
(minority), :math:`u = a^{-2} + b^{-2}`, :math:`q_A = 2\sqrt{R+1}\,u^{-3/2}b^{-3}`,
:math:`q_B = 2\sqrt{R+1}\,u^{-3/2}a^{-3}`, :math:`\tau = \sqrt{u(R+1)}`, minority size 1, the Gram entries are

.. math::

    \|w_A\|^2 = \frac{\sqrt R(k-2) + q_A}{ka},\quad \langle w_A, w_{A'}\rangle = \frac{q_A - 2\sqrt R}{ka},\quad
    \|w_B\|^2 = \frac{k - 2 + q_B}{kb},\quad \langle w_B, w_{B'}\rangle = \frac{q_B - 2}{kb},\quad
    \langle w_A, w_B\rangle = -\frac{2\sqrt{R+1}}{k\,a^2b^2u^{3/2}},

.. math::

    \|\bar h_A\|^2 = \frac{(k-2)/\sqrt R + 2/(b\tau)}{ka},\quad
    \langle\bar h_A, \bar h_{A'}\rangle = \frac{2/(b\tau) - 2/\sqrt R}{ka},\quad
    \|\bar h_B\|^2 = \frac{k - 2 + 2/(a\tau)}{kb},\quad \langle\bar h_B, \bar h_{B'}\rangle = \frac{2/(a\tau) - 2}{kb},
    \quad \langle\bar h_A, \bar h_B\rangle = -\frac{2}{kab\tau} .

Not derived here: the claim ``behnia2023/cdt-step`` checks them against certified CS-SVM solves.  At a = b
(γ = 0) they reduce to the SELI step forms with ρ = ½ (``proofs_check/behnia_vs.py``).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.model import Problem


# ------------------------------------------------------------------------------------------ factors
def normalised_factors(sizes, gamma: float) -> np.ndarray:
    r"""The authors' per-class factors :math:`n_k^\gamma K/\sum_j n_j^\gamma` (module doc)."""
    n = np.asarray(sizes, dtype=np.float64)
    f = n ** float(gamma)
    return n.size * f / f.sum()


def factor_exponent(sizes, factors) -> float | None:
    r"""γ with ``factors`` ∝ :math:`n^\gamma` (to 1e-9 relative), or None when no γ fits (or the sizes are all equal
    and every γ fits: then 0 if the factors are equal, else None)."""
    n = np.asarray(sizes, dtype=np.float64)
    f = np.asarray(factors, dtype=np.float64)
    ln, lf = np.log(n), np.log(f)
    if np.ptp(ln) == 0.0:
        return 0.0 if np.ptp(lf) <= 1e-12 else None
    slope = float(np.polyfit(ln - ln.mean(), lf - lf.mean(), 1)[0])
    fitted = normalised_factors(n, slope) * f.sum() / n.size
    return slope if np.allclose(fitted, f, rtol=1e-9, atol=0.0) else None


def vs_parts(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Δ, ι, ω)`` of the problem's loss (ones / zeros for CE or unset parts)."""
    K = problem.K
    loss = problem.loss
    if loss.name == "ce":
        return np.ones(K), np.zeros(K), np.ones(K)
    d = np.ones(K) if loss.delta is None else np.asarray(loss.delta, dtype=np.float64)
    i = np.zeros(K) if loss.iota is None else np.asarray(loss.iota, dtype=np.float64)
    w = np.ones(K) if loss.omega is None else np.asarray(loss.omega, dtype=np.float64)
    return d, i, w


# ------------------------------------------------------------------------------------------ SELI, real weights
def weighted_seli(weights) -> dict:
    r"""SELI Grams for positive real weights w (in place of the sizes): ``WW`` = :math:`(SD_wS)^{1/2}`,
    ``HH`` = :math:`D_w^{-1/2}(D_w^{1/2}SD_w^{1/2})^{1/2}D_w^{-1/2}`, ``nuclear`` = :math:`\|SD_w^{1/2}\|_*`
    (both roots from one SVD of :math:`SD_w^{1/2}`, as :func:`nctheory.geometry.seli_grams`)."""
    w = np.asarray(weights, dtype=np.float64)
    K = w.size
    S = np.eye(K) - 1.0 / K
    root = np.sqrt(w)
    P, theta, Qt = np.linalg.svd(S * root[None, :])
    WW = (P * theta) @ P.T
    HH = ((Qt.T * theta) @ Qt) / root[:, None] / root[None, :]
    return {"WW": 0.5 * (WW + WW.T), "HH": 0.5 * (HH + HH.T), "nuclear": float(theta.sum())}


def ldt_solution(sizes, omega, delta0: float = 1.0) -> dict:
    r"""The LDT CS-SVM solution (module doc) for temperatures ω and a uniform class temperature
    :math:`\Delta_0` (margins :math:`\Delta_0(\bar z_{kk} - \bar z_{ck}) \ge 1/\omega_k`, i.e. ω replaced by
    :math:`\Delta_0\omega`).

    Returns ``WW``, ``HH``, ``WH`` (= :math:`S\Omega^{-1}`), ``value``, ``effective_sizes`` (:math:`n/\omega^2`).
    """
    n = np.asarray(sizes, dtype=np.float64)
    om = float(delta0) * np.asarray(omega, dtype=np.float64)
    eff = n / om ** 2
    T = weighted_seli(eff)
    K = n.size
    S = np.eye(K) - 1.0 / K
    return {"WW": T["WW"], "HH": T["HH"] / om[:, None] / om[None, :], "WH": S / om[None, :], "value": T["nuclear"],
            "effective_sizes": eff}


def authors_ldt_point(sizes, omega) -> dict:
    r"""The authors' LDT geometry as a feasible point (module doc): SELI Grams at the true sizes with the class
    means divided by ω, best-rescaled; ``value`` its CS-SVM objective."""
    n = np.asarray(sizes, dtype=np.float64)
    om = np.asarray(omega, dtype=np.float64)
    T = weighted_seli(n)
    HH = T["HH"] / om[:, None] / om[None, :]
    w_sq = float(np.trace(T["WW"]))
    h_sq = float(n @ np.diag(HH))
    t2 = math.sqrt(h_sq / w_sq)  # (tW, H̄/t) with t² = ‖H‖/‖W‖ balances the two halves
    return {"WW": t2 * T["WW"], "HH": HH / t2, "WH": (np.eye(n.size) - 1.0 / n.size) / om[None, :],
            "value": math.sqrt(w_sq * h_sq)}


# ------------------------------------------------------------------------------------------ (R, ½)-steps
def half_step(problem_or_sizes) -> tuple[float, float, int, int]:
    """``(n_A, n_B, K_A, K_B)`` of a two-size profile with K_A = K_B (an (R, ½)-step); ValueError otherwise."""
    sizes = problem_or_sizes.sizes if isinstance(problem_or_sizes, Problem) else problem_or_sizes
    n = np.asarray(sizes, dtype=np.float64)
    values = sorted(set(n.tolist()))
    if len(values) != 2:
        raise ValueError(f"sizes: an (R, 1/2)-step has exactly two class sizes, got {values}")
    nB, nA = values
    KA, KB = int(np.sum(n == nA)), int(np.sum(n == nB))
    if KA != KB:
        raise ValueError(f"sizes: an (R, 1/2)-step has as many majority as minority classes, got {KA} and {KB}")
    return nA, nB, KA, KB


def step_gram_entries(k: float, R: float, a: float, b: float) -> dict:
    r"""The authors' CDT Gram entries (module doc; minority size 1): ``w_sq_A``, ``w_in_A``, ``w_sq_B``,
    ``w_in_B``, ``w_in_AB`` and the same with ``h``.  With a = b = 1 they are the SELI (R, ½)-step entries."""
    u = a ** -2 + b ** -2
    qA = 2.0 * math.sqrt(R + 1.0) * u ** -1.5 * b ** -3
    qB = 2.0 * math.sqrt(R + 1.0) * u ** -1.5 * a ** -3
    tau = math.sqrt(u * (R + 1.0))
    sR = math.sqrt(R)
    return {
        "w_sq_A": (sR * (k - 2.0) + qA) / (k * a), "w_in_A": (qA - 2.0 * sR) / (k * a),
        "w_sq_B": (k - 2.0 + qB) / (k * b), "w_in_B": (qB - 2.0) / (k * b),
        "w_in_AB": -2.0 * math.sqrt(R + 1.0) / (k * a * a * b * b * u ** 1.5),
        "h_sq_A": ((k - 2.0) / sR + 2.0 / (b * tau)) / (k * a), "h_in_A": (2.0 / (b * tau) - 2.0 / sR) / (k * a),
        "h_sq_B": (k - 2.0 + 2.0 / (a * tau)) / (k * b), "h_in_B": (2.0 / (a * tau) - 2.0) / (k * b),
        "h_in_AB": -2.0 / (k * a * b * tau),
    }


def step_summary(e: dict, prefix: str) -> dict:
    """Scale-free summaries of step Gram entries: ``<p>_sq_ratio`` (A over B), ``cos_<p>_A``, ``cos_<p>_B``,
    ``cos_<p>_AB`` for ``prefix`` in {"w", "h"}."""
    sA, sB = e[f"{prefix}_sq_A"], e[f"{prefix}_sq_B"]
    return {f"{prefix}_sq_ratio": sA / sB, f"cos_{prefix}_A": e[f"{prefix}_in_A"] / sA,
            f"cos_{prefix}_B": e[f"{prefix}_in_B"] / sB, f"cos_{prefix}_AB": e[f"{prefix}_in_AB"] / math.sqrt(sA * sB)}


def step_blocks(G: np.ndarray, sizes, prefix: str) -> dict:
    """The same summaries read off a K × K Gram matrix of a two-size profile (block means; A = larger size)."""
    n = np.asarray(sizes, dtype=np.float64)
    A, B = np.flatnonzero(n == n.max()), np.flatnonzero(n == n.min())
    G = np.asarray(G, dtype=np.float64)
    d = np.diag(G)

    def off(idx):
        blk = G[np.ix_(idx, idx)]
        return float((blk.sum() - np.trace(blk)) / (idx.size * (idx.size - 1)))

    e = {f"{prefix}_sq_A": float(d[A].mean()), f"{prefix}_sq_B": float(d[B].mean()),
         f"{prefix}_in_A": off(A), f"{prefix}_in_B": off(B), f"{prefix}_in_AB": float(G[np.ix_(A, B)].mean())}
    return step_summary(e, prefix)


__all__ = ["authors_ldt_point", "factor_exponent", "half_step", "ldt_solution", "normalised_factors",
           "step_blocks", "step_gram_entries", "step_summary", "vs_parts", "weighted_seli"]
