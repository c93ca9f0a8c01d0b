"""The numerical pieces of ``nctheory.solvers.references``: spectral maps, margin projections, layouts, allowances.

References: brute force on expanded objects (dense SVDs of expanded grouped matrices, an ℓ1 projection by
bisection on the threshold, per-column cvxpy projections) and the losses' dense methods.  Tolerances are rounding
unless stated: quantities computed by two summation orders or two SVDs of the same matrix agree to a few ε times
the matrix size (measured <= 2e-14 relative here; ROUNDING = 1e-12 leaves a 50x margin).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_helpers import EPS, grouped_sizes

from nctheory.model.losses import CrossEntropy, SquaredError
from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.references.layout import DenseLayout, GroupedLayout
from nctheory.solvers.references.margins import project_columns, smallest_margin
from nctheory.solvers.references.rounding import spectral_upper, sum_allowance
from nctheory.solvers.references.spectrum import DenseSpectrum, GroupedSpectrum, project_onto_l1_ball, soft_threshold

ROUNDING = 1e-12


def random_grouped(structure, rng, scale=1.0) -> GroupedMatrix:
    C = structure.C
    return GroupedMatrix.from_entries(structure, scale * rng.standard_normal(C), scale * rng.standard_normal((C, C)))


def l1_projection_by_bisection(v, mult, radius):
    """Independent reference: bisection on θ for Σ μ (v - θ)_+ = ρ."""
    v = np.maximum(np.asarray(v, float), 0.0)
    if float(mult @ v) <= radius:
        return v
    lo, hi = 0.0, float(v.max())
    for _ in range(200):
        th = 0.5 * (lo + hi)
        if float(mult @ np.maximum(v - th, 0.0)) > radius:
            lo = th
        else:
            hi = th
    return np.maximum(v - 0.5 * (lo + hi), 0.0)


# =========================================================================== spectra
@given(st.integers(0, 10**6), st.integers(1, 12), st.floats(0.01, 30.0))
def test_l1_ball_projection_matches_bisection(seed, size, radius):
    rng = np.random.default_rng(seed)
    v = np.abs(rng.standard_normal(size)) * rng.uniform(0.1, 10)
    mult = rng.integers(1, 5, size).astype(float)
    p = project_onto_l1_ball(v, mult, radius)
    ref = l1_projection_by_bisection(v, mult, radius)
    assert np.all(p >= 0) and float(mult @ p) <= radius * (1 + ROUNDING) + ROUNDING
    assert np.allclose(p, ref, rtol=0, atol=1e-12 * max(1.0, v.max()))


def test_l1_ball_projection_exact_cases():
    # inside the ball: unchanged; on a tie: the excess removed evenly (with multiplicities)
    assert np.array_equal(project_onto_l1_ball(np.array([1.0, 0.5]), np.ones(2), 2.0), [1.0, 0.5])
    assert np.allclose(project_onto_l1_ball(np.array([3.0, 1.0]), np.ones(2), 2.0), [2.0, 0.0])
    # multiplicity 3 on the value 2, 1 on the value 1, radius 3: θ = 1 -> (1, 0)
    assert np.allclose(project_onto_l1_ball(np.array([2.0, 1.0]), np.array([3.0, 1.0]), 3.0), [1.0, 0.0])
    # multiplicity 0 entries (singleton groups' within-group values) stay 0
    assert project_onto_l1_ball(np.array([5.0, 1.0]), np.array([0.0, 1.0]), 0.5)[0] == 0.0
    assert np.array_equal(soft_threshold(np.array([3.0, 0.5]), 1.0), [2.0, 0.0])


@given(grouped_sizes(), st.integers(0, 10**6))
def test_grouped_spectrum_is_the_dense_spectrum(sizes, seed):
    structure = GroupStructure.from_sizes(np.asarray(sizes))
    M = random_grouped(structure, np.random.default_rng(seed))
    spec = GroupedSpectrum.of(M)
    dense = np.sort(np.repeat(spec.values, spec.mult.astype(int)))[::-1]
    ref = np.linalg.svd(M.dense(), compute_uv=False)
    assert np.allclose(dense, ref, atol=ROUNDING * ref[0])
    # a spectral map (projection onto a nuclear ball) on the compact form = the dense map of the expanded matrix
    radius = 0.4 * float(ref.sum())
    P = spec.rebuild(project_onto_l1_ball(spec.values, spec.mult, radius))
    d = DenseSpectrum.of(M.dense())
    P_dense = d.rebuild(project_onto_l1_ball(d.values, d.mult, radius))
    assert np.allclose(P.dense(), P_dense, atol=1e-10 * ref[0])
    assert P.nuclear_norm() == pytest.approx(radius, rel=1e-12)


# =========================================================================== margins
def cvxpy_column_projection(x, k, s):
    import cvxpy as cp

    y = cp.Variable(x.size)
    cons = [y[k] - y[c] >= s for c in range(x.size) if c != k]
    cp.Problem(cp.Minimize(cp.sum_squares(y - x)), cons).solve(solver="CLARABEL")
    return y.value


@pytest.mark.parametrize("seed", range(3))
def test_margin_projection_matches_cvxpy(seed):
    rng = np.random.default_rng(seed)
    K = 6
    n = rng.integers(1, 30, K).astype(float)
    X = 3.0 * rng.standard_normal((K, K))
    lay = DenseLayout(n)
    own, rest = lay.compress(X)
    Y = lay.from_compressed(*project_columns(own, rest, lay.counts, np.sqrt(n)))
    for k in range(K):
        # Clarabel's default accuracy is ~1e-8 on this small QP
        assert np.allclose(Y[:, k], cvxpy_column_projection(X[:, k], k, math.sqrt(n[k])), atol=1e-6)
    assert smallest_margin(*lay.compress(Y), lay.counts, np.sqrt(n)) >= 1.0 - 1e-12


@given(grouped_sizes(), st.integers(0, 10**6))
def test_grouped_margin_projection_is_the_dense_one(sizes, seed):
    structure = GroupStructure.from_sizes(np.asarray(sizes))
    rng = np.random.default_rng(seed)
    X = random_grouped(structure, rng, 3.0)
    g = GroupedLayout(structure)
    Yg = g.from_compressed(*project_columns(*g.compress(X), g.counts, g.sqrt_n))
    n = np.asarray(sizes, dtype=float)
    d = DenseLayout(n)
    Yd = d.from_compressed(*project_columns(*d.compress(X.dense()), d.counts, np.sqrt(n)))
    assert np.allclose(Yg.dense(), Yd, atol=ROUNDING * max(1.0, np.abs(Yd).max()))
    # feasible, and the KKT conditions of the projection: y_k = x_k + Σ_c (x_c - y_c) with y_c <= x_c
    assert smallest_margin(*d.compress(Yd), d.counts, np.sqrt(n)) >= 1.0 - 1e-12
    Xd = X.dense()
    moved_down = Xd - Yd
    np.fill_diagonal(moved_down, 0.0)
    assert np.all(moved_down >= -1e-12)
    assert np.allclose(np.diagonal(Yd) - np.diagonal(Xd), moved_down.sum(axis=0), atol=1e-10)


def test_feasible_columns_are_kept():
    n = np.array([4.0, 9.0, 1.0])
    lay = DenseLayout(n)
    X = np.diag(np.sqrt(n))  # the one-hot logits: every margin exactly 1
    own, rest = project_columns(*lay.compress(X), lay.counts, np.sqrt(n))
    assert np.array_equal(lay.from_compressed(own, rest), X)


# =========================================================================== layouts
@pytest.mark.parametrize("loss", [CrossEntropy(), SquaredError()], ids=["ce", "mse"])
@given(sizes=grouped_sizes(), seed=st.integers(0, 10**6))
def test_grouped_layout_is_the_dense_layout(loss, sizes, seed):
    structure = GroupStructure.from_sizes(np.asarray(sizes))
    rng = np.random.default_rng(seed)
    g = GroupedLayout(structure, loss)
    d = DenseLayout(np.asarray(sizes), loss)
    Z = random_grouped(structure, rng, 2.0)
    beta = rng.standard_normal(structure.C)
    b = structure.expand(beta).astype(float)
    vg, Gg = g.loss_columns(Z, beta)
    vd, Gd = d.loss_columns(Z.dense(), b)
    assert vg == pytest.approx(vd, rel=ROUNDING)
    assert np.allclose(Gg.dense(), Gd, atol=ROUNDING)
    assert np.allclose(structure.expand(g.bias_residual(Gg)), d.bias_residual(Gd), atol=ROUNDING)
    assert g.inner(Z, Gg) == pytest.approx(d.inner(Z.dense(), Gd), rel=1e-10, abs=1e-12)
    assert g.bias_inner(beta, beta) == pytest.approx(float(b @ b), rel=ROUNDING)
    # dual terms of the gradient point (in the conjugate's domain)
    tg, td = g.dual_terms(Gg), d.dual_terms(Gd)
    assert tg.neg_conjugate == pytest.approx(td.neg_conjugate, rel=1e-10, abs=1e-13)
    assert tg.residual_sq == pytest.approx(td.residual_sq, rel=1e-9, abs=1e-24)
    exact = float(np.linalg.norm(Gd * d.pi[None, :], 2))
    for t in (tg, td):  # both are upper bounds on the spectral norm, tight to their margins
        assert exact <= t.spectral <= exact * (1 + 1e-12) + 1e-300
    # zero-bias moves agree and land on U π = 0
    Ug = g.zero_bias(Gg)
    assert np.allclose(Ug.dense(), d.zero_bias(Gd), atol=1e-12)
    assert np.abs(Ug.dense() @ d.pi).max() <= 1e-14


def test_compressed_spectral_upper_bounds_the_norm():
    rng = np.random.default_rng(0)
    for sizes in [(5, 5, 5, 2, 2), (7, 3, 3, 1)]:
        structure = GroupStructure.from_sizes(np.asarray(sizes))
        g, d = GroupedLayout(structure), DenseLayout(np.asarray(sizes))
        M = random_grouped(structure, rng)
        own, rest = g.compress(M)
        exact = float(np.linalg.norm(M.dense(), 2))
        assert exact <= g.compressed_spectral_upper(own, rest) <= exact * (1 + 1e-12)
        assert exact <= d.compressed_spectral_upper(*d.compress(M.dense()), sum_terms=len(sizes)) <= exact * (1 + 1e-11)


# =========================================================================== allowances
def test_allowances():
    A = np.random.default_rng(1).standard_normal((30, 30))
    top = float(np.linalg.norm(A, 2))
    up = spectral_upper(A)
    assert top < up <= top * (1 + 1e-12)
    assert spectral_upper(np.zeros((0, 3))) == 0.0
    assert sum_allowance(2.0, 10) == pytest.approx(4 * 18 * EPS * 2.0)
    # a sum whose rounding is real: the allowance covers the error of float summation of 10^4 terms
    terms = np.random.default_rng(2).uniform(0, 1, 10_000)
    import fractions

    exact = float(sum(fractions.Fraction(float(t)) for t in terms))
    assert abs(float(terms.sum()) - exact) <= sum_allowance(float(np.abs(terms).sum()), terms.size)


# =========================================================================== bias elimination
@pytest.mark.parametrize("loss", [CrossEntropy(), SquaredError()], ids=["ce", "mse"])
@pytest.mark.parametrize("bias", ["free", "regularized"])
@given(sizes=grouped_sizes(), seed=st.integers(0, 10**6), scale=st.sampled_from([1.0, 30.0]))
def test_bias_solver_is_stationary_and_grouped_equals_dense(loss, bias, sizes, seed, scale):
    """The minimising bias: zero gradient (relative to the gradient's terms, also when the objective is ~1e-18 at
    large margins), the same for the grouped and the dense layout, and the certified solver's where both apply."""
    from reference_helpers import lpm

    from nctheory.solvers.certified.smooth import ReducedSmooth
    from nctheory.solvers.references.bias import BiasSolver

    problem = lpm(sizes, 1.0, 1.0, loss=loss.name, bias=bias, lambda_b=0.3 if bias == "regularized" else 0.0)
    structure = GroupStructure.from_sizes(np.asarray(sizes))
    rng = np.random.default_rng(seed)
    C, K = structure.C, structure.K
    # well separated logits (scale 30: CE losses ~1e-13) as invariant matrices: label entries large
    Z = GroupedMatrix.from_entries(structure, scale * rng.uniform(0.5, 1.0, C), rng.standard_normal((C, C)))
    g, d = GroupedLayout(structure, loss), DenseLayout(np.asarray(sizes), loss)
    beta = BiasSolver(problem, g).minimize(Z)
    b = BiasSolver(problem, d).minimize(Z.dense())
    assert np.allclose(structure.expand(beta), b, atol=1e-9 * max(1.0, np.abs(b).max()))
    value, Gamma = d.loss_columns(Z.dense(), b)
    grad = Gamma @ d.pi + problem.lambda_b * b
    terms = float(np.abs(Gamma).sum(axis=0) @ d.pi)
    assert float(np.abs(grad).max()) <= 1e-9 * terms + 1e-300
    if scale == 1.0:  # the certified solver's elimination (absolute stopping) agrees at moderate values
        ref = ReducedSmooth(problem).optimal_bias(Z.dense(), None)
        assert np.allclose(ref, b, atol=1e-7)
