"""Part 1: the layers of a convolutional network, written with NumPy only."""

from .conv_classifier import ConvNet
from .convolution import Conv2D
from .linear import Linear
from .max_pool import MaxPooling
from .relu import ReLU
from .softmax_ce import SoftmaxCrossEntropy

__all__ = ["Conv2D", "ConvNet", "Linear", "MaxPooling", "ReLU", "SoftmaxCrossEntropy"]
