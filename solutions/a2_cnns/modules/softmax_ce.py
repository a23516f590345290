"""Softmax followed by the mean cross-entropy loss, as one layer."""

import numpy as np


class SoftmaxCrossEntropy:
    def __init__(self):
        self.cache = None
        self.dx = None

    def forward(self, x, y):
        """
        Class probabilities and the mean cross-entropy loss of a batch.

        Inputs:
        - x: scores of shape (N, C)
        - y: int array of shape (N,), the true classes in 0..C-1

        Returns a tuple of:
        - probs: array of shape (N, C), the softmax of each row of x
        - loss: a float, -1/N * sum_i log(probs[i, y[i]])
        """
        # TODO: task 1.6 - softmax and cross-entropy forward.
        # A softmax that does not overflow for large scores (subtract the row maximum),
        # then the mean negative log-probability of the true classes.
        # BEGIN SOLUTION
        shifted = x - x.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        probs = np.exp(log_probs)
        n = x.shape[0]
        loss = float(-log_probs[np.arange(n), y].mean())
        # END SOLUTION
        self.cache = (probs, y)
        return probs, loss

    def backward(self):
        """
        Gradient of the loss of the last forward call with respect to its scores.

        Sets:
        - self.dx: array of shape (N, C)
        """
        probs, y = self.cache
        # TODO: task 1.6 - softmax and cross-entropy backward.
        # The gradient of the loss returned by forward (a mean over the batch) with respect to x.
        # BEGIN SOLUTION
        n = probs.shape[0]
        dx = probs.copy()
        dx[np.arange(n), y] -= 1.0
        self.dx = dx / n
        # END SOLUTION
