"""A 2-D convolution layer: cross-correlation (the filters are not flipped), as in every
deep-learning library."""

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
        Convolve every filter with the zero-padded input. The operation, with stride and zero
        padding, is defined in Goodfellow, Bengio and Courville, Deep Learning (2016), sections
        9.1 and 9.5; the output size in Dumoulin and Visin, "A guide to convolution arithmetic
        for deep learning" (2016), chapter 2.

        Conventions (those of torch.nn.functional.conv2d, against which the tests compare):
        - cross-correlation: the filter is not flipped;
        - `padding` rows or columns of zeros are added on each of the four borders of every
          input channel;
        - the first window sits at the top-left corner of the padded input, and windows move
          by `stride` in both directions; rows and columns at the bottom or right that cannot
          fill a whole window are left out;
        - self.weight[f], of shape (C, k, k), is filter f, and self.bias[f] is one number
          shared by every output position of filter f;
        - read self.weight and self.bias when forward is called (the tests set them after
          construction), and leave them and x unchanged;
        - work in the dtype of x (the tests use float64 and a relative tolerance of 1e-6).

        Inputs:
        - x: array of shape (N, C, H, W)

        Returns:
        - out: array of shape (N, F, H', W') with H' = (H + 2 * padding - k) // stride + 1
          and W' = (W + 2 * padding - k) // stride + 1

        Keep in self.cache what backward needs: backward always follows the forward call
        whose gradients it computes.
        """
        # TODO: task 1.3 - Conv2D forward.
        # Loops are accepted and fast enough for the tests; a vectorized version is a hundred
        # times faster (overfit_small.py: seconds instead of ten minutes).
        # BEGIN SOLUTION
        p, s, k = self.padding, self.stride, self.kernel_size
        n = x.shape[0]
        x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        windows = np.lib.stride_tricks.sliding_window_view(x_pad, (k, k), axis=(2, 3))
        windows = windows[:, :, ::s, ::s]  # (N, C, H', W', k, k), a view: nothing copied yet
        h_out, w_out = windows.shape[2], windows.shape[3]
        # one column per output position, one row per (c, a, b): (C * k * k, N * H' * W')
        cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(-1, n * h_out * w_out)
        out = self.weight.reshape(self.out_channels, -1) @ cols  # (F, N * H' * W')
        out = out.reshape(self.out_channels, n, h_out, w_out).transpose(1, 0, 2, 3)  # (N, F, H', W')
        out = out + self.bias[None, :, None, None]
        self.cache = (x, cols)  # cols is kept so that backward need not gather it again
        # END SOLUTION
        return out

    def backward(self, dout):
        """
        Gradients of the loss with respect to the input, the filters and the biases, for any
        stride and padding. Derived for the strided convolution in Goodfellow, Bengio and
        Courville, Deep Learning (2016), section 9.5 (its gradients with respect to the kernel
        and to the input).

        Inputs:
        - dout: upstream gradient of shape (N, F, H', W'), the gradient of the loss with
          respect to the out of the last forward call

        Sets:
        - self.dx: shape (N, C, H, W): the gradient with respect to x as given to forward,
          the unpadded input (the padding is not an input, so it has no gradient)
        - self.dw: shape (F, C, k, k)
        - self.db: shape (F,)
        Leaves self.weight and self.bias unchanged (the optimizer updates them).
        """
        # TODO: task 1.4 - Conv2D backward.
        # Start from what forward kept in self.cache.
        # BEGIN SOLUTION
        x, cols = self.cache
        p, s, k = self.padding, self.stride, self.kernel_size
        n, c, h, w = x.shape
        h_out, w_out = dout.shape[2], dout.shape[3]
        dout_mat = dout.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)  # (F, N * H' * W')
        self.db = dout_mat.sum(axis=1)
        self.dw = (dout_mat @ cols.T).reshape(self.weight.shape)  # (F, C, k, k)
        dcols = self.weight.reshape(self.out_channels, -1).T @ dout_mat  # (C * k * k, N * H' * W')
        dcols = dcols.reshape(c, k, k, n, h_out, w_out)
        dx_pad = np.zeros((c, n, h + 2 * p, w + 2 * p), dtype=dcols.dtype)  # channels first
        for a in range(k):
            for b in range(k):
                # window offset (a, b) touched rows a, a + s, ... and columns b, b + s, ...
                dx_pad[:, :, a:a + s * h_out:s, b:b + s * w_out:s] += dcols[:, a, b]
        self.dx = np.ascontiguousarray(dx_pad[:, :, p:p + h, p:p + w].transpose(1, 0, 2, 3))
        # END SOLUTION
