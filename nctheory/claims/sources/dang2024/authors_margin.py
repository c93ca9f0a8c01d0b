r"""The margin constant of Dang et al. 2024's code beside the derived one (catalogue §9, unresolved: shown, not judged).

Derived (§4, canonical convention): :math:`t_k = \log\big((K-1)[\sqrt{n_k}/c - 1]\big)` with
:math:`c = N\sqrt{\lambda_W\lambda_H}\sqrt{(K-1)/K}`.  The authors' code uses
:math:`c_{\rm code} = N\frac{\lambda_W}2\sqrt{(K-1)/K}` instead.  The ratio is
:math:`c_{\rm code}/c = \frac12\sqrt{\lambda_W/\lambda_H}`, so the two agree iff :math:`\lambda_W = 4\lambda_H`; the
derived margin depends on :math:`\lambda_W\lambda_H` only, the code's on :math:`\lambda_W` only.
"""

from __future__ import annotations

import math

import numpy as np


def derived_constant(K: int, N: float, lambda_w: float, lambda_h: float) -> float:
    r""":math:`N\sqrt{\lambda_W\lambda_H}\sqrt{(K-1)/K}`."""
    return N * math.sqrt(lambda_w * lambda_h) * math.sqrt((K - 1) / K)


def code_constant(K: int, N: float, lambda_w: float, lambda_h: float) -> float:
    r""":math:`N(\lambda_W/2)\sqrt{(K-1)/K}` (``lambda_h`` unused: the code's constant ignores it)."""
    del lambda_h
    return N * lambda_w / 2.0 * math.sqrt((K - 1) / K)


def margin_with_constant(K: int, n_k, c: float) -> np.ndarray:
    r""":math:`\log((K-1)[\sqrt{n_k}/c - 1])` where positive, else 0 (the class is collapsed)."""
    r = np.sqrt(np.asarray(n_k, dtype=np.float64)) / c
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.log((K - 1) * (r - 1.0))
    return np.where(np.isfinite(t) & (t > 0), t, 0.0)


__all__ = ["code_constant", "derived_constant", "margin_with_constant"]
