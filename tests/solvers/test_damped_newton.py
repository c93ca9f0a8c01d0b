r"""The damped Newton shared by the bias eliminations (:mod:`nctheory.solvers.damped_newton`).

Exact small cases on quadratics, whose minimiser Newton reaches in one step: the returned point is the minimiser up
to the solver's regularisation of the Newton system, :math:`10^{-14}(\operatorname{tr}H/s)I`, which shifts the step by
at most :math:`10^{-14}\kappa` relative (κ ≤ 100 here: 1e-12; measured 3.1e-13 over 7200 draws; the next step would
remove it, but its decrement is below the stopping threshold), so the tolerance is 4e-12; the gauge mode on an
objective constant along 1; and the difference between the absolute and the relative stopping rule at a tiny
objective scale.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nctheory.solvers.damped_newton import AbsoluteStopping, RelativeStopping, damped_newton

#: Shift of the Newton step by the system's regularisation at condition number <= 100 (module doc).
SOLVE_RTOL = 4e-12


def _quadratic(A, c, scale=1.0):
    def value_grad(x):
        r = x - c
        return scale * 0.5 * float(r @ A @ r), scale * (A @ r), None

    return value_grad, (lambda x, _state: scale * A)


def _spd(rng, size):
    Q, _ = np.linalg.qr(rng.standard_normal((size, size)))
    return (Q * rng.uniform(1.0, 100.0, size)) @ Q.T  # eigenvalues in [1, 100]


@given(size=st.integers(1, 12), seed=st.integers(0, 10**6), rule=st.sampled_from([AbsoluteStopping, RelativeStopping]))
def test_a_quadratic_is_minimised_in_one_step(size, seed, rule):
    rng = np.random.default_rng(seed)
    A, c = _spd(rng, size), rng.standard_normal(size)
    value_grad, hessian = _quadratic(A, c)
    x, steps = damped_newton(value_grad, hessian, np.zeros(size), gauge=False, stopping=rule())
    assert np.allclose(x, c, rtol=0.0, atol=SOLVE_RTOL * max(1.0, float(np.abs(c).max())))
    assert steps <= 3  # the step to c, then at most two at rounding level


@given(size=st.integers(2, 12), seed=st.integers(0, 10**6))
def test_gauge_mode_keeps_steps_orthogonal_to_the_flat_direction(size, seed):
    rng = np.random.default_rng(seed)
    P = np.eye(size) - 1.0 / size  # f(x + t1) = f(x): the Hessian P is singular along 1
    c = rng.standard_normal(size)
    value_grad, hessian = _quadratic(P, c)
    x0 = rng.standard_normal(size)
    x, _ = damped_newton(value_grad, hessian, x0, gauge=True, stopping=AbsoluteStopping())
    assert abs(float(x.mean()) - float(x0.mean())) <= SOLVE_RTOL * max(1.0, float(np.abs(x0).max()))
    assert np.allclose(P @ x, P @ c, rtol=0.0, atol=SOLVE_RTOL * max(1.0, float(np.abs(c).max())))


def test_absolute_stopping_ignores_a_tiny_objective_that_relative_stopping_minimises():
    # f = 1e-30·½‖x - c‖²: the Newton decrement at 0 is 1e-30‖c‖² <= 1e-24, so the absolute rule (the certified
    # solver's) does not step; the relative rule (the references') steps to c
    A, c = np.eye(3), np.array([1.0, -2.0, 0.5])
    value_grad, hessian = _quadratic(A, c, scale=1e-30)
    x_abs, steps_abs = damped_newton(value_grad, hessian, np.zeros(3), gauge=False, stopping=AbsoluteStopping())
    assert steps_abs == 1 and np.array_equal(x_abs, np.zeros(3))
    x_rel, _ = damped_newton(value_grad, hessian, np.zeros(3), gauge=False, stopping=RelativeStopping())
    assert np.allclose(x_rel, c, rtol=0.0, atol=SOLVE_RTOL)


def test_the_start_is_not_modified():
    A, c = np.diag([1.0, 4.0]), np.array([3.0, -1.0])
    value_grad, hessian = _quadratic(A, c)
    x0 = np.array([0.5, 0.5])
    damped_newton(value_grad, hessian, x0, gauge=False, stopping=AbsoluteStopping())
    assert np.array_equal(x0, [0.5, 0.5])
