"""Hidden tests, parts 1-4: inputs drawn from the held-out seed, other network seeds, non-square
images and batches, edge cases of the guided ReLU, hooks of others, budgets that run out."""

import a3_cases as cases
import a3_probes as probes
import a3_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_shape, assert_true

SALIENCY = "visualizers/saliency_map.py, SaliencyMap.compute_saliency_maps"
GRADCAM = cases.GRADCAM
FOOLING = "visualizers/fooling_image.py, FoolingImage.make_fooling_image"
CLASSVIS = "visualizers/class_visualization.py, ClassVisualization.create_class_visualization"


@weight(4)
@number("1.1")
def test_saliency_batch_of_five_other_seed(student, fixtures_dir):
    case = cases.load(fixtures_dir, "saliency", hidden=True)
    got = student.run(probes.saliency_maps, case["X"], case["y"], case["seed"])
    assert_array(got, case["expected"], rtol=1e-4, atol=1e-5 * float(case["expected"].max()),
                 name="saliency maps of 5 images of height 72 and width 56", where=SALIENCY)


@weight(2)
@number("2.1")
def test_guided_relu_signed_zeros_and_tiny_values(student):
    x = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.0], [4.0, 5.0, -1.0, 0.5, 0.0]])
    dout = np.array([[1.0, 1.0, -1.0, 2.0, -3.0], [0.0, 7.0, 1.0, -1e-300, 1.0]])
    got = student.run(probes.guided_relu, x, dout)
    assert_true(got["dx"] is not None, "CustomReLU.backward returned None.\nWhere to look: "
                + GRADCAM + "CustomReLU.backward")
    assert_array(got["dx"], refs.guided_relu_grad(x, dout), rtol=0, atol=0,
                 name="dx of CustomReLU on hand-picked inputs (x == -0.0, tiny x, tiny negative dout)",
                 where=GRADCAM + "CustomReLU.backward (strict inequalities: x > 0 and dout > 0)")


@weight(3)
@number("2.2")
def test_guided_backprop_other_seed_and_size(student, fixtures_dir):
    case = cases.load(fixtures_dir, "guided_backprop", hidden=True)
    got = student.run(probes.guided_backprop, case["X"], case["y"], case["seed"])
    assert_array(got, case["expected"], rtol=1e-4, atol=1e-5 * float(np.abs(case["expected"]).max()),
                 name="guided backprop of 3 images of height 56 and width 80, shape (N, H, W, 3)",
                 where=GRADCAM + "GradCam.guided_backprop")


@weight(3)
@number("2.3")
def test_grad_cam_leaves_other_hooks_alone(student, fixtures_dir):
    case = cases.load(fixtures_dir, "grad_cam_hooks", hidden=True)
    got = student.run(probes.grad_cam_beside_other_hooks, case["X"], case["y"], case["seed"])
    assert_true(got["after"] == got["before"],
                "A model that already carries hooks of its own should keep exactly those after grad_cam: "
                f"before {got['before']}, after {got['after']} (module.table: count).\nWhere to look: "
                + GRADCAM + "GradCam.grad_cam (remove your own handles only; never clear a module's hook tables)")
    assert_true(got["calls"]["forward"] >= 1 and got["calls"]["backward"] >= 1,
                "The model's own hooks did not run during grad_cam.\nWhere to look: " + GRADCAM + "GradCam.grad_cam")
    assert_array(got["cam"], case["expected"], rtol=1e-4, atol=1e-5 * float(case["expected"].max()),
                 name="Grad-CAM of a model carrying hooks of its own", where=GRADCAM + "GradCam.grad_cam")


@weight(3)
@number("2.4")
def test_grad_cam_other_seed_and_size(student, fixtures_dir):
    case = cases.load(fixtures_dir, "grad_cam", hidden=True)
    got = student.run(probes.grad_cam, case["X"], case["y"], case["seed"])
    assert_array(got["cam"], case["expected"], rtol=1e-4, atol=1e-5 * float(max(case["expected"].max(), 1e-12)),
                 name="Grad-CAM of 4 images of height 80 and width 96",
                 where=GRADCAM + "GradCam.grad_cam (upsample to (H, W) = X_tensor.shape[2:])")


@weight(3)
@number("3.1")
def test_fooling_image_other_seed_and_size(student, fixtures_dir):
    case = cases.load(fixtures_dir, "fooling", hidden=True)
    got = student.run(probes.fooling_image, case["X"], case["target"], case["seed"])
    assert_array(got, case["expected"], rtol=1e-4, atol=1e-3,
                 name="the fooling image of a 72x64 image for another network", where=FOOLING)


@weight(3)
@number("3.1")
def test_fooling_honours_learning_rate_and_max_iter(student, fixtures_dir):
    case = cases.load(fixtures_dir, "fooling_budget", hidden=True)
    got = student.run(probes.fooling_image, case["X"], case["target"], case["seed"],
                      learning_rate=case["learning_rate"], max_iter=case["max_iter"])
    assert_array(got, case["expected"], rtol=1e-4, atol=1e-4,
                 name=f"the image after max_iter={case['max_iter']} steps of learning_rate="
                      f"{case['learning_rate']:g} that do not reach the target",
                 where=FOOLING + " (use the learning_rate and max_iter arguments)")


@weight(3)
@number("4.1")
def test_class_visualization_two_steps_other_seed(student, fixtures_dir):
    case = cases.load(fixtures_dir, "class_vis", hidden=True)
    got = student.run(probes.class_visualization, case["img"], case["target"], case["seed"],
                      l2_reg=case["l2_reg"], learning_rate=case["learning_rate"], num_iterations=case["steps"],
                      blur_every=0, max_jitter=0)
    assert_array(got, case["expected"], rtol=1e-4, atol=2e-4,
                 name=f"the image after {case['steps']} steps of a 56x48 image for another network", where=CLASSVIS)


@weight(2)
@number("4.1")
def test_class_visualization_from_noise_stays_in_range(student):
    got = student.run(probes.class_visualization_noisy_run, 7, 0, 48, 4, 4, 2)
    assert_shape(got, (1, 3, 48, 48), name="the image from img_size=48", where=CLASSVIS)
    assert_true(bool(np.all(np.isfinite(got))), "The generated image has NaN or infinite values.\n"
                "Where to look: " + CLASSVIS)
    inside = bool(np.all(got >= cases.PIXEL_LOW - 1e-5) and np.all(got <= cases.PIXEL_HIGH + 1e-5))
    assert_true(inside, "With jitter and blur on, every pixel should stay within the range of real images.\n"
                "Where to look: " + CLASSVIS)
    assert_true(bool(got.std() > 1e-3), "The generated image is (almost) constant.\nWhere to look: " + CLASSVIS)
