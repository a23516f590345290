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
        raise NotImplementedError('task 2.2 - VanillaCNN layers. (models/cnn.py)')

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32); N may be 1

        Returns:
        - outs: tensor of shape (N, 10), the class scores (no softmax)
        """
        # TODO: task 2.2 - VanillaCNN forward.
        raise NotImplementedError('task 2.2 - VanillaCNN forward. (models/cnn.py)')
        return outs
