"""Max pooling over k x k windows of every channel (Goodfellow, Bengio and Courville, Deep
Learning, 2016, section 9.3)."""

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
        The maximum of every window of every channel.

        Conventions (those of torch.nn.functional.max_pool2d, against which the tests
        compare):
        - no padding; the first window sits at the top-left corner and windows move by
          `stride` in both directions, so that they overlap when stride < k and leave gaps
          when stride > k;
        - rows and columns at the bottom or right that no window reaches are ignored;
        - work in the dtype of x.

        Inputs:
        - x: array of shape (N, C, H, W)

        Returns:
        - out: array of shape (N, C, H', W') with H' = (H - k) // stride + 1 and
          W' = (W - k) // stride + 1
        """
        # TODO: task 1.5 - max pooling forward.
        # Keep in self.cache what backward needs.
        # BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
        windows = windows[:, :, ::s, ::s]  # (N, C, H', W', k, k)
        flat = windows.reshape(windows.shape[:4] + (k * k,))  # (N, C, H', W', k * k)
        argmax = flat.argmax(axis=-1)  # first maximum of each window, row-major order
        out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
        self.cache = (x.shape, argmax)
        # END SOLUTION
        return out

    def backward(self, dout):
        """
        Gradient of the loss with respect to the input of the last forward call, for any
        stride (overlapping windows, gaps between windows). Back-propagation through a
        maximum: Goodfellow, Bengio and Courville, Deep Learning (2016), sections 6.5 and 9.3.

        Convention on ties: when several entries of a window share its maximum, the FIRST of
        them in row-major order (row by row, left to right within the window) is the one the
        maximum is taken from, and the others get no gradient from that window (as PyTorch
        does; averaging over the tied entries is the other choice, and fails the tests).

        Inputs:
        - dout: upstream gradient of shape (N, C, H', W')

        Sets:
        - self.dx: shape (N, C, H, W)
        """
        # TODO: task 1.5 - max pooling backward.
        # BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        x_shape, argmax = self.cache
        _, _, h_out, w_out = dout.shape
        dx = np.zeros(x_shape, dtype=dout.dtype)
        for a in range(k):
            for b in range(k):
                won = argmax == a * k + b  # (N, C, H', W'): windows whose maximum sits at (a, b)
                dx[:, :, a:a + s * h_out:s, b:b + s * w_out:s] += dout * won
        self.dx = dx
        # END SOLUTION
