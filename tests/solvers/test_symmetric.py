r"""Tests of the symmetry-reduced certified solver (``nctheory.solvers.certified.symmetric``).

References, none derived from the reduced code:

* the dense certified solver and the dense machinery (``ReducedSmooth``, ``DualBound``, the losses' dense
  methods) evaluated on expanded K × K matrices;
* the catalogue's closed forms: Zhu et al. balanced CE (§6) and Dang et al. M = 1 MSE (§3), also at K = 10⁶;
* arbitrary-precision values (mpmath) for the compressed CE numerics.

Values are compared through certificates (for any feasible point P of the K-class problem, ``lower_bound <= F(P)``
up to rounding), positions only as precisely as a certified value determines them (module constants).
"""

from __future__ import annotations

import math
from dataclasses import replace

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nctheory.model import Problem
from nctheory.model.losses import CrossEntropy, SquaredError
from nctheory.solvers.base import Solver
from nctheory.solvers.certified import CertifiedSolver
from nctheory.solvers.certified.dense import solve as dense_solve
from nctheory.solvers.certified.dual import DualBound
from nctheory.solvers.certified.grouped import GroupedSolution, within_group_basis
from nctheory.solvers.certified.grouped_dual import GroupedDualBound, spectral_bound
from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K, GroupedMatrix
from nctheory.solvers.certified.grouped_smooth import GroupedSmooth
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.certified.smooth import ReducedSmooth
from nctheory.solvers.certified.symmetric import SymmetricSolver, rounding_floor, solve
from nctheory.solvers.result import Solution, Status

EPS = np.finfo(np.float64).eps
#: Two evaluations of the same value by different summation orders (dense over K <= 24 entries per column and
#: K columns, reduced over C groups with multiplicities): measured <= 1.3e-15 relative over 600 random instances
#: (objectives, Gram entries of the expanded factors); 1e-13 leaves a 75x margin and is still far below any gap.
ROUNDING = 1e-13
#: Reduced vs dense objective, both certified at tol 1e-12: the brief's 1e-10 (measured <= 4.1e-13).
OBJECTIVE_AGREEMENT = 1e-10
#: Positions (Grams, bias) vs the dense solver.  A certificate fixes values, not positions: along flat directions
#: (near collapse thresholds, bias/logit trade-offs) a gap g leaves positions ~sqrt(g/curvature) uncertain, and the
#: dense answer also breaks the within-group symmetry at that level (it converges to the reduced one as its
#: tol -> 0).  So the dense Grams are first averaged over the group (projected onto invariant matrices), which
#: removes the symmetry-breaking part; the rest measured <= 3.6e-6 relative over 600 random instances (dense at
#: tol 1e-13, reduced at 1e-12).  1e-4 is the tolerance: ~30x the measured worst case.
POSITION_AGREEMENT = 1e-4


# ------------------------------------------------------------------------------ strategies
@st.composite
def grouped_sizes(draw, max_groups: int = 4):
    """2..max_groups groups, m_g in 1..6 classes of distinct sizes in 1..200, in shuffled class order."""
    C = draw(st.integers(2, max_groups))
    counts = draw(st.lists(st.integers(1, 6), min_size=C, max_size=C))
    assume(2 * C <= sum(counts))  # otherwise the symmetric solver declines (no grouping benefit)
    values = draw(st.lists(st.integers(1, 200), min_size=C, max_size=C, unique=True))
    sizes = [n for n, m in zip(values, counts) for _ in range(m)]
    order = draw(st.permutations(range(len(sizes))))
    return tuple(sizes[i] for i in order)


@st.composite
def grouped_problems(draw, loss="ce", bias="none"):
    r"""λ either near a group's minority-collapse threshold :math:`\lambda N = \sqrt{n_g}` (HL-threshold; a factor
    10^±0.3) or log-uniform over [1e-2, 10^{1.5}] times :math:`\sqrt{\min n}/N` (separated classes up to the
    all-zero regime)."""
    sizes = draw(grouped_sizes())
    N = sum(sizes)
    if draw(st.booleans()):
        lam = math.sqrt(min(sizes)) / N * 10 ** draw(st.floats(-2.0, 1.5))
    else:
        lam = math.sqrt(draw(st.sampled_from(sorted(set(sizes))))) / N * 10 ** draw(st.floats(-0.3, 0.3))
    lambda_b = 10 ** draw(st.floats(-4.0, 0.0)) if bias == "regularized" else 0.0
    ratio = 10 ** draw(st.floats(-0.5, 0.5))  # lambda_W / lambda_H (only their product enters R2)
    return Problem(sizes, lambda_w=lam * ratio, lambda_h=lam / ratio, loss=loss, bias=bias, lambda_b=lambda_b)


#: Every loss with every bias kind, each with its own hypothesis examples.
CASES = pytest.mark.parametrize("loss, bias", [(loss, bias) for loss in ("ce", "mse")
                                               for bias in ("none", "free", "regularized")])


def structure_of(sizes) -> GroupStructure:
    return GroupStructure.from_sizes(np.asarray(sizes))


# ------------------------------------------------------------------------------ helpers
def expand_columns(own, rest, counts):
    """Dense columns (label entry first) of compressed columns, and their labels (all 0)."""
    cols = []
    for g in range(own.size):
        entries = [own[g]] + [rest[h, g] for h in range(rest.shape[0]) for _ in range(int(counts[h, g]))]
        cols.append(np.array(entries))
    return cols


def invariant_projection(structure: GroupStructure, M: np.ndarray) -> GroupedMatrix:
    """The average of M over permutations inside groups (an invariant matrix), computed entrywise."""
    C, gi, K = structure.C, structure.group_of, structure.K
    off = ~np.eye(K, dtype=bool)
    block = np.zeros((C, C))
    diag = np.zeros(C)
    for h in range(C):
        for g in range(C):
            mask = (gi[:, None] == h) & (gi[None, :] == g) & off
            if mask.any():
                block[h, g] = M[mask].mean()
        d = M[np.diag_indices(K)][gi == h].mean()
        if structure.counts[h] > 1:
            diag[h] = d - block[h, h]
        else:
            block[h, h] = d
    return GroupedMatrix.from_entries(structure, diag, block)


def dense_r2_value(problem: Problem, Zbar: np.ndarray, b: np.ndarray) -> float:
    r"""R2 objective, densely:
    :math:`\sum_k\pi_k\ell(\bar z_k + b) + \lambda\|\bar ZD^{1/2}\|_* + \frac{\lambda_b}2\|b\|^2`."""
    values, _ = problem.loss.value_grad(Zbar + b[:, None], np.arange(problem.K))
    nuclear = np.linalg.svd(Zbar * np.sqrt(problem.n), compute_uv=False).sum()
    return float(values @ problem.weights + problem.lam * nuclear + 0.5 * problem.lambda_b * b @ b)


def check_certificate(sol, tol):
    assert sol.status == Status.OPTIMAL, sol.message
    assert sol.certified and sol.lower_bound is not None
    assert sol.rel_gap <= tol
    assert sol.gap == pytest.approx(max(sol.objective - sol.lower_bound, 0.0), abs=0.0)


# =========================================================================== compressed losses
@st.composite
def compressed_columns(draw, square: bool = False):
    """Compressed columns: C groups, counts 0..6 per (row group, column) (square: counts[h, g] = m_h - δ_hg)."""
    C = draw(st.integers(1, 4))
    if square:
        m = np.array(draw(st.lists(st.integers(1, 6), min_size=C, max_size=C)), dtype=float)
        counts = np.repeat(m[:, None], C, axis=1) - np.eye(C)
    else:
        counts = np.array(draw(st.lists(st.integers(0, 6), min_size=C * C, max_size=C * C)), dtype=float).reshape(C, C)
    scale = 10 ** draw(st.floats(-2, 1.5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    own = scale * rng.standard_normal(C)
    rest = scale * rng.standard_normal((C, C))
    return own, rest, counts


# Dense vs compressed evaluation of one loss: sums over <= 1 + 24 entries in a different order and log/exp of the
# same arguments, so the agreement is a few ulps of the terms' size (measured <= 6e-16 relative): 1e-13 as ROUNDING.
@pytest.mark.parametrize("loss", [CrossEntropy(), SquaredError()], ids=["ce", "mse"])
@given(data=compressed_columns())
def test_grouped_value_grad_matches_dense(loss, data):
    own, rest, counts = data
    values, g_own, g_rest = loss.grouped_value_grad(own, rest, counts)
    for g, col in enumerate(expand_columns(own, rest, counts)):
        v, G = loss.value_grad(col[:, None], np.array([0]))
        assert values[g] == pytest.approx(v[0], rel=ROUNDING, abs=ROUNDING * 1e-300)
        assert g_own[g] == pytest.approx(G[0, 0], rel=ROUNDING, abs=ROUNDING * np.abs(G).max())
        pos = 1
        for h in range(rest.shape[0]):
            c = int(counts[h, g])
            if c:
                np.testing.assert_allclose(G[pos:pos + c, 0], g_rest[h, g], rtol=ROUNDING,
                                           atol=ROUNDING * np.abs(G).max())
            else:
                assert g_rest[h, g] == 0.0 or loss.name == "mse"  # no entry: CE reports 0 (MSE ignores it)
            pos += c


@pytest.mark.parametrize("loss", [CrossEntropy(), SquaredError()], ids=["ce", "mse"])
@given(data=compressed_columns(), shrink=st.floats(0.0, 1.0))
def test_grouped_conjugate_and_segment_match_dense(loss, data, shrink):
    own, rest, counts = data
    _, u_own, u_rest = loss.grouped_value_grad(own, rest, counts)  # a point of the domain (a gradient)
    u_own, u_rest = shrink * u_own, shrink * u_rest
    neg = loss.grouped_neg_conjugate(u_own, u_rest, counts)
    assert np.all(np.isfinite(neg))
    # an outward point: the label entry pushed to q_y < 0 (outside the CE simplex)
    out_own, out_rest = u_own - 1.5, u_rest + 1.5 / max(float(counts.sum()), 1.0)
    for g, (col, col_out) in enumerate(zip(expand_columns(u_own, u_rest, counts),
                                           expand_columns(out_own, out_rest, counts))):
        d = loss.neg_conjugate(col[:, None], np.array([0]))[0]
        assert neg[g] == pytest.approx(d, rel=ROUNDING, abs=ROUNDING * (1.0 + abs(d)))
        theta_g = loss.grouped_dual_segment(u_own[g:g + 1], u_rest[:, g:g + 1], out_own[g:g + 1], out_rest[:, g:g + 1],
                                            counts[:, g:g + 1])
        theta_d = loss.dual_segment(col[:, None], col_out[:, None], np.array([0]))
        assert theta_g == pytest.approx(theta_d, rel=1e-12, abs=1e-15)  # the same formula on the same entries


@pytest.mark.parametrize("loss", [CrossEntropy(), SquaredError()], ids=["ce", "mse"])
@given(data=compressed_columns(square=True), wseed=st.integers(0, 1000))
def test_grouped_bias_methods_match_dense(loss, data, wseed):
    own, rest, counts = data
    C = own.size
    m = np.diagonal(counts) + 1
    st_ = GroupStructure(sizes=np.arange(C, 0, -1), counts=m.astype(np.int64),
                         group_of=np.repeat(np.arange(C), m.astype(int)))
    K = st_.K
    weights = np.random.default_rng(wseed).uniform(0.1, 1.0, C)  # weight of one class of each group
    rest = np.where(counts > 0, rest, 0.0)
    # expanded K x K logit matrix (column k = a class of group g(k), label entry on the diagonal)
    gi = st_.group_of
    Z = rest[np.ix_(gi, gi)]
    Z[np.arange(K), np.arange(K)] = own[gi]
    c = weights[gi]
    E = np.zeros((K, C))
    E[np.arange(K), gi] = 1.0
    H_dense = E.T @ loss.hessian_sum(Z, np.arange(K), c) @ E
    H_grouped = loss.grouped_hessian_sum(own, rest, counts, weights)
    # the Hessian's terms are at most sum(c) in size (probabilities times weights) and cancel to 0 along shifts
    np.testing.assert_allclose(H_grouped, H_dense, rtol=1e-12, atol=ROUNDING * float(c.sum()))
    # the zero-bias move of an (in-domain) gradient dual point, compressed vs dense
    _, u_own, u_rest = loss.grouped_value_grad(own, rest, counts)
    U = u_rest[np.ix_(gi, gi)]
    U[np.arange(K), np.arange(K)] = u_own[gi]
    U_dense = loss.dual_zero_bias(U, c, np.arange(K))
    z_own, z_rest = loss.grouped_dual_zero_bias(u_own, u_rest, counts, weights)
    U_grouped = z_rest[np.ix_(gi, gi)]
    U_grouped[np.arange(K), np.arange(K)] = z_own[gi]
    np.testing.assert_allclose(U_grouped, U_dense, rtol=1e-10, atol=1e-13)
    assert np.abs(U_grouped @ c).max() <= 1e-13 * max(1.0, np.abs(U).max())  # U c = 0 up to rounding


def test_grouped_ce_numerics_with_large_margins_and_counts():
    # label logit 50 above 10^6 others: loss 10^6 e^-50 ~ 2e-16, computed by log1p to full relative precision
    ce = CrossEntropy()
    own, rest, counts = np.array([50.0]), np.array([[0.0]]), np.array([[1e6]])
    value, g_own, g_rest = ce.grouped_value_grad(own, rest, counts)
    mpmath.mp.dps = 50
    S = mpmath.mpf(10) ** 6 * mpmath.e ** -50
    exact = mpmath.log1p(S)
    assert abs(value[0] - float(exact)) <= 4 * EPS * float(exact)  # a few ulps of the tiny loss itself
    assert abs(g_own[0] - float(-S / (1 + S))) <= 4 * EPS * float(S)
    p = float(mpmath.e ** -50 / (1 + S))
    assert abs(g_rest[0, 0] - p) <= 4 * EPS * p
    # entropy at that dual point: 10^6 p log(1/p) + label term, relative to its own (tiny) size
    ent = ce.grouped_neg_conjugate(g_own, g_rest, counts)[0]
    q = mpmath.e ** -50 / (1 + S)
    exact_ent = -(10**6 * q * mpmath.log(q)) - (1 - 10**6 * q) * mpmath.log(1 - 10**6 * q)
    assert abs(ent - float(exact_ent)) <= 64 * EPS * float(exact_ent)


def test_grouped_mse_exact_small_case():
    mse = SquaredError()
    own, rest, counts = np.array([2.0, 0.5]), np.array([[1.0, 3.0], [-1.0, 0.0]]), np.array([[2.0, 1.0], [0.0, 3.0]])
    v, g_own, g_rest = mse.grouped_value_grad(own, rest, counts)
    # column 0: (2-1)^2 + 2*1^2 + 0 -> 3/2 ; column 1: (0.5-1)^2 + 1*3^2 + 3*0^2 -> 9.25/2
    assert v.tolist() == [1.5, 4.625]
    assert g_own.tolist() == [1.0, -0.5] and g_rest[1, 0] == 0.0  # count 0 entries are ignored
    assert mse.grouped_neg_conjugate(own, rest, counts).tolist() == [-(2.0 + 0.5 * (4 + 2)), -(0.5 + 0.5 * (0.25 + 9))]


# =========================================================================== grouped matrices
@st.composite
def grouped_matrices(draw, symmetric=False):
    st_ = structure_of(draw(grouped_sizes()))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    core = rng.standard_normal((st_.C, st_.C))
    if symmetric:
        core = core @ core.T
    perp = np.abs(rng.standard_normal(st_.C)) if symmetric else rng.standard_normal(st_.C)
    return GroupedMatrix(st_, perp, core), rng


@given(data=grouped_matrices())
def test_grouped_matrix_entry_form_and_algebra(data):
    M, rng = data
    st_ = M.structure
    D = M.dense()
    gi = st_.group_of
    # entry form: one value on each group's diagonal, one off it inside the group, one per pair of groups
    for j in range(st_.K):
        for k in range(st_.K):
            expected = M.diagonal[gi[k]] if j == k else M.block[gi[j], gi[k]]
            assert D[j, k] == pytest.approx(expected, rel=1e-14, abs=1e-14)
            assert M.entry(j, k) == pytest.approx(D[j, k], rel=1e-14, abs=1e-14)
    assert M.max_abs() == pytest.approx(np.abs(D).max(), rel=1e-14)
    back = GroupedMatrix.from_entries(st_, np.where(st_.singleton, 0.0, M.perp), M.block)
    np.testing.assert_allclose(back.dense(), D, rtol=1e-13, atol=1e-13)
    other = GroupedMatrix(st_, rng.standard_normal(st_.C), rng.standard_normal((st_.C, st_.C)))
    v = rng.uniform(0.5, 2.0, st_.C)
    beta = rng.standard_normal(st_.C)
    scale = 1e-13 * (1 + np.abs(D).max()) * (1 + np.abs(other.dense()).max()) * st_.K
    np.testing.assert_allclose((M @ other).dense(), D @ other.dense(), atol=scale)
    np.testing.assert_allclose(M.T.dense(), D.T, atol=1e-13)
    np.testing.assert_allclose(M.times_diagonal(v).dense(), D * v[gi][None, :], atol=1e-13 * (1 + np.abs(D).max()))
    np.testing.assert_allclose(M.diagonal_times(v).dense(), v[gi][:, None] * D, atol=1e-13 * (1 + np.abs(D).max()))
    np.testing.assert_allclose(M.plus_rows(beta).dense(), D + beta[gi][:, None], atol=1e-13 * (1 + np.abs(D).max()))
    # spectra: |perp_g| (m_g - 1 times) and the core's, as the dense SVD
    values, mult = M.singular_values()
    assert int(mult.sum()) == st_.K
    dense_sv = np.linalg.svd(D, compute_uv=False)
    np.testing.assert_allclose(np.sort(np.repeat(values, mult))[::-1], dense_sv, atol=1e-12 * (1 + dense_sv[0]))
    assert M.nuclear_norm() == pytest.approx(dense_sv.sum(), rel=1e-12, abs=1e-12)
    assert M.spectral_norm() == pytest.approx(dense_sv[0], rel=1e-12, abs=1e-12)
    assert M.frobenius_norm() == pytest.approx(np.linalg.norm(D), rel=1e-12, abs=1e-12)


@given(data=grouped_matrices(symmetric=True))
def test_grouped_gram_cosines(data):
    M, _ = data
    D = M.dense()
    gi = M.structure.group_of
    norms = np.sqrt(np.diagonal(D))
    cos = D / np.outer(norms, norms)
    cross = M.cross_cosine()
    for j in range(D.shape[0]):
        for k in range(D.shape[0]):
            if j != k:
                assert cross[gi[j], gi[k]] == pytest.approx(cos[j, k], rel=1e-12, abs=1e-12)
    assert np.all(np.isnan(M.within_cosine()[M.structure.singleton]))


def test_group_structure():
    st_ = structure_of((50, 500, 50, 7, 500, 50))
    assert st_.sizes.tolist() == [500, 50, 7] and st_.counts.tolist() == [2, 3, 1]
    assert st_.group_of.tolist() == [1, 0, 1, 2, 0, 1]
    assert st_.K == 6 and st_.N == 1157 and st_.describe() == "500x2,50x3,7"
    np.testing.assert_array_equal(st_.count_matrix, [[1, 2, 2], [3, 2, 3], [1, 1, 0]])
    assert st_.classes(1).tolist() == [0, 2, 5]
    V = within_group_basis(5)
    np.testing.assert_allclose(V.T @ V, np.eye(4), atol=1e-15)
    np.testing.assert_allclose(V.sum(axis=0), 0.0, atol=1e-15)


@given(sizes=grouped_sizes(), seed=st.integers(0, 2**32 - 1))
def test_dual_blocks_are_the_dense_blocks_and_invert(sizes, seed):
    problem = Problem(sizes)
    st_ = structure_of(sizes)
    gs = GroupedSmooth(problem, st_)
    rng = np.random.default_rng(seed)
    own = rng.standard_normal(st_.C)
    rest = np.where(gs.present, rng.standard_normal((st_.C, st_.C)), 0.0)
    perp, core = gs.dual_blocks(own, rest)
    U = GroupedDualBound(0.0, 0.0, "", 0.0, own, rest, 0.0).expand(st_)
    G = U * np.sqrt(problem.n) / problem.N
    np.testing.assert_allclose(GroupedMatrix(st_, perp, core).dense(), G, rtol=0, atol=ROUNDING * np.abs(G).max())
    own2, rest2 = gs.from_dual_blocks(perp, core)
    np.testing.assert_allclose(own2, own, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(rest2, rest, rtol=1e-13, atol=1e-13)
    bound, estimate = spectral_bound(gs, own, rest)[:2]
    dense_norm = np.linalg.norm(G, 2)
    assert estimate == pytest.approx(dense_norm, rel=1e-13) and bound >= dense_norm * (1 - 8 * st_.K * EPS)


# =========================================================================== reduced vs dense
@CASES
@settings(max_examples=8)
@given(data=st.data())
def test_reduced_agrees_with_dense(loss, bias, data):
    problem = data.draw(grouped_problems(loss, bias))
    tol = 1e-12
    g = solve(problem, tol=tol)
    d = dense_solve(problem, tol=tol)
    check_certificate(g, tol)
    check_certificate(d, tol)
    F = abs(d.objective)
    r = ROUNDING * max(F, g.extra.get("dual_magnitude", 0.0))
    # values: each objective is a feasible value, each lower bound a bound of the same K-class problem
    assert g.objective - d.objective <= g.gap + r and d.objective - g.objective <= d.gap + r
    assert abs(g.objective - d.objective) <= OBJECTIVE_AGREEMENT * F
    assert g.lower_bound <= d.objective + r  # the reduced certificate bounds the dense solver's point
    assert d.lower_bound <= g.objective + r
    # positions, with the dense answer averaged over the within-group permutations (see POSITION_AGREEMENT)
    st_ = g.structure
    for mine, dense in ((g.gram_WW, d.W @ d.W.T), (g.gram_HH, d.H_mean.T @ d.H_mean), (g.gram_WH, d.W @ d.H_mean)):
        scale = max(np.abs(dense).max(), 1e-300)
        assert np.abs(mine.dense() - invariant_projection(st_, dense).dense()).max() <= POSITION_AGREEMENT * scale
    beta_dense = np.array([d.b[st_.group_of == h].mean() for h in range(st_.C)])
    assert np.abs(g.beta - beta_dense).max() <= POSITION_AGREEMENT * max(1.0, np.abs(d.b).max())


@CASES
@settings(max_examples=5)
@given(data=st.data())
def test_grouped_point_is_the_dense_point(loss, bias, data):
    """The reduced objective, Grams, gradient and bias are the dense ones at the expanded point (rounding)."""
    problem = data.draw(grouped_problems(loss, bias))
    g = solve(problem, tol=1e-10)
    e = g.expand()
    assert isinstance(e, Solution) and e.method == g.method and e.status == g.status
    F = abs(g.objective)
    assert abs(e.objective - g.objective) <= ROUNDING * F
    Zbar = e.logits_mean - e.b[:, None]
    assert abs(dense_r2_value(problem, Zbar, e.b) - g.objective) <= ROUNDING * F  # R2 = UFM value of the factors
    # Z̄ = logits - b is a difference: its rounding is relative to the terms (seen: |Z̄| 1.9e-5 from |b| 0.08, MSE)
    terms = max(np.abs(e.logits_mean).max(), np.abs(e.b).max())
    for mine, dense, size in ((g.gram_WW, e.W @ e.W.T, 0.0), (g.gram_HH, e.H_mean.T @ e.H_mean, 0.0),
                              (g.gram_WH, Zbar, terms), (g.logits, e.logits_mean, 0.0)):
        np.testing.assert_allclose(mine.dense(), dense, rtol=0,
                                   atol=ROUNDING * max(np.abs(dense).max(), size, 1e-300))
    np.testing.assert_array_equal(e.b, g.b)
    # W = kappa [Q U_B S^1/2, |u_g|^1/2 V_g]: width = rank, singular values kappa sqrt(sigma_i(X)) with multiplicities
    assert g.rank == e.extra["rank"] and e.W.shape[1] == max(g.rank, 1)
    values, mult = g.singular_values()
    kappa = (problem.lambda_h / problem.lambda_w) ** 0.25
    expected = np.sort(kappa * np.sqrt(np.repeat(values, mult)))[::-1][: e.W.shape[1]]
    np.testing.assert_allclose(np.linalg.svd(e.W, compute_uv=False), expected, rtol=0,
                               atol=ROUNDING * max(expected.max(initial=0.0), 1e-300))
    # the reduced gradient expands to the dense gradient at the same point
    smooth = ReducedSmooth(problem)
    gs = GroupedSmooth(problem, g.structure)
    X = Zbar * np.sqrt(problem.n)
    _, grad_x, _, Gamma = smooth.joint(X, e.b)
    value, perp, core, _, own, rest = gs.joint(g.Y.perp, g.Y.core, g.beta)
    G = GroupedMatrix(g.structure, perp, core)
    # the gradient is a difference of a logit term and a target term, so its rounding is relative to the larger of
    # them; the gradient at X = 0 measures the target term (seen under OPENBLAS_CORETYPE=Prescott: MSE gradient entries
    # of 6.3e-5, off by 7.2e-18 = 1.1e-13 of themselves)
    at_zero = smooth.joint(np.zeros_like(X), e.b)
    scale = max(np.abs(grad_x).max(), np.abs(at_zero[1]).max(), 1e-300)
    np.testing.assert_allclose(G.dense(), grad_x, rtol=0, atol=ROUNDING * scale)
    Gamma_grouped = GroupedDualBound(0.0, 0.0, "", 0.0, own, rest, 0.0).expand(g.structure)
    # the loss gradient Gamma is the same kind of difference (Prescott, MSE with a free bias: 1.4e-13 of an entry)
    gamma_scale = max(np.abs(Gamma).max(), np.abs(at_zero[3]).max(), 1e-300)
    np.testing.assert_allclose(Gamma_grouped, Gamma, rtol=0, atol=ROUNDING * gamma_scale)


@CASES
@settings(max_examples=5)
@given(data=st.data())
def test_certificate_is_a_dense_dual_point(loss, bias, data):
    """Expanded to K × K, the certificate's dual point is feasible for the dense dual and has the same value."""
    problem = data.draw(grouped_problems(loss, bias))
    g = solve(problem, tol=1e-10)
    bound = g.dual
    U = bound.expand(g.structure)
    K, N, lam, pi = problem.K, problem.N, problem.lam, problem.weights
    labels = np.arange(K)
    # spectral feasibility, by a dense SVD (its own rounding ~ K eps sigma_1)
    sigma1 = np.linalg.norm(U * (np.sqrt(problem.n) / N), 2)
    assert sigma1 <= lam * (1 + 8 * K * EPS)
    assert bound.spectral <= lam
    assert sigma1 <= bound.spectral * (1 + 8 * K * EPS)  # the reduced bound does bound the dense norm
    neg = problem.loss.neg_conjugate(U, labels)
    assert np.all(np.isfinite(neg))  # every column in the conjugate's domain
    value = float(neg @ pi)
    magnitude = float(np.abs(neg) @ pi)
    if problem.bias == "free":
        assert np.abs(U @ pi).max() <= 1e-13 * max(1.0, np.abs(U).max())
    if problem.bias == "regularized":
        bias_term = float(np.sum((U @ pi) ** 2)) / (2 * problem.lambda_b)
        value -= bias_term
        magnitude += bias_term
    assert abs(value - bound.value) <= ROUNDING * max(magnitude, abs(value), 1e-300)
    assert g.lower_bound == bound.value
    # the dense DualBound construction on the expanded point: only its own 8K eps radius margin can lower it
    dense = DualBound.from_gradient(ReducedSmooth(problem), U)
    assert abs(dense.value - bound.value) <= (16 * K * EPS + ROUNDING) * max(dense.magnitude, abs(bound.value))


@pytest.mark.parametrize("bias", ["none", "free", "regularized"])
@settings(max_examples=4)
@given(data=st.data())
def test_certificate_bounds_the_dense_optimum_at_small_k(bias, data):
    problem = data.draw(grouped_problems("ce", bias))
    g = solve(problem, tol=1e-8)  # a loose reduced solve: its bound must still be below the dense optimum
    d = dense_solve(problem, tol=1e-12)
    assert g.lower_bound <= d.objective + ROUNDING * abs(d.objective)
    assert d.lower_bound <= g.objective + ROUNDING * abs(g.objective)


# =========================================================================== closed forms
def zhu_balanced(K, n, lambda_w, lambda_h):
    r"""Catalogue §6 (Zhu et al.): ``(|w|^2, |h|^2, F)`` of the balanced CE minimiser (no/any bias, b = 0);
    :math:`\bar Z = \rho^*\frac K{K-1}(I - J/K)`, F = per-class loss + :math:`K s\rho^*`."""
    s = math.sqrt(n * lambda_w * lambda_h)
    if K * s >= 1:
        return 0.0, 0.0, math.log(K)
    rho = (K - 1) / K * math.log((1 - (K - 1) * s) / s)
    c = rho * K / (K - 1)
    F = math.log1p((K - 1) * math.exp(-c)) + K * s * rho
    return math.sqrt(n * lambda_h / lambda_w) * rho, math.sqrt(lambda_w / (n * lambda_h)) * rho, F


@pytest.mark.parametrize("bias", ["regularized", "none", "free"])
def test_zhu_worked_example(bias):
    # catalogue §6: K = 4, n = 5, all lambdas 1e-2: |w|^2 = 6.257099, |h|^2 = 1.251420 (7 digits printed)
    lambda_b = 1e-2 if bias == "regularized" else 0.0
    problem = Problem((5,) * 4, lambda_w=1e-2, lambda_h=1e-2, lambda_b=lambda_b, bias=bias)
    sol = solve(problem, tol=1e-13)
    check_certificate(sol, 1e-13)
    assert sol.structure.C == 1
    # the printed digits: half a unit in the 7th place
    np.testing.assert_allclose(sol.gram_WW.diagonal, 6.257099, atol=5e-7)
    np.testing.assert_allclose(sol.gram_HH.diagonal, 1.251420, atol=5e-7)
    w_sq, h_sq, F = zhu_balanced(4, 5, 1e-2, 1e-2)
    assert F - ROUNDING * F <= sol.objective <= F + sol.gap + ROUNDING * F
    assert sol.lower_bound <= F * (1 + ROUNDING)
    # within-group cosine of the simplex ETF, -1/(K-1); positions to sqrt(gap)-level (~1e-6 here)
    assert sol.w_cosines()[0, 0] == pytest.approx(-1 / 3, abs=1e-6)
    np.testing.assert_allclose(sol.beta, 0.0, atol=1e-6)


@pytest.mark.parametrize("K", [10**3, 10**5])
def test_zhu_closed_form_at_large_k(K):
    # balanced CE at K classes: C = 1 group, so the solve costs the same at any K (K = 10^6 is tested below)
    n = 5
    s = 0.3 / K  # K s = 0.3 < 1: nonzero solution
    lam = s / math.sqrt(n)
    problem = Problem((n,) * K, lambda_w=lam, lambda_h=lam)
    sol = solve(problem, tol=1e-12)
    check_certificate(sol, 1e-12)
    w_sq, h_sq, F = zhu_balanced(K, n, lam, lam)
    assert sol.lower_bound <= F * (1 + ROUNDING) and F * (1 - ROUNDING) <= sol.objective
    assert abs(sol.objective - F) <= sol.gap + ROUNDING * F
    np.testing.assert_allclose(sol.gram_WW.diagonal, w_sq, rtol=1e-6)  # positions: sqrt(gap)-level
    assert sol.rank == K - 1  # the simplex ETF spans 1^perp


@given(sizes=grouped_sizes(), shrink=st.floats(-2.0, 0.5))
def test_dang_mse_closed_form(sizes, shrink):
    # catalogue §3, M = 1: WW^T = diag(sigma_k), sigma_k = sqrt(n_k lambda_H/lambda_W) - N lambda_H (0 if <= 0)
    N = sum(sizes)
    lam = math.sqrt(min(sizes)) / N * 10**shrink
    problem = Problem(sizes, lambda_w=lam, lambda_h=lam, loss="mse")
    sol = solve(problem, tol=1e-12)
    check_certificate(sol, 1e-12)
    n = sol.structure.sizes.astype(float)
    sigma = np.maximum(np.sqrt(n) - N * lam, 0.0)
    value = float(sol.structure.counts @ (n * lam / (2 * (sigma + N * lam)) + lam * sigma / 2))
    assert abs(sol.objective - value) <= sol.gap + ROUNDING * value
    # MSE is (1/N)-strongly convex in X = Z D^{1/2}: |X - X*|_F <= sqrt(2 N gap') (gap' = gap + rounding)
    radius = math.sqrt(2 * N * (sol.gap + ROUNDING * value))
    X_pred = GroupedMatrix(sol.structure, np.where(sigma > 0, np.sqrt(n) - N * lam, 0.0),
                           np.diag(np.where(sigma > 0, np.sqrt(n) - N * lam, 0.0)))
    assert (sol.Y - X_pred).frobenius_norm() <= radius
    # the Grams: diagonal blocks sigma_g, every other entry 0, to the same radius (sqrt(lambda_H/lambda_W) = 1)
    err = sol.gram_WW - GroupedMatrix(sol.structure, sigma, np.diag(sigma))
    assert err.spectral_norm() <= math.sqrt(2) * radius + ROUNDING


def test_dang_mse_closed_form_at_large_k():
    K = 10**5
    sizes = (500,) * (K // 2) + (50,) * (K // 2)
    N = sum(sizes)
    lam = 0.5 * math.sqrt(50) / N
    problem = Problem(sizes, lambda_w=lam, lambda_h=lam, loss="mse", bias="none")
    sol = solve(problem, tol=1e-12)
    check_certificate(sol, 1e-12)
    n = sol.structure.sizes.astype(float)
    sigma = np.sqrt(n) - N * lam
    value = float(sol.structure.counts @ (n * lam / (2 * (sigma + N * lam)) + lam * sigma / 2))
    assert abs(sol.objective - value) <= sol.gap + ROUNDING * value
    radius = math.sqrt(2 * N * (sol.gap + ROUNDING * value))
    assert (sol.gram_WW - GroupedMatrix(sol.structure, sigma, np.diag(sigma))).spectral_norm() <= math.sqrt(2) * radius


# =========================================================================== scale
def test_million_classes_two_groups_certified():
    K = 10**6
    sizes = (500,) * (K // 2) + (50,) * (K // 2)
    N = sum(sizes)
    lam = 0.5 * math.sqrt(50) / N  # lambda N < sqrt(n_min): every class separated (non-trivial optimum)
    problem = Problem(sizes, lambda_w=lam, lambda_h=lam, loss="ce", bias="free")
    sol = SymmetricSolver().solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.gap <= 1e-10 * sol.objective
    assert sol.rank == K - 1  # separated classes; CE ignores the common shift of a column, so 1ᵀZ̄ = 0
    assert sol.b.shape == (K,)
    assert sol.structure.C == 2 and sol.extra["multiplicities"].sum() == K
    with pytest.raises(ValueError, match=r"^sizes: K = 1000000 is above"):
        sol.W  # noqa: B018 (a dense view is refused, with the field named)
    out = sol.to_json()
    assert out["W"] is None and out["certified"] is True and len(out["grouped"]["groups"]) == 2


# =========================================================================== solver object and statuses
def test_solver_declares_capabilities_and_declines_without_grouping():
    s = SymmetricSolver()
    assert isinstance(s, Solver) and s.name == "certified:symmetric" and s.certifies and s.exact
    assert "grouped" in s.requires.loss_needs and "conjugate" in s.requires.loss_needs
    ok = Problem((50,) * 3 + (5,) * 2)
    assert s.supports(ok)
    no_benefit = Problem((50, 40, 30, 30))  # C = 3 > K/2
    sup = s.supports(no_benefit)
    assert not sup and sup.reasons[0].startswith("sizes: ")
    assert CertifiedSolver().supports(no_benefit)  # the dense solver handles it


@pytest.mark.parametrize("changes, field", [
    (dict(features="relu"), "features"),
    (dict(classifier="fixed-etf", lambda_w=0.0, d=4), "classifier"),
    (dict(depth=2), "depth"),
    (dict(constraint="average", e_w=1.0, e_h=1.0), "constraint"),
])
def test_unsupported_models_raise_naming_the_field(changes, field):
    problem = Problem((50,) * 3 + (5,) * 2, **changes)
    with pytest.raises(ValueError, match=rf"^problem: .*{field}: "):
        solve(problem)
    assert any(r.startswith(f"{field}: ") for r in SymmetricSolver().supports(problem).reasons)


def test_loss_without_compressed_columns_is_declined():
    problem = Problem((50,) * 3 + (5,) * 2, classifier="fixed-etf", lambda_w=0.0, loss="dr", d=4, e_h=1.0)
    reasons = SymmetricSolver().supports(problem).reasons
    assert any(r.startswith("loss: ") and "grouped" in r for r in reasons)


@pytest.mark.parametrize("sizes", [(50, 40, 30, 20), (50, 40, 30, 30), (9, 8)])
def test_not_grouped_raises_sizes(sizes):
    with pytest.raises(ValueError, match=r"^sizes: .*C <= K/2"):
        solve(Problem(sizes))


@pytest.mark.parametrize("options, field", [
    (dict(tol=0.0), "tol"), (dict(tol="x"), "tol"), (dict(max_iter=0), "max_iter"), (dict(time_limit=-1), "time_limit"),
    (dict(seed=1.5), "seed"), (dict(progress="yes"), "progress"), (dict(x0=np.zeros((5, 5))), "x0"),
])
def test_bad_options_raise_naming_the_field(options, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        solve(Problem((50,) * 3 + (5,) * 2), **options)


def test_warm_start_with_other_groups_is_rejected():
    a = solve(Problem((50,) * 3 + (5,) * 2))
    with pytest.raises(ValueError, match=r"^x0: its groups 50x3,5x2 differ"):
        solve(Problem((50,) * 2 + (5,) * 3), x0=a)


def test_zero_regime_exact_zeros():
    # balanced-type zero test: lambda far above every threshold, Z = 0 with an exact certificate
    sizes = (50,) * 3 + (5,) * 2
    problem = Problem(sizes, lambda_w=1.0, lambda_h=1.0, bias="free")
    sol = solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.iterations == 0 and sol.rank == 0
    assert np.all(sol.Y.core == 0.0) and np.all(sol.Y.perp == 0.0)
    d = dense_solve(problem)
    assert sol.objective == pytest.approx(d.objective, rel=ROUNDING)


def test_rank_above_d_is_a_relaxation():
    sizes = (50,) * 3 + (5,) * 2
    problem = Problem(sizes, lambda_w=1e-4, lambda_h=1e-4, d=1)
    sol = solve(problem)
    assert sol.rank > 1 and sol.status == Status.RELAXATION and not sol.certified
    assert sol.reference_level(1e-8)[0] == "unusable"


def test_refine_is_tighter_from_another_start():
    problem = Problem((80,) * 4 + (8,) * 3, lambda_w=2e-4, lambda_h=2e-4, bias="regularized", lambda_b=1e-3)
    s = SymmetricSolver()
    a = s.solve(problem)
    b = s.refine(problem, a)
    assert isinstance(b, GroupedSolution) and b.options["tol"] == pytest.approx(1e-12)
    assert b.options["seed"] == a.options["seed"] + 1
    check_certificate(b, 1e-12)
    assert b.objective - a.objective <= b.gap + ROUNDING * a.objective
    assert a.objective - b.objective <= a.gap + ROUNDING * a.objective
    floor = rounding_floor(a.structure.C)
    c = s.refine(problem, s.solve(problem, tol=floor))
    assert c is None  # nothing tighter than the rounding floor


def test_solution_interface_matches_the_dense_rules():
    problem = Problem((80,) * 4 + (8,) * 3, lambda_w=2e-4, lambda_h=2e-4)
    sol = solve(problem)
    assert sol.reference_level(1e-8) == ("certified", "")
    assert sol.reference_level(1e-20)[0] == "unusable"
    dense = sol.expand()
    for lower in (sol.lower_bound - 1e-3, sol.lower_bound):
        mine = sol.with_certificate(lower, sol.certificate, tol=1e-8)
        theirs = replace(dense, objective=sol.objective, lower_bound=sol.lower_bound, gap=sol.gap).with_certificate(lower, sol.certificate, tol=1e-8)
        assert isinstance(mine, GroupedSolution) and mine.lower_bound == theirs.lower_bound
        # a bound that certifies is attached; a loose one is recorded beside the answer, never attached
        if lower == sol.lower_bound:
            assert mine.lower_bound == lower and "uncertified_bound" not in mine.extra
        else:
            assert mine.lower_bound == sol.lower_bound and mine.extra["uncertified_bound"]["lower_bound"] == lower
        assert (mine.status, mine.gap, mine.rel_gap, mine.message) == (theirs.status, theirs.gap, theirs.rel_gap,
                                                                       theirs.message)
    out = sol.to_json()
    for key in ("objective", "lower_bound", "gap", "certified", "status", "W", "H_mean", "b", "logits_mean", "method",
                "time_s"):
        assert key in out
    assert out["method"] == "certified:symmetric" and np.asarray(out["W"]).shape[0] == problem.K
    assert sol.certificate.kind == "fenchel-dual:R2"
    assert DENSE_MAX_K >= problem.K and sol.W.shape[0] == problem.K and sol.H is None


def test_iteration_budget_status():
    problem = Problem((80,) * 4 + (8,) * 3, lambda_w=2e-5, lambda_h=2e-5)
    sol = solve(problem, max_iter=1, tol=1e-14)
    assert sol.status in (Status.MAX_ITER, Status.INACCURATE) and not sol.certified
    assert sol.lower_bound <= sol.objective  # whatever the status, the bound stays valid


def test_warm_start_and_progress(capsys):
    problem = Problem((80,) * 4 + (8,) * 3, lambda_w=2e-4, lambda_h=2e-4, bias="free")
    a = solve(problem, tol=1e-12)
    b = solve(problem, tol=1e-12, x0=a, progress=True)  # from the answer itself: certified at the first check
    c = solve(problem, tol=1e-12, x0=a.gram_WH)  # mean logits only (the bias is re-optimised)
    for sol in (b, c):
        check_certificate(sol, 1e-12)
        assert abs(sol.objective - a.objective) <= max(a.gap, sol.gap) + ROUNDING * a.objective
    assert b.iterations <= a.iterations
    err = capsys.readouterr().err
    assert "[symmetric" in err and "zero test" in err and "optimal: certified" in err


def test_benchmark_script_runs(capsys):
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
    import bench_symmetric

    assert bench_symmetric.main(["--ks", "10", "--profiles", "two-cluster,step3", "--losses", "ce", "--biases", "free",
                                 "--repeat", "1", "--dense-max-k", "10"]) == 0
    out = capsys.readouterr().out
    assert out.count("| optimal |") == 2 and "| two-cluster | 10 | ce | free | 2 |" in out and "| step3 | 10 |" in out
