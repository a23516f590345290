"""Your own network for the leaderboard: any design, trained from scratch."""

import torch
import torch.nn as nn


class MyModel(nn.Module):
    def __init__(self):
        """
        Build your network; the architecture is yours. What the tests and the leaderboard rely on:
        - MyModel() takes no arguments and builds the same architecture every time: the
          leaderboard builds it so and loads your checkpoint into it. The checkpoint is this
          module's state_dict saved with torch.save (main.py does it); it is loaded with
          torch.load(..., weights_only=True) and load_state_dict(..., strict=True), so it
          holds every parameter and buffer of the model and nothing else;
        - input (N, 3, 32, 32) images normalized as in data_utils.normalize, any N >= 1;
          output (N, 10) class scores (the leaderboard predicts the argmax of each row);
        - at most 25,000,000 parameters (a checkpoint of 100 MB);
        - no pretrained weights (torchvision.models, torch.hub, timm and transformers are
          refused in this file): train from scratch;
        - randomness (dropout or any other) acts in training mode only (model.train()) and
          draws from torch's generator, so that a pass after torch.manual_seed repeats; every
          dropout layer you declare is applied in training mode; evaluation mode
          (model.eval()) gives the same scores whatever the seed.
        """
        super().__init__()
        # TODO: task 2.3 - MyModel layers (your design).
        raise NotImplementedError('task 2.3 - MyModel layers (your design). (models/my_model.py)')

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, 3, 32, 32); N may be 1

        Returns:
        - outs: tensor of shape (N, 10), the class scores (no softmax)
        """
        # TODO: task 2.3 - MyModel forward.
        raise NotImplementedError('task 2.3 - MyModel forward. (models/my_model.py)')
        return outs
