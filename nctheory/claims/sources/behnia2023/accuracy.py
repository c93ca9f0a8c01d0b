"""Tolerances of the Behnia et al. claims, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance

#: Allowance for solver noise when checking that distances along a λ path do not increase (as for SELI's path):
#: certified R2 solves at relative gap 1e-12 leave Gram directions accurate to ~1e-6; the steps between
#: consecutive λ move the distances by >= 1e-2 on the default paths (measured 0.02 .. 0.3).
PATH_NOISE = 1e-3

#: CS-SVM quantities: cvxpy/Clarabel solves certified by the dual bound (relative gaps <= 7.2e-12 measured); the
#: recovered quantities agree with the closed forms to <= 7.5e-10 absolute (LDT, 40 random instances: K <= 8,
#: sizes <= 79, ω in [0.2, 5]), <= 1.7e-12 (γ = 1/2, 40 instances) and <= 1.0e-7 (the authors' CDT forms, 28 random
#: (R, 1/2)-steps: R <= 300, n_B <= 4, γ in [-1, 1.5], where tiny temperatures make the problem badly scaled);
#: 1e-6 absolute leaves a factor 10 there, 1e-5 relative covers large entries.
CS_SVM = Tolerance(1e-6, 1e-5, "certified CS-SVM solves (Clarabel, dual-bound rel gap <= 7.2e-12): measured worst "
                               "deviation from the closed forms 7.5e-10 (LDT, 40 random instances), 1.0e-7 (CDT, 28 "
                               "random (R, 1/2)-steps with γ in [-1, 1.5]); 1e-6 absolute + 1e-5 relative")

#: The value refutation margin: the solver returns the value of an exactly feasible point (scaled into the margins
#: in float64), so it is never below the true optimum; a predicted value above the certified optimum by more than
#: this relative amount is a refutation.  The closed-form values are exact to rounding (~1e-15 relative).
OBJECTIVE = Tolerance(0.0, 1e-7, "the solver's objective is the value of an exactly feasible point (>= the optimum); "
                                 "the certified gap is <= 1e-10 relative; 1e-7 leaves a factor 1000")

CS_SVM_TOLERANCES = {"*": CS_SVM, "objective": OBJECTIVE}

PATH_TOLERANCES = {"*": Tolerance(PATH_NOISE, 0.0, "sequence check: a distance may rise by at most the solver noise "
                                                   "1e-3 between consecutive λ")}
