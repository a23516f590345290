"""The pieces every model of this assignment shares: activations, softmax, loss, accuracy."""

import numpy as np


class _baseNetwork:
    def __init__(self, input_size=28 * 28, num_classes=10):
        """
        Inputs:
        - input_size: D, the number of features of one example (784 for 28x28 images)
        - num_classes: C, the number of classes
        """
        self.input_size = input_size
        self.num_classes = num_classes

        self.weights = dict()    # name -> parameter array, e.g. "W1", "b1"
        self.gradients = dict()  # name -> gradient of the loss, same shape as the weight

    def _weight_init(self):
        pass

    def forward(self, X, y, mode="train"):
        pass

    def softmax(self, scores):
        """
        Turn scores into probabilities, row by row, without overflow.

        Inputs:
        - scores: array of shape (N, C), one row of raw class scores per example

        Returns:
        - prob: array of shape (N, C); each row is positive and sums to 1
        """
        # TODO: task 1.2 - softmax of each row; finite for scores as large as 1e5 in size.
        raise NotImplementedError('task 1.2 - softmax of each row; finite for scores as large as 1e5 in size. (models/_base_network.py)')
        return prob

    def cross_entropy_loss(self, x_pred, y):
        """
        Mean cross-entropy of the predicted probabilities against the true labels.

        Inputs:
        - x_pred: array of shape (N, C), predicted probabilities (rows sum to 1)
        - y: int array of shape (N,), the true label of each example, in 0..C-1

        Returns:
        - loss: a float, the mean over the N examples (not the sum)
        """
        # TODO: task 1.3 - mean cross-entropy over the batch.
        raise NotImplementedError('task 1.3 - mean cross-entropy over the batch. (models/_base_network.py)')
        return loss

    def compute_accuracy(self, x_pred, y):
        """
        Fraction of examples whose highest-probability class is the true label.

        Inputs:
        - x_pred: array of shape (N, C), predicted probabilities (or scores)
        - y: int array of shape (N,), the true labels

        Returns:
        - acc: a float in [0, 1]
        """
        # TODO: task 1.4 - accuracy of the predictions against the labels.
        raise NotImplementedError('task 1.4 - accuracy of the predictions against the labels. (models/_base_network.py)')
        return acc

    def sigmoid(self, X):
        """
        The logistic function 1 / (1 + exp(-X)), elementwise.

        Inputs:
        - X: array of any shape

        Returns:
        - out: array of the same shape as X, values in [0, 1]
        """
        # TODO: task 1.1 - sigmoid; finite, and without overflow warnings, for |X| up to 1000.
        raise NotImplementedError('task 1.1 - sigmoid; finite, and without overflow warnings, for |X| up to 1000. (models/_base_network.py)')
        return out

    def sigmoid_dev(self, x):
        """
        Derivative of the sigmoid with respect to its input, elementwise.

        Inputs:
        - x: array of any shape, the INPUT of the sigmoid (not its output)

        Returns:
        - ds: array of the same shape as x
        """
        # TODO: task 1.1 - derivative of the sigmoid at x.
        raise NotImplementedError('task 1.1 - derivative of the sigmoid at x. (models/_base_network.py)')
        return ds

    def ReLU(self, X):
        """
        Rectified linear unit max(0, X), elementwise.

        Inputs:
        - X: array of any shape

        Returns:
        - out: array of the same shape as X
        """
        # TODO: task 1.1 - ReLU.
        raise NotImplementedError('task 1.1 - ReLU. (models/_base_network.py)')
        return out

    def ReLU_dev(self, X):
        """
        Derivative of ReLU with respect to its input, elementwise; at exactly 0 it is 0.

        Inputs:
        - X: array of any shape, the INPUT of the ReLU

        Returns:
        - out: float array of the same shape as X, entries 0.0 or 1.0
        """
        # TODO: task 1.1 - derivative of ReLU.
        raise NotImplementedError('task 1.1 - derivative of ReLU. (models/_base_network.py)')
        return out
