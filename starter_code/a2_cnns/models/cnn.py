"""The vanilla convolutional network of Part 2."""

import torch.nn as nn


class VanillaCNN(nn.Module):
    def __init__(self):
        """
        conv (3 -> 32 channels, kernel 7, stride 1, no padding) -> ReLU
        -> max pooling (kernel 2, stride 2) -> fully connected to 10 scores.
        For 32x32 inputs: (N, 3, 32, 32) -> (N, 32, 26, 26) -> (N, 32, 13, 13) -> (N, 10).
        """
        super().__init__()
        # TODO: task 2.2 - VanillaCNN layers.
        # nn.Conv2d, nn.ReLU, nn.MaxPool2d and nn.Linear, named as you like: the tests find
        # layers by type, shape and order of use.
        raise NotImplementedError('task 2.2 - VanillaCNN layers. (models/cnn.py)')

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32)

        Returns:
        - outs: tensor of shape (N, 10), the class scores
        """
        # TODO: task 2.2 - VanillaCNN forward.
        # Conv, ReLU, pooling, flatten each example, fully connected.
        raise NotImplementedError('task 2.2 - VanillaCNN forward. (models/cnn.py)')
        return outs
