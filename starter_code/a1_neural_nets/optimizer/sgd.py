"""Plain stochastic gradient descent.

Book references: GBC is Goodfellow, Bengio and Courville, Deep Learning (MIT Press, 2016).
"""

from ._base_optimizer import _BaseOptimizer


class SGD(_BaseOptimizer):
    def __init__(self, learning_rate=1e-4, reg=1e-3):
        super().__init__(learning_rate, reg)

    def update(self, model):
        """
        One step of plain stochastic gradient descent (GBC section 8.3.1, Algorithm 8.1)
        on the L2-penalized loss.

        Conventions the grader checks:
        - the step follows the gradient of the penalized loss: the data gradient in
          model.gradients plus the penalty's gradient (as apply_regularization defines
          it), both at the weights as they are before this step;
        - every parameter takes the step, biases included (they are only left out of the
          penalty);
        - plain: no momentum, no learning-rate schedule, no state kept between calls; one
          call is one step, and one optimizer may step different models.

        Inputs:
        - model: a network with dicts model.weights and model.gradients (same keys),
          the gradients already computed by a forward pass in train mode

        Returns nothing; model.weights is updated.
        """
        # TODO: task 4.2 - one SGD step on every parameter of the model, L2 penalty included.
        raise NotImplementedError('task 4.2 - one SGD step on every parameter of the model, L2 penalty included. (optimizer/sgd.py)')
