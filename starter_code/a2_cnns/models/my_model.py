"""Your own network for the leaderboard: any design, trained from scratch."""

import torch.nn as nn


class MyModel(nn.Module):
    def __init__(self):
        """
        Build your network. It takes (N, 3, 32, 32) images (normalized as in
        data_utils.normalize) and returns (N, 10) class scores. No pretrained weights
        (torchvision.models and torch.hub are not allowed here). At most 25 million
        parameters (a checkpoint of 100 MB). Dropout or other randomness must act in
        training mode only (model.train()), and be off in evaluation mode (model.eval()).
        """
        super().__init__()
        # TODO: task 2.3 - MyModel layers (your design).
        raise NotImplementedError('task 2.3 - MyModel layers (your design). (models/my_model.py)')

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32)

        Returns:
        - outs: tensor of shape (N, 10), the class scores
        """
        # TODO: task 2.3 - MyModel forward.
        raise NotImplementedError('task 2.3 - MyModel forward. (models/my_model.py)')
        return outs
