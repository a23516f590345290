"""Grader-side helpers of A3's tests: the cases, Captum's answers, the pictures, the checks that explain.

Nothing here runs in the student's worker (the tests import it in the grader), and nothing here
is a solution: inputs are drawn from seeds, attributions come from Captum on the grader's own
copy of the network, and every other expected value was recorded from the reference solution
when the assignment was built (tests/build_fixtures.py), where `load` reads it.

- Parts 1 and 2 compare with Captum, computed here on inputs drawn from the test's `rng`: in a
  student's `check` the same inputs every time, on Gradescope new ones for each submission.
- Parts 3 to 5 compare with values recorded at build time (`fixtures_dir`): the bundle's set in
  `check`, the submission's draw of the pool on Gradescope. Their inputs are rebuilt here from the
  seeds the record holds (`image`), so that a draw holds only what cannot be recomputed cheaply.
"""
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.grading.apart import apart
from autograder.grading.checks import assert_array, assert_scalar, assert_true, fail

#: Captum's answers are computed apart from the grader (a process that ends with the computation),
#: so that neither Captum nor the heap of its passes stays in the grader for the rest of the run.
CAPTUM = ("torch", "captum.attr")

SALIENCY = "visualizers/saliency_map.py, SaliencyMap.compute_saliency_maps"
GRADCAM = "visualizers/gradcam.py, "
FOOLING = "visualizers/fooling_image.py, FoolingImage.make_fooling_image"
CLASSVIS = "visualizers/class_visualization.py, ClassVisualization.create_class_visualization"
STYLE = "style_modules/"
STEP = "style_transfer.py, StyleTransfer.step"
GRADCAM_LAYER = 12
#: ImageNet's mean and standard deviation (image_utils): the range of real pixels once normalised.
MEAN = np.array([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
STD = np.array([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
PIXEL_LOW, PIXEL_HIGH = -MEAN / STD, (1 - MEAN) / STD
#: How many images of a batch the pictures show.
SHOWN = 2


# --- inputs ---------------------------------------------------------------------------

def image(seed, shape, scale=1.0):
    """The input drawn from ``seed``: standard normal values times ``scale``, float32 (build and grader alike)."""
    return (float(scale) * np.random.default_rng(int(seed)).standard_normal(tuple(int(s) for s in shape))
            ).astype(np.float32)


def side(rng, low=48, high=96):
    """An image side in the range the tests use (48 to 96 pixels)."""
    return int(rng.integers(low, high + 1))


@lru_cache(maxsize=8)
def network(seed):
    """The grader's own SqueezeNet 1.1 with seeded random weights (the one the probes build)."""
    from a3_probes import build_squeezenet

    return build_squeezenet(int(seed))


def _as_tensor(a, dtype=np.float32, requires_grad=False):
    import torch

    return torch.from_numpy(np.array(a, dtype=dtype)).requires_grad_(requires_grad)


def scores(X, seed):
    import torch

    with torch.no_grad():
        return network(seed)(_as_tensor(X)).numpy().astype(np.float64)


def other_labels(X, seed, rng):
    """One label per image among the classes whose score is clearly positive (a class whose last
    ReLU is dead everywhere has a zero gradient), never the predicted class."""
    labels = []
    for row in scores(X, seed):
        positive = np.flatnonzero(row > 0.25 * row.max())
        positive = positive[positive != row.argmax()]
        labels.append(int(rng.choice(positive)) if len(positive) else int(np.argsort(row)[-2]))
    return np.array(labels, dtype=np.int64)


def mixed_sign_labels(X, seed, rng, candidates=8):
    """Labels as `other_labels`, preferring classes whose Grad-CAM map before its ReLU is positive in
    some cells and negative in others, so that a ReLU left out or put elsewhere shows."""
    import torch
    from captum.attr import LayerGradCam

    model = network(seed)
    gradcam = LayerGradCam(model, model.features[GRADCAM_LAYER])
    labels = []
    for img, row in zip(np.asarray(X, np.float32), scores(X, seed), strict=True):
        pool = np.flatnonzero(row > 0.25 * row.max())
        pool = rng.permutation(pool[pool != row.argmax()])[:candidates]
        if len(pool) == 0:
            pool = np.argsort(row)[-2:-1]
        batch = torch.from_numpy(np.repeat(img[None], len(pool), axis=0))
        raw = gradcam.attribute(batch, target=torch.from_numpy(pool)).detach().numpy().reshape(len(pool), -1)
        mixed = np.flatnonzero((raw.min(axis=1) < 0) & (raw.max(axis=1) > 0))
        labels.append(int(pool[mixed[0]] if len(mixed) else pool[0]))
    return np.array(labels, dtype=np.int64)


#: Channels of each layer's output in SqueezeNet 1.1's `features` (a layer index l names module l's output).
CHANNELS = [64, 64, 64, 128, 128, 128, 256, 256, 256, 384, 384, 512, 512]


def content_target(content, seed, layer):
    """The features of the content image at ``layer`` (style_utils.extract_features, given code)."""
    import torch
    from a3_probes import extract_features

    with torch.no_grad():
        return extract_features(_as_tensor(content), network(seed).features)[int(layer)].numpy()


def style_targets(targets_seed, seed, layers, scale=0.015, width=32):
    """Style targets of the step tests: random symmetric positive matrices (1, C, C), one per style layer,
    of the size and sign of the normalised Gram matrices of these layers' features."""
    rng = np.random.default_rng(int(targets_seed))
    out = []
    for layer in layers:
        A = np.abs(rng.standard_normal((CHANNELS[int(layer)], width)))
        out.append((scale * (A @ A.T) / width)[None].astype(np.float32))
    return out


# --- Captum's answers (parts 1 and 2) -----------------------------------------------------

@apart(preload=CAPTUM)
def saliency_case(rng, seed, n, h, w):
    """Images, labels (never the predicted class) and Captum's Saliency, max of |.| over channels."""
    from captum.attr import Saliency

    X = image(rng.integers(2**62), (n, 3, h, w))
    y = other_labels(X, seed, rng)
    expected = Saliency(network(seed)).attribute(_as_tensor(X, requires_grad=True), target=_as_tensor(y, np.int64),
                                                 abs=True)
    return {"X": X, "y": y, "seed": seed, "expected": expected.amax(dim=1).detach().numpy(),
            "predicted": scores(X, seed).argmax(axis=1)}


@apart(preload=CAPTUM)
def saliency_of(X, y, seed):
    """Captum's saliency maps of the labels ``y`` (used to say which score a wrong map measured)."""
    from captum.attr import Saliency

    out = Saliency(network(seed)).attribute(_as_tensor(X, requires_grad=True), target=_as_tensor(y, np.int64), abs=True)
    return out.amax(dim=1).detach().numpy()


@apart(preload=CAPTUM)
def guided_backprop_case(rng, seed, n, h, w, blank=0):
    """Images, labels and Captum's GuidedBackprop, channels last (N, H, W, 3). With ``blank`` > 0, each
    image has a square of that side set to 0 at a drawn place: the networks' biases start at 0, so
    ReLUs see exact zeros there, the tie of the guided rule."""
    import warnings

    from captum.attr import GuidedBackprop

    X = image(rng.integers(2**62), (n, 3, h, w))
    if blank > 0:
        for img in X:
            top, left = int(rng.integers(0, h - blank + 1)), int(rng.integers(0, w - blank + 1))
            img[:, top:top + blank, left:left + blank] = 0.0
    y = other_labels(X, seed, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # "Setting backward hooks on ReLU activations"
        expected = GuidedBackprop(network(seed)).attribute(_as_tensor(X, requires_grad=True),
                                                           target=_as_tensor(y, np.int64))
    return {"X": X, "y": y, "seed": seed, "expected": expected.permute(0, 2, 3, 1).detach().numpy()}


@apart(preload=CAPTUM)
def grad_cam_case(rng, seed, n, h, w):
    """Images, mixed-sign labels, Captum's Grad-CAM upsampled bilinearly to (H, W), and the layer's
    activation and gradient (what the hooks of task 2.3 capture)."""
    from captum.attr import LayerActivation, LayerAttribution, LayerGradCam, LayerGradientXActivation

    X = image(rng.integers(2**62), (n, 3, h, w))
    y = mixed_sign_labels(X, seed, rng)
    model = network(seed)
    layer = model.features[GRADCAM_LAYER]
    x, target = _as_tensor(X, requires_grad=True), _as_tensor(y, np.int64)
    cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, (h, w), interpolate_mode="bilinear")[:, 0].detach().numpy()
    activation = LayerActivation(model, layer).attribute(x).detach().numpy()
    gradient = LayerGradientXActivation(model, layer, multiply_by_inputs=False).attribute(x, target=target)
    return {"X": X, "y": y, "seed": seed, "expected": cam, "activation": activation,
            "gradient": gradient.detach().numpy()}


# --- recorded cases (parts 2.1 and 3 to 5) --------------------------------------------------

@lru_cache(maxsize=4)
def _read(path: str) -> dict:
    from safetensors.numpy import load_file

    cases: dict = {}
    for key, value in load_file(path).items():
        case, name = key.split(".", 1)
        cases.setdefault(case, {})[name] = value
    return cases


def load(fixtures_dir: Path, case: str, hidden: bool = False) -> dict:
    """The values of one recorded case; single numbers come back as Python numbers, and an input
    recorded as a seed (``<name>_seed`` with ``<name>_shape``, ``<name>_scale``) as its array."""
    path = Path(fixtures_dir) / ("a3_hidden.safetensors" if hidden else "public/a3_public.safetensors")
    if not path.is_file():
        fail(f"grader: the recorded values {path.name} are missing (rebuild the assignment; tell the staff)")
    raw = _read(str(path))[case]
    out = {}
    for name, value in raw.items():
        out[name] = value.reshape(()).item() if value.size == 1 and name not in ("y", "losses") else value
    for name in [k[:-6] for k in raw if k.endswith("_shape") and f"{k[:-6]}_seed" in raw]:
        out[name] = image(out[f"{name}_seed"], raw[f"{name}_shape"], out.get(f"{name}_scale", 1.0))
    return out


def step_config(case: dict) -> dict:
    """The StyleTransfer settings a recorded step case used."""
    import ast

    return ast.literal_eval(bytes(case["config"]).decode())


def close(a, b, rtol, atol) -> bool:
    """Whether an array the student's code returned matches an expected one (no message)."""
    return (type(a) is np.ndarray and a.shape == np.shape(b) and bool(np.all(np.isfinite(a)))
            and bool(np.allclose(a, b, rtol=rtol, atol=atol)))


def check_loss(got, expected_loss, expected_grads, name, where, rtol=1e-9):
    """got: what a3_probes._loss_and_grads returned for a loss of the student's."""
    assert_true(got["is_tensor"] is True and "grads" in got,
                f"{name}: expected a scalar torch tensor (so that loss.backward() works), got "
                f"{'a tensor of another shape' if got['is_tensor'] else 'a value of another type'}."
                f"\nWhere to look: {where}")
    assert_scalar(got["loss"], expected_loss, rtol=rtol, atol=1e-12, name=name, where=where)
    for i, expected in enumerate(expected_grads):
        grad = got["grads"][i]
        reached = grad is not None and bool(np.any(grad != 0))
        if grad is None:
            grad = np.zeros_like(expected)   # no gradient reached this input
        assert_array(grad, expected, rtol=1e-8, atol=1e-10 * max(1.0, float(np.abs(expected).max())),
                     name=f"the gradient of the {name} with respect to input {i} (from loss.backward())",
                     where=where + ("" if reached else " (your loss has the right value, but no gradient reaches "
                                                       "this input: is it built from torch operations on the "
                                                       "input itself, so that autograd can follow it?)"))


# --- pictures ---------------------------------------------------------------------------

def _items(got, i):
    """Image i of what the student's code returned, where it is a batch of the right length."""
    if type(got) is np.ndarray and got.ndim >= 1 and got.shape[0] > i:
        return got[i]
    return got


def show_batch(figures, title, expected, got, kind, shown=SHOWN):
    """Expected, yours and the difference for the first images of a batch (maps or images)."""
    for i in range(min(shown, len(expected))):
        figures.compare(f"{title}, image {i + 1}", expected[i], _items(got, i), kind=kind)


def show_perturbation(figures, title, X, expected, got):
    """What a fooling run added to the image, expected and yours, on one scale (grey is no change)."""
    top = float(np.abs(expected - X).max()) or 1.0
    yours = got - X if type(got) is np.ndarray and got.shape == np.shape(X) else got
    figures.compare(title, (expected - X)[0], _items(yours, 0), kind="signed", vrange=(-top, top), difference=False)


def show_images(figures, title, expected, got):
    """Normalised images as pictures (ImageNet's normalisation undone, clipped to [0, 1])."""
    def pixels(a):
        return np.clip(a * STD + MEAN, 0, 1)[0] if type(a) is np.ndarray and a.shape == np.shape(expected) else a

    figures.compare(title, pixels(expected), pixels(got), kind="rgb", vrange=(0.0, 1.0))
