"""Named blocks of one flat float64 vector (what scipy.optimize sees)."""

from __future__ import annotations

import math

import numpy as np


class VariableLayout:
    """An ordered list of named array blocks stored back to back in one flat vector.

    Parameters
    ----------
    blocks : list of (str, tuple of int)
        Block names and shapes, in storage order.
    """

    def __init__(self, blocks: list[tuple[str, tuple[int, ...]]]):
        self.names: list[str] = []
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.slices: dict[str, slice] = {}
        start = 0
        for name, shape in blocks:
            size = math.prod(shape)
            self.names.append(name)
            self.shapes[name] = tuple(shape)
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start

    def split(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Views of ``x`` reshaped into the named blocks (writing to them writes to ``x``)."""
        return {name: x[self.slices[name]].reshape(self.shapes[name]) for name in self.names}

    def join(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """The flat vector holding ``parts`` (every block must be given)."""
        x = np.empty(self.size)
        for name in self.names:
            x[self.slices[name]] = np.asarray(parts[name], dtype=np.float64).ravel()
        return x

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size)
