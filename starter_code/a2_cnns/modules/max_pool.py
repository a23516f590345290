"""Max pooling over k x k windows of every channel."""

import numpy as np


class MaxPooling:
    def __init__(self, kernel_size, stride):
        """
        Inputs:
        - kernel_size: k, each window is k x k
        - stride: step between two neighbouring windows (windows overlap when stride < k)
        """
        self.kernel_size = kernel_size
        self.stride = stride
        self.cache = None
        self.dx = None

    def forward(self, x):
        """
        Take the maximum of every window of every channel; no padding.

        Inputs:
        - x: array of shape (N, C, H, W)

        Returns:
        - out: array of shape (N, C, H', W') with H' = (H - k) // stride + 1 and
          W' = (W - k) // stride + 1 (rows and columns that no window reaches are ignored)
        """
        # TODO: task 1.5 - max pooling forward.
        # Take the maximum of every window; keep in self.cache what backward needs to know
        # where each maximum came from.
        raise NotImplementedError('task 1.5 - max pooling forward. (modules/max_pool.py)')
        return out

    def backward(self, dout):
        """
        Route the upstream gradient to the position of each window's maximum.

        Inputs:
        - dout: upstream gradient of shape (N, C, H', W')

        Sets:
        - self.dx: shape (N, C, H, W). The whole gradient of a window goes to its maximum.
          When several entries of a window share the maximum, it goes to the FIRST of them
          in row-major order (as PyTorch does). Where windows overlap, gradients add up.
        """
        # TODO: task 1.5 - max pooling backward.
        # Send each dout value back to the entry that won its window.
        raise NotImplementedError('task 1.5 - max pooling backward. (modules/max_pool.py)')
