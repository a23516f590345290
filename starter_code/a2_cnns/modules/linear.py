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
        Affine map of each example, flattened to D numbers.

        Conventions:
        - each example is flattened in row-major (C) order, so that a (C, H, W) feature map
          lines up with the flattening of torch.nn.Flatten;
        - self.weight has shape (D, M), inputs by outputs (the transpose of the layout of
          torch.nn.Linear), and self.bias has shape (M,);
        - read self.weight and self.bias when forward is called (the tests set them after
          construction); work in the dtype of x (the tests use float64).

        Inputs:
        - x: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k == D

        Returns:
        - out: array of shape (N, M)

        The unflattened input is kept in self.cache (the line after your code) for backward.
        """
        # TODO: task 1.2 - Linear forward.
        raise NotImplementedError('task 1.2 - Linear forward. (modules/linear.py)')
        self.cache = x
        return out

    def backward(self, dout):
        """
        Gradients of the loss with respect to the input and the parameters.

        Inputs:
        - dout: upstream gradient of shape (N, M)

        Sets (the gradients of the loss with respect to the input of the last forward call and
        to the parameters):
        - self.dx: same shape as the x given to forward, (N, d_1, ..., d_k), not flattened
        - self.dw: shape (D, M)
        - self.db: shape (M,)
        """
        x = self.cache
        # TODO: task 1.2 - Linear backward.
        # Back-propagation through an affine map: Goodfellow, Bengio and Courville, Deep
        # Learning (2016), section 6.5.
        raise NotImplementedError('task 1.2 - Linear backward. (modules/linear.py)')
