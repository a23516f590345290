import torch.nn as nn


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        """
        Total-variation loss: encourages smooth images.

        Inputs:
        - img: Tensor of shape (N, 3, H, W).
        - tv_weight: Scalar weight w_t of the loss.

        Returns:
        - loss: Scalar Tensor, w_t times the sum of squared differences between
          all pairs of vertically adjacent pixels plus all pairs of horizontally
          adjacent pixels (over every image and channel).
        """
        # TODO: task 5.4 - the total-variation loss.
        # No loops: slice the image against itself shifted by one pixel.
        raise NotImplementedError('task 5.4 - the total-variation loss. (style_modules/tv_loss.py)')
