"""A fully connected layer that flattens whatever it is given."""

import numpy as np


class Linear:
    def __init__(self, in_dim, out_dim):
        """
        Inputs:
        - in_dim: D, the number of features of one flattened input
        - out_dim: M, the number of outputs
        """
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.cache = None
        self._init_weights()

    def _init_weights(self):
        np.random.seed(1024)
        self.weight = 1e-3 * np.random.randn(self.in_dim, self.out_dim)  # (D, M)
        self.bias = np.zeros(self.out_dim)  # (M,)
        self.dx = None
        self.dw = None
        self.db = None

    def forward(self, x):
        """
        Affine map of the flattened input.

        Inputs:
        - x: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k == D

        Returns:
        - out: array of shape (N, M), x.reshape(N, D) @ weight + bias
        """
        # TODO: task 1.2 - Linear forward.
        # Flatten each example to a row of D numbers, then apply the weight and the bias.
        raise NotImplementedError('task 1.2 - Linear forward. (modules/linear.py)')
        self.cache = x
        return out

    def backward(self, dout):
        """
        Gradients of the loss with respect to the input and the parameters.

        Inputs:
        - dout: upstream gradient of shape (N, M)

        Sets:
        - self.dx: same shape as the x given to forward, (N, d_1, ..., d_k)
        - self.dw: shape (D, M)
        - self.db: shape (M,)
        """
        x = self.cache
        # TODO: task 1.2 - Linear backward.
        # The three gradients; give dx the shape of the original input.
        raise NotImplementedError('task 1.2 - Linear backward. (modules/linear.py)')
