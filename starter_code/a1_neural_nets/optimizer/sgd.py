"""Plain stochastic gradient descent."""

from ._base_optimizer import _BaseOptimizer


class SGD(_BaseOptimizer):
    def __init__(self, learning_rate=1e-4, reg=1e-3):
        super().__init__(learning_rate, reg)

    def update(self, model):
        """
        One SGD step on every parameter of the model: first apply the L2 regularization
        to the gradients, then  weight <- weight - learning_rate * gradient.

        Inputs:
        - model: a network with dicts model.weights and model.gradients (same keys),
          the gradients already computed by a forward pass in train mode

        Returns nothing; model.weights is updated.
        """
        # TODO: task 4.2 - regularize the gradients, then one SGD step on every weight.
        raise NotImplementedError('task 4.2 - regularize the gradients, then one SGD step on every weight. (optimizer/sgd.py)')
