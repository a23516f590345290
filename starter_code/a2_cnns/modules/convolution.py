"""A 2-D convolution layer (cross-correlation, as in every deep-learning library)."""

import numpy as np


class Conv2D:
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=0):
        """
        Inputs:
        - in_channels: C, channels of the input
        - out_channels: F, number of filters
        - kernel_size: k, each filter is k x k
        - stride: step between two neighbouring windows, in both directions
        - padding: zeros added on each of the four borders of every input channel
        """
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.cache = None
        self._init_weights()

    def _init_weights(self):
        np.random.seed(1024)
        self.weight = 1e-3 * np.random.randn(
            self.out_channels, self.in_channels, self.kernel_size, self.kernel_size
        )  # (F, C, k, k)
        self.bias = np.zeros(self.out_channels)  # (F,)
        self.dx = None
        self.dw = None
        self.db = None

    def forward(self, x):
        """
        Slide every filter over the zero-padded input.

        Inputs:
        - x: array of shape (N, C, H, W)

        Returns:
        - out: array of shape (N, F, H', W') with
          H' = (H + 2 * padding - k) // stride + 1 and W' likewise, where
          out[n, f, i, j] = bias[f] + sum over c, a, b of
              weight[f, c, a, b] * x_pad[n, c, i * stride + a, j * stride + b]
        """
        # TODO: task 1.3 - Conv2D forward.
        # Pad x, gather every k x k window and combine it with every filter; keep in
        # self.cache what backward needs. Loops are accepted; a vectorized version
        # (np.lib.stride_tricks plus a matrix product, np.tensordot or np.einsum) is a
        # hundred times faster.
        raise NotImplementedError('task 1.3 - Conv2D forward. (modules/convolution.py)')
        return out

    def backward(self, dout):
        """
        Gradients of the loss with respect to the input, the filters and the biases.

        Inputs:
        - dout: upstream gradient of shape (N, F, H', W')

        Sets:
        - self.dx: shape (N, C, H, W), the shape of the unpadded input
        - self.dw: shape (F, C, k, k)
        - self.db: shape (F,)
        """
        # TODO: task 1.4 - Conv2D backward.
        # Use what forward kept in self.cache. dx is the gradient of the input as given to
        # forward, without the padding.
        raise NotImplementedError('task 1.4 - Conv2D backward. (modules/convolution.py)')
