r"""The common result type of every solver, its status, and the one rule for "usable as a reference".

Field names follow ``scipy.optimize.OptimizeResult`` where they overlap (``fun`` ~ ``objective``,
``nit`` ~ ``iterations``).

Relative gap
------------
:func:`relative_gap` is :math:`(F - \mathrm{LB})/|F|` -- relative to the objective itself, not to
:math:`\max(1, |F|)`: when :math:`|F| \ll 1` (large CE margins at tiny λ, a fixed ETF at large
norm budgets) an absolute gap of :math:`10^{-10}` says nothing, while :math:`10^{-10}|F|` still
pins the value to ten digits.  Every objective in the toolkit is a sum of non-negative terms, so
:math:`F > 0` and its rounding is relative to F.

Reference levels (:meth:`Solution.reference_level`)
---------------------------------------------------
* ``"certified"``: status optimal and a lower bound on the global optimum of the model that does
  not assume the claim under test (:attr:`Solution.certificate` says which bound);
* ``"uncertified"``: an answer without such a bound (best of local restarts, a conic solver's
  OPTIMAL status without our own bound);
* ``"unusable"``: anything else (failed, inaccurate, a relaxation that is not exact here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """What a solver reports.  Only ``OPTIMAL`` (and, for local solvers, ``LOCAL``) are answers.

    ``RELAXATION``: the certified optimum of a convex relaxation that is not exact for this instance
    (e.g. the class-mean reduction R2 when the feature dimension d is below the rank of its
    solution) -- a valid lower bound, not a solution of the model.
    """

    OPTIMAL = "optimal"
    INACCURATE = "inaccurate"
    MAX_ITER = "max_iter"
    FAILED = "failed"
    INFEASIBLE = "infeasible"
    LOCAL = "local"
    RELAXATION = "relaxation"


STATUSES = tuple(s.value for s in Status)

#: Reference levels, best first (module doc).
LEVELS = ("certified", "uncertified", "unusable")
#: A local (uncertified) answer is a reference only if it met a stationarity tolerance at least this tight: with
#: a looser ``gtol`` a "converged" local solve can stop anywhere (``gtol=1.0`` stops at the random start).
MAX_LOCAL_GTOL = 1e-6


def relative_gap(objective: float, lower_bound: float | None) -> float | None:
    r""":math:`(F - \mathrm{LB})/|F|` (module doc); 0 when both are 0; None without a bound."""
    if lower_bound is None:
        return None
    F, LB = float(objective), float(lower_bound)
    if not (math.isfinite(F) and math.isfinite(LB)):
        return math.inf
    gap = max(F - LB, 0.0)
    if gap == 0.0:
        return 0.0
    scale = abs(F)
    return gap / scale if scale > 0 else math.inf


def running_rel_gap(value: float, lower: float) -> float:
    """:func:`relative_gap` of a solver's best value and bound so far: ``inf`` until both are finite (no point or
    no bound yet)."""
    if not (math.isfinite(value) and math.isfinite(lower)):
        return math.inf
    return relative_gap(value, lower)


@dataclass(frozen=True)
class Certificate:
    """Where a solution's lower bound comes from.

    Attributes
    ----------
    kind : str
        E.g. ``"fenchel-dual:R2"``, ``"fenchel-dual:fixed-etf"``, ``"dnn-relaxation"``.
    description : str
        One sentence for users: the bound and the theorem it rests on.
    assumes : str
        What the bound's reduction assumes about the model (never the claim under test), e.g.
        "NC1 reduction R2 (Jensen: the loss is convex in the logits)".
    """

    kind: str
    description: str
    assumes: str = ""

    def to_json(self) -> dict:
        return {"kind": self.kind, "description": self.description, "assumes": self.assumes}

    @classmethod
    def from_json(cls, data) -> "Certificate":
        """The certificate written by :meth:`to_json`; ValueError ``certificate: ...`` otherwise."""
        if not isinstance(data, dict):
            raise ValueError(f"certificate: expected a JSON object, got {type(data).__name__}")
        try:
            return cls(kind=str(data["kind"]), description=str(data["description"]),
                       assumes=str(data.get("assumes", "")))
        except KeyError as exc:
            raise ValueError(f"certificate: the field {exc.args[0]!r} is required") from None


@dataclass(frozen=True, eq=False, kw_only=True)
class SolutionRecord:
    r"""What every answer reports beside its point: the fields shared by the dense :class:`Solution` and the
    compact grouped answers (:class:`~nctheory.solvers.certified.grouped.GroupedSolution`, which also borrows the
    rules :attr:`Solution.certified`, :meth:`Solution.reference_level`, ... so that both follow the same ones).  Its
    fields are keyword-only; they are documented in :class:`Solution`.
    """

    objective: float
    lower_bound: float | None
    gap: float | None
    status: Status
    iterations: int
    time_s: float
    method: str
    message: str = ""
    extra: dict = field(default_factory=dict)
    certificate: Certificate | None = None
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "status", Status(self.status))


def record_from_json(data: dict) -> dict:
    """The :class:`SolutionRecord` fields of a solution's JSON (all but ``extra``, which JSON does not carry), as
    keyword arguments; ValueError ``<field>: ...`` for a missing or malformed one."""
    cert = json_field(data, "certificate", optional=True)
    return dict(objective=json_number(data, "objective"), lower_bound=json_number(data, "lower_bound", optional=True),
                gap=json_number(data, "gap", optional=True), status=json_status(data),
                iterations=json_int(data, "iterations"), time_s=json_number(data, "time_s"),
                method=json_str(data, "method"), message=json_str(data, "message", optional=True) or "",
                certificate=None if cert is None else Certificate.from_json(cert), options=json_dict(data, "options"))


@dataclass(frozen=True)
class Solution(SolutionRecord):
    r"""A solved model instance.

    Attributes
    ----------
    W : ndarray, shape (K, d)
        Classifier (rows :math:`w_k`); for deep models the product :math:`W_M\cdots W_1`.
    H_mean : ndarray, shape (d, K)
        Class means :math:`\bar h_k` as columns.
    b : ndarray, shape (K,)
        Bias (zeros when the model has none).
    logits_mean : ndarray, shape (K, K)
        :math:`\bar Z = W\bar H + b 1^\top`; column k is class k's mean logit.
    objective : float
        Objective value in the canonical convention (:mod:`nctheory.model.problem`) of exactly the
        returned point (a feasible point of the model).
    lower_bound : float or None
        A certified lower bound on the global optimum (``None`` if no certificate).
    gap : float or None
        ``objective - lower_bound`` (absolute, >= 0), ``None`` without certificate.
    status : Status
        Anything but ``OPTIMAL`` (``LOCAL`` for local solvers) is not an answer.
    iterations : int
    time_s : float
    method : str
        ``"certified"``, ``"convex:<formulation>/<solver>"``, ``"factored"``, ...
    message : str
        Human-readable stopping reason.
    H : ndarray or None
        Full features ``(d, N)`` when the solver produced them.
    extra : dict
        Method-specific details (restarts, singular values, solver stats).
    certificate : Certificate or None
        What the lower bound is (None without one).
    options : dict
        The solver options the solve used (so a refinement can tighten them).
    """

    W: np.ndarray
    H_mean: np.ndarray
    b: np.ndarray
    logits_mean: np.ndarray
    H: np.ndarray | None = None

    @property
    def certified(self) -> bool:
        """True when the status is optimal and a lower bound certifies the objective."""
        return self.status == Status.OPTIMAL and self.lower_bound is not None and self.gap is not None

    @property
    def rel_gap(self) -> float | None:
        r"""Relative gap :math:`(F - \mathrm{LB})/|F|` (:func:`relative_gap`)."""
        return relative_gap(self.objective, self.lower_bound)

    @property
    def success(self) -> bool:
        return self.status == Status.OPTIMAL

    def reference_level(self, max_rel_gap: float) -> tuple[str, str]:
        """``(level, why)``: the one rule for "usable as a reference" (module doc)."""
        if self.status == Status.OPTIMAL:
            if self.lower_bound is None:
                return "uncertified", f"{self.method}: status optimal without a lower bound of our own"
            rg = self.rel_gap
            if rg is None or rg > max_rel_gap:
                return "unusable", f"{self.method}: relative gap {rg:.2e} above {max_rel_gap:.0e}"
            return "certified", ""
        if self.status == Status.LOCAL:
            gtol = self.options.get("gtol")
            if gtol is not None and float(gtol) > MAX_LOCAL_GTOL:
                return "unusable", (f"{self.method}: stationarity tolerance gtol = {float(gtol):.1e} is looser than "
                                    f"{MAX_LOCAL_GTOL:.0e}: not a reference (its objective still counts as a feasible value)")
            return "uncertified", f"{self.method}: best of local solves, no certificate"
        return "unusable", f"{self.method}: status {self.status.value!r}: {self.message}"

    def with_certificate(self, lower_bound: float, certificate: Certificate, *, tol: float) -> "Solution":
        """This solution with a lower bound from a separate certificate; optimal iff the relative gap <= tol."""
        lb = float(lower_bound)
        gap = max(float(self.objective) - lb, 0.0)
        rg = relative_gap(self.objective, lb)
        ok = rg is not None and rg <= tol and self.status in (Status.OPTIMAL, Status.LOCAL)
        if not ok:
            # a bound that leaves the gap above tol does not certify: record it, keep the answer uncertified
            extra = {**self.extra, "uncertified_bound": {"lower_bound": lb, "rel_gap": rg, "kind": certificate.kind}}
            msg = self.message + f"; {certificate.kind} lower bound leaves relative gap {rg:.2e} > {tol:.0e}"
            return replace(self, extra=extra, message=msg)
        msg = self.message + f"; certified by {certificate.kind}: relative gap {rg:.2e} <= {tol:.0e}"
        return replace(self, lower_bound=lb, gap=gap, status=Status.OPTIMAL, certificate=certificate, message=msg)

    def to_json(self) -> dict:
        """The CLI contract's JSON keys (DESIGN.md)."""
        return solution_json(self, self.W, self.H_mean, self.b, self.logits_mean)

    # ------------------------------------------------------------------ reading JSON back
    @classmethod
    def from_json(cls, data) -> "Solution":
        """The solution written by :meth:`to_json` (or printed by ``nctheory solve --json``), read back.

        What JSON does not carry comes back empty: the full features ``H`` (None) and ``extra`` ({}); ``options``
        are read when present (the CLI writes them).  Non-finite numbers, written as ``null``, come back as NaN
        in the arrays.  Envelope and other fields a reader does not know are ignored; a ``schema_version``
        other than this package's is refused.  ValueError ``<field>: ...`` for a missing or malformed field; a
        grouped answer without dense arrays (above ``DENSE_MAX_K`` classes) is read by
        :meth:`GroupedSolution.from_json <nctheory.solvers.certified.grouped.GroupedSolution.from_json>`.
        """
        data = json_object(data, "solution")
        for name in ("W", "H_mean", "b", "logits_mean"):
            if name in data and data[name] is None and "grouped" in data:
                raise ValueError(f"{name}: this grouped answer carries no dense arrays; read it with "
                                 "GroupedSolution.from_json")
        return cls(W=json_array(data, "W", 2), H_mean=json_array(data, "H_mean", 2), b=json_array(data, "b", 1),
                   logits_mean=json_array(data, "logits_mean", 2), **record_from_json(data))


# ---------------------------------------------------------------------- JSON readers shared by the from_json methods
def json_object(data, what: str) -> dict:
    """``data`` as a dict of the current JSON contract; ValueError ``<what>: ...`` / ``schema_version: ...``."""
    if not isinstance(data, dict):
        raise ValueError(f"{what}: expected a JSON object (dict), got {type(data).__name__}")
    if "schema_version" in data:
        from nctheory.present.serialize import SCHEMA_VERSION

        if data["schema_version"] != SCHEMA_VERSION:
            raise ValueError(f"schema_version: this nctheory reads version {SCHEMA_VERSION!r}, got "
                             f"{data['schema_version']!r}")
    return data


def json_field(data: dict, key: str, *, optional: bool = False):
    """``data[key]``; a missing key is ValueError ``<key>: ...`` unless ``optional`` (then None)."""
    if key not in data:
        if optional:
            return None
        raise ValueError(f"{key}: a value is required")
    return data[key]


def json_number(data: dict, key: str, *, optional: bool = False) -> float | None:
    """A float (``null`` is None when ``optional``, else NaN: strict JSON writes non-finite numbers as null)."""
    v = json_field(data, key, optional=optional)
    if v is None:
        return None if optional else math.nan
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{key}: expected a number, got {v!r}")
    return float(v)


def json_int(data: dict, key: str) -> int:
    v = json_field(data, key)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{key}: expected an integer, got {v!r}")
    return v


def json_str(data: dict, key: str, *, optional: bool = False) -> str | None:
    v = json_field(data, key, optional=optional)
    if v is None and optional:
        return None
    if not isinstance(v, str):
        raise ValueError(f"{key}: expected a string, got {v!r}")
    return v


def json_bool(data: dict, key: str) -> bool:
    v = json_field(data, key)
    if not isinstance(v, bool):
        raise ValueError(f"{key}: expected true or false, got {v!r}")
    return v


def json_dict(data: dict, key: str) -> dict:
    """An optional JSON object (``{}`` when absent or null)."""
    v = json_field(data, key, optional=True)
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise ValueError(f"{key}: expected a JSON object, got {type(v).__name__}")
    return dict(v)


def json_status(data: dict) -> Status:
    v = json_field(data, "status")
    try:
        return Status(v)
    except ValueError:
        raise ValueError(f"status: unknown {v!r}; allowed: {', '.join(STATUSES)}") from None


def json_array(data: dict, key: str, ndim: int) -> np.ndarray:
    """A float array of ``ndim`` dimensions (``null`` entries become NaN); ValueError ``<key>: ...``."""
    v = json_field(data, key)
    try:
        arr = np.array(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{key}: expected {'a list of numbers' if ndim == 1 else 'a list of rows of numbers'}") from None
    if arr.ndim != ndim:
        raise ValueError(f"{key}: expected {ndim} dimension(s), got an array of shape {arr.shape}")
    return arr


def solution_json(sol, W, H_mean, b, logits_mean) -> dict:
    """The CLI contract's keys of a solution (DESIGN.md), with its arrays given (None where not written: a grouped
    solution at large K has no dense arrays); shared by :class:`Solution` and the grouped solutions."""

    def arr(x):
        return None if x is None else np.asarray(x, dtype=float).tolist()

    return {
        "objective": float(sol.objective),
        "lower_bound": None if sol.lower_bound is None else float(sol.lower_bound),
        "gap": None if sol.gap is None else float(sol.gap),
        "rel_gap": sol.rel_gap,
        "certified": sol.certified,
        "certificate": None if sol.certificate is None else sol.certificate.to_json(),
        "status": sol.status.value,
        "W": arr(W),
        "H_mean": arr(H_mean),
        "b": arr(b),
        "logits_mean": arr(logits_mean),
        "method": sol.method,
        "time_s": float(sol.time_s),
        "iterations": int(sol.iterations),
        "message": sol.message,
    }
