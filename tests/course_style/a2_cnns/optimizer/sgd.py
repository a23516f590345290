"""SGD with momentum written the way the course's earlier templates expected: the velocities
live in self.grad_tracker, which _BaseOptimizer.__init__ creates (one {"dw": 0, "db": 0} per
module index); this class only reads and writes it, and updates the parameters in place."""

from ._base_optimizer import _BaseOptimizer


class SGD(_BaseOptimizer):
    def __init__(self, model, learning_rate=1e-4, reg=1e-3, momentum=0.9):
        super().__init__(model, learning_rate, reg)
        self.momentum = momentum

    def update(self, model):
        self.apply_regularization(model)
        for idx, m in enumerate(model.modules):
            if hasattr(m, "weight"):
                slot = self.grad_tracker[idx]
                slot["dw"] = self.momentum * slot["dw"] - self.learning_rate * m.dw
                m.weight += slot["dw"]
            if hasattr(m, "bias"):
                slot = self.grad_tracker[idx]
                slot["db"] = self.momentum * slot["db"] - self.learning_rate * m.db
                m.bias += slot["db"]
