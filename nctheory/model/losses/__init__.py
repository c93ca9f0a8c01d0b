"""Losses (the :class:`Loss` protocol and its members).  See :mod:`nctheory.model.losses.base`."""

from nctheory.model.losses.base import CAPABILITIES, Loss, one_hot
from nctheory.model.losses.cross_entropy import CrossEntropy
from nctheory.model.losses.dot_regression import DotRegression
from nctheory.model.losses.registry import get_loss, loss_from_json, loss_names, register_loss
from nctheory.model.losses.label_smoothing import LabelSmoothing
from nctheory.model.losses.squared_error import SquaredError
from nctheory.model.losses.vector_scaling import VectorScaling

__all__ = ["Loss", "CAPABILITIES", "CrossEntropy", "SquaredError", "DotRegression", "VectorScaling", "LabelSmoothing", "get_loss", "loss_from_json",
           "loss_names", "register_loss", "one_hot"]
