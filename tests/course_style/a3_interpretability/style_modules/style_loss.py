import torch
import torch.nn as nn


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        """Course style: view and torch.bmm, normalised in place."""
        N, C, H, W = features.size()
        f = features.view(N, C, H * W)
        gram = torch.bmm(f, f.transpose(1, 2))
        if normalize:
            gram /= float(H * W * C)
        return gram

    def forward(self, feats, style_layers, style_targets, style_weights):
        """Course style: a loop over indices, the loss accumulated with +=."""
        style_loss = 0
        for i in range(len(style_layers)):
            current = self.gram_matrix(feats[style_layers[i]])
            style_loss += style_weights[i] * torch.sum((current - style_targets[i]) ** 2)
        return style_loss
