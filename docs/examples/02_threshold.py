"""Where does the minority collapse?  The predicted threshold beside a numerical one.

Run:  python docs/examples/02_threshold.py

Hong & Ling's threshold (canonical convention): the minority classes (size n_B) collapse onto one
another iff λN ≥ √n_B, λ = √(λ_W λ_H).  `locate_threshold_lambda` finds the onset independently,
by bisection in λ on certified global solves.
"""

import math

from nctheory import Problem
from nctheory.claims.sources import hong_ling
from nctheory.solvers import solve

problem = Problem(sizes=(200, 200, 20, 20, 20), lambda_w=1e-3, lambda_h=1e-3)
N, n_B = problem.N, min(problem.sizes)

predicted = hong_ling.threshold_lambda(n_B, N)
onset = hong_ling.locate_threshold_lambda(problem, rtol=1e-6, lo=predicted / 3.1, hi=predicted * 4.7)
print(f"sizes {problem.sizes}: predicted λ* = √n_B/N = {predicted:.10f}")
print(f"located by bisection on certified solves: {onset.value:.10f} "
      f"({onset.evaluations} solves, bracket {onset.bracket[0]:.10f} .. {onset.bracket[1]:.10f})")
assert onset.conclusive and onset.bracket[0] <= predicted * (1 + 1e-6) and predicted <= onset.bracket[1] * (1 + 1e-6)

# The same rule read the other way round: at fixed λ, which minority sizes collapse?
lam = 0.012
n_crit = hong_ling.critical_minority_size(n_A=200, K_A=2, K_B=3, lam=lam)
print(f"at λ = {lam:g} and n_A = 200, minority classes of size ≤ {n_crit:.2f} collapse")
for n in (math.floor(n_crit) - 2, math.ceil(n_crit) + 2):
    p = Problem(sizes=(200, 200, n, n, n), lambda_w=lam, lambda_h=lam)
    predicted_bool = hong_ling.THRESHOLD.predict(p).quantities["minority_collapsed"]
    observed_bool = hong_ling.THRESHOLD.observe(p, solve(p))["minority_collapsed"]
    print(f"  n_B = {n}: collapsed predicted {predicted_bool}, solved {observed_bool}")
    assert predicted_bool == observed_bool
