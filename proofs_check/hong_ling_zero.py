r"""Hong & Ling zero regime and ε-scaling (catalogue §2, HL-asymptotic): the claim's own symbolic forms, proved.

Imports :func:`nctheory.claims.sources.hong_ling.symbolic.asymptotic_forms` and checks:

* ε = λ√N is the only parameter besides π: :math:`\lambda\|\bar ZD^{1/2}\|_* = \lambda\sqrt N\|\bar Z\Pi^{1/2}\|_*`
  (D = NΠ), and along λ = c/N it is c/√N → 0;
* balanced ε₀: with p = π = 1/K the zero-test matrix :math:`(p\mathbf 1^\top - I)\operatorname{diag}(\sqrt\pi)` is
  :math:`-S/\sqrt K`, whose spectral norm is the claim's 1/√K (K = 2..5, exactly);
* free bias at Z̄ = 0: b = log π is stationary for :math:`\sum_k\pi_k(\log\sum_je^{b_j} - b_k)` and the value is the
  claim's entropy form (two clusters).
"""

import sympy as sp

from nctheory.claims.sources.hong_ling.symbolic import K, K_A, K_B, N, asymptotic_forms, lam, n_A, n_B

F = asymptotic_forms()


def _epsilon_scaling():
    c = [s for s in F["epsilon_along_lambda_c_over_N"].free_symbols if s.name == "c"][0]
    along = sp.simplify(F["epsilon"].subs(lam, c / N) - F["epsilon_along_lambda_c_over_N"]) == 0
    vanishes = sp.limit(F["epsilon_along_lambda_c_over_N"], N, sp.oo) == 0
    # ‖Z D^{1/2}‖_* = √N ‖Z Π^{1/2}‖_*: D^{1/2} = √N Π^{1/2} (a scalar factor of a matrix scales its nuclear norm)
    pi = sp.symbols("pi_1:4", positive=True)
    scaled = sp.diag(*[sp.sqrt(N * p) for p in pi]) - sp.sqrt(N) * sp.diag(*[sp.sqrt(p) for p in pi])
    return along and vanishes and sp.simplify(scaled) == sp.zeros(3, 3), "ε(λ = c/N) = c/√N → 0; D^½ = √N Π^½"


def _balanced_critical_epsilon():
    for k in range(2, 6):
        p = sp.Rational(1, k)
        M = (p * sp.ones(k, k) - sp.eye(k)) * sp.sqrt(p)
        S = sp.eye(k) - sp.ones(k, k) / k
        if sp.simplify(M + S / sp.sqrt(k)) != sp.zeros(k, k):
            return False, f"K = {k}: matrix is not −S/√K"
        top = max(sp.Matrix(M.T * M).eigenvals())  # S² = S: eigenvalues 1/K (×(K−1)) and 0
        if sp.simplify(sp.sqrt(top) - F["critical_epsilon_balanced"].subs(K, k)) != 0:
            return False, f"K = {k}: ‖M‖₂ = {sp.sqrt(top)}"
    return True, "K = 2..5"


def _free_bias_zero_objective():
    ka, kb = 2, 3
    nA, nB = n_A, n_B
    Nt = ka * nA + kb * nB
    pis = [nA / Nt] * ka + [nB / Nt] * kb
    b = [sp.log(p) for p in pis]
    lse = sp.log(sum(sp.exp(x) for x in b))
    objective = sum(p * (lse - x) for p, x in zip(pis, b))
    grad = [sp.simplify(sp.exp(x) / sum(sp.exp(y) for y in b) - p) for x, p in zip(b, pis)]  # softmax(b) − π
    value = sp.simplify(sp.expand_log(objective - F["zero_objective_free_bias"].subs({K_A: ka, K_B: kb}), force=True))
    return all(g == 0 for g in grad) and value == 0, "softmax(log π) = π; value = −Σ π log π"


CHECKS = [
    ("only epsilon = lambda sqrt(N) matters; along lambda = c/N it vanishes", _epsilon_scaling),
    ("balanced critical epsilon is 1/sqrt(K)", _balanced_critical_epsilon),
    ("free bias at Z = 0: b = log pi is stationary, value = entropy", _free_bias_zero_objective),
]
