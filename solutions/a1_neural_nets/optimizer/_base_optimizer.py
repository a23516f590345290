"""What every optimizer shares: its step size and the L2 penalty on the weights."""


class _BaseOptimizer:
    def __init__(self, learning_rate=1e-4, reg=1e-3):
        """
        Inputs:
        - learning_rate: step size of each update
        - reg: strength of the L2 penalty 0.5 * reg * sum(W ** 2), summed over the weight
          matrices of the model (W1, and W2 where the model has it; never the biases)
        """
        self.learning_rate = learning_rate
        self.reg = reg

    def update(self, model):
        pass

    def apply_regularization(self, model):
        """
        Add the gradient of the L2 penalty to model.gradients, for each weight matrix the
        model has (W1, and W2 where the model has it). Biases are not penalized, and the
        weights themselves do not change.

        Inputs:
        - model: a network with dicts model.weights and model.gradients (same keys)

        Returns nothing; model.gradients is updated in place.
        """
        # TODO: task 4.1 - add the penalty's gradient to the gradients of W1 (and W2).
        # BEGIN SOLUTION
        for name in ("W1", "W2"):
            if name in model.weights:
                model.gradients[name] = model.gradients[name] + self.reg * model.weights[name]
        # END SOLUTION
