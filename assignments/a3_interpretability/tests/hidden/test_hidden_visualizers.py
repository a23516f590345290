"""Hidden tests, parts 1-4: other seeds, non-square images, edge cases, hooks, first steps."""

import a3_oracles as oracles
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_shape, assert_true

SALIENCY = "visualizers/saliency_map.py, SaliencyMap.compute_saliency_maps"
GRADCAM = "visualizers/gradcam.py, "
FOOLING = "visualizers/fooling_image.py, FoolingImage.make_fooling_image"
CLASSVIS = "visualizers/class_visualization.py, ClassVisualization.create_class_visualization"


@weight(4)
@number("1.1")
def test_saliency_non_square_batch_other_seed(student, rng):
    seed = int(rng.integers(1, 50))
    X = rng.standard_normal((5, 3, 72, 56)).astype(np.float32)
    y = oracles.positive_score_labels(X, seed, rng)
    expected = oracles.captum_saliency(X, y, seed)
    got = student.run(probes.saliency_maps, X, y, seed)
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(np.abs(expected).max()),
                 name="saliency maps of 5 images of height 72 and width 56",
                 where=SALIENCY + " (shape (N, H, W): keep H and W in that order)")


@weight(2)
@number("2.1")
def test_guided_relu_blocks_negative_upstream_and_zero_input(student, rng):
    x = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.0], [4.0, 5.0, -1.0, 0.5, 0.0]])
    dout = np.array([[1.0, 1.0, -1.0, 2.0, -3.0], [0.0, 7.0, 1.0, -1e-300, 1.0]])
    got = student.run(probes.guided_relu, x, dout)
    assert_true(got["dx"] is not None, "CustomReLU.backward returned None.\nWhere to look: "
                + GRADCAM + "CustomReLU.backward")
    expected = np.where((x > 0) & (dout > 0), dout, 0.0)
    assert_array(got["dx"], expected, rtol=0, atol=0,
                 name="dx of CustomReLU on hand-picked inputs (x == 0, tiny x, negative dout)",
                 where=GRADCAM + "CustomReLU.backward (strict inequalities: x > 0 and dout > 0)")


@weight(3)
@number("2.2")
def test_guided_backprop_non_square_other_seed(student, rng):
    seed = int(rng.integers(1, 50))
    X = rng.standard_normal((3, 3, 56, 80)).astype(np.float32)
    y = oracles.positive_score_labels(X, seed, rng)
    expected = oracles.captum_guided_backprop(X, y, seed)
    got = student.run(probes.guided_backprop, X, y, seed)
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(np.abs(expected).max()),
                 name="guided backprop of 3 images of height 56 and width 80, shape (N, H, W, 3)",
                 where=GRADCAM + "GradCam.guided_backprop (permute to (N, H, W, 3))")


@weight(3)
@number("2.4")
def test_grad_cam_non_square_other_seed(student, rng):
    seed = int(rng.integers(1, 50))
    X = rng.standard_normal((4, 3, 80, 96)).astype(np.float32)
    y = oracles.grad_cam_labels(X, seed, rng)
    expected = oracles.captum_grad_cam(X, y, seed)
    got = student.run(probes.grad_cam, X, y, seed)
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(max(expected.max(), 1e-12)),
                 name="Grad-CAM of 4 images of height 80 and width 96",
                 where=GRADCAM + "GradCam.grad_cam (upsample to (H, W) = X_tensor.shape[2:])")


@weight(3)
@number("2.3")
def test_grad_cam_removes_its_hooks(student, rng):
    seed = 0
    X = rng.standard_normal((2, 3, 64, 64)).astype(np.float32)
    y = oracles.positive_score_labels(X, seed, rng)
    left = student.run(probes.hooks_after_grad_cam, X, y, seed)
    assert_true(left == {},
                "After grad_cam returns, the model should carry no hook, but these are left "
                f"(module.table: count): {left}.\nWhere to look: {GRADCAM}GradCam.grad_cam (keep the "
                "handles returned by register_forward_hook / register_full_backward_hook and call "
                ".remove() on each)")


@weight(3)
@number("3.1")
def test_fooling_first_step_matches_closed_form(student, rng):
    seed = 3
    X, target, _ = oracles.pick_fooling_case(seed, 72, rng, min_steps=1)
    g = oracles.score_gradient(X, target, seed).astype(np.float64)
    expected = X + 10.0 * g / np.linalg.norm(g)
    got = student.run(probes.fooling_image, X, target, seed, max_iter=1)
    assert_array(got, expected, rtol=1e-4, atol=1e-5,
                 name="the image after one step (max_iter=1): X + 10 * g / ||g||_2, g the gradient "
                      "of the target score",
                 where=FOOLING + " (unnormalised score, not softmax; divide by the L2 norm of g)")


@weight(3)
@number("3.1")
def test_fooling_image_other_seed_and_size(student, rng):
    seed = 7
    X, target, steps = oracles.pick_fooling_case(seed, 64, rng)
    got = student.run(probes.fooling_image, X, target, seed)
    oracles.check_fooling_image(got, X, target, steps, seed=seed, where=FOOLING)


@weight(3)
@number("4.1")
def test_class_visualization_three_steps_with_clamping(student, rng):
    seed = int(rng.integers(1, 50))
    img = (1.5 * rng.standard_normal((1, 3, 48, 56))).astype(np.float32)
    target = int(oracles.positive_score_labels(img, seed, rng)[0])
    l2_reg, lr = 0.05, 40.0
    expected = oracles.class_visualization_steps(img, target, seed, l2_reg, lr, 3)
    got = student.run(probes.class_visualization_plain_steps, img, target, seed, l2_reg, lr, 3)
    assert_array(got, expected, rtol=1e-4, atol=2e-4,
                 name="the image after 3 steps (l2_reg=0.05, learning_rate=40, no jitter, no blur, "
                      "a start image with values outside the pixel range)",
                 where=CLASSVIS + " (g includes -2 * l2_reg * I; the clamp after each step)")


@weight(2)
@number("4.1")
def test_class_visualization_with_jitter_and_blur_stays_in_range(student, rng):
    seed = 0
    got = student.run(probes.class_visualization_noisy_run, 7, seed, 48, 4, 4, 2)
    assert_shape(got, (1, 3, 48, 48), name="the image from img_size=48", where=CLASSVIS)
    assert_true(bool(np.all(np.isfinite(got))), "The generated image has NaN or infinite values.\n"
                "Where to look: " + CLASSVIS)
    low, high = oracles.image_bounds()
    inside = bool(np.all(got >= low - 1e-5) and np.all(got <= high + 1e-5))
    assert_true(inside, "With jitter and blur on, every pixel should stay within the range of real "
                f"images (per channel {low.ravel().round(3)} to {high.ravel().round(3)}); got values "
                f"from {float(got.min()):.4g} to {float(got.max()):.4g}.\nWhere to look: " + CLASSVIS)
    assert_true(bool(got.std() > 1e-3), "The generated image is (almost) constant.\nWhere to look: "
                + CLASSVIS)
