"""What every optimizer shares: its step size and the L2 penalty on the weights.

Book references: GBC is Goodfellow, Bengio and Courville, Deep Learning (MIT Press, 2016).
"""


class _BaseOptimizer:
    def __init__(self, learning_rate=1e-4, reg=1e-3):
        """
        Inputs:
        - learning_rate: step size of each update
        - reg: strength of the L2 penalty (weight decay, GBC sections 7.1 and 7.1.1). The
          penalty is 0.5 * reg * sum(W ** 2) for each weight matrix W of the model (W1,
          and W2 where the model has it), summed over those matrices; never the biases.
        """
        self.learning_rate = learning_rate
        self.reg = reg

    def update(self, model):
        pass

    def apply_regularization(self, model):
        """
        Add the gradient of the L2 penalty to model.gradients, for each weight matrix the
        model has.

        Conventions the grader checks:
        - the weight matrices are the entries W1 and W2 of model.weights (W2 only where the
          model has it: SoftmaxRegression has W1 alone);
        - biases are not penalized: their gradients stay exactly as they were;
        - the gradient already in model.gradients (the data term, from a forward pass) is
          kept and the penalty's gradient is added to it;
        - model.weights do not change; reg may be 0.

        Inputs:
        - model: a network with dicts model.weights and model.gradients (same keys)

        Returns nothing; model.gradients is updated in place.
        """
        # TODO: task 4.1 - add the penalty's gradient to the gradients of the weight matrices.
        # BEGIN SOLUTION
        for name in ("W1", "W2"):
            if name in model.weights:
                model.gradients[name] = model.gradients[name] + self.reg * model.weights[name]
        # END SOLUTION
