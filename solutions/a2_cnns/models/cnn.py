"""The vanilla convolutional network of Part 2."""

import torch.nn as nn


class VanillaCNN(nn.Module):
    def __init__(self):
        """
        conv (3 -> 32 channels, kernel 7, stride 1, no padding) -> ReLU
        -> max pooling (kernel 2, stride 2) -> fully connected to 10 scores
        (convolutional networks: Goodfellow, Bengio and Courville, Deep Learning, 2016,
        chapter 9).

        Layer inventory. The tests load known weights into the layers that own parameters,
        found by their type and parameter shapes in the order forward first uses them (the
        attribute names are yours):
        1. an nn.Conv2d with weight (32, 3, 7, 7) and bias (32,);
        2. an nn.Linear with bias (10,), whose weight reads the pooled feature maps of each
           example flattened in (channel, row, column) order (its input size is yours to
           work out).
        The ReLU and the max pooling own no parameters, and no other layer owns any.
        """
        super().__init__()
        # TODO: task 2.2 - VanillaCNN layers.
        # BEGIN SOLUTION
        self.conv = nn.Conv2d(3, 32, kernel_size=7, stride=1, padding=0)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc = nn.Linear(32 * 13 * 13, 10)
        # END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32); N may be 1

        Returns:
        - outs: tensor of shape (N, 10), the class scores (no softmax)
        """
        # TODO: task 2.2 - VanillaCNN forward.
        # BEGIN SOLUTION
        x = self.pool(self.relu(self.conv(x)))  # (N, 32, 13, 13)
        outs = self.fc(x.reshape(x.shape[0], -1))
        # END SOLUTION
        return outs
