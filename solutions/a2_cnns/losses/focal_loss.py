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
    # BEGIN SOLUTION
    counts = torch.as_tensor(cls_num_list, dtype=torch.float64)
    effective = (1.0 - torch.pow(beta, counts)) / (1.0 - beta)
    per_cls_weights = 1.0 / effective
    per_cls_weights = (per_cls_weights * len(cls_num_list) / per_cls_weights.sum()).float()
    # END SOLUTION
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
        # BEGIN SOLUTION
        log_p = F.log_softmax(input, dim=1).gather(1, target[:, None])[:, 0]  # (N,)
        p = log_p.exp()
        focal = -log_p if self.gamma == 0 else (1.0 - p) ** self.gamma * (-log_p)
        if self.weight is None:
            w = torch.ones_like(focal)
        else:
            w = self.weight.to(device=input.device, dtype=input.dtype)[target]
        loss = (w * focal).sum() / w.sum()
        # END SOLUTION
        return loss
