r"""The margin constraints of the UF-SVM on compressed columns: Euclidean projection and the smallest margin.

For one column x of :math:`X = \bar ZD^{1/2}` with label entry :math:`x_y` (``own``) and the other entries
:math:`x_c`, the class-mean margins :math:`\bar z_y - \bar z_c \ge 1` read :math:`x_y - x_c \ge s`,
:math:`s = \sqrt{n_y}`.  In compressed form the other entries are the distinct values ``rest[h]`` with
multiplicities ``counts[h]`` (:mod:`nctheory.model.losses.base`; the dense case is ``counts = 1 - I``).

Projection
----------
:math:`\min_y \tfrac12(y_y - x_y)^2 + \tfrac12\sum_c(y_c - x_c)^2` s.t. :math:`y_c \le y_y - s`.  For a fixed label
value :math:`v = y_y` the best others are :math:`y_c = \min(x_c, v - s)`, leaving the convex function

.. math::  \phi(v) = \tfrac12(v - x_y)^2 + \tfrac12\sum_c\mu_c(a_c - v)_+^2, \qquad a_c = x_c + s ,

(:math:`\mu_c` the multiplicities) whose minimiser solves :math:`v - x_y = \sum_c\mu_c(a_c - v)_+`.  With the
:math:`a_c` sorted descending, :math:`A_j = \sum_{i\le j}\mu_ia_i`, :math:`M_j = \sum_{i\le j}\mu_i`, the candidate
with the j largest active is :math:`v_j = (x_y + A_j)/(1 + M_j)`; the solution is :math:`v_j` for the largest j with
:math:`a_j > v_j` (the active set is a prefix of the sorted order, as for the simplex projection), and
:math:`v = x_y` if no :math:`a_c` exceeds :math:`x_y` (the column is feasible).  Columns are independent, and the
constraint set is invariant under permutations inside equal-size groups, so the projection of an invariant
matrix is invariant and is computed on its compressed columns with multiplicities.
"""

from __future__ import annotations

import numpy as np

__all__ = ["project_columns", "smallest_margin"]


def project_columns(own: np.ndarray, rest: np.ndarray, counts: np.ndarray, s: np.ndarray):
    r"""Project every compressed column onto :math:`\{x_y - x_c \ge s\}` (module doc).

    Parameters
    ----------
    own : ndarray, shape (C,)
        Label entries.
    rest : ndarray, shape (R, C)
        Other entries (ignored where ``counts`` is 0).
    counts : ndarray, shape (R, C)
        Multiplicities of the other entries.
    s : ndarray, shape (C,)
        Required margin per column.

    Returns
    -------
    own, rest : ndarray
        The projected columns (``rest`` is 0 where ``counts`` is 0).
    """
    own = np.asarray(own, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    rest = np.where(present, np.asarray(rest, dtype=np.float64), 0.0)
    a = np.where(present, rest + s[None, :], -np.inf)
    order = np.argsort(-a, axis=0, kind="stable")
    a_sorted = np.take_along_axis(a, order, axis=0)
    mu = np.take_along_axis(counts, order, axis=0)
    finite = np.isfinite(a_sorted)
    A = np.cumsum(mu * np.where(finite, a_sorted, 0.0), axis=0)
    M = np.cumsum(mu, axis=0)
    v = (own[None, :] + A) / (1.0 + M)
    active = finite & (a_sorted > v)
    count = active.sum(axis=0)  # the active set is a prefix of the sorted order
    cols = np.arange(own.size)
    v_star = np.where(count > 0, v[np.maximum(count - 1, 0), cols], own)
    v_star = np.maximum(v_star, own)
    new_rest = np.where(present, np.minimum(rest, v_star[None, :] - s[None, :]), 0.0)
    return v_star, new_rest


def smallest_margin(own: np.ndarray, rest: np.ndarray, counts: np.ndarray, s: np.ndarray) -> float:
    r""":math:`\min_{\text{columns}}\min_{c}(x_y - x_c)/s` over present entries (the class-mean margin of
    :math:`\bar Z = XD^{-1/2}`); +inf when no entry is present."""
    present = np.asarray(counts) > 0
    gaps = np.where(present, (np.asarray(own)[None, :] - np.asarray(rest)) / np.asarray(s)[None, :], np.inf)
    return float(gaps.min()) if gaps.size else float("inf")
