"""Reusable requirement conditions for :class:`~nctheory.claims.base.Requires` (``conditions=``).

Each condition is a function ``problem -> list[str]`` whose messages start with the field name, so the one
checker (:meth:`Requires.unmet`) can report them like the built-in fields.
"""

from __future__ import annotations

from nctheory.model.sizes import equal_size_groups


def dim_shortfall(problem, need: int, message: str) -> list[str]:
    """The check behind every dimension condition: ``[message]`` if :math:`d <` ``need``, else ``[]``.

    ``message`` starts with ``"d: "`` and may name ``{dim}`` (the problem's d) and ``{need}``.
    """
    if problem.dim < need:
        return [message.format(dim=problem.dim, need=need)]
    return []


def dim_at_least_k_minus_1(problem) -> list[str]:
    """d >= K - 1 (the class-mean reduction R2 is exact: the optimum has rank <= K - 1 for CE)."""
    return dim_shortfall(problem, problem.K - 1,
                         "d: needs d >= K-1 = {need} so the reduction R2 is exact, got d = {dim}")


def dim_at_least_sel_rank(problem) -> list[str]:
    """d >= K - 1 = rank of the SEL matrix SY (the UF-SVM's factorisation W H = SY exists)."""
    return dim_shortfall(problem, problem.K - 1, "d: needs d >= K-1 = {need} (the rank of SY), got d = {dim}")


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
