"""Class-balanced weights and the focal loss, for long-tailed data."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def reweight(cls_num_list, beta=0.9999):
    """
    Class-balanced weights from the effective number of samples of each class: Cui, Jia,
    Lin, Song and Belongie, "Class-Balanced Loss Based on Effective Number of Samples"
    (CVPR 2019), section 3 (the effective number) and section 4 (the class-balanced loss).

    Conventions:
    - the weight of a class is proportional to the inverse of its effective number of
      samples, as in Cui et al.;
    - normalisation: one common factor scales the weights so that the C weights sum to C,
      the number of classes (the normalisation of Cui et al., section 4), so that on
      balanced data every weight is 1;
    - one weight per class, in the order of cls_num_list.

    Inputs:
    - cls_num_list: list of C ints, the number of training examples of each class (each >= 1)
    - beta: hyperparameter in [0, 1)

    Returns:
    - per_cls_weights: floating-point torch tensor (float32 is fine) of shape (C,), summing to C
    """
    # TODO: task 2.4 - class-balanced weights.
    raise NotImplementedError('task 2.4 - class-balanced weights. (losses/focal_loss.py)')
    return per_cls_weights


class FocalLoss(nn.Module):
    def __init__(self, weight=None, gamma=0.0):
        """
        Inputs:
        - weight: None, or a float tensor of shape (C,) with one weight per class (None: every
          class weighs 1)
        - gamma: the focusing parameter, >= 0
        """
        super().__init__()
        assert gamma >= 0
        self.gamma = gamma
        self.weight = weight

    def forward(self, input, target):
        """
        The focal loss of a batch: Lin, Goyal, Girshick, He and Dollar, "Focal Loss for Dense
        Object Detection" (ICCV 2017), section 3.2, in its alpha-balanced form, here for C-way
        classification with per-class weights (such as those of reweight).

        Conventions:
        - p_t is the softmax probability of each example's true class (one softmax over the C
          scores, not one sigmoid per class as in Lin et al.'s detector and in the
          class-balanced focal loss of Cui et al.);
        - the weight of the example's true class, weight[target[i]], plays the part of
          alpha_t;
        - reduction: the weighted mean, normalised by the total weight of the batch's true
          classes, the way F.cross_entropy averages when given class weights (not the sum, not
          a division by N); so gamma = 0 gives exactly F.cross_entropy(input, target,
          weight=weight), value and gradient, and weight=None a plain mean over the batch;
        - the focusing term is part of the graph (not detached): the gradient with respect to
          input flows through it too;
        - the loss is finite and accurate for scores of large magnitude (a hundred and more),
          where exponentials overflow in float32.

        Inputs:
        - input: scores of shape (N, C)
        - target: int64 tensor of shape (N,), values in 0..C-1

        Returns:
        - loss: a 0-dimensional tensor (shape ()) in the dtype of input, differentiable with
          respect to input
        """
        # TODO: task 2.5 - focal loss.
        raise NotImplementedError('task 2.5 - focal loss. (losses/focal_loss.py)')
        return loss
