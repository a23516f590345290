"""Stochastic gradient descent with momentum."""

from ._base_optimizer import _BaseOptimizer


class SGD(_BaseOptimizer):
    def __init__(self, model, learning_rate=1e-4, reg=1e-3, momentum=0.9):
        """
        Inputs:
        - model: the ConvNet to optimize
        - learning_rate, reg: see _BaseOptimizer (which also sets self.grad_tracker, where the
          velocity of each module's weight and bias is kept, 0 before the first step)
        - momentum: the momentum coefficient (the fraction of the velocity kept from one step
          to the next)
        """
        super().__init__(model, learning_rate, reg)
        self.momentum = momentum

    def update(self, model):
        """
        One step of SGD with momentum on the weight and the bias of every module that has a
        weight.

        Conventions:
        - the momentum form is classical momentum in the velocity form of Sutskever, Martens,
          Dahl and Hinton, "On the importance of initialization and momentum in deep learning"
          (ICML 2013), section 2, equations (1) and (2), also the form of the Stanford CS231n
          notes ("Neural Networks Part 3", section "Momentum update"). At a constant learning
          rate it takes the same steps as torch.optim.SGD with momentum (dampening 0, no
          Nesterov), against which the tests compare;
        - weight decay is coupled L2 regularization: the gradient a step uses is the one that
          apply_regularization(model) of _BaseOptimizer leaves in each dw (weights only, not
          biases), so the penalty's gradient enters the velocity like the loss's (not the
          decoupled weight decay of Loshchilov and Hutter, ICLR 2019);
        - one velocity per parameter: self.grad_tracker[idx]["dw"] and ["db"] for the module
          model.modules[idx], 0 before the first step and carried from one call of update to
          the next;
        - momentum = 0 is plain gradient descent on the regularized loss.

        Inputs:
        - model: the ConvNet, its modules' dw and db set by backward
        """
        # TODO: task 1.8 - SGD with momentum.
        raise NotImplementedError('task 1.8 - SGD with momentum. (optimizer/sgd.py)')
