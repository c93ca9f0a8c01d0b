r"""Pull/push decompositions of loss gradients (catalogue §5): toward the own class, away from the others."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.geometry.validation import as_float_array


@dataclass(frozen=True)
class PullPush:
    r"""A gradient split into the pull toward the own class and the push from the others.

    ``gradient = pull + push`` exactly.
    """

    pull: np.ndarray
    push: np.ndarray

    @property
    def gradient(self) -> np.ndarray:
        return self.pull + self.push


def _softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def _check_label(label, K: int) -> int:
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) or not 0 <= label < K:
        raise ValueError(f"label: must be an integer class index in 0..{K - 1}, got {label!r}")
    return int(label)


def _check_feature(W, h, label) -> tuple[np.ndarray, np.ndarray, int]:
    """W (K×d) and one feature h (length d) as float64 arrays, and its class index."""
    W = as_float_array("W", W, ndim=2)
    h = as_float_array("h", h, ndim=1)
    if h.size != W.shape[1]:
        raise ValueError(f"h: has {h.size} entries, W has d = {W.shape[1]} columns")
    return W, h, _check_label(label, W.shape[0])


def _dr_target(W: np.ndarray, c: int, e_h) -> float:
    if e_h is None:
        raise ValueError("e_h: the dot-regression loss needs the feature budget E_H")
    if isinstance(e_h, bool) or not np.isfinite(float(e_h)) or float(e_h) <= 0:
        raise ValueError(f"e_h: must be > 0, got {e_h!r}")
    e_w = float(W[c] @ W[c])
    if e_w == 0.0:
        raise ValueError(f"W: row {c} is zero; the dot-regression target sqrt(E_W E_H) is 0")
    return float(np.sqrt(e_w * float(e_h)))


def feature_loss(W, h, label, *, loss: str = "ce", e_h=None) -> float:
    r"""Loss of one feature ``h`` of class ``label`` under classifier W.

    * ``"ce"``: :math:`\operatorname{logsumexp}(Wh) - w_c^\top h`.
    * ``"dr"`` (dot regression, Yang et al. 2022, catalogue §5):
      :math:`(w_c^\top h - \sqrt{E_WE_H})^2 / (2\sqrt{E_WE_H})` with :math:`E_W = \|w_c\|^2`.
    """
    W, h, c = _check_feature(W, h, label)
    if loss == "ce":
        z = W @ h
        m = float(np.max(z))
        return float(m + np.log(np.sum(np.exp(z - m))) - z[c])
    if loss == "dr":
        t = _dr_target(W, c, e_h)
        return float((W[c] @ h - t) ** 2 / (2.0 * t))
    raise ValueError(f"loss: must be 'ce' or 'dr', got {loss!r}")


def feature_gradient_pull_push(W, h, label, *, loss: str = "ce", e_h=None) -> PullPush:
    r"""Gradient of :func:`feature_loss` in ``h``, split into pull and push (Yang et al. 2022, §5).

    CE with :math:`p = \operatorname{softmax}(Wh)`:

    .. math::

        \nabla_h \ell = \underbrace{-(1 - p_c)\,w_c}_{\text{pull}}
                      + \underbrace{\textstyle\sum_{j\ne c} p_j\, w_j}_{\text{push}} .

    Dot regression: :math:`\nabla_h\ell = \frac{w_c^\top h - \sqrt{E_WE_H}}{\sqrt{E_WE_H}}\,w_c`, all
    pull, push = 0.  At :math:`\|h\| = \sqrt{E_H}` this is
    :math:`-(1 - \cos\angle(h, w_c))\,w_c` (catalogue §5, ETF-DR).
    """
    W, h, c = _check_feature(W, h, label)
    if loss == "ce":
        p = _softmax(W @ h)
        pull = -(1.0 - p[c]) * W[c]
        q = p.copy()
        q[c] = 0.0
        return PullPush(pull=pull, push=W.T @ q)
    if loss == "dr":
        t = _dr_target(W, c, e_h)
        return PullPush(pull=((W[c] @ h - t) / t) * W[c], push=np.zeros_like(h))
    raise ValueError(f"loss: must be 'ce' or 'dr', got {loss!r}")


def mean_ce_loss(W, H, labels) -> float:
    r"""Average cross-entropy :math:`\frac1N\sum_i \ell_{CE}(Wh_i, y_i)` (no bias)."""
    W = as_float_array("W", W, ndim=2)
    H = as_float_array("H", H, ndim=2)
    lab = np.asarray(labels).astype(np.int64)
    Z = W @ H
    m = np.max(Z, axis=0)
    lse = m + np.log(np.sum(np.exp(Z - m), axis=0))
    return float(np.mean(lse - Z[lab, np.arange(lab.size)]))


def classifier_gradient_pull_push(W, H, labels, k) -> PullPush:
    r"""Gradient of :func:`mean_ce_loss` in the classifier row :math:`w_k`, split into pull and push.

    With :math:`p_i = \operatorname{softmax}(Wh_i)`:

    .. math::

        \nabla_{w_k} = \underbrace{-\frac1N\sum_{i: y_i = k}(1 - p_{i,k})\,h_i}_{\text{pull (own features)}}
                     + \underbrace{\frac1N\sum_{i: y_i\ne k} p_{i,k}\,h_i}_{\text{push (other classes)}} .

    Under imbalance a minority :math:`w_k` has few pull terms and many push terms — the
    gradient argument for minority collapse (catalogue §5).
    """
    W = as_float_array("W", W, ndim=2)
    H = as_float_array("H", H, ndim=2)
    K, d = W.shape
    if H.shape[0] != d:
        raise ValueError(f"H: has {H.shape[0]} rows, W has d = {d} columns")
    lab = np.asarray(labels)
    if lab.shape != (H.shape[1],) or lab.dtype.kind not in "iu":
        raise ValueError(f"labels: expected {H.shape[1]} integer labels, got shape {lab.shape}, dtype {lab.dtype}")
    k = _check_label(k, K)
    P = _softmax(W @ H, axis=0)
    N = H.shape[1]
    own = lab == k
    pull = -(H[:, own] @ (1.0 - P[k, own])) / N
    push = (H[:, ~own] @ P[k, ~own]) / N
    return PullPush(pull=pull, push=push)
