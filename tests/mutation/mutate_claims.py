#!/usr/bin/env python
r"""Mutation record for the claims (issue 9): does the test suite catch a corrupted formula?

For every registered claim this script defines at least one *source-level* mutation of a formula the
claim's ``predict`` (or, for identity claims, its ``observe``) evaluates -- typically a closed form or a
constant multiplied by 1.01 -- and then, for each mutation:

1. copies a frozen snapshot of the package and its tests (``nctheory/``, ``tests/``, ``proofs_check/``,
   ``setup.cfg``, ``pyproject.toml``) into a fresh temporary directory and edits the copy; the real
   working tree is never written to;
2. evaluates the claim's ``predict`` at its default instances in the copy and compares with the
   unmutated snapshot (so an *equivalent* mutation, one that changes nothing, is visible as such);
3. runs the claim's own tests -- every ``test_*.py`` of the folder ``tests/claims/<source>/`` of the
   claim's source package ``nctheory/claims/sources/<source>/`` -- in the copy with the derandomized
   hypothesis profile "ci" (``-x -q -p no:cacheprovider``), with the tests that already fail on the
   unmutated snapshot deselected -- the mutation is *killed* iff some other test fails;
4. runs ``nctheory check --only <claim-id>`` in the copy -- it *kills* the mutation iff its exit code
   was 0 on the snapshot and is non-zero on the mutant.

The copy is imported through ``PYTHONPATH`` (it precedes the editable install's finder, which is
appended to ``sys.meta_path``); every run verifies that ``nctheory`` really came from the copy.

A mutation's edit text must occur exactly ``count`` (normally 1) times in its file: a stale mutation (file
gone, text not found, or found more often) is an error -- the script stops before running anything (exit 2).
Exit 1 when some mutation survives the tests or a registered claim has no mutation.

Usage::

    .venv/bin/python tests/mutation/mutate_claims.py                  # every mutation, record to docs/
    .venv/bin/python tests/mutation/mutate_claims.py --claims zhu hong-ling/threshold
    .venv/bin/python tests/mutation/mutate_claims.py --list           # the mutation table only

``--claims`` takes claim ids or id prefixes.  The Markdown table is written between the markers
``<!-- BEGIN GENERATED -->`` / ``<!-- END GENERATED -->`` of ``--record`` (default
``docs/mutation-record.md``; the hand-written text around them is kept), unless ``--no-record``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: What a snapshot contains (relative to the repository root).
SNAPSHOT_ITEMS = ("nctheory", "tests", "proofs_check", "setup.cfg", "pyproject.toml")

BEGIN, END = "<!-- BEGIN GENERATED -->", "<!-- END GENERATED -->"

#: Per-run time limits (seconds).  A run that exceeds one is recorded as "timeout", not as a kill.
PYTEST_TIMEOUT = 900
CHECK_TIMEOUT = 600
PROBE_TIMEOUT = 300


# =========================================================================== the mutations
@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in ``path`` (relative to the repository root); ``old`` must occur exactly
    ``count`` times (otherwise the mutation is stale: the source changed since it was written)."""

    path: str
    old: str
    new: str
    count: int = 1


@dataclass(frozen=True)
class Mutation:
    """One corrupted formula.

    Attributes
    ----------
    key : str
        ``"<claim id>#<n>"``.
    function : str
        Where the formula lives (module-level function or method).
    change : str
        What was changed, in words and symbols.
    edits : tuple of Edit
    side : {"predict", "observe", "helper"}
        Where the corrupted formula is used: in ``predict`` (the default), in ``observe`` (identity claims,
        whose prediction is "this residual is 0"), or in a helper the claim's statement and tests rely on
        but ``predict`` does not call (e.g. an onset locator).
    """

    key: str
    function: str
    change: str
    edits: tuple[Edit, ...]
    side: str = "predict"

    @property
    def claim_id(self) -> str:
        return self.key.split("#")[0]

    @property
    def files(self) -> list[str]:
        return sorted({e.path for e in self.edits})


def _mut(key: str, path: str, function: str, change: str, *pairs, count: int = 1, side: str = "predict") -> Mutation:
    """A mutation made of ``(old, new)`` pairs in one file."""
    return Mutation(key, function, change, tuple(Edit(path, o, n, count) for o, n in pairs), side)


_SRC = "nctheory/claims/sources"
_Z = f"{_SRC}/zhu/formulas.py"
_HLF = f"{_SRC}/hong_ling/formulas.py"
_HLC = f"{_SRC}/hong_ling/claims.py"
_HLS = f"{_SRC}/hong_ling/structure.py"
_HLK = f"{_SRC}/hong_ling/kkt_system.py"
_HLT = f"{_SRC}/hong_ling/threshold_claims.py"
_HLE = f"{_SRC}/hong_ling/experiments.py"
_SE = f"{_SRC}/seli/formulas.py"
_GEO = "nctheory/geometry/seli.py"
_D23R = f"{_SRC}/dang2023/root.py"
_D23F = f"{_SRC}/dang2023/formulas.py"
_D23E = f"{_SRC}/dang2023/etf_scale.py"
_D24F = f"{_SRC}/dang2024/formulas.py"
_D24C = f"{_SRC}/dang2024/claims.py"
_Y = f"{_SRC}/yang/formulas.py"
_FF = f"{_SRC}/fang/formulas.py"
_FR = f"{_SRC}/fang/reduction.py"
_FO = f"{_SRC}/fang/onset.py"
_FC = f"{_SRC}/fang/claims.py"
_AF = f"{_SRC}/allnc/formulas.py"
_AC = f"{_SRC}/allnc/claims.py"
_CSVM = "nctheory/solvers/convex/cs_svm.py"
_BF = f"{_SRC}/behnia2023/formulas.py"
_BC = f"{_SRC}/behnia2023/claims.py"
_ZHF = f"{_SRC}/zhou2022/formulas.py"
_GKF = f"{_SRC}/garrod_keating/formulas.py"
_GKE = f"{_SRC}/garrod_keating/experiments.py"
_LDF = f"{_SRC}/lowdim/formulas.py"

MUTATIONS: tuple[Mutation, ...] = (
    # ---------------------------------------------------------------- Zhu
    _mut("zhu/balanced-ce#1", _Z, "zhu_closed_form", "ρ* = ((K−1)/K)·c  →  ×1.01",
         ("    rho = (K - 1) / K * c\n", "    rho = 1.01 * (K - 1) / K * c\n")),
    _mut("zhu/balanced-ce#2", _Z, "zhu_closed_form", "zero threshold Ks < 1  →  Ks < 1.01",
         ("if K * s < 1.0 else 0.0", "if K * s < 1.01 else 0.0")),
    # ---------------------------------------------------------------- Hong & Ling
    _mut("hong-ling/nc1#1", _HLC, "_nc1_predict", "predicted within-class deviation 0  →  0.01",
         ('{"within_class_dev": 0.0, "within_class_logit_dev": 0.0}',
          '{"within_class_dev": 0.01, "within_class_logit_dev": 0.0}')),
    _mut("hong-ling/no-etf#1", _HLC, "_noetf_observe",
         "factor identity WWᵀ = √(λ_H/λ_W)(YYᵀ)^½ (and H̄ᵀH̄): √(λ_H/λ_W)  →  ×1.01",
         ("    r = math.sqrt(problem.lambda_h / problem.lambda_w)\n    TW = r * L\n",
          "    r = 1.01 * math.sqrt(problem.lambda_h / problem.lambda_w)\n    TW = r * L\n"), side="observe"),
    _mut("hong-ling/no-etf#2", _HLF, "zero_gradient_ratio",
         "zero test ‖∇_Xφ(0)‖₂/λ ≤ 1 (Z̄ = 0 iff): ratio ×1.01 (also moves ε₀ of hong-ling/asymptotic)",
         ("    return float(G.spectral_norm() / problem.lam)\n",
          "    return 1.01 * float(G.spectral_norm() / problem.lam)\n")),
    _mut("hong-ling/block#1", _HLS, "block_average",
         "block-symmetric projection: diagonal mean of each cluster block  →  ×1.01",
         ("                d = np.diag(blk).mean()\n", "                d = 1.01 * np.diag(blk).mean()\n"), side="observe"),
    _mut("hong-ling/angles#1", _HLK, "within_residual",
         "KKT (i_A): (√n_A/N)(K_A e^{−s_A}/E_A + m_A) = λ  →  = 1.01 λ",
         ('return math.sqrt(c.n_A) / c.N * (c.K_A * T["eA"] + T["m_A"]) - c.lam\n',
          'return math.sqrt(c.n_A) / c.N * (c.K_A * T["eA"] + T["m_A"]) - 1.01 * c.lam\n')),
    _mut("hong-ling/angles#2", _HLK, "norm_residual",
         "KKT (ii): K(n_A m_A²/K_B + n_B m_B²/K_A) = (λN)²  →  = (1.01 λN)²",
         ("/ c.K_A) - (c.lam * c.N) ** 2\n", "/ c.K_A) - (1.01 * c.lam * c.N) ** 2\n")),
    _mut("hong-ling/angles#3", _HLF, "angle_scalars", "‖h̄_A‖² = (a + (K_A−1)x_A)/(ν n_A K_A)  →  ×1.01",
         ('"h_sq_norm_A": (a + (K_A - 1) * xA) / (nu * nA * K_A),',
          '"h_sq_norm_A": 1.01 * (a + (K_A - 1) * xA) / (nu * nA * K_A),')),
    _mut("hong-ling/threshold#1", _HLF, "threshold_lambda", "λ* = √n_c/N  →  ×1.01",
         ("    return math.sqrt(n_c) / N\n", "    return 1.01 * math.sqrt(n_c) / N\n")),
    _mut("hong-ling/threshold#2", _HLF, "critical_minority_size",
         "critical n_B = x₋², x₋ = (1 − √(1 − 4λ²K_AK_Bn_A))/(2λK_B)  →  x₋ ×1.01",
         ("    x = (1.0 - math.sqrt(disc)) / (2.0 * lam * K_B)\n",
          "    x = 1.01 * (1.0 - math.sqrt(disc)) / (2.0 * lam * K_B)\n")),
    _mut("hong-ling/threshold#3", _HLT, "_threshold_predict", "minority collapsed iff λN ≥ √n_B  →  λN ≥ 1.01√n_B",
         ('q["minority_collapsed"] = bool(lam * N >= math.sqrt(nB))',
          'q["minority_collapsed"] = bool(lam * N >= 1.01 * math.sqrt(nB))')),
    _mut("hong-ling/asymptotic#1", _HLF, "critical_epsilon",
         "ε₀ = ‖(p1ᵀ − I)diag(√π)‖₂  →  ×1.01",
         ("    return zero_gradient_ratio(problem) * problem.lam * math.sqrt(problem.N)\n",
          "    return 1.01 * zero_gradient_ratio(problem) * problem.lam * math.sqrt(problem.N)\n")),
    _mut("hong-ling/asymptotic#2", _HLE, "epsilon_family",
         "ε-family: penalties × t^{−1/2}  →  × t^{−0.505} (exponent off by 1%: ε drifts along the family)",
         ("        s = 1.0 / math.sqrt(t)\n", "        s = float(t) ** -0.505\n"), side="helper"),
    # ---------------------------------------------------------------- SELI
    _mut("seli/uf-svm#1", _SE, "seli_targets", "UF-SVM value ‖SD^{1/2}‖_* = tr(SDS)^{1/2}  →  ×1.01",
         ('T["nuclear"] = float(np.trace(T["WW"]))', 'T["nuclear"] = 1.01 * float(np.trace(T["WW"]))')),
    _mut("seli/grams#1", _GEO, "seli_grams", "H̄ᵀH̄ = D^{−1/2}(D^{1/2}SD^{1/2})^{1/2}D^{−1/2}  →  ×1.01",
         ("    HH = inner / sq[:, None] / sq[None, :]\n", "    HH = 1.01 * inner / sq[:, None] / sq[None, :]\n")),
    _mut("seli/step-formulas#1", _SE, "step_formulas", "μ = Rρ + 1 − ρ  →  ×1.01",
         ("    mu = R * rho + 1.0 - rho\n", "    mu = 1.01 * (R * rho + 1.0 - rho)\n")),
    _mut("seli/regularization-path#1", _GEO, "seli_grams",
         "SELI target direction: D^{1/2}  →  D^{0.505} (exponent off by 1%)",
         ("    sq = np.sqrt(n)\n    P, theta, Qt", "    sq = n ** 0.505\n    P, theta, Qt")),
    # ---------------------------------------------------------------- Dang et al. 2023
    _mut("dang2023/mse-imbalanced#1", _D23R, "root_rhs", "σ_k root equation β = Mx^{M−1}/(x^M+1)²: rhs ×1.01",
         ("    return M * x ** (M - 1) / (x**M + 1.0) ** 2\n",
          "    return 1.01 * M * x ** (M - 1) / (x**M + 1.0) ** 2\n")),
    _mut("dang2023/mse-imbalanced#2", _D23R, "beta_of", "β_k = MN(Nλ_Hλ_W^M)^{1/M}/n_k  →  ×1.01",
         ("    return M * N * lambda_w * (N * lambda_h)", "    return 1.01 * M * N * lambda_w * (N * lambda_h)")),
    _mut("dang2023/mse-imbalanced#3", _D23R, "right_root", "M = 1 root x = β^{−1/2} − 1  →  1.01 β^{−1/2} − 1",
         ("return 1.0 / math.sqrt(beta) - 1.0 if beta < 1.0", "return 1.01 / math.sqrt(beta) - 1.0 if beta < 1.0")),
    _mut("dang2023/mse-imbalanced#4", _D23R, "zero_threshold", "zero threshold (M−1)^{(M−1)/M}/M  →  ×1.01",
         ("    return (M - 1.0) ** ((M - 1.0) / M) / M\n", "    return 1.01 * (M - 1.0) ** ((M - 1.0) / M) / M\n")),
    _mut("dang2023/mse-imbalanced#5", _D23F, "mse_quantities", "bias-free H̄ᵀH̄ = diag(σ_k/(σ_k+Nλ_H)²)  →  ×1.01",
         ('        q["gram_HH"] = np.diag(hh)\n', '        q["gram_HH"] = np.diag(1.01 * hh)\n')),
    _mut("dang2023/mse-balanced#1", _D23F, "mse_quantities", "free bias: objective (K−1)/K × per-class value  →  ×1.01",
         ('q["objective"] = (K - 1) / K * mse_optimal_value(problem, sig)',
          'q["objective"] = 1.01 * (K - 1) / K * mse_optimal_value(problem, sig)')),
    _mut("dang2023/mse-balanced#2", _D23F, "mse_quantities", "free bias: b* = 1/K  →  1.01/K",
         ('q["bias"] = np.full(K, 1.0 / K)', 'q["bias"] = np.full(K, 1.01 / K)')),
    # the M = 1 ETF scale is Zhu et al.'s c, imported from the zhu package: the formula lives there now
    _mut("dang2023/ce-etf-m1#1", _Z, "zhu_closed_form (imported by dang2023's _ce_m1_predict)",
         "a = log((1−(K−1)s)/s)  →  ×1.01",
         ("    c = math.log((1.0 - (K - 1) * s) / s) if", "    c = 1.01 * math.log((1.0 - (K - 1) * s) / s) if")),
    _mut("dang2023/ce-etf-deep#1", _D23E, "etf_kappa (used by etf_objective and best_etf_scale)",
         "ETF objective coefficient κ = ((M+1)/2)(λ_Hλ_W^M)^{1/(M+1)}(K−1)n^{1/(M+1)}  →  ×1.01",
         ("    return (M + 1) / 2.0 *", "    return 1.01 * (M + 1) / 2.0 *")),
    # ---------------------------------------------------------------- Dang et al. 2024 (ReLU)
    _mut("dang2024/relu-structure#1", _D24F, "margin_alive",
         "t_k = log((K−1)[√n_k/(N√((K−1)λ_Wλ_H/K)) − 1])  →  ×1.01",
         ("    return np.log((K - 1) * (ratio - 1.0))\n", "    return 1.01 * np.log((K - 1) * (ratio - 1.0))\n")),
    _mut("dang2024/relu-structure#2", _D24F, "mean_sq_norm", "‖h̄_k‖² = √((K−1)λ_W/(Kλ_Hn_k))·t_k  →  ×1.01",
         ("    return np.sqrt((K - 1) * lambda_w / (K * lambda_h * n_k)) * t\n",
          "    return 1.01 * np.sqrt((K - 1) * lambda_w / (K * lambda_h * n_k)) * t\n")),
    _mut("dang2024/relu-structure#3", _D24F, "classifier_constant",
         "C = √(Kλ_H/((K−1)λ_W)) in W = C·S D^{1/2} H̄ᵀ  →  ×1.01",
         ("    return math.sqrt(K * lambda_h / ((K - 1) * lambda_w))\n",
          "    return 1.01 * math.sqrt(K * lambda_h / ((K - 1) * lambda_w))\n")),
    _mut("dang2024/relu-angles#1", _D24F, "classifier_sq_norm", "‖w_k‖² = (C/K²)((K²−2K)q_k + Q)  →  ×1.01",
         ("    return C / K**2 * ((K**2 - 2 * K) * q_k + Q)\n",
          "    return 1.01 * C / K**2 * ((K**2 - 2 * K) * q_k + Q)\n")),
    _mut("dang2024/relu-angles#2", _D24F, "classifier_cosine",
         "cos(w_i,w_j) numerator Q − K(q_i+q_j)  →  Q − 1.01K(q_i+q_j)",
         ("    return (Q - K * (q_i + q_j)) / np.sqrt(a_i * a_j)\n",
          "    return (Q - 1.01 * K * (q_i + q_j)) / np.sqrt(a_i * a_j)\n")),
    _mut("dang2024/relu-collapse#1", _D24F, "collapse_threshold", "τ = KN²λ_Wλ_H/(K−1)  →  ×1.01",
         ("    return K * N**2 * lambda_w * lambda_h / (K - 1)\n",
          "    return 1.01 * K * N**2 * lambda_w * lambda_h / (K - 1)\n")),
    _mut("dang2024/relu-collapse#2", _D24C, "relu_observe",
         "shared collapsed classifier −(C/K)Σ_j√n_j h̄_j  →  −(1.01C/K)Σ_j√n_j h̄_j",
         ("shared = -(C / K) * (Hm @ sqrt_n)", "shared = -(1.01 * C / K) * (Hm @ sqrt_n)"), side="observe"),
    # ---------------------------------------------------------------- Yang et al.
    _mut("yang/etf-ce#1", _Y, "per_sample_scale",
         "per-sample scale c = √(E_H/E_W)  →  ×1.01 (also used by yang/etf-dr)",
         ("    return math.sqrt(e_h / e_w)\n", "    return 1.01 * math.sqrt(e_h / e_w)\n")),
    _mut("yang/etf-ce#2", _Y, "ce_at_scale",
         "objective log(1+(K−1)e^{−κc}), κ = E_W K/(K−1)  →  κ ×1.01 (in the objective only)",
         ("np.exp(-kappa_of(K, e_w) * np.asarray(c", "np.exp(-1.01 * kappa_of(K, e_w) * np.asarray(c")),
    _mut("yang/etf-dr#1", _Y, "dr_loss", "DR target √(E_WE_H) in (w*ᵀh − √(E_WE_H))²/(2√(E_WE_H))  →  ×1.01",
         ("    t = math.sqrt(e_w * e_h)\n", "    t = 1.01 * math.sqrt(e_w * e_h)\n"), side="observe"),
    _mut("yang/etf-dr#2", _Y, "per_sample_scale",
         "per-sample scale c = √(E_H/E_W)  →  ×1.01 (the same edit as yang/etf-ce#1)",
         ("    return math.sqrt(e_h / e_w)\n", "    return 1.01 * math.sqrt(e_h / e_w)\n")),
    _mut("yang/etf-variants#1", _Y, "penalty_scale", "penalty root c(e^{κc} + K − 1) = K/(Nλ_H)  →  rhs ×1.01",
         ("return _phi_inverse(K / (N * lambda_h),", "return _phi_inverse(1.01 * K / (N * lambda_h),")),
    _mut("yang/etf-variants#2", _Y, "average_scales", "average budget Σ_k c_k² = K E_H/E_W  →  ×1.01",
         ("    target = K * e_h / e_w", "    target = 1.01 * K * e_h / e_w")),
    # ---------------------------------------------------------------- Fang et al.
    _mut("fang/lpm-balanced#1", _FF, "balanced_prediction",
         "ETF logit scale √(E_WE_H)·K/(K−1)  →  ×1.01 (also fang/oversampling)",
         ("    m = math.sqrt(e_w * e_h) * f\n", "    m = 1.01 * math.sqrt(e_w * e_h) * f\n")),
    _mut("fang/lpm-balanced#2", _FF, "balanced_prediction", "H̄ᵀH̄ = E_H·K/(K−1)·S  →  ×1.01",
         ('"gram_HH": e_h * f * S,', '"gram_HH": 1.01 * e_h * f * S,')),
    _mut("fang/minority-collapse#1", _FR, "two_cluster_lpm", "nuclear-norm budget ρ = K√(E_WE_H)  →  ×1.01",
         ("    rho = pen.K * math.sqrt(ewh)\n    fixed", "    rho = 1.01 * pen.K * math.sqrt(ewh)\n    fixed")),
    _mut("fang/minority-collapse#2", _FO, "_onset_indicator", "onset condition μ = π_B  →  μ = 1.01 π_B (R₀ moves)",
         ("penalized_solve(pen, pen.wB / pen.K_B, fixed_mask(K_A, K_B, True), x0)",
          "penalized_solve(pen, 1.01 * pen.wB / pen.K_B, fixed_mask(K_A, K_B, True), x0)"), side="helper"),
    _mut("fang/minority-collapse#3", _FF, "two_cluster_prediction", "factor split γ² = √(E_W/E_H)  →  ×1.01",
         ("    gamma2 = math.sqrt(e_w / e_h)\n", "    gamma2 = 1.01 * math.sqrt(e_w / e_h)\n")),
    _mut("fang/oversampling#1", _FC, "_oversampling_predict",
         "min pair distance ‖w_j − w_k‖²/E_W = 2K/(K−1)  →  ×1.01",
         ('q["min_pair_w_dist_sq"] = 2 * e_w', 'q["min_pair_w_dist_sq"] = 2.02 * e_w')),
    # ---------------------------------------------------------------- AllNC
    _mut("allnc/mean-squeeze#1", _AC, "_squeeze_predict", "squeezed iff λ ≥ λ*  →  λ ≥ 1.01 λ*",
         ("squeezed = bool(problem.lam >= threshold_lambda(problem))",
          "squeezed = bool(problem.lam >= 1.01 * threshold_lambda(problem))")),
    # λ* = √n/N itself is Hong & Ling's (hong-ling/threshold#1 mutates it); AllNC's own part is the choice
    # n = the smallest size, in its wrapper, which predict, the symbolic numeric form and the onset locator use
    _mut("allnc/mean-squeeze#2", _AF, "threshold_lambda",
         "squeeze onset λ* = √(min n_k)/N  →  ×1.01 (used by predict and the onset locator)",
         ("    return _cluster_threshold(min(problem.sizes), problem.N)\n",
          "    return 1.01 * _cluster_threshold(min(problem.sizes), problem.N)\n")),
    _mut("allnc/fixed-etf-repair#1", _AC, "_repair_predict",
         "the abstract's three effects (squeezed, self-duality broken, NC1 weakened) True  →  False (claim turned "
         "into the UFM's answer: it must stop being refuted)",
         ('{"minority_h_squeezed": True, "self_duality_broken": True, "nc1_weakened": True}',
          '{"minority_h_squeezed": False, "self_duality_broken": False, "nc1_weakened": False}')),
    _mut("allnc/fixed-etf-repair#2", _AC, "_repair_predict", "one effect flipped: self_duality_broken True  →  False",
         ('{"minority_h_squeezed": True, "self_duality_broken": True, "nc1_weakened": True}',
          '{"minority_h_squeezed": True, "self_duality_broken": False, "nc1_weakened": True}')),
    # ---------------------------------------------------------------- Behnia et al. 2023
    # which CS-SVM the VS loss leads to (predict reports its parameters; the path's targets solve it)
    _mut("behnia2023/cs-svm-limit#1", _CSVM, "cs_svm_parameters (called by _limit_predict and cs_svm_targets)",
         "CS-SVM margins 1/ω  →  ω^{−1.01} (exponent off by 1%)",
         ("        return delta, 1.0 / omega\n", "        return delta, omega ** -1.01\n")),
    _mut("behnia2023/ldt-geometry#1", _BF, "ldt_solution",
         "H̄ᵀH̄ = Ω^{−1}(SELI H̄ᵀH̄ at n/ω²)Ω^{−1}  →  ×1.01",
         ('"HH": T["HH"] / om[:, None] / om[None, :],', '"HH": 1.01 * T["HH"] / om[:, None] / om[None, :],')),
    _mut("behnia2023/symmetric-gamma#1", _BC, "_sym_predict", "classifier cosines −1/(K−1)  →  −1.01/(K−1)",
         ('"w_cos_offdiag": np.full(K * (K - 1), -1.0 / (K - 1)),',
          '"w_cos_offdiag": np.full(K * (K - 1), -1.01 / (K - 1)),')),
    _mut("behnia2023/ldt-authors-geometry#1", _BF, "authors_ldt_point",
         "SELI at the true sizes n  →  at the effective sizes n/ω² (claim turned into the derived LDT solution: it "
         "must stop being refuted)",
         ("    T = weighted_seli(n)\n", "    T = weighted_seli(n / om ** 2)\n")),
    _mut("behnia2023/cdt-step#1", _BF, "step_gram_entries", "‖w_A‖² = (√R(k−2) + q_A)/(ka)  →  ×1.01",
         ('"w_sq_A": (sR * (k - 2.0) + qA) / (k * a),', '"w_sq_A": 1.01 * (sR * (k - 2.0) + qA) / (k * a),')),
    # ---------------------------------------------------------------- Zhou et al. 2022 (label smoothing)
    _mut("zhou2022/ls-balanced#1", _ZHF, "balanced_closed_form", "ρ* = ((K−1)/K)·c*  →  ×1.01",
         ("    rho = (K - 1) / K * c\n", "    rho = 1.01 * (K - 1) / K * c\n")),
    _mut("zhou2022/ls-cluster-gap#1", _ZHF, "cluster_gap", "gap max(0, 1 − ε − λN/√n_c)  →  λN ×1.01",
         ("return max(0.0, 1.0 - epsilon - lam * N / math.sqrt(n_c))",
          "return max(0.0, 1.0 - epsilon - 1.01 * lam * N / math.sqrt(n_c))")),
    _mut("zhou2022/ls-small-lambda#1", _ZHF, "limit_margin", "c_∞ = log(1 + K(1−ε)/ε)  →  ×1.01",
         ("    return math.log1p(K * (1.0 - epsilon) / epsilon)\n",
          "    return 1.01 * math.log1p(K * (1.0 - epsilon) / epsilon)\n")),
    # ---------------------------------------------------------------- Garrod & Keating
    _mut("garrod-keating/polytope-minimizer#1", _GKF, "kappa (used by candidate_objective and best_scale)",
         "κ_M = ((M+1)/2)(λ_Hλ_W^M)^{1/(M+1)}  →  ×1.01",
         ("    return (M + 1) / 2.0 * (lambda_h * lambda_w ** M)", "    return 1.01 * (M + 1) / 2.0 * (lambda_h * lambda_w ** M)")),
    _mut("garrod-keating/polytope-family-general#1", _GKF, "candidate_objective",
         "loss margins 1 − G_jk  →  ×1.01 (the family's values move)",
         ("    gaps = G[0, 0] - G[:, 0]", "    gaps = 1.01 * (G[0, 0] - G[:, 0])")),
    _mut("garrod-keating/rank-vs-depth#1", _GKE, "rank_along_depth",
         "rank at the largest depth below K − 1  →  below K − 2", ("ranks[-1] < K - 1)", "ranks[-1] < K - 2)"),
         side="helper"),
    # ---------------------------------------------------------------- low dimension
    _mut("lowdim/polygon-d2#1", _LDF, "polygon_closed_form", "‖w_k‖² = √(nλ_H/λ_W)·a*  →  ×1.01",
         ('"w_sq": math.sqrt(n * lambda_h / lambda_w) * a,', '"w_sq": 1.01 * math.sqrt(n * lambda_h / lambda_w) * a,')),
)


def source_package(claim_id: str) -> str:
    """The package name of a claim's source: ``hong-ling/threshold`` → ``hong_ling``."""
    return claim_id.split("/")[0].replace("-", "_")


def tests_for(claim_id: str) -> str:
    """The claim's own tests: the folder ``tests/claims/<source>/`` (every ``test_*.py`` in it), for a claim id
    ``<source>/<name>`` (source with ``-`` → ``_``, as in ``nctheory/claims/sources/<source>/``)."""
    return f"tests/claims/{source_package(claim_id)}"


# =========================================================================== running
class StaleMutation(ValueError):
    """An edit's file is missing or its ``old`` text does not occur the expected number of times."""


def stale_edits(mutation: Mutation, root: Path) -> list[str]:
    """Why ``mutation`` cannot be applied to the tree at ``root`` (empty when every edit matches exactly)."""
    out = []
    for e in mutation.edits:
        f = root / e.path
        if not f.is_file():
            out.append(f"{e.path} does not exist")
            continue
        found = f.read_text(encoding="utf-8").count(e.old)
        if found != e.count:
            out.append(f"expected {e.count} occurrence(s) of {e.old!r} in {e.path}, found {found}")
    return out


def snapshot(src: Path, dest: Path) -> Path:
    """Copy :data:`SNAPSHOT_ITEMS` of ``src`` to ``dest`` (caches and bytecode excluded)."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache", "_build")
    for item in SNAPSHOT_ITEMS:
        s = src / item
        if s.is_dir():
            shutil.copytree(s, dest / item, ignore=ignore)
        elif s.exists():
            shutil.copy2(s, dest / item)
    return dest


def apply_mutation(mutation: Mutation, root: Path) -> None:
    """Apply ``mutation``'s edits to the tree at ``root`` (raises :class:`StaleMutation`, before writing anything,
    when an edit's file is missing or its text is not found exactly ``count`` times)."""
    problems = stale_edits(mutation, root)
    if problems:
        raise StaleMutation(f"mutation: {mutation.key}: " + "; ".join(problems))
    for e in mutation.edits:
        f = root / e.path
        f.write_text(f.read_text(encoding="utf-8").replace(e.old, e.new), encoding="utf-8")


def _env(root: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(root),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HYPOTHESIS_PROFILE": "ci",
        # one BLAS thread per run: several runs may share the machine's cores
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    return env


def _run(cmd, root: Path, timeout: float):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=root, env=_env(root), capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return None, out, "timeout", time.perf_counter() - t0


_PROBE = r"""
import json, math, sys
import numpy as np
import nctheory
from nctheory.claims import all_claims
ids = json.loads(sys.argv[1])
out = {"origin": nctheory.__file__, "claims": {}}
by_id = {c.id: c for c in all_claims()}
out["registered"] = list(by_id)
for cid in ids:
    c = by_id.get(cid)
    if c is None:
        continue
    rows = []
    for p in c.default_instances():
        try:
            q = c.predict(p).quantities
        except Exception as exc:
            rows.append({"__error__": repr(exc)})
            continue
        row = {}
        for k, v in q.items():
            try:
                a = np.asarray(v, dtype=float)
                row[k] = [list(a.shape), [None if math.isnan(x) else x for x in a.ravel().tolist()]]
            except (TypeError, ValueError):
                row[k] = repr(v)
        rows.append(row)
    out["claims"][cid] = rows
print(json.dumps(out))
"""


def probe_predictions(root: Path, claim_ids) -> dict:
    """Predictions of ``claim_ids`` at their default instances, evaluated in the tree at ``root``."""
    rc, out, err, _ = _run([sys.executable, "-c", _PROBE, json.dumps(list(claim_ids))], root, PROBE_TIMEOUT)
    if rc != 0:
        raise RuntimeError(f"probe failed in {root}: {err.strip()[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    origin = Path(res["origin"]).resolve()
    if root.resolve() not in origin.parents:
        raise RuntimeError(f"probe: nctheory was imported from {origin}, not from the copy {root}")
    return res


def prediction_change(base_rows, mut_rows) -> tuple[float | None, str]:
    """Largest relative change of a predicted quantity (over instances and entries), and its name.

    ``(None, reason)`` when the structure changed (a quantity appeared/disappeared, a shape or a
    non-numeric value changed, predict raised).
    """
    worst, where = 0.0, ""
    if len(base_rows) != len(mut_rows):
        return None, "number of instances changed"
    for i, (b, m) in enumerate(zip(base_rows, mut_rows)):
        if "__error__" in m:
            return None, f"predict raised: {m['__error__'][:80]}"
        if set(b) != set(m):
            diff = sorted(set(b) ^ set(m))
            return None, f"instance {i}: quantities {diff} appeared/disappeared"
        for k in b:
            if not isinstance(b[k], list) or not isinstance(m[k], list):
                if b[k] != m[k]:
                    return None, f"instance {i}: {k} changed"
                continue
            if b[k][0] != m[k][0]:
                return None, f"instance {i}: shape of {k} changed"
            for x, y in zip(b[k][1], m[k][1]):
                if x is None or y is None:
                    if (x is None) != (y is None):
                        return None, f"instance {i}: {k} became/stopped being NaN"
                    continue
                if x == y:
                    continue
                scale = max(abs(x), abs(y))
                rel = abs(x - y) / scale if scale > 0 else 0.0
                if rel > worst:
                    worst, where = rel, k
    return worst, where


def _node_id(root: Path, classname: str, name: str) -> str:
    """The pytest node id of a junit test case: classname ``tests.claims.zhu.test_zhu_x`` (+ ``.Class``) and name
    ``test_y[p]`` → ``tests/claims/zhu/test_zhu_x.py[::Class]::test_y[p]`` (the file is the longest prefix of the
    classname that names an existing ``.py`` file under ``root``)."""
    parts = classname.split(".")
    for i in range(len(parts), 0, -1):
        path = "/".join(parts[:i]) + ".py"
        if (root / path).is_file():
            return "::".join([path] + parts[i:] + [name])
    return "::".join([classname, name])


def run_tests(root: Path, target: str, *, stop_first: bool, deselect=()) -> dict:
    """Run pytest on ``target`` (a test file or folder) in the tree at ``root``; returns rc, failed test ids,
    counts and time."""
    xml = root / f".junit-{os.getpid()}-{time.monotonic_ns()}.xml"
    cmd = [sys.executable, "-m", "pytest", target, "-q", "-p", "no:cacheprovider", f"--junitxml={xml}"]
    if stop_first:
        cmd.append("-x")
    for d in deselect:
        cmd += ["--deselect", d]
    rc, out, err, dt = _run(cmd, root, PYTEST_TIMEOUT)
    failed, n_tests = [], 0
    if xml.exists():
        suite = ET.parse(xml).getroot()
        for case in suite.iter("testcase"):
            n_tests += 1
            if case.find("failure") is not None or case.find("error") is not None:
                failed.append(_node_id(root, case.get("classname", ""), case.get("name", "?")))
        xml.unlink()
    tail = "\n".join((out + err).strip().splitlines()[-3:])
    return {"rc": rc, "failed": failed, "n_tests": n_tests, "time": dt, "tail": tail}


_CLI = "import sys; from nctheory.cli import main; sys.exit(main(sys.argv[1:]))"

#: The status words ``nctheory check`` starts its per-instance lines with (the verdicts, and for claims
#: registered to be refuted whether they were).
CHECK_STATUSES = ("PASS", "CONSISTENT", "FAIL", "INCONCLUSIVE", "REFUTED", "NOT-REFUTED")


def check_statuses(out: str) -> list[str]:
    """The status word of every per-instance line of ``nctheory check`` output ``out``, in order."""
    return [ln.split()[0] for ln in out.splitlines() if ln.split() and ln.split()[0] in CHECK_STATUSES]


def run_check(root: Path, claim_id: str) -> dict:
    """``nctheory check --only CLAIM --quiet`` in the tree at ``root``: exit code, status words, time."""
    rc, out, err, dt = _run([sys.executable, "-c", _CLI, "check", "--only", claim_id, "--quiet"], root, CHECK_TIMEOUT)
    return {"rc": rc, "statuses": check_statuses(out), "time": dt, "tail": (out + err).strip().splitlines()[-1:] or [""]}


@dataclass
class Baseline:
    """What the unmutated snapshot does: failing tests per test folder, check exit code and predictions per claim."""

    root: Path
    registered: list
    failing: dict = field(default_factory=dict)
    tests_info: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)
    predictions: dict = field(default_factory=dict)


def run_baseline(root: Path, claim_ids, targets, jobs: int, log) -> Baseline:
    probe = probe_predictions(root, claim_ids)
    base = Baseline(root, probe["registered"], predictions=probe["claims"])
    with futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        mod_f = {m: pool.submit(run_tests, root, m, stop_first=False) for m in targets}
        chk_f = {c: pool.submit(run_check, root, c) for c in claim_ids}
        for m, f in mod_f.items():
            r = f.result()
            base.failing[m] = r["failed"]
            base.tests_info[m] = r
            log(f"baseline {m}: rc={r['rc']} {r['n_tests']} tests, {len(r['failed'])} failing, {r['time']:.1f}s")
        for c, f in chk_f.items():
            base.check[c] = f.result()
            log(f"baseline check {c}: exit {base.check[c]['rc']}")
    return base


def run_mutation(mutation: Mutation, base: Baseline, workdir: Path) -> dict:
    """Apply one mutation to a fresh copy of the baseline snapshot and run everything on it."""
    root = Path(tempfile.mkdtemp(prefix="mut-", dir=workdir))
    res = {"key": mutation.key, "claim": mutation.claim_id, "target": tests_for(mutation.claim_id),
           "side": mutation.side}
    try:
        snapshot(base.root, root)
        try:
            apply_mutation(mutation, root)
        except StaleMutation as exc:
            res.update(status="stale", message=str(exc))
            return res
        probe = probe_predictions(root, [mutation.claim_id])
        res["delta"] = prediction_change(base.predictions.get(mutation.claim_id, []),
                                         probe["claims"].get(mutation.claim_id, []))
        t = run_tests(root, res["target"], stop_first=True, deselect=base.failing.get(res["target"], []))
        res["tests"] = t
        if t["rc"] is None:
            res["tests_verdict"] = "timeout"
        elif t["rc"] == 1:
            res["tests_verdict"] = "killed"
        elif t["rc"] == 0:
            res["tests_verdict"] = "survived"
        else:
            res["tests_verdict"] = f"error (pytest exit {t['rc']})"
        c = run_check(root, mutation.claim_id)
        res["check"] = c
        b_rc = base.check.get(mutation.claim_id, {}).get("rc")
        if b_rc != 0:
            res["check_verdict"] = f"n/a (baseline exit {b_rc})"
        elif c["rc"] is None:
            res["check_verdict"] = "timeout"
        else:
            res["check_verdict"] = "killed" if c["rc"] != 0 else "survived"
        res["status"] = "done"
        return res
    finally:
        shutil.rmtree(root, ignore_errors=True)


# =========================================================================== the record
def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()} ({platform.machine()}), {cpu}, {os.cpu_count()} logical CPUs"


def _versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for mod in ("numpy", "scipy", "cvxpy", "hypothesis", "pytest"):
        try:
            out.append(f"{mod} {__import__(mod).__version__}")
        except Exception:  # noqa: BLE001 - a missing module is just not reported
            pass
    return ", ".join(out)


def _source_hash(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted((root / "nctheory").rglob("*.py")):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _git_head() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain"], cwd=REPO,
                               capture_output=True, text=True, timeout=30).stdout.strip()
        state = "clean" if not dirty else "uncommitted changes"
        return f"{head} ({state})" if head else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _fmt_delta(res: dict) -> str:
    d = res.get("delta")
    if d is None:
        return "–"
    val, where = d
    if val is None:
        return f"changed ({where})"
    if val == 0.0:
        side = res.get("side", "predict")
        return "0 (" + {"observe": "observe side", "helper": "helper, not called by predict"}.get(
            side, "unchanged at the defaults") + ")"
    return f"{val:.1e} ({where})"


def _short_path(path: str) -> str:
    """``nctheory/claims/sources/hong_ling/formulas.py`` → ``hong_ling/formulas.py``; ``nctheory/geometry.py`` →
    ``geometry.py``."""
    return path.removeprefix("nctheory/claims/sources/").removeprefix("nctheory/")


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_record(results, base: Baseline, args_text: str, elapsed: float, missing) -> str:
    """The generated Markdown block (table, totals, reproduction, machine)."""
    lines = [BEGIN, ""]
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines += [
        f"*Generated {now} by* `{args_text}` *in {elapsed / 60:.1f} min.*",
        "",
        f"- Machine: {_machine()}; {_versions()}.",
        f"- Source: git {_git_head()}; snapshot hash of `nctheory/**/*.py` {_source_hash(base.root)} (the run used "
        "one frozen copy of the working tree for the baseline and every mutant).",
        "- Hypothesis profile `ci` (derandomized, 25 examples); tests run with `-x -q -p no:cacheprovider`.",
        "",
    ]
    bad_base = {m: f for m, f in base.failing.items() if f}
    if bad_base:
        lines.append("Tests that already fail on the unmutated snapshot (deselected in the mutant runs):")
        lines.append("")
        for m, f in bad_base.items():
            for t in f:
                lines.append(f"- `{t}`")
        lines.append("")
    bad_chk = {c: r for c, r in base.check.items() if r.get("rc") != 0}
    if bad_chk:
        lines.append("Claims whose `nctheory check --only` is already non-zero on the snapshot: "
                     + ", ".join(f"`{c}` (exit {r['rc']})" for c, r in bad_chk.items()) + ".")
        lines.append("")
    lines += [
        "| mutation | file : function | change | max rel. change of predict() at defaults | "
        "claim's tests (`tests/claims/<source>/`) | first failing test | `check --only` exit | time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_key = {m.key: m for m in MUTATIONS}
    for r in results:
        m = by_key[r["key"]]
        where = ", ".join(f"`{_short_path(p)}`" for p in m.files) + f" : `{m.function}`"
        if r.get("status") == "stale":
            lines.append(f"| `{r['key']}` | {where} | {_cell(m.change)} | – | **STALE** | {_cell(r['message'])} | – | – |")
            continue
        t, c = r["tests"], r["check"]
        verdict = r["tests_verdict"]
        tv = "**SURVIVED**" if verdict == "survived" else verdict
        first = f"`{t['failed'][0].removeprefix(r['target'] + '/')}`" if t["failed"] else "–"
        cv = c["rc"] if c["rc"] is not None else "timeout"
        cs = ",".join(c["statuses"])
        chk = f"{cv} ({cs})" + (" **SURVIVED**" if r["check_verdict"] == "survived" else "")
        if r["check_verdict"].startswith("n/a"):
            chk += f" — {r['check_verdict']}"
        lines.append(f"| `{r['key']}` | {where} | {_cell(m.change)} | {_fmt_delta(r)} | {tv} | {first} | {chk} | "
                     f"{t['time'] + c['time']:.1f} |")
    done = [r for r in results if r.get("status") == "done"]
    n_t = sum(r["tests_verdict"] == "killed" for r in done)
    n_c = sum(r["check_verdict"] == "killed" for r in done)
    n_any = sum(r["tests_verdict"] == "killed" or r["check_verdict"] == "killed" for r in done)
    claims_hit = sorted({r["claim"] for r in done})
    claims_t = sorted({r["claim"] for r in done if r["tests_verdict"] == "killed"})
    lines += [
        "",
        f"**Totals:** {len(results)} mutations over {len(claims_hit)} claims; "
        f"killed by the claim's tests: **{n_t}/{len(done)}**; killed by `nctheory check --only`: "
        f"**{n_c}/{len(done)}**; killed by either: **{n_any}/{len(done)}**; "
        f"claims with at least one mutation killed by their tests: {len(claims_t)}/{len(claims_hit)}.",
    ]
    stale = [r["key"] for r in results if r.get("status") == "stale"]
    if stale:
        lines.append(f"Stale mutations (source changed; update their text): {', '.join(stale)}.")
    surv = [r["key"] for r in done if r["tests_verdict"] != "killed"]
    if surv:
        lines.append(f"Not killed by the tests: {', '.join(f'`{s}`' for s in surv)}.")
    if missing:
        lines.append(f"**Registered claims without a mutation:** {', '.join(missing)}.")
    lines += ["", END]
    return "\n".join(lines)


def write_record(path: Path, block: str) -> None:
    """Replace the generated block of ``path`` (create the file with a minimal header if needed)."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            pre, rest = text.split(BEGIN, 1)
            _, post = rest.split(END, 1)
            path.write_text(pre + block + post, encoding="utf-8")
            return
        path.write_text(text.rstrip() + "\n\n" + block + "\n", encoding="utf-8")
        return
    path.write_text("# Mutation record\n\n" + block + "\n", encoding="utf-8")


# =========================================================================== CLI
def select(patterns) -> list[Mutation]:
    """Mutations whose claim id (or key) equals or starts with one of ``patterns`` (all if empty)."""
    if not patterns:
        return list(MUTATIONS)
    out = [m for m in MUTATIONS if any(m.key == p or m.claim_id == p or m.claim_id.startswith(p) for p in patterns)]
    if not out:
        raise ValueError(f"claims: no mutation matches {patterns}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--claims", nargs="*", default=[], metavar="ID",
                    help="claim ids, id prefixes or mutation keys (default: all)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="mutations run in parallel (default 1)")
    ap.add_argument("--record", default=str(REPO / "docs" / "mutation-record.md"),
                    help="Markdown file whose generated block is replaced")
    ap.add_argument("--no-record", action="store_true", help="do not write the Markdown record")
    ap.add_argument("--json", metavar="PATH", help="also write the raw results as JSON")
    ap.add_argument("--list", action="store_true", help="print the mutation table and exit")
    ap.add_argument("--source", default=str(REPO), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("jobs: must be >= 1")
    try:
        chosen = select(args.claims)
    except ValueError as exc:
        ap.error(str(exc))
    if args.list:
        for m in chosen:
            print(f"{m.key:<30} {','.join(_short_path(p) for p in m.files):<28} {m.function:<28} {m.change}")
        return 0

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="nctheory-mutation-"))
    try:
        base_root = snapshot(Path(args.source), workdir / "baseline")
        # a stale mutation would test nothing: refuse to run, before any long run
        stale = {m.key: stale_edits(m, base_root) for m in chosen}
        stale = {k: v for k, v in stale.items() if v}
        if stale:
            for k, v in stale.items():
                log(f"ERROR stale mutation {k}: " + "; ".join(v))
            log(f"{len(stale)} stale mutation(s): update their text in {Path(__file__).name}; nothing was run")
            return 2
        claim_ids = sorted({m.claim_id for m in chosen}, key=[m.claim_id for m in MUTATIONS].index)
        targets = sorted({tests_for(c) for c in claim_ids})
        missing_dirs = [t for t in targets if not (base_root / t).is_dir()]
        if missing_dirs:
            log(f"ERROR test folders not found: {missing_dirs}; nothing was run")
            return 2
        base = run_baseline(base_root, claim_ids, targets, args.jobs, log)
        unknown = [c for c in claim_ids if c not in base.registered]
        if unknown:
            log(f"WARNING mutations for unregistered claims: {unknown}")
        covered = {m.claim_id for m in MUTATIONS}
        missing = [c for c in base.registered if c not in covered]
        if missing:
            log(f"ERROR registered claims without a mutation: {missing} (the run goes on; its exit code will be 1)")
        results = []
        with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            fs = {pool.submit(run_mutation, m, base, workdir): m for m in chosen}
            for f in futures.as_completed(fs):
                r = f.result()
                results.append(r)
                if r.get("status") == "stale":
                    log(f"{r['key']:<30} STALE: {r['message']}")
                else:
                    first = r["tests"]["failed"][0] if r["tests"]["failed"] else "-"
                    log(f"{r['key']:<30} tests {r['tests_verdict']:<9} check {r['check_verdict']:<9} "
                        f"Δpredict {_fmt_delta(r):<36} {first}")
        order = [m.key for m in chosen]
        results.sort(key=lambda r: order.index(r["key"]))
        elapsed = time.perf_counter() - t0
        cmd = ".venv/bin/python tests/mutation/mutate_claims.py" + (
            " --claims " + " ".join(args.claims) if args.claims else "") + (f" -j {args.jobs}" if args.jobs > 1 else "")
        block = render_record(results, base, cmd, elapsed, missing)
        if not args.no_record:
            write_record(Path(args.record), block)
            log(f"record written to {args.record}")
        else:
            print(block)
        if args.json:
            Path(args.json).write_text(json.dumps({"results": results, "elapsed_s": elapsed,
                                                   "baseline_failing": base.failing,
                                                   "baseline_check": base.check}, indent=2, default=str))
        survived = [r for r in results if r.get("status") != "done" or r["tests_verdict"] != "killed"]
        log(f"{len(results) - len(survived)}/{len(results)} mutations killed by the tests in {elapsed:.0f} s")
        return 0 if not survived and not missing and not unknown else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
