"""Builds the SqueezeNet 1.1 used throughout the assignment.

Offline (tests, CI, your laptop without internet) the network has seeded random
weights: every call with the same seed returns the very same network. On a course
machine, ``pretrained=True`` downloads torchvision's ImageNet weights once.
"""
import torch
import torchvision

DEFAULT_SEED = 0


def build_squeezenet(seed=DEFAULT_SEED, pretrained=False, device=None):
    """
    Build a SqueezeNet 1.1 in evaluation mode with frozen parameters.

    Inputs:
    - seed: Integer; seeds torch before the random initialisation (ignored when
      pretrained=True).
    - pretrained: If True, load torchvision's ImageNet weights (downloads them).
    - device: torch.device or string; defaults to CUDA when available, else CPU.

    Returns:
    - model: torchvision.models.SqueezeNet, eval mode, requires_grad=False on all
      parameters. model(X) maps images (N, 3, H, W) to class scores (N, 1000).
    """
    if pretrained:
        weights = torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1
        model = torchvision.models.squeezenet1_1(weights=weights)
    else:
        torch.manual_seed(seed)
        model = torchvision.models.squeezenet1_1(weights=None)
    for param in model.parameters():
        param.requires_grad_(False)
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return model.to(device).eval()


def imagenet_class_names():
    """
    Returns:
    - names: List of the 1000 ImageNet class names, index = class id. They ship
      with torchvision (no download); with random weights they are only labels.
    """
    weights = torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1
    return list(weights.meta["categories"])
