r"""Balancedness of the layers of a deep linear classifier (an observed quantity of the Dang et al. 2023 claims)."""

from __future__ import annotations

import numpy as np


def layer_imbalance(layers) -> float:
    r"""Largest relative violation of balancedness between adjacent layers,

    .. math::

        \max_i \frac{\|W_{i+1}^\top W_{i+1} - W_i W_i^\top\|_F}{\max(1, \|W_i W_i^\top\|_F)},

    for layers in multiplication order :math:`W_1, \dots, W_M` (:math:`P = W_M\cdots W_1`; the order is detected
    from the shapes).  Zero at every stationary point of the penalised model: for the loss part L of the
    objective, :math:`W_{i+1}^\top\nabla_{W_{i+1}}L = \nabla_{W_i}L\,W_i^\top` (with
    :math:`P = U W_{i+1}W_i V` and :math:`\Gamma = \nabla_P L` both equal :math:`W_{i+1}^\top U^\top\Gamma V^\top W_i^\top`), so stationarity leaves
    :math:`\lambda_W(W_{i+1}^\top W_{i+1} - W_iW_i^\top) = 0`.
    """
    mats = [np.asarray(L, dtype=np.float64) for L in layers]
    if len(mats) < 2:
        return 0.0

    def chains(ms):
        return all(ms[i + 1].shape[1] == ms[i].shape[0] for i in range(len(ms) - 1))

    if not chains(mats):
        mats = mats[::-1]
        if not chains(mats):
            raise ValueError("layers: shapes do not chain into a product W_M ... W_1")
    worst = 0.0
    for lower, upper in zip(mats[:-1], mats[1:]):
        a = upper.T @ upper
        b = lower @ lower.T
        worst = max(worst, float(np.linalg.norm(a - b) / max(1.0, np.linalg.norm(b))))
    return worst
