"""The pieces every model of this assignment shares: activations, softmax, loss, accuracy.

Book references below are to Goodfellow, Bengio and Courville, Deep Learning (MIT Press,
2016; free at https://www.deeplearningbook.org), written "GBC".

Conventions that hold for every method of this file (the grader checks them):
- the activations, their derivatives and softmax return NumPy arrays (np.ndarray) of
  floating point, never lists or booleans; the loss and the accuracy are plain numbers;
- nothing here may assume 784 features, 10 classes or a batch larger than one example.
"""

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
        The softmax of each row: one example's class scores become a distribution over
        the C classes (GBC section 6.2.2.3; computing it safely: GBC section 4.1).

        Conventions the grader checks:
        - one distribution per row (examples are rows, classes are columns): entries in
          [0, 1], each row summing to 1;
        - finite and exact (relative error 1e-7) for scores as large as 1e5 in size, of
          either sign, including a row whose scores are all equal and huge;
        - any N >= 1 and C >= 2.

        Inputs:
        - scores: float array of shape (N, C), one row of raw class scores per example

        Returns:
        - prob: float array of shape (N, C)
        """
        # TODO: task 1.2 - softmax of each row, exact and finite for scores up to 1e5 in size.
        raise NotImplementedError('task 1.2 - softmax of each row, exact and finite for scores up to 1e5 in size. (models/_base_network.py)')
        return prob

    def cross_entropy_loss(self, x_pred, y):
        """
        Cross-entropy of the true labels under the predicted distributions, that is the
        negative log-likelihood of the labels (GBC sections 5.5 and 6.2.1.1).

        Conventions the grader checks:
        - the mean over the N examples, not the sum; natural logarithm;
        - y holds class indices, not one-hot rows; some classes may never appear in y,
          and N may be 1;
        - x_pred is used exactly as given: no clipping, no epsilon added. Its entries are
          positive but can be as small as 1e-200, and the loss must still be exact
          (relative error 1e-9).

        Inputs:
        - x_pred: float array of shape (N, C), predicted probabilities (rows sum to 1)
        - y: int array of shape (N,), the true label of each example, in 0..C-1

        Returns:
        - loss: a float (a Python float or a NumPy floating-point scalar)
        """
        # TODO: task 1.3 - mean cross-entropy over the batch.
        raise NotImplementedError('task 1.3 - mean cross-entropy over the batch. (models/_base_network.py)')
        return loss

    def compute_accuracy(self, x_pred, y):
        """
        Classification accuracy (GBC section 5.1.2): the fraction of examples whose
        predicted class is the true label.

        Conventions the grader checks:
        - the predicted class of a row is its highest entry; a tie goes to the lowest
          class index (ties are common in softmax regression, where the ReLU makes
          several scores exactly 0, so that their probabilities are equal);
        - a fraction in [0, 1], not a count of correct predictions.

        Inputs:
        - x_pred: float array of shape (N, C), predicted probabilities (or scores)
        - y: int array of shape (N,), the true labels

        Returns:
        - acc: a float in [0, 1]
        """
        # TODO: task 1.4 - accuracy of the predictions against the labels.
        raise NotImplementedError('task 1.4 - accuracy of the predictions against the labels. (models/_base_network.py)')
        return acc

    def sigmoid(self, X):
        """
        The logistic sigmoid, elementwise (GBC sections 3.10 and 6.3.2).

        Conventions the grader checks:
        - any shape (the tests use 1 to 3 dimensions);
        - finite, and exact to a relative 1e-7 (absolute 1e-12), for inputs as large as
          +-800 in size, where a direct evaluation of the textbook expression overflows
          (GBC section 4.1).

        Inputs:
        - X: float array of any shape

        Returns:
        - out: float array of the same shape as X, values in [0, 1]
        """
        # TODO: task 1.1 - sigmoid, finite for inputs up to 800 in size.
        raise NotImplementedError('task 1.1 - sigmoid, finite for inputs up to 800 in size. (models/_base_network.py)')
        return out

    def sigmoid_dev(self, x):
        """
        Derivative of the sigmoid with respect to its input, elementwise.

        Conventions the grader checks:
        - the argument is the sigmoid's INPUT x (what you passed to sigmoid), not its
          output, and the result is the derivative evaluated there;
        - finite for inputs as large as +-800 in size; any shape.

        Inputs:
        - x: float array of any shape, the INPUT of the sigmoid

        Returns:
        - ds: float array of the same shape as x
        """
        # TODO: task 1.1 - derivative of the sigmoid at x.
        raise NotImplementedError('task 1.1 - derivative of the sigmoid at x. (models/_base_network.py)')
        return ds

    def ReLU(self, X):
        """
        The rectified linear unit, elementwise (GBC section 6.3.1).

        Inputs:
        - X: float array of any shape

        Returns:
        - out: float array of the same shape as X
        """
        # TODO: task 1.1 - ReLU.
        raise NotImplementedError('task 1.1 - ReLU. (models/_base_network.py)')
        return out

    def ReLU_dev(self, X):
        """
        Derivative of ReLU with respect to its input, elementwise.

        Conventions the grader checks:
        - the argument is the ReLU's INPUT;
        - at exactly 0, where the ReLU has no derivative, this course takes the
          derivative at exactly 0 to be 0 (GBC section 6.3 discusses the choice);
        - a float array (entries 0.0 or 1.0), not booleans.

        Inputs:
        - X: float array of any shape, the INPUT of the ReLU

        Returns:
        - out: float array of the same shape as X, entries 0.0 or 1.0
        """
        # TODO: task 1.1 - derivative of ReLU.
        raise NotImplementedError('task 1.1 - derivative of ReLU. (models/_base_network.py)')
        return out
