r"""The squeeze measurement of the AllNC claims: relative squared spreads of the minority's vectors."""

from __future__ import annotations

import numpy as np

from nctheory.claims.sources.allnc.accuracy import SQUEEZE_SQ_TOL
from nctheory.claims.sources.hong_ling.structure import max_pair_sq_distance


def relative_spread_sq(V: np.ndarray, cluster) -> float:
    r""":math:`\max_{j,k\in C}\|v_j - v_k\|^2 / \operatorname{mean}_k\|v_k\|^2` for the rows ``v_k`` of V.

    The denominator averages over **all** rows, so a cluster of vectors that are all tiny (but distinct)
    is not called spread; 0.0 when every row is zero (everything collapsed).
    """
    V = np.asarray(V, dtype=np.float64)
    scale = float(np.mean(np.sum(V * V, axis=1)))
    if scale == 0.0:
        return 0.0
    return max_pair_sq_distance(V, cluster) / scale


def squeeze_state(W, H_mean, minority) -> dict:
    """Relative squared spreads of the minority classifiers and class means, and whether each is squeezed."""
    w = relative_spread_sq(W, minority)
    h = relative_spread_sq(np.asarray(H_mean, dtype=np.float64).T, minority)
    return {"minority_w_spread_sq": w, "minority_h_spread_sq": h,
            "minority_w_squeezed": bool(w <= SQUEEZE_SQ_TOL), "minority_h_squeezed": bool(h <= SQUEEZE_SQ_TOL)}
