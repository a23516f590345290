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
        raise NotImplementedError('task 1.6 - softmax and cross-entropy forward. (modules/softmax_ce.py)')
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
        raise NotImplementedError('task 1.6 - softmax and cross-entropy backward. (modules/softmax_ce.py)')
