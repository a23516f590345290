"""Part 2: guided backprop and Grad-CAM, compared with Captum (recorded at build time) on the
same seeded SqueezeNet."""

import a3_cases as cases
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_true, fail

WHERE = cases.GRADCAM


@weight(4)
@number("2.1")
def test_guided_relu_forward_and_backward(student, fixtures_dir):
    case = cases.load(fixtures_dir, "guided_relu")
    got = student.run(probes.guided_relu, case["x"], case["dout"])
    assert_array(got["out"], case["out"], name="CustomReLU.apply(x), the forward pass",
                 where=WHERE + "CustomReLU.forward")
    assert_true(got["dx"] is not None, "CustomReLU.backward returned None: it must return dx, "
                "a tensor of the shape of x.\nWhere to look: " + WHERE + "CustomReLU.backward")
    assert_array(got["dx"], case["dx"], rtol=1e-12, atol=0,
                 name="dx of CustomReLU on a (4, 7) input with some x == 0 and some dout == 0 "
                      "(the guided rule of the handout)",
                 where=WHERE + "CustomReLU.backward (x > 0 and dout > 0, strictly)")


def _custom_relu_is_right(student, fixtures_dir) -> bool:
    case = cases.load(fixtures_dir, "guided_relu")
    got = student.run(probes.guided_relu, case["x"], case["dout"])
    return cases.close(got["dx"], case["dx"], rtol=1e-12, atol=0)


@weight(8)
@number("2.2")
def test_guided_backprop_matches_captum(student, fixtures_dir):
    case = cases.load(fixtures_dir, "guided_backprop")
    expected = case["expected"]
    got = student.run(probes.guided_backprop, case["X"], case["y"], case["seed"])
    rtol, atol = 1e-4, 1e-5 * float(np.abs(expected).max())
    if not cases.close(got, expected, rtol, atol) and not _custom_relu_is_right(student, fixtures_dir):
        fail("Guided backprop differs from captum.attr.GuidedBackprop, and your CustomReLU.backward "
             "(task 2.1) is wrong: guided_backprop runs every ReLU through it, so fix test 2.1 first."
             "\nWhere to look: " + WHERE + "CustomReLU.backward")
    assert_array(got, expected, rtol=rtol, atol=atol,
                 name="guided backprop of 2 images of height 64 and width 48, shape (N, H, W, 3) "
                      "(compared with captum.attr.GuidedBackprop, channels moved last)",
                 where=WHERE + "GradCam.guided_backprop (the sum of the correct-class scores of the guided "
                               "model; X.grad permuted to (N, H, W, 3))")


def _check_captured(got, case, name, key, what):
    value = got[key]
    where = WHERE + f"GradCam.grad_cam (task 2.3: the hooks fill self.{name})"
    if isinstance(value, str):
        fail(f"After grad_cam returns, the GradCam object has no attribute {name}. The stub sets "
             f"self.{name} and the provided hook fills it; the tests read it by that name.\n"
             f"Where to look: {where}")
    assert_array(value, case[key], rtol=1e-4, atol=1e-5 * float(np.abs(case[key]).max()),
                 name=f"self.{name} after grad_cam: {what}", where=where)


@weight(4)
@number("2.3")
def test_grad_cam_hooks_capture_the_layer_and_are_removed(student, fixtures_dir):
    case = cases.load(fixtures_dir, "grad_cam")
    got = student.run(probes.grad_cam, case["X"], case["y"], case["seed"])
    _check_captured(got, case, "activation_value", "activation",
                    "the output of gc_model.features[12], shape (N, C, h, w) (captum.attr.LayerActivation)")
    _check_captured(got, case, "gradient_value", "gradient",
                    "the gradient of the correct-class scores with respect to that output, shape (N, C, h, w) "
                    "(captum.attr.LayerGradientXActivation with multiply_by_inputs=False)")
    assert_true(got["hooks_left"] == {},
                "After grad_cam returns, the model should carry no hook, but these are left "
                f"(module.table: count): {got['hooks_left']}.\nWhere to look: {WHERE}GradCam.grad_cam "
                "(keep the handles that register_forward_hook / register_full_backward_hook return and call "
                ".remove() on each, also when something fails: try/finally)")


@weight(6)
@number("2.4")
def test_grad_cam_map_matches_captum(student, fixtures_dir):
    case = cases.load(fixtures_dir, "grad_cam")
    expected = case["expected"]
    got = student.run(probes.grad_cam, case["X"], case["y"], case["seed"])
    rtol, atol = 1e-4, 1e-5 * float(expected.max())
    if not cases.close(got["cam"], expected, rtol, atol):
        for name, key in (("activation_value", "activation"), ("gradient_value", "gradient")):
            captured = got[key]
            if type(captured) is np.ndarray and not cases.close(captured, case[key], 1e-4,
                                                                1e-5 * float(np.abs(case[key]).max())):
                fail(f"The Grad-CAM map is wrong, and so is self.{name}, which your hooks (task 2.3) "
                     "capture: the map is made from it, so fix test 2.3 first.\nWhere to look: "
                     f"{WHERE}GradCam.grad_cam")
    assert_array(got["cam"], expected, rtol=rtol, atol=atol,
                 name="Grad-CAM of 3 images of height 80 and width 64 on features[12], shape (N, H, W) "
                      "(compared with captum LayerGradCam(relu_attributions=True), upsampled with "
                      "LayerAttribution.interpolate(..., 'bilinear'))",
                 where=WHERE + "GradCam.grad_cam (task 2.4: weights = spatial mean of the gradients; sum over "
                               "channels, then ReLU; F.interpolate bilinear, align_corners=False, to (H, W); "
                               "no normalisation)")
