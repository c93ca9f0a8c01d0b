"""Behnia, Kini, Vakilian, Thrampoulidis, AISTATS 2023 (arXiv 2303.07608): CE parameterizations (VS losses: CDT, LDT,
logit adjustment) for label-imbalanced data in the UFM (catalogue §9).

Package layout: :mod:`.formulas` (the CS-SVM of a VS loss, LDT effective sizes, the authors' LDT and CDT forms),
:mod:`.experiments` (the λ → 0 path), :mod:`.requirements` (where each claim applies), :mod:`.symbolic`,
:mod:`.accuracy`, :mod:`.claims`.

The reference solver ``convex:cs-svm`` (:mod:`nctheory.solvers.convex.cs_svm`) is added to the solver registry on
import until the registry lists it itself (idempotent).
"""

from nctheory.solvers.convex.cs_svm import register as _register_cs_svm

_register_cs_svm()

from nctheory.claims.sources.behnia2023.claims import (CDT_STEP, CLAIMS, CS_SVM_LIMIT, LDT_AUTHORS,  # noqa: E402
                                                       LDT_GEOMETRY, SOURCE, SYMMETRIC_GAMMA)
from nctheory.claims.sources.behnia2023.experiments import LimitPath, limit_path  # noqa: E402
from nctheory.claims.sources.behnia2023.formulas import (authors_ldt_point, ldt_solution,  # noqa: E402
                                                         normalised_factors, step_gram_entries, weighted_seli)

__all__ = ["CLAIMS", "SOURCE", "CS_SVM_LIMIT", "LDT_GEOMETRY", "SYMMETRIC_GAMMA", "LDT_AUTHORS", "CDT_STEP",
           "LimitPath", "limit_path", "authors_ldt_point", "ldt_solution", "normalised_factors", "step_gram_entries",
           "weighted_seli"]
