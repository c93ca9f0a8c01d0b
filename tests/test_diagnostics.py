"""All-around NC diagnostics and pull/push gradient decompositions (nctheory.diagnostics).

Known values come from closed forms: an ETF has relative pairwise spread sqrt(2K/(K-1)) and zero
self-duality angles; a constructed sample set has NC1 = delta^2 (K-1)/K exactly; gradients are
checked against central finite differences of the losses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory import Problem
from nctheory.diagnostics import (
    all_around,
    classifier_gradient_pull_push,
    diagnose,
    feature_gradient_pull_push,
    feature_loss,
    from_solution,
    load_arrays,
    mean_ce_loss,
)
from nctheory.geometry import random_rotation, simplex_etf


def _etf_pair(K, scale_w=1.0, scale_h=2.0, rng=None):
    W = simplex_etf(K, K, scale=scale_w, rng=rng)
    return W, (scale_h / scale_w) * W.T


def _fd_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# --------------------------------------------------------------------------- all_around
@settings(max_examples=15)
@given(K=st.integers(2, 7), seed=st.integers(0, 10_000), sw=st.floats(0.1, 10), sh=st.floats(0.1, 10))
def test_etf_is_self_dual_and_spread_like_an_etf(K, seed, sw, sh):
    W, M = _etf_pair(K, sw, sh, rng=seed)
    r = all_around(W, M)
    # arccos near 1 loses half the digits: 1e-7 rad is sqrt(machine eps) with margin (in degrees by default)
    assert r.angle_unit == "deg" and r.center == "global"
    assert all(a is not None and a < math.degrees(1e-7) for a in r.self_duality_angle)
    (c,) = r.clusters
    etf_spread = math.sqrt(2 * K / (K - 1))  # |w_j - w_k| / |w| for a simplex ETF
    assert c.classifier_squeeze == pytest.approx(etf_spread, rel=1e-12)  # float64 rounding only
    assert c.mean_squeeze == pytest.approx(etf_spread, rel=1e-12)
    assert c.mean_spread == pytest.approx(etf_spread * sh, rel=1e-12)
    assert r.nc1 is None and "no samples" in r.nc1_note


@settings(max_examples=15)
@given(K=st.integers(2, 6), delta=st.floats(0.01, 2.0), seed=st.integers(0, 10_000))
def test_nc1_matches_closed_form(K, delta, seed):
    # means = unit ETF (Sigma_B = S/(K-1), pinv (K-1) S); two samples per class at m_k +- delta u with u a unit
    # vector in 1-perp: Sigma_W = delta^2 u u^T, so NC1 = tr(Sigma_W Sigma_B^+)/K = delta^2 (K-1)/K.
    rng = np.random.default_rng(seed)
    M = simplex_etf(K, K).T  # d x K, columns sum to zero
    u = rng.standard_normal(K)
    u -= u.mean()
    u /= np.linalg.norm(u)
    H = np.concatenate([M + delta * u[:, None], M - delta * u[:, None]], axis=1)
    labels = np.concatenate([np.arange(K), np.arange(K)])
    Q = random_rotation(K, seed)
    r = all_around(np.eye(K) @ Q, None, H=Q.T @ H, labels=labels)
    assert r.nc1 == pytest.approx(delta**2 * (K - 1) / K, rel=1e-9)  # eigendecomposition rounding


def test_zero_vectors_are_undefined_not_nan():
    K = 4
    W, M = _etf_pair(K)
    W[3] = 0.0
    M[:, 2] = 0.0
    r = all_around(W, M, clusters=[[0, 1], [2, 3]], center="none")  # raw means: a zero mean stays zero
    assert r.self_duality_angle[2] is None and r.self_duality_angle[3] is None
    assert r.self_duality_angle[0] is not None
    assert r.clusters[1].undefined_angles == (2, 3)
    assert r.clusters[1].self_duality_angle is None
    d = r.to_dict()
    flat = [x for x in d["self_duality_angle"] + d["self_duality_cosine"] if x is not None]
    assert all(np.isfinite(flat))
    assert "undef" in r.summary()


def test_collapsed_cluster_has_zero_squeeze_and_rotation_invariance():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 6))
    W[3] = W[4]  # minority classifiers collapsed
    M = rng.standard_normal((6, 5))
    M[:, 3] = M[:, 4] = 0.0  # minority means collapsed to zero
    r = all_around(W, M, clusters=[0, 0, 0, 1, 1])
    assert r.clusters[1].classifier_squeeze == 0.0
    assert r.clusters[1].mean_squeeze == 0.0  # all-zero cluster: exactly collapsed, not undefined
    Q = random_rotation(6, 7)
    r2 = all_around(W @ Q, Q.T @ M, clusters=[0, 0, 0, 1, 1])
    # distances and angles are rotation invariant up to rounding
    assert r2.clusters[0].mean_squeeze == pytest.approx(r.clusters[0].mean_squeeze, rel=1e-12)
    assert r2.self_duality_angle[0] == pytest.approx(r.self_duality_angle[0], rel=1e-10)


def test_default_clusters_group_equal_counts():
    K, d = 4, 4
    W, M = _etf_pair(K)
    labels = np.repeat(np.arange(K), [5, 5, 2, 2])
    H = M[:, labels]
    r = all_around(W, None, H=H, labels=labels)
    assert [c.classes for c in r.clusters] == [(0, 1), (2, 3)]
    assert r.nc1 == 0.0  # no within-class spread at all


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"clusters": [[0, 9]]}, "clusters"),
        ({"clusters": [0, 1]}, "clusters"),
        ({"clusters": [[0], 1]}, "clusters"),
        ({"H": np.zeros((3, 4))}, "labels"),
        ({"labels": np.arange(3)}, "H"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    W, M = _etf_pair(3)
    with pytest.raises(ValueError, match=f"^{field}:"):
        all_around(W, M, **kwargs)


def test_missing_means_and_mismatched_means():
    W, M = _etf_pair(3)
    with pytest.raises(ValueError, match="^H_mean:"):
        all_around(W, None)
    labels = np.arange(3)
    with pytest.raises(ValueError, match="^H_mean:"):
        all_around(W, M + 1.0, H=M, labels=labels)
    with pytest.raises(ValueError, match="^H:"):
        all_around(W, None, H=np.zeros((2, 3)), labels=np.arange(3))


def test_load_npz_and_mapping(tmp_path):
    K = 3
    W, M = _etf_pair(K)
    labels = np.array([0, 0, 1, 2, 2])
    H = M[:, labels] + 0.01 * np.random.default_rng(0).standard_normal((K, labels.size))
    path = tmp_path / "feat.npz"
    np.savez(path, W=W, H=H, labels=labels)
    a = load_arrays(path)
    assert a["H_mean"] is None and a["labels"].dtype == np.int64
    r_file = diagnose(str(path))
    r_arr = all_around(W, None, H=H, labels=labels)
    assert r_file.to_dict() == r_arr.to_dict()
    r_means = diagnose({"W": W, "H_mean": M})
    assert r_means.nc1 is None
    for bad, field in [({"H_mean": M}, "W"), ({"W": W}, "H_mean"), ({"W": W, "H": H}, "labels"),
                       ({"W": W, "H_mean": M, "extra": 1}, "source")]:
        with pytest.raises(ValueError, match=f"^{field}:"):
            load_arrays(bad)
    with pytest.raises(ValueError, match="^source:"):
        load_arrays(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="^source:"):
        load_arrays(42)


def test_from_solution_uses_problem_clusters():
    from nctheory.solvers import solve

    p = Problem(sizes=(30, 30, 2, 2), lambda_w=0.03, lambda_h=0.03)  # lambda N = 1.92 >= sqrt(2): minority collapse
    sol = solve(p, method="certified", tol=1e-12)
    r = from_solution(sol, p)
    assert [c.classes for c in r.clusters] == [(0, 1), (2, 3)]
    # collapsed minority: both squeezes vanish to position precision, ~sqrt(gap) in flat directions (measured: 1.0e-8
    # and 1.3e-8 at gap 4.5e-15; 2.8e-6 and 4.2e-6 at the default tol 1e-10, gap 2.6e-12)
    assert r.clusters[1].classifier_squeeze < 1e-6 and r.clusters[1].mean_squeeze < 1e-6
    assert r.clusters[0].classifier_squeeze > 0.1


# --------------------------------------------------------------------------- pull / push
@settings(max_examples=20)
@given(K=st.integers(2, 6), extra=st.integers(0, 3), seed=st.integers(0, 10_000), loss=st.sampled_from(["ce", "dr"]))
def test_feature_gradient_matches_finite_differences(K, extra, seed, loss):
    rng = np.random.default_rng(seed)
    d = K + extra
    W = rng.standard_normal((K, d))
    h = rng.standard_normal(d)
    c = int(rng.integers(K))
    e_h = float(rng.uniform(0.5, 3.0))
    pp = feature_gradient_pull_push(W, h, c, loss=loss, e_h=e_h)
    fd = _fd_grad(lambda x: feature_loss(W, x, c, loss=loss, e_h=e_h), h)
    # central differences, step 1e-6: truncation ~1e-12 x third derivative, rounding ~1e-10 / 1e-6
    assert np.allclose(pp.gradient, fd, atol=1e-7, rtol=1e-6)
    # pull is along the own classifier and points toward it
    coef = pp.pull @ W[c] / (W[c] @ W[c])
    assert np.allclose(pp.pull, coef * W[c], atol=1e-12)
    if loss == "dr":
        assert np.all(pp.push == 0.0)
    else:
        p = np.exp(W @ h - np.max(W @ h))
        p /= p.sum()
        assert coef == pytest.approx(-(1 - p[c]), rel=1e-12)
        assert np.allclose(pp.push, sum(p[j] * W[j] for j in range(K) if j != c), atol=1e-12)


@settings(max_examples=15)
@given(K=st.integers(2, 6), seed=st.integers(0, 10_000), e_w=st.floats(0.2, 5), e_h=st.floats(0.2, 5))
def test_dr_gradient_on_the_sphere_is_pure_pull(K, seed, e_w, e_h):
    # catalogue §5 ETF-DR: at ||h|| = sqrt(E_H) the gradient is -(1 - cos(h, w*_c)) w*_c
    rng = np.random.default_rng(seed)
    W = simplex_etf(K, K, scale=math.sqrt(e_w))
    h = rng.standard_normal(K)
    h *= math.sqrt(e_h) / np.linalg.norm(h)
    c = int(rng.integers(K))
    cos = h @ W[c] / (np.linalg.norm(h) * np.linalg.norm(W[c]))
    pp = feature_gradient_pull_push(W, h, c, loss="dr", e_h=e_h)
    assert np.allclose(pp.gradient, -(1 - cos) * W[c], atol=1e-12)


@settings(max_examples=10)
@given(K=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_classifier_gradient_matches_finite_differences(K, seed):
    rng = np.random.default_rng(seed)
    d = K + 1
    sizes = rng.integers(1, 6, size=K)
    labels = np.repeat(np.arange(K), sizes)
    W = rng.standard_normal((K, d))
    H = rng.standard_normal((d, labels.size))
    k = int(rng.integers(K))

    def f(row):
        W2 = W.copy()
        W2[k] = row
        return mean_ce_loss(W2, H, labels)

    pp = classifier_gradient_pull_push(W, H, labels, k)
    assert np.allclose(pp.gradient, _fd_grad(f, W[k].copy()), atol=1e-7, rtol=1e-6)  # central FD, as above
    # pull comes from own-class features only: it vanishes when the class's own features are zero
    H0 = H.copy()
    H0[:, labels == k] = 0.0
    assert np.allclose(classifier_gradient_pull_push(W, H0, labels, k).pull, 0.0)


def test_minority_classifier_is_pushed_more_than_pulled():
    # the gradient argument (catalogue §5): at an ETF with features on their classifiers, the push on a
    # minority w_k (sum over majority samples) dominates its pull (few own samples)
    K = 4
    W = simplex_etf(K, K)
    sizes = [50, 50, 50, 1]
    labels = np.repeat(np.arange(K), sizes)
    H = 2.0 * W.T[:, labels]
    pp = classifier_gradient_pull_push(W, H, labels, 3)
    assert np.linalg.norm(pp.push) > 10 * np.linalg.norm(pp.pull)


def test_gradient_bad_input():
    W = simplex_etf(3, 3)
    with pytest.raises(ValueError, match="^label:"):
        feature_gradient_pull_push(W, np.ones(3), 3)
    with pytest.raises(ValueError, match="^e_h:"):
        feature_gradient_pull_push(W, np.ones(3), 0, loss="dr")
    with pytest.raises(ValueError, match="^loss:"):
        feature_loss(W, np.ones(3), 0, loss="mse")
    with pytest.raises(ValueError, match="^h:"):
        feature_loss(W, np.ones(2), 0)


# --------------------------------------------------------------------------- centring and units
def test_all_around_centres_the_means_by_default():
    # a self-dual ETF whose means carry a common offset t (a network's last hidden layer after ReLU):
    # centred by the global mean the pair is self-dual again; raw, the angles are large
    K = 4
    W, M = _etf_pair(K, rng=3)
    t = np.full((K, 1), 2.0)
    labels = np.repeat(np.arange(K), 3)
    H = (M + t)[:, labels]
    r = all_around(W, None, H=H, labels=labels)
    assert r.center == "global" and all(a < math.degrees(1e-7) for a in r.self_duality_angle)
    raw = all_around(W, None, H=H, labels=labels, center="none")
    assert raw.center == "none" and min(raw.self_duality_angle) > 30.0
    # h_norms follow the centring: ||hbar_k - h_G|| = ||m_k|| (balanced ETF means sum to zero)
    assert np.allclose(r.h_norms, np.linalg.norm(M, axis=0), rtol=1e-12, atol=0)
    assert np.allclose(raw.h_norms, np.linalg.norm(M + t, axis=0), rtol=1e-12, atol=0)
    rad = all_around(W, None, H=H, labels=labels, center="none", angle_unit="rad")
    assert rad.angle_unit == "rad" and rad.self_duality_angle[0] == pytest.approx(
        math.radians(raw.self_duality_angle[0]), rel=1e-12)
    assert "max angle (deg)" in r.summary() and "max angle (rad)" in rad.summary()
    assert r.to_dict()["center"] == "global" and rad.to_dict()["angle_unit"] == "rad"


def test_counts_weight_the_global_mean_without_samples():
    W, M = _etf_pair(3)
    # counts (2, 1, 1): h_G = (2 m_0 + m_1 + m_2)/4 = m_0/4 (ETF means sum to zero)
    r = all_around(W, M, counts=[2, 1, 1])
    assert np.allclose(r.h_norms, np.linalg.norm(M - M[:, [0]] / 4, axis=0), rtol=1e-12, atol=0)
    assert [c.classes for c in r.clusters] == [(0,), (1, 2)]
    with pytest.raises(ValueError, match="^counts:"):
        all_around(W, M, counts=[2, 1])
    with pytest.raises(ValueError, match="^counts:"):
        all_around(W, None, H=M, labels=np.arange(3), counts=[2, 1, 1])  # they differ from the labels'
    with pytest.raises(ValueError, match="^center:"):
        all_around(W, M, center="median")
    with pytest.raises(ValueError, match="^unit:"):
        all_around(W, M, angle_unit="grad")


def test_from_solution_center_none_is_the_ufm_convention():
    from nctheory.solvers import solve

    p = Problem(sizes=(30, 30, 10, 10), lambda_w=0.03, lambda_h=0.03)  # separated minority
    sol = solve(p, method="certified")
    raw = from_solution(sol, p, center="none")
    # raw means: the angles are those of the solution's own W and H_mean
    cos = [float(sol.W[k] @ sol.H_mean[:, k] / (np.linalg.norm(sol.W[k]) * np.linalg.norm(sol.H_mean[:, k])))
           for k in range(4)]
    assert np.allclose(raw.self_duality_cosine, cos, rtol=0, atol=1e-12)
    # centred at the count-weighted mean of the class means (the sample mean of a reduced solution)
    hG = sol.H_mean @ (np.asarray(p.sizes) / p.N)
    Mc = sol.H_mean - hG[:, None]
    cen = from_solution(sol, p)
    cos_c = [float(sol.W[k] @ Mc[:, k] / (np.linalg.norm(sol.W[k]) * np.linalg.norm(Mc[:, k]))) for k in range(4)]
    assert np.allclose(cen.self_duality_cosine, cos_c, rtol=0, atol=1e-12)
    assert max(abs(a - b) for a, b in zip(cos, cos_c)) > 1e-3  # imbalance: the UFM's means are not centred
