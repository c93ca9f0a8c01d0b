"""Compatibility path: the bisection lives in :mod:`nctheory.explore.threshold` (the explore layer, DESIGN.md);
the onset locators built on it in :mod:`nctheory.explore.onsets`."""

from nctheory.explore.threshold import Onset, bisect_onset

__all__ = ["Onset", "bisect_onset"]
