r"""Deep linear MSE, M = 1 (Dang et al. 2023, catalogue §3): the per-class scalar problem.

With orthogonal classes, class k's own mean logit :math:`z = w_k^\top \bar h_k` solves
:math:`\min_z \frac{n_k}{2N}(z-1)^2 + \lambda\sqrt{n_k}\,|z|` (the other logits are 0 at the optimum),
so :math:`z = 1 - N\lambda/\sqrt{n_k}` when positive.  With R1 the singular value of
:math:`Y_k = \sqrt{n_k} z` splits as :math:`\|w_k\|^2 = \sqrt{\lambda_H/\lambda_W}\sqrt{n_k}z`, i.e.
:math:`\sigma_k = \|w_k\|^2 = \sqrt{n_k\lambda_H/\lambda_W} - N\lambda_H`.
"""

import sympy as sp

lw, lh, N, n = sp.symbols("lambda_W lambda_H N n_k", positive=True)
lam = sp.sqrt(lw * lh)
z = 1 - N * lam / sp.sqrt(n)


def _stationary():
    zz = sp.symbols("z", positive=True)
    f = n / (2 * N) * (zz - 1) ** 2 + lam * sp.sqrt(n) * zz
    return sp.simplify(sp.diff(f, zz).subs(zz, z)) == 0, ""


def _sigma_formula():
    sigma = sp.sqrt(lh / lw) * sp.sqrt(n) * z
    target = sp.sqrt(n * lh / lw) - N * lh
    return sp.simplify(sigma - target) == 0, ""


def _zero_threshold():
    # z > 0  <=>  n_k > N^2 lambda_W lambda_H
    return sp.simplify((z.subs(n, N**2 * lw * lh))) == 0, ""


def _worked_example():
    vals = {lw: sp.Rational(5, 10000), lh: sp.Rational(5, 10000), N: 400}
    target = [13.94214, 9.8, 6.87107, 6.87107]
    got = [float((sp.sqrt(n * lh / lw) - N * lh).subs(vals).subs(n, k)) for k in (200, 100, 50, 50)]
    ok = all(abs(a - b) < 5e-6 for a, b in zip(got, target))  # catalogue quotes 5 decimals
    return ok, f"got {got}"


CHECKS = [
    ("z = 1 - N lambda/sqrt(n_k) is stationary", _stationary),
    ("sigma_k = sqrt(n_k lH/lW) - N lH", _sigma_formula),
    ("class k vanishes at n_k = N^2 lW lH", _zero_threshold),
    ("worked example n=[200,100,50,50], lambda=5e-4", _worked_example),
]
