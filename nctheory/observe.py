r"""The shared vocabulary of observed quantities: readers ``(problem, solution) -> value``.

A claim's ``observe`` may simply list reader names; the observed quantity of each is named after its
reader, so predictions use the same names.  Readers are the only place where a solution is turned
into geometry, so a new solution form (e.g. the symmetric solver's compact blocks) needs new readers
only here, not in every claim.

==================  ========================================================================
``gram_WW``         :math:`WW^\top` (K × K)
``gram_HH``         :math:`\bar H^\top\bar H` (K × K)
``gram_WH``         :math:`W\bar H` (the mean logits without bias, column k = class k)
``logits_mean``     :math:`\bar Z = W\bar H + b\mathbf 1^\top`
``bias``            b
``w_sq_norms``      :math:`\|w_k\|^2` per class
``h_sq_norms``      :math:`\|\bar h_k\|^2` per class
``objective``       the solution's objective (a feasible point's value)
``sigma_Y``         singular values of :math:`Y = W\bar H D^{1/2}` (descending)
``zero_solution``   :math:`\max|W\bar H| \le` :data:`ZERO_LOGIT_TOL` (the Z̄ = 0 regime)
==================  ========================================================================

:func:`register_reader` adds a reader (a claim package's own quantities, a user's).

Compact solutions of the symmetric solver (:class:`~nctheory.solvers.certified.grouped.GroupedSolution`) are
read without forming K×K matrices: the Gram readers return :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix`
values (one diagonal and one off-diagonal value per group, one value per pair of groups), the per-class readers
expand per-group values to K-vectors, and the comparison (:mod:`nctheory.verify.compare`) compares grouped
matrices in that form.  :func:`is_grouped` tells a claim which form it has.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Mean logits with :math:`\max|W\bar H|` at or below this count as the zero solution.  The certified solver
#: returns exact zeros there (zero test); outside that regime :math:`|\bar Z|` is ≳ 1e-4 away from thresholds.
ZERO_LOGIT_TOL = 1e-7

READERS: dict[str, Callable] = {}


def register_reader(name: str, fn: Callable | None = None, *, replace: bool = False):
    """Register ``fn(problem, solution)`` as reader ``name`` (usable as a decorator)."""

    def add(f):
        if not replace and name in READERS and READERS[name] is not f:
            raise ValueError(f"observe: a reader named {name!r} is already registered")
        READERS[name] = f
        return f

    return add if fn is None else add(fn)


def unknown_readers(names) -> list[str]:
    return [n for n in names if n not in READERS]


def read(name: str, problem, solution):
    """The value of reader ``name`` on ``solution``."""
    if name not in READERS:
        raise ValueError(f"observe: unknown reader {name!r}; known: {', '.join(sorted(READERS))}")
    return READERS[name](problem, solution)


# ------------------------------------------------------------------------- basic arrays
def is_grouped(solution) -> bool:
    """True for a compact (symmetric-solver) solution."""
    return hasattr(solution, "structure") and hasattr(solution, "gram_WW")

def W_of(solution) -> np.ndarray:
    return np.asarray(solution.W, dtype=np.float64)


def H_of(solution) -> np.ndarray:
    return np.asarray(solution.H_mean, dtype=np.float64)


def bias_of(solution) -> np.ndarray:
    return np.asarray(solution.b, dtype=np.float64).reshape(-1)


def zbar(solution) -> np.ndarray:
    r"""Bias-free mean logits :math:`W\bar H` (column k = class k)."""
    return W_of(solution) @ H_of(solution)


def grams(solution) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`(WW^\top, \bar H^\top\bar H)`."""
    W, H = W_of(solution), H_of(solution)
    return W @ W.T, H.T @ H


def centred_classifier(solution) -> np.ndarray:
    r""":math:`SW` with :math:`S = I - J/K` (the classifier modulo a common shift, which CE ignores)."""
    W = W_of(solution)
    return W - W.mean(axis=0, keepdims=True)


def y_matrix(problem, solution) -> np.ndarray:
    r""":math:`Y = W\bar H D^{1/2}` (the variable of reduction R2)."""
    return zbar(solution) * np.sqrt(problem.n)[None, :]


def max_abs(M) -> float:
    """Largest absolute entry of a dense or grouped matrix."""
    return float(M.max_abs()) if hasattr(M, "max_abs") else float(np.abs(np.asarray(M)).max(initial=0.0))


def frobenius(M) -> float:
    """Frobenius norm of a dense or grouped matrix."""
    return float(M.frobenius_norm()) if hasattr(M, "frobenius_norm") else float(np.linalg.norm(M))


def trace(M) -> float:
    """Trace of a dense or grouped matrix (grouped: each group's diagonal value times its class count)."""
    if hasattr(M, "structure"):
        return float(M.structure.counts.astype(float) @ M.diagonal)
    return float(np.trace(M))


def inner(A, B) -> float:
    r""":math:`\langle A, B\rangle = \operatorname{tr}(A^\top B)` for dense or grouped matrices."""
    if hasattr(A, "structure"):
        return trace(A.T @ B)
    return float(np.vdot(A, B))


def flat(M) -> np.ndarray:
    """The distinct entries of a matrix as a vector: all entries (dense), or the grouped entry form."""
    if hasattr(M, "structure"):
        from nctheory.verify.compare import entry_form

        return entry_form(M).ravel()
    return np.asarray(M, dtype=np.float64).ravel()


def normalized(G):
    """``G / ||G||_F`` for a dense or grouped matrix (zero stays zero)."""
    nrm = frobenius(G)
    if nrm <= 0:
        return G
    return G.scaled(1.0 / nrm) if hasattr(G, "structure") else G / nrm


# ------------------------------------------------------------------------------ readers
def _gram(which: str):
    def read_gram(p, s):
        if is_grouped(s):
            return getattr(s, which)
        W, H = W_of(s), H_of(s)
        return {"gram_WW": lambda: W @ W.T, "gram_HH": lambda: H.T @ H, "gram_WH": lambda: W @ H}[which]()

    return read_gram


def _sq_norms(which: str):
    def read(p, s):
        if is_grouped(s):
            return s.structure.expand(getattr(s, which).diagonal)
        X = W_of(s) if which == "gram_WW" else H_of(s).T
        return np.einsum("kd,kd->k", X, X)

    return read


def _sigma_y(p, s):
    if is_grouped(s):
        values, mult = s.Y.singular_values()
        return np.repeat(values, mult)
    return np.linalg.svd(y_matrix(p, s), compute_uv=False)


def _zero(p, s):
    Z = s.gram_WH.max_abs() if is_grouped(s) else float(np.abs(zbar(s)).max())
    return bool(Z <= ZERO_LOGIT_TOL)


register_reader("gram_WW", _gram("gram_WW"))
register_reader("gram_HH", _gram("gram_HH"))
register_reader("gram_WH", _gram("gram_WH"))
register_reader("logits_mean", lambda p, s: s.logits if is_grouped(s) else np.asarray(s.logits_mean, dtype=np.float64))
register_reader("bias", lambda p, s: bias_of(s))
register_reader("w_sq_norms", _sq_norms("gram_WW"))
register_reader("h_sq_norms", _sq_norms("gram_HH"))
register_reader("objective", lambda p, s: float(s.objective))
register_reader("sigma_Y", _sigma_y)
register_reader("zero_solution", _zero)
