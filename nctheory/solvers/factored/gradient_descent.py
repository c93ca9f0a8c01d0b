r"""Full-batch gradient descent with heavy-ball momentum: the papers' training dynamics.

.. math::

    v_{t+1} = \mu v_t - \eta \nabla f(x_t), \qquad x_{t+1} = \Pi(x_t + v_{t+1}),

with :math:`\Pi` the projection onto the feasible set (identity for unconstrained free
features; :math:`H \ge 0` for ReLU; norm balls for layer-peeled constraints), after which
:math:`v_{t+1}` is reset to the step actually taken, :math:`x_{t+1} - x_t`.  With
:math:`\mu = 0` and :math:`\eta < 2/L` this is (projected) gradient descent, whose objective
decreases monotonically.
"""

from __future__ import annotations

import time

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.factored.assemble import build_solution
from nctheory.solvers.blas_threads import single_blas_thread
from nctheory.solvers.factored.checks import boolean, positive_float, positive_int
from nctheory.solvers.factored.objective import FactoredObjective
from nctheory.progress import Progress
from nctheory.solvers.factored.within_class import nc1_simple
from nctheory.solvers.result import Solution


def _nc1(H: np.ndarray, labels: np.ndarray, K: int) -> float:
    """NC1 from ``nctheory.metrics`` when that module exists, else the local definition (same formula).

    NaN when NC1 is undefined (all class means coincide, e.g. after a collapse to zero).
    """
    try:
        from nctheory.metrics import nc1 as metrics_nc1
    except ImportError:
        return nc1_simple(H, labels, K)
    try:
        return float(metrics_nc1(H, labels, K))
    except ValueError:
        return float("nan")


def gradient_descent(problem: Problem, *, lr: float, iterations: int, momentum: float = 0.9, seed: int = 0,
                     record_every: int = 10, progress: bool = False, on: str = "means", init_scale: float = 1.0,
                     gtol: float = 1e-8) -> tuple[Solution, dict]:
    """Train the factored model by full-batch (projected) heavy-ball gradient descent.

    Parameters
    ----------
    problem : Problem
    lr : float
        Step size :math:`\\eta > 0`.
    iterations : int
        Number of steps.
    momentum : float
        :math:`\\mu \\in [0, 1)`.
    seed : int
        Start from ``FactoredObjective.initial_point(default_rng(seed), init_scale)``.
    record_every : int
        Record the history every this many steps (and at the last one).
    progress : bool
        Progress bar on stderr (nothing is printed when False).
    on : {"means", "samples"}
    init_scale : float
        Multiplier of the default start scale.
    gtol : float
        The final status is "local" if the projected-gradient sup-norm is at most ``gtol``,
        "max_iter" otherwise ("failed" if the iterates became non-finite).

    Returns
    -------
    solution : Solution
    history : dict of ndarray
        ``iteration``, ``loss`` (data term only), ``objective`` (with penalties),
        ``grad_norm`` (projected-gradient sup-norm) and, for ``on="samples"``, ``nc1``.
    """
    lr = positive_float("lr", lr)
    iterations = positive_int("iterations", iterations)
    momentum = positive_float("momentum", momentum, allow_zero=True)
    if momentum >= 1.0:
        raise ValueError(f"momentum: must be in [0, 1), got {momentum!r}")
    seed = positive_int("seed", seed, minimum=0)
    record_every = positive_int("record_every", record_every)
    progress = boolean("progress", progress)
    init_scale = positive_float("init_scale", init_scale)
    gtol = positive_float("gtol", gtol)
    objective = FactoredObjective(problem, on)
    # a diverging run overflows; that is detected below and reported as status "failed"
    with single_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        return _run(objective, lr=lr, iterations=iterations, momentum=momentum, seed=seed,
                    record_every=record_every, progress=progress, on=on, init_scale=init_scale, gtol=gtol)


def _run(objective, *, lr, iterations, momentum, seed, record_every, progress, on, init_scale,
         gtol) -> tuple[Solution, dict]:
    projected = objective.relu or objective.constrained
    start = time.perf_counter()
    x = objective.initial_point(np.random.default_rng(seed), init_scale)
    v = np.zeros_like(x)
    hist: dict[str, list] = {"iteration": [], "loss": [], "objective": [], "grad_norm": []}
    if on == "samples":
        hist["nc1"] = []
    bar = Progress(iterations, "GD steps", enabled=progress)
    tick = max(1, iterations // 100)
    failed = False
    done = 0
    for t in range(iterations + 1):
        f, g = objective.value_and_grad(x)
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            failed = True
            break
        if t % record_every == 0 or t == iterations:
            hist["iteration"].append(t)
            hist["loss"].append(objective.data_loss(x))
            hist["objective"].append(f)
            hist["grad_norm"].append(objective.stationarity(x, g))
            if on == "samples":
                hist["nc1"].append(_nc1(objective.layout.split(x)["H"], objective.labels, objective.K))
        if t == iterations:
            break
        v = momentum * v - lr * g
        x_new = x + v
        if projected:
            x_new = objective.project(x_new)
            v = x_new - x
        x = x_new
        done = t + 1
        if done % tick == 0:
            bar.set(done, f"objective {f:.6g}")
    bar.close()
    elapsed = time.perf_counter() - start

    history = {k: np.asarray(vals, dtype=np.int64 if k == "iteration" else np.float64) for k, vals in hist.items()}
    if failed:
        status, note = "failed", f"iterates became non-finite at step {done} (step size too large?)"
        grad_norm = float("nan")
    else:
        _, g = objective.value_and_grad(x)
        grad_norm = objective.stationarity(x, g)
        status = "local" if grad_norm <= gtol else "max_iter"
        note = f"{done} steps, projected gradient {grad_norm:.2e} (gtol {gtol:.1e})"
    message = f"heavy-ball GD (lr {lr:g}, momentum {momentum:g}): {note}"
    extra = {"grad_norm": grad_norm, "on": on, "seed": seed, "lr": lr, "momentum": momentum}
    return build_solution(objective, x, status=status, iterations=done, time_s=elapsed, message=message,
                          extra=extra), history
