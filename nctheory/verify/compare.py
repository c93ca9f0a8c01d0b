r"""The one comparison of a predicted quantity with an observed one, at a known precision.

For entry i with prediction :math:`p_i`, observation :math:`o_i`, allowance :math:`a_i` (the claim's
:class:`~nctheory.claims.base.Tolerance`, scaled with the matrix for 2-D quantities, plus any
certificate allowance) and precision :math:`\pi_i` (how far the observation may be from the true
optimum's value, :mod:`nctheory.verify.precision`), with :math:`e_i = |p_i - o_i|`:

* **agree** when :math:`e_i \le a_i + \pi_i` and :math:`\pi_i \le a_i` -- within tolerance, and the
  optimum is known at least as precisely as the tolerance asks;
* **disagree** when :math:`e_i > a_i + \kappa\pi_i` with :math:`\kappa` = :data:`SAFETY` -- the miss is
  larger than tolerance plus three times what the solution's imprecision can explain;
* **undecided** otherwise (the engine re-solves more tightly, then calls it inconclusive).

Booleans agree when equal; when they differ they disagree only if the observation was stable across
the two solves that estimated the precision (``precision`` 0), else they are undecided.  A check
records the entry that decided it, with its own error, allowance and precision, so a failure message
names the entry that failed (not the largest error elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nctheory.verify.verdict import Decision

#: Safety factor κ on the precision estimate before a miss counts as a disagreement.
SAFETY = 3.0


@dataclass(frozen=True)
class Check:
    """One predicted quantity against one observed one.

    ``rel_err`` is the largest ``|p - o| / |p|`` over entries with ``p != 0``; None when every predicted
    entry is 0 (a relative error is undefined there; ``abs_err`` applies).  ``entry`` is the index of the
    deciding entry (the one with the largest excess over its allowance), ``entry_err``, ``entry_allowance``
    and ``entry_precision`` its own numbers.  ``precision`` is the largest precision over entries (None
    when it was not estimated).
    """

    quantity: str
    method: str
    predicted: Any
    observed: Any
    abs_err: float
    rel_err: float | None
    tol: dict
    decision: Decision
    precision: float | None = None
    entry: tuple | None = None
    entry_err: float | None = None
    entry_allowance: float | None = None
    entry_precision: float | None = None

    @property
    def ok(self) -> bool:
        return self.decision == Decision.AGREE

    def explain(self) -> str:
        """One line naming the deciding entry, its error, allowance and precision."""
        where = "" if not self.entry else f"[{','.join(map(str, self.entry))}]"
        if self.entry_err is None:
            return f"{self.quantity}{where}: {self.decision.value} (predicted {self.predicted!r}, observed {self.observed!r})"
        prec = "not estimated" if self.entry_precision is None else f"{self.entry_precision:.2e}"
        return (f"{self.quantity}{where}: {self.decision.value}: |pred - obs| = {self.entry_err:.3e}, allowance "
                f"{self.entry_allowance:.3e}, precision {prec}")

    def to_json(self) -> dict:
        return {
            "quantity": self.quantity,
            "method": self.method,
            "predicted": _jsonable(self.predicted),
            "observed": _jsonable(self.observed),
            "abs_err": self.abs_err,
            "rel_err": self.rel_err,
            "tol": self.tol,
            "precision": self.precision,
            "ok": self.ok,
            "decision": self.decision.value,
            "entry": None if self.entry is None else list(self.entry),
            "entry_err": self.entry_err,
            "entry_allowance": self.entry_allowance,
            "entry_precision": self.entry_precision,
            "explain": self.explain(),
        }

    @classmethod
    def from_json(cls, data) -> "Check":
        """The check written by :meth:`to_json`, read back (``ok`` and ``explain`` follow from the rest).

        ``predicted`` and ``observed`` come back as numpy arrays where they were lists (``null`` entries as NaN),
        else as written; ``null`` errors come back as NaN (``rel_err`` and the precisions as None, their meaning
        there).  ValueError ``<field>: ...`` for a missing or malformed field.
        """
        from nctheory.solvers.result import json_field, json_number, json_object, json_str

        data = json_object(data, "check")
        try:
            decision = Decision(json_field(data, "decision"))
        except ValueError as exc:
            if str(exc).startswith("decision:"):
                raise
            raise ValueError(f"decision: unknown {data['decision']!r}; allowed: "
                             f"{', '.join(d.value for d in Decision)}") from None
        tol = json_field(data, "tol")
        if not isinstance(tol, dict):
            raise ValueError(f"tol: expected a JSON object, got {type(tol).__name__}")
        entry = json_field(data, "entry", optional=True)
        if entry is not None and (not isinstance(entry, list) or
                                  not all(isinstance(i, int) and not isinstance(i, bool) for i in entry)):
            raise ValueError(f"entry: expected a list of integers or null, got {entry!r}")
        return cls(quantity=json_str(data, "quantity"), method=json_str(data, "method"),
                   predicted=_from_jsonable(json_field(data, "predicted")),
                   observed=_from_jsonable(json_field(data, "observed")),
                   abs_err=json_number(data, "abs_err"),
                   rel_err=json_number(data, "rel_err", optional=True), tol=dict(tol), decision=decision,
                   precision=json_number(data, "precision", optional=True),
                   entry=None if entry is None else tuple(entry),
                   entry_err=json_number(data, "entry_err", optional=True),
                   entry_allowance=json_number(data, "entry_allowance", optional=True),
                   entry_precision=json_number(data, "entry_precision", optional=True))


def _jsonable(x):
    if isinstance(x, (np.ndarray, list, tuple)):
        arr = np.asarray(x)
        if arr.dtype == bool:
            return arr.tolist()
        return np.asarray(x, dtype=float).tolist()
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.floating, np.integer)):
        return float(x)
    return x


def _from_jsonable(x):
    """A JSON list as the array the comparison held (booleans stay booleans, ``null`` entries become NaN); other
    values as they are (a ragged list stays a list)."""
    if not isinstance(x, list):
        return x
    try:
        arr = np.array(x)
        if arr.dtype == object:
            arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        return x
    return arr if arr.dtype == bool or np.issubdtype(arr.dtype, np.number) else x


def comparable(predicted, observed):
    """Both values in a common array form: grouped matrices (the symmetric solver's compact Grams) in their entry
    form -- a C × (C+2) array of each group's diagonal value, within-group value and cross-group values, whose
    entries are exactly the distinct entries of the K × K matrix -- or densified when the other side is dense."""
    from nctheory.solvers.certified.grouped_matrix import GroupedMatrix

    gp, go = isinstance(predicted, GroupedMatrix), isinstance(observed, GroupedMatrix)
    if gp and go:
        return entry_form(predicted), entry_form(observed)
    if gp:
        return predicted.dense(), observed
    if go:
        return predicted, observed.dense()
    return predicted, observed


def entry_form(M) -> np.ndarray:
    """C × (C+2): [diagonal | within-group (0 for singleton groups, which have none) | cross-group block]."""
    within = np.nan_to_num(M.within, nan=0.0)
    return np.column_stack([M.diagonal, within, M.block])


def compare(quantity: str, method: str, predicted, observed, tol, *, precision=None, extra_allowance: float = 0.0) -> Check:
    """Compare under ``tol`` (a :class:`~nctheory.claims.base.Tolerance`) at ``precision`` (module doc).

    ``precision``: None (not estimated: taken as 0, and recorded as None), a number, or an array of the
    quantity's shape.  Arrays must have the predicted shape, else the check disagrees.
    """
    try:
        predicted, observed = comparable(predicted, observed)
    except ValueError:  # a grouped matrix too large to densify against a dense value: not comparable
        tol_json = tol.to_json(extra_allowance)
        return Check(quantity, method, "grouped", "dense", float("inf"), float("inf"), tol_json, Decision.DISAGREE)
    p = np.asarray(predicted)
    o = np.asarray(observed)
    tol_json = tol.to_json(extra_allowance)
    if p.dtype == bool or o.dtype == bool:
        same = p.shape == o.shape and bool(np.all(p.astype(bool) == o.astype(bool)))
        stable = precision is None or float(np.max(np.asarray(precision, dtype=float), initial=0.0)) == 0.0
        decision = Decision.AGREE if same else (Decision.DISAGREE if stable else Decision.UNDECIDED)
        err = 0.0 if same else 1.0
        return Check(quantity, method, predicted, observed, err, err, tol_json, decision,
                     None if precision is None else float(np.max(np.asarray(precision, dtype=float), initial=0.0)))
    if p.shape != o.shape:
        return Check(quantity, method, predicted, observed, float("inf"), float("inf"), tol_json, Decision.DISAGREE)
    p = p.astype(float)
    o = o.astype(float)
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(o))):
        return Check(quantity, method, predicted, observed, float("nan"), float("nan"), tol_json, Decision.DISAGREE)
    diff = np.abs(p - o)
    abs_err = float(diff.max()) if diff.size else 0.0
    nz = np.abs(p) > 0
    rel_err = float((diff[nz] / np.abs(p[nz])).max()) if nz.any() else None
    allow = np.broadcast_to(tol.allowance(p, extra_allowance), p.shape)
    prec_known = precision is not None
    prec_arr = np.asarray(precision if prec_known else 0.0, dtype=float)
    if prec_arr.shape not in ((), p.shape):
        # a precision measured on another form of the same matrix (grouped entry form vs dense): matrix precisions
        # are uniform over entries (nctheory.verify.precision), so the largest one applies to every entry
        prec_arr = np.asarray(float(prec_arr.max(initial=0.0)))
    prec = np.broadcast_to(prec_arr, p.shape)
    agree = (diff <= allow + prec) & (prec <= allow)
    disagree = diff > allow + SAFETY * prec
    if disagree.any():
        decision = Decision.DISAGREE
        mask = disagree
    elif not agree.all():
        decision = Decision.UNDECIDED
        mask = ~agree
    else:
        decision = Decision.AGREE
        mask = np.ones(p.shape, dtype=bool)
    if p.size:
        excess = np.where(mask, diff - allow, -np.inf)
        idx = np.unravel_index(int(np.argmax(excess)), p.shape) if p.ndim else ()
        entry = tuple(int(i) for i in idx) if p.ndim else None
        e_err, e_allow = float(diff[idx]), float(allow[idx])
        e_prec = float(prec[idx]) if prec_known else None
    else:
        entry, e_err, e_allow, e_prec = None, None, None, None
    max_prec = float(prec.max()) if prec_known and prec.size else (0.0 if prec_known else None)
    return Check(quantity, method, predicted, observed, abs_err, rel_err, tol_json, decision, max_prec,
                 entry, e_err, e_allow, e_prec)
