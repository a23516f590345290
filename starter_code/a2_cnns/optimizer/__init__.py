"""Part 1: the optimizer, written with NumPy only."""

from .sgd import SGD

__all__ = ["SGD"]
