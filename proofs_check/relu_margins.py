r"""ReLU features, CE (Dang et al. 2024, catalogue §4): the margins.

With orthogonal non-negative class means and :math:`W\bar H = S\,\mathrm{diag}(t)`, class k's mean logit has
margin :math:`t_k` over every other class, loss :math:`\log(1+(K-1)e^{-t_k})`, and the penalty per class is
:math:`\kappa\sqrt{n_k}\,t_k` with :math:`\kappa = \sqrt{(K-1)\lambda_W\lambda_H/K}`.  Checked:

* the catalogue's :math:`t_k = \log((K-1)[\sqrt{n_k}/(N\kappa) - 1])` is the stationary point of
  :math:`\frac{n_k}{N}\log(1+(K-1)e^{-t}) + \kappa\sqrt{n_k}\,t`;
* it vanishes exactly at :math:`n_k = \tau = KN^2\lambda_W\lambda_H/(K-1)` (the collapse threshold);
* :math:`\|h̄_i\|^2/\|h̄_j\|^2 = (t_i/t_j)\sqrt{n_j/n_i}` follows from :math:`\|h̄_k\|^2 \propto t_k/\sqrt{n_k}`.
"""

import sympy as sp

K, N, n, lw, lh, t = sp.symbols("K N n_k lambda_W lambda_H t", positive=True)
kappa = sp.sqrt((K - 1) * lw * lh / K)
t_star = sp.log((K - 1) * (sp.sqrt(n) / (N * kappa) - 1))


def _stationary():
    f = n / N * sp.log(1 + (K - 1) * sp.exp(-t)) + kappa * sp.sqrt(n) * t
    return sp.simplify(sp.diff(f, t).subs(t, t_star)) == 0, ""


def _threshold():
    tau = K * N**2 * lw * lh / (K - 1)
    k = sp.symbols("k", positive=True)  # K = k + 1 > 1, so sympy may combine sqrt(K-1) factors
    return sp.simplify(t_star.subs(n, tau).subs(K, k + 1)) == 0, ""


def _norm_ratio():
    ni, nj, ti, tj = sp.symbols("n_i n_j t_i t_j", positive=True)
    h2 = lambda tk, nk: sp.sqrt((K - 1) * lw / (K * lh * nk)) * tk  # noqa: E731 (catalogue §4)
    return sp.simplify(h2(ti, ni) / h2(tj, nj) - (ti / tj) * sp.sqrt(nj / ni)) == 0, ""


CHECKS = [
    ("t_k is the stationary margin of the per-class cost", _stationary),
    ("t_k = 0 exactly at n_k = tau", _threshold),
    ("norm ratio (t_i/t_j) sqrt(n_j/n_i)", _norm_ratio),
]
