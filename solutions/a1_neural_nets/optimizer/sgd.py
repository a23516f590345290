"""Plain stochastic gradient descent."""

from ._base_optimizer import _BaseOptimizer


class SGD(_BaseOptimizer):
    def __init__(self, learning_rate=1e-4, reg=1e-3):
        super().__init__(learning_rate, reg)

    def update(self, model):
        """
        One step of plain gradient descent on every parameter of the model, with the L2
        penalty: apply_regularization first, then move each weight against its gradient,
        scaled by the learning rate.

        Inputs:
        - model: a network with dicts model.weights and model.gradients (same keys),
          the gradients already computed by a forward pass in train mode

        Returns nothing; model.weights is updated.
        """
        # TODO: task 4.2 - regularize the gradients, then one SGD step on every weight.
        # BEGIN SOLUTION
        self.apply_regularization(model)
        for name in model.weights:
            model.weights[name] = model.weights[name] - self.learning_rate * model.gradients[name]
        # END SOLUTION
