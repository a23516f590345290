import torch
import torch.nn as nn


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        """Course style: torch.sum of torch.pow."""
        return content_weight * torch.sum(torch.pow(content_current - content_original, 2))
