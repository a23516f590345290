"""Feature extraction for style transfer."""


def extract_features(x, cnn):
    """
    Run an image through a CNN and keep the output of every layer.

    Inputs:
    - x: Tensor of shape (N, 3, H, W).
    - cnn: An nn.Sequential (e.g. model.features of SqueezeNet).

    Returns:
    - features: List with one Tensor per layer of cnn; features[i] is the output of
      layer i, of shape (N, C_i, H_i, W_i).
    """
    features = []
    prev = x
    for module in cnn:
        prev = module(prev)
        features.append(prev)
    return features
