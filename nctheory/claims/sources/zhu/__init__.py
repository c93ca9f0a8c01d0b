"""Zhu et al. 2021 (arXiv 2105.02375): balanced CE in the unconstrained feature model (catalogue §6)."""

from nctheory.claims.sources.zhu.claims import BALANCED_CE

CLAIMS = [BALANCED_CE]
