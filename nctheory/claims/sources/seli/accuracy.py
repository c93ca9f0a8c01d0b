"""Tolerances of the SELI claims, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance

#: Allowance for solver noise when checking that a sequence of distances does not increase:
#: certified logits at λ ≤ 1e-5 carry relative errors up to ~1e-4 (flat CE), and normalised
#: Gram distances inherit them.
PATH_NOISE = 1e-3

#: The value refutation margin of the UF-SVM claims.  The conic solution's recovered point may violate the
#: margins by up to the solver's feasibility tolerance δ (Clarabel as run here: 1e-10; the SCS fallback 1e-9),
#: and a point with margins 1 − δ can have objective (1 − δ)·OPT (rescaling it by 1/(1 − δ) makes it
#: feasible), so a value below the prediction by less than ~δ·OPT is no refutation.  Measured on 200 random
#: size profiles (K <= 8, n_k <= 59): :math:`|F - \|SY\|_*|/\|SY\|_*` <= 1.3e-11, never below it, and
#: 1 − min margin <= 2.1e-13.  The margin is the claims' quantity tolerance, :math:`10^{-6} + 10^{-6}|\text{value}|`.
UF_SVM_OBJECTIVE = Tolerance(1e-6, 1e-6, "a conic UF-SVM point may violate the margins by the solver's "
                                         "feasibility tolerance (Clarabel 1e-10, SCS fallback 1e-9), lowering its "
                                         "objective by up to that fraction; measured |objective − ‖SY‖_*|/‖SY‖_* <= "
                                         "1.3e-11 (never below) and 1 − min margin <= 2.1e-13 on 200 random size "
                                         "profiles; 1e-6 as for the other UF-SVM quantities")

#: Measured with the reference ``certified:uf-svm`` (stop 13) on 200 random size profiles (K <= 8, n_k <= 59, seed 1):
#: :math:`\max|W\bar H - S|` = 4.4e-9, relative Gram errors 1.1e-8 (W) and 2.6e-9 (H̄), value 9.8e-11; with
#: ``certified:uf-svm-symmetric`` on 20 random 2-3-group profiles up to K = 1.2e5: 9.9e-10, 1.9e-9, 3.0e-10, 9.8e-11.
MEASURED = "certified:uf-svm: Grams within 1.1e-8 relative, WH̄ within 4.4e-9, value within 9.8e-11 (220 profiles)"

UF_SVM_TOLERANCES = {
    "*": Tolerance(1e-6, 1e-6, "certified UF-SVM solves (and cvxpy/Clarabel ones) reach ~1e-8 relative; logits of a "
                               "max-margin problem are Lipschitz in the solution (no flat directions), so 1e-6 leaves "
                               "a 100x margin; " + MEASURED),
    "objective": UF_SVM_OBJECTIVE,
}

GRAMS_TOLERANCES = {
    "*": Tolerance(1e-6, 1e-5, "certified (and cvxpy/Clarabel) UF-SVM solves to ~1e-8; Grams from one SVD of the "
                               "solved Z inherit ~1e-7, square-root sensitivity near zero singular values (S is "
                               "singular) gives up to ~1e-6; " + MEASURED),
    "objective": UF_SVM_OBJECTIVE,
}

STEP_TOLERANCES = {
    "*": Tolerance(1e-6, 1e-5, "certified (and cvxpy/Clarabel) UF-SVM solves to ~1e-8; Gram entries, ratios and "
                               "cosines inherit ~1e-7..1e-6; " + MEASURED),
    "objective": UF_SVM_OBJECTIVE,
}

PATH_TOLERANCES = {"*": Tolerance(PATH_NOISE, 0.0, "sequence check: a distance may rise by at most the solver noise "
                                                   "1e-3 (certified logits at λ ≤ 1e-5 are accurate to ~1e-4 "
                                                   "relative)")}
