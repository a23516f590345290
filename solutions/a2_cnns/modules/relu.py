"""The rectified linear unit as a layer (Goodfellow, Bengio and Courville, Deep Learning, 2016,
section 6.3.1)."""

import numpy as np


class ReLU:
    def __init__(self):
        self.cache = None
        self.dx = None

    def forward(self, x):
        """
        Apply max(0, x) elementwise.

        Inputs:
        - x: array of any shape

        Returns:
        - out: array of the same shape and dtype as x

        The input is kept in self.cache (the line after your code) for backward.
        """
        # TODO: task 1.1 - ReLU forward.
        # BEGIN SOLUTION
        out = np.maximum(x, 0)
        # END SOLUTION
        self.cache = x
        return out

    def backward(self, dout):
        """
        Gradient of the loss with respect to the input of forward.

        Inputs:
        - dout: upstream gradient, same shape as the x given to forward

        Sets:
        - self.dx: same shape as x, the gradient of the loss with respect to the x of the last
          forward call. Convention at the kink: where x == 0 exactly, the derivative of ReLU is
          taken as 0 (as PyTorch does); the tests put many entries exactly at 0.
        """
        x = self.cache
        # TODO: task 1.1 - ReLU backward.
        # BEGIN SOLUTION
        self.dx = dout * (x > 0)
        # END SOLUTION
