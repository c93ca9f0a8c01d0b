r"""How far a solution's geometry is from SELI: normalised Gram distances (catalogue §8, NC2/NC3 form)."""

from __future__ import annotations

import numpy as np

from nctheory.claims.sources.seli.formulas import seli_targets
from nctheory.geometry import gram_distance
from nctheory.model import Problem
from nctheory.observe import frobenius, grams, is_grouped, normalized, zbar


def seli_distances(problem_or_sizes, solution) -> np.ndarray:
    r"""Distances :math:`\|G/\|G\|_F - T/\|T\|_F\|_F` of :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` to SELI.

    Returns an array of three floats (nan where the solution's Gram is 0: no direction).
    """
    sizes = problem_or_sizes.sizes if isinstance(problem_or_sizes, Problem) else problem_or_sizes
    if is_grouped(solution):
        # the same distance on invariant matrices: ‖·‖_F of a difference of normalised grouped matrices
        T = seli_targets(sizes, grouped=True)
        pairs = ((solution.gram_WW, "WW"), (solution.gram_HH, "HH"), (solution.gram_WH, "WH"))
        return np.asarray([np.nan if frobenius(G) == 0 else frobenius(normalized(G) - normalized(T[key]))
                           for G, key in pairs])
    T = seli_targets(sizes)
    GW, GH = grams(solution)
    out = []
    for G, key in ((GW, "WW"), (GH, "HH"), (zbar(solution), "WH")):
        out.append(np.nan if not np.any(G) else gram_distance(G, T[key], ("solution", "SELI")))
    return np.asarray(out)
