"""Haar-random orthogonal matrices, for rotating a reference frame without changing its Gram."""

from __future__ import annotations

import numpy as np


def _rng(rng) -> np.random.Generator | None:
    if rng is None:
        return None
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng: expected None, an integer seed or a numpy Generator, got {rng!r}")


def random_rotation(d: int, rng) -> np.ndarray:
    r"""A Haar-distributed orthogonal :math:`d\times d` matrix.

    QR of a standard Gaussian matrix, with the signs of R's diagonal moved into Q
    (Mezzadri 2007) so the distribution is exactly Haar.
    """
    gen = _rng(rng)
    if gen is None:
        raise ValueError("rng: a seed or Generator is required for a random rotation")
    g = gen.standard_normal((d, d))
    q, r = np.linalg.qr(g)
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    return q * signs
