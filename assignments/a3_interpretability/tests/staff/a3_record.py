# STAFF ONLY
"""What A3's fixture sets record (called by tests/build_fixtures.py): only what the grader cannot
recompute cheaply.

Parts 1 and 2 record nothing: the tests compute Captum's attributions in the grader, on inputs
drawn from each test's seed. What is recorded here, for the students' set and each draw:

- the reference solution's outputs of the multi-step tasks that public tests compare with
  (fooling images, class visualizations, style-transfer steps), each checked against the staff
  references of a3_refs first, and screened where rounding could change a correct run; their
  inputs are kept as seeds (a3_cases.image rebuilds them), never as arrays;
- the small closed-form cases of 2.1 and 5.1 to 5.4, whole (a few kilobytes);
- for the hidden tests, the one case that needs a screen (a fooling run on another network):
  its seeds, target and number of steps. The grader reruns it with a3_refs.

A disagreement between the reference solution and a3_refs stops the build; a draw that makes
no usable case is drawn again and at the end falls back to a known-good case.
"""
import functools
import hashlib

import a3_cases as cases
import a3_probes as probes
import a3_refs as refs
import numpy as np

from autograder.staff.fixtures import Rejected, screened, sub_seed

# Style-transfer step settings of the tests: not the defaults, so a step that ignores the
# object's settings shows; weights chosen so that each of the three losses moves the image.
STEP_CONFIG = {"content_layer": 2, "content_weight": 0.5, "style_layers": [7, 1, 4],
               "style_weights": [200.0, 20000.0, 500.0], "tv_weight": 0.05}


def same(name, got, expected, rtol=1e-5, atol=1e-6):
    """Stop the build when the reference solution disagrees with an independent source."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else "shape"
        raise SystemExit(f"build_fixtures: the reference solution disagrees with the oracle on {name} "
                         f"(largest difference {worst}); fix the solution or the oracle")


class NoCase(Rejected):
    """This seed makes no usable case; another draw may."""


def _seeded(rng, name, shape, scale=1.0):
    """An input drawn from a seed of its own, kept as that seed: (array, the record's keys)."""
    seed = int(rng.integers(2**62))
    return cases.image(seed, shape, scale), {f"{name}_seed": np.array(seed, np.int64),
                                             f"{name}_shape": np.array(shape, np.int64),
                                             f"{name}_scale": np.array(scale, np.float64)}


# --- 2.1 --------------------------------------------------------------------------------

def guided_relu_case(rng, shape):
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    x.flat[:3] = 0.0                 # the gate at x == 0
    x.flat[3] = -0.0
    dout.flat[4:6] = 0.0
    dout.flat[0] = 1.0               # x == 0 with a positive upstream gradient
    got = probes.guided_relu(x, dout)
    same("CustomReLU.backward", got["dx"], refs.guided_relu_grad(x, dout), rtol=0, atol=0)
    return {"x": x, "dout": dout, "out": got["out"], "dx": got["dx"]}


# --- 3: fooling -------------------------------------------------------------------------

def _margin(scores_row, target):
    """The target's score minus the best other score, relative to the top score."""
    others = np.delete(scores_row, target)
    return (scores_row[target] - others.max()) / max(abs(scores_row.max()), 1e-6)


def clear_fooling_run(seed, X, targets, min_steps, max_steps):
    """The first target that the fooling iteration reaches in min_steps..max_steps steps, clearly:
    every image before the last is another class by a margin, the last the target by a margin,
    so that rounding in a correct solution cannot change where it stops. (target, steps, the staff
    reference's images after 0..steps steps) or None."""
    model = cases.network(seed)
    for target in targets:
        target = int(target)
        trajectory = refs.fooling_trajectory(model, X, target, max_iter=max_steps)
        margins = [_margin(s, target) for s in trajectory["scores"]]
        steps = len(margins) - 1
        if margins[-1] < 1e-3 or steps < min_steps or max(margins[:-1]) > -1e-3:
            continue
        return target, steps, trajectory["images"]
    return None


#: The steps a drawn fooling run may take to reach its target. Runs that reach it take 3 to 8 steps;
#: of those that have not by step 12, few ever do (2 in 20 draws, at steps 16 and 23), and a draw
#: whose four targets are all out of reach cost 4 x 31 passes with 30 as the bound, against 4 x 13.
#: Measured over 20 draws of the hidden case: 25.5 CPU s with 30, 12.9 s with 12.
FOOLING_STEPS = (3, 12)


def fooling_case(rng, seed, h, w, min_steps=FOOLING_STEPS[0], max_steps=FOOLING_STEPS[1], targets=4):
    """A random image and a target (not its class) reached clearly in min_steps..max_steps steps;
    the reference solution's images after one step, two steps and the whole run."""
    X, record = _seeded(rng, "X", (1, 3, h, w))
    found = clear_fooling_run(seed, X, np.argsort(-cases.scores(X, seed)[0])[1:1 + targets], min_steps, max_steps)
    if found is None:
        raise NoCase(f"no clearly reachable fooling target for network seed {seed}")
    target, steps, staff_images = found      # refs.fooling_run(max_iter=k) returns staff_images[min(k, steps)]
    full = probes.fooling_image(X, target, seed)
    same("the fooling image", full, staff_images[steps])
    case = {**record, "target": np.array(target), "seed": np.array(seed), "steps": np.array(steps), "expected": full}
    for k in (1, 2):
        case[f"after{k}"] = probes.fooling_image(X, target, seed, max_iter=k)
        same(f"the fooling image after {k} steps", case[f"after{k}"], staff_images[min(k, steps)])
    return case


def hidden_fooling_case(rng, seed, h, w):
    """Seeds, target and steps of a clear fooling run on another network (the grader reruns it)."""
    X, record = _seeded(rng, "X", (1, 3, h, w))
    found = clear_fooling_run(seed, X, np.argsort(-cases.scores(X, seed)[0])[1:5], *FOOLING_STEPS)
    if found is None:
        raise NoCase(f"no clearly reachable fooling target for network seed {seed}")
    return {**record, "target": np.array(found[0]), "seed": np.array(seed), "steps": np.array(found[1])}


# --- 4: class visualization -------------------------------------------------------------

SCREEN_TRIALS = 6


def _screen(got, run, seed, rtol=5e-5, atol=1e-4):
    """Raise NoCase when a multi-step draw is ill-conditioned.

    A ReLU or a max-pooling window on the edge turns rounding into a different gradient: two
    correct solutions that order their operations otherwise (a course template's
    torch.norm(img) ** 2, updates through .data) then part ways after a step or two. The steps
    are replayed with every pixel nudged at each step by a few float32 roundings (1e-6 and 3e-6,
    SCREEN_TRIALS // 2 times each); a draw whose result then moves by more than half the test's
    tolerance (``rtol``, ``atol``) is not used: a smooth response to such nudges stays far below
    it, a flipped unit far above. The larger nudges go first: an ill-conditioned draw shows sooner,
    and whether a draw passes does not depend on the order."""
    got = np.asarray(got, np.float64)
    for trial in sorted(range(SCREEN_TRIALS), reverse=True):
        size = 1e-6 if trial < SCREEN_TRIALS // 2 else 3e-6
        nudged = np.asarray(run(size, np.random.default_rng([seed, trial])), np.float64)
        if not np.allclose(got, nudged, rtol=rtol, atol=atol):
            raise NoCase(f"a multi-step case with network seed {seed} is ill-conditioned (pixels nudged "
                         f"by {size:g} move the result by {float(np.max(np.abs(got - nudged))):.2g})")


def class_visualization_case(rng, seed, h, w, scale, l2_reg, learning_rate, steps):
    """Steps with jitter and blur off from an image partly outside the pixel range: the reference
    solution's image after the first step and after all of them."""
    img, record = _seeded(rng, "img", (1, 3, h, w), scale)
    if not (np.any(img < cases.PIXEL_LOW) and np.any(img > cases.PIXEL_HIGH)):
        raise NoCase("the start image lies inside the pixel range")       # the clamp must matter
    target = int(cases.other_labels(img, seed, rng)[0])
    settings = {"l2_reg": l2_reg, "learning_rate": learning_rate}
    model = cases.network(seed)
    got = probes.class_visualization(img, target, seed, num_iterations=steps, blur_every=0, max_jitter=0, **settings)
    _screen(got, lambda size, r: refs.class_visualization_steps(model, img, target, steps, noise=size, rng=r,
                                                               **settings), seed)
    same("class visualization", got, refs.class_visualization_steps(model, img, target, steps, **settings), atol=1e-5)
    first = probes.class_visualization(img, target, seed, num_iterations=1, blur_every=0, max_jitter=0, **settings)
    return {**record, "target": np.array(target), "seed": np.array(seed), "l2_reg": np.array(l2_reg),
            "learning_rate": np.array(learning_rate), "steps": np.array(steps), "after1": first, "expected": got}


def class_visualization_jitter_case(rng, seed, size, steps, max_jitter, blur_every, random_seed):
    """Steps with jitter and blur on (the jitter seeded); the reference solution's image."""
    img, record = _seeded(rng, "img", (1, 3, size, size), 0.5)
    target = int(cases.other_labels(img, seed, rng)[0])
    settings = {"max_jitter": max_jitter, "blur_every": blur_every, "random_seed": random_seed}
    model = cases.network(seed)
    got = probes.class_visualization(img, target, seed, num_iterations=steps, **settings)
    _screen(got, lambda s, r: refs.class_visualization_steps(model, img, target, steps, noise=s, rng=r, **settings),
            seed)
    same("class visualization with jitter and blur", got,
         refs.class_visualization_steps(model, img, target, steps, **settings), atol=1e-5)
    return {**record, "target": np.array(target), "seed": np.array(seed), "steps": np.array(steps),
            "max_jitter": np.array(max_jitter), "blur_every": np.array(blur_every),
            "random_seed": np.array(random_seed), "expected": got}


# --- 5: style transfer --------------------------------------------------------------------

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
    """The reference solution's losses and image after ``steps`` SGD steps. The start image and the
    content image are seeds; the content target is the content image's features (rebuilt by the
    grader: a3_cases.content_target) and the style targets are random Gram-like matrices (a3_cases.
    style_targets), so that the record holds no large array but the image it expects."""
    img, record = _seeded(rng, "img", (1, 3, h, w))
    content, content_record = _seeded(rng, "content", (1, 3, h, w))
    target_seed = int(rng.integers(2**62))
    content_target = cases.content_target(content, seed, config["content_layer"])
    style_targets = cases.style_targets(target_seed, seed, config["style_layers"])
    got = probes.style_transfer_sgd_steps(img, content_target, style_targets, seed, learning_rate, config, steps)
    cnn = cases.network(seed).features
    losses, new_img = refs.sgd_style_steps(cnn, img, content_target, style_targets, learning_rate, config, steps)
    atol = 1e-5 * float(np.abs(new_img).max())        # the test's tolerance, rtol 1e-4
    _screen(got["img"], lambda size, r: refs.sgd_style_steps(cnn, img, content_target, style_targets, learning_rate,
                                                            config, steps, noise=size, rng=r)[1], seed,
            rtol=5e-5, atol=atol / 2)
    same("style-transfer losses", got["losses"], losses, rtol=1e-4)
    same("style-transfer image", got["img"], new_img, rtol=1e-4, atol=atol)
    case = {**record, **content_record, "targets_seed": np.array(target_seed, np.int64), "seed": np.array(seed),
            "learning_rate": np.array(learning_rate), "steps": np.array(steps),
            "losses": np.array(got["losses"]), "expected": got["img"],
            "config": np.frombuffer(repr(config).encode(), dtype=np.uint8).copy()}
    case.update({f"part_{k}": np.array(v) for k, v in got["parts"].items()})
    return case


# --- the sets ---------------------------------------------------------------------------
#
# A case is made from a seed of its own. The students' set uses fixed seeds; each draw of the
# pool derives its cases' seeds from the draw. A case that needs a well-conditioned draw goes
# through autograder.staff.fixtures.screened: redrawn when rejected, and at the end replaced by a
# case known to be good (the students' case, or a hidden case made from KNOWN_GOOD_SEED).
# Public cases use network seed 0, as the students' set does; the hidden case another network.

PUBLIC = {
    "guided_relu": lambda rng: guided_relu_case(rng, (4, 7)),
    "fooling": lambda rng: fooling_case(rng, 0, 56, 48),
    "class_vis": lambda rng: class_visualization_case(rng, 0, 48, 40, 1.5, 0.05, 40.0, 2),
    "class_vis_jitter": lambda rng: class_visualization_jitter_case(rng, 0, 48, 1, 2, 2, 5),
    "content": lambda rng: content_case(rng, (1, 8, 5, 6)),
    "gram": lambda rng: gram_case(rng, (2, 6, 4, 5)),
    "style": lambda rng: style_case(rng, [(1, 4, 6, 6), (1, 5, 6, 6), (1, 6, 3, 3), (1, 3, 4, 2), (1, 7, 2, 2)],
                                    [3, 0, 2]),
    "tv": lambda rng: tv_case(rng, (2, 3, 7, 9)),
    "step": lambda rng: style_step_case(rng, 0, 48, 40, STEP_CONFIG, 5e-3, 3),
}

#: Hidden cases: name -> maker(rng, network seed).
HIDDEN = {
    "fooling": lambda rng, net: hidden_fooling_case(rng, net, int(rng.integers(56, 81)), int(rng.integers(48, 73))),
}

#: The seed the students' set derives its cases' seeds from.
PUBLIC_DATA_SEED = 20240903

#: A seed whose hidden cases all pass their screens: the fallback of a case whose draws all fail.
KNOWN_GOOD_SEED = 20240904


def case_seed(seed, name):
    """The seed of one case of the set drawn from ``seed``."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "big") >> 2


def _flatten(cases_):
    return {f"{name}.{key}": np.ascontiguousarray(value) for name, case in cases_.items()
            for key, value in case.items()}


def _first_usable(make, seed, tries=20):
    """The case of the first of ``seed``'s sub-seeds that makes one (what `screened` finds when it rejects
    nothing more than `make` does): the students' case, also when every screen is told to reject."""
    for attempt in range(tries):
        try:
            return make(np.random.default_rng(sub_seed(seed, attempt)))
        except Rejected:
            continue
    raise SystemExit(f"build_fixtures: no usable students' case from seed {seed}; pick another PUBLIC_DATA_SEED")


@functools.lru_cache(maxsize=1)
def _students_cases():
    return {name: screened(lambda s, make=make: make(np.random.default_rng(s)), case_seed(PUBLIC_DATA_SEED, name),
                           fallback=lambda make=make, name=name: _first_usable(make, case_seed(PUBLIC_DATA_SEED, name)),
                           name=name)
            for name, make in PUBLIC.items()}


def public_cases(draw=None):
    """The public cases: the students' set (``draw`` None), or one draw, each case falling back
    to the students' one. The same shapes, network (seed 0) and settings either way."""
    if draw is None:
        return _flatten(_students_cases())
    return _flatten({name: screened(lambda s, make=make: make(np.random.default_rng(s)), case_seed(draw, name),
                                    fallback=lambda name=name: _students_cases()[name], name=f"public {name}")
                     for name, make in PUBLIC.items()})


def _network_seed(seed):
    """A network seed other than the public one (0), drawn from a case's seed."""
    return int(np.random.default_rng([seed, 5]).integers(1, 60))


def hidden_cases(draw):
    """The hidden cases of one draw (another network seed for each try)."""
    out = {}
    for name, make in HIDDEN.items():
        out[name] = screened(lambda s, make=make: make(np.random.default_rng(s), _network_seed(s)),
                             case_seed(draw, name),
                             fallback=lambda make=make, name=name: make(
                                 np.random.default_rng(case_seed(KNOWN_GOOD_SEED, name)),
                                 _network_seed(case_seed(KNOWN_GOOD_SEED, name))),
                             name=f"hidden {name}")
    return _flatten(out)
