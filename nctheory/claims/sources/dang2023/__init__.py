"""Dang et al. 2023 (arXiv 2301.00437): Neural Collapse in deep linear networks, MSE and CE (catalogue §3)."""

from nctheory.claims.sources.dang2023.claims import (CE_ETF_DEEP, CE_ETF_M1, MSE_BALANCED, MSE_IMBALANCED, SOURCE,
                                                     mse_observe, predict_mse_authors_code)
from nctheory.claims.sources.dang2023.etf_scale import best_etf_scale, etf_objective
from nctheory.claims.sources.dang2023.formulas import mse_optimal_value, mse_quantities
from nctheory.claims.sources.dang2023.layers import layer_imbalance

CLAIMS = [MSE_IMBALANCED, MSE_BALANCED, CE_ETF_M1, CE_ETF_DEEP]

__all__ = ["CLAIMS", "SOURCE", "MSE_IMBALANCED", "MSE_BALANCED", "CE_ETF_M1", "CE_ETF_DEEP", "mse_observe",
           "predict_mse_authors_code", "best_etf_scale", "etf_objective", "mse_optimal_value", "mse_quantities",
           "layer_imbalance"]
