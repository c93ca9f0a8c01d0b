r"""Collapse onsets in any variable: certified bisection beside the claims' predicted onsets.

=====================  =====================================================================================
module                 what
=====================  =====================================================================================
:mod:`.spec`           :class:`OnsetSpec` (claim, variable, predicted onset, predicate), :class:`Evaluation`,
                       :data:`VARIABLES`
:mod:`.decide`         certified solves, order parameters with two thresholds, configurations within the
                       certificate (the pieces of every predicate)
:mod:`.locate`         :func:`locate_onset`: the bisection and its :class:`OnsetResult`
:mod:`.registry`       every spec by (claim, variable), from ``nctheory.claims.sources.<source>.onsets``
:mod:`.lpm_ball`       a projected first-order solver of the layer-peeled model with exact singular-value zeros
:mod:`.experiment`     the claims' onset experiments (one boolean check in a verification)
=====================  =====================================================================================

Command line: ``nctheory threshold CLAIM --vary VARIABLE [problem options]`` (:mod:`nctheory.cli.threshold`).
"""

from nctheory.explore.onsets.locate import clear_memo, default_bracket, locate_onset
from nctheory.explore.onsets.registry import claims_with_onsets, get_onset, onset_specs, variables_of
from nctheory.explore.onsets.result import OnsetResult
from nctheory.explore.onsets.spec import VARIABLES, Evaluation, OnsetSpec

__all__ = ["OnsetSpec", "Evaluation", "OnsetResult", "VARIABLES", "locate_onset", "default_bracket", "get_onset",
           "onset_specs", "claims_with_onsets", "variables_of", "clear_memo"]
