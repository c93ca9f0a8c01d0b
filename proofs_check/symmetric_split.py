r"""The split behind the symmetry-reduced solver (``nctheory/solvers/certified/symmetric.py``), checked exactly.

Groups of :math:`m_g` classes of size :math:`n_g` (symbolic sizes), E the K × C indicator,
:math:`Q = E\operatorname{diag}(m)^{-1/2}`, :math:`V_g` the Helmert basis of group g's within-group subspace,
:math:`V = [Q, V_1, \dots, V_C]` (orthogonal).  For the invariant :math:`\bar Z = \bigoplus s_gI + EAE^\top`,
:math:`X = \bar ZD^{1/2}`:

1. :math:`V^\top XV = \operatorname{blockdiag}(B, u_1I_{m_1-1}, \dots)` with :math:`u = s\circ\sqrt n`,
   :math:`B = \operatorname{diag}(u) + \operatorname{diag}(\sqrt m)A\operatorname{diag}(\sqrt n\circ\sqrt m)`
   (so :math:`\|X\|_* = \sum_g(m_g - 1)|u_g| + \|B\|_*`), and the inverse map
   :math:`A = \operatorname{diag}(m)^{-1/2}(B - \operatorname{diag}(u))\operatorname{diag}(\sqrt n\circ\sqrt m)^{-1}`;
2. every column of :math:`\bar Z + b\mathbf 1^\top` is a permutation of its compressed column, so the weighted CE
   loss is :math:`\sum_g m_g\pi_g\,\ell(\text{compressed})`, and :math:`\|E\beta\|^2 = \sum_g m_g\beta_g^2`;
3. the reduced gradient is the restriction of the dense one:
   :math:`\partial L/\partial B = Q^\top(\partial L/\partial X)Q`
   and :math:`\partial L/\partial u_g = (m_g - 1)\,v^\top(\partial L/\partial X)v` (v a unit vector of :math:`V_g`),
   with the compressed formulas of ``grouped_smooth.py`` for these blocks;
4. for an invariant dual point U (label entries ``own``, others ``rest``), :math:`G = \frac1N UD^{1/2}` splits the
   same way with the blocks of ``GroupedSmooth.dual_blocks``; the CE conjugate sum compresses;
   :math:`U\pi = Er` with ``bias_residual``'s r, and :math:`Q^\top U\pi = G_{\text{core}}(\sqrt m\circ\sqrt n)`.

Each is checked for groups (2, 3) and for (1, 2) (a singleton group, whose :math:`u_g` is absent).
"""

import sympy as sp

LAYOUTS = ((2, 3), (1, 2))


def _helmert(m):
    V = sp.zeros(m, m - 1)
    for i in range(1, m):
        for j in range(i):
            V[j, i - 1] = 1
        V[i, i - 1] = -i
        V[:, i - 1] = V[:, i - 1] / sp.sqrt(i * (i + 1))
    return V


def _structure(ms):
    C, K = len(ms), sum(ms)
    n = [sp.Symbol(f"n{g}", positive=True) for g in range(C)]
    group = [g for g, m in enumerate(ms) for _ in range(m)]
    E = sp.Matrix(K, C, lambda k, g: 1 if group[k] == g else 0)
    Q = E * sp.diag(*[1 / sp.sqrt(m) for m in ms])
    blocks = []
    start = 0
    for g, m in enumerate(ms):
        Vg = sp.zeros(K, m - 1)
        if m > 1:
            Vg[start:start + m, :] = _helmert(m)
        blocks.append(Vg)
        start += m
    V = Q.row_join(sp.Matrix.hstack(*[b for b in blocks if b.shape[1] > 0]))
    Dh = sp.diag(*[sp.sqrt(n[g]) for g in group])
    N = sum(m * n[g] for g, m in enumerate(ms))
    return dict(C=C, K=K, n=n, group=group, E=E, Q=Q, V=V, Vg=blocks, Dh=Dh, N=N, ms=ms)


def _invariant(S, diag, block):
    K, group = S["K"], S["group"]
    return sp.Matrix(K, K, lambda j, k: block[group[j], group[k]] + (diag[group[k]] if j == k else 0))


def _zero(M):
    return all(sp.simplify(x) == 0 for x in M)


def _symbols(S, prefix):
    C = S["C"]
    s = [sp.Symbol(f"{prefix}s{g}", real=True) if S["ms"][g] > 1 else sp.Integer(0) for g in range(C)]
    A = sp.Matrix(C, C, lambda h, g: sp.Symbol(f"{prefix}a{h}{g}", real=True))
    return s, A


def _core_of(S, u, A):
    ms, n = S["ms"], S["n"]
    C = S["C"]
    return sp.diag(*u) + sp.diag(*[sp.sqrt(m) for m in ms]) * A * sp.diag(*[sp.sqrt(n[g] * ms[g]) for g in range(C)])


def _split(ms):
    S = _structure(ms)
    s, A = _symbols(S, "")
    u = [s[g] * sp.sqrt(S["n"][g]) for g in range(S["C"])]
    X = _invariant(S, s, A) * S["Dh"]
    B = _core_of(S, u, A)
    expected = sp.diag(B, *[u[g] * sp.eye(m - 1) for g, m in enumerate(ms) if m > 1])
    ok_orth = _zero(S["V"].T * S["V"] - sp.eye(S["K"]))
    ok_split = _zero(S["V"].T * X * S["V"] - expected)
    C = S["C"]
    A_back = sp.diag(*[1 / sp.sqrt(m) for m in ms]) * (B - sp.diag(*u)) * sp.diag(
        *[1 / sp.sqrt(S["n"][g] * ms[g]) for g in range(C)])
    ok_inverse = _zero(A_back - A)
    return ok_orth and ok_split and ok_inverse, "" if ok_split else "V^T X V is not blockdiag(B, u_g I)"


def _compressed_loss(ms):
    S = _structure(ms)
    s, A = _symbols(S, "")
    C, K, group, n, N = S["C"], S["K"], S["group"], S["n"], S["N"]
    beta = [sp.Symbol(f"b{g}", real=True) for g in range(C)]
    Z = _invariant(S, s, A) + sp.Matrix(K, K, lambda j, k: beta[group[j]])
    dense = sum(n[group[k]] / N * (sp.log(sum(sp.exp(Z[j, k]) for j in range(K))) - Z[k, k]) for k in range(K))
    reduced = 0
    for g in range(C):
        own = s[g] + A[g, g] + beta[g]
        mass = sp.exp(own) + sum((ms[h] - (1 if h == g else 0)) * sp.exp(A[h, g] + beta[h]) for h in range(C))
        reduced += ms[g] * n[g] / N * (sp.log(mass) - own)
    ok_loss = sp.simplify(sp.expand_log(dense - reduced, force=True)) == 0
    b = sp.Matrix([beta[group[k]] for k in range(K)])
    ok_bias = sp.expand((b.T * b)[0] - sum(ms[g] * beta[g] ** 2 for g in range(C))) == 0
    return ok_loss and ok_bias, ""


def _gradient_restriction(ms):
    S = _structure(ms)
    C, K, group, n, N, Q = S["C"], S["K"], S["group"], S["n"], S["N"], S["Q"]
    # MSE: a polynomial loss, so the identity is exact after expansion; the structure is loss-independent
    Zs = sp.Matrix(K, K, lambda j, k: sp.Symbol(f"z{j}_{k}", real=True))
    dense = sum(n[group[k]] / N * sum((Zs[j, k] - (1 if j == k else 0)) ** 2 for j in range(K)) / 2 for k in range(K))
    s, A = _symbols(S, "")
    at = dict(zip(list(Zs), list(_invariant(S, s, A))))
    dL_dZ = sp.Matrix(K, K, lambda j, k: sp.diff(dense, Zs[j, k]).subs(at))
    dL_dX = dL_dZ * S["Dh"].inv()
    # reduced objective in (u, B)
    u = [sp.Symbol(f"u{g}", real=True) if ms[g] > 1 else sp.Integer(0) for g in range(C)]
    Bs = sp.Matrix(C, C, lambda h, g: sp.Symbol(f"B{h}{g}", real=True))
    A_of = sp.diag(*[1 / sp.sqrt(m) for m in ms]) * (Bs - sp.diag(*u)) * sp.diag(
        *[1 / sp.sqrt(n[g] * ms[g]) for g in range(C)])
    red = 0
    for g in range(C):
        own = u[g] / sp.sqrt(n[g]) + A_of[g, g]
        red += ms[g] * n[g] / N * ((own - 1) ** 2 + sum((ms[h] - (1 if h == g else 0)) * A_of[h, g] ** 2
                                                        for h in range(C))) / 2
    B_val = _core_of(S, [s[g] * sp.sqrt(n[g]) for g in range(C)], A)
    point = {Bs[i]: B_val[i] for i in range(C * C)}
    point.update({u[g]: s[g] * sp.sqrt(n[g]) for g in range(C) if ms[g] > 1})
    dB = sp.Matrix(C, C, lambda h, g: sp.diff(red, Bs[h, g]).subs(point))
    ok_core = _zero(dB - Q.T * dL_dX * Q)
    ok_perp = True
    for g in range(C):
        if ms[g] > 1:
            v = S["Vg"][g][:, 0]
            ok_perp &= sp.simplify(sp.diff(red, u[g]).subs(point) - (ms[g] - 1) * (v.T * dL_dX * v)[0]) == 0
    # the compressed formulas of GroupedSmooth.dual_blocks, from the per-entry gradient Γ = [∇ℓ(z_k)]
    Gam = (dL_dZ * sp.diag(*[N / n[group[k]] for k in range(K)])).applyfunc(sp.simplify)
    first = [group.index(g) for g in range(C)]
    own = [Gam[first[g], first[g]] for g in range(C)]
    rest = sp.Matrix(C, C, lambda h, g: Gam[first[h] if h != g or ms[g] == 1 else first[g] + 1, first[g]]
                     if (h != g or ms[g] > 1) else 0)
    ok_formula = _zero(dB - _dual_core(S, own, rest))
    return ok_core and ok_perp and ok_formula, "" if ok_core else "dL/dB != Q^T dL/dX Q"


def _dual_core(S, own, rest):
    ms, n, N, C = S["ms"], S["n"], S["N"], S["C"]
    return sp.Matrix(C, C, lambda h, g: (sp.sqrt(n[g]) * (own[g] + (ms[g] - 1) * rest[g, g]) / N) if h == g
                     else sp.sqrt(ms[h] * n[g] * ms[g]) * rest[h, g] / N)


def _dual_split(ms):
    S = _structure(ms)
    C, K, group, n, N, Q, E = S["C"], S["K"], S["group"], S["n"], S["N"], S["Q"], S["E"]
    own = [sp.Symbol(f"o{g}", real=True) for g in range(C)]
    rest = sp.Matrix(C, C, lambda h, g: sp.Symbol(f"r{h}{g}", real=True) if (h != g or ms[g] > 1) else 0)
    U = sp.Matrix(K, K, lambda j, k: own[group[k]] if j == k else rest[group[j], group[k]])
    G = U * S["Dh"] / N
    perp = [sp.sqrt(n[g]) * (own[g] - rest[g, g]) / N for g in range(C)]
    core = _dual_core(S, own, rest)
    expected = sp.diag(core, *[perp[g] * sp.eye(m - 1) for g, m in enumerate(ms) if m > 1])
    ok_split = _zero(S["V"].T * G * S["V"] - expected)
    # CE conjugate sum: sum_k pi_k sum_i q_i log q_i, q = u_k + e_k, compresses with multiplicities
    qlog = lambda x: x * sp.log(x)  # noqa: E731
    dense = sum(n[group[k]] / N * sum(qlog(U[j, k] + (1 if j == k else 0)) for j in range(K)) for k in range(K))
    reduced = sum(ms[g] * n[g] / N * (qlog(1 + own[g]) + sum((ms[h] - (1 if h == g else 0)) * qlog(rest[h, g])
                                                              for h in range(C) if ms[h] - (1 if h == g else 0) > 0))
                  for g in range(C))
    ok_conj = sp.simplify(dense - reduced) == 0
    pi = sp.Matrix([n[group[k]] / N for k in range(K)])
    w = [ms[g] * n[g] / N for g in range(C)]
    r = [(w[h] * own[h] + sum(rest[h, g] * (ms[h] - (1 if h == g else 0)) * w[g] for g in range(C))) / ms[h]
         for h in range(C)]
    Upi = U * pi
    ok_res = _zero(Upi - E * sp.Matrix(r))
    ok_core = _zero(Q.T * Upi - core * sp.Matrix([sp.sqrt(ms[g] * n[g]) for g in range(C)]))
    return ok_split and ok_conj and ok_res and ok_core, "" if ok_split else "G does not split into (core, perp)"


CHECKS = []
for _ms in LAYOUTS:
    CHECKS += [
        (f"groups {_ms}: V^T X V = blockdiag(B, u_g I), so ||X||_* = sum (m_g-1)|u_g| + ||B||_*",
         lambda ms=_ms: _split(ms)),
        (f"groups {_ms}: weighted CE loss and bias penalty compress with multiplicities",
         lambda ms=_ms: _compressed_loss(ms)),
        (f"groups {_ms}: reduced gradient = restriction of the dense gradient (compressed formulas)",
         lambda ms=_ms: _gradient_restriction(ms)),
        (f"groups {_ms}: invariant dual point: spectral split, CE conjugate sum, U pi = E r",
         lambda ms=_ms: _dual_split(ms)),
    ]
