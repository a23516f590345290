"""A two-layer fully connected network in PyTorch."""

import torch
import torch.nn as nn


class TwoLayerNet(nn.Module):
    def __init__(self, input_dim, hidden_size, num_classes):
        """
        Inputs:
        - input_dim: D, the number of features of one flattened image (3 * 32 * 32)
        - hidden_size: H, the width of the hidden layer
        - num_classes: C
        """
        super().__init__()
        # TODO: task 2.1 - TwoLayerNet layers.
        # Two nn.Linear layers, D -> H and H -> C (a sigmoid goes between them in forward).
        # Name them as you like: the tests find layers by type, shape and order of use.
        # BEGIN SOLUTION
        self.fc1 = nn.Linear(input_dim, hidden_size)
        self.fc2 = nn.Linear(hidden_size, num_classes)
        # END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32) (or any (N, ...) with D features per example)

        Returns:
        - scores: tensor of shape (N, C), fc2(sigmoid(fc1(x flattened)))
        """
        # TODO: task 2.1 - TwoLayerNet forward.
        # Flatten each example, then layer, sigmoid, layer.
        # BEGIN SOLUTION
        x = x.reshape(x.shape[0], -1)  # (N, D)
        scores = self.fc2(torch.sigmoid(self.fc1(x)))
        # END SOLUTION
        return scores
