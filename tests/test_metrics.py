"""Tests for nctheory.metrics (catalogue §8).

Expected values come from exact NC geometry (where every metric is 0 by definition), hand
computations written out in the tests, and an independent straightforward evaluation of the
NC1 formula (explicit loops, explicit inverse on an independently computed basis).
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nctheory import geometry as g
from nctheory import metrics as m

# On exact NC geometry every metric vanishes in exact arithmetic.  Class means are averages of
# identical float copies, so within-class deviations are at most a few ulps (~1e-16 relative)
# and NC1 ~ (1e-16)^2; normalised distances between matrices equal up to rounding are ~K*eps
# <= 1e-14.  1e-12 leaves margin while still catching any genuine deviation.
EXACT_TOL = 1e-12


@st.composite
def exact_nc(draw):
    K = draw(st.integers(2, 12))
    d = draw(st.sampled_from([K - 1, K, K + 3]))
    sizes = draw(st.lists(st.integers(1, 5), min_size=K, max_size=K))
    h_scale = draw(st.sampled_from([1.0, 1e-3, 42.0]))
    w_scale = draw(st.sampled_from([1.0, 7.5, 1e-2]))
    seed = draw(st.integers(0, 2**31 - 1))
    Hbar = h_scale * g.simplex_etf(K, d, rng=seed).T  # d x K, ETF means
    labels = np.repeat(np.arange(K), sizes)
    H = Hbar[:, labels].copy()  # zero within-class spread
    W = w_scale * Hbar.T  # self-dual classifier
    return K, Hbar, H, labels, W


def sizes_of(labels, K):
    return np.bincount(labels, minlength=K)


# ----------------------------------------------------------------------------- exact collapse
@given(exact_nc())
def test_all_metrics_vanish_on_exact_nc_geometry(case):
    K, Hbar, H, labels, W = case
    assert np.allclose(m.class_means(H, labels), Hbar, rtol=1e-15, atol=0)
    assert 0.0 <= m.nc1(H, labels) <= EXACT_TOL
    assert 0.0 <= m.nc1(H, labels, weighting="class") <= EXACT_TOL
    assert m.nc2_w(W) <= EXACT_TOL
    assert m.nc2_h(Hbar) <= EXACT_TOL
    assert m.nc2_h(Hbar, center=True) <= EXACT_TOL  # ETF means already sum to zero
    counts = sizes_of(labels, K)
    # ETF means sum to zero: centring by the mean of the means ("class", or "global" without counts)
    # or not at all leaves them an exact ETF.  The sample mean (Papyan's h_G, "global" with counts)
    # is a count-weighted average of the ETF vectors: zero only for equal counts.
    for kw in ({"center": "class", "counts": counts}, {"center": "none"}):
        assert m.nc2_h(Hbar, **kw) <= EXACT_TOL
        assert m.nc3(W, Hbar, **kw) <= EXACT_TOL
        assert m.self_duality_distance(W, Hbar, **kw) <= EXACT_TOL
    if len(set(counts.tolist())) == 1:
        assert m.nc2_h(Hbar, counts=counts) <= EXACT_TOL
    else:
        assert m.nc2_h(Hbar, counts=counts) > 1e-6
    assert m.nc2_h(Hbar) <= EXACT_TOL  # default: no counts -> mean of the means = 0 here
    assert m.nc3(W, Hbar) <= EXACT_TOL
    assert m.self_duality_distance(W, Hbar) <= EXACT_TOL
    assert m.nc4(H, labels, W) == 1.0
    assert np.all(m.nc4_per_class(H, labels, W) == 1.0)
    assert 0.0 <= m.nc1_quotient(H, labels) <= EXACT_TOL
    assert np.all(m.nc1_per_class(H, labels) <= EXACT_TOL)
    assert 0.0 <= m.cdnv(H, labels) <= EXACT_TOL
    # ETF: equal norms and equal angles, at the ETF's cosine -1/(K-1); rounding of O(1) cosines ~1e-16
    for X, axis in ((W, "rows"), (Hbar, "cols")):
        assert m.equinorm(X, axis) <= EXACT_TOL
        assert m.equiangularity(X, axis) <= EXACT_TOL
        assert m.etf_angle_deviation(X, axis) <= EXACT_TOL
    ang = m.self_duality_angles(W, Hbar)
    # arccos near 1 turns a rounding error eps in the cosine into sqrt(2 eps) ~ 2e-8 rad ~ 1.2e-6 degrees
    assert ang.unit == "deg" and ang.all_defined and np.max(ang.require()) <= np.degrees(1e-7)
    assert np.max(m.self_duality_angles(W, Hbar, unit="rad").require()) <= 1e-7
    # class means alone: no within-class spread, NC1 = 0 exactly
    assert m.nc1(Hbar, np.arange(K)) == 0.0
    assert m.nc1_from_means(Hbar) == 0.0


# ----------------------------------------------------------------------------- NC1 by hand
def test_nc1_two_classes_one_dimension_by_hand():
    # class 0: {0, 2} (mean 1, squared deviations 1 + 1); class 1: {5, 7, 9} (mean 7, 4 + 0 + 4)
    H = np.array([[0.0, 2.0, 5.0, 7.0, 9.0]])
    labels = [0, 0, 1, 1, 1]
    # sample weighting: Sigma_W = (2 + 8)/5 = 2; h_G = 23/5; Sigma_B = ((1-4.6)^2 + (7-4.6)^2)/2 = 9.36
    assert m.nc1(H, labels) == pytest.approx((2.0 / 9.36) / 2, rel=1e-14)
    # class weighting: Sigma_W = (1 + 8/3)/2 = 11/6; h_G = 4; Sigma_B = (9 + 9)/2 = 9
    assert m.nc1(H, labels, weighting="class") == pytest.approx((11.0 / 6.0) / 9.0 / 2.0, rel=1e-14)
    assert np.allclose(m.class_means(H, labels), [[1.0, 7.0]], rtol=1e-15, atol=0)


@pytest.mark.parametrize("b", [0.0, 0.5, 2.0])
def test_nc1_ignores_spread_outside_the_span_of_the_means(b):
    # means (-1, 0) and (1, 0); samples spread by b along x and by 3 along y.
    H = np.array([[-1 - b, -1 + b, 1 - b, 1 + b], [3.0, -3.0, 3.0, -3.0]])
    labels = [0, 0, 1, 1]
    # Sigma_W = diag(b^2, 9); Sigma_B = diag(1, 0) (rank 1): Sigma_B^+ = diag(1, 0); NC1 = b^2/2
    assert m.nc1(H, labels) == pytest.approx(b * b / 2, rel=1e-14, abs=1e-300)


def _nc1_by_definition(H, labels, K, weighting):
    """Straightforward NC1: explicit sums, inverse of Sigma_B restricted to span(means - h_G)."""
    d, N = H.shape
    counts = np.array([np.sum(labels == k) for k in range(K)], dtype=float)
    means = np.stack([H[:, labels == k].mean(axis=1) for k in range(K)], axis=1)
    Sw = np.zeros((d, d))
    for i in range(N):
        dev = H[:, i] - means[:, labels[i]]
        w = 1.0 / N if weighting == "sample" else 1.0 / (K * counts[labels[i]])
        Sw += w * np.outer(dev, dev)
    hG = H.mean(axis=1) if weighting == "sample" else means.mean(axis=1)
    Bc = means - hG[:, None]
    Sb = Bc @ Bc.T / K
    Q, _ = np.linalg.qr(Bc[:, : K - 1])  # orthonormal basis of span(Bc): rank K-1 generically
    return float(np.trace((Q.T @ Sw @ Q) @ np.linalg.inv(Q.T @ Sb @ Q)) / K), np.linalg.cond(Q.T @ Sb @ Q)


@given(
    st.integers(2, 8),
    st.integers(0, 3),
    st.integers(2, 6),
    st.sampled_from([1e-3, 0.1, 1.0]),
    st.sampled_from(["sample", "class"]),
    st.integers(0, 10_000),
)
def test_nc1_matches_definition_on_generic_data(K, extra_dim, n_max, spread, weighting, seed):
    rng = np.random.default_rng(seed)
    d = K - 1 + extra_dim
    sizes = rng.integers(1, n_max + 1, size=K)
    labels = np.repeat(np.arange(K), sizes)
    means = g.simplex_etf(K, d, rng=rng).T + 0.3 * rng.standard_normal((d, K))
    H = means[:, labels] + spread * rng.standard_normal((d, labels.size))
    expected, cond = _nc1_by_definition(H, labels, K, weighting)
    got = m.nc1(H, labels, weighting=weighting)
    # both are backward-stable evaluations; their difference is ~cond(Sigma_B) * eps relative
    assert got == pytest.approx(expected, rel=1e-12 * cond + 1e-12, abs=1e-300)


@given(
    st.integers(2, 20),
    st.integers(0, 2),
    st.integers(6, 15),
    st.sampled_from([0.0, 1.0, 1e3]),
    st.booleans(),
    st.integers(0, 10_000),
)
def test_nc1_never_negative_on_nearly_collapsed_data(K, dim_choice, p, offset, to_float32, seed):
    rng = np.random.default_rng(seed)
    d = [K - 1, K, K + 3][dim_choice]
    sizes = rng.integers(1, 9, size=K)
    labels = np.repeat(np.arange(K), sizes)
    H = (g.simplex_etf(K, d, rng=rng).T + offset)[:, labels] + 10.0**-p * rng.standard_normal((d, labels.size))
    if to_float32:  # the catalogue's warning: float32 data + naive pinv gives negative NC1
        H = H.astype(np.float32)
    for weighting in ("sample", "class"):
        v = m.nc1(H, labels, weighting=weighting)
        assert math.isfinite(v) and v >= 0.0


@given(
    st.integers(2, 10),
    st.integers(0, 3),
    st.sampled_from([1e-3, 0.1, 1.0]),
    st.integers(-20, 20),
    st.integers(0, 10_000),
)
def test_nc1_invariances(K, extra_dim, spread, log2_scale, seed):
    rng = np.random.default_rng(seed)
    d = K - 1 + extra_dim
    sizes = rng.integers(1, 6, size=K)
    labels = np.repeat(np.arange(K), sizes)
    H = g.simplex_etf(K, d, rng=rng).T[:, labels] + spread * rng.standard_normal((d, labels.size))
    base = m.nc1(H, labels)
    # scaling by a power of two is exact in floating point: identical result
    assert m.nc1(2.0**log2_scale * H, labels) == base
    # rotation + translation: rounding of O(1) coordinates perturbs a spread >= 1e-3 by
    # <= ~1e-13 relative; NC1 moves by ~cond * that; 1e-9 leaves ample room
    Q = g.random_rotation(d, rng)
    t = rng.standard_normal(d)
    assert m.nc1(Q @ H + t[:, None], labels) == pytest.approx(base, rel=1e-9)
    # relabelling classes and permuting samples change nothing but summation order
    perm = rng.permutation(K)
    order = rng.permutation(labels.size)
    assert m.nc1(H[:, order], perm[labels][order]) == pytest.approx(base, rel=1e-12)


def test_nc1_undefined_and_bad_input():
    H = np.array([[1.0, 2.0, 1.0, 2.0]])
    with pytest.raises(ValueError, match="^H: all class means coincide"):
        m.nc1(H, [0, 0, 1, 1])  # both class means are 1.5
    with pytest.raises(ValueError, match="^H_mean: all class means coincide"):
        m.nc1_from_means(np.ones((3, 4)))
    H = np.arange(8.0).reshape(2, 4)
    with pytest.raises(ValueError, match="^labels: has 3 entries"):
        m.nc1(H, [0, 1, 1])
    with pytest.raises(ValueError, match="^labels: must be >= 0"):
        m.nc1(H, [0, 1, -1, 1])
    with pytest.raises(ValueError, match="^labels: expected integer"):
        m.nc1(H, [0, 1, 0.5, 1])
    with pytest.raises(ValueError, match="^labels: expected integer"):
        m.nc1(H, np.array([True, False, True, False]))
    with pytest.raises(ValueError, match="^labels: value 2 is out of range"):
        m.nc1(H, [0, 1, 2, 1], K=2)
    with pytest.raises(ValueError, match=r"^labels: class\(es\) \[2\] have no samples"):
        m.nc1(H, [0, 1, 0, 1], K=3)
    with pytest.raises(ValueError, match="^K: need at least 2"):
        m.nc1(H, [0, 0, 0, 0])
    with pytest.raises(ValueError, match="^H: contains non-finite"):
        m.nc1(np.array([[0.0, np.nan, 1.0, 2.0]]), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="^H: expected a 2-D"):
        m.nc1(np.arange(4.0), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="^weighting:"):
        m.nc1(H, [0, 0, 1, 1], weighting="count")
    with pytest.raises(ValueError, match="^rcond:"):
        m.nc1(H, [0, 0, 1, 1], rcond=-1.0)
    assert m.nc1(H, [0.0, 0.0, 1.0, 1.0]) >= 0.0  # integral floats are accepted labels


# ----------------------------------------------------------------------------- NC2 / NC3
@given(st.integers(2, 30), st.integers(0, 3))
def test_nc2_orthogonal_frame_against_etf_closed_form(K, extra):
    F = g.orthogonal_frame(K, K + extra)
    # ||I/sqrt(K) - S/sqrt(K-1)||_F = sqrt(2 - 2 sqrt((K-1)/K))  (tr S = K-1, S ⊥ J)
    expected = math.sqrt(2 - 2 * math.sqrt((K - 1) / K))
    assert m.nc2_w(F, "etf") == pytest.approx(expected, rel=1e-10, abs=1e-13)
    assert m.nc2_w(F, "orthogonal") <= EXACT_TOL
    assert m.nc2_h(F.T, "orthogonal", center="none") <= EXACT_TOL
    assert m.nc3(F, F.T, "etf", center="none") == pytest.approx(expected, rel=1e-10, abs=1e-13)
    # centring an orthogonal frame by its mean gives F^T S, whose Gram is S: a simplex ETF exactly
    assert m.nc2_h(F.T) <= EXACT_TOL
    assert m.nc2_h(F.T, "orthogonal") == pytest.approx(expected, rel=1e-10, abs=1e-13)


@given(st.integers(2, 20), st.floats(0.0, 50.0))
def test_nc2_h_centering_by_hand(K, tau):
    # means e_k (ETF, first K coordinates) shifted by t = sqrt(tau) e_{K+1}, orthogonal to them:
    # Gram = a S + tau J with a = K/(K-1); since <S, J> = 0,
    # distance^2 to the ETF = 2 - 2 a sqrt(K-1) / sqrt(a^2 (K-1) + tau^2 K^2)
    d = K + 3
    t = np.zeros(d)
    t[K] = math.sqrt(tau)
    Hbar = g.simplex_etf(K, d).T + t[:, None]
    a = K / (K - 1)
    expected = math.sqrt(max(0.0, 2 - 2 * a * math.sqrt(K - 1) / math.sqrt(a * a * (K - 1) + tau * tau * K * K)))
    # the subtraction in 2 - 2c loses ~eps/distance relative accuracy; abs 1e-7 covers tau -> 0
    assert m.nc2_h(Hbar, center="none") == pytest.approx(expected, rel=1e-9, abs=1e-7)
    assert m.nc2_h(Hbar, center=False) == m.nc2_h(Hbar, center="none")
    assert m.nc2_h(Hbar) <= EXACT_TOL  # the default centres by the global mean
    assert m.nc2_h(Hbar, center=True) <= EXACT_TOL
    assert m.nc2_h(Hbar, center="class") <= EXACT_TOL
    assert m.nc2_h(Hbar, center=t) <= EXACT_TOL
    # any positive counts: the ETF means sum to zero with equal weights only, but the shift t is
    # common to every class, so the sample mean removes t and leaves the ETF shifted by a
    # weighted average of its vectors -- not an ETF unless the counts are equal
    assert m.nc2_h(Hbar, counts=np.full(K, 7)) <= EXACT_TOL


def test_nc2_against_given_seli_target():
    sizes = [9, 9, 4, 1]
    K = len(sizes)
    # realise the SELI factors independently: SVD of S Y (per-sample SEL), balanced split
    U, s, Vt = np.linalg.svd(g.sel_matrix(sizes), full_matrices=False)
    W = U * np.sqrt(s)
    H = np.sqrt(s)[:, None] * Vt
    labels = np.repeat(np.arange(K), sizes)
    Hbar = m.class_means(H, labels)
    G = g.seli_grams(sizes)
    # SVD and SELI Grams agree to ~1e-15; 1e-10 margin for normalisation
    assert m.nc2_w(W, G["WW"]) <= 1e-10
    assert m.nc2_h(Hbar, G["HH"]) <= 1e-10
    assert m.nc3(W, Hbar, G["WH"]) <= 1e-10
    # imbalanced SELI is not an ETF and not self-dual (catalogue HL-noETF / §6)
    assert m.nc2_w(W) > 0.05 and m.nc2_h(Hbar) > 0.05
    assert m.self_duality_distance(W, Hbar) > 0.05


def test_nc3_orthogonal_target_and_self_duality_by_hand():
    c = np.array([1.0, 2.0, 3.0])
    e = np.array([0.5, 0.5, 2.0])
    F = g.orthogonal_frame(3, 4)
    W = c[:, None] * F
    Hbar = F.T * e[None, :]
    ce = c * e  # W Hbar = diag(c e); distance^2 to I = 2 - 2 sum(ce)/(||ce|| sqrt(3))
    expected = math.sqrt(2 - 2 * ce.sum() / (np.linalg.norm(ce) * math.sqrt(3)))
    assert m.nc3(W, Hbar, "orthogonal", center="none") == pytest.approx(expected, rel=1e-12)
    # self-duality: W = I2, Hbar^T = diag(1, 2): distance^2 = (1/sqrt2 - 1/sqrt5)^2 + (1/sqrt2 - 2/sqrt5)^2
    W2, H2 = np.eye(2), np.diag([1.0, 2.0])
    expected2 = math.hypot(1 / math.sqrt(2) - 1 / math.sqrt(5), 1 / math.sqrt(2) - 2 / math.sqrt(5))
    assert m.self_duality_distance(W2, H2, center="none") == pytest.approx(expected2, rel=1e-14)
    assert m.self_duality_distance(-5.0 * H2.T, H2, center="none") == pytest.approx(2.0, rel=1e-15)
    # centred: the means (1, 0), (0, 2) minus their average (0.5, 1) are +-(0.5, -1), so Hc^T rows are
    # (0.5, -1) and (-0.5, 1) with norm sqrt(2.5); W = I has rows e_1, e_2 and norm sqrt 2
    Hc_rows = np.array([[0.5, -1.0], [-0.5, 1.0]]) / math.sqrt(2.5)
    expected3 = float(np.linalg.norm(np.eye(2) / math.sqrt(2) - Hc_rows))
    assert m.self_duality_distance(W2, H2) == pytest.approx(expected3, rel=1e-14)
    # sample weights (3, 1): h_G = (0.75, 0.5); class means minus h_G: (0.25, -0.5), (-0.75, 1.5)
    Hs_rows = np.array([[0.25, -0.5], [-0.75, 1.5]]) / math.sqrt(0.25**2 + 0.5**2 + 0.75**2 + 1.5**2)
    expected4 = float(np.linalg.norm(np.eye(2) / math.sqrt(2) - Hs_rows))
    assert m.self_duality_distance(W2, H2, counts=[3, 1]) == pytest.approx(expected4, rel=1e-14)


def test_nc2_nc3_bad_input():
    W = g.simplex_etf(3)
    with pytest.raises(ValueError, match="^target: must be"):
        m.nc2_w(W, "simplex")
    with pytest.raises(ValueError, match="^target: expected shape"):
        m.nc2_w(W, np.eye(4))
    with pytest.raises(ValueError, match="^H_mean: shape"):
        m.nc3(W, np.ones((2, 3)))
    with pytest.raises(ValueError, match="^center: has 2 entries"):
        m.nc2_h(W.T, center=np.zeros(2))
    with pytest.raises(ValueError, match="^W: needs K >= 2 rows"):
        m.nc2_w(np.ones((1, 3)))
    with pytest.raises(ValueError, match="^W: is the zero matrix"):
        m.nc2_w(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="^H_mean: is the zero matrix"):
        m.self_duality_distance(W, np.zeros((3, 3)))


# ----------------------------------------------------------------------------- NC4
def test_nc4_by_hand():
    # class 0: {-2, 0} (mean -1), class 1: {1, 3} (mean 2); nearest centre: 0, 0, 1, 1
    H = np.array([[-2.0, 0.0, 1.0, 3.0]])
    labels = [0, 0, 1, 1]
    W = np.array([[-1.0], [1.0]])
    # logits (-h, h - 4): class 1 iff h > 2 -> decisions 0, 0, 0, 1: agreement 3/4
    assert m.nc4(H, labels, W, b=[0.0, -4.0]) == 0.75
    # no bias: class 1 iff h > 0; at h = 0 the tie goes to class 0 -> 0, 0, 1, 1: full agreement
    assert m.nc4(H, labels, W) == 1.0
    # explicit centres at -10 and -9: nearest centre is class 1 for every sample -> 2/4
    assert m.nc4(H, None, W, means=[[-10.0, -9.0]]) == 0.5
    with pytest.raises(ValueError, match="^b: has 3 entries"):
        m.nc4(H, labels, W, b=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="^W: has 1 columns but the features have dimension 2"):
        m.nc4(np.vstack([H, H]), labels, W)
    with pytest.raises(ValueError, match="^labels: required"):
        m.nc4(H, None, W)
    with pytest.raises(ValueError, match="^means: expected shape"):
        m.nc4(H, None, W, means=[[1.0, 2.0, 3.0]])


# ----------------------------------------------------------------------------- collapse diagnostics
@given(st.integers(2, 30), st.sampled_from([1.0, 1e-4, 300.0]))
def test_minority_collapse_on_etf(K, scale):
    E = g.simplex_etf(K, scale=scale)
    mc = m.minority_collapse(E, E.T, range(K))
    # ETF pairs: ||w_j - w_k||^2 = 2 s^2 (1 + 1/(K-1)) = 2 K s^2 / (K-1)
    dist = scale * math.sqrt(2 * K / (K - 1))
    assert mc.w_max_dist == pytest.approx(dist, rel=1e-13)
    assert mc.h_max_dist == pytest.approx(dist, rel=1e-13)
    assert mc.w_scale == pytest.approx(scale, rel=1e-13)
    assert mc.w_rel == pytest.approx(math.sqrt(2 * K / (K - 1)), rel=1e-13)


def test_minority_collapse_by_hand_and_exact_collapse():
    W = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 0.0], [3.0, 0.0]])
    Hbar = np.array([[1.0, 2.0, 0.0, 0.0], [1.0, 2.0, 0.0, 0.0]])
    mc = m.minority_collapse(W, Hbar, [0, 1, 2])
    # distances 5, 3, 4 -> max 5; mean norm (0 + 5 + 3)/3 = 8/3
    assert mc.w_max_dist == 5.0 and mc.w_scale == pytest.approx(8 / 3, rel=1e-15)
    assert mc.w_rel == pytest.approx(15 / 8, rel=1e-15)
    assert mc.h_max_dist == pytest.approx(math.sqrt(8), rel=1e-15)
    # classes 2, 3: identical classifiers (collapse, exactly 0) and zero means (scale 0, rel 0)
    mc = m.minority_collapse(W, Hbar, (2, 3))
    assert (mc.w_max_dist, mc.w_rel, mc.h_max_dist, mc.h_scale, mc.h_rel) == (0.0, 0.0, 0.0, 0.0, 0.0)
    assert mc.cluster == (2, 3)
    for bad in ([0], [1, 1], [0, 4], [0.5, 1], "ab", [True, False], 3):
        with pytest.raises(ValueError, match="^cluster:"):
            m.minority_collapse(W, Hbar, bad)


def test_self_duality_angles_flag_zero_vectors():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    Hbar = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, 0.0]])  # columns (1,1), (0,0), (-1,0)
    a = m.self_duality_angles(W, Hbar, center="none")
    assert np.array_equal(a.defined, [True, False, True])
    assert a.unit == "deg" and a.center == "none"
    assert a.angles[0] == pytest.approx(45.0, rel=1e-14)
    assert a.angles[2] == pytest.approx(180.0, rel=1e-15)
    r = m.self_duality_angles(W, Hbar, center="none", unit="rad")
    assert r.angles[0] == pytest.approx(math.pi / 4, rel=1e-14) and r.unit == "rad"
    assert np.isnan(a.angles[1]) and np.isnan(a.cosines[1])  # NaN only where flagged
    assert a.zero_h == (1,) and a.zero_w == ()
    with pytest.raises(ValueError, match=r"^angles: undefined .* zero class means \[1\]"):
        a.require()
    # zero is judged within each family, so very different scales of W and Hbar are fine
    b = m.self_duality_angles(1e8 * W, 1e-8 * np.array([[1.0, 2.0, -1.0], [1.0, 0.0, 3.0]]))
    assert b.all_defined
    with pytest.raises(ValueError, match="^unit:"):
        m.self_duality_angles(W, Hbar, unit="grad")


# ----------------------------------------------------------------------------- centring
def test_global_mean_variants_by_hand():
    Hbar = np.array([[0.0, 2.0, 4.0], [3.0, 0.0, 0.0]])  # columns (0, 3), (2, 0), (4, 0)
    assert np.allclose(m.global_mean(Hbar), [2.0, 1.0], rtol=0, atol=1e-15)  # no counts: mean of the means
    # counts (1, 1, 2): (0 + 2 + 8)/4, (3 + 0 + 0)/4
    assert np.allclose(m.global_mean(Hbar, counts=[1, 1, 2]), [2.5, 0.75], rtol=0, atol=1e-15)
    assert np.allclose(m.global_mean(Hbar, "class", counts=[1, 1, 2]), [2.0, 1.0], rtol=0, atol=1e-15)
    assert m.global_mean(Hbar, "none") is None and m.global_mean(Hbar, False) is None
    assert np.allclose(m.global_mean(Hbar, True), [2.0, 1.0], rtol=0, atol=1e-15)
    assert np.array_equal(m.centered_means(Hbar, [1.0, 1.0]), Hbar - 1.0)
    assert np.array_equal(m.centered_means(Hbar, "none"), Hbar)
    Hc = m.centered_means(Hbar, counts=[1, 1, 2])
    assert np.allclose(Hc @ np.array([1, 1, 2]), 0.0, atol=1e-14)  # the weighted mean of centred means is 0
    for kw, field in (({"center": "median"}, "center"), ({"counts": [1, 2]}, "counts"),
                      ({"counts": [1, 0, 2]}, "counts"), ({"counts": [1, np.nan, 2]}, "counts"),
                      ({"center": [1.0, 2.0, 3.0]}, "center")):
        with pytest.raises(ValueError, match=f"^{field}:"):
            m.centered_means(Hbar, **kw)


# ----------------------------------------------------------------------------- NC1 variants
def test_nc1_quotient_cdnv_and_variances_by_hand():
    # class 0: {0, 2} (mean 1, squared deviations 1 + 1); class 1: {5, 7, 9} (mean 7, 4 + 0 + 4)
    H = np.array([[0.0, 2.0, 5.0, 7.0, 9.0]])
    labels = [0, 0, 1, 1, 1]
    # Sigma_W = 10/5 = 2, Sigma_B = 9.36 (as in test_nc1_two_classes_one_dimension_by_hand)
    assert m.nc1_quotient(H, labels) == pytest.approx(2.0 / 9.36, rel=1e-14)
    # class weighting: Sigma_W = 11/6, Sigma_B = 9
    assert m.nc1_quotient(H, labels, weighting="class") == pytest.approx(11.0 / 54.0, rel=1e-14)
    assert np.allclose(m.class_variances(H, labels), [1.0, 8.0 / 3.0], rtol=1e-15, atol=0)
    assert np.allclose(m.class_variances(H, labels, ddof=1), [2.0, 4.0], rtol=1e-15, atol=0)
    # CDNV: (1 + 8/3) / (2 * 6^2)
    assert m.cdnv(H, labels) == pytest.approx((1.0 + 8.0 / 3.0) / 72.0, rel=1e-14)
    V = m.cdnv_matrix(H, labels)
    assert np.isnan(V[0, 0]) and V[0, 1] == V[1, 0] == pytest.approx(m.cdnv(H, labels), rel=1e-15)
    # per class: tr(Sigma_k Sigma_B^+)/K = var_k / 9.36 / 2, averaged with weights n_k/N gives NC1
    per = m.nc1_per_class(H, labels)
    assert np.allclose(per, [1.0 / 9.36 / 2, (8 / 3) / 9.36 / 2], rtol=1e-14, atol=0)
    assert per @ np.array([2, 3]) / 5 == pytest.approx(m.nc1(H, labels), rel=1e-14)
    per_c = m.nc1_per_class(H, labels, weighting="class")
    assert per_c.mean() == pytest.approx(m.nc1(H, labels, weighting="class"), rel=1e-14)


def test_cdnv_undefined_for_coinciding_means_and_bad_ddof():
    H = np.array([[0.0, 2.0, 1.0, 1.0, 5.0]])  # classes 0 and 1 both have mean 1
    with pytest.raises(ValueError, match="^H: classes 0 and 1 have the same mean"):
        m.cdnv(H, [0, 0, 1, 1, 2])
    assert np.isinf(m.cdnv_matrix(H, [0, 0, 1, 1, 2])[0, 1])
    with pytest.raises(ValueError, match="^ddof:"):
        m.class_variances(H, [0, 0, 1, 1, 2], ddof=2)
    with pytest.raises(ValueError, match="^labels: ddof=1 needs two samples"):
        m.class_variances(H, [0, 0, 1, 1, 2], ddof=1)


@given(st.integers(2, 8), st.integers(0, 3), st.integers(0, 10_000))
def test_nc1_variants_match_pinv_and_loops_on_generic_data(K, extra_dim, seed):
    rng = np.random.default_rng(seed)
    d = K - 1 + extra_dim
    sizes = rng.integers(2, 6, size=K)
    labels = np.repeat(np.arange(K), sizes)
    means = g.simplex_etf(K, d, rng=rng).T + 0.3 * rng.standard_normal((d, K))
    H = means[:, labels] + 0.2 * rng.standard_normal((d, labels.size))
    N = labels.size
    mu = np.stack([H[:, labels == k].mean(axis=1) for k in range(K)], axis=1)
    hG = H.mean(axis=1)
    Sw = sum(np.outer(H[:, i] - mu[:, labels[i]], H[:, i] - mu[:, labels[i]]) for i in range(N)) / N
    Sb = sum(np.outer(mu[:, k] - hG, mu[:, k] - hG) for k in range(K)) / K
    # Sigma_B has rank K-1: a pseudo-inverse with a cutoff well above rounding (1e-10) and well below the
    # smallest true eigenvalue (these means are O(1) apart)
    pinv = np.linalg.pinv(Sb, rcond=1e-10, hermitian=True)
    cond = np.linalg.norm(Sb, 2) * np.linalg.norm(pinv, 2)  # condition of Sigma_B on its range
    assert m.nc1(H, labels) == pytest.approx(np.trace(Sw @ pinv) / K, rel=1e-12 * cond + 1e-12)
    assert m.nc1_quotient(H, labels) == pytest.approx(np.trace(Sw) / np.trace(Sb), rel=1e-12)
    var = np.array([np.mean(np.sum((H[:, labels == k] - mu[:, [k]]) ** 2, axis=0)) for k in range(K)])
    ref = np.mean([(var[i] + var[j]) / (2 * np.sum((mu[:, i] - mu[:, j]) ** 2))
                   for i in range(K) for j in range(i + 1, K)])
    assert m.cdnv(H, labels) == pytest.approx(ref, rel=1e-12)


# ----------------------------------------------------------------------------- NC2 norms and angles
def test_equinorm_equiangularity_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 3.0], [-2.0, 0.0]])  # norms 1, 3, 2; cosines 0, -1, 0
    assert m.equinorm(X) == pytest.approx(np.std([1.0, 3.0, 2.0]) / 2.0, rel=1e-15)
    assert m.equinorm(X.T, "cols") == m.equinorm(X)
    assert m.equiangularity(X) == pytest.approx(np.std([0.0, -1.0, 0.0]), rel=1e-15)
    # |cos + 1/2| over the pairs: 1/2, 1/2, 1/2
    assert m.etf_angle_deviation(X) == pytest.approx(0.5, rel=1e-15)
    F = g.orthogonal_frame(5, 5)  # equiangular at 90 degrees: std 0, deviation from the ETF 1/(K-1)
    assert m.equiangularity(F) <= EXACT_TOL and m.etf_angle_deviation(F) == pytest.approx(0.25, rel=1e-14)
    with pytest.raises(ValueError, match="^X: every vector is zero"):
        m.equinorm(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"^W: vectors \[1\] are zero"):
        m.equiangularity(np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), name="W")
    with pytest.raises(ValueError, match="^X: needs at least two vectors"):
        m.etf_angle_deviation(np.ones((1, 3)))
    with pytest.raises(ValueError, match="^axis:"):
        m.equinorm(X, "diag")


def test_nc4_per_class_by_hand():
    H = np.array([[-2.0, 0.0, 1.0, 3.0]])
    labels = [0, 0, 1, 1]
    W = np.array([[-1.0], [1.0]])
    # with b = (0, -4): decisions 0, 0, 0, 1 against nearest centres 0, 0, 1, 1: class 0 all, class 1 half
    assert np.array_equal(m.nc4_per_class(H, labels, W, b=[0.0, -4.0]), [1.0, 0.5])
    with pytest.raises(ValueError, match="^labels: required"):
        m.nc4_per_class(H, None, W, means=[[-1.0, 2.0]])


def test_relative_spread_matches_minority_collapse():
    rng = np.random.default_rng(4)
    W, M = rng.standard_normal((5, 3)), rng.standard_normal((3, 5))
    mc = m.minority_collapse(W, M, [1, 3, 4])
    assert m.relative_spread(W, [1, 3, 4]) == (mc.w_max_dist, mc.w_scale, mc.w_rel)
    assert m.relative_spread(M, [1, 3, 4], "cols") == (mc.h_max_dist, mc.h_scale, mc.h_rel)
    with pytest.raises(ValueError, match="^cluster:"):
        m.relative_spread(W, [2])


# ----------------------------------------------------------------------------- empty classes
@given(st.integers(2, 12), st.lists(st.integers(0, 11), max_size=40))
def test_empty_classes_are_the_classes_no_label_names(K, raw):
    from nctheory.metrics.validation import empty_classes

    labels = np.asarray([y % K for y in raw], dtype=np.int64)
    expected = [k for k in range(K) if k not in set(labels.tolist())]  # by definition, not by counting
    out = empty_classes(labels, K)
    assert out.tolist() == expected
    assert out.dtype.kind == "i"


def test_empty_classes_small_exact_cases():
    from nctheory.metrics.validation import empty_classes

    assert empty_classes(np.array([0, 2, 2], dtype=np.int64), 4).tolist() == [1, 3]
    assert empty_classes(np.array([1, 0], dtype=np.int64), 2).tolist() == []
    assert empty_classes(np.array([], dtype=np.int64), 3).tolist() == [0, 1, 2]
