"""The human-readable report of a diagnosis (what ``nctheory diagnose`` prints)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from nctheory.present.diagnose.claim import KIND_NOTES

if TYPE_CHECKING:
    from nctheory.present.diagnose.diagnosis import Diagnosis

#: The text report lists every class up to this K (the JSON always has all of them).
TEXT_MAX_CLASSES = 40


def _f(x, spec: str = ".4g") -> str:
    if x is None:
        return "undef"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    return format(float(x), spec)


def _counts_text(counts) -> str:
    """Counts in the CLI's size notation, runs collapsed (``500x5,50x5``)."""
    parts, i, c = [], 0, list(counts)
    while i < len(c):
        j = i
        while j + 1 < len(c) and c[j + 1] == c[i]:
            j += 1
        parts.append(f"{c[i]}x{j - i + 1}" if j > i else f"{c[i]}")
        i = j + 1
    return ",".join(parts)


def _classes_text(idx) -> str:
    idx = list(idx)
    if idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 2:
        return f"{idx[0]}-{idx[-1]}"
    s = ",".join(map(str, idx))
    return s if len(s) <= 20 else s[:17] + "..."


def _value_text(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    a = np.asarray(v)
    if a.ndim == 0:
        try:
            return f"{float(a):.6g}"
        except (TypeError, ValueError):
            return str(v)
    return f"{'x'.join(map(str, a.shape))} array"


def format_text(diag: Diagnosis) -> str:
    """The text report of a :class:`~nctheory.present.diagnose.Diagnosis`."""
    D = diag.data
    o = D["options"]
    unit = "deg" if o["angle_unit"] == "deg" else "rad"
    K = D["K"]
    lines = []
    dt = ", ".join(f"{k} {v}" for k, v in D["dtypes"].items())
    lines.append(f"nctheory diagnose: {D['source']}")
    lines.append(f"  N = {D['N']} samples, d = {D['d']}, K = {K} classes; stored as {dt}")
    if D["ignored_keys"]:
        lines.append(f"  ignored keys: {', '.join(D['ignored_keys'])}")
    lines.append(f"  class counts: {_counts_text(D['counts'])}")
    centre = {"global": "the global (sample) mean h_G", "class": "the mean of the class means", "none": "nothing",
              "vector": "a given vector"}[o["center"]]
    lines.append(f"  class means centred by {centre}; angles in {'degrees' if unit == 'deg' else 'radians'}")

    n1 = D["nc1"]
    lines.append("")
    lines.append("NC1  within-class variability collapse")
    lines.append(f"  tr(Sw Sb^+)/K  (Papyan et al.)        {_f(n1['nc1'])}")
    lines.append(f"  tr(Sw)/tr(Sb)  (Tirer et al.)         {_f(n1['quotient'])}")
    lines.append(f"  CDNV           (Galanti et al.)       {_f(n1['cdnv'])}")

    n2 = D["nc2"]
    g = D["grams"]
    has_w = n2["classifier"] is not None
    lines.append("")
    lines.append("NC2  convergence to a simplex ETF            class means    classifier")
    for key, label in (("equinorm", "equinorm  std/mean of norms"),
                       ("equiangularity", "equiangularity  std of cosines"),
                       ("etf_angle_deviation", "mean |cos + 1/(K-1)|")):
        w = _f(n2["classifier"][key]) if has_w else "-"
        lines.append(f"  {label:<42} {_f(n2['means'][key]):>10}    {w:>10}")
    for t, label in (("etf", "simplex ETF"), ("orthogonal", "orthogonal frame"), ("seli", "SELI at these counts")):
        if t not in g["HH"]:
            continue
        w = _f(g["WW"][t]) if has_w else "-"
        lines.append(f"  {'Gram distance to ' + label:<42} {_f(g['HH'][t]):>10}    {w:>10}")

    if D["nc3"] is not None:
        n3 = D["nc3"]
        lines.append("")
        lines.append("NC3  self-duality")
        lines.append(f"  ||W/||W|| - H~^T/||H~|||| (Papyan)     {_f(n3['self_duality'])}")
        for t, label in (("etf", "simplex ETF"), ("orthogonal", "orthogonal frame"), ("seli", "SELI")):
            if t in g["WH"]:
                lines.append(f"  W H~ distance to {label:<21} {_f(g['WH'][t])}")
        mx = n3["max_angle"]
        where = f" (class {n3['max_angle_class']})" if mx is not None else ""
        lines.append(f"  angle(w_k, h~_k): mean {_f(n3['mean_angle'])} {unit}, max {_f(mx)} {unit}{where}")
        if n3["undefined_angles"]:
            lines.append(f"  angles undefined (zero vector) for classes {n3['undefined_angles']}")
        n4 = D["nc4"]
        lines.append("")
        lines.append("NC4  classifier vs nearest class centre")
        lines.append(f"  agreement {_f(n4['agreement'], '.4f')} ({'with' if n4['bias_used'] else 'without'} bias)")
    else:
        lines.append("")
        lines.append("NC3, NC4: no classifier given")

    pc = D["per_class"]
    lines.append("")
    lines.append(f"minority collapse per cluster (squeeze = max pairwise distance / mean norm; ETF "
                 f"{math.sqrt(2 * K / (K - 1)):.4g})")
    lines.append(f"  {'classes':<20} {'n':>8} {'w squeeze':>10} {'h~ squeeze':>10} {'max angle':>10} {'NC1':>9} "
                 f"{'NC4':>7}")
    for c in D["clusters"]:
        n = "/".join(map(str, c["counts"])) if len(c["counts"]) <= 2 else f"{c['counts'][-1]}..{c['counts'][0]}"
        wq, ma, n4 = ((_f(c["w_squeeze"]), _f(c["max_angle"]), _f(c["nc4"], ".3f")) if has_w else ("-", "-", "-"))
        lines.append(f"  {_classes_text(c['classes']):<20} {n:>8} {wq:>10} {_f(c['h_squeeze']):>10} "
                     f"{ma:>10} {_f(c['nc1'], '.3g'):>9} {n4:>7}")
    if K <= TEXT_MAX_CLASSES:
        lines.append("")
        lines.append("per class (nearest = most similar other class, by cosine)")
        lines.append(f"  {'k':>3} {'n':>7} {'|w|':>9} {'|h~|':>9} {'angle':>8} {'NC1_k':>9} {'NC4_k':>6}  "
                     f"{'nearest w (cos)':>16}  {'nearest h~ (cos)':>16}")
        for k in range(K):
            def near(which):
                j, cval = pc[f"{which}_nearest"][k], pc[f"{which}_nearest_cos"][k]
                return "-" if j is None else f"{j} ({cval:+.3f})"
            wn = "-" if pc["w_norm"] is None else _f(pc["w_norm"][k])
            ang = "-" if pc["self_duality_angle"] is None else _f(pc["self_duality_angle"][k], ".3g")
            nc1k = "-" if pc["nc1"] is None else _f(pc["nc1"][k], ".3g")
            nc4k = "-" if pc["nc4"] is None else _f(pc["nc4"][k], ".3f")
            lines.append(f"  {k:>3} {pc['count'][k]:>7} {wn:>9} {_f(pc['h_norm'][k]):>9} {ang:>8} {nc1k:>9} "
                         f"{nc4k:>6}  {near('w') if pc['w_norm'] is not None else '-':>16}  {near('h'):>16}")
    else:
        lines.append(f"  (K = {K} > {TEXT_MAX_CLASSES}: per-class numbers in --json)")

    cl = D["claim"]
    if cl is not None:
        lines.append("")
        p = cl["problem"]
        defaults = {"bias": "none", "lambda_b": 0.0, "features": "free", "classifier": "learned", "depth": 1,
                    "constraint": "penalty", "e_w": None, "e_h": None}
        shown = [f"{k}={p[k]}" for k in ("lambda_w", "lambda_h", "loss")]
        shown += [f"{k}={v}" for k, v in p.items() if k in defaults and v != defaults[k]]
        lines.append(f"claim {cl['claim']} at the data's class counts ({', '.join(shown)}, d={p['d']})")
        if not cl["applies"]:
            lines.append("  does not apply: " + "; ".join(cl["unmet"]))
        else:
            lines.append("  the claim's own observer reads the arrays as they are (raw class means: the model has no "
                         "common feature offset; the centred geometry is above)")
            lines.append(f"  {'quantity':<26} {'predicted':>14} {'observed':>14}   comparison")
            kinds = set()
            for r in cl["quantities"]:
                kinds.add(r["kind"])
                if r["kind"] == "scale-free":
                    how = f"difference {r['difference']:+.4g}" if np.ndim(r["predicted"]) == 0 else \
                        f"max |difference| {r['difference']:.4g}"
                elif r["kind"] == "shape":
                    how = f"normalised distance {r['difference']:.4g}"
                elif r["kind"] == "boolean":
                    how = r["agreement"]
                else:
                    how = r["kind"] + (f" ({r['note']})" if r.get("note") else "")
                lines.append(f"  {r['quantity']:<26} {_value_text(r['predicted']):>14} "
                             f"{_value_text(r['observed']):>14}   {how}")
            for k in ("scale-free", "shape", "boolean", "scale-dependent"):
                if k in kinds:
                    lines.append(f"  {k}: {KIND_NOTES[k]}")
            lines.append("  (a side-by-side reading: the arrays are not a certified optimum of the model)")
            if cl["notes"]:
                lines.append(f"  prediction: {cl['notes']}")
    if D["notes"]:
        lines.append("")
        for n in D["notes"]:
            lines.append(f"note: {n}")
    return "\n".join(lines)
