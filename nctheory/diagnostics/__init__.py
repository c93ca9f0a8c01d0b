r"""All-around Neural Collapse diagnostics (catalogue §7, §8) and pull/push gradient decompositions (§5).

Two tools that work on **any** classifier/feature pair — a solver's :class:`~nctheory.solvers.Solution`,
arrays from a trained network, or an ``.npz`` file:

* :func:`all_around` — NC1 (when samples are given), per-cluster *mean squeeze* and *classifier
  squeeze* (largest pairwise distance inside a cluster relative to the cluster's mean norm), and
  the *self-duality angle* :math:`\angle(w_k, \bar h_k - h_G)` per class and per cluster, in
  degrees.  The class means are centred by the global mean :math:`h_G` by default (the
  literature's convention, :func:`nctheory.metrics.centered_means`); ``center="none"`` keeps the
  raw means (the UFM's convention, which the claims use).  An angle with a zero vector is
  **undefined** and reported as ``None`` (never NaN).
* :func:`feature_gradient_pull_push` / :func:`classifier_gradient_pull_push` — the gradient of the
  cross-entropy (or Yang et al.'s dot-regression) loss split into the *pull* toward the own class
  and the *push* away from the others.

Conventions (catalogue §0): :math:`W \in \mathbb R^{K\times d}` has the class vectors as rows;
features :math:`H \in \mathbb R^{d\times N}` and class means :math:`\bar H \in \mathbb R^{d\times K}`
have them as columns; ``labels`` are integers ``0..K-1``.

One concept a module: :mod:`~nctheory.diagnostics.measure` (the all-around report),
:mod:`~nctheory.diagnostics.reports` (its data classes), :mod:`~nctheory.diagnostics.clusters`
(cluster specifications), :mod:`~nctheory.diagnostics.loading` (reading ``.npz`` files) and
:mod:`~nctheory.diagnostics.pull_push` (gradient decompositions).  This package re-exports their
public names.
"""

from nctheory.diagnostics.clusters import parse_clusters
from nctheory.diagnostics.loading import diagnose, load_arrays
from nctheory.diagnostics.measure import MEANS_MATCH_RTOL, all_around, from_solution
from nctheory.diagnostics.pull_push import (PullPush, classifier_gradient_pull_push, feature_gradient_pull_push,
                                            feature_loss, mean_ce_loss)
from nctheory.diagnostics.reports import AllAround, ClusterReport

__all__ = [
    "AllAround",
    "ClusterReport",
    "PullPush",
    "all_around",
    "classifier_gradient_pull_push",
    "diagnose",
    "feature_gradient_pull_push",
    "feature_loss",
    "from_solution",
    "load_arrays",
    "parse_clusters",
    "mean_ce_loss",
]
