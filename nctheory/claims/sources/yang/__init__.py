"""Yang et al. 2022 (arXiv 2203.09081): a classifier fixed to a simplex ETF under class imbalance (catalogue §5)."""

from nctheory.claims.sources.yang.claims import (ETF_CE, ETF_DR, ETF_VARIANTS, SOURCE, dr_objective,
                                                 fixed_etf_geometry)
from nctheory.claims.sources.yang.formulas import (DEFAULT_E_W, average_scales, ce_at_scale, etf_e_w, penalty_scale,
                                                   predicted_objective, predicted_scales)

CLAIMS = [ETF_CE, ETF_DR, ETF_VARIANTS]

__all__ = ["CLAIMS", "SOURCE", "ETF_CE", "ETF_DR", "ETF_VARIANTS", "dr_objective", "fixed_etf_geometry",
           "DEFAULT_E_W", "average_scales", "ce_at_scale", "etf_e_w", "penalty_scale", "predicted_objective",
           "predicted_scales"]
