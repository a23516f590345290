"""Class-balanced weights and the focal loss, for long-tailed data."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def reweight(cls_num_list, beta=0.9999):
    """
    Class-balanced weights from the effective number of samples (Cui et al., 2019).

    A class with n examples has the effective number E_n = (1 - beta ** n) / (1 - beta);
    its weight is proportional to 1 / E_n. The weights are scaled to sum to the number of
    classes.

    Inputs:
    - cls_num_list: list of C ints, the number of training examples of each class
    - beta: hyperparameter in [0, 1)

    Returns:
    - per_cls_weights: float tensor of shape (C,), summing to C
    """
    # TODO: task 2.4 - class-balanced weights.
    # Effective numbers, their inverses, then normalize to sum to C.
    raise NotImplementedError('task 2.4 - class-balanced weights. (losses/focal_loss.py)')
    return per_cls_weights


class FocalLoss(nn.Module):
    def __init__(self, weight=None, gamma=0.0):
        """
        Inputs:
        - weight: None, or a float tensor of shape (C,) with one weight per class
        - gamma: the focusing parameter, >= 0; gamma = 0 gives weighted cross-entropy
        """
        super().__init__()
        assert gamma >= 0
        self.gamma = gamma
        self.weight = weight

    def forward(self, input, target):
        """
        The focal loss of a batch, averaged like weighted cross-entropy.

        With p_i the softmax probability of example i's true class y_i and w the class
        weights (all ones when weight is None):
            loss = sum_i w[y_i] * (1 - p_i) ** gamma * (-log p_i) / sum_i w[y_i]
        With gamma = 0 this equals F.cross_entropy(input, target, weight=weight).

        Inputs:
        - input: scores of shape (N, C)
        - target: int64 tensor of shape (N,), values in 0..C-1

        Returns:
        - loss: a scalar tensor (differentiable with respect to input)
        """
        # TODO: task 2.5 - focal loss.
        # Log-probabilities with F.log_softmax (stable), the focal factor, then the
        # weighted mean.
        raise NotImplementedError('task 2.5 - focal loss. (losses/focal_loss.py)')
        return loss
