r"""Diagnose a user's own network arrays against Neural Collapse theory (``nctheory diagnose FILE``).

Input (the deep-learning convention, **one row per sample**): ``features`` (N × d), ``labels`` (N,),
optionally ``classifier`` (K × d, row k is class k's weight vector) and ``bias`` (K,), from an ``.npz``
archive, a folder of ``<name>.npy`` files, a list of ``.npy`` files named after the arrays, or a mapping of
arrays.  Other keys in an archive (``epoch``, ``accuracy``, ...) are ignored and listed; pickled object arrays
are refused (``allow_pickle=False``); everything is computed in float64.  The library's metrics take
features as d × N (columns are samples): this module transposes once.

What is reported (notation: class means :math:`\bar h_k`, global mean :math:`h_G`, centred means
:math:`\tilde h_k = \bar h_k - h_G`, :math:`\tilde H = [\tilde h_k]`, classifier W; formulas in
:mod:`nctheory.metrics`):

* **NC1** -- Papyan et al.'s :math:`\operatorname{tr}(\Sigma_W\Sigma_B^+)/K`, its per-class shares
  :math:`\operatorname{tr}(\Sigma_k\Sigma_B^+)/K`, Tirer et al.'s
  :math:`\operatorname{tr}\Sigma_W/\operatorname{tr}\Sigma_B`
  and Galanti et al.'s class-distance normalised variance (CDNV);
* **NC2** -- equinorm (coefficient of variation of :math:`\|\tilde h_k\|` and of :math:`\|w_k\|`),
  equiangularity (std of the pairwise cosines), mean :math:`|\cos + 1/(K-1)|`, and the normalised
  Frobenius distance of the Grams :math:`\tilde H^\top\tilde H` and :math:`WW^\top` to the simplex ETF, to
  the orthogonal frame and to the SELI geometry at the data's class sizes;
* **NC3** -- self-duality :math:`\|W/\|W\|_F - \tilde H^\top/\|\tilde H\|_F\|_F`, the distance of
  :math:`W\tilde H` to the same three targets, and the angle :math:`\angle(w_k,\tilde h_k)` per class (degrees);
* **NC4** -- agreement of :math:`\arg\max_k(Wh + b)_k` with the nearest class centre, overall and per class;
* **minority collapse** -- per cluster (classes of equal sample count by default) the largest pairwise
  distance of classifiers / centred means relative to their mean norm; per class, the nearest other class
  (cosine and relative distance);
* with a claim: its prediction at the data's class sizes beside the same quantities read off the arrays
  by the claim's own observer (:func:`compare_with_claim`), with which of them are comparable.

The SELI targets are centred like the observed means (:math:`\tilde H = \bar H C`,
:math:`C = I - w\mathbf 1^\top` with w the centring weights), so like is compared with like.

One concept a module: :mod:`~nctheory.present.diagnose.reading` (reading the arrays),
:mod:`~nctheory.present.diagnose.user_arrays` (validating them), :mod:`~nctheory.present.diagnose.cluster_spec`
(the command-line cluster form), :mod:`~nctheory.present.diagnose.measure` (the numbers),
:mod:`~nctheory.present.diagnose.claim` (a claim beside the arrays), :mod:`~nctheory.present.diagnose.diagnosis`
(the result), :mod:`~nctheory.present.diagnose.text` (its report) and :mod:`~nctheory.present.diagnose.figure`
(its figure).  This package re-exports their public names.
"""

from nctheory.present.diagnose.claim import KIND_NOTES, SCALE_FREE_RTOL, compare_with_claim
from nctheory.present.diagnose.cluster_spec import parse_cluster_spec
from nctheory.present.diagnose.diagnosis import Diagnosis
from nctheory.present.diagnose.figure import plot_diagnosis
from nctheory.present.diagnose.measure import SELI_MAX_K, diagnose
from nctheory.present.diagnose.reading import ARRAY_NAMES, REQUIRED, load_user_arrays
from nctheory.present.diagnose.text import TEXT_MAX_CLASSES, format_text
from nctheory.present.diagnose.user_arrays import UserArrays, validate_arrays

__all__ = [
    "ARRAY_NAMES", "REQUIRED", "SELI_MAX_K", "TEXT_MAX_CLASSES", "SCALE_FREE_RTOL", "KIND_NOTES",
    "UserArrays", "validate_arrays", "load_user_arrays", "parse_cluster_spec",
    "Diagnosis", "diagnose", "compare_with_claim", "format_text", "plot_diagnosis",
]
