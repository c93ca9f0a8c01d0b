"""Hong & Ling (arXiv 2309.09725): CE in the unconstrained feature model under class imbalance (catalogue §2).

Package layout: :mod:`.formulas` (threshold, zero regime, angle formulas), :mod:`.kkt_system` / :mod:`.kkt`
(the two-cluster KKT system), :mod:`.symbolic` (sympy forms + the numeric function of each), :mod:`.accuracy`
(tolerances, bands), :mod:`.structure` (cluster measurements of a solution), :mod:`.requirements`,
:mod:`.family` (the fields every claim shares), :mod:`.claims` / :mod:`.threshold_claims` (the claims),
:mod:`.experiments` (solver-running checks).
"""

from nctheory.claims.common import REFERENCE_TOL  # noqa: F401  (the claims' reference gap, for callers)
from nctheory.claims.sources.hong_ling.claims import ANGLES, BLOCK, NC1, NO_ETF
from nctheory.claims.sources.hong_ling.experiments import (SequenceCheck, epsilon_family,  # noqa: F401
                                                           epsilon_invariance, etf_direction_path,
                                                           locate_threshold_lambda)
from nctheory.claims.sources.hong_ling.formulas import (angle_formulas, bias_at_zero, collapse_clusters,  # noqa: F401
                                                        critical_epsilon, critical_majority_size,
                                                        critical_minority_size, epsilon, natural_units,
                                                        threshold_lambda, two_clusters, zero_gradient_ratio,
                                                        zero_objective, zero_solution)
from nctheory.claims.sources.hong_ling.kkt import TwoClusterKKT, kkt_for, solve_two_cluster_kkt  # noqa: F401
from nctheory.claims.sources.hong_ling.provenance import PITFALLS, SOURCE  # noqa: F401
from nctheory.claims.sources.hong_ling.structure import collapse_measure, logit_etf_distance  # noqa: F401
from nctheory.claims.sources.hong_ling.threshold_claims import ASYMPTOTIC, THRESHOLD

CLAIMS = [NC1, NO_ETF, BLOCK, ANGLES, THRESHOLD, ASYMPTOTIC]
