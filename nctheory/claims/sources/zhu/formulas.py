r"""Zhu et al.'s closed form for balanced CE, in the canonical convention (catalogue §0, §6).

Zhu et al. write the feature penalty summed over samples with the ½, as the canonical convention does (their
relation :math:`w_k = \sqrt{n\lambda_H/\lambda_W}\,h_k` holds only that way; catalogue §9), so no conversion is needed.

Derivation (R2 with :math:`D = nI`): by symmetry and convexity the optimum is :math:`\bar Z = cS`
(S = I − J/K) and b = 0, with :math:`\min_c \log(1 + (K-1)e^{-c}) + s(K-1)c`, :math:`s = \lambda\sqrt n`.
Stationarity gives :math:`e^{-c}/(1 + (K-1)e^{-c}) = s`, i.e. :math:`c = \log((1-(K-1)s)/s)`, positive iff
:math:`Ks < 1`; otherwise c = 0 (the zero solution).  With :math:`\rho^* = \frac{K-1}K c` (the diagonal of
:math:`\bar Z`) R1 gives :math:`WW^\top = \sqrt{n\lambda_H/\lambda_W}\,cS`, so
:math:`\|w\|^2 = \sqrt{n\lambda_H/\lambda_W}\rho^*`, :math:`\|h\|^2 = \sqrt{\lambda_W/(n\lambda_H)}\rho^*` and
:math:`h_{k,i} = \sqrt{\lambda_W/(\lambda_H n)}\,w_k` (self-duality).  Worked example K = 4, n = 5, all λ = 1e-2:
‖w‖² = 6.257099, ‖h‖² = 1.251420.  The objective at the optimum is :math:`\log(1+(K-1)e^{-c}) + s(K-1)c`.
"""

from __future__ import annotations

import math


def zhu_closed_form(K: int, n: float, lambda_w: float, lambda_h: float) -> dict:
    r"""The closed form: ``s``, ``c`` (logit margin), ``rho`` (ρ*), ``w_sq``, ``h_sq``, ``alpha``, ``objective``.

    ``alpha`` = :math:`\sqrt{\lambda_W/(\lambda_H n)}` (self-duality factor :math:`h_k = \alpha w_k`).
    """
    s = math.sqrt(n * lambda_w * lambda_h)
    c = math.log((1.0 - (K - 1) * s) / s) if K * s < 1.0 else 0.0
    rho = (K - 1) / K * c
    objective = math.log(K) if c == 0.0 else math.log1p((K - 1) * math.exp(-c)) + s * (K - 1) * c
    return {
        "s": s,
        "c": c,
        "rho": rho,
        "w_sq": math.sqrt(n * lambda_h / lambda_w) * rho,
        "h_sq": math.sqrt(lambda_w / (n * lambda_h)) * rho,
        "alpha": math.sqrt(lambda_w / (lambda_h * n)),
        "objective": objective,
    }


def zhu_s(problem) -> float:
    r""":math:`s = \sqrt{n\lambda_W\lambda_H} = \lambda\sqrt n` (balanced size n)."""
    return problem.lam * math.sqrt(problem.sizes[0])
