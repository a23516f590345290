"""Hidden tests, parts 1-4: inputs drawn for each submission (other networks, batches and image sizes),
edge cases of the guided ReLU, hooks of others, a budget that runs out, steps checked one at a time."""

import a3_cases as cases
import a3_probes as probes
import a3_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_shape, assert_true

GRADCAM = cases.GRADCAM


def _network(rng):
    """A network seed other than the public tests' (0)."""
    return int(rng.integers(1, 60))


#: How many cases a test draws, at most, before it takes its fixed case.
TRIES = 4


def _case_showing(draw, shows, fixed):
    """The first case drawn from the test's rng (``draw()``) that holds the edge case the test is about
    (``shows(case)``), else the test's fixed case, which holds it: so that every submission's draw can
    tell the same mistakes apart."""
    for _ in range(TRIES):
        case = draw()
        if shows(case):
            return case
    case = fixed()
    assert_true(shows(case), "grader: the fixed case no longer holds its edge case (tell the staff)")
    return case


def _fixed(maker, key, seed, n, h, w, **options):
    """A case drawn with a fixed key and fixed settings, checked once to hold the edge case."""
    return lambda: maker(np.random.default_rng(key), seed, n, h, w, **options)


@weight(4)
@number("1.1")
def test_saliency_other_network_batch_and_size(student, rng):
    """Saliency maps on another network, batch size and image size"""
    case = cases.saliency_case(rng, _network(rng), int(rng.integers(4, 7)), cases.side(rng), cases.side(rng))
    got = student.run(probes.saliency_maps, case["X"], case["y"], case["seed"])
    assert_array(got, case["expected"], rtol=1e-4, atol=1e-5 * float(case["expected"].max()),
                 name="saliency maps", where=cases.SALIENCY)


@weight(2)
@number("2.1")
def test_guided_relu_signed_zeros_and_tiny_values(student):
    """Guided ReLU backward at signed zeros and at tiny values"""
    x = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.0], [4.0, 5.0, -1.0, 0.5, 0.0]])
    dout = np.array([[1.0, 1.0, -1.0, 2.0, -3.0], [0.0, 7.0, 1.0, -1e-300, 1.0]])
    got = student.run(probes.guided_relu, x, dout)
    assert_true(got["dx"] is not None, "CustomReLU.backward returned None.\nWhere to look: "
                + GRADCAM + "CustomReLU.backward")
    assert_array(got["dx"], refs.guided_relu_grad(x, dout), rtol=0, atol=0, name="dx of CustomReLU",
                 where=GRADCAM + "CustomReLU.backward")


@weight(3)
@number("2.2")
def test_guided_backprop_other_network_and_size(student, rng):
    """Guided backprop on another network, batch size and image size"""
    case = _case_showing(
        lambda: cases.guided_backprop_case(rng, _network(rng), int(rng.integers(2, 5)), cases.side(rng),
                                           cases.side(rng), blank=int(rng.integers(8, 17))),
        refs.zero_reaches_a_relu, _fixed(cases.guided_backprop_case, 1, 7, 3, 64, 64, blank=12))
    got = student.run(probes.guided_backprop, case["X"], case["y"], case["seed"])
    assert_array(got, case["expected"], rtol=1e-4, atol=refs.guided_atol(case["expected"]),
                 name="guided backprop", where=GRADCAM + "GradCam.guided_backprop")


@weight(3)
@number("2.3")
def test_grad_cam_leaves_other_hooks_alone(student, rng):
    """Grad-CAM keeps the hooks a model already carries, and they run"""
    case = _case_showing(lambda: cases.grad_cam_case(rng, 0, 2, cases.side(rng), cases.side(rng)),
                         refs.relu_of_the_map_matters, _fixed(cases.grad_cam_case, 1, 0, 2, 64, 64))
    got = student.run(probes.grad_cam_beside_other_hooks, case["X"], case["y"], case["seed"])
    assert_true(got["after"] == got["before"],
                "A model that already carries hooks of its own should keep exactly those after grad_cam.\n"
                "Where to look: " + GRADCAM + "GradCam.grad_cam")
    assert_true(got["calls"]["forward"] >= 1 and got["calls"]["backward"] >= 1,
                "The model's own hooks did not run during grad_cam.\nWhere to look: " + GRADCAM + "GradCam.grad_cam")
    assert_array(got["cam"], case["expected"], rtol=1e-4, atol=refs.cam_atol(case["expected"]),
                 name="Grad-CAM of a model carrying hooks of its own", where=GRADCAM + "GradCam.grad_cam")


@weight(3)
@number("2.4")
def test_grad_cam_other_network_and_size(student, rng):
    """Grad-CAM on another network, batch size and image size"""
    case = _case_showing(
        lambda: cases.grad_cam_case(rng, _network(rng), int(rng.integers(3, 6)), cases.side(rng), cases.side(rng)),
        refs.relu_of_the_map_matters, _fixed(cases.grad_cam_case, 1, 7, 4, 64, 64))
    got = student.run(probes.grad_cam, case["X"], case["y"], case["seed"])
    assert_array(got["cam"], case["expected"], rtol=1e-4, atol=refs.cam_atol(case["expected"]),
                 name="Grad-CAM", where=GRADCAM + "GradCam.grad_cam")


@weight(3)
@number("3.1")
def test_fooling_image_other_network_and_size(student, fixtures_dir):
    """Fooling image on another network and image size"""
    case = cases.load(fixtures_dir, "fooling", hidden=True)
    expected, _, reached = refs.fooling_run(cases.network(case["seed"]), case["X"], case["target"])
    assert_true(reached, "grader: the recorded fooling case no longer reaches its target (tell the staff)")
    got = student.run(probes.fooling_image, case["X"], case["target"], case["seed"])
    assert_array(got, expected, rtol=1e-4, atol=1e-3, name="the fooling image", where=cases.FOOLING)


def _budget_case(rng):
    """An image, a target the run does not reach, a learning rate and a budget of steps."""
    seed = _network(rng)
    X = cases.image(rng.integers(2**62), (1, 3, cases.side(rng), cases.side(rng)))
    learning_rate, max_iter = float(rng.uniform(2.0, 4.0)), int(rng.integers(3, 6))
    order = np.argsort(cases.scores(X, seed)[0])
    for target in order[len(order) // 2: len(order) // 2 + 10]:
        if not refs.fooling_run(cases.network(seed), X, int(target), learning_rate, max_iter)[2]:
            return seed, X, int(target), learning_rate, max_iter
    raise AssertionError("grader: no unreachable target found (tell the staff)")


@weight(3)
@number("3.1")
def test_fooling_honours_learning_rate_and_max_iter(student, rng):
    """Fooling run that uses its learning_rate and stops when max_iter runs out"""
    seed, X, target, learning_rate, max_iter = _budget_case(rng)
    model = cases.network(seed)
    before = X
    for k in range(1, max_iter + 1):
        # step k from the student's own image after k - 1 steps: rounding never adds up over steps
        expected = refs.fooling_run(model, before, target, learning_rate, 1)[0]
        got = student.run(probes.fooling_image, X, target, seed, learning_rate=learning_rate, max_iter=k)
        assert_array(got, expected, rtol=1e-4, atol=1e-4, name="the fooling image", where=cases.FOOLING)
        before = got


def _plain_steps(rng):
    seed = _network(rng)
    img = cases.image(rng.integers(2**62), (1, 3, cases.side(rng), cases.side(rng)), 2.0)
    target = int(cases.other_labels(img, seed, rng)[0])
    return seed, img, target, float(rng.uniform(0.01, 0.05)), float(rng.uniform(20.0, 40.0))


@weight(3)
@number("4.1")
def test_class_visualization_steps_other_network(student, rng):
    """Class visualization steps on another network, image size and settings"""
    seed, img, target, l2_reg, learning_rate = _plain_steps(rng)
    model = cases.network(seed)
    before = img
    for k in (1, 2):
        expected = refs.class_visualization_step(model, before, target, l2_reg, learning_rate)
        got = student.run(probes.class_visualization, img, target, seed, l2_reg=l2_reg, learning_rate=learning_rate,
                          num_iterations=k, blur_every=0, max_jitter=0)
        assert_array(got, expected, rtol=1e-4, atol=2e-4, name="the image", where=cases.CLASSVIS)
        before = got


@weight(2)
@number("4.1")
def test_class_visualization_from_noise_stays_in_range(student):
    """Class visualization from noise, with jitter and blur, stays within the pixel range"""
    got = student.run(probes.class_visualization_noisy_run, 7, 0, 48, 4, 4, 2)
    assert_shape(got, (1, 3, 48, 48), name="the image from img_size=48", where=cases.CLASSVIS)
    assert_true(bool(np.all(np.isfinite(got))), "The generated image has NaN or infinite values.\n"
                "Where to look: " + cases.CLASSVIS)
    inside = bool(np.all(got >= cases.PIXEL_LOW - 1e-5) and np.all(got <= cases.PIXEL_HIGH + 1e-5))
    assert_true(inside, "With jitter and blur on, every pixel should stay within the range of real images.\n"
                "Where to look: " + cases.CLASSVIS)
    assert_true(bool(got.std() > 1e-3), "The generated image is (almost) constant.\nWhere to look: " + cases.CLASSVIS)
