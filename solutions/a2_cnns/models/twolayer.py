"""A two-layer fully connected network in PyTorch."""

import torch
import torch.nn as nn


class TwoLayerNet(nn.Module):
    def __init__(self, input_dim, hidden_size, num_classes):
        """
        A fully connected network with one hidden layer of logistic sigmoid units
        (Goodfellow, Bengio and Courville, Deep Learning, 2016, chapter 6; the sigmoid unit
        in section 6.3.2).

        Layer inventory. The tests load known weights into the layers that own parameters,
        found by their type and parameter shapes in the order forward first uses them (the
        attribute names are yours):
        1. an nn.Linear with weight (H, D) and bias (H,), the hidden layer;
        2. an nn.Linear with weight (C, H) and bias (C,), the output layer.
        The logistic sigmoid of the hidden layer owns no parameters, and no other layer
        owns any.

        Inputs:
        - input_dim: D, the number of features of one flattened image (3 * 32 * 32)
        - hidden_size: H, the width of the hidden layer
        - num_classes: C
        """
        super().__init__()
        # TODO: task 2.1 - TwoLayerNet layers.
        # BEGIN SOLUTION
        self.fc1 = nn.Linear(input_dim, hidden_size)
        self.fc2 = nn.Linear(hidden_size, num_classes)
        # END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32), or any (N, ...) with D features per example;
          each example is flattened in row-major order; N may be 1

        Returns:
        - scores: tensor of shape (N, C), the class scores (no softmax: the loss and the
          leaderboard's argmax take scores)
        """
        # TODO: task 2.1 - TwoLayerNet forward.
        # BEGIN SOLUTION
        x = x.reshape(x.shape[0], -1)  # (N, D)
        scores = self.fc2(torch.sigmoid(self.fc1(x)))
        # END SOLUTION
        return scores
