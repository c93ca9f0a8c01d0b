r"""A claim's onset as one check of its verification: the located onset beside the predicted one.

:func:`onset_experiment` makes the callable a :class:`~nctheory.claims.base.Claim` lists in ``experiments``: for an
instance it locates the claim's onset in one variable for the instance's family
(:func:`~nctheory.explore.onsets.locate.locate_onset`, memoised: the instances of one family share the search)
and returns an :class:`OnsetCheck` -- ``ok`` when every onset in the certified final bracket is within ``agree``
of the prediction (:meth:`~nctheory.explore.onsets.result.OnsetResult.outcome`), ``certified`` when that bracket's
ends were decided on certified solves.  A certified "disagree" fails the verification; an inconclusive search
makes it inconclusive.  When the onset spec does not apply to the instance (e.g. a cluster too small), or its
``applies`` filter excludes it, K exceeds :data:`MAX_K`, or the family has no predicted onset, the experiment returns None and the
verification records nothing for it.  Both ends of the default bracket (a factor ~3 either side of the
prediction) decided in the same state is a certified disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from nctheory.explore.onsets.result import OnsetResult

#: Agreement asked of a located onset (relative): the bisection's bracket is 1e-7 wide.
AGREE = 1e-6
#: Largest K a verification locates the onset at: a bisection is ~27 evaluations of two dense solves each (at
#: K = 40, 5-15 s, measured); larger instances (the grouped K = 10^5 references) skip the experiment --
#: ``nctheory threshold`` locates their onsets on request.
MAX_K = 50


@dataclass(frozen=True)
class OnsetCheck:
    """``ok``, ``certified``, ``message`` (the experiment protocol of a claim) and the :class:`OnsetResult`."""

    ok: bool
    certified: bool
    message: str
    result: OnsetResult


def onset_experiment(claim_id: str, variable: str, *, agree: float = AGREE, rtol: float = 1e-7,
                     applies: Callable | None = None, **options):
    """The experiment callable for ``claim_id``'s onset in ``variable`` (module doc)."""
    from nctheory.explore.onsets.locate import locate_onset
    from nctheory.explore.onsets.registry import get_onset

    def located_onset(problem) -> OnsetCheck | None:
        spec = get_onset(claim_id, variable)
        if problem.K > MAX_K or spec.unmet(problem) or (applies is not None and not applies(problem)):
            return None
        try:
            result = locate_onset(spec, problem, rtol=rtol, **options)
        except ValueError as exc:
            if str(exc).startswith("hi: the predicate is"):
                # both ends of the default bracket decided (certified) in the same state: no onset within a
                # factor 3 of the prediction -- a certified disagreement
                return OnsetCheck(False, True, f"{variable}: {exc} (default bracket around the prediction)", None)
            return None  # no predicted onset for this family (e.g. every minority size collapses)
        word = result.outcome(agree)
        a, b = result.bracket
        ev = result.bracket_evidence()
        msg = (f"{variable}* predicted {result.predicted:.12g}, located "
               f"{'none' if result.located is None else format(result.located, '.12g')} in [{a:.12g}, {b:.12g}] "
               f"(rel. error {'-' if result.rel_error is None else format(result.rel_error, '.1e')}, at most "
               f"{ev['max_rel_error']:.1e}): {word} at {agree:g}; {result.message}")
        return OnsetCheck(word == "agree", ev["bracket_certified"], msg, result)

    located_onset.__name__ = f"located_onset_{variable}"
    return located_onset
