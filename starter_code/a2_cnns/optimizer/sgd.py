"""Stochastic gradient descent with momentum."""

from ._base_optimizer import _BaseOptimizer


class SGD(_BaseOptimizer):
    def __init__(self, model, learning_rate=1e-4, reg=1e-3, momentum=0.9):
        """
        Inputs:
        - model: the ConvNet to optimize
        - learning_rate, reg: see _BaseOptimizer (which also sets self.grad_tracker, where the
          velocity of each module's weight and bias is kept, 0 before the first step)
        - momentum: the factor that keeps part of the last step
        """
        super().__init__(model, learning_rate, reg)
        self.momentum = momentum

    def update(self, model):
        """
        One step on every module that has parameters.

        First apply_regularization(model). Then, for the weight and for the bias of each
        module (v is that parameter's velocity in self.grad_tracker, starting at 0):
            v = momentum * v - learning_rate * gradient
            parameter = parameter + v

        Inputs:
        - model: the ConvNet, its modules' dw and db set by backward
        """
        # TODO: task 1.8 - SGD with momentum.
        # Regularize, then update the velocities and the parameters of every module with
        # a weight.
        raise NotImplementedError('task 1.8 - SGD with momentum. (optimizer/sgd.py)')
