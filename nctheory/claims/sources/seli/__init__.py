"""SELI (Thrampoulidis et al. 2022, arXiv 2208.05512): the simplex-encoded-labels interpolation (catalogue §6).

Package layout: :mod:`.formulas` (SELI Grams, UF-SVM value, (R,ρ)-step forms), :mod:`.distance` (distance of a
solution to SELI), :mod:`.symbolic`, :mod:`.accuracy`, :mod:`.claims`, :mod:`.experiments` (the λ → 0 path).
"""

from nctheory.claims.sources.seli.accuracy import PATH_NOISE  # noqa: F401
from nctheory.claims.sources.seli.claims import (GRAMS, REGULARIZATION_PATH, SOURCE, STEP, UF_SVM,  # noqa: F401
                                                 UF_SVM_METHOD)
from nctheory.claims.sources.seli.distance import seli_distances  # noqa: F401
from nctheory.claims.sources.seli.experiments import PathCheck, regularization_path  # noqa: F401
from nctheory.claims.sources.seli.formulas import seli_targets, step_formulas, step_params  # noqa: F401

CLAIMS = [UF_SVM, GRAMS, STEP, REGULARIZATION_PATH]
