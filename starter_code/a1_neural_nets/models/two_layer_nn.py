"""A two-layer fully connected network: FC -> sigmoid -> FC -> softmax."""

import numpy as np

from ._base_network import _baseNetwork


class TwoLayerNet(_baseNetwork):
    def __init__(self, input_size=28 * 28, num_classes=10, hidden_size=128):
        """
        Weights W1 (input_size, hidden_size), b1 (hidden_size,),
        W2 (hidden_size, num_classes), b2 (num_classes,).

        Inputs:
        - input_size: D, features per example
        - num_classes: C, number of classes
        - hidden_size: H, width of the hidden layer
        """
        super().__init__(input_size, num_classes)
        self.hidden_size = hidden_size
        self._weight_init()

    def _weight_init(self):
        """Zero biases; small Gaussian weights, the seed set again before each matrix."""
        self.weights["b1"] = np.zeros(self.hidden_size)
        self.weights["b2"] = np.zeros(self.num_classes)
        np.random.seed(1024)
        self.weights["W1"] = 0.001 * np.random.randn(self.input_size, self.hidden_size)
        np.random.seed(1024)
        self.weights["W2"] = 0.001 * np.random.randn(self.hidden_size, self.num_classes)

        for name, value in self.weights.items():
            self.gradients[name] = np.zeros_like(value)

    def forward(self, X, y, mode="train"):
        """
        Compute the loss and accuracy of a batch; in train mode also all four gradients.

        The network is  Z1 = X @ W1 + b1  ->  A1 = sigmoid(Z1)  ->  Z2 = A1 @ W2 + b2
        ->  P = softmax(Z2)  ->  cross-entropy.

        Inputs:
        - X: array of shape (N, D), one example per row
        - y: int array of shape (N,), labels in 0..C-1
        - mode: "train" fills self.gradients["W1"], ["b1"], ["W2"], ["b2"]; any other
          value (e.g. "valid") computes only the loss and accuracy and leaves
          self.gradients untouched

        Returns a tuple of:
        - loss: float, the mean cross-entropy over the batch (no regularization term)
        - accuracy: float, fraction of examples classified correctly
        """
        # TODO: task 3.1 - forward pass through both layers, then loss and accuracy.
        # Use the helpers of _baseNetwork.
        raise NotImplementedError('task 3.1 - forward pass through both layers, then loss and accuracy. (models/two_layer_nn.py)')

        if mode != "train":
            return loss, accuracy

        # TODO: task 3.2 - backward pass: gradients of the mean loss for W1, b1, W2 and b2.
        # Store each in self.gradients under its name, with the shape of its weight.
        raise NotImplementedError('task 3.2 - backward pass: gradients of the mean loss for W1, b1, W2 and b2. (models/two_layer_nn.py)')
        return loss, accuracy
