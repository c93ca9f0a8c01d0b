r"""``nctheory report``: a Markdown and an HTML report with figures.

Contents (each figure a PNG beside the report):

1. Gram heatmaps of one certified solution (:math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H`),
   beside the SELI Grams (the λ → 0 limit of ridge CE, catalogue §6) with their distances;
2. cosines and squared norms vs imbalance ratio for a claim (default ``hong-ling/angles``):
   the claim's ``predict()`` as lines, ``observe()`` on certified solves as points;
3. a minority-collapse phase diagram over (ratio, λ) from a sweep, with Hong & Ling's predicted
   onset λ* = √n_B / N drawn as the boundary.
"""

from __future__ import annotations

import html
import math
import os

import numpy as np

from nctheory.present import plots
from nctheory.model import Problem


def _two_cluster(n_major: int, k_major: int, k_minor: int, ratio: float, base: Problem) -> Problem:
    nb = max(1, int(round(n_major / ratio)))
    return base.with_(sizes=(n_major,) * k_major + (nb,) * k_minor)


def _curves(claim_id: str, base: Problem, n_major: int, k_major: int, k_minor: int, ratios, out_dir: str):
    from nctheory.claims import get_claim
    from nctheory.solvers import solve

    claim = get_claim(claim_id)
    pred: dict[str, list] = {}
    obs: dict[str, list] = {}
    rows = []
    for i, r in enumerate(ratios):
        p = _two_cluster(n_major, k_major, k_minor, r, base)
        if claim.assumptions(p):
            rows.append((r, "assumptions unmet: " + "; ".join(claim.assumptions(p))))
            continue
        q = claim.predict(p).quantities
        sol = solve(p, method=claim.methods[0])
        o = claim.observed(p, sol) if sol.success else {}
        rows.append((r, f"{sol.method} {sol.status}"))
        for name, v in q.items():
            if np.ndim(v) == 0 and not isinstance(v, (bool, np.bool_)):
                pred.setdefault(name, [None] * len(ratios))[i] = float(v)
        for name, v in o.items():
            if np.ndim(v) == 0 and not isinstance(v, (bool, np.bool_)):
                obs.setdefault(name, [None] * len(ratios))[i] = float(v)
    figs = []
    for prefix, ylabel in (("cos_", "cosine"), ("w_sq_norm", "squared norm (natural units)"),
                           ("h_sq_norm", "squared norm (natural units)")):
        P = {k: v for k, v in pred.items() if k.startswith(prefix)}
        O = {k: v for k, v in obs.items() if k.startswith(prefix) and k in P}
        if P:
            path = os.path.join(out_dir, f"curves_{prefix.strip('_')}.png")
            plots.curves_vs_ratio(list(ratios), P, O, path, ylabel=ylabel, title=f"{claim_id}: {prefix}* vs ratio")
            worst = max((abs(a - b) for k in O for a, b in zip(P[k], O[k]) if a is not None and b is not None),
                        default=float("nan"))
            figs.append((os.path.basename(path), f"{claim_id}: {prefix}* vs imbalance ratio — lines predicted, "
                         f"circles solved (certified); largest |predicted − solved| = {worst:.1e}"))
    return figs, rows


def build_report(out_dir: str, *, base: Problem | None = None, n_major: int = 500, k_major: int = 2,
                 k_minor: int = 3, ratios=(1.5, 2, 3, 5, 10, 20, 50), lambdas=None,
                 curve_claim: str = "hong-ling/angles", sweep_file: str | None = None, n_jobs: int = 1,
                 progress: bool | None = None) -> dict:
    """Write ``report.md`` and ``report.html`` (+ PNGs) into ``out_dir``; return their paths.

    Parameters
    ----------
    out_dir : str
    base : Problem, optional
        Model options (default: CE, no bias, λ_W = λ_H = 1e-3 for the curves).
    n_major, k_major, k_minor, ratios
        The two-cluster family: k_major classes of n_major, k_minor of n_major / ratio.
    lambdas : sequence of float, optional
        λ grid of the phase diagram (default: 12 values spanning the predicted onsets).
    curve_claim : str
        Claim whose predict/observe give the curves.
    sweep_file : str, optional
        JSON-lines file for the phase-diagram sweep (resumed if present; default out_dir/sweep.jsonl).
    """
    from nctheory.solvers import solve
    from nctheory.geometry import seli_grams
    from nctheory.explore.sweep import Grid, run_sweep

    os.makedirs(out_dir, exist_ok=True)
    base = base or Problem(sizes=(1, 1), lambda_w=1e-3, lambda_h=1e-3)
    sections: list[tuple[str, list, list]] = []  # (title, figures, text lines)

    # 1. Grams of one instance
    p = _two_cluster(n_major, k_major, k_minor, 10.0, base)
    sol = solve(p)
    seli = seli_grams(p.sizes)
    targets = {"W Wᵀ": seli["WW"], "H̄ᵀ H̄": seli["HH"], "W H̄": seli["WH"]}
    path = plots.gram_heatmaps(sol.W, sol.H_mean, os.path.join(out_dir, "grams.png"),
                               title=f"sizes {list(p.sizes)}, λ={p.lam:.1e}: solved vs SELI (λ→0 limit)",
                               targets=targets)
    sections.append(("Gram matrices", [(os.path.basename(path), "solved Grams (top) vs SELI Grams (bottom)")],
                     [f"Instance: sizes {list(p.sizes)}, loss {p.loss}, λ_W = {p.lambda_w:g}, λ_H = {p.lambda_h:g}.",
                      f"Solver: {sol.method}, status {sol.status}, objective {sol.objective:.10g}, "
                      f"gap {sol.gap if sol.gap is None else format(sol.gap, '.1e')}."]))

    # 2. predicted curves vs solved points
    figs, rows = _curves(curve_claim, base, n_major, k_major, k_minor, ratios, out_dir)
    sections.append((f"{curve_claim} vs imbalance ratio", figs, [f"ratio {r:g}: {s}" for r, s in rows]))

    # 3. phase diagram
    if lambdas is None:
        Ns = [k_major * n_major + k_minor * max(1, round(n_major / r)) for r in ratios]
        crit = [math.sqrt(max(1, round(n_major / r))) / N for r, N in zip(ratios, Ns)]
        lambdas = tuple(np.geomspace(min(crit) / 3, max(crit) * 3, 12))
    grid = Grid(base=base.with_(sizes=(1, 1)), n_major=n_major, k_major=k_major, k_minor=k_minor,
                ratios=tuple(float(r) for r in ratios), lambdas=tuple(float(x) for x in lambdas))
    sweep_file = sweep_file or os.path.join(out_dir, "sweep.jsonl")
    recs = run_sweep(grid, sweep_file, n_jobs=n_jobs, progress=progress)

    def boundary(r):
        nb = max(1, round(n_major / r))
        return math.sqrt(nb) / (k_major * n_major + k_minor * nb)

    path = plots.phase_diagram(recs, os.path.join(out_dir, "phase.png"), boundary=boundary,
                               title="minority collapse: solved points vs Hong & Ling's λ* = √n_B/N")
    agree = 0
    judged = 0
    for r in recs:
        if r.get("minority_collapse_measure") is None or r.get("status") != "optimal":
            continue
        judged += 1
        collapsed = r["minority_collapse_measure"] <= plots.COLLAPSE_TOL
        agree += collapsed == (r["lambda"] >= boundary(r["ratio"]))
    sections.append(("Minority-collapse phase diagram", [(os.path.basename(path), "filled = collapsed")],
                     [f"{judged} certified grid points; the solved collapse agrees with λ ≥ √n_B/N at {agree}.",
                      f"Collapsed means: largest squared minority spread (classifiers and means) over the largest "
                      f"squared norm ≤ {plots.COLLAPSE_TOL:g}.",
                      f"Sweep records: {os.path.basename(sweep_file)}"]))
    return _write(out_dir, sections)


def _write(out_dir: str, sections) -> dict:
    md = ["# nctheory report", ""]
    body = ["<h1>nctheory report</h1>"]
    for title, figs, lines in sections:
        md += [f"## {title}", ""] + [f"- {x}" for x in lines] + [""]
        body += [f"<h2>{html.escape(title)}</h2>", "<ul>"] + [f"<li>{html.escape(x)}</li>" for x in lines] + ["</ul>"]
        for fname, caption in figs:
            md += [f"![{caption}]({fname})", "", f"*{caption}*", ""]
            body += [f'<figure><img src="{html.escape(fname)}" alt="{html.escape(caption)}" style="max-width:100%">'
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>"]
    md_path = os.path.join(out_dir, "report.md")
    html_path = os.path.join(out_dir, "report.html")
    with open(md_path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(md) + "\n")
    with open(html_path, "w", encoding="utf-8") as fh:
        fh.write("<!doctype html><html><head><meta charset='utf-8'><title>nctheory report</title></head><body>"
                 + "\n".join(body) + "</body></html>\n")
    return {"markdown": md_path, "html": html_path}
