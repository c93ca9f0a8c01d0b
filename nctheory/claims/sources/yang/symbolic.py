"""Yang et al.'s fixed-ETF forms as sympy expressions (``proofs_check/yang_fixed_etf.py`` proves them), and the
numeric function the code evaluates for each (checked by the claim contract test)."""

from __future__ import annotations

import sympy as sp

K, N, lambda_H, E_W, E_H, c, t, pi_k, theta = sp.symbols("K N lambda_H E_W E_H c t pi_k theta", positive=True)
KAPPA = E_W * K / (K - 1)


def ce_forms() -> dict:
    """Per-sample budget, CE (``yang/etf-ce``)."""
    scale = sp.sqrt(E_H / E_W)
    return {
        "scale_c": scale,
        "own_logit": scale * E_W,
        "other_logit": -scale * E_W / (K - 1),
        "objective": sp.log(1 + (K - 1) * sp.exp(-KAPPA * scale)),
    }


def dr_forms() -> dict:
    """Dot regression (``yang/etf-dr``): the loss at angle θ on the sphere ‖h‖ = √E_H and its gradient."""
    target = sp.sqrt(E_W * E_H)
    projection = sp.sqrt(E_W) * sp.sqrt(E_H) * sp.cos(theta)  # w*_c^T h at ||h|| = sqrt(E_H), angle theta
    return {
        "dr_loss_at_angle": (projection - target) ** 2 / (2 * target),
        # the gradient is (coefficient) * w*_c; the claim: coefficient = -(1 - cos theta)
        "dr_gradient_coefficient": (projection - target) / target,
        "dr_gradient_coefficient_claimed": -(1 - sp.cos(theta)),
    }


def variants_forms() -> dict:
    """Weight decay and the average budget (``yang/etf-variants``)."""
    g = sp.log(1 + (K - 1) * sp.exp(-KAPPA * c))
    return {
        "ce_at_scale": g,
        # stationarity of (1/N) g(c) + (lambda_H/2) c^2 E_W (= 0 at the optimum), and its solved form
        "penalty_stationarity": sp.diff(g, c) / N + lambda_H * c * E_W,
        "penalty_root_equation": c * (sp.exp(KAPPA * c) + K - 1) - K / (N * lambda_H),
        # average budget: c_k (e^{kappa c_k} + K - 1) = pi_k t
        "average_root_equation": c * (sp.exp(KAPPA * c) + K - 1) - pi_k * t,
    }


def ce_numeric() -> dict:
    import numpy as np

    from nctheory.claims.sources.yang import formulas as f

    def logits(K_, ew, eh):
        return f.predicted_geometry(int(K_), ew, np.full(int(K_), f.per_sample_scale(ew, eh)))["logits_mean"]

    return {
        "scale_c": (lambda ew, eh: f.per_sample_scale(ew, eh), (E_W, E_H)),
        "own_logit": (lambda K_, ew, eh: float(logits(K_, ew, eh)[0, 0]), (K, E_W, E_H)),
        "other_logit": (lambda K_, ew, eh: float(logits(K_, ew, eh)[1, 0]), (K, E_W, E_H)),
        "objective": (lambda K_, ew, eh: float(f.ce_at_scale(f.per_sample_scale(ew, eh), int(K_), ew)), (K, E_W, E_H)),
    }


def dr_numeric() -> dict:
    import math

    from nctheory.claims.sources.yang import formulas as f

    def loss(ew, eh, th):
        return float(f.dr_loss(math.sqrt(ew) * math.sqrt(eh) * math.cos(th), ew, eh))

    return {"dr_loss_at_angle": (loss, (E_W, E_H, theta))}


def variants_numeric() -> dict:
    from nctheory.claims.sources.yang import formulas as f

    def root_residual(c_, K_, ew, rhs):
        return f.scale_equation_lhs(c_, f.kappa_of(int(K_), ew), int(K_)) - rhs

    return {
        "ce_at_scale": (lambda c_, K_, ew: float(f.ce_at_scale(c_, int(K_), ew)), (c, K, E_W)),
        "penalty_root_equation": (lambda c_, K_, ew, N_, lh: root_residual(c_, K_, ew, int(K_) / (N_ * lh)),
                                  (c, K, E_W, N, lambda_H)),
        "average_root_equation": (lambda c_, K_, ew, p, t_: root_residual(c_, K_, ew, p * t_), (c, K, E_W, pi_k, t)),
    }
