r"""Other papers' conventions, converted to the canonical one (catalogue §0) explicitly.

Canonical: :math:`\frac1N\sum_i\ell + \frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\|H\|^2 + \frac{\lambda_b}2\|b\|^2`,
feature penalty **summed** over samples.  Which source uses which convention (and how sure we are):

=============================  =====================================================  =================================================================
source                         convention                                             conversion
=============================  =====================================================  =================================================================
Zhu et al. 2021                canonical (summed :math:`\|H\|^2`, with ½)             none.  Sure: their :math:`w_k = \sqrt{n\lambda_H/\lambda_W}h_k`
                                                                                      holds only summed.
Dang et al. 2023 / 2024        canonical (summed, with ½)                             none (catalogue §9)
Hong & Ling (authors' code)    penalties without ½: :math:`\lambda_W\|W\|^2`, ...     :func:`from_no_half_penalties` (their
                                                                                      threshold reads :math:`n_B \le 4N^2\lambda_W\lambda_H`)
Fang et al. 2021               norm budgets, no penalties                             ``constraint="average"``
Yang et al. 2022               per-sample norm budget, fixed ETF                      ``constraint="per-sample"``
=============================  =====================================================  =================================================================

:func:`from_averaged_feature_penalty` is for sources that write :math:`\frac{\lambda_H}{2N}\|H\|^2`
(none of the catalogue's sources does, as far as we can tell); :func:`from_halved_ce` for sources that
minimise :math:`\tfrac12\mathrm{CE} + \dots`.
"""

from __future__ import annotations

from nctheory.model.sizes import validate_sizes


def _bias_kw(lambda_b, kw):
    if lambda_b and "bias" not in kw:
        kw["bias"] = "regularized"
    return kw


def from_no_half_penalties(sizes, lambda_w, lambda_h, lambda_b=0.0, **kw):
    r"""Sources writing :math:`\lambda_W\|W\|^2 + \lambda_H\|H\|^2 + \lambda_b\|b\|^2` (no ½), e.g. Hong & Ling's code.

    Same minimisers and objective as the canonical problem with every penalty doubled:
    :math:`\lambda^{\rm canon} = 2\lambda^{\rm src}`.
    """
    from nctheory.model.problem import Problem

    kw = _bias_kw(lambda_b, kw)
    return Problem(sizes=sizes, lambda_w=2.0 * float(lambda_w), lambda_h=2.0 * float(lambda_h),
                   lambda_b=2.0 * float(lambda_b), **kw)


def from_averaged_feature_penalty(sizes, lambda_w, lambda_h, lambda_b=0.0, **kw):
    r"""Sources writing :math:`\frac{\lambda_H}{2N}\|H\|_F^2` (feature penalty averaged over samples).

    Canonical :math:`\lambda_H = \lambda_H^{\rm src}/N`; :math:`\lambda_W, \lambda_b` unchanged; objectives equal.
    Not the convention of Zhu et al. or Dang et al. (they sum; module table).
    """
    from nctheory.model.problem import Problem

    sizes = validate_sizes(sizes)
    kw = _bias_kw(lambda_b, kw)
    return Problem(sizes=sizes, lambda_w=float(lambda_w), lambda_h=float(lambda_h) / sum(sizes),
                   lambda_b=float(lambda_b), **kw)


def from_halved_ce(sizes, lambda_w, lambda_h, lambda_b=0.0, **kw):
    r"""Sources minimising :math:`\tfrac12\mathrm{CE} + \frac{\lambda_W}2\|W\|^2 + \dots`.

    Twice that objective is the canonical one with every penalty doubled (same minimisers).
    """
    from nctheory.model.problem import Problem

    kw = _bias_kw(lambda_b, kw)
    return Problem(sizes=sizes, lambda_w=2.0 * float(lambda_w), lambda_h=2.0 * float(lambda_h),
                   lambda_b=2.0 * float(lambda_b), **kw)
