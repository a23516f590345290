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
        # BEGIN SOLUTION
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        exp = np.exp(shifted)
        prob = exp / np.sum(exp, axis=1, keepdims=True)
        # END SOLUTION
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
        # BEGIN SOLUTION
        n = x_pred.shape[0]
        picked = x_pred[np.arange(n), y]
        loss = float(-np.mean(np.log(picked)))
        # END SOLUTION
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
        # BEGIN SOLUTION
        acc = float(np.mean(np.argmax(x_pred, axis=1) == y))
        # END SOLUTION
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
        # BEGIN SOLUTION
        X = np.asarray(X, dtype=np.float64)
        out = np.empty_like(X)
        pos = X >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-X[pos]))
        exp_x = np.exp(X[~pos])
        out[~pos] = exp_x / (1.0 + exp_x)
        # END SOLUTION
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
        # BEGIN SOLUTION
        s = self.sigmoid(x)
        ds = s * (1.0 - s)
        # END SOLUTION
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
        # BEGIN SOLUTION
        out = np.maximum(X, 0)
        # END SOLUTION
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
        # BEGIN SOLUTION
        out = (np.asarray(X) > 0).astype(np.float64)
        # END SOLUTION
        return out
