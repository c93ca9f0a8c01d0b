r"""Predicted-vs-solved bookkeeping for the gallery: every solved point drawn in a figure is also checked
against its prediction the way ``nctheory verify`` checks it.

Points recorded with their problem and solution (``add_claim(..., problem=, solution=)``) go through the
verification engine itself (:func:`nctheory.verify.verify_claim` with the gallery's solution, so nothing is
solved twice for the comparison): the claim's tolerance with its certificate allowance, the precision estimate,
and the agree / disagree / undecided decision.  Points recorded without them (values computed outside a solver)
are compared by :func:`nctheory.verify.compare` at unknown precision.  A record groups the points of one
``(claim, quantity, method)`` and passes when every point agrees.  The JSON written beside each figure carries the
points, the tolerance (with its reason), the decisions and the verdict, so anyone can re-check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nctheory.claims import get_claim
from nctheory.present.serialize import jsonable
from nctheory.verify import compare, verify_claim
from nctheory.verify.verdict import Decision


@dataclass
class AgreementLog:
    """Collects predicted/observed pairs per ``(claim, quantity, method)`` (insertion-ordered)."""

    _points: dict = field(default_factory=dict)

    def add(self, claim_id: str, quantity: str, method: str, at, predicted, observed, check=None) -> None:
        """Record one point; ``at`` labels it (e.g. ``{"lambda": 0.01}``); ``check`` is the engine's Check, if any."""
        key = (claim_id, quantity, method)
        self._points.setdefault(key, []).append((at, predicted, observed, check))

    def add_claim(self, claim_id: str, predicted: dict, observed: dict, method: str, at, names=None,
                  problem=None, solution=None) -> None:
        """Record every quantity present in both ``predicted`` and ``observed`` (restricted to ``names``).

        With ``problem`` and ``solution`` the engine verifies the claim on that solution (module doc) and each
        point keeps the engine's check; the verification's reference method replaces ``method`` in the record.
        """
        checks = {}
        if problem is not None and solution is not None:
            claim = get_claim(claim_id)
            resolved = solution.method.split("/")[0]
            v = verify_claim(claim, problem, methods=[resolved], solutions={resolved: solution})
            checks = {c.quantity: c for c in v.checks}
        for name, value in predicted.items():
            if names is not None and name not in names:
                continue
            if name in observed:
                self.add(claim_id, name, method, at, value, observed[name], checks.get(name))

    def records(self) -> list[dict]:
        """One JSON-ready dict per ``(claim, quantity, method)``: points, worst errors, tolerance, ``ok``."""
        out = []
        for (claim_id, quantity, method), pts in self._points.items():
            tol = get_claim(claim_id).tolerance(quantity)
            checks = [c if c is not None else compare(quantity, method, p, o, tol) for _, p, o, c in pts]
            abs_errs = [c.abs_err for c in checks]
            rel_errs = [c.rel_err for c in checks if c.rel_err is not None]
            out.append({
                "claim": claim_id,
                "quantity": quantity,
                "method": method,
                "n_points": len(pts),
                "max_abs_err": float(np.nanmax(abs_errs)) if abs_errs else 0.0,
                "max_rel_err": float(np.nanmax(rel_errs)) if rel_errs else None,
                "tol": {"abs": tol.abs, "rel": tol.rel, "why": tol.why},
                "ok": all(c.decision == Decision.AGREE for c in checks),
                "through_engine": all(c is not None for *_, c in pts),
                "points": [{"at": jsonable(at), "predicted": jsonable(p), "observed": jsonable(o),
                            "decision": chk.decision.value, "precision": jsonable(chk.precision)}
                           for (at, p, o, _), chk in zip(pts, checks)],
            })
        return out

    @property
    def ok(self) -> bool:
        """True when every recorded point is within its claim's tolerance (vacuously true if empty)."""
        return all(r["ok"] for r in self.records())

    def __len__(self) -> int:
        return sum(len(v) for v in self._points.values())
