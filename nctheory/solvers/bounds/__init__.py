r"""Rigorous lower bounds that certify answers of solvers without a certificate of their own.

A conic solver's OPTIMAL status and a local solver's best restart are not proofs.  Each bound here
evaluates, in float64 numpy and independently of the solver that produced the answer, a value that
is provably below the model's global optimum (weak duality at an explicit dual point, or an exact
relaxation); ``objective - bound`` is then a certified gap.  :func:`certify` attaches the best
applicable bound to a :class:`~nctheory.solvers.result.Solution` and marks it optimal when the relative
gap is at most :data:`CERTIFY_TOL`.

Only the value of a feasible point can be certified: a projected local solve meets a norm budget to
the last bit only (measured: 1-3 ulp over on the factored answers of the fixed-ETF and layer-peeled
instances), so :func:`certify` first moves a depth-1 answer exactly into the feasible set
(:func:`nctheory.solvers.bounds.feasible.repair`; a no-op for feasible points and penalised models).

A bound that leaves a larger gap proves nothing about the answer (the bound may be the loose part: an
answer can be right while its gradient gives a weak dual point, and at an optimum of 0 -- dot
regression at the fixed ETF -- no positive objective has a relative gap below 1).  Such a bound is
*not* attached: the answer keeps the level it had ("uncertified" for a conic OPTIMAL status or a local
solve), and the bound is recorded in ``extra["uncertified_bound"]`` (lower bound, gap, relative gap,
certificate) and in the message.  Attaching it would make ``Solution.certified`` true for an OPTIMAL
status with any gap, and would turn a conic answer into an unusable reference on the bound's account.

Bound providers are registered in :data:`PROVIDERS`: a function ``(problem, solution) -> (lower_bound,
Certificate) | None`` per target.  The target is the solver method (prefix before ``/``) unless given.
A provider declines (None) for models it does not cover, so several may share a target.

=========================  ==============================================  ================================
module                     model                                           targets
=========================  ==============================================  ================================
:mod:`.fixed_etf`          fixed simplex-ETF classifier (any constraint)   ``convex:fixed-etf``, ``factored``
:mod:`.lpm`                layer-peeled model (average budgets)            ``convex:lpm``, ``factored``
:mod:`.uf_svm`             UF-SVM (max margin)                             ``uf-svm``
:mod:`.full_sample`        UFM over per-sample logits (no NC1)             ``convex:full-sample``
:mod:`.reduced`            R2 at a cvxpy point                             ``convex:reduced``
:mod:`.relu_dnn`           ReLU features (DNN dual)                        ``factored``, ``convex:relu-dnn``
:mod:`.deep_linear_mse`    deep linear UFM, squared error                  ``factored``
=========================  ==============================================  ================================

Shared pieces: :mod:`.conjugate` (loss and bias terms of a Fenchel dual point), :mod:`.spectral` (dual
points in a spectral ball), :mod:`.scalar_minimum` (rigorous 1-D branch and bound), :mod:`.rounding`
(float64 allowances), :mod:`.inputs` (argument checks); :mod:`.feasible` repairs conic answers so that
their objectives are values of feasible points.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from nctheory.solvers.result import Solution, Status, relative_gap

#: Relative gap at which an attached bound certifies an answer.
CERTIFY_TOL = 1e-8

#: target -> list of bound providers (tried in order; the largest bound wins).
PROVIDERS: dict[str, list[Callable]] = {}


def register_bound(target: str, provider: Callable) -> Callable:
    """Register ``provider(problem, solution) -> (lower_bound, Certificate) | None`` for ``target``."""
    PROVIDERS.setdefault(target, []).append(provider)
    return provider


def certify(problem, solution: Solution, *, target: str | None = None, tol: float = CERTIFY_TOL) -> Solution:
    """``solution`` with the best applicable rigorous lower bound attached when it certifies (module doc);
    unchanged when no bound applies, or when the answer is not an answer (failed, inaccurate) or already has one."""
    if solution.status not in (Status.OPTIMAL, Status.LOCAL) or solution.lower_bound is not None:
        return solution
    if problem.depth == 1:
        from nctheory.solvers.bounds.feasible import repair

        solution = repair(problem, solution)  # a gap certifies the value of a feasible point only
    key = target or solution.method.split("/")[0]
    best = None
    for provider in PROVIDERS.get(key, ()):
        out = provider(problem, solution)
        if out is not None and (best is None or out[0] > best[0]):
            best = out
    if best is None:
        return solution
    lower_bound, cert = best
    rg = relative_gap(solution.objective, lower_bound)
    if rg is not None and rg <= tol:
        return solution.with_certificate(lower_bound, cert, tol=tol)
    record = {"lower_bound": float(lower_bound), "gap": max(float(solution.objective) - float(lower_bound), 0.0),
              "rel_gap": rg, "certificate": cert.to_json()}
    message = (f"{solution.message}; {cert.kind} lower bound leaves relative gap {rg:.2e} > {tol:.0e}: "
               "not attached (extra['uncertified_bound'])")
    return replace(solution, extra={**solution.extra, "uncertified_bound": record}, message=message)


# The bound modules register themselves on import (after register_bound exists).
from nctheory.solvers.bounds import (deep_linear_mse, fixed_etf, full_sample, lpm, reduced,  # noqa: E402,F401
                                     relu_dnn, uf_svm)
