"""Softmax regression with a ReLU on the class scores (this course's variant).

Book references: GBC is Goodfellow, Bengio and Courville, Deep Learning (MIT Press, 2016);
PRML is Bishop, Pattern Recognition and Machine Learning (Springer, 2006).
"""

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
        """
        Given, and part of what the tests check (keep it as it is): W1 is drawn from a
        standard normal and scaled by 0.001, right after NumPy's global generator is
        seeded with 1024, so every run starts from the same W1.
        """
        np.random.seed(1024)
        self.weights["W1"] = 0.001 * np.random.randn(self.input_size, self.num_classes)
        self.gradients["W1"] = np.zeros((self.input_size, self.num_classes))

    def forward(self, X, y, mode="train"):
        """
        Compute the loss and accuracy of a batch; in train mode also the gradient of W1.

        The model, layer by layer in order of use (softmax regression: GBC section 6.2.2.3,
        PRML section 4.3.4, with one change):
        1. a fully connected layer without bias, weights W1 of shape (D, C): its outputs
           are the class scores, shape (N, C);
        2. a ReLU on the class scores (the change: textbook softmax regression has none);
        3. softmax over the classes, giving the predicted probabilities P of shape (N, C);
        4. the mean cross-entropy of y under P.

        Conventions the grader checks:
        - the parameters are read from self.weights["W1"] on every call (the tests set
          self.weights between calls), and forward never changes self.weights;
        - the loss is the data term only: no regularization penalty in it (the optimizer
          adds the penalty's gradient);
        - the accuracy is that of P (after the ReLU and the softmax), as compute_accuracy
          defines it, ties included;
        - y may leave some classes out and N may be 1: the number of classes is
          num_classes, never the labels that happen to be present;
        - mode: see Inputs. Only mode == "train" may write to self.gradients.

        Inputs:
        - X: float array of shape (N, D), one example per row
        - y: int array of shape (N,), labels in 0..C-1
        - mode: "train" replaces self.gradients["W1"]; any other value ("valid" in this
          course) computes only the loss and accuracy and leaves self.gradients untouched

        Returns a tuple of:
        - loss: float, the mean cross-entropy over the batch
        - accuracy: float, the fraction of examples classified correctly
        """
        # TODO: task 2.1 - forward pass: loss and accuracy of the batch.
        raise NotImplementedError('task 2.1 - forward pass: loss and accuracy of the batch. (models/softmax_regression.py)')

        if mode != "train":
            return loss, accuracy

        # TODO: task 2.2 - backward pass: self.gradients["W1"], the gradient of the mean loss.
        # It is the gradient of the loss returned above with respect to W1, shape (D, C).
        # Derive it by back-propagation (GBC section 6.5; the softmax and cross-entropy part:
        # PRML section 4.3.4). Where a class score is exactly 0, the ReLU's derivative is 0
        # (see ReLU_dev).
        raise NotImplementedError('task 2.2 - backward pass: self.gradients["W1"], the gradient of the mean loss. (models/softmax_regression.py)')
        return loss, accuracy
