"""What every optimizer of Part 1 shares: its settings, a slot of state per module, and L2
regularization."""


class _BaseOptimizer:
    def __init__(self, model, learning_rate=1e-4, reg=1e-3):
        """
        Inputs:
        - model: the ConvNet to optimize
        - learning_rate: the step size
        - reg: the strength of the L2 penalty on the weights

        Sets self.grad_tracker: for every module index of model.modules, a dict
        {"dw": 0, "db": 0} where an optimizer keeps what it carries from one step to the next
        for that module's weight and bias (SGD with momentum: the velocities).
        """
        self.learning_rate = learning_rate
        self.reg = reg
        self.grad_tracker = {idx: {"dw": 0, "db": 0} for idx in range(len(model.modules))}

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
