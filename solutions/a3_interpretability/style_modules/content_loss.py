import torch.nn as nn


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        """
        Content loss of style transfer (Gatys et al., 2016).

        Inputs:
        - content_weight: Scalar weight w_c of the content loss.
        - content_current: Features of the current image; Tensor of shape
          (1, C_l, H_l, W_l).
        - content_original: Features of the content image; Tensor of shape
          (1, C_l, H_l, W_l).

        Returns:
        - loss: Scalar Tensor, w_c * sum((content_current - content_original) ** 2).
        """
        # TODO: task 5.1 - the content loss.
        # The weighted sum of squared differences.
        # BEGIN SOLUTION
        return content_weight * (content_current - content_original).pow(2).sum()
        # END SOLUTION
