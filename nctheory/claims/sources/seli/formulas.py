r"""SELI closed forms (Thrampoulidis et al. 2022, catalogue §6): the UF-SVM optimum and the (R,ρ)-step Grams.

Notation (§0): K classes, sizes :math:`n_k`, :math:`D = \operatorname{diag}(n)`, :math:`S = I - J/K`, Y the K×N
one-hot label matrix.

* UF-SVM: :math:`\min \tfrac12\|W\|^2 + \tfrac12\|H\|^2` s.t. :math:`(w_{y_i} - w_c)^\top h_i \ge 1`
  :math:`\iff \min\|Z\|_*` s.t. the same margins on Z = WH; the unique solution is the SEL matrix
  :math:`\hat Z = SY` (class means: :math:`W\bar H = S`), with value :math:`\|SY\|_* = \|SD^{1/2}\|_*`.
* SELI geometry (balanced factors of :math:`\hat Z`, exact with this normalisation):
  :math:`WW^\top = (SDS)^{1/2}`, :math:`\bar H^\top\bar H = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}`,
  :math:`W\bar H = S` (:func:`nctheory.geometry.seli_grams`, the one implementation).
* (R,ρ)-step closed forms (majority size R, minority size 1, :math:`K_A = (1-\rho)k`, :math:`K_B = \rho k`,
  :math:`\mu = R\rho + 1 - \rho`), exact for the SELI Grams above with minority size 1; a minority size
  :math:`n_B` multiplies the w-Gram by :math:`\sqrt{n_B}` and the h̄-Gram by :math:`1/\sqrt{n_B}`
  (R = n_A/n_B), so ratios and cosines depend on R only.

Numeric, no solver calls.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.common import centring_of
from nctheory.geometry import seli_grams
from nctheory.model import Problem
from nctheory.observe import trace
from nctheory.solvers.certified.groups import GroupStructure


def seli_targets(sizes, *, grouped: bool = False) -> dict:
    r"""SELI Grams for class sizes ``sizes``: keys ``"WW"``, ``"HH"``, ``"WH"`` (:func:`~nctheory.geometry.seli_grams`)
    and ``"nuclear"`` = :math:`\|SY\|_* = \operatorname{tr}(SDS)^{1/2}` (the UF-SVM value).

    With :math:`SD^{1/2} = P\Theta Q^\top`, :math:`(SDS)^{1/2} = P\Theta P^\top`, so its trace is :math:`\sum\Theta`,
    the nuclear norm of :math:`SD^{1/2}` (= that of SY).  With ``grouped`` the Grams are
    :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` values (:func:`grouped_seli_grams`), for any K.
    """
    if grouped:
        T = grouped_seli_grams(GroupStructure.from_sizes(sizes))
        T["nuclear"] = trace(T["WW"])
        return T
    T = dict(seli_grams(sizes))
    T["nuclear"] = float(np.trace(T["WW"]))
    return T


def grouped_seli_grams(structure: GroupStructure) -> dict:
    r"""The SELI Grams of :func:`~nctheory.geometry.seli_grams` as invariant matrices of ``structure``, in O(C³).

    :math:`S` and :math:`D^{\pm1/2}` are invariant under permutations inside equal-size groups, hence so is
    :math:`M = SD^{1/2}`, and :math:`(SDS)^{1/2} = (MM^\top)^{1/2}`,
    :math:`(D^{1/2}SD^{1/2})^{1/2} = (M^\top M)^{1/2}` (:meth:`~GroupedMatrix.moduli`, one C × C SVD), then
    :math:`\bar H^\top\bar H = D^{-1/2}(M^\top M)^{1/2}D^{-1/2}` and :math:`W\bar H = S`.
    """
    S = centring_of(structure)
    root = np.sqrt(structure.sizes.astype(np.float64))
    left, right = S.times_diagonal(root).moduli()
    return {"WW": left, "HH": right.diagonal_times(1.0 / root).times_diagonal(1.0 / root), "WH": S}


def step_formulas(k: int, R: float, rho: float) -> dict:
    r"""(R,ρ)-step SELI Gram entries with minority size 1 (catalogue §6).

    Returns ``w_sq_maj``, ``w_sq_min``, ``w_in_maj`` (⟨w_maj, w_maj'⟩), ``w_in_min``, ``w_in_cross``,
    ``mu_sq_maj``, ``mu_sq_min``, ``mu_in_maj``, ``mu_in_min``, ``mu_in_cross``, and the derived
    ``w_sq_ratio`` = ‖w_maj‖²/‖w_min‖², ``mu_sq_ratio``, cosines ``cos_w_maj``, ``cos_w_min``,
    ``cos_w_cross``, ``cos_mu_maj``, ``cos_mu_min``, ``cos_mu_cross``.
    """
    KA = (1.0 - rho) * k
    KB = rho * k
    mu = R * rho + 1.0 - rho
    sR, smu = math.sqrt(R), math.sqrt(mu)
    e = {
        "w_sq_maj": sR * (1 - 1 / KA) + smu * KB / (KA * k),
        "w_sq_min": (1 - 1 / KB) + smu * KA / (KB * k),
        "w_in_maj": -sR / KA + smu * KB / (KA * k),
        "w_in_min": -1 / KB + smu * KA / (KB * k),
        "w_in_cross": -smu / k,
        "mu_sq_maj": (1 - 1 / KA) / sR + KB / (KA * k * smu),
        "mu_sq_min": (1 - 1 / KB) + KA / (KB * k * smu),
        "mu_in_maj": -1 / (KA * sR) + KB / (KA * k * smu),
        "mu_in_min": -1 / KB + KA / (KB * k * smu),
        "mu_in_cross": -1 / (k * smu),
    }
    e["w_sq_ratio"] = e["w_sq_maj"] / e["w_sq_min"]
    e["mu_sq_ratio"] = e["mu_sq_maj"] / e["mu_sq_min"]
    e["cos_w_maj"] = e["w_in_maj"] / e["w_sq_maj"]
    e["cos_w_min"] = e["w_in_min"] / e["w_sq_min"]
    e["cos_w_cross"] = e["w_in_cross"] / math.sqrt(e["w_sq_maj"] * e["w_sq_min"])
    e["cos_mu_maj"] = e["mu_in_maj"] / e["mu_sq_maj"]
    e["cos_mu_min"] = e["mu_in_min"] / e["mu_sq_min"]
    e["cos_mu_cross"] = e["mu_in_cross"] / math.sqrt(e["mu_sq_maj"] * e["mu_sq_min"])
    return e


def step_params(problem: Problem) -> tuple[int, int, int, int]:
    """``(n_A, n_B, K_A, K_B)`` of a two-size (R,ρ)-step profile (A = the larger size)."""
    n = np.asarray(problem.sizes)
    nA, nB = int(n.max()), int(n.min())
    return nA, nB, int(np.sum(n == nA)), int(np.sum(n == nB))
