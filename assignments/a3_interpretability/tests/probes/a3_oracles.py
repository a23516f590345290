"""Grader-side oracles for A3 (never called in the worker).

They compute the expected values from independent sources: Captum's attribution
methods and plain torch autograd on the same seeded SqueezeNet that the worker
builds (a3_probes.build_squeezenet), and closed forms in NumPy for the losses.
"""
import warnings

import numpy as np
from a3_probes import GRADCAM_LAYER, build_squeezenet, extract_features

# The oracles are small; one thread avoids the large slow-downs of spinning thread pools
# on a shared or fractional CPU (Gradescope gives half a core).
try:
    import torch as _torch

    _torch.set_num_threads(1)
except ImportError:  # pragma: no cover - the grader always has torch
    pass

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


def _tensor(a, dtype=np.float32, requires_grad=False):
    import torch

    return torch.from_numpy(np.array(a, dtype=dtype)).requires_grad_(requires_grad)


def class_scores(X, seed):
    """Scores (N, 1000) of the seeded network for images X (N, 3, H, W)."""
    import torch

    with torch.no_grad():
        return build_squeezenet(seed)(_tensor(X)).numpy()


def positive_score_labels(X, seed, rng):
    """One random label per image among the classes whose score is clearly positive
    (a class whose final ReLU is dead everywhere has an all-zero gradient)."""
    scores = class_scores(X, seed)
    labels = []
    for row in scores:
        candidates = np.flatnonzero(row > 0.25 * row.max())
        labels.append(int(rng.choice(candidates)))
    return np.array(labels, dtype=np.int64)


def grad_cam_labels(X, seed, rng, candidates_per_image=24):
    """One label per image whose raw Grad-CAM (before the ReLU) is positive in some cells and
    negative in others, so that leaving out the ReLU, or applying it in the wrong place,
    changes the result."""
    import torch
    from captum.attr import LayerGradCam

    model = build_squeezenet(seed)
    gradcam = LayerGradCam(model, model.features[GRADCAM_LAYER])
    scores = class_scores(X, seed)
    labels = []
    for image, row in zip(np.asarray(X, np.float32), scores, strict=True):
        candidates = rng.permutation(np.flatnonzero(row > 0.25 * row.max()))[:candidates_per_image]
        batch = torch.from_numpy(np.repeat(image[None], len(candidates), axis=0))
        raw = gradcam.attribute(batch, target=torch.from_numpy(candidates)).detach().numpy()
        raw = raw.reshape(len(candidates), -1)
        mixed = np.flatnonzero((raw.min(axis=1) < 0) & (raw.max(axis=1) > 0))
        labels.append(int(candidates[mixed[0]] if len(mixed) else candidates[0]))
    return np.array(labels, dtype=np.int64)


def captum_saliency(X, y, seed):
    """Captum Saliency (absolute gradient), max over channels -> (N, H, W)."""
    from captum.attr import Saliency

    model = build_squeezenet(seed)
    attr = Saliency(model).attribute(_tensor(X, requires_grad=True), target=_tensor(y, np.int64),
                                     abs=True)
    return attr.amax(dim=1).detach().numpy()


def captum_guided_backprop(X, y, seed):
    """Captum GuidedBackprop, channels last -> (N, H, W, 3)."""
    from captum.attr import GuidedBackprop

    model = build_squeezenet(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # "Setting backward hooks on ReLU activations"
        attr = GuidedBackprop(model).attribute(_tensor(X, requires_grad=True),
                                               target=_tensor(y, np.int64))
    return attr.permute(0, 2, 3, 1).detach().numpy()


def captum_grad_cam(X, y, seed):
    """Captum LayerGradCam on features[12] with ReLU, upsampled bilinearly -> (N, H, W)."""
    from captum.attr import LayerAttribution, LayerGradCam

    model = build_squeezenet(seed)
    cam = LayerGradCam(model, model.features[GRADCAM_LAYER]).attribute(
        _tensor(X, requires_grad=True), target=_tensor(y, np.int64), relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, tuple(np.shape(X)[2:]), interpolate_mode="bilinear")
    return cam[:, 0].detach().numpy()


def score_gradient(X, target_y, seed):
    """d score[0, target_y] / d X for one image X (1, 3, H, W), by torch autograd."""
    model = build_squeezenet(seed)
    x = _tensor(X, requires_grad=True)
    model(x)[0, int(target_y)].backward()
    return x.grad.numpy()


def fooling_steps(X, target_y, seed, learning_rate=10.0, max_iter=100):
    """The fooling-image iteration of the handout, run here: returns the number of
    normalised steps after which the network predicts target_y (None if it never does)."""
    import torch

    model = build_squeezenet(seed)
    x = _tensor(X, requires_grad=True)
    for step in range(max_iter + 1):
        scores = model(x)
        if int(scores.argmax(dim=1)) == int(target_y):
            return step
        if step == max_iter:
            return None
        scores[0, int(target_y)].backward()
        with torch.no_grad():
            x += learning_rate * x.grad / x.grad.norm()
        x.grad.zero_()
    return None


def pick_fooling_case(seed, size, rng, min_steps=3, max_steps=40, tries=6):
    """A random image and a target class (not the predicted one) that the fooling
    iteration reaches in min_steps..max_steps steps: a random-weight network cannot
    be pushed to every class, so the grader picks a target it can reach.

    Returns (X (1, 3, size, size) float32, target_y, steps)."""
    for _ in range(tries):
        X = rng.standard_normal((1, 3, size, size)).astype(np.float32)
        order = np.argsort(-class_scores(X, seed)[0])
        for target in order[1:9]:
            steps = fooling_steps(X, target, seed, max_iter=max_steps)
            if steps is not None and steps >= min_steps:
                return X, int(target), steps
    raise RuntimeError(f"grader: no reachable fooling target for seed {seed}, size {size}")


def check_fooling_image(got, X, target, steps, seed, where):
    """Grader-side checks of a fooling image returned by the student."""
    from autograder.testing import assert_shape, assert_true

    before = int(np.argmax(class_scores(X, seed)[0]))
    assert_shape(got, X.shape, name="the fooling image", where=where)
    assert_true(bool(np.all(np.isfinite(got))), f"The fooling image has NaN or infinite values.\n"
                f"Where to look: {where} (divide by the norm of the gradient, not by zero)")
    scores = class_scores(got.astype(np.float32), seed)[0]
    top = float(scores.max())
    assert_true(bool(scores[target] >= top - 1e-5 * abs(top)),
                f"The network should classify the fooling image as class {target} (it classified the "
                f"original image as {before}), but it predicts class {int(np.argmax(scores))} "
                f"(score {top:.6g} against {float(scores[target]):.6g} for the target).\n"
                f"Where to look: {where} (step along +gradient of the target score, keep going until "
                "the prediction is the target, at most 100 steps)")
    distance = float(np.linalg.norm(got.astype(np.float64) - X))
    bound = 10.0 * (steps + 2)
    assert_true(distance <= bound,
                f"The fooling image should stay close to the input: the handout's iteration reaches "
                f"class {target} after {steps} steps of L2 length 10, so it lies within {10 * steps} "
                f"of the input; yours is {distance:.4g} away (allowed: {bound:.4g}).\n"
                f"Where to look: {where} (step = learning_rate * g / ||g||_2, stop as soon as the "
                "prediction is the target)")


def image_bounds():
    """(low, high), each (1, 3, 1, 1): the normalised values of pixel intensities 0 and 1."""
    low = (-IMAGENET_MEAN / IMAGENET_STD).reshape(1, 3, 1, 1)
    high = ((1 - IMAGENET_MEAN) / IMAGENET_STD).reshape(1, 3, 1, 1)
    return low, high


def class_visualization_step(img, target_y, seed, l2_reg, learning_rate):
    """One step of class visualization with jitter and blur off, in closed form:
    I' = clamp(I + lr * g / ||g||_2), g = grad S_y(I) - 2 * l2_reg * I."""
    img64 = np.asarray(img, np.float64)
    g = score_gradient(img, target_y, seed).astype(np.float64) - 2 * l2_reg * img64
    low, high = image_bounds()
    return np.clip(img64 + learning_rate * g / np.linalg.norm(g), low, high)


def class_visualization_steps(img, target_y, seed, l2_reg, learning_rate, num_iterations):
    """num_iterations closed-form steps; the image is float32 between steps, as in the worker."""
    for _ in range(num_iterations):
        img = class_visualization_step(img, target_y, seed, l2_reg, learning_rate).astype(np.float32)
    return img


# --- style transfer: closed forms ----------------------------------------------------

def gram(features, normalize=True):
    """Gram matrices (N, C, C) of features (N, C, H, W) in NumPy."""
    N, C, H, W = features.shape
    flat = features.reshape(N, C, H * W)
    g = np.einsum("nip,njp->nij", flat, flat)
    return g / (H * W * C) if normalize else g


def style_loss_and_grads(feats, style_layers, style_targets, style_weights):
    """Style loss and its gradient with respect to every feature map (zeros where unused)."""
    loss = 0.0
    grads = [np.zeros_like(f) for f in feats]
    for layer, target, w in zip(style_layers, style_targets, style_weights, strict=True):
        F = feats[layer]
        N, C, H, W = F.shape
        diff = gram(F) - target                                    # (N, C, C)
        loss += w * np.sum(diff ** 2)
        # d/dF sum((F F^T / k - A)^2) = (2 / k) * (D + D^T) F, with k = C H W
        flat = F.reshape(N, C, H * W)
        grads[layer] += (w * 2.0 / (C * H * W) * (diff + diff.transpose(0, 2, 1)) @ flat).reshape(F.shape)
    return loss, grads


def tv_loss_and_grad(img, tv_weight):
    """Total-variation loss and its gradient with respect to img (N, 3, H, W)."""
    dv = img[:, :, 1:, :] - img[:, :, :-1, :]
    dh = img[:, :, :, 1:] - img[:, :, :, :-1]
    loss = tv_weight * (np.sum(dv ** 2) + np.sum(dh ** 2))
    grad = np.zeros_like(img)
    grad[:, :, 1:, :] += 2 * dv
    grad[:, :, :-1, :] -= 2 * dv
    grad[:, :, :, 1:] += 2 * dh
    grad[:, :, :, :-1] -= 2 * dh
    return loss, tv_weight * grad


def style_targets_for(style_img, seed, style_layers):
    """Normalised Gram matrices of the style image at the style layers (float32)."""
    import torch

    model = build_squeezenet(seed)
    with torch.no_grad():
        feats = extract_features(_tensor(style_img), model.features)
    return [gram(feats[layer].numpy().astype(np.float64)).astype(np.float32) for layer in style_layers]


def content_target_for(content_img, seed, content_layer):
    import torch

    model = build_squeezenet(seed)
    with torch.no_grad():
        return extract_features(_tensor(content_img), model.features)[content_layer].numpy()


def style_transfer_sgd_step(img, content_target, style_targets, seed, learning_rate, config):
    """The total loss of img and the image after one SGD step, by torch autograd on
    the closed-form losses: returns (loss, new_img)."""
    import torch

    model = build_squeezenet(seed)
    x = _tensor(img, requires_grad=True)
    feats = extract_features(x, model.features)
    layer = config["content_layer"]
    loss = config["content_weight"] * ((feats[layer] - _tensor(content_target)) ** 2).sum()
    for layer, target, w in zip(config["style_layers"], style_targets, config["style_weights"], strict=True):
        F = feats[layer]
        N, C, H, W = F.shape
        flat = F.reshape(N, C, H * W)
        G = flat @ flat.transpose(1, 2) / (C * H * W)
        loss = loss + w * ((G - _tensor(target)) ** 2).sum()
    dv = x[:, :, 1:, :] - x[:, :, :-1, :]
    dh = x[:, :, :, 1:] - x[:, :, :, :-1]
    loss = loss + config["tv_weight"] * ((dv ** 2).sum() + (dh ** 2).sum())
    loss.backward()
    with torch.no_grad():
        new = x - learning_rate * x.grad
    return float(loss.detach()), new.numpy()
