"""The model layer: a validated :class:`Problem`, its options, losses, sizes and conventions."""

from nctheory.model.losses import CrossEntropy, DotRegression, Loss, SquaredError, get_loss, register_loss
from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.model.problem import Problem
from nctheory.model.sizes import equal_size_groups, format_sizes, parse_sizes, validate_sizes

__all__ = ["Problem", "Loss", "CrossEntropy", "SquaredError", "DotRegression", "get_loss", "register_loss",
           "Bias", "Classifier", "Constraint", "Features", "parse_sizes", "validate_sizes", "equal_size_groups",
           "format_sizes"]
