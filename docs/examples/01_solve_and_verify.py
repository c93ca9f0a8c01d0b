"""Solve one model instance to global optimality and check a theorem on it.

Run:  python docs/examples/01_solve_and_verify.py

The instance: cross-entropy, unconstrained features, two classes of 50 samples and three of 5,
λ_W = λ_H = 1e-3 (canonical convention: (λ/2)-penalties, feature penalty summed over samples).
"""

from nctheory import Problem
from nctheory.claims import get_claim
from nctheory.solvers import solve
from nctheory.verify import verify_claim

problem = Problem(sizes=(50, 50, 5, 5, 5), lambda_w=1e-3, lambda_h=1e-3, loss="ce")

# 1. The global minimizer, with a duality-gap certificate.
solution = solve(problem, method="certified")
print(f"status {solution.status}, objective {solution.objective:.10f}, "
      f"certified relative gap {solution.rel_gap:.1e}")
print("mean logits W H̄ (column k = class k):")
print(solution.logits_mean.round(3))

# 2. What Hong & Ling's two-cluster KKT system predicts, quantity by quantity.
claim = get_claim("hong-ling/angles")
print(f"\n{claim.id} [{', '.join(claim.provenance)}]")
prediction = claim.predict(problem)
print("predicted s_B (minority within-cluster logit gap):", round(prediction.quantities["s_B"], 6))

# 3. Prediction vs an independent global solve, under the claim's stated tolerances.
result = verify_claim(claim, problem)
for check in result.checks[:8]:
    print(f"  {check.quantity:<14} abs err {check.abs_err:.1e}   ok {check.ok}")
print(f"verdict: {result.verdict} ({len(result.checks)} checks)")
assert result.verdict == "pass", result.notes
