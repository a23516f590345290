"""The rectified linear unit as a layer: forward keeps its input, backward masks dout."""

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
        - out: array of the same shape as x
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
        - self.dx: same shape as x. At x == 0 exactly, take the gradient of ReLU as 0 (as
          PyTorch does).
        """
        x = self.cache
        # TODO: task 1.1 - ReLU backward.
        # BEGIN SOLUTION
        self.dx = dout * (x > 0)
        # END SOLUTION
