import torch.nn as nn


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        """
        Gram matrices of feature maps.

        Inputs:
        - features: Tensor of shape (N, C, H, W).
        - normalize: If True, divide the Gram matrix by the number of elements
          of one feature map, H * W * C.

        Returns:
        - gram: Tensor of shape (N, C, C); gram[n, i, j] is the sum over all
          positions (h, w) of features[n, i, h, w] * features[n, j, h, w].
        """
        # TODO: task 5.2 - the Gram matrices.
        # Flatten the spatial dimensions and use a batched matrix product.
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
        Style loss: a weighted sum, over some layers, of the squared distance
        between the Gram matrices of the current image and of the style image.

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
        - loss: Scalar Tensor, sum_i style_weights[i] *
          sum((gram_matrix(feats[style_layers[i]]) - style_targets[i]) ** 2).
        """
        # TODO: task 5.3 - the style loss.
        # Loop over the style layers and use self.gram_matrix.
        # BEGIN SOLUTION
        loss = 0
        for layer, target, w in zip(style_layers, style_targets, style_weights, strict=True):
            gram = self.gram_matrix(feats[layer])
            loss = loss + w * (gram - target).pow(2).sum()
        return loss
        # END SOLUTION
