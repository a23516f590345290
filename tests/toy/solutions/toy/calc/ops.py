"""Small array operations."""

import numpy as np


def add(a, b):
    """Return a + b for two numbers."""
    # TODO: task 1.1 - add the two numbers.
    # BEGIN SOLUTION
    return a + b
    # END SOLUTION


def relu(x):
    """Inputs: x, an array of any shape. Returns: max(x, 0), same shape."""
    # TODO: task 1.2 - clamp negative values to zero.
    # BEGIN SOLUTION
    return np.maximum(x, 0)
    # END SOLUTION


def softmax(scores):
    """Inputs: scores (N, C). Returns: row-wise softmax probabilities (N, C)."""
    # TODO: task 1.3 - subtract the row maximum before exponentiating.
    # BEGIN SOLUTION
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
    # STARTER:
    # probs = None  # compute the probabilities here
    # return probs
    # END SOLUTION
