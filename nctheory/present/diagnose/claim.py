r"""A claim's prediction at the data's class sizes beside the same quantities read off the arrays."""

from __future__ import annotations

import math

import numpy as np

from nctheory.present.diagnose.user_arrays import UserArrays

#: A quantity of a claim counts as unchanged under rescaling W and H when it moves by at most this (relative,
#: with the same absolute floor): observers evaluate closed forms in float64, so a scale-free quantity moves
#: by rounding only (~1e-15 relative, ~1e-12 after an SVD); a scale-dependent one moves by O(1).
SCALE_FREE_RTOL = 1e-8


def _dense(v):
    if hasattr(v, "dense") and callable(v.dense):
        return np.asarray(v.dense(), dtype=np.float64)
    return v


def _user_solution(arr: UserArrays, alpha: float, beta: float):
    """The arrays as a :class:`~nctheory.solvers.result.Solution` (samples in class order, raw means, W scaled
    by ``alpha``, features by ``beta``, bias by ``alpha * beta`` so the logits' geometry is kept)."""
    from nctheory import metrics as m
    from nctheory.solvers.result import Solution, Status

    K, d = arr.K, arr.d
    order = np.argsort(arr.labels, kind="stable")
    H = np.ascontiguousarray(arr.features[order].T)
    means = m.class_means(H, arr.labels[order], K)
    W = np.full((K, d), np.nan) if arr.classifier is None else alpha * arr.classifier
    b = np.zeros(K) if arr.bias is None else alpha * beta * arr.bias
    return Solution(W=W, H_mean=beta * means, b=b, logits_mean=(W @ (beta * means)) + b[:, None],
                    objective=math.nan, lower_bound=None, gap=None, status=Status.LOCAL, iterations=0, time_s=0.0,
                    method="user arrays", message="a network's arrays (not a solve)", H=beta * H)


def _classify(pv, obs: list):
    """How predicted value ``pv`` compares with its observations at three scales (see compare_with_claim)."""
    from nctheory.geometry.grams import gram_distance

    o = obs[0]
    if isinstance(pv, (bool, np.bool_)) or isinstance(o, (bool, np.bool_)):
        same = all(bool(x) == bool(o) for x in obs)
        return ("boolean", None, "agree" if bool(pv) == bool(o) else "differ") if same else \
            ("scale-dependent", None, None)
    try:
        P = np.asarray(_dense(pv), dtype=np.float64)
        O = [np.asarray(_dense(x), dtype=np.float64) for x in obs]
    except (TypeError, ValueError):
        return ("not a number", None, None)
    if P.shape != O[0].shape or not all(np.all(np.isfinite(x)) for x in O + [P]):
        return ("not observable", None, None)
    top = max(float(np.max(np.abs(O[0]), initial=0.0)), 1e-300)
    if all(np.allclose(x, O[0], rtol=SCALE_FREE_RTOL, atol=SCALE_FREE_RTOL * top) for x in O[1:]):
        diff = float(np.max(np.abs(O[0] - P))) if P.ndim else float(O[0] - P)
        return ("scale-free", diff, None)
    if P.ndim >= 1 and P.size > 1 and np.any(P != 0) and np.any(O[0] != 0):
        if all(gram_distance(x, O[0]) <= SCALE_FREE_RTOL for x in O[1:]):
            return ("shape", gram_distance(O[0], P), None)
    return ("scale-dependent", None, None)


#: What each comparison kind means (printed under the claim table).
KIND_NOTES = {
    "scale-free": "unchanged when W and the features are rescaled: compared directly (difference observed - predicted)",
    "shape": "compared up to scale: normalised Frobenius distance ||O/||O|| - P/||P||||",
    "boolean": "a yes/no statement, unchanged by rescaling",
    "scale-dependent": "depends on the scale of W and of the features (set by lambda and by training), "
                       "which the network need not share with the model: not compared",
    "not observable": "cannot be read off these arrays",
    "not a number": "not a number",
}


def compare_with_claim(arrays: UserArrays, claim, *, model: dict | None = None) -> dict:
    r"""A claim's prediction at the data's class sizes beside the same quantities read off the arrays.

    The problem is :class:`~nctheory.model.Problem` with ``sizes`` = the data's class counts, ``d`` = the
    features' dimension (unless ``model`` sets it) and the other fields from ``model``.  The observed
    values come from the claim's own observer applied to the arrays as they are (a solution whose samples
    are in class order; raw class means, as the model's claims read them: centring them while the
    predictions stay uncentred would compare unlike things).  Which quantities are comparable is decided by
    measurement, not by name: the observer is run again with :math:`W \to 2W` and with :math:`H \to 3H`
    (bias :math:`b \to \alpha\beta b`, which keeps the logits' geometry):

    * unchanged (relative ``SCALE_FREE_RTOL``): **scale-free** (cosines, ratios, zeros) -- difference shown;
    * unchanged up to a positive factor: **shape** (Grams) -- normalised distance shown;
    * otherwise **scale-dependent** (norms, objective-like values): both shown, not compared, because a
      trained network's scale of W and H is not the model's.

    This is a side-by-side reading, not a verdict: the arrays are not a certified optimum of the model.

    Returns
    -------
    dict
        ``claim, statement, applies, unmet, problem, notes, quantities`` (each ``quantity,
        predicted, observed, kind, difference, agreement``), ``kinds`` (what each kind means).
    """
    from nctheory.claims import get_claim
    from nctheory.model import Problem

    c = get_claim(claim) if isinstance(claim, str) else claim
    fields = dict(model or {})
    if "sizes" in fields:
        raise ValueError("model: sizes come from the data's labels; do not give them")
    fields.setdefault("d", arrays.d)
    problem = Problem(sizes=tuple(int(x) for x in arrays.counts), **fields)
    unmet = c.assumptions(problem)
    out = {"claim": c.id, "statement": " ".join(c.statement.split()), "applies": not unmet, "unmet": unmet,
           "problem": problem.to_dict(), "notes": "", "quantities": [],
           "kinds": KIND_NOTES}
    if unmet:
        return out
    pred = c.predict(problem)
    out["notes"] = pred.notes
    observed, failure = [], None
    for alpha, beta in ((1.0, 1.0), (2.0, 1.0), (1.0, 3.0)):
        sol = _user_solution(arrays, alpha, beta)
        try:
            observed.append(c.observed(problem, sol))
        except Exception as exc:  # noqa: BLE001 (a claim's observer on arbitrary arrays: report, do not crash)
            failure = f"{type(exc).__name__}: {exc}"
            break
    for name, pv in pred.quantities.items():
        row = {"quantity": name, "predicted": _dense(pv), "observed": None, "kind": "not observable",
               "difference": None, "agreement": None}
        if failure is not None:
            row["note"] = f"the claim's observer failed on these arrays ({failure})"
        elif name not in observed[0]:
            row["note"] = "the claim's observer does not read it off these arrays"
        else:
            obs = [o[name] for o in observed]
            row["observed"] = _dense(obs[0])
            kind, diff, agree = _classify(pv, obs)
            if kind == "not observable" and arrays.classifier is None:
                row["note"] = "needs the classifier"
            row.update(kind=kind, difference=diff, agreement=agree)
        out["quantities"].append(row)
    return out
