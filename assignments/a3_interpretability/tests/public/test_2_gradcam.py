"""Part 2: guided backprop and Grad-CAM, compared with Captum on the same seeded SqueezeNet."""

import a3_oracles as oracles
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_true

WHERE = "visualizers/gradcam.py, "


@weight(4)
@number("2.1")
def test_guided_relu_forward_and_backward(student, rng):
    x = rng.standard_normal((4, 6))
    x[0, :3] = 0.0                                   # the gradient is blocked at x == 0 too
    dout = rng.standard_normal((4, 6))
    got = student.run(probes.guided_relu, x, dout)
    assert_array(got["out"], np.maximum(x, 0.0), name="CustomReLU.apply(x), the forward pass",
                 where=WHERE + "CustomReLU.forward")
    assert_true(got["dx"] is not None, "CustomReLU.backward returned None: it must return dx, "
                "a tensor of the shape of x.\nWhere to look: " + WHERE + "CustomReLU.backward")
    expected = dout * (x > 0) * (dout > 0)
    assert_array(got["dx"], expected, rtol=1e-12, atol=1e-12,
                 name="dx of CustomReLU (dout where x > 0 and dout > 0, else 0)",
                 where=WHERE + "CustomReLU.backward")


@weight(8)
@number("2.2")
def test_guided_backprop_matches_captum(student, rng):
    seed = 0
    X = rng.standard_normal((2, 3, 64, 64)).astype(np.float32)
    y = oracles.positive_score_labels(X, seed, rng)
    expected = oracles.captum_guided_backprop(X, y, seed)
    assert_true(bool(np.abs(expected).max() > 0), "grader: the oracle is all zero (tell the staff)")
    got = student.run(probes.guided_backprop, X, y, seed)
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(np.abs(expected).max()),
                 name="guided backprop of 2 images 64x64, shape (N, H, W, 3) "
                      "(compared with captum.attr.GuidedBackprop, channels moved last)",
                 where=WHERE + "GradCam.guided_backprop and CustomReLU.backward")


@weight(10)
@number("2.3")
def test_grad_cam_matches_captum(student, rng):
    seed = 0
    X = rng.standard_normal((3, 3, 64, 64)).astype(np.float32)
    y = oracles.grad_cam_labels(X, seed, rng)
    expected = oracles.captum_grad_cam(X, y, seed)
    assert_true(bool(expected.max() > 0), "grader: the oracle Grad-CAM is all zero (tell the staff)")
    got = student.run(probes.grad_cam, X, y, seed)
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(expected.max()),
                 name="Grad-CAM of 3 images 64x64 on features[12], shape (N, H, W) (compared with "
                      "captum LayerGradCam(relu_attributions=True), upsampled with "
                      "LayerAttribution.interpolate(..., 'bilinear'))",
                 where=WHERE + "GradCam.grad_cam (weights = spatial mean of the gradients; ReLU; "
                               "F.interpolate bilinear, align_corners=False; no normalisation)")
