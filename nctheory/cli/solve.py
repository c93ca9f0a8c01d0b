"""``nctheory solve``: solve one model instance to global optimality (JSON keys in DESIGN.md).

Exit 0 when the answer is optimal (or the best of local solves, status ``local``), 3 otherwise
(including a ``--time-limit`` that stopped the solver).
"""

from __future__ import annotations

import sys

import numpy as np

from nctheory.cli.args import add_method, add_json, add_problem_args, add_time_limit, problem_from_args
from nctheory.cli.output import emit_json
from nctheory.cli.preflight import preflight


#: One line for ``nctheory --help``.
HELP = "solve one model instance to global optimality"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("solve", help=HELP)
    add_problem_args(p)
    add_method(p, lazy=lazy, help="solver (default auto: the exact reference for the model)")
    add_time_limit(p)
    add_json(p)
    p.set_defaults(func=run)


#: Largest K whose mean logits a grouped answer forms densely (``grouped_matrix.DENSE_MAX_K``).
DENSE_LOGITS_MAX_K = 2000


def run(args) -> int:
    problem = problem_from_args(args)
    method = preflight(problem, args.method, json_out=args.json)
    from nctheory.solvers import solve

    options = args.time_budget.solver_options(method).get(method, {})
    sol = solve(problem, method=method, **options)
    if args.json:
        # the answer, the problem it answers and the options the solve used (schema solve.json)
        emit_json({**sol.to_json(), "problem": problem.to_dict(), "options": dict(sol.options)}, command="solve")
    else:
        gap = "n/a" if sol.gap is None else f"{sol.gap:.3e}"
        print(f"method     {sol.method}")
        print(f"status     {sol.status.value}   {sol.message}")
        print(f"objective  {sol.objective:.12g}")
        if sol.lower_bound is not None:
            print(f"lower bnd  {sol.lower_bound:.12g}   gap {gap}   certified {sol.certified}")
        print(f"time       {sol.time_s:.3f} s   iterations {sol.iterations}")
        if hasattr(sol, "structure") and sol.K > DENSE_LOGITS_MAX_K:  # a grouped answer: never formed densely
            print(f"mean logits: K = {sol.K} classes in {sol.structure.C} size groups, kept in grouped form "
                  "(--json has the grouped blocks)")
        else:
            print("mean logits (column k = class k):")
            print(np.array2string(np.asarray(sol.logits_mean), precision=5, suppress_small=True))
    if args.time_budget.expired() and sol.status.value not in ("optimal", "local"):
        print(f"time limit of {args.time_budget.seconds:g} s reached before the solve finished", file=sys.stderr)
    return 0 if sol.status.value in ("optimal", "local") else 3
