r"""Cross-entropy, :math:`\ell(z, y) = \operatorname{logsumexp}(z) - z_y`.

* Gradient :math:`p - e_y`, :math:`p = \operatorname{softmax}(z)`; Hessian
  :math:`\operatorname{diag}(p) - pp^\top \preceq \tfrac12 I` (curvature 1/2); shift invariant.
* Conjugate: :math:`\ell^*(u, y) = \sum_i q_i\log q_i` with :math:`q = u + e_y` a probability
  vector (:math:`0\log 0 = 0`), :math:`+\infty` otherwise.  So :math:`-\ell^*` is the entropy
  :math:`\mathcal H(q)` and the domain (a shifted simplex) is convex and contains 0.
* Numerics: values use the column maximum shifted out and, when the true class holds the maximum,
  :math:`\operatorname{log1p}(\sum_{i\ne y}e^{z_i - z_y})` -- exact for tiny losses (large margins).  The
  entropy's label term is :math:`(1 + u_y)\operatorname{log1p}(u_y)`, exact when :math:`q_y \to 1`,
  so certificates stay meaningful when the objective is far below 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.losses.base import Loss, nonnegative_segment, one_hot

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True, eq=False)
class CrossEntropy(Loss):
    """Softmax cross-entropy (module doc)."""

    name = "ce"
    shift_invariant = True

    @property
    def curvature(self) -> float:
        return 0.5

    def value_grad(self, Z, labels):
        Z = np.asarray(Z, dtype=np.float64)
        cols = np.arange(Z.shape[1])
        shift = Z.max(axis=0)
        E = np.exp(Z - shift)
        true = Z[labels, cols]
        e_true = E[labels, cols]
        E[labels, cols] = 0.0
        others = E.sum(axis=0)  # summed directly: no cancellation when the true class dominates
        total = others + e_true
        true_is_max = true >= shift
        # true class at the max: e_true = 1 and the loss is log1p(others), exact for tiny losses
        values = np.where(true_is_max, np.log1p(others), (shift - true) + np.log(total))
        G = E / total
        G[labels, cols] = -others / total  # = p_y - 1 without cancellation
        return values, G

    def hessian_sum(self, Z, labels, weights):
        Z = np.asarray(Z, dtype=np.float64)
        E = np.exp(Z - Z.max(axis=0))
        P = E / E.sum(axis=0)
        return np.diag(P @ weights) - (P * weights) @ P.T

    # The dual is handled in u-space (u = q - e_y): off-label entries are the probabilities themselves and
    # the label entry is -(their sum), so sums and entropies stay accurate relative to the (possibly tiny)
    # off-label mass; in q-space the label entry 1 - δ would carry an absolute rounding error of ε.
    @staticmethod
    def _split(U, labels):
        U = np.asarray(U, dtype=np.float64)
        cols = np.arange(U.shape[1])
        off = U.copy()
        off[labels, cols] = 0.0
        return U, cols, off, U[labels, cols]

    def neg_conjugate(self, U, labels):
        U, cols, off, u_true = self._split(U, labels)
        K, m = U.shape
        mass = np.abs(off).sum(axis=0) + np.abs(u_true)
        scale = 64.0 * K * _EPS * np.maximum(mass, 1e-300)
        bad = (np.abs(off.sum(axis=0) + u_true) > scale) | np.any(off < -scale, axis=0) | (u_true < -1.0 - 64 * K * _EPS)
        q = np.maximum(off, 0.0)  # off-label probabilities (entries within rounding of 0 count as 0)
        safe = np.where(q > 0.0, q, 1.0)
        terms = -q * np.log(safe)
        u = np.clip(u_true, -1.0, 0.0)
        label_term = np.where(u > -1.0, -(1.0 + u) * np.log1p(np.maximum(u, -1.0 + 1e-16)), 0.0)
        out = np.ascontiguousarray(terms.T).sum(axis=1) + label_term  # pairwise summation per column
        out[bad] = -np.inf
        return out

    def dual_segment(self, U_in, U_out, labels):
        U_in, cols, off_in, t_in = self._split(U_in, labels)
        U_out, _, off_out, t_out = self._split(U_out, labels)
        mass = np.abs(off_out).sum(axis=0) + np.abs(t_out)
        if np.any(np.abs(off_out.sum(axis=0) + t_out) > 64.0 * U_out.shape[0] * _EPS * np.maximum(mass, 1e-300)):
            return 0.0
        q_in = np.concatenate([off_in.ravel(), 1.0 + t_in])
        q_out = np.concatenate([off_out.ravel(), 1.0 + t_out])
        return nonnegative_segment(q_in, q_out)

    def dual_zero_bias(self, U, weights, labels):
        r""":math:`U' = U - (Uc)\mathbf 1^	op/\mathbf 1^	op c` (column sums and the simplex shape are kept;
        :math:`U'c = 0`), mixed toward the stationary point :math:`t\mathbf 1^	op/\mathbf 1^	op c - E`
        (t = Ec) if that made a probability negative."""
        U, cols, _, _ = self._split(U, labels)
        K, m = U.shape
        c = np.asarray(weights, dtype=np.float64)
        total = float(c.sum())
        U2 = U - np.outer(U @ c / total, np.ones(m))
        _, _, off2, t2 = self._split(U2, labels)
        if np.any(off2 < 0.0) or np.any(t2 < -1.0):
            E = one_hot(np.asarray(labels), K)
            T = np.outer(E @ c / total, np.ones(m)) - E  # stationary, in the domain
            Q2, QT = U2 + E, T + E
            neg = Q2 < 0.0
            theta = float(np.max(-Q2[neg] / (QT[neg] - Q2[neg])))
            U2 = (1.0 - theta) * U2 + theta * T
            _, _, off3, t3 = self._split(U2, labels)
            off3 = np.maximum(off3, 0.0)
            U2 = off3.copy()
            U2[labels, cols] = -off3.sum(axis=0)
        return U2

    def cvxpy(self, logits, labels, weights):
        import cvxpy as cp

        K = logits.shape[0]
        E = one_hot(np.asarray(labels), K)
        c = np.asarray(weights, dtype=np.float64)
        return c @ cp.log_sum_exp(logits, axis=0) - c @ cp.sum(cp.multiply(E, logits), axis=0)

    # ------------------------------------------------------------------ compressed columns ("grouped")
    # A compressed column (nctheory.model.losses.base, "Compressed columns") is the label logit ``own`` and the
    # distinct other logits ``rest[h]`` repeated ``counts[h]`` times.  Same numerics as above: the maximum shifted
    # out, log1p when the label holds the maximum, the dual in u-space (off-label probabilities themselves, the
    # label entry minus their sum), every sum over the C distinct values weighted by its multiplicity.
    @staticmethod
    def _compressed(own, rest, counts):
        own = np.asarray(own, dtype=np.float64)
        rest = np.asarray(rest, dtype=np.float64)
        counts = np.asarray(counts, dtype=np.float64)
        present = counts > 0
        return own, np.where(present, rest, 0.0), counts, present

    def grouped_value_grad(self, own, rest, counts):
        r"""Cross-entropy of compressed columns: with :math:`c_h` = ``counts[h]`` and the shift
        :math:`M = \max(z_y, \max_{c_h>0} r_h)`, :math:`S = \sum_h c_h e^{r_h - M}` (the off-label mass),

        .. math::  \ell = \log(e^{z_y - M} + S) + M - z_y \quad(= \operatorname{log1p}(S) \text{ if } z_y = M),

        gradient :math:`e^{r_h - M}/T` per off-label entry and :math:`-S/T` for the label
        (:math:`T = e^{z_y-M} + S`)."""
        own, rest, counts, present = self._compressed(own, rest, counts)
        masked = np.where(present, rest, -np.inf)
        shift = np.maximum(own, masked.max(axis=0))
        E = np.where(present, np.exp(masked - shift), 0.0)
        others = (counts * E).sum(axis=0)  # off-label mass summed directly: exact when the label dominates
        e_own = np.exp(own - shift)
        total = others + e_own
        values = np.where(own >= shift, np.log1p(others), (shift - own) + np.log(total))
        return values, -others / total, E / total

    def grouped_hessian_sum(self, own, rest, counts, weights):
        r""":math:`\sum_g m_g w_g(\operatorname{diag}(P_g) - P_gP_g^\top)`, :math:`P_g[h]` = the softmax mass of row
        group h in column g (:math:`c_{hg}p_{hg} + \delta_{hg}p_{y}`), :math:`m_g` = ``counts[g, g] + 1``."""
        own, rest, counts, present = self._compressed(own, rest, counts)
        masked = np.where(present, rest, -np.inf)
        shift = np.maximum(own, masked.max(axis=0))
        E = np.where(present, np.exp(masked - shift), 0.0)
        e_own = np.exp(own - shift)
        total = (counts * E).sum(axis=0) + e_own
        P = counts * E / total
        P[np.diag_indices_from(P)] += e_own / total
        c = (np.diagonal(counts) + 1.0) * np.asarray(weights, dtype=np.float64)
        return np.diag(P @ c) - (P * c) @ P.T

    def _grouped_domain_violation(self, own, rest, counts, present):
        """Columns outside the domain (beyond rounding): column sum not 0, a negative probability, u_y < -1."""
        R = counts.shape[0]
        mass = (counts * np.abs(rest)).sum(axis=0) + np.abs(own)
        scale = 64.0 * (R + 1) * _EPS * np.maximum(mass, 1e-300)
        return ((np.abs((counts * rest).sum(axis=0) + own) > scale) | np.any(present & (rest < -scale), axis=0)
                | (own < -1.0 - 64.0 * (R + 1) * _EPS))

    def grouped_neg_conjugate(self, own, rest, counts):
        r"""Entropy of the compressed dual column, :math:`-\sum_h c_h q_h\log q_h - (1 + u_y)\operatorname{log1p}(u_y)`
        (:math:`q_h` = ``rest[h]``), ``-inf`` outside the shifted simplex."""
        own, rest, counts, present = self._compressed(own, rest, counts)
        bad = self._grouped_domain_violation(own, rest, counts, present)
        q = np.where(present, np.maximum(rest, 0.0), 0.0)
        safe = np.where(q > 0.0, q, 1.0)
        terms = -counts * q * np.log(safe)
        u = np.clip(own, -1.0, 0.0)
        label_term = np.where(u > -1.0, -(1.0 + u) * np.log1p(np.maximum(u, -1.0 + 1e-16)), 0.0)
        out = terms.sum(axis=0) + label_term
        out[bad] = -np.inf
        return out

    def grouped_dual_segment(self, own_in, rest_in, own_out, rest_out, counts):
        own_in, rest_in, counts, present = self._compressed(own_in, rest_in, counts)
        own_out, rest_out, _, _ = self._compressed(own_out, rest_out, counts)
        R = counts.shape[0]
        mass = (counts * np.abs(rest_out)).sum(axis=0) + np.abs(own_out)
        if np.any(np.abs((counts * rest_out).sum(axis=0) + own_out) > 64.0 * (R + 1) * _EPS * np.maximum(mass, 1e-300)):
            return 0.0
        q_in = np.concatenate([rest_in[present], 1.0 + own_in])
        q_out = np.concatenate([rest_out[present], 1.0 + own_out])
        return nonnegative_segment(q_in, q_out)

    def grouped_dual_zero_bias(self, own, rest, counts, weights):
        r"""The compressed form of :meth:`dual_zero_bias`: with :math:`r = Uc/\mathbf 1^\top c` per row group
        (:math:`r_h = (c_h u_{y,h} + \sum_g c_{gh}c_g\,\text{rest}_{hg})/\sum_g m_gc_g`), ``own - r`` and
        ``rest - r[:, None]``; if a probability turned negative, mixed toward the stationary point
        (:math:`u_y = c_g/\mathbf 1^\top c - 1`, :math:`\text{rest}_{hg} = c_h/\mathbf 1^\top c`) and re-projected
        onto the simplex's face."""
        own, rest, counts, present = self._compressed(own, rest, counts)
        c = np.asarray(weights, dtype=np.float64)
        total = float((np.diagonal(counts) + 1.0) @ c)
        r = (c * own + (rest * counts.T * c[None, :]).sum(axis=1)) / total
        own2 = own - r
        rest2 = np.where(present, rest - r[:, None], 0.0)
        if np.any(present & (rest2 < 0.0)) or np.any(own2 < -1.0):
            own_T = c / total - 1.0
            rest_T = np.where(present, np.broadcast_to((c / total)[:, None], rest.shape), 0.0)
            q2 = np.concatenate([rest2[present], 1.0 + own2])
            qT = np.concatenate([rest_T[present], 1.0 + own_T])
            neg = q2 < 0.0
            theta = float(np.max(-q2[neg] / (qT[neg] - q2[neg])))
            rest2 = np.maximum((1.0 - theta) * rest2 + theta * rest_T, 0.0)
            own2 = -(counts * rest2).sum(axis=0)
        return own2, rest2
