"""Fang et al.'s LPM forms as sympy expressions (``proofs_check/fang_lpm.py`` proves them), and the numeric
function the code evaluates for each (checked by the claim contract test)."""

from __future__ import annotations

import sympy as sp

K, E_W, E_H = sp.symbols("K E_W E_H", positive=True)
K_A, K_B, R, mu = sp.symbols("K_A K_B R mu", positive=True)
s_B, t = sp.symbols("s_B t", nonnegative=True)


def balanced_forms() -> dict:
    """The balanced ETF (``fang/lpm-balanced``, ``fang/oversampling``)."""
    m = sp.sqrt(E_W * E_H) * K / (K - 1)
    return {
        "norm_w_sq": E_W,
        "norm_h_sq": E_H,
        "cos_ww": -1 / (K - 1),
        "own_logit": sp.sqrt(E_W * E_H),
        "other_logit": -sp.sqrt(E_W * E_H) / (K - 1),
        "objective": sp.log(1 + (K - 1) * sp.exp(-m)),
    }


def minority_loss():
    """CE of a minority class at the symmetric point, as a function of s_B and t (two_cluster module doc)."""
    cross = (K_A + K_B) / (K_A * K_B)
    return sp.log(1 + (K_B - 1) * sp.exp(-s_B) + K_A * sp.exp(-(s_B * (K_B - 1) / K_B + t * cross)))


def collapse_forms() -> dict:
    """The collapse criterion (``fang/minority-collapse``)."""
    pi_B = 1 / (K_A * R + K_B)
    return {
        "minority_loss": minority_loss(),
        # d/ds_B of the minority loss at s_B = 0 is -(K_B-1)/K_B for every t: the key identity
        "minority_loss_slope_at_collapse": sp.diff(minority_loss(), s_B).subs(s_B, 0),
        "pi_B": pi_B,
        "collapse_indicator": mu - pi_B,  # collapsed iff >= 0
    }


def balanced_numeric() -> dict:
    from nctheory.claims.sources.fang.formulas import balanced_prediction

    def entry(key, i, j):
        return lambda K_, ew, eh: float(balanced_prediction(int(K_), ew, eh)[key][i, j])

    def cosine(K_, ew, eh):
        G = balanced_prediction(int(K_), ew, eh)["gram_WW"]
        return float(G[0, 1] / G[0, 0])

    syms = (K, E_W, E_H)
    return {
        "norm_w_sq": (entry("gram_WW", 0, 0), syms),
        "norm_h_sq": (entry("gram_HH", 0, 0), syms),
        "cos_ww": (cosine, syms),
        "own_logit": (entry("logits_mean", 0, 0), syms),
        "other_logit": (entry("logits_mean", 1, 0), syms),
        "objective": (lambda K_, ew, eh: balanced_prediction(int(K_), ew, eh)["objective"], syms),
    }


def collapse_numeric() -> dict:
    from nctheory.claims.sources.fang.formulas import two_cluster_weights
    from nctheory.claims.sources.fang.two_cluster import cluster_loss

    def loss(sb, t_, ka, kb):
        return cluster_loss(sb, t_, int(kb), int(ka), (ka + kb) / (ka * kb))[0]

    def slope(t_, ka, kb):  # the code's partial derivative in s_B at s_B = 0
        return cluster_loss(0.0, t_, int(kb), int(ka), (ka + kb) / (ka * kb))[1]

    return {
        "minority_loss": (loss, (s_B, t, K_A, K_B)),
        "minority_loss_slope_at_collapse": (slope, (t, K_A, K_B)),
        "pi_B": (lambda ka, kb, r: float(two_cluster_weights(int(ka), int(kb), r)[-1]), (K_A, K_B, R)),
    }
