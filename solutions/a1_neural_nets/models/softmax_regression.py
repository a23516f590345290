"""Softmax regression: one linear layer (no bias), a ReLU, then softmax and cross-entropy."""

import numpy as np

from ._base_network import _baseNetwork


class SoftmaxRegression(_baseNetwork):
    def __init__(self, input_size=28 * 28, num_classes=10):
        """
        A single weight matrix W1 of shape (input_size, num_classes), no bias.

        Inputs:
        - input_size: D, features per example
        - num_classes: C, number of classes
        """
        super().__init__(input_size, num_classes)
        self._weight_init()

    def _weight_init(self):
        """Small Gaussian weights, seeded so that every run starts from the same W1."""
        np.random.seed(1024)
        self.weights["W1"] = 0.001 * np.random.randn(self.input_size, self.num_classes)
        self.gradients["W1"] = np.zeros((self.input_size, self.num_classes))

    def forward(self, X, y, mode="train"):
        """
        Compute the loss and accuracy of a batch; in train mode also the gradient of W1.

        The network is  Z = X @ W1  ->  A = ReLU(Z)  ->  P = softmax(A)  ->  cross-entropy.

        Inputs:
        - X: array of shape (N, D), one example per row
        - y: int array of shape (N,), labels in 0..C-1
        - mode: "train" computes self.gradients["W1"]; any other value (e.g. "valid")
          computes only the loss and accuracy and leaves self.gradients untouched

        Returns a tuple of:
        - loss: float, the mean cross-entropy over the batch (no regularization term)
        - accuracy: float, fraction of examples classified correctly
        """
        # TODO: task 2.1 - forward pass: loss and accuracy of the batch.
        # Use the helpers of _baseNetwork.
        # BEGIN SOLUTION
        Z = X @ self.weights["W1"]           # (N, C)
        A = self.ReLU(Z)                     # (N, C)
        prob = self.softmax(A)               # (N, C)
        loss = self.cross_entropy_loss(prob, y)
        accuracy = self.compute_accuracy(prob, y)
        # END SOLUTION

        if mode != "train":
            return loss, accuracy

        # TODO: task 2.2 - backward pass: self.gradients["W1"] (D, C), the gradient of the mean loss.
        # BEGIN SOLUTION
        n = X.shape[0]
        dA = prob.copy()                     # (N, C)
        dA[np.arange(n), y] -= 1.0
        dA /= n
        dZ = dA * self.ReLU_dev(Z)           # (N, C)
        self.gradients["W1"] = X.T @ dZ      # (D, C)
        # END SOLUTION
        return loss, accuracy
