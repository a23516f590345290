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
        # BEGIN SOLUTION
        def block(c_in, c_out):
            return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]

        self.features = nn.Sequential(
            *block(3, 16), nn.MaxPool2d(2),                    # (N, 16, 16, 16)
            *block(16, 32), *block(32, 32), nn.MaxPool2d(2),   # (N, 32, 8, 8)
            *block(32, 64), nn.MaxPool2d(2),                   # (N, 64, 4, 4)
        )
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2),
                                        nn.Linear(64, 10))
        # END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32)

        Returns:
        - outs: tensor of shape (N, 10), the class scores
        """
        # TODO: task 2.3 - MyModel forward.
        # BEGIN SOLUTION
        outs = self.classifier(self.features(x))
        # END SOLUTION
        return outs
