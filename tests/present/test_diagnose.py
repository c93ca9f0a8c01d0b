"""``nctheory.diagnose`` and ``nctheory diagnose FILE``: a network's own arrays against NC theory.

Every number is checked against an independent implementation of its published formula written here (loops
over classes and samples, explicit covariance matrices, ``numpy.linalg.pinv`` and a top-(K-1) SVD instead of the
library's truncated eigendecomposition), on arrays saved the way a training loop saves them: float32 features,
int64 labels in data-loader order, an ``.npz`` with extra keys.  Exact geometries (an ETF, SELI, an orthogonal
frame, an exact minority collapse) give their known values; bad files give one-line errors naming the field.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import nctheory
from nctheory.geometry import orthogonal_frame, sel_matrix, simplex_etf
from nctheory.present.diagnose import diagnose, load_user_arrays, parse_cluster_spec

COUNTS = (60, 60, 60, 12, 12, 12)
K = len(COUNTS)
D_FEAT = 10

#: Two float64 evaluations of one formula by different routes (sums in another order, pinv or SVD instead of
#: an eigendecomposition of the centred means) differ by ~cond * eps; cond(Sigma_B on its range) is below 1e3
#: for these means, so 1e-10 relative has a margin of ~1e3 and still catches any wrong constant or weight.
REL = 1e-10
#: Cosines, angles' cosines and normalised distances are O(1) numbers computed to ~1e-15.
ABS = 1e-12
#: On exact geometry every metric is 0 in exact arithmetic; class means of identical float copies are off by a
#: few ulps, which NC-type ratios square or normalise: 1e-12 leaves margin and catches any real deviation.
EXACT = 1e-12


@pytest.fixture
def main_run(capsys):
    """The command line in-process: ``main_run(*argv) -> (exit code, stdout, stderr)``."""
    from nctheory.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# =========================================================================== arrays like a training loop's
def _network(seed: int = 3):
    """Features of a half-trained network: ETF-like means plus a positive offset (post-ReLU) and noise,
    samples shuffled; a classifier close to the centred means; a bias."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(K), COUNTS))
    means = 3.0 * simplex_etf(K, D_FEAT, rng=seed) + 0.7 * rng.standard_normal((K, D_FEAT)) + 2.0
    F = np.maximum(means[y] + 0.8 * rng.standard_normal((y.size, D_FEAT)), 0.0)
    W = (means - means.mean(0)) + 0.3 * rng.standard_normal((K, D_FEAT))
    b = 0.2 * rng.standard_normal(K)
    return F.astype(np.float32), y.astype(np.int64), W.astype(np.float32), b.astype(np.float32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The network saved as a training loop would: an .npz with extra keys, a folder of .npy files."""
    F, y, W, b = _network()
    root = tmp_path_factory.mktemp("net")
    npz = root / "epoch_200.npz"
    np.savez(npz, features=F, labels=y, classifier=W, bias=b, epoch=np.int64(200), lr=np.float64(0.1),
             run=np.array("resnet18-cifar-lt"), train_acc=np.array([0.5, 0.9, 0.99]))
    folder = root / "npy"
    folder.mkdir()
    for name, a in (("features", F), ("labels", y), ("classifier", W), ("bias", b), ("notes", np.arange(3))):
        np.save(folder / f"{name}.npy", a)
    # what the metrics see: the float32 values, in float64
    arrays = {"F": F.astype(np.float64), "y": y, "W": W.astype(np.float64), "b": b.astype(np.float64)}
    return {"npz": npz, "folder": folder, **arrays}


@pytest.fixture(scope="module")
def diag(saved):
    return diagnose(str(saved["npz"]))


# =========================================================================== independent formulas
def _stats(F, y, K):
    """Class means, sample global mean, Sigma_W (averaged over samples) and Sigma_B (over classes)."""
    N, d = F.shape
    mu = np.zeros((K, d))
    for k in range(K):
        rows = [F[i] for i in range(N) if y[i] == k]
        mu[k] = sum(rows) / len(rows)
    mu_G = F.sum(axis=0) / N
    Sw = np.zeros((d, d))
    for i in range(N):
        e = F[i] - mu[y[i]]
        Sw += np.outer(e, e)
    Sw /= N
    Sb = sum(np.outer(mu[k] - mu_G, mu[k] - mu_G) for k in range(K)) / K
    return mu, mu_G, Sw, Sb


def _cos(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def _simplex_ideal(K):
    """rhubarbwu's and Papyan's normalised target (I - 11^T/K)/sqrt(K-1)."""
    return (np.eye(K) - np.ones((K, K)) / K) / math.sqrt(K - 1)


def _unit(A):
    return A / np.linalg.norm(A)


def test_nc1_family_against_the_published_formulas(saved, diag):
    F, y = saved["F"], saved["y"]
    mu, mu_G, Sw, Sb = _stats(F, y, K)
    # Papyan et al. with the Moore-Penrose pseudo-inverse (rhubarbwu "pinv"; torch's default cutoff d*eps)
    nc1_pinv = np.trace(Sw @ np.linalg.pinv(Sb, rcond=D_FEAT * np.finfo(float).eps, hermitian=True)) / K
    # Han et al.'s top-(K-1) SVD of Sigma_B (rhubarbwu "svd")
    U, s, _ = np.linalg.svd(Sb)
    inv_top = U[:, : K - 1] @ np.diag(1.0 / s[: K - 1]) @ U[:, : K - 1].T
    nc1_svd = np.trace(Sw @ inv_top) / K
    assert diag["nc1"]["nc1"] == pytest.approx(nc1_pinv, rel=REL)
    assert diag["nc1"]["nc1"] == pytest.approx(nc1_svd, rel=REL)
    # Tirer, Huang & Niles-Weed: trace quotient
    assert diag["nc1"]["quotient"] == pytest.approx(np.trace(Sw) / np.trace(Sb), rel=REL)
    # Galanti, Gyorgy & Hutter: CDNV averaged over pairs, Var_k = E||h - mu_k||^2
    var = [np.mean([np.sum((F[i] - mu[k]) ** 2) for i in range(len(y)) if y[i] == k]) for k in range(K)]
    pairs = [(var[i] + var[j]) / (2 * np.sum((mu[i] - mu[j]) ** 2)) for i in range(K) for j in range(i + 1, K)]
    assert diag["nc1"]["cdnv"] == pytest.approx(np.mean(pairs), rel=REL)
    # per class: tr(Sigma_k Sigma_B^+)/K, whose count-weighted average is NC1
    pinv = np.linalg.pinv(Sb, rcond=1e-10, hermitian=True)
    for k in range(K):
        E = F[y == k] - mu[k]
        Sk = E.T @ E / len(E)
        assert diag["per_class"]["nc1"][k] == pytest.approx(np.trace(Sk @ pinv) / K, rel=REL)
    n = np.asarray(COUNTS, float)
    assert np.dot(n / n.sum(), diag["per_class"]["nc1"]) == pytest.approx(nc1_pinv, rel=REL)


def test_nc2_nc3_as_rhubarbwu_and_wu_papyan_define_them(saved, diag):
    F, y, W = saved["F"], saved["y"], saved["W"]
    mu, mu_G, _, _ = _stats(F, y, K)
    Mc = mu - mu_G  # rows: class means minus the sample global mean (Papyan; nc-toolbox's mu_g = H.mean(0))
    # rhubarbwu simplex_etf_error: || G/||G|| - (I - J/K)/sqrt(K-1) || with G = Mc Mc^T
    assert diag["grams"]["HH"]["etf"] == pytest.approx(np.linalg.norm(_unit(Mc @ Mc.T) - _simplex_ideal(K)), abs=ABS)
    assert diag["grams"]["WW"]["etf"] == pytest.approx(np.linalg.norm(_unit(W @ W.T) - _simplex_ideal(K)), abs=ABS)
    # rhubarbwu self_duality_error: the same with W Mc^T
    assert diag["grams"]["WH"]["etf"] == pytest.approx(np.linalg.norm(_unit(W @ Mc.T) - _simplex_ideal(K)), abs=ABS)
    # Papyan / nc-toolbox nc3_self_duality: || W/||W|| - Mc/||Mc|| ||
    assert diag["nc3"]["self_duality"] == pytest.approx(np.linalg.norm(_unit(W) - _unit(Mc)), abs=ABS)
    # orthogonal frame target: || G/||G|| - I/sqrt(K) ||
    assert diag["grams"]["HH"]["orthogonal"] == pytest.approx(
        np.linalg.norm(_unit(Mc @ Mc.T) - np.eye(K) / math.sqrt(K)), abs=ABS)
    # equinorm (CoV of norms), equiangularity (std of cosines), Papyan's mean |cos + 1/(K-1)|
    for V, key in ((Mc, "means"), (W, "classifier")):
        norms = [np.linalg.norm(v) for v in V]
        cos = [_cos(V[i], V[j]) for i in range(K) for j in range(i + 1, K)]
        got = diag["nc2"][key]
        assert got["equinorm"] == pytest.approx(np.std(norms) / np.mean(norms), rel=REL)
        assert got["equiangularity"] == pytest.approx(np.std(cos), rel=REL)
        assert got["etf_angle_deviation"] == pytest.approx(np.mean([abs(c + 1 / (K - 1)) for c in cos]), rel=REL)
    # per-class angles in degrees
    for k in range(K):
        ref = math.degrees(math.acos(_cos(W[k], Mc[k])))
        assert diag["per_class"]["self_duality_angle"][k] == pytest.approx(ref, abs=1e-9)  # acos: ~1e-13 rad
    assert diag["nc3"]["max_angle"] == pytest.approx(max(diag["per_class"]["self_duality_angle"]), abs=0)


def test_rhubarbwu_unweighted_centre_is_center_class(saved):
    # rhubarbwu's MeanAccumulator.compute() (weighted=False) centres by the mean of the class means
    F, y, W = saved["F"], saved["y"], saved["W"]
    mu, _, _, _ = _stats(F, y, K)
    Mc = mu - mu.mean(axis=0)
    d = diagnose(str(saved["npz"]), center="class")
    assert d["options"]["center"] == "class"
    assert d["grams"]["HH"]["etf"] == pytest.approx(np.linalg.norm(_unit(Mc @ Mc.T) - _simplex_ideal(K)), abs=ABS)
    assert d["grams"]["WH"]["etf"] == pytest.approx(np.linalg.norm(_unit(W @ Mc.T) - _simplex_ideal(K)), abs=ABS)
    # raw means (the old default, the UFM convention) differ: the post-ReLU offset dominates them
    raw = diagnose(str(saved["npz"]), center="none")
    assert raw["grams"]["HH"]["etf"] == pytest.approx(np.linalg.norm(_unit(mu @ mu.T) - _simplex_ideal(K)), abs=ABS)
    assert raw["grams"]["HH"]["etf"] > d["grams"]["HH"]["etf"] + 0.3


def test_nc4_minority_collapse_and_nearest_classes(saved, diag):
    F, y, W, b = saved["F"], saved["y"], saved["W"], saved["b"]
    mu, mu_G, _, _ = _stats(F, y, K)
    # nc-toolbox nc4_classifier_agreement: argmax(h W^T + b) against the nearest class mean, sample by sample
    lin = [int(np.argmax(W @ h + b)) for h in F]
    ncc = [int(np.argmin([np.linalg.norm(mu[k] - h) for k in range(K)])) for h in F]
    agree = [a == c for a, c in zip(lin, ncc)]
    assert diag["nc4"]["agreement"] == pytest.approx(np.mean(agree), abs=0)
    for k in range(K):
        assert diag["per_class"]["nc4"][k] == pytest.approx(np.mean([a for a, c in zip(agree, y) if c == k]), abs=0)
    no_bias = diagnose(str(saved["npz"]), use_bias=False)
    lin0 = [int(np.argmax(W @ h)) for h in F]
    assert no_bias["nc4"]["agreement"] == pytest.approx(np.mean([a == c for a, c in zip(lin0, ncc)]), abs=0)
    assert no_bias["nc4"]["bias_used"] is False and diag["nc4"]["bias_used"] is True
    # clusters by equal counts (largest first); squeeze = max pairwise distance / mean norm
    Mc = mu - mu_G
    assert [c["classes"] for c in diag["clusters"]] == [[0, 1, 2], [3, 4, 5]]
    for c in diag["clusters"]:
        for V, key in ((W, "w_squeeze"), (Mc, "h_squeeze")):
            idx = c["classes"]
            dmax = max(np.linalg.norm(V[i] - V[j]) for i in idx for j in idx)
            assert c[key] == pytest.approx(dmax / np.mean([np.linalg.norm(V[i]) for i in idx]), rel=REL)
    for V, key in ((W, "w"), (Mc, "h")):
        for k in range(K):
            cos = {j: _cos(V[k], V[j]) for j in range(K) if j != k}
            j = max(cos, key=cos.get)
            assert diag["per_class"][f"{key}_nearest"][k] == j
            assert diag["per_class"][f"{key}_nearest_cos"][k] == pytest.approx(cos[j], abs=ABS)


# =========================================================================== saved forms
def test_npz_folder_npy_list_and_arrays_give_the_same_numbers(saved, diag):
    assert diag["dtypes"]["features"] == "float32" and diag["dtypes"]["labels"] == "int64"
    assert set(diag["ignored_keys"]) == {"epoch", "lr", "run", "train_acc"}
    assert any("float32" in n for n in diag["notes"])
    folder = diagnose(str(saved["folder"]))
    files = diagnose([str(saved["folder"] / f"{n}.npy") for n in ("labels", "features", "classifier", "bias")])
    arrays = nctheory.diagnose(saved["F"], saved["y"], saved["W"], saved["b"])
    mapping = diagnose({"features": saved["F"], "labels": saved["y"], "classifier": saved["W"], "bias": saved["b"],
                        "step": 7})
    strip = ("source", "dtypes", "ignored_keys", "notes")
    ref = {k: v for k, v in diag.to_json().items() if k not in strip}
    for other in (folder, files, arrays, mapping):
        assert {k: v for k, v in other.to_json().items() if k not in strip} == ref
    assert folder["ignored_keys"] == ["notes"] and mapping["ignored_keys"] == ["step"]


def test_keys_rename_arrays(tmp_path, saved):
    path = tmp_path / "renamed.npz"
    np.savez(path, feats=saved["F"], y=saved["y"], fc_weight=saved["W"])
    a = load_user_arrays(path, keys={"features": "feats", "labels": "y", "classifier": "fc_weight"})
    assert a.K == K and a.N == sum(COUNTS) and a.bias is None and a.ignored == ()
    with pytest.raises(ValueError, match=r"^features: missing .*keys present: fc_weight, feats, y"):
        load_user_arrays(path)
    with pytest.raises(ValueError, match="^keys: unknown array name"):
        load_user_arrays(path, keys={"feature": "feats"})


def test_json_is_strict_and_complete(diag):
    from nctheory.present.serialize import dumps

    data = json.loads(dumps(diag.to_json()))
    assert {"source", "N", "d", "K", "counts", "nc1", "nc2", "nc3", "nc4", "grams", "per_class", "clusters",
            "claim", "notes", "options"} <= set(data)
    assert data["options"] == {"center": "global", "weighting": "sample", "angle_unit": "deg", "bias_in_nc4": True}
    assert all(len(v) == K for v in data["per_class"].values() if isinstance(v, list))


# =========================================================================== exact geometries
def _repeat(means_rows, counts, rng=None):
    y = np.repeat(np.arange(len(counts)), counts)
    if rng is not None:
        y = np.random.default_rng(rng).permutation(y)
    return means_rows[y].copy(), y


def test_perfect_etf_gives_zero_everywhere_and_centring_matters():
    k, n, d = 5, 7, 8
    E = 2.0 * simplex_etf(k, d, rng=1)
    t = 1.5 * np.ones(d)  # a common offset (bias of the last hidden layer, ReLU): NC is about centred means
    F, y = _repeat(E + t, [n] * k, rng=2)
    W, b = 0.7 * E, -0.7 * E @ t  # the network's bias cancels the offset in the logits
    r = diagnose(F, y, W, b)
    assert 0.0 <= r["nc1"]["nc1"] <= EXACT and 0.0 <= r["nc1"]["quotient"] <= EXACT and r["nc1"]["cdnv"] <= EXACT
    for g in ("WW", "HH", "WH"):
        assert r["grams"][g]["etf"] <= EXACT
        assert r["grams"][g]["seli"] <= EXACT  # balanced SELI is the ETF
    for key in ("means", "classifier"):
        assert all(v <= EXACT for v in r["nc2"][key].values())
    assert r["nc3"]["self_duality"] <= EXACT
    assert r["nc3"]["max_angle"] <= math.degrees(1e-7)  # arccos near 1: sqrt(2 eps) ~ 2e-8 rad
    assert r["nc4"]["agreement"] == 1.0
    (c,) = r["clusters"]
    assert c["w_squeeze"] == pytest.approx(math.sqrt(2 * k / (k - 1)), rel=1e-12)
    assert c["h_squeeze"] == pytest.approx(math.sqrt(2 * k / (k - 1)), rel=1e-12)
    raw = diagnose(F, y, W, b, center="none")  # the offset is not removed: no longer an ETF, not self-dual
    assert raw["grams"]["HH"]["etf"] > 0.5 and raw["nc3"]["self_duality"] > 0.5 and raw["nc3"]["max_angle"] > 30
    rad = diagnose(F, y, W, b, center="none", angle_unit="rad")
    assert rad["nc3"]["max_angle"] == pytest.approx(math.radians(raw["nc3"]["max_angle"]), rel=1e-12)


@pytest.mark.parametrize("center", ["none", "global", "class"])
def test_seli_geometry_is_at_distance_zero_from_seli_however_centred(center):
    # the UF-SVM solution at imbalanced sizes, realised from the SVD of S Y (catalogue §6): W = U sqrt(s),
    # features H = sqrt(s) V^T.  The SELI targets are centred like the observed means, so like meets like.
    sizes = [9, 9, 9, 2, 2]
    U, s, Vt = np.linalg.svd(sel_matrix(sizes), full_matrices=False)
    W = U * np.sqrt(s)
    F = (np.sqrt(s)[:, None] * Vt).T
    y = np.repeat(np.arange(len(sizes)), sizes)
    perm = np.random.default_rng(0).permutation(y.size)
    r = diagnose(F[perm], y[perm], W, center=center)
    for g in ("WW", "HH", "WH"):
        assert r["grams"][g]["seli"] <= 1e-10  # SVD factors: ~1e-15, normalisation margin
    for g in ("WW", "HH"):
        assert r["grams"][g]["etf"] > 0.02  # imbalanced SELI is not an ETF ...
    if center == "global":  # ... but W Hbar = S is the ETF's shape; centring at the sample mean changes it to S C
        assert r["grams"]["WH"]["etf"] > 0.02
    else:  # the mean of the means is removed by S already
        assert r["grams"]["WH"]["etf"] <= 1e-10
    assert r["nc1"]["nc1"] <= EXACT  # every sample of a class is the same point (UF-SVM: NC1 holds)


def test_orthogonal_frame_and_its_centred_form():
    k, n = 4, 3
    F, y = _repeat(orthogonal_frame(k, 6), [n] * k)
    raw = diagnose(F, y, orthogonal_frame(k, 6), center="none")
    assert raw["grams"]["HH"]["orthogonal"] <= EXACT and raw["grams"]["WW"]["orthogonal"] <= EXACT
    # an orthogonal frame minus its mean is a simplex ETF
    cen = diagnose(F, y, center="global")
    assert cen["grams"]["HH"]["etf"] <= EXACT
    floor = math.sqrt(2 - 2 * math.sqrt((k - 1) / k))
    assert cen["grams"]["HH"]["orthogonal"] == pytest.approx(floor, rel=1e-10)
    assert any(f"{floor:.4g}" in note for note in cen["notes"])
    assert cen["nc3"] is None and cen["nc4"] is None and cen["per_class"]["w_norm"] is None


def test_exact_minority_collapse():
    rng = np.random.default_rng(5)
    d = 7
    M = rng.standard_normal((5, d))
    M[4] = M[3]  # minority means coincide
    W = rng.standard_normal((5, d))
    W[4] = W[3]  # minority classifiers coincide
    F, y = _repeat(M, [20, 20, 20, 3, 3])
    F = F + 0.01 * rng.standard_normal(F.shape) * (y[:, None] < 3)  # spread in the majority only
    r = diagnose(F, y, W)
    minority = r["clusters"][1]
    assert minority["classes"] == [3, 4] and minority["w_squeeze"] == 0.0 and minority["w_spread"] == 0.0
    assert minority["h_squeeze"] <= EXACT  # means of identical copies: a few ulps
    assert r["per_class"]["w_nearest"][3] == 4 and r["per_class"]["w_nearest_cos"][3] == pytest.approx(1, abs=ABS)
    assert r["per_class"]["w_nearest_rel_dist"][4] == 0.0
    assert r["clusters"][0]["w_squeeze"] > 0.1


# =========================================================================== a claim beside the arrays
def test_claim_grams_on_seli_arrays_and_comparability_by_measurement():
    sizes = [12, 12, 12, 3, 3, 3]
    U, s, Vt = np.linalg.svd(sel_matrix(sizes), full_matrices=False)
    W, F = U * np.sqrt(s), (np.sqrt(s)[:, None] * Vt).T
    y = np.repeat(np.arange(6), sizes)
    perm = np.random.default_rng(1).permutation(y.size)
    # rescale W and H independently: a network's scale is not the model's
    r = diagnose(7.0 * F[perm], y[perm], 0.2 * W, claim="seli/grams")
    rows = {q["quantity"]: q for q in r["claim"]["quantities"]}
    assert r["claim"]["applies"] and {"gram_W", "gram_H", "gram_WH"} <= set(rows)
    for name in ("gram_W", "gram_H", "gram_WH"):
        assert rows[name]["kind"] == "shape" and rows[name]["difference"] <= 1e-10
    step = diagnose(7.0 * F[perm], y[perm], 0.2 * W, claim="seli/step-formulas")
    rows = {q["quantity"]: q for q in step["claim"]["quantities"]}
    for name in ("cos_w_maj", "cos_mu_min", "w_sq_ratio", "mu_sq_ratio"):  # scale-free: compared directly
        assert rows[name]["kind"] == "scale-free" and abs(rows[name]["difference"]) <= 1e-10
    for name in ("w_sq_maj", "mu_sq_min"):  # squared norms: not compared
        assert rows[name]["kind"] == "scale-dependent" and rows[name]["difference"] is None
    text = step.text()
    assert "scale-dependent" in text and "not a certified optimum" in text


def test_claim_that_does_not_apply_and_model_without_claim(saved):
    r = diagnose(str(saved["npz"]), claim="zhu/balanced-ce")
    assert r["claim"]["applies"] is False and any(u.startswith("sizes:") for u in r["claim"]["unmet"])
    with pytest.raises(ValueError, match="^model:"):
        diagnose(str(saved["npz"]), model={"lambda_w": 0.1})
    with pytest.raises(ValueError, match="^model: sizes"):
        diagnose(str(saved["npz"]), claim="seli/grams", model={"sizes": (1, 2)})
    with pytest.raises(ValueError, match="^claim: unknown id"):
        diagnose(str(saved["npz"]), claim="nope/nothing")
    with pytest.raises(ValueError, match="^lambda_h:"):
        diagnose(str(saved["npz"]), claim="seli/grams", model={"lambda_h": -1.0})


# =========================================================================== bad files
def _bad_cases(tmp):
    F, y, W, b = _network()
    def npz(name, **arrays):
        p = tmp / f"{name}.npz"
        np.savez(p, **arrays)
        return p
    F_nan = F.copy()
    F_nan[3, 2] = np.nan
    W_inf = W.copy()
    W_inf[1, 0] = np.inf
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.ones(3), np.ones(4)
    pick = tmp / "pickled.npz"
    pick.write_bytes(pickle.dumps({"features": F, "labels": y}))
    junk = tmp / "junk.npz"
    junk.write_bytes(b"not a zip archive")
    return [
        (npz("no_features", feats=F, labels=y), "features", "missing"),
        (npz("no_labels", features=F), "labels", "missing"),
        (npz("short_labels", features=F, labels=y[:-1]), "labels", "has 215 entries"),
        (npz("transposed", features=F.T, labels=y), "features", "transposed"),
        (npz("w_dim", features=F, labels=y, classifier=W[:, :-1]), "classifier", "columns"),
        (npz("w_transposed", features=F, labels=y, classifier=W.T), "classifier", "columns"),
        (npz("bias_size", features=F, labels=y, classifier=W, bias=b[:-1]), "bias", "entries"),
        (npz("bias_alone", features=F, labels=y, bias=b), "bias", "without a classifier"),
        (npz("nan", features=F_nan, labels=y), "features", "first at row 3"),
        (npz("inf_w", features=F, labels=y, classifier=W_inf), "classifier", "non-finite"),
        (npz("range", features=F, labels=np.where(y == 5, 6, y), classifier=W), "labels", "out of range"),
        (npz("ignore_index", features=F, labels=np.where(y == 5, -100, y)), "labels", "ignore_index"),
        (npz("frac", features=F, labels=y + 0.5), "labels", "non-integer"),
        (npz("bools", features=F, labels=y > 2), "labels", "dtype bool"),
        (npz("onehot", features=F, labels=np.eye(K)[y]), "labels", "one-hot"),
        (npz("one_class", features=F, labels=np.zeros_like(y)), "labels", "at least 2 classes"),
        (npz("gap", features=F, labels=np.where(y == 2, 1, y)), "labels", r"class\(es\) \[2\]"),
        (npz("empty", features=np.zeros((0, 4), np.float32), labels=np.zeros(0, np.int64)), "features", "empty"),
        (npz("images", features=F.reshape(-1, 2, 5), labels=y), "features", "flatten"),
        (npz("strings", features=F.astype(str), labels=y), "features", "real numbers"),
        (npz("objects", features=ragged, labels=y[:2]), "features", "pickled object array"),
        (pick, "source", "pickle"),
        (junk, "source", "cannot read"),
        (tmp / "missing.npz", "source", "no such file"),
    ]


@pytest.fixture(scope="module")
def bad_cases(tmp_path_factory):
    return _bad_cases(tmp_path_factory.mktemp("bad"))


def test_bad_files_raise_value_errors_naming_the_field(bad_cases):
    for path, field, text in bad_cases:
        with pytest.raises(ValueError, match=f"^{field}: ") as exc:
            diagnose(str(path))
        assert __import__("re").search(text, str(exc.value)), (path.name, str(exc.value))
        assert "\n" not in str(exc.value)


def test_bad_python_arguments():
    F, y, W, _ = _network()
    with pytest.raises(ValueError, match="^labels: required"):
        diagnose(F)
    with pytest.raises(ValueError, match="^center:"):
        diagnose(F, y, center="median")
    with pytest.raises(ValueError, match="^weighting:"):
        diagnose(F, y, weighting="count")
    with pytest.raises(ValueError, match="^unit:"):
        diagnose(F, y, angle_unit="grad")
    with pytest.raises(ValueError, match="^num_classes: 7 but the classifier has 6 rows"):
        diagnose(F, y, W, num_classes=7)
    with pytest.raises(ValueError, match="^clusters:"):
        diagnose(F, y, clusters=[[0, 9]])
    for spec in ("", "0-a", "3-1;4"):
        with pytest.raises(ValueError, match="^clusters:"):
            parse_cluster_spec(spec)
    assert parse_cluster_spec("0-2; 3,5") == [[0, 1, 2], [3, 5]]


def test_given_clusters_and_singleton_note():
    F, y, W, _ = _network()
    r = diagnose(F, y, W, clusters=parse_cluster_spec("0,3;1,4;2,5"))
    assert [c["classes"] for c in r["clusters"]] == [[0, 3], [1, 4], [2, 5]]
    counts = np.repeat(np.arange(4), [5, 6, 7, 8])
    r = diagnose(np.random.default_rng(0).standard_normal((counts.size, 5)), counts)
    assert all(c["h_squeeze"] is None for c in r["clusters"])
    assert any("no default cluster has two classes" in n for n in r["notes"])


# =========================================================================== the command
def test_cli_text_json_and_plot(saved, tmp_path, main_run):
    png = tmp_path / "diag.png"
    code, out, err = main_run("diagnose", saved["npz"], "--plot", png)
    assert code == 0 and err == ""
    for heading in ("NC1", "NC2", "NC3", "NC4", "minority collapse", "per class", "SELI", "figure:"):
        assert heading in out, heading
    assert "angles in degrees" in out and __import__("re").search(r"max [0-9.]+ deg \(class [0-9]\)", out)
    assert png.stat().st_size > 20_000 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = main_run("diagnose", saved["npz"], "--json", "--center", "class", "--radians")
    data = json.loads(out)
    assert code == 0 and data["options"]["center"] == "class" and data["options"]["angle_unit"] == "rad"
    ref = diagnose(str(saved["npz"]), center="class", angle_unit="rad")
    assert data["nc1"] == json.loads(json.dumps(ref["nc1"])) and data["grams"] == json.loads(json.dumps(ref["grams"]))


def test_cli_claim_exit_codes(saved, main_run):
    code, out, _ = main_run("diagnose", saved["npz"], "--claim", "seli/grams", "--lambda-w", "1e-3",
                            "--lambda-h", "1e-3", "--json")
    data = json.loads(out)
    assert code == 0 and data["claim"]["applies"] and data["claim"]["problem"]["lambda_w"] == 1e-3
    assert data["claim"]["problem"]["sizes"] == list(COUNTS)
    code, out, _ = main_run("diagnose", saved["npz"], "--claim", "zhu/balanced-ce")
    assert code == 3 and "does not apply" in out


@pytest.mark.parametrize("argv, field", [
    (["--lambda-w", "1"], "claim"),
    (["--no-bias", "--e-h", "2"], "claim"),
    (["--clusters", "0-x"], "clusters"),
    (["--key", "features"], "key"),
    (["--plot", "out.txt"], "plot"),
    (["--claim", "nope/nothing"], "claim"),
    (["--claim", "seli/grams", "--lambda-h", "-1"], "lambda_h"),
    (["--num-classes", "9"], "num_classes"),
])
def test_cli_bad_options_are_one_line_exit_2(saved, main_run, argv, field):
    code, out, err = main_run("diagnose", saved["npz"], *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"nctheory: error: {field}: ") and err.count("\n") == 1, err


def test_cli_bad_files_are_one_line_exit_2(bad_cases, main_run):
    for path, field, _ in bad_cases:
        code, out, err = main_run("diagnose", path)
        assert code == 2 and out == "", path.name
        assert err.startswith(f"nctheory: error: {field}: ") and err.count("\n") == 1, (path.name, err)


def test_cli_refuses_sizes_the_data_has_them(saved, main_run):
    code, _, err = main_run("diagnose", saved["npz"], "--sizes", "5x6")
    assert code == 2 and "--sizes" in err


def test_other_label_dtypes_and_column_labels_are_read_alike(saved, diag):
    strip = ("source", "dtypes", "ignored_keys", "notes")
    ref = {k: v for k, v in diag.to_json().items() if k not in strip}
    for lab in (saved["y"].astype(np.int32), saved["y"].astype(np.uint8), saved["y"].astype(np.float64),
                saved["y"][:, None]):
        r = diagnose({"features": saved["F"], "labels": lab, "classifier": saved["W"], "bias": saved["b"]})
        assert {k: v for k, v in r.to_json().items() if k not in strip} == ref


def test_the_command_in_a_subprocess(saved, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "nctheory", "diagnose", *map(str, argv)], capture_output=True,
                              text=True, timeout=120, env=env)

    ok = run(saved["npz"], "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["K"] == K and ok.stderr == ""
    bad = run(tmp_path / "missing.npz")
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("nctheory: error: source: no such file")
    helped = subprocess.run([sys.executable, "-m", "nctheory", "diagnose", "--help"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert helped.returncode == 0 and "--claim" in helped.stdout and "--plot" in helped.stdout
