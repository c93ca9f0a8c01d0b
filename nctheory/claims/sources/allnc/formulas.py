r"""AllNC's premises in the UFM reduce to Hong & Ling's threshold (catalogue §2, §7); helpers to move along λ.

With two clusters the optimal :math:`\bar Z` (HL-block) has a minority block :math:`s_BI + q_BJ` with constant
off-cluster blocks, so :math:`s_B = 0` makes the minority rows of :math:`\bar Z` equal (equal :math:`w_k`, as
:math:`W\propto U\Sigma^{1/2}` of :math:`Y = \bar ZD^{1/2}`) and the minority columns equal (equal :math:`\bar h_k`,
as :math:`\bar H\propto\Sigma^{1/2}V^\top D^{-1/2}` and the minority share one :math:`n_B`).  Both squeezes
therefore start at the HL-threshold :math:`\lambda N = \sqrt{n_B}`, imported from
:mod:`nctheory.claims.sources.hong_ling.formulas` (one formula, one place).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.sources.hong_ling.formulas import threshold_lambda as _cluster_threshold
from nctheory.model import Classifier, Problem


def threshold_lambda(problem: Problem) -> float:
    r"""The HL-threshold :math:`\lambda^* = \sqrt{n_B}/N` of the minority (smallest-size) cluster
    (:math:`\lambda = \sqrt{\lambda_W\lambda_H}`)."""
    return _cluster_threshold(min(problem.sizes), problem.N)


def two_clusters(problem: Problem):
    """``(minority indices, majority indices)`` for a two-size profile, else None."""
    sizes = sorted(set(problem.sizes))
    if len(sizes) != 2:
        return None
    n = np.asarray(problem.sizes)
    return np.flatnonzero(n == sizes[0]), np.flatnonzero(n == sizes[1])


def with_lambda(problem: Problem, lam: float) -> Problem:
    r"""``problem`` with :math:`\sqrt{\lambda_W\lambda_H} = \lambda`, keeping :math:`\lambda_W/\lambda_H`."""
    ratio = math.sqrt(problem.lambda_w / problem.lambda_h)
    return problem.with_(lambda_w=lam * ratio, lambda_h=lam / ratio)


def learned_counterpart(problem: Problem) -> Problem:
    """The same instance with the classifier learned (the model before the 'repair')."""
    return problem.with_(classifier=Classifier.LEARNED, e_w=None, d=None)
