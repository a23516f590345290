"""Part 2: PyTorch models."""

from .cnn import VanillaCNN
from .my_model import MyModel
from .twolayer import TwoLayerNet

__all__ = ["MyModel", "TwoLayerNet", "VanillaCNN"]
