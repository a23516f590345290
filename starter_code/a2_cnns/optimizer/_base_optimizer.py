"""What every optimizer of Part 1 shares: its settings and L2 regularization."""


class _BaseOptimizer:
    def __init__(self, model, learning_rate=1e-4, reg=1e-3):
        self.learning_rate = learning_rate
        self.reg = reg

    def apply_regularization(self, model):
        """
        Add the gradient of the L2 penalty 0.5 * reg * sum(weight ** 2) to the weight
        gradient of every module that has a weight (biases are not regularized).

        Inputs:
        - model: a ConvNet whose modules' dw were set by backward; each dw is updated
        """
        for m in model.modules:
            if hasattr(m, 'weight'):
                m.dw = m.dw + self.reg * m.weight
