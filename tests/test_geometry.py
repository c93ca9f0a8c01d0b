"""Tests for nctheory.geometry: ETF, orthogonal frame, SEL/SELI, Grams, cosines, distances.

Expected values come from independent math: the ETF definition (catalogue §5), the SVD of the
SEL matrix and the catalogue's (R, rho)-step closed forms and worked example (§6), and hand
computations.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nctheory import geometry as g
from nctheory.geometry.validation import one_of, positive_real, real_number

# ETF tolerance: every Gram entry is a sum of at most d <= 43 products of O(1) numbers
# (plus a rotation, another O(d) sum), so rounding stays below ~1e-14; 1e-12 leaves margin.
ETF_TOL = 1e-12


@st.composite
def etf_case(draw):
    K = draw(st.integers(2, 40))
    d = draw(st.sampled_from([K - 1, K, K + 3]))
    scale = draw(st.sampled_from([1.0, 0.1, 3.7, 250.0]))
    seed = draw(st.one_of(st.none(), st.integers(0, 2**31 - 1)))
    return K, d, scale, seed


# ----------------------------------------------------------------------------- simplex ETF
@given(etf_case())
def test_simplex_etf_gram_norms_cosines(case):
    K, d, scale, seed = case
    M = g.simplex_etf(K, d, scale=scale, rng=seed)
    assert M.shape == (K, d) and M.dtype == np.float64
    S = np.eye(K) - np.ones((K, K)) / K
    G = M @ M.T
    # Gram = scale^2 K/(K-1) S (catalogue §5), relative to scale^2
    assert np.max(np.abs(G - scale**2 * K / (K - 1) * S)) <= ETF_TOL * scale**2
    assert np.allclose(np.linalg.norm(M, axis=1), scale, rtol=ETF_TOL, atol=0)
    C = g.cosine_matrix(M).require()
    off = C[~np.eye(K, dtype=bool)]
    assert np.max(np.abs(off + 1.0 / (K - 1))) <= ETF_TOL
    # rows sum to zero and span exactly K-1 dimensions
    assert np.max(np.abs(M.sum(axis=0))) <= ETF_TOL * scale * K
    assert np.linalg.matrix_rank(M, tol=1e-8 * scale) == K - 1


@given(st.integers(2, 40))
def test_etf_gram_and_centering_match_definition(K):
    S = g.centering(K)
    one = np.ones(K)
    # S is the orthogonal projector onto 1-perp: symmetric, idempotent, S1 = 0, trace K-1
    assert np.array_equal(S, S.T)
    assert np.max(np.abs(S @ S - S)) <= 1e-14  # products of O(1) entries, K <= 40 terms
    assert np.max(np.abs(S @ one)) <= 1e-13
    assert math.isclose(np.trace(S), K - 1, rel_tol=1e-14)
    E = g.etf_gram(K, scale=2.0)
    assert np.allclose(np.diag(E), 4.0, rtol=1e-14, atol=0)
    assert np.allclose(E[~np.eye(K, dtype=bool)], -4.0 / (K - 1), rtol=1e-13, atol=0)


@given(st.integers(2, 40))
def test_helmert_basis_is_orthonormal_basis_of_one_perp(K):
    B = g.helmert_basis(K)
    assert B.shape == (K, K - 1)
    assert np.max(np.abs(B.T @ B - np.eye(K - 1))) <= 1e-13  # O(K) sums of O(1) products
    assert np.max(np.abs(B.T @ np.ones(K))) <= 1e-13


def test_simplex_etf_small_exact_cases():
    # K = 2 in one dimension: the two points +1 and -1
    M = g.simplex_etf(2, 1)
    assert np.allclose(np.sort(M.ravel()), [-1.0, 1.0], rtol=0, atol=1e-15)
    # K = 3, d = 3 (catalogue §5 construction): rows sqrt(3/2) * (e_k - 1/3)
    M = g.simplex_etf(3)
    expected = math.sqrt(1.5) * (np.eye(3) - 1.0 / 3.0)
    assert np.allclose(M, expected, rtol=0, atol=1e-15)


def test_simplex_etf_deterministic_unless_seeded():
    assert np.array_equal(g.simplex_etf(5, 7), g.simplex_etf(5, 7))
    assert np.array_equal(g.simplex_etf(5, 7, rng=3), g.simplex_etf(5, 7, rng=3))
    assert not np.allclose(g.simplex_etf(5, 7, rng=3), g.simplex_etf(5, 7, rng=4))
    gen = np.random.default_rng(0)
    assert g.simplex_etf(4, 4, rng=gen).shape == (4, 4)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(K=1), "K"),
        (dict(K=0), "K"),
        (dict(K=2.5), "K"),
        (dict(K=True), "K"),
        (dict(K=4, d=2), "d"),
        (dict(K=4, d=3.0), "d"),
        (dict(K=4, scale=0.0), "scale"),
        (dict(K=4, scale=-1.0), "scale"),
        (dict(K=4, scale=float("nan")), "scale"),
        (dict(K=4, rng="seed"), "rng"),
    ],
)
def test_simplex_etf_bad_input(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        g.simplex_etf(**kwargs)


@given(st.integers(2, 30), st.integers(0, 4), st.one_of(st.none(), st.integers(0, 1000)))
def test_orthogonal_frame(K, extra, seed):
    F = g.orthogonal_frame(K, K + extra, scale=2.0, rng=seed)
    assert F.shape == (K, K + extra)
    assert np.max(np.abs(F @ F.T - 4.0 * np.eye(K))) <= 1e-13  # rotation: O(d) sums, entries O(1)


def test_orthogonal_frame_bad_input():
    with pytest.raises(ValueError, match="^d:"):
        g.orthogonal_frame(4, 3)
    with pytest.raises(ValueError, match="^K:"):
        g.orthogonal_frame(1)
    with pytest.raises(ValueError, match="^K:"):
        g.centering(1)
    with pytest.raises(ValueError, match="^scale:"):
        g.etf_gram(3, scale=0)


# ----------------------------------------------------------------------------- SEL / SELI
sizes_small = st.lists(st.integers(1, 6), min_size=2, max_size=6)


@given(sizes_small)
def test_sel_matrix_columns_and_versions(sizes):
    K, N = len(sizes), sum(sizes)
    Z = g.sel_matrix(sizes)
    assert Z.shape == (K, N)
    labels = np.repeat(np.arange(K), sizes)
    for i, y in enumerate(labels):  # column i is e_{y_i} - 1/K
        e = np.zeros(K)
        e[y] = 1.0
        assert np.allclose(Z[:, i], e - 1.0 / K, rtol=0, atol=1e-15)
    assert np.allclose(g.sel_matrix(sizes, per="class"), np.eye(K) - 1.0 / K, rtol=0, atol=1e-15)
    # the weighted K x K version has the singular values of the K x N one (Y^T D^{-1/2} orthonormal)
    sv_full = np.linalg.svd(Z, compute_uv=False)
    sv_w = np.linalg.svd(g.sel_matrix(sizes, per="weighted"), compute_uv=False)
    assert np.allclose(sv_full, sv_w, rtol=0, atol=1e-12)  # SVD backward error ~ eps * sqrt(N)


def test_sel_matrix_bad_input():
    with pytest.raises(ValueError, match="^per:"):
        g.sel_matrix([2, 3], per="mean")
    with pytest.raises(ValueError, match="^sizes:"):
        g.sel_matrix([3])
    with pytest.raises(ValueError, match="^sizes:"):
        g.seli_grams([3, 0])


@given(sizes_small)
def test_seli_grams_equal_balanced_factorisation_of_sel(sizes):
    # Independent route: SVD of Zhat = S Y, W = U Sig^{1/2}, H = Sig^{1/2} V^T, Hbar = H Y^T D^{-1}.
    n = np.asarray(sizes, dtype=float)
    Z = g.sel_matrix(sizes)
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    W = U * np.sqrt(s)
    H = np.sqrt(s)[:, None] * Vt
    Y = g.one_hot_labels(sizes)
    Hbar = H @ Y.T / n[None, :]
    G = g.seli_grams(sizes)
    # eigh-based square roots vs SVD, K <= 6, entries O(sqrt(N)) <= 6: agreement ~1e-14; 1e-10 is safe
    # and still far below any modelling difference
    assert np.max(np.abs(G["WW"] - W @ W.T)) <= 1e-10
    assert np.max(np.abs(G["HH"] - Hbar.T @ Hbar)) <= 1e-10
    assert np.max(np.abs(G["WH"] - W @ Hbar)) <= 1e-10
    # trace identity tr(WW^T) = sum_k n_k ||hbar_k||^2 = ||Zhat||_*
    assert math.isclose(np.trace(G["WW"]), s.sum(), rel_tol=1e-10)
    assert math.isclose(np.trace(G["WW"]), float(n @ np.diag(G["HH"])), rel_tol=1e-10)


@given(sizes_small)
def test_seli_joint_gram_is_psd_of_rank_K_minus_1(sizes):
    K = len(sizes)
    G = g.seli_grams(sizes)
    big = np.block([[G["HH"], G["WH"].T], [G["WH"], G["WW"]]])
    ev = np.linalg.eigvalsh(big)
    top = ev[-1]
    assert ev[0] >= -1e-10 * top  # PSD up to eigh rounding (~1e-15 relative)
    assert int(np.sum(ev > 1e-8 * top)) == K - 1  # realisable in dimension rank(Zhat) = K-1


@given(st.integers(2, 12), st.integers(1, 50))
def test_seli_balanced_is_etf(K, n):
    G = g.seli_grams([n] * K)
    S = np.eye(K) - 1.0 / K
    # (n S)^{1/2} = sqrt(n) S exactly in exact arithmetic; eigh rounding ~1e-15 * sqrt(n)
    assert np.max(np.abs(G["WW"] - math.sqrt(n) * S)) <= 1e-12 * math.sqrt(n)
    assert np.max(np.abs(G["HH"] - S / math.sqrt(n))) <= 1e-12
    assert np.array_equal(G["WH"], S)
    # psd_sqrt of the exactly singular n S keeps the null space (no sqrt(eps) noise)
    assert np.max(np.abs(g.psd_sqrt(n * S) - math.sqrt(n) * S)) <= 1e-12 * math.sqrt(n)


def _step_closed_form(k, R, rho):
    """Catalogue §6 (R, rho)-step SELI inner products (majority size R, minority size 1)."""
    KA, KB = round((1 - rho) * k), round(rho * k)
    mu = R * rho + 1 - rho
    sR, sm = math.sqrt(R), math.sqrt(mu)
    return dict(
        w_maj=sR * (1 - 1 / KA) + sm * KB / (KA * k),
        w_min=(1 - 1 / KB) + sm * KA / (KB * k),
        w_majmaj=-sR / KA + sm * KB / (KA * k),
        w_minmin=-1 / KB + sm * KA / (KB * k),
        w_majmin=-sm / k,
        h_maj=(1 - 1 / KA) / sR + KB / (KA * k * sm),
        h_min=(1 - 1 / KB) + KA / (KB * k * sm),
        h_majmaj=-1 / (KA * sR) + KB / (KA * k * sm),
        h_minmin=-1 / KB + KA / (KB * k * sm),
        h_majmin=-1 / (k * sm),
    ), KA, KB


@pytest.mark.parametrize("k, R, rho", [(10, 10, 0.5), (4, 3, 0.5), (8, 100, 0.25), (6, 7, 2 / 3)])
def test_seli_step_imbalance_matches_catalogue_closed_form(k, R, rho):
    cf, KA, KB = _step_closed_form(k, R, rho)
    G = g.seli_grams([R] * KA + [1] * KB)
    WW, HH = G["WW"], G["HH"]
    a, a2, m, m2 = 0, 1, KA, KA + 1
    observed = dict(
        w_maj=WW[a, a], w_min=WW[m, m], w_majmaj=WW[a, a2], w_minmin=WW[m, m2], w_majmin=WW[a, m],
        h_maj=HH[a, a], h_min=HH[m, m], h_majmaj=HH[a, a2], h_minmin=HH[m, m2], h_majmin=HH[a, m],
    )
    # The catalogue's forms carry the same normalisation as ours (minority size 1), so they are
    # compared exactly; eigh rounding ~1e-15 * sqrt(R), hence 1e-11 absolute.
    for key, value in cf.items():
        assert abs(observed[key] - value) <= 1e-11, key


def test_seli_worked_example_catalogue():
    # k = 10, R = 10, rho = 1/2: ||w_maj||^2/||w_min||^2 = 2.6721, cos(w_min, w_min') = +0.0334,
    # ||mu_maj||^2/||mu_min||^2 = 0.3508 (catalogue gives 4 decimals: tolerance half a unit, 5e-5)
    G = g.seli_grams([10] * 5 + [1] * 5)
    WW, HH = G["WW"], G["HH"]
    assert abs(WW[0, 0] / WW[5, 5] - 2.6721) <= 5e-5
    assert abs(WW[5, 6] / WW[5, 5] - 0.0334) <= 5e-5
    assert abs(HH[0, 0] / HH[5, 5] - 0.3508) <= 5e-5


# ----------------------------------------------------------------------------- psd_sqrt
@given(st.integers(1, 8), st.integers(0, 7), st.integers(0, 10_000))
def test_psd_sqrt_squares_back(n, rank_drop, seed):
    rng = np.random.default_rng(seed)
    r = max(0, n - rank_drop)
    X = rng.standard_normal((n, r))
    A = X @ X.T  # PSD, possibly singular, with rounding-level negative eigenvalues
    R = g.psd_sqrt(A)
    assert np.array_equal(R, R.T)
    assert np.linalg.eigvalsh(R)[0] >= -1e-7 * max(1.0, np.abs(R).max())  # sqrt of clipped ~1e-16 noise
    # R^2 = A up to eigh rounding amplified by the square root near zero eigenvalues (~sqrt(eps)*|A|)
    assert np.max(np.abs(R @ R - A)) <= 1e-10 * max(1.0, np.abs(A).max())


def test_psd_sqrt_rejects_bad_matrices():
    with pytest.raises(ValueError, match="^A: not positive semidefinite"):
        g.psd_sqrt(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="^A: must be square"):
        g.psd_sqrt(np.ones((2, 3)))
    with pytest.raises(ValueError, match="^A: must be symmetric"):
        g.psd_sqrt(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="^A: contains non-finite"):
        g.psd_sqrt(np.array([[1.0, np.inf], [np.inf, 1.0]]))
    assert np.array_equal(g.psd_sqrt(np.zeros((3, 3))), np.zeros((3, 3)))


# ----------------------------------------------------------------------------- gram, norms, cosines
def test_gram_and_norms_axes():
    X = np.array([[1.0, 2.0, 2.0], [0.0, 3.0, 4.0]])
    assert np.array_equal(g.gram(X, "rows"), np.array([[9.0, 14.0], [14.0, 25.0]]))
    assert np.array_equal(g.gram(X, "cols"), X.T @ X)
    assert np.array_equal(g.norms(X, "rows"), [3.0, 5.0])
    assert np.allclose(g.norms(X, "cols"), [1.0, math.sqrt(13), math.sqrt(20)], rtol=1e-15, atol=0)
    with pytest.raises(ValueError, match="^axis:"):
        g.gram(X, "columns")
    with pytest.raises(ValueError, match="^X:"):
        g.norms(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="^X: contains non-finite"):
        g.gram(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="^X: expected real"):
        g.gram(np.array([[1.0 + 1j]]))


def test_cosine_known_values_and_zero_vectors():
    assert math.isclose(g.cosine([1.0, 0.0], [1.0, 1.0]), 1 / math.sqrt(2), rel_tol=1e-15)
    assert g.cosine([2.0, 0.0], [-5.0, 0.0]) == -1.0
    with pytest.raises(ValueError, match="^u: is a zero vector"):
        g.cosine([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="^v: is a zero vector"):
        g.cosine([1.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="^u: is a zero vector"):
        g.cosine([0.0, 0.0], [0.0, 0.0])
    # below the relative tolerance (1e-13 < 1e-12 * 1): zero; above it: defined
    with pytest.raises(ValueError, match="^v: is a zero vector"):
        g.cosine([1.0, 0.0], [1e-13, 0.0])
    assert g.cosine([1.0, 0.0], [1e-11, 1e-11]) == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    with pytest.raises(ValueError, match="^v: shape"):
        g.cosine([1.0, 0.0], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="^u: contains non-finite"):
        g.cosine([np.nan, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="^zero_tol:"):
        g.cosine([1.0], [1.0], zero_tol=-1)


def test_cosine_matrix_masks_zero_vectors():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    C = g.cosine_matrix(X)
    expected_defined = np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]], dtype=bool)
    assert np.array_equal(C.defined, expected_defined)
    assert np.array_equal(np.isnan(C.values), ~expected_defined)  # NaN exactly where undefined
    assert C.values[0, 2] == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert C.values[0, 0] == 1.0
    assert C.zero == ((1,),) and not C.all_defined
    with pytest.raises(ValueError, match="^cosines: undefined"):
        C.require()
    assert C.masked().mask[1, 1] and not C.masked().mask[0, 2]
    with pytest.raises(ValueError, match=r"^X: vectors \[1\]"):
        g.cosine_matrix(X, on_zero="raise")
    with pytest.raises(ValueError, match="^on_zero:"):
        g.cosine_matrix(X, on_zero="nan")
    assert not g.cosine_matrix(np.zeros((2, 3))).defined.any()
    # columns as vectors
    Cc = g.cosine_matrix(X.T, axis="cols")
    assert np.array_equal(Cc.defined, expected_defined)


def test_paired_cosines_judge_zero_within_each_family():
    A = 1e6 * np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    B = 1e-6 * np.array([[1.0, 1.0], [0.0, -1.0], [0.0, 0.0]])
    c = g.paired_cosines(A, B)
    assert np.array_equal(c.defined, [True, True, False])
    assert c.values[0] == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert c.values[1] == -1.0 and np.isnan(c.values[2])
    assert c.zero == ((), (2,))
    with pytest.raises(ValueError, match="^B: shape"):
        g.paired_cosines(A, B[:2])


# ----------------------------------------------------------------------------- gram_distance
@given(st.integers(2, 40))
def test_gram_distance_orthogonal_vs_etf_closed_form(K):
    # ||I/sqrt(K) - S/sqrt(K-1)||_F^2 = 2 - 2 tr(S)/sqrt(K(K-1)) = 2 - 2 sqrt((K-1)/K)
    expected = math.sqrt(2 - 2 * math.sqrt((K - 1) / K))
    assert g.gram_distance(np.eye(K), g.etf_gram(K)) == pytest.approx(expected, rel=1e-10, abs=1e-13)


@given(
    st.integers(2, 8),
    st.floats(1e-100, 1e100),
    st.floats(1e-100, 1e100),
    st.integers(0, 10_000),
)
def test_gram_distance_scale_invariant_and_bounded(K, a, c, seed):
    rng = np.random.default_rng(seed)
    X, T = rng.standard_normal((K, K)), rng.standard_normal((K, K))
    d0 = g.gram_distance(X, T)
    # positive rescaling changes only rounding (~1e-16 relative); pre-scaling avoids over/underflow
    assert g.gram_distance(a * X, c * T) == pytest.approx(d0, rel=1e-12, abs=1e-14)
    assert 0.0 <= d0 <= 2.0
    assert g.gram_distance(X, 3.0 * X) <= 1e-15 * K
    assert g.gram_distance(X, -X) == pytest.approx(2.0, rel=1e-15)


def test_gram_distance_bad_input():
    with pytest.raises(ValueError, match="^X: is the zero matrix"):
        g.gram_distance(np.zeros((2, 2)), np.eye(2))
    with pytest.raises(ValueError, match="^T: is the zero matrix"):
        g.gram_distance(np.eye(2), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="^T: shape"):
        g.gram_distance(np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="^X: contains non-finite"):
        g.gram_distance(np.array([[np.inf, 0.0], [0.0, 1.0]]), np.eye(2))


# ----------------------------------------------------------------------------- shared argument checks


@given(st.floats(min_value=5e-324, allow_infinity=False, allow_nan=False))
def test_positive_real_accepts_every_positive_finite_float(x):
    assert positive_real("scale", x) == x
    assert positive_real("scale", repr(x)) == x  # numeric strings, as read from a command line


@given(st.one_of(st.floats(max_value=0.0), st.just(math.inf), st.just(-math.inf), st.just(math.nan)))
def test_positive_real_refuses_zero_negative_and_non_finite(x):
    with pytest.raises(ValueError, match=r"^time_limit: must be finite and > 0 seconds, got "):
        positive_real("time_limit", x, "seconds > 0", unit=" seconds")


@pytest.mark.parametrize("value, message", [
    ("abc", "zero_tol: expected a real number in [0, 1), got 'abc'"),
    ([0.1], "zero_tol: expected a real number in [0, 1), got [0.1]"),
    (None, "zero_tol: expected a real number in [0, 1), got None"),
    (True, "zero_tol: expected a real number in [0, 1), got a bool"),
])
def test_real_number_names_the_field_and_what_was_expected(value, message):
    with pytest.raises(ValueError) as err:
        real_number("zero_tol", value, "a real number in [0, 1)")
    assert str(err.value) == message


def test_real_number_takes_a_bool_only_when_asked():
    assert real_number("time_limit", True, "seconds > 0", allow_bool=True) == 1.0
    assert positive_real("time_limit", True, "seconds > 0", allow_bool=True) == 1.0
    with pytest.raises(ValueError, match="^scale: expected a positive real number, got a bool$"):
        positive_real("scale", False)
    with pytest.raises(ValueError, match="^time_limit: must be finite and > 0 seconds, got False$"):
        positive_real("time_limit", False, "seconds > 0", unit=" seconds", allow_bool=True)


def test_one_of_lists_the_allowed_values():
    assert one_of("axis", "cols", ("rows", "cols")) == "cols"
    with pytest.raises(ValueError) as err:
        one_of("axis", "columns", ("rows", "cols"))
    assert str(err.value) == "axis: must be 'rows' or 'cols', got 'columns'"
    with pytest.raises(ValueError, match=r"^unit: must be 'deg' or 'rad', got None$"):
        one_of("unit", None, ("deg", "rad"))
