# STAFF ONLY
"""Hand-written references for A3: closed forms and plain-autograd versions of the tasks.

They never reach a student: the autograder zip carries them in tests/staff/ (the grader puts
that folder on sys.path) and build_fixtures.py uses them to cross-check the reference
solution before it records the public values. Hidden tests import them as ``a3_refs``.
The NumPy functions run without torch; the others import it when called.
"""
import a3_cases as cases
import numpy as np

from autograder.grading.apart import apart

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


# --- style transfer, in NumPy --------------------------------------------------------

def gram(features, normalize=True):
    """Gram matrices (N, C, C) of features (N, C, H, W)."""
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    g = np.einsum("nip,njp->nij", flat, flat)
    return g / (h * w * c) if normalize else g


def content_loss_and_grad(weight, current, original):
    diff = current - original
    return weight * np.sum(diff ** 2), 2 * weight * diff


def style_loss_and_grads(feats, style_layers, style_targets, style_weights):
    """Style loss and its gradient with respect to every feature map (zeros where unused)."""
    loss = 0.0
    grads = [np.zeros_like(f) for f in feats]
    for layer, target, w in zip(style_layers, style_targets, style_weights, strict=True):
        f = feats[layer]
        n, c, h, wd = f.shape
        diff = gram(f) - target                                     # (N, C, C)
        loss += w * np.sum(diff ** 2)
        flat = f.reshape(n, c, h * wd)
        # d/dF sum((F F^T / k - A)^2) = (2 / k) (D + D^T) F with k = C H W
        grads[layer] += (w * 2.0 / (c * h * wd) * (diff + diff.transpose(0, 2, 1)) @ flat).reshape(f.shape)
    return loss, grads


def tv_loss_and_grad(img, tv_weight):
    """Total-variation loss and its gradient with respect to img (N, C, H, W)."""
    dv = img[:, :, 1:, :] - img[:, :, :-1, :]
    dh = img[:, :, :, 1:] - img[:, :, :, :-1]
    loss = tv_weight * (np.sum(dv ** 2) + np.sum(dh ** 2))
    grad = np.zeros_like(img)
    grad[:, :, 1:, :] += 2 * dv
    grad[:, :, :-1, :] -= 2 * dv
    grad[:, :, :, 1:] += 2 * dh
    grad[:, :, :, :-1] -= 2 * dh
    return loss, tv_weight * grad


def guided_relu_grad(x, dout):
    """The guided-backpropagation rule: dout where x > 0 and dout > 0, else 0."""
    return np.where((x > 0) & (dout > 0), dout, 0.0)


def image_bounds():
    """(low, high), each (1, 3, 1, 1): the normalised values of pixel intensities 0 and 1."""
    low = (-IMAGENET_MEAN / IMAGENET_STD).reshape(1, 3, 1, 1)
    high = ((1 - IMAGENET_MEAN) / IMAGENET_STD).reshape(1, 3, 1, 1)
    return low, high


# --- the network's gradients, with torch ---------------------------------------------

def _tensor(a, dtype=np.float32, requires_grad=False):
    import torch

    return torch.from_numpy(np.array(a, dtype=dtype)).requires_grad_(requires_grad)


def score_gradient(model, X, target_y):
    """d score[0, target_y] / d X for one image X (1, 3, H, W), by torch autograd."""
    x = _tensor(X, requires_grad=True)
    model(x)[0, int(target_y)].backward()
    return x.grad.numpy()


def fooling_run(model, X, target_y, learning_rate=10.0, max_iter=100):
    """The handout's fooling iteration: returns (image, number of steps taken, reached?)."""
    import torch

    x = _tensor(X, requires_grad=True)
    for step in range(max_iter):
        scores = model(x)
        if int(scores.argmax(dim=1)) == int(target_y):
            return x.detach().numpy(), step, True
        scores[0, int(target_y)].backward()
        with torch.no_grad():
            x += learning_rate * x.grad / x.grad.norm()
        x.grad = None
    with torch.no_grad():
        reached = int(model(x).argmax(dim=1)) == int(target_y)
    return x.detach().numpy(), max_iter, reached


def fooling_trajectory(model, X, target_y, learning_rate=10.0, max_iter=100):
    """The images the fooling iteration visits and their scores: {"images": [X's shape, ...],
    "scores": [(num_classes,), ...]}, the first for X, the last for the image at which it stops
    (the target, or max_iter steps): what fooling_run returns, for every number of steps."""
    import torch

    x = _tensor(X, requires_grad=True)
    out = {"images": [], "scores": []}
    for step in range(max_iter + 1):
        scores = model(x)
        out["images"].append(x.detach().numpy().copy())
        out["scores"].append(scores[0].detach().numpy().astype(np.float64))
        if int(scores.argmax(dim=1)) == int(target_y) or step == max_iter:
            break
        scores[0, int(target_y)].backward()
        with torch.no_grad():
            x += learning_rate * x.grad / x.grad.norm()
        x.grad = None
    return out


def class_visualization_step(model, img, target_y, l2_reg, learning_rate):
    """One iteration of class visualization with jitter and blur off (the step, then the clamp to the
    pixel range), in plain torch: what the grader checks a student's next image against."""
    import torch

    x = _tensor(img)
    g = torch.from_numpy(score_gradient(model, img, target_y)) - 2 * l2_reg * x
    x = x + learning_rate * g / g.norm()
    low, high = image_bounds()
    return np.clip(x.numpy(), low.astype(np.float32), high.astype(np.float32))


def class_visualization_steps(model, img, target_y, num_iterations, l2_reg=1e-3, learning_rate=25.0,
                              max_jitter=0, blur_every=0, random_seed=0, noise=0.0, rng=None):
    """The handout's steps of class visualization (its defaults), from the given support code's
    jitter, clamp and blur: roll by (ox, oy) drawn from ``random`` seeded with random_seed,
    I' = I + lr g / ||g||_2 with g = grad S_y(I) - 2 l2_reg I, roll back, clamp, blur when due.
    ``noise`` > 0 adds that much Gaussian noise (from ``rng``) to every pixel before each step."""
    import random

    import torch
    from image_utils import blur_image, clamp_image_, jitter

    random.seed(int(random_seed))
    x = torch.from_numpy(np.array(img, np.float32))
    for t in range(num_iterations):
        ox, oy = random.randint(0, max_jitter), random.randint(0, max_jitter)
        if noise:
            x = x + torch.from_numpy((noise * rng.standard_normal(x.shape)).astype(np.float32))
        x = jitter(x, ox, oy)
        g = torch.from_numpy(score_gradient(model, x.numpy(), target_y)) - 2 * l2_reg * x
        x = jitter(x + learning_rate * g / g.norm(), -ox, -oy)
        clamp_image_(x)
        if blur_every > 0 and t % blur_every == 0:
            blur_image(x, sigma=0.5)
    return x.numpy()


def _features(x, cnn):
    out = []
    for module in cnn:
        x = module(x)
        out.append(x)
    return out


def sgd_style_steps(cnn, img, content_target, style_targets, learning_rate, config, steps, noise=0.0, rng=None):
    """Total losses (before each update) and the image after `steps` SGD steps, by autograd on
    the closed-form losses. ``noise`` > 0 adds that much Gaussian noise (from ``rng``) to every
    pixel before each step."""
    import torch

    x = _tensor(img, requires_grad=True)
    losses = []
    for _ in range(steps):
        if noise:
            with torch.no_grad():
                x += torch.from_numpy((noise * rng.standard_normal(tuple(x.shape))).astype(np.float32))
        feats = _features(x, cnn)
        loss = config["content_weight"] * ((feats[config["content_layer"]] - _tensor(content_target)) ** 2).sum()
        for layer, target, w in zip(config["style_layers"], style_targets, config["style_weights"], strict=True):
            f = feats[layer]
            n, c, h, wd = f.shape
            flat = f.reshape(n, c, h * wd)
            g = flat @ flat.transpose(1, 2) / (c * h * wd)
            loss = loss + w * ((g - _tensor(target)) ** 2).sum()
        dv = x[:, :, 1:, :] - x[:, :, :-1, :]
        dh = x[:, :, :, 1:] - x[:, :, :, :-1]
        loss = loss + config["tv_weight"] * ((dv ** 2).sum() + (dh ** 2).sum())
        x.grad = None
        loss.backward()
        with torch.no_grad():
            x -= learning_rate * x.grad
        losses.append(float(loss.detach()))
    return np.array(losses), x.detach().numpy()


# --- variants that show whether a drawn case holds an edge case ----------------------------

def guided_backprop_open_at_zero(model, X, y):
    """Guided backpropagation (N, H, W, 3) whose ReLUs also pass a positive gradient where their input
    is exactly 0: it differs from the true rule only where some ReLU on the path sees an exact zero,
    so a drawn case that matches it cannot tell the two rules apart."""
    import copy

    import torch
    import torch.nn as nn

    class OpenAtZero(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, dout):
            (x,) = ctx.saved_tensors
            return dout.clamp(min=0) * (x >= 0).to(dout.dtype)

    class Open(nn.Module):
        def forward(self, x):
            return OpenAtZero.apply(x)

    model = copy.deepcopy(model).eval()
    for module in list(model.modules()):
        for name, child in module.named_children():
            if isinstance(child, nn.ReLU):
                setattr(module, name, Open())
    x = _tensor(X, requires_grad=True)
    model(x).gather(1, torch.from_numpy(np.asarray(y, np.int64)).view(-1, 1)).sum().backward()
    return x.grad.permute(0, 2, 3, 1).numpy()


def grad_cam_without_relu(model, layer, X, y):
    """Captum's Grad-CAM maps with their final ReLU left out, upsampled bilinearly to the images' size:
    equal to the true maps when every weighted sum is nonnegative, so such a case cannot show the ReLU."""
    import torch
    from captum.attr import LayerAttribution, LayerGradCam

    h, w = np.shape(X)[2:]
    cam = LayerGradCam(model, layer).attribute(_tensor(X), target=torch.from_numpy(np.asarray(y, np.int64)),
                                               relu_attributions=False)
    return LayerAttribution.interpolate(cam, (int(h), int(w)), interpolate_mode="bilinear")[:, 0].detach().numpy()


# --- the hidden tests' screens, run apart from the grader (Captum, and the heap of their passes)

def guided_atol(expected):
    return 1e-5 * float(np.abs(expected).max())


def cam_atol(expected):
    return 1e-5 * float(max(expected.max(), 1e-12))


@apart(preload=cases.CAPTUM)
def zero_reaches_a_relu(case):
    """Whether some ReLU on the path sees an exact 0 where a positive gradient arrives (the tie of the rule)."""
    other = guided_backprop_open_at_zero(cases.network(case["seed"]), case["X"], case["y"])
    return not cases.close(other, case["expected"], 1e-4, guided_atol(case["expected"]))


@apart(preload=cases.CAPTUM)
def relu_of_the_map_matters(case):
    """Whether some weighted sum of the maps is negative enough that the map's ReLU changes it."""
    model = cases.network(case["seed"])
    other = grad_cam_without_relu(model, model.features[cases.GRADCAM_LAYER], case["X"], case["y"])
    return not cases.close(other, case["expected"], 1e-4, cam_atol(case["expected"]))
