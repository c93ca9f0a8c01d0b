"""cvxpy reference formulations (independent of the certified solver).

Every function returns a :class:`~nctheory.solvers.result.Solution` with
``method="convex:<formulation>/<solver>"``; status ``"optimal"`` only when cvxpy
reports exactly OPTIMAL (driver policy in :mod:`nctheory.solvers.convex._run`).

=========================  ===============================================================
:func:`solve`              dispatch on the problem's fields
:func:`solve_reduced`      R2, nuclear norm over class-mean logits (catalogue §1)
:func:`solve_full_sample`  the same without assuming NC1 (per-sample logits)
:func:`solve_lpm_sdp`      Fang et al.'s layer-peeled model, Gram SDP (§6)
:func:`solve_uf_svm`       max-margin UF-SVM, SEL matrix (§6)
:func:`solve_fixed_etf`    fixed simplex-ETF classifier, three constraints, CE/MSE/DR (§5)
:func:`relu_dnn_bound`     doubly-nonnegative lower bound for ReLU features (R5)
=========================  ===============================================================
"""

from nctheory.solvers.convex.dispatch import formulation_for, solve  # noqa: F401
from nctheory.solvers.convex.fixed_etf import simplex_etf_rows, solve_fixed_etf  # noqa: F401
from nctheory.solvers.convex.full_sample import solve_full_sample  # noqa: F401
from nctheory.solvers.convex.lpm_sdp import solve_lpm_sdp  # noqa: F401
from nctheory.solvers.convex.reduced import solve_reduced  # noqa: F401
from nctheory.solvers.convex.relu_dnn import relu_dnn_bound  # noqa: F401
from nctheory.solvers.convex.uf_svm import solve_uf_svm  # noqa: F401

__all__ = ["solve", "formulation_for", "solve_reduced", "solve_full_sample", "solve_lpm_sdp", "solve_uf_svm",
           "solve_fixed_etf", "simplex_etf_rows", "relu_dnn_bound"]
