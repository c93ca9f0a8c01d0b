r"""Reference geometries (simplex ETF, orthogonal frame, SEL/SELI) and Gram/cosine helpers.

Notation (catalogue §0): K classes with sizes :math:`n_k`, :math:`D = \operatorname{diag}(n)`,
:math:`J = 11^\top`, :math:`S = I - J/K` (the centering matrix).  A classifier
:math:`W \in \mathbb R^{K\times d}` stores the class vectors as **rows**; class means
:math:`\bar H \in \mathbb R^{d\times K}` store them as **columns**.  Functions that take a
matrix of vectors say which with ``axis="rows"`` or ``axis="cols"``.

Everything is float64.  Bad input raises :class:`ValueError` whose message starts with the
offending argument's name.

One concept a module: :mod:`~nctheory.geometry.frames` (centering, simplex ETF, orthogonal
frame), :mod:`~nctheory.geometry.seli` (SEL matrix, SELI Grams), :mod:`~nctheory.geometry.psd`
(PSD square root), :mod:`~nctheory.geometry.grams` (Grams, norms, Gram distance),
:mod:`~nctheory.geometry.cosines` (cosines with undefined entries),
:mod:`~nctheory.geometry.rotation` (Haar rotations) and :mod:`~nctheory.geometry.validation`
(argument checks).  This package re-exports their public names.
"""

from nctheory.geometry.cosines import ZERO_TOL, Cosines, cosine, cosine_matrix, paired_cosines
from nctheory.geometry.frames import centering, etf_gram, helmert_basis, orthogonal_frame, simplex_etf
from nctheory.geometry.grams import gram, gram_distance, norms
from nctheory.geometry.psd import PSD_NEG_TOL, psd_sqrt
from nctheory.geometry.rotation import random_rotation
from nctheory.geometry.seli import one_hot_labels, sel_matrix, seli_grams
from nctheory.geometry.validation import as_float_array

__all__ = [
    "ZERO_TOL", "PSD_NEG_TOL", "as_float_array", "random_rotation",
    "centering", "etf_gram", "helmert_basis", "simplex_etf", "orthogonal_frame",
    "one_hot_labels", "sel_matrix", "psd_sqrt", "seli_grams",
    "gram", "norms", "Cosines", "cosine", "cosine_matrix", "paired_cosines", "gram_distance",
]
