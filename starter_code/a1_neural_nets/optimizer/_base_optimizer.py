"""What every optimizer shares: its step size and the L2 penalty on the weights."""


class _BaseOptimizer:
    def __init__(self, learning_rate=1e-4, reg=1e-3):
        """
        Inputs:
        - learning_rate: step size of each update
        - reg: strength of the L2 penalty 0.5 * reg * sum(W ** 2) on every weight matrix
        """
        self.learning_rate = learning_rate
        self.reg = reg

    def update(self, model):
        pass

    def apply_regularization(self, model):
        """
        Add the gradient of the L2 penalty, reg * W, to the gradient of every weight
        matrix of the model (the names that start with "W"); biases are not penalized.

        Inputs:
        - model: a network with dicts model.weights and model.gradients (same keys)

        Returns nothing; model.gradients is updated in place.
        """
        # TODO: task 4.1 - add reg * W to the gradient of every weight named W*.
        raise NotImplementedError('task 4.1 - add reg * W to the gradient of every weight named W*. (optimizer/_base_optimizer.py)')
