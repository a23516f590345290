"""A two-layer fully connected network with a sigmoid hidden layer and a softmax output.

Book references: GBC is Goodfellow, Bengio and Courville, Deep Learning (MIT Press, 2016);
PRML is Bishop, Pattern Recognition and Machine Learning (Springer, 2006).
"""

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
        """
        Given, and part of what the tests check (keep it as it is): the biases are zero;
        each weight matrix is drawn from a standard normal and scaled by 0.001, with
        NumPy's global generator seeded with 1024 again right before each matrix (W1,
        then W2).
        """
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

        The network, layer by layer in order of use (GBC chapter 6, PRML section 5.1):
        1. a fully connected layer with weights W1 (D, H) and bias b1 (H,);
        2. the logistic sigmoid, elementwise, giving the hidden activations (N, H);
        3. a fully connected layer with weights W2 (H, C) and bias b2 (C,): its outputs
           are the class scores, shape (N, C);
        4. softmax over the classes, giving the predicted probabilities P of shape (N, C);
        5. the mean cross-entropy of y under P.

        Conventions the grader checks:
        - the parameters are read from self.weights on every call (the tests set
          self.weights between calls), and forward never changes self.weights;
        - the loss is the data term only: no regularization penalty in it;
        - the accuracy is that of P, as compute_accuracy defines it;
        - class scores as large as 1e4 in size: loss and accuracy stay finite and exact;
        - y may leave some classes out and N may be 1: the number of classes is
          num_classes, never the labels that happen to be present;
        - mode: see Inputs. Only mode == "train" may write to self.gradients.

        Inputs:
        - X: float array of shape (N, D), one example per row
        - y: int array of shape (N,), labels in 0..C-1
        - mode: "train" replaces self.gradients["W1"], ["b1"], ["W2"] and ["b2"]; any
          other value ("valid" in this course) computes only the loss and accuracy and
          leaves self.gradients untouched

        Returns a tuple of:
        - loss: float, the mean cross-entropy over the batch
        - accuracy: float, the fraction of examples classified correctly
        """
        # TODO: task 3.1 - forward pass through both layers, then loss and accuracy.
        raise NotImplementedError('task 3.1 - forward pass through both layers, then loss and accuracy. (models/two_layer_nn.py)')

        if mode != "train":
            return loss, accuracy

        # TODO: task 3.2 - backward pass: the gradients of the mean loss for W1, b1, W2 and b2.
        # They are the gradients of the loss returned above, each stored in self.gradients
        # under its name, with the shape of its weight (a bias gradient is 1-d). Derive them
        # by back-propagation (GBC section 6.5; PRML section 5.3.1).
        # Note: sigmoid_dev takes the sigmoid's input, not its output.
        raise NotImplementedError('task 3.2 - backward pass: the gradients of the mean loss for W1, b1, W2 and b2. (models/two_layer_nn.py)')
        return loss, accuracy
