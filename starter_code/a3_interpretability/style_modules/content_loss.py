import torch.nn as nn


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        """
        Content loss of style transfer (Gatys, Ecker and Bethge, 2016, "Image
        Style Transfer Using Convolutional Neural Networks", section 2.1, eq. 1).

        Conventions:
        - The squared error is summed over all elements (not averaged), without
          the paper's factor 1/2, and multiplied by content_weight.
        - The loss is a scalar tensor built from torch operations on the inputs,
          in their dtype (the tests pass float64 and compare to 1e-9), so that
          loss.backward() reaches content_current.

        Inputs:
        - content_weight: Scalar weight w_c of the content loss.
        - content_current: Features of the current image; Tensor of shape
          (1, C_l, H_l, W_l).
        - content_original: Features of the content image; Tensor of shape
          (1, C_l, H_l, W_l).

        Returns:
        - loss: Scalar Tensor.
        """
        # TODO: task 5.1 - the content loss.
        raise NotImplementedError('task 5.1 - the content loss. (style_modules/content_loss.py)')
