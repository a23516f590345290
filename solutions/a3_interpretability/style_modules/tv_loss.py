import torch.nn as nn


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        """
        Total-variation loss, which favours smooth images: the regulariser
        R_{V^beta} of Mahendran and Vedaldi (2015, "Understanding Deep Image
        Representations by Inverting Them") with beta = 2, as Johnson et al.
        (2016, "Perceptual Losses for Real-Time Style Transfer and
        Super-Resolution", section 3.3) use it.

        Conventions:
        - Squared differences of neighbouring pixels (beta = 2: no absolute
          values, no square root), summed, not averaged, then multiplied by
          tv_weight.
        - Neighbours are the pairs of vertically adjacent and the pairs of
          horizontally adjacent pixels, within each channel of each image of
          the batch; there is no wrap-around and no padding, so an image one
          pixel high has no vertical pairs.
        - The loss is a scalar tensor built from torch operations, in the dtype
          of img (float64 in the tests, compared to 1e-9), so that
          loss.backward() reaches img; no Python loops over pixels.

        Inputs:
        - img: Tensor of shape (N, C, H, W); C is 3 for images, and H or W may
          be 1.
        - tv_weight: Scalar weight of the loss.

        Returns:
        - loss: Scalar Tensor.
        """
        # TODO: task 5.4 - the total-variation loss.
        # BEGIN SOLUTION
        down = (img[:, :, 1:, :] - img[:, :, :-1, :]).pow(2).sum()
        right = (img[:, :, :, 1:] - img[:, :, :, :-1]).pow(2).sum()
        return tv_weight * (down + right)
        # END SOLUTION
