r"""NC4: agreement of the classifier's decisions with the nearest class centre."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.validation import as_float_array
from nctheory.metrics.means import _means
from nctheory.metrics.validation import _check_labels, _check_means, _check_W


def _nc4_decisions(H, labels, W, b, means):
    H = as_float_array("H", H, ndim=2)
    W = _check_W(W)
    K = W.shape[0]
    if W.shape[1] != H.shape[0]:
        raise ValueError(f"W: has {W.shape[1]} columns but the features have dimension {H.shape[0]}")
    lab = None
    if labels is not None:
        lab, _ = _check_labels(labels, H.shape[1], K)
    if means is None:
        if lab is None:
            raise ValueError("labels: required to compute class centres when means is not given")
        M = _means(H, lab, K)
    else:
        M = _check_means(means, "means")
        if M.shape != (H.shape[0], K):
            raise ValueError(f"means: expected shape {(H.shape[0], K)}, got {M.shape}")
    logits = W @ H
    if b is not None:
        bb = as_float_array("b", b, ndim=1)
        if bb.size != K:
            raise ValueError(f"b: has {bb.size} entries but W has K = {K} rows")
        logits = logits + bb[:, None]
    pred = np.argmax(logits, axis=0)
    # squared distances up to the per-sample constant ||h_i||^2
    dist = np.sum(M * M, axis=0)[:, None] - 2.0 * (M.T @ H)
    ncc = np.argmin(dist, axis=0)
    return pred, ncc, lab, K


def nc4(H, labels, W, b=None, means=None) -> float:
    r"""NC4: fraction of samples on which the classifier agrees with the nearest class centre.

    Classifier decision :math:`\arg\max_k (Wh_i + b)_k`; nearest-centre decision
    :math:`\arg\min_k \|h_i - \bar h_k\|`.  Ties resolve to the lowest class index in both.
    Papyan et al. plot the mismatch, 1 minus this.

    Parameters
    ----------
    H : array_like, shape (d, N)
    labels : array_like of int, shape (N,) or None
        Used to compute the centres (class means of H); may be None when ``means`` is given.
    W : array_like, shape (K, d)
    b : array_like, shape (K,), optional
    means : array_like, shape (d, K), optional
        Class centres to use instead of the class means of ``H`` (e.g. training means when
        ``H`` holds test features).

    Returns
    -------
    float in [0, 1]
    """
    pred, ncc, _, _ = _nc4_decisions(H, labels, W, b, means)
    return float(np.mean(pred == ncc))


def nc4_per_class(H, labels, W, b=None, means=None) -> np.ndarray:
    r"""NC4 agreement (:func:`nc4`) among the samples of each class: shape (K,), entries in [0, 1].

    ``labels`` are required (they define the classes); their sample-weighted average is :func:`nc4`.
    """
    if labels is None:
        raise ValueError("labels: required for the per-class agreement")
    pred, ncc, lab, K = _nc4_decisions(H, labels, W, b, means)
    return np.bincount(lab, weights=(pred == ncc).astype(np.float64), minlength=K) / np.bincount(lab, minlength=K)
