# STAFF ONLY
"""The cases A3's tests grade on, recorded at build time (called by tests/build_fixtures.py).

Each case holds its inputs and its expected values under "<case>.<name>" keys of one
safetensors file. Expected attributions come from Captum; expected outputs of the other
tasks come from the reference solution (run through the very probes that grade students),
after checking them against Captum or the closed forms of a3_refs.
"""
import functools
import hashlib
import warnings

import a3_probes as probes
import a3_refs as refs
import numpy as np
from a3_probes import GRADCAM_LAYER, build_squeezenet, extract_features

from autograder.staff.fixtures import Rejected, screened

# Style-transfer step settings of the tests: not the defaults, so a step that ignores the
# object's settings shows; weights chosen so that each of the three losses moves the image.
STEP_CONFIG = {"content_layer": 2, "content_weight": 0.5, "style_layers": [7, 1, 4],
               "style_weights": [200.0, 20000.0, 500.0], "tv_weight": 0.05}
HIDDEN_STEP_CONFIG = {"content_layer": 6, "content_weight": 0.2, "style_layers": [3, 9],
                      "style_weights": [300.0, 80.0], "tv_weight": 0.05}


def _tensor(a, dtype=np.float32, requires_grad=False):
    import torch

    return torch.from_numpy(np.array(a, dtype=dtype)).requires_grad_(requires_grad)


def same(name, got, expected, rtol=1e-5, atol=1e-6):
    """Stop the build when the reference solution disagrees with an independent source."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else "shape"
        raise SystemExit(f"build_fixtures: the reference solution disagrees with the oracle on {name} "
                         f"(largest difference {worst}); fix the solution or the oracle")


@functools.lru_cache(maxsize=8)
def _scoring_network(seed):
    """The seeded network for plain forward passes (kept: building one takes longer than a pass)."""
    return build_squeezenet(seed).eval()


def class_scores(X, seed):
    import torch

    with torch.no_grad():
        return _scoring_network(seed)(_tensor(X)).numpy()


def positive_score_labels(X, seed, rng):
    """One random label per image among the classes whose score is clearly positive (a class
    whose final ReLU is dead everywhere has an all-zero gradient)."""
    labels = [int(rng.choice(np.flatnonzero(row > 0.25 * row.max()))) for row in class_scores(X, seed)]
    return np.array(labels, dtype=np.int64)


def grad_cam_labels(X, seed, rng, candidates_per_image=24):
    """One label per image whose raw Grad-CAM (before the ReLU) is positive in some cells and
    negative in others, so that leaving out the ReLU, or applying it elsewhere, shows."""
    import torch
    from captum.attr import LayerGradCam

    model = build_squeezenet(seed)
    gradcam = LayerGradCam(model, model.features[GRADCAM_LAYER])
    labels = []
    for image, row in zip(np.asarray(X, np.float32), class_scores(X, seed), strict=True):
        candidates = rng.permutation(np.flatnonzero(row > 0.25 * row.max()))[:candidates_per_image]
        batch = torch.from_numpy(np.repeat(image[None], len(candidates), axis=0))
        raw = gradcam.attribute(batch, target=torch.from_numpy(candidates)).detach().numpy()
        raw = raw.reshape(len(candidates), -1)
        mixed = np.flatnonzero((raw.min(axis=1) < 0) & (raw.max(axis=1) > 0))
        labels.append(int(candidates[mixed[0]] if len(mixed) else candidates[0]))
    return np.array(labels, dtype=np.int64)


# --- parts 1 and 2: Captum ------------------------------------------------------------

def saliency_case(rng, seed, n, h, w):
    from captum.attr import Saliency

    X = rng.standard_normal((n, 3, h, w)).astype(np.float32)
    y = positive_score_labels(X, seed, rng)
    model = build_squeezenet(seed)
    expected = Saliency(model).attribute(_tensor(X, requires_grad=True), target=_tensor(y, np.int64), abs=True)
    expected = expected.amax(dim=1).detach().numpy()
    same("saliency", probes.saliency_maps(X, y, seed), expected, atol=1e-6 * float(expected.max()))
    return {"X": X, "y": y, "seed": np.array(seed), "expected": expected}


def guided_relu_case(rng, shape):
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    x.flat[:3] = 0.0                 # the gradient is blocked at x == 0
    x.flat[3] = -0.0
    dout.flat[4:6] = 0.0
    dout.flat[0] = 1.0               # x == 0 with a positive upstream gradient
    got = probes.guided_relu(x, dout)
    same("CustomReLU.backward", got["dx"], refs.guided_relu_grad(x, dout), rtol=0, atol=0)
    return {"x": x, "dout": dout, "out": got["out"], "dx": got["dx"]}


def guided_backprop_case(rng, seed, n, h, w):
    from captum.attr import GuidedBackprop

    X = rng.standard_normal((n, 3, h, w)).astype(np.float32)
    y = positive_score_labels(X, seed, rng)
    model = build_squeezenet(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # "Setting backward hooks on ReLU activations"
        expected = GuidedBackprop(model).attribute(_tensor(X, requires_grad=True), target=_tensor(y, np.int64))
    expected = expected.permute(0, 2, 3, 1).detach().numpy()
    same("guided backprop", probes.guided_backprop(X, y, seed), expected, atol=1e-6 * float(np.abs(expected).max()))
    return {"X": X, "y": y, "seed": np.array(seed), "expected": expected}


def grad_cam_case(rng, seed, n, h, w):
    """Captum's Grad-CAM, and its layer activation and layer gradient (what the hooks capture)."""
    from captum.attr import LayerActivation, LayerAttribution, LayerGradCam, LayerGradientXActivation

    X = rng.standard_normal((n, 3, h, w)).astype(np.float32)
    y = grad_cam_labels(X, seed, rng)
    model = build_squeezenet(seed)
    layer = model.features[GRADCAM_LAYER]
    x, target = _tensor(X, requires_grad=True), _tensor(y, np.int64)
    cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, (h, w), interpolate_mode="bilinear")[:, 0].detach().numpy()
    activation = LayerActivation(model, layer).attribute(x).detach().numpy()
    gradient = LayerGradientXActivation(model, layer, multiply_by_inputs=False).attribute(x, target=target)
    gradient = gradient.detach().numpy()
    got = probes.grad_cam(X, y, seed)
    same("Grad-CAM", got["cam"], cam, atol=1e-6 * float(cam.max()))
    same("Grad-CAM activation", got["activation"], activation)
    same("Grad-CAM gradient", got["gradient"], gradient, atol=1e-6 * float(np.abs(gradient).max()))
    if got["hooks_left"]:
        raise SystemExit(f"build_fixtures: the reference grad_cam leaves hooks: {got['hooks_left']}")
    return {"X": X, "y": y, "seed": np.array(seed), "expected": cam, "activation": activation,
            "gradient": gradient}


# --- part 3: fooling ------------------------------------------------------------------

class NoCase(Rejected):
    """This network seed and these inputs make no usable case; another draw may."""


def _margin(model, img, target):
    """score of target minus the best other score, relative to the top score."""
    import torch

    with torch.no_grad():
        scores = model(_tensor(img))[0].numpy().astype(np.float64)
    others = np.delete(scores, target)
    return (scores[target] - others.max()) / max(abs(scores.max()), 1e-6)


def fooling_case(rng, seed, h, w, min_steps=3, max_steps=30, tries=2, targets=4):
    """A random image and a target (not its class) that the fooling iteration reaches in
    min_steps..max_steps steps, clearly: the prediction changes with a margin, so that float
    rounding in a correct solution cannot change the step at which it stops."""
    model = build_squeezenet(seed)
    for _ in range(tries):
        X = rng.standard_normal((1, 3, h, w)).astype(np.float32)
        order = np.argsort(-class_scores(X, seed)[0])
        for target in order[1:1 + targets]:
            target = int(target)
            img, steps, reached = refs.fooling_run(model, X, target, max_iter=max_steps)
            if not reached or steps < min_steps or _margin(model, img, target) < 1e-3:
                continue
            before, _, _ = refs.fooling_run(model, X, target, max_iter=steps - 1)
            if _margin(model, before, target) > -1e-3:
                continue
            full = probes.fooling_image(X, target, seed)
            same("the fooling image", full, img)
            case = {"X": X, "target": np.array(target), "seed": np.array(seed), "steps": np.array(steps),
                    "expected": full}
            for k in (1, 2):
                case[f"after{k}"] = probes.fooling_image(X, target, seed, max_iter=k)
                same(f"the fooling image after {k} steps", case[f"after{k}"],
                     refs.fooling_run(model, X, target, max_iter=k)[0])
            return case
    raise NoCase(f"no clearly reachable fooling target for network seed {seed}")


def fooling_budget_case(rng, seed, h, w, learning_rate, max_iter):
    """A target that learning_rate * max_iter does not reach: all max_iter steps are taken."""
    model = build_squeezenet(seed)
    X = rng.standard_normal((1, 3, h, w)).astype(np.float32)
    target = int(np.argsort(class_scores(X, seed)[0])[len(class_scores(X, seed)[0]) // 2])
    img, _, reached = refs.fooling_run(model, X, target, learning_rate=learning_rate, max_iter=max_iter)
    if reached:
        raise NoCase(f"the fooling budget case reaches its target with network seed {seed}")
    got = probes.fooling_image(X, target, seed, learning_rate=learning_rate, max_iter=max_iter)
    same("the fooling image with a small budget", got, img)
    return {"X": X, "target": np.array(target), "seed": np.array(seed), "learning_rate": np.array(learning_rate),
            "max_iter": np.array(max_iter), "expected": got}


# --- part 4: class visualization -------------------------------------------------------

def class_visualization_case(rng, seed, h, w, scale, l2_reg, learning_rate, steps):
    """Steps with jitter and blur off from an image partly outside the pixel range."""
    img = (scale * rng.standard_normal((1, 3, h, w))).astype(np.float32)
    target = int(positive_score_labels(img, seed, rng)[0])
    got = probes.class_visualization(img, target, seed, l2_reg=l2_reg, learning_rate=learning_rate,
                                     num_iterations=steps, blur_every=0, max_jitter=0)
    settings = {"l2_reg": l2_reg, "learning_rate": learning_rate}
    _screen_class_visualization(got, seed, img, target, steps, settings)
    same("class visualization", got, refs.class_visualization_steps(build_squeezenet(seed), img, target, steps,
                                                                    **settings), atol=1e-5)
    return {"img": img, "target": np.array(target), "seed": np.array(seed), "l2_reg": np.array(l2_reg),
            "learning_rate": np.array(learning_rate), "steps": np.array(steps), "expected": got}


SCREEN_TRIALS = 8


def _screen_class_visualization(got, seed, img, target, steps, settings):
    """Raise NoCase when a class-visualization draw is ill-conditioned.

    A ReLU or a max-pooling window on the edge turns rounding into a different gradient: two
    correct solutions that order their operations otherwise (a course template's
    torch.norm(img) ** 2, updates through .data) then part ways after a step or two. The steps
    are replayed with every pixel nudged at each step by a few float32 roundings (1e-6 and 3e-6,
    SCREEN_TRIALS // 2 times each); a draw whose result then moves by more than half the test's
    tolerance is not used: a smooth response to such nudges stays far below it, a flipped unit
    far above. The recorded cases take two steps, which rarely meet such an edge."""
    model = build_squeezenet(seed)
    got = np.asarray(got, np.float64)
    for trial in range(SCREEN_TRIALS):
        size = 1e-6 if trial < SCREEN_TRIALS // 2 else 3e-6
        nudged = refs.class_visualization_steps(model, img, target, steps, noise=size,
                                                rng=np.random.default_rng([seed, trial]), **settings)
        if not np.allclose(got, nudged, rtol=5e-5, atol=1e-4):
            raise NoCase(f"class visualization with network seed {seed} is ill-conditioned (pixels nudged "
                         f"by {size:g} move the result by {float(np.max(np.abs(got - nudged))):.2g})")


def class_visualization_jitter_case(rng, seed, size, steps, max_jitter, blur_every, random_seed):
    """Steps with jitter and blur on (the jitter seeded); the reference solution's image."""
    img = (0.5 * rng.standard_normal((1, 3, size, size))).astype(np.float32)
    target = int(positive_score_labels(img, seed, rng)[0])
    got = probes.class_visualization(img, target, seed, random_seed=random_seed, num_iterations=steps,
                                     max_jitter=max_jitter, blur_every=blur_every)
    settings = {"max_jitter": max_jitter, "blur_every": blur_every, "random_seed": random_seed}
    _screen_class_visualization(got, seed, img, target, steps, settings)
    same("class visualization with jitter and blur", got,
         refs.class_visualization_steps(build_squeezenet(seed), img, target, steps, **settings), atol=1e-5)
    return {"img": img, "target": np.array(target), "seed": np.array(seed), "steps": np.array(steps),
            "max_jitter": np.array(max_jitter), "blur_every": np.array(blur_every),
            "random_seed": np.array(random_seed), "expected": got}


# --- part 5: style transfer -------------------------------------------------------------

def content_case(rng, shape):
    w = float(rng.uniform(0.1, 2.0))
    current, original = rng.standard_normal(shape), rng.standard_normal(shape)
    got = probes.content_loss(w, current, original)
    loss, grad = refs.content_loss_and_grad(w, current, original)
    same("content loss", got["loss"], loss, rtol=1e-12)
    same("content loss gradient", got["grads"][0], grad, rtol=1e-12)
    return {"weight": np.array(w), "current": current, "original": original, "loss": np.array(got["loss"]),
            "grad": got["grads"][0]}


def gram_case(rng, shape):
    features = rng.standard_normal(shape)
    case = {"features": features}
    for normalize in (True, False):
        got = probes.gram_matrix(features, normalize)
        same(f"gram_matrix(normalize={normalize})", got, refs.gram(features, normalize), rtol=1e-12)
        case["normalized" if normalize else "unnormalized"] = got
    return case


def style_case(rng, shapes, layers):
    feats = [rng.standard_normal(s) for s in shapes]
    targets = [refs.gram(rng.standard_normal(shapes[layer])) for layer in layers]
    weights = [float(w) for w in rng.uniform(0.5, 5.0, size=len(layers))]
    got = probes.style_loss(feats, layers, targets, weights)
    loss, grads = refs.style_loss_and_grads(feats, layers, targets, weights)
    same("style loss", got["loss"], loss, rtol=1e-12)
    case = {"layers": np.array(layers), "weights": np.array(weights), "loss": np.array(got["loss"])}
    for i, (f, grad) in enumerate(zip(feats, grads, strict=True)):
        g = np.zeros_like(f) if got["grads"][i] is None else got["grads"][i]
        same(f"style loss gradient {i}", g, grad, rtol=1e-10, atol=1e-14)
        case[f"feat{i}"], case[f"grad{i}"] = f, g
    for i, (target, gram) in enumerate(zip(targets, got["grams"], strict=True)):
        case[f"target{i}"], case[f"gram{i}"] = target, gram
    return case


def tv_case(rng, shape):
    img, w = rng.standard_normal(shape), float(rng.uniform(0.1, 2.0))
    got = probes.tv_loss(img, w)
    loss, grad = refs.tv_loss_and_grad(img, w)
    same("total-variation loss", got["loss"], loss, rtol=1e-12)
    same("total-variation gradient", got["grads"][0], grad, rtol=1e-12, atol=1e-14)
    return {"img": img, "weight": np.array(w), "loss": np.array(got["loss"]), "grad": got["grads"][0]}


def style_step_case(rng, seed, h, w, config, learning_rate, steps):
    import torch

    content = rng.standard_normal((1, 3, h, w)).astype(np.float32)
    style = rng.standard_normal((1, 3, h + 8, w - 8)).astype(np.float32)
    img = (content + 0.1 * rng.standard_normal(content.shape)).astype(np.float32)
    cnn = build_squeezenet(seed).features
    with torch.no_grad():
        content_target = extract_features(_tensor(content), cnn)[config["content_layer"]].numpy()
        feats = extract_features(_tensor(style), cnn)
    style_targets = [refs.gram(feats[layer].numpy().astype(np.float64)).astype(np.float32)
                     for layer in config["style_layers"]]
    got = probes.style_transfer_sgd_steps(img, content_target, style_targets, seed, learning_rate, config, steps)
    losses, new_img = refs.sgd_style_steps(cnn, img, content_target, style_targets, learning_rate,
                                                    config, steps)
    same("style-transfer losses", got["losses"], losses, rtol=1e-4)
    same("style-transfer image", got["img"], new_img, rtol=1e-4, atol=1e-5 * float(np.abs(new_img).max()))
    case = {"img": img, "content_target": content_target, "seed": np.array(seed),
            "learning_rate": np.array(learning_rate), "steps": np.array(steps),
            "losses": np.array(got["losses"]), "expected": got["img"],
            "config": np.frombuffer(repr(config).encode(), dtype=np.uint8).copy()}
    case.update({f"part_{k}": np.array(v) for k, v in got["parts"].items()})
    case.update({f"style_target{i}": t for i, t in enumerate(style_targets)})
    return case


# --- the sets ---------------------------------------------------------------------------
#
# A case is made from a seed of its own (a generator for its inputs, and for a hidden case its
# network's seed too). The students' set uses fixed seeds; each draw of the pool derives its
# cases' seeds from the draw. A case that needs a well-conditioned draw goes through
# autograder.staff.fixtures.screened: redrawn when rejected, and at the end replaced by a case
# known to be good (the students' case, or a hidden case made from KNOWN_GOOD_SEED).
#
# Class visualization is recorded in short runs: two plain steps (so that a gradient left
# uncleared shows) and one step with jitter and blur (jitter, step, undo, clamp, blur at t=0).
# Short runs are well conditioned, so the screen rejects few draws and costs little.

PUBLIC = {
    "saliency": lambda rng: saliency_case(rng, 0, 3, 56, 72),
    "guided_relu": lambda rng: guided_relu_case(rng, (4, 7)),
    "guided_backprop": lambda rng: guided_backprop_case(rng, 0, 2, 64, 48),
    "grad_cam": lambda rng: grad_cam_case(rng, 0, 3, 80, 64),
    "fooling": lambda rng: fooling_case(rng, 0, 64, 56),
    "class_vis": lambda rng: class_visualization_case(rng, 0, 48, 56, 1.5, 0.05, 40.0, 2),
    "class_vis_jitter": lambda rng: class_visualization_jitter_case(rng, 0, 56, 1, 2, 2, 5),
    "content": lambda rng: content_case(rng, (1, 8, 5, 6)),
    "gram": lambda rng: gram_case(rng, (2, 6, 4, 5)),
    "style": lambda rng: style_case(rng, [(1, 4, 6, 6), (1, 5, 6, 6), (1, 6, 3, 3), (1, 3, 4, 2), (1, 7, 2, 2)],
                                    [3, 0, 2]),
    "tv": lambda rng: tv_case(rng, (2, 3, 7, 9)),
    "step": lambda rng: style_step_case(rng, 0, 48, 40, STEP_CONFIG, 5e-3, 3),
}

#: Hidden cases: name -> (maker(rng, network seed), which of the draw's network seeds it uses).
HIDDEN = {
    "saliency": (lambda rng, net: saliency_case(rng, net, 5, 72, 56), 0),
    "guided_backprop": (lambda rng, net: guided_backprop_case(rng, net, 3, 56, 80), 1),
    "grad_cam": (lambda rng, net: grad_cam_case(rng, net, 4, 80, 96), 2),
    "grad_cam_hooks": (lambda rng, net: grad_cam_case(rng, 0, 2, 64, 64), None),
    "fooling": (lambda rng, net: fooling_case(rng, net, 72, 64), 3),
    "fooling_budget": (lambda rng, net: fooling_budget_case(rng, net, 56, 64, 3.0, 4), 4),
    "class_vis": (lambda rng, net: class_visualization_case(rng, net, 56, 48, 2.0, 0.02, 30.0, 2), 5),
    "step": (lambda rng, net: style_step_case(rng, net, 40, 48, HIDDEN_STEP_CONFIG, 5e-3, 2), 0),
}

#: The seed the students' set derives its cases' seeds from.
PUBLIC_DATA_SEED = 20240903

#: A seed whose hidden cases all pass their screens: the fallback of a case whose draws all fail.
KNOWN_GOOD_SEED = 20240904


def case_seed(seed, name):
    """The seed of one case of the set drawn from ``seed``."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "big") >> 2


def _flatten(cases):
    return {f"{name}.{key}": np.ascontiguousarray(value) for name, case in cases.items()
            for key, value in case.items()}


@functools.lru_cache(maxsize=1)
def _students_cases():
    return {name: screened(lambda s, make=make: make(np.random.default_rng(s)), case_seed(PUBLIC_DATA_SEED, name),
                           fallback=lambda make=make, name=name:
                           make(np.random.default_rng(case_seed(PUBLIC_DATA_SEED, name))), name=name)
            for name, make in PUBLIC.items()}


def public_cases(draw=None):
    """The public cases: the students' set (``draw`` None), or one draw, each case falling back
    to the students' one. The same shapes, network (seed 0) and settings either way."""
    if draw is None:
        return _flatten(_students_cases())
    return _flatten({name: screened(lambda s, make=make: make(np.random.default_rng(s)), case_seed(draw, name),
                                    fallback=lambda name=name: _students_cases()[name], name=f"public {name}")
                     for name, make in PUBLIC.items()})


def _hidden_case(name, seed, nets, first):
    make, slot = HIDDEN[name]
    net = 0 if slot is None else nets[slot] if first else int(np.random.default_rng([seed, 5]).integers(1, 60))
    return make(np.random.default_rng(seed), net)


def hidden_cases(draw):
    """The hidden cases of one draw: other network seeds (six distinct ones, from the draw) and sizes."""
    nets = [int(s) for s in np.random.default_rng([draw, 6]).choice(np.arange(1, 60), size=6, replace=False)]
    good_nets = [int(s) for s in np.random.default_rng([KNOWN_GOOD_SEED, 6]).choice(np.arange(1, 60), size=6,
                                                                                     replace=False)]
    out = {}
    for name in HIDDEN:
        first = case_seed(draw, name)
        out[name] = screened(lambda s, name=name, first=first: _hidden_case(name, s, nets, s == first), first,
                             fallback=lambda name=name: _hidden_case(name, case_seed(KNOWN_GOOD_SEED, name),
                                                                     good_nets, True), name=f"hidden {name}")
    return _flatten(out)
