"""Dang et al. 2024's forms as sympy expressions (``proofs_check/relu_margins.py`` proves them), and the numeric
function the code evaluates for each (checked by the claim contract test)."""

from __future__ import annotations

import sympy as sp

K, N, n_k, lambda_W, lambda_H, t_k = sp.symbols("K N n_k lambda_W lambda_H t_k", positive=True)
C, q_i, q_j, Q, t_i, t_j, n_i, n_j = sp.symbols("C q_i q_j Q t_i t_j n_i n_j", positive=True)


def structure_forms() -> dict:
    """Constants, margin, mean norms and per-class value (``dang2024/relu-structure``)."""
    return {
        "C": sp.sqrt(K * lambda_H / ((K - 1) * lambda_W)),
        "tau": K * N**2 * lambda_W * lambda_H / (K - 1),
        "margin": sp.log((K - 1) * (sp.sqrt(n_k) / (N * sp.sqrt((K - 1) * lambda_W * lambda_H / K)) - 1)),
        "h_norm_sq": sp.sqrt((K - 1) * lambda_W / (K * lambda_H * n_k)) * t_k,
        "class_objective": (n_k / N * sp.log(1 + (K - 1) * sp.exp(-t_k))
                            + t_k * sp.sqrt(lambda_W * lambda_H * n_k * (K - 1) / K)),
    }


def angle_forms() -> dict:
    """Norms and angles in q_k = sqrt(n_k) t_k, Q = sum q (``dang2024/relu-angles``)."""
    a_i, a_j = (K**2 - 2 * K) * q_i + Q, (K**2 - 2 * K) * q_j + Q
    return {
        "w_norm_sq": C / K**2 * a_i,
        "cos_ww": (Q - K * (q_i + q_j)) / sp.sqrt(a_i * a_j),
        "cos_wh_same": (K - 1) * sp.sqrt(q_i) / sp.sqrt(a_i),
        "cos_wh_other": -sp.sqrt(q_i) / sp.sqrt(a_j),
        "h_norm_ratio": (t_i / t_j) * sp.sqrt(n_j / n_i),
    }


def collapse_forms() -> dict:
    """The collapse threshold (``dang2024/relu-collapse``)."""
    return {"tau": structure_forms()["tau"]}


def structure_numeric() -> dict:
    from nctheory.claims.sources.dang2024 import formulas as f

    return {
        "C": (lambda K_, lw, lh: f.classifier_constant(int(K_), lw, lh), (K, lambda_W, lambda_H)),
        "tau": (lambda K_, N_, lw, lh: f.collapse_threshold(int(K_), N_, lw, lh), (K, N, lambda_W, lambda_H)),
        "margin": (lambda K_, N_, n_, lw, lh: float(f.margin_alive(int(K_), N_, n_, lw, lh)),
                   (K, N, n_k, lambda_W, lambda_H)),
        "h_norm_sq": (lambda t_, K_, n_, lw, lh: float(f.mean_sq_norm(t_, int(K_), n_, lw, lh)),
                      (t_k, K, n_k, lambda_W, lambda_H)),
        "class_objective": (lambda t_, K_, N_, n_, lw, lh: float(f.class_objective_value(t_, int(K_), N_, n_, lw, lh)),
                            (t_k, K, N, n_k, lambda_W, lambda_H)),
    }


def angle_numeric() -> dict:
    from nctheory.claims.sources.dang2024 import formulas as f

    return {
        "w_norm_sq": (lambda qi, Q_, K_, C_: float(f.classifier_sq_norm(qi, Q_, int(K_), C_)), (q_i, Q, K, C)),
        "cos_ww": (lambda qi, qj, Q_, K_: float(f.classifier_cosine(qi, qj, Q_, int(K_))), (q_i, q_j, Q, K)),
        "cos_wh_same": (lambda qi, Q_, K_: float(f.classifier_mean_cosine(1.0, qi, qi, Q_, int(K_))), (q_i, Q, K)),
        "cos_wh_other": (lambda qi, qj, Q_, K_: float(f.classifier_mean_cosine(0.0, qj, qi, Q_, int(K_))),
                         (q_i, q_j, Q, K)),
    }


def collapse_numeric() -> dict:
    return {"tau": structure_numeric()["tau"]}
