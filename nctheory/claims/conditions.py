"""Reusable requirement conditions for :class:`~nctheory.claims.base.Requires` (``conditions=``).

Each condition is a function ``problem -> list[str]`` whose messages start with the field name, so the one
checker (:meth:`Requires.unmet`) can report them like the built-in fields.
"""

from __future__ import annotations

from nctheory.model.sizes import equal_size_groups


def dim_at_least_k_minus_1(problem) -> list[str]:
    """d >= K - 1 (the class-mean reduction R2 is exact: the optimum has rank <= K - 1 for CE)."""
    if problem.dim < problem.K - 1:
        return [f"d: needs d >= K-1 = {problem.K - 1} so the reduction R2 is exact, got d = {problem.dim}"]
    return []


def dim_at_least_sel_rank(problem) -> list[str]:
    """d >= K - 1 = rank of the SEL matrix SY (the UF-SVM's factorisation W H = SY exists)."""
    if problem.dim < problem.K - 1:
        return [f"d: needs d >= K-1 = {problem.K - 1} (the rank of SY), got d = {problem.dim}"]
    return []


def two_size_clusters(problem) -> list[str]:
    """Exactly two distinct class sizes."""
    values = sorted(set(problem.sizes))
    if len(values) != 2:
        return [f"sizes: needs exactly two distinct class sizes (two clusters), got {values}"]
    return []


def cluster_of_two(problem) -> list[str]:
    """At least one group of >= 2 classes of equal size."""
    if not any(g.size >= 2 for g in equal_size_groups(problem.sizes)):
        return ["sizes: needs a cluster of at least 2 equal-size classes"]
    return []


def minority_pair(problem) -> list[str]:
    """At least 2 classes of the smallest size (a minority squeeze or collapse is between minority classes)."""
    smallest = min(problem.sizes)
    if sum(1 for n in problem.sizes if n == smallest) < 2:
        return [f"sizes: needs at least 2 minority classes (of the smallest size {smallest}), got 1"]
    return []
