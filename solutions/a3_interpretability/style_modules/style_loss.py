import torch.nn as nn


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        """
        Gram matrices of feature maps (Gatys et al., 2016, section 2.2, eq. 3),
        one for each image of the batch.

        Conventions:
        - Raw second moments of the channels over the H x W positions, as in
          eq. (3): no mean is subtracted.
        - normalize=True divides by the number of elements of one image's
          feature map, H * W * C (not by H * W alone, nor by N * C * H * W);
          normalize=False leaves the sums as they are.
        - In the dtype of features (the tests pass float64 and compare to
          1e-9), without Python loops over images or positions.

        Inputs:
        - features: Tensor of shape (N, C, H, W).
        - normalize: Whether to normalise, see above.

        Returns:
        - gram: Tensor of shape (N, C, C); gram[n] belongs to image n and is
          symmetric.
        """
        # TODO: task 5.2 - the Gram matrices.
        # BEGIN SOLUTION
        N, C, H, W = features.shape
        flat = features.reshape(N, C, H * W)                   # (N, C, H*W)
        gram = flat @ flat.transpose(1, 2)                     # (N, C, C)
        if normalize:
            gram = gram / (H * W * C)
        return gram
        # END SOLUTION

    def forward(self, feats, style_layers, style_targets, style_weights):
        """
        Style loss (Gatys et al., 2016, section 2.2, eqs. 4-5): a weighted sum,
        over some layers, of the squared distance between the Gram matrices of
        the current image and of the style image.

        Conventions:
        - The Gram matrices are this class's gram_matrix with normalize=True;
          that normalisation takes the place of the paper's factor
          1 / (4 N_l^2 M_l^2), and no other factor is applied.
        - The squared distance of one layer is summed over all C_l x C_l
          entries (not averaged), then multiplied by that layer's weight.
        - Entry i of the three lists belongs together: style_targets[i] and
          style_weights[i] go with layer style_layers[i]. The layers may come
          in any order, and a layer listed twice counts twice.
        - The loss is a scalar tensor built from torch operations, in the dtype
          of feats (float64 in the tests, compared to 1e-9), so that
          loss.backward() reaches the features; style_targets are constants.

        Inputs:
        - feats: List of the features of the current image at every layer, as
          produced by style_utils.extract_features; feats[l] has shape
          (1, C_l, H_l, W_l).
        - style_layers: List of L layer indices into feats.
        - style_targets: List of L Tensors; style_targets[i] is the (normalised)
          Gram matrix of the style image at layer style_layers[i], shape
          (1, C_l, C_l).
        - style_weights: List of L scalars; style_weights[i] weights layer
          style_layers[i].

        Returns:
        - loss: Scalar Tensor.
        """
        # TODO: task 5.3 - the style loss.
        # BEGIN SOLUTION
        loss = 0
        for layer, target, w in zip(style_layers, style_targets, style_weights, strict=True):
            gram = self.gram_matrix(feats[layer])
            loss = loss + w * (gram - target).pow(2).sum()
        return loss
        # END SOLUTION
