r"""Neural-collapse metrics NC1–NC4 and collapse measures (catalogue §8), in float64.

Conventions: features :math:`H \in \mathbb R^{d\times N}` (columns are samples) with integer
``labels`` in ``0..K-1``; class means :math:`\bar H = [\bar h_1 \dots \bar h_K] \in
\mathbb R^{d\times K}`; classifier :math:`W \in \mathbb R^{K\times d}` (rows :math:`w_k`); bias
:math:`b \in \mathbb R^K`.  Every metric that needs only class means also works on a
reduced solution (``Solution.H_mean``); NC1 of class means alone is 0 by definition
(:func:`nc1_from_means`).

Defaults follow the literature (Papyan, Han & Donoho 2020; the rhubarbwu/neural-collapse and
felixsh/nc-toolbox libraries, catalogue §9):

* class means enter NC2 and NC3 **centred by the global mean** :math:`h_G`
  (``center="global"``; with ``counts`` the sample mean :math:`\sum_k n_k\bar h_k/N`, without
  them the mean of the class means, which is the same for balanced classes).  ``center="none"``
  gives the raw means -- the unconstrained feature model's own convention, which claims compare
  against;
* angles are in **degrees** (``unit="rad"`` for radians).

Bad input raises :class:`ValueError` whose message starts with the argument's name.

One concept a module: :mod:`~nctheory.metrics.means` (class means, centring),
:mod:`~nctheory.metrics.within_class` (NC1 family), :mod:`~nctheory.metrics.variability` (class variances,
CDNV), :mod:`~nctheory.metrics.grams` (NC2/NC3 Gram distances), :mod:`~nctheory.metrics.norms_angles`
(equinorm, equiangularity), :mod:`~nctheory.metrics.nearest_center` (NC4), :mod:`~nctheory.metrics.collapse`
(minority collapse), :mod:`~nctheory.metrics.self_duality` (per-class self-duality angles) and
:mod:`~nctheory.metrics.validation` (argument checks).  This package re-exports their public names.
"""

from nctheory.metrics.collapse import MinorityCollapse, minority_collapse, relative_spread
from nctheory.metrics.grams import nc2_h, nc2_w, nc3, self_duality_distance
from nctheory.metrics.means import CENTERS, center_name, centered_means, class_means, global_mean
from nctheory.metrics.nearest_center import nc4, nc4_per_class
from nctheory.metrics.norms_angles import equiangularity, equinorm, etf_angle_deviation
from nctheory.metrics.self_duality import SelfDualityAngles, self_duality_angles
from nctheory.metrics.validation import ANGLE_UNITS
from nctheory.metrics.variability import cdnv, cdnv_matrix, class_variances
from nctheory.metrics.within_class import NC1_RCOND, WEIGHTINGS, nc1, nc1_from_means, nc1_per_class, nc1_quotient

__all__ = [
    "ANGLE_UNITS",
    "CENTERS",
    "NC1_RCOND",
    "MinorityCollapse",
    "SelfDualityAngles",
    "cdnv",
    "cdnv_matrix",
    "center_name",
    "centered_means",
    "class_means",
    "class_variances",
    "equiangularity",
    "equinorm",
    "etf_angle_deviation",
    "global_mean",
    "minority_collapse",
    "nc1",
    "nc1_from_means",
    "nc1_per_class",
    "nc1_quotient",
    "nc2_h",
    "nc2_w",
    "nc3",
    "nc4",
    "nc4_per_class",
    "relative_spread",
    "self_duality_angles",
    "self_duality_distance",
]
