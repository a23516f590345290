"""Softmax followed by the mean cross-entropy loss, as one layer."""

import numpy as np


class SoftmaxCrossEntropy:
    def __init__(self):
        self.cache = None
        self.dx = None

    def forward(self, x, y):
        """
        Class probabilities and the cross-entropy loss of a batch: the softmax output unit
        with the negative log-likelihood of the true class (Goodfellow, Bengio and Courville,
        Deep Learning, 2016, section 6.2.2.3).

        Conventions:
        - the loss is the mean over the batch (the reduction of torch.nn.functional.cross_entropy);
        - probs and loss are finite and accurate for scores of any magnitude and sign,
          including scores in the thousands: exp of such scores overflows or underflows in
          float64 (numerical stability of the softmax: the same book, section 4.1);
        - N may be 1.

        Inputs:
        - x: scores of shape (N, C)
        - y: int array of shape (N,), the true classes in 0..C-1

        Returns a tuple of:
        - probs: array of shape (N, C), the softmax of each row of x
        - loss: a float

        (probs, y) are kept in self.cache (the line after your code) for backward.
        """
        # TODO: task 1.6 - softmax and cross-entropy forward.
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
        Gradient of the loss of the last forward call with respect to its scores x. The loss
        is the end of the chain, so no upstream gradient is passed in.

        Sets:
        - self.dx: array of shape (N, C), the gradient of the mean loss that forward returned
        """
        probs, y = self.cache
        # TODO: task 1.6 - softmax and cross-entropy backward.
        # BEGIN SOLUTION
        n = probs.shape[0]
        dx = probs.copy()
        dx[np.arange(n), y] -= 1.0
        self.dx = dx / n
        # END SOLUTION
