"""Assumption checks shared by claims about the CE unconstrained feature model (one message per unmet field)."""

from __future__ import annotations

from nctheory.model import Problem


def ufm_ce_unmet(problem: Problem, *, need_dim: bool = True) -> list[str]:
    """Unmet assumptions of the single-layer, free-feature, penalised CE UFM (reduction R2 exact for d >= K-1)."""
    unmet = []
    if problem.loss.name != "ce":
        unmet.append(f"loss: the claim is about cross-entropy, got {problem.loss.name!r}")
    if problem.classifier != "learned":
        unmet.append("classifier: needs a learned classifier (unconstrained feature model)")
    if problem.features != "free":
        unmet.append("features: needs free (unconstrained) features, not ReLU")
    if problem.depth != 1:
        unmet.append(f"depth: needs a single linear classifier layer, got M = {problem.depth}")
    if problem.constraint != "penalty":
        unmet.append(f"constraint: needs penalties (λ_W, λ_H), got {problem.constraint!r}")
    if need_dim and problem.dim < problem.K - 1:
        unmet.append(f"d: needs d ≥ K-1 = {problem.K - 1} so the reduction R2 is exact, got d = {problem.dim}")
    return unmet
