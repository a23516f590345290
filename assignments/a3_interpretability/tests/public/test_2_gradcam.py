"""Part 2: guided backprop and Grad-CAM, compared with Captum on the same seeded SqueezeNet (computed
by the grader on inputs drawn for this grading); the guided ReLU with values recorded at build time."""

import a3_cases as cases
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_true, fail

WHERE = cases.GRADCAM
RELU_CONCEPT = (" (concept to check: the rule guided backpropagation applies at a ReLU, Springenberg et al., "
                "Figure 1, and how the docstring settles its ties)")


def _relu_mismatches(case, dx, limit=3):
    """A few entries where dx differs: x, dout, expected, got (the case, not the rule)."""
    if type(dx) is not np.ndarray or dx.shape != case["dx"].shape:
        return ""
    wrong = np.flatnonzero(dx.ravel() != case["dx"].ravel())
    rows = [f"  x = {case['x'].flat[i]!r}, dout = {case['dout'].flat[i]!r}: expected {case['dx'].flat[i]!r}, "
            f"got {dx.flat[i]!r}" for i in wrong[:limit]]
    return f"\n{len(wrong)} of {dx.size} entries differ, for example:\n" + "\n".join(rows) if rows else ""


@weight(4)
@number("2.1")
def test_guided_relu_forward_and_backward(student, fixtures_dir):
    case = cases.load(fixtures_dir, "guided_relu")
    got = student.run(probes.guided_relu, case["x"], case["dout"])
    assert_array(got["out"], case["out"], name="CustomReLU.apply(x), the forward pass",
                 where=WHERE + "CustomReLU.forward")
    assert_true(got["dx"] is not None, "CustomReLU.backward returned None: it must return dx, "
                "a tensor of the shape of x.\nWhere to look: " + WHERE + "CustomReLU.backward")
    if not cases.close(got["dx"], case["dx"], rtol=0, atol=0):
        fail("dx of CustomReLU.backward on a (4, 7) float64 input with exact zeros in x (also -0.0) and in "
             "dout, compared exactly." + _relu_mismatches(case, got["dx"])
             + "\nWhere to look: " + WHERE + "CustomReLU.backward" + RELU_CONCEPT)
    assert_array(got["dx"], case["dx"], rtol=0, atol=0, name="dx of CustomReLU.backward",
                 where=WHERE + "CustomReLU.backward" + RELU_CONCEPT)


def _custom_relu_is_right(student, fixtures_dir) -> bool:
    case = cases.load(fixtures_dir, "guided_relu")
    got = student.run(probes.guided_relu, case["x"], case["dout"])
    return cases.close(got["dx"], case["dx"], rtol=0, atol=0)


@weight(8)
@number("2.2")
def test_guided_backprop_matches_captum(student, rng, fixtures_dir, figures):
    case = cases.guided_backprop_case(rng, 0, 2, 64, 48)
    expected = case["expected"]
    got = student.run(probes.guided_backprop, case["X"], case["y"], case["seed"])
    cases.show_batch(figures, "Guided backprop", expected, got, kind="signed")
    rtol, atol = 1e-4, 1e-5 * float(np.abs(expected).max())
    if not cases.close(got, expected, rtol, atol) and not _custom_relu_is_right(student, fixtures_dir):
        fail("Guided backprop differs from captum.attr.GuidedBackprop, and your CustomReLU.backward "
             "(task 2.1) is wrong: guided_backprop runs every ReLU through it, so fix test 2.1 first."
             "\nWhere to look: " + WHERE + "CustomReLU.backward")
    assert_array(got, expected, rtol=rtol, atol=atol,
                 name=f"guided backprop of 2 random images of height 64 and width 48 for the labels "
                      f"{case['y'].tolist()}, shape (N, H, W, 3), compared with captum.attr.GuidedBackprop "
                      "(channels moved last)",
                 where=WHERE + "GradCam.guided_backprop (concept to check: the derivative of each image's own "
                               "given-label score, back through the guided copy of the model; the layout of "
                               "the result the docstring states)")


def _check_captured(got, case, name, key, what):
    value = got[key]
    where = WHERE + f"GradCam.grad_cam (task 2.3: what the hooks store in self.{name})"
    if isinstance(value, str):
        fail(f"After grad_cam returns, the GradCam object has no attribute {name}. The stub sets "
             f"self.{name} and the provided hook fills it; the tests read it by that name.\n"
             f"Where to look: {where}")
    assert_array(value, case[key], rtol=1e-4, atol=1e-5 * float(np.abs(case[key]).max()),
                 name=f"self.{name} after grad_cam: {what}", where=where)


@weight(4)
@number("2.3")
def test_grad_cam_hooks_capture_the_layer_and_are_removed(student, rng):
    case = cases.grad_cam_case(rng, 0, 3, 80, 64)
    got = student.run(probes.grad_cam, case["X"], case["y"], case["seed"])
    _check_captured(got, case, "activation_value", "activation",
                    "the output of gc_model.features[12], shape (N, C, h, w) (captum.attr.LayerActivation)")
    _check_captured(got, case, "gradient_value", "gradient",
                    "the derivative of each image's given-label score with respect to that output, shape "
                    "(N, C, h, w) (captum.attr.LayerGradientXActivation with multiply_by_inputs=False)")
    assert_true(got["hooks_left"] == {},
                "After grad_cam returns, the model still carries hooks (module.table: count): "
                f"{got['hooks_left']}.\nWhere to look: {WHERE}GradCam.grad_cam (concept to check: a hook "
                "registered for one call belongs to that call; the docstring says what must be left on the "
                "model afterwards, also when the call fails)")


@weight(6)
@number("2.4")
def test_grad_cam_map_matches_captum(student, rng, figures):
    case = cases.grad_cam_case(rng, 0, 3, 80, 64)
    expected = case["expected"]
    got = student.run(probes.grad_cam, case["X"], case["y"], case["seed"])
    cases.show_batch(figures, "Grad-CAM", expected, got["cam"], kind="map")
    rtol, atol = 1e-4, 1e-5 * float(expected.max())
    cam = got["cam"]
    if not cases.close(cam, expected, rtol, atol):
        for name, key in (("activation_value", "activation"), ("gradient_value", "gradient")):
            captured = got[key]
            if type(captured) is np.ndarray and not cases.close(captured, case[key], 1e-4,
                                                                1e-5 * float(np.abs(case[key]).max())):
                fail(f"The Grad-CAM map is wrong, and so is self.{name}, which your hooks (task 2.3) "
                     "capture: the map is made from it, so fix test 2.3 first.\nWhere to look: "
                     f"{WHERE}GradCam.grad_cam")
        if type(cam) is np.ndarray and cam.shape == expected.shape and np.all(np.isfinite(cam)):
            top, mine = expected.reshape(len(expected), -1).max(axis=1), cam.reshape(len(cam), -1).max(axis=1)
            scaled = np.where(mine > 0, top / np.where(mine > 0, mine, 1), 1)[:, None, None] * cam
            if not np.allclose(cam, expected, rtol=rtol, atol=atol) and np.allclose(scaled, expected, 1e-3, atol):
                fail(f"Your maps have the right pattern but another scale (largest value per image: expected "
                     f"{np.round(top, 6).tolist()}, got {np.round(mine, 6).tolist()}).\nWhere to look: {WHERE}"
                     "GradCam.grad_cam (concept to check: the scale of the map the docstring states, with the "
                     "channel weights of eq. (1))")
    assert_array(cam, expected, rtol=rtol, atol=atol,
                 name=f"Grad-CAM of 3 random images of height 80 and width 64 at features[12] for the labels "
                      f"{case['y'].tolist()}, shape (N, H, W), compared with captum's LayerGradCam "
                      "(relu_attributions=True) upsampled by LayerAttribution.interpolate(..., 'bilinear')",
                 where=WHERE + "GradCam.grad_cam (task 2.4; concept to check: eqs. (1) and (2) of the paper with "
                               "the docstring's conventions: how the channel weights pool the cells, where the "
                               "ReLU acts, how the map reaches the image's size)")
