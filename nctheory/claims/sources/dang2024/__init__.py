"""Dang et al. 2024 (arXiv 2401.02058): CE with unconstrained ReLU features under class imbalance (catalogue §4)."""

from nctheory.claims.sources.dang2024.claims import (RELU_ANGLES, RELU_CE, RELU_COLLAPSE, RELU_STRUCTURE, SOURCE,
                                                     relu_assumptions, relu_observe)
from nctheory.claims.sources.dang2024.formulas import class_objective, constants, margins, relu_quantities

CLAIMS = [RELU_STRUCTURE, RELU_ANGLES, RELU_COLLAPSE]

__all__ = ["CLAIMS", "SOURCE", "RELU_STRUCTURE", "RELU_ANGLES", "RELU_COLLAPSE", "RELU_CE", "relu_assumptions",
           "relu_observe", "relu_quantities", "constants", "margins", "class_objective"]
