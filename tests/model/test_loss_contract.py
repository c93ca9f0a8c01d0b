"""The contract every Loss satisfies (built-ins and users' losses through the same function).

At random logits: gradients match finite differences; the Hessian sum matches differences of gradients and stays
below the declared curvature; the cvxpy form evaluates to the numpy value; Fenchel-Young holds with equality at
u = ∇ℓ(z) and as an inequality at other points of the conjugate's domain; the zero-bias move lands in the domain
with U c = 0; dual segments stay in the domain.  Tolerances: finite differences with step 1e-6 are accurate to
~1e-8 relative (central differences, O(h²) + rounding ε/h); everything else is rounding (1e-9 relative).
"""

import numpy as np
import pytest

from nctheory.model.losses import CrossEntropy, DotRegression, LabelSmoothing, SquaredError, VectorScaling

K, M = 4, 6
LOSSES = {
    "ce": CrossEntropy(),
    "mse": SquaredError(),
    "dr": DotRegression(target=1.7),
    "vs-cdt": VectorScaling(delta=(1.0, 0.7, 1.3, 0.5)),
    "vs-la": VectorScaling(iota=(0.4, -0.2, 0.1, -0.3)),
    "vs-ldt": VectorScaling(omega=(1.0, 2.0, 0.5, 1.5)),
    "vs-all": VectorScaling(delta=(1.0, 0.7, 1.3, 0.5), iota=(0.4, -0.2, 0.1, -0.3), omega=(1.0, 2.0, 0.5, 1.5)),
    "ce-ls": LabelSmoothing(0.2),
}


def check_loss_contract(loss, rng) -> None:
    """Raise AssertionError naming the broken part of the contract (usable on users' losses)."""
    Z = rng.standard_normal((K, M)) * 2.0
    labels = rng.integers(0, K, M)
    values, G = loss.value_grad(Z, labels)
    assert values.shape == (M,) and G.shape == (K, M)
    h = 1e-6
    for i in range(K):
        E = np.zeros_like(Z)
        E[i] = h
        fd = (loss.value_grad(Z + E, labels)[0] - loss.value_grad(Z - E, labels)[0]) / (2 * h)
        assert np.allclose(fd, G[i], rtol=1e-6, atol=1e-8), f"gradient row {i}"
    caps = loss.capabilities()
    w = rng.uniform(0.1, 1.0, M)
    if "hessian" in caps:
        H = loss.hessian_sum(Z, labels, w)
        # the Hessian of b -> Σ_j w_j ℓ(z_j + b): differences of the weighted gradient sums
        for i in range(K):
            e = np.zeros(K)
            e[i] = h
            gp = (loss.value_grad(Z + e[:, None], labels)[1] * w).sum(axis=1)
            gm = (loss.value_grad(Z - e[:, None], labels)[1] * w).sum(axis=1)
            assert np.allclose((gp - gm) / (2 * h), H[:, i], rtol=1e-5, atol=1e-7), f"hessian column {i}"
        for j in range(M):
            Hj = loss.hessian_sum(Z[:, [j]], labels[[j]], np.ones(1))
            assert np.linalg.eigvalsh(Hj).max() <= loss.curvature * (1 + 1e-9), "curvature bound"
    if "conjugate" in caps:
        neg = loss.neg_conjugate(G, labels)
        # Fenchel-Young equality at u = ∇ℓ(z): ℓ(z) + ℓ*(u) = uᵀz
        assert np.allclose(values - neg, np.einsum("km,km->m", G, Z), rtol=1e-9, atol=1e-12), "Fenchel-Young"
        # inequality at scaled dual points (the domain is convex and contains 0): ℓ(z') >= uᵀz' - ℓ*(u)
        for c in (0.0, 0.3, 0.8):
            U = c * G
            negU = loss.neg_conjugate(U, labels)
            assert np.all(np.isfinite(negU)), "c·U left the domain"
            Z2 = rng.standard_normal((K, M))
            v2 = loss.value_grad(Z2, labels)[0]
            assert np.all(v2 >= np.einsum("km,km->m", U, Z2) + negU - 1e-9), "weak duality"
        theta = loss.dual_segment(0.5 * G, 3.0 * G, labels)
        assert 0.0 <= theta <= 1.0
        mid = 0.5 * G + theta * (2.5 * G)
        assert np.all(np.isfinite(loss.neg_conjugate(mid, labels))), "dual_segment left the domain"
    if "free-bias-dual" in caps:
        U = loss.dual_zero_bias(G, w, labels)
        assert np.allclose(U @ w, 0.0, atol=1e-12), "U c = 0"
        assert np.all(np.isfinite(loss.neg_conjugate(U, labels))), "zero-bias move left the domain"
    if "cvxpy" in caps:
        import cvxpy as cp

        Zv = cp.Parameter((K, M), value=Z)
        expr = loss.cvxpy(Zv, labels, w)
        assert expr.is_convex()
        assert float(expr.value) == pytest.approx(float(values @ w), rel=1e-9, abs=1e-12), "cvxpy value"


@pytest.mark.parametrize("name", LOSSES)
def test_loss_contract(name):
    check_loss_contract(LOSSES[name], np.random.default_rng(7))


def test_vs_with_equal_factors_is_plain_ce_and_shift_invariance_is_declared_honestly():
    rng = np.random.default_rng(1)
    Z, labels = rng.standard_normal((K, M)), rng.integers(0, K, M)
    plain = CrossEntropy().value_grad(Z, labels)[0]
    assert np.allclose(VectorScaling(delta=(1.0,) * K).value_grad(Z, labels)[0], plain)
    assert VectorScaling(delta=(2.0,) * K).shift_invariant and VectorScaling().shift_invariant
    assert not VectorScaling(delta=(1.0, 2.0, 1.0, 1.0)).shift_invariant
    shifted = VectorScaling(delta=(1.0, 2.0, 1.0, 1.0)).value_grad(Z + 1.0, labels)[0]
    assert not np.allclose(shifted, VectorScaling(delta=(1.0, 2.0, 1.0, 1.0)).value_grad(Z, labels)[0])


def test_bad_loss_parameters_name_the_field():
    from nctheory.model import Problem

    with pytest.raises(ValueError, match=r"^delta: "):
        VectorScaling(delta=(1.0, -1.0))
    with pytest.raises(ValueError, match=r"^epsilon: "):
        LabelSmoothing(1.0)
    with pytest.raises(ValueError, match=r"^loss: the VS parameter delta has 2 entries"):
        Problem(sizes=(3, 3, 3), loss=VectorScaling(delta=(1.0, 2.0)))
    with pytest.raises(ValueError, match=r"^loss: unknown option"):
        Problem(sizes=(3, 3), loss="hinge")
