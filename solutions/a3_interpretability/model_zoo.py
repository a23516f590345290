"""Builds the networks of the assignment.

- ``build_squeezenet``: SqueezeNet 1.1. With ``pretrained=True`` (course machines) it has
  torchvision's ImageNet weights, downloaded once; otherwise seeded random weights, the same
  for the same seed on every machine (the tests use these: they never depend on the weights).
- ``build_shapes_cnn``: offline, the small CNN of shapes.py trained on generated shapes
  (trained once, about 12 s on one CPU core, then loaded from runs/shapes_cnn/).
"""
import urllib.error

import torch
import torchvision

DEFAULT_SEED = 0
WEIGHTS = torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1


class PretrainedWeightsUnavailable(RuntimeError):
    """torchvision could not get SqueezeNet's ImageNet weights (no internet, a bad file)."""


def weights_help(reason):
    """What --pretrained needs and how to get it, as a paragraph for the terminal."""
    folder = f"{torch.hub.get_dir()}/checkpoints"
    name = WEIGHTS.url.rsplit("/", 1)[-1]
    return (f"The pretrained SqueezeNet needs torchvision's ImageNet weights, the file {name} (about 5 MB), "
            f"which torchvision downloads once from {WEIGHTS.url} into {folder}/. That did not work here "
            f"({reason}).\nEither run this once on a machine with internet access (a course machine), or copy "
            f"{name} into {folder}/ (set TORCH_HOME to use another folder), then run it again.\nWithout "
            "them, `python visualize.py` explains the small CNN trained on generated shapes, offline.")


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
        try:
            model = torchvision.models.squeezenet1_1(weights=WEIGHTS)
        except (urllib.error.URLError, OSError, RuntimeError) as exc:
            raise PretrainedWeightsUnavailable(weights_help(f"{type(exc).__name__}: {exc}")) from None
    else:
        torch.manual_seed(seed)
        model = torchvision.models.squeezenet1_1(weights=None)
    for param in model.parameters():
        param.requires_grad_(False)
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return model.to(device).eval()


def build_shapes_cnn(root="runs", retrain=False, device=None, log=print):
    """
    The small CNN of shapes.py, trained on generated shapes: loaded from
    root/shapes_cnn/model.pt, or trained there first (about 12 s on one CPU core).

    Returns:
    - model: shapes.ShapesNet, eval mode, requires_grad=False on all parameters.
      model(X) maps images (N, 3, H, W) to class scores (N, 4); shapes.CLASSES names them.
    """
    from shapes import load_or_train

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return load_or_train(root=root, retrain=retrain, log=log).to(device)


def imagenet_class_names():
    """
    Returns:
    - names: List of the 1000 ImageNet class names, index = class id. They ship
      with torchvision (no download); with random weights they are only labels.
    """
    return list(WEIGHTS.meta["categories"])
