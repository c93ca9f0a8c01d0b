"""Fang et al. 2021 (arXiv 2101.12699): the layer-peeled model and minority collapse (catalogue §6, FANG-LPM)."""

from nctheory.claims.sources.fang.accuracy import COLLAPSE_SQ_TOL
from nctheory.claims.sources.fang.claims import (LPM, LPM_BALANCED, MINORITY_COLLAPSE, OVERSAMPLING, SOURCE,
                                                 lpm_observe)
from nctheory.claims.sources.fang.experiments import SDP_ATTEMPTS, OnsetSearch, sdp_onset, sdp_two_cluster
from nctheory.claims.sources.fang.formulas import (balanced_prediction, minority_spread_sq, oversample,
                                                   two_cluster_prediction, two_cluster_weights)
from nctheory.claims.sources.fang.onset import onset_indicator, predicted_onset
from nctheory.claims.sources.fang.reduction import two_cluster_lpm
from nctheory.claims.sources.fang.sdp import LpmGram, lpm_sdp_weights
from nctheory.claims.sources.fang.two_cluster import TwoClusterLPM

CLAIMS = [LPM_BALANCED, MINORITY_COLLAPSE, OVERSAMPLING]

__all__ = ["CLAIMS", "SOURCE", "LPM", "LPM_BALANCED", "MINORITY_COLLAPSE", "OVERSAMPLING", "COLLAPSE_SQ_TOL",
           "lpm_observe", "SDP_ATTEMPTS", "OnsetSearch", "sdp_onset", "sdp_two_cluster", "balanced_prediction",
           "minority_spread_sq", "oversample", "two_cluster_prediction", "two_cluster_weights", "onset_indicator",
           "predicted_onset", "two_cluster_lpm", "LpmGram", "lpm_sdp_weights", "TwoClusterLPM"]
