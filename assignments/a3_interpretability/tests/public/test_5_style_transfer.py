"""Part 5: style-transfer losses and steps, compared with the reference solution's values
(recorded at build time)."""

import a3_cases as cases
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true, fail

WHERE = cases.STYLE


@weight(4)
@number("5.1")
def test_content_loss(student, fixtures_dir):
    case = cases.load(fixtures_dir, "content")
    got = student.run(probes.content_loss, case["weight"], case["current"], case["original"])
    cases.check_loss(got, case["loss"], [case["grad"]],
                     name=f"content loss with weight {case['weight']:.4g} of features of shape (1, 8, 5, 6)",
                     where=WHERE + "content_loss.py, ContentLoss.forward (concept to check: eq. (1) of Gatys et "
                                   "al. with the docstring's conventions: a sum, no factor 1/2)")


@weight(4)
@number("5.2")
def test_gram_matrix_normalized_and_not(student, fixtures_dir):
    case = cases.load(fixtures_dir, "gram")
    for normalize, key in ((True, "normalized"), (False, "unnormalized")):
        got = student.run(probes.gram_matrix, case["features"], normalize)
        assert_array(got, case[key], rtol=1e-9, atol=1e-12,
                     name=f"gram_matrix(features of shape (2, 6, 4, 5), normalize={normalize}), shape (N, C, C)",
                     where=WHERE + "style_loss.py, StyleLoss.gram_matrix (concept to check: eq. (3) for each "
                                   "image of the batch, and what normalize means in the docstring)")


@weight(5)
@number("5.3")
def test_style_loss_over_layers_out_of_order(student, fixtures_dir):
    case = cases.load(fixtures_dir, "style")
    layers = [int(i) for i in case["layers"]]
    feats = [case[f"feat{i}"] for i in range(5)]
    targets = [case[f"target{i}"] for i in range(len(layers))]
    got = student.run(probes.style_loss, feats, layers, targets, [float(w) for w in case["weights"]])
    where = WHERE + "style_loss.py, StyleLoss.forward"
    right = (got.get("is_tensor") is True and isinstance(got.get("loss"), float)
             and bool(np.isclose(got["loss"], case["loss"], rtol=1e-9, atol=1e-12)))
    if not right:
        for i, layer in enumerate(layers):
            if not cases.close(got["grams"][i], case[f"gram{i}"], 1e-9, 1e-12):
                fail(f"The style loss is wrong, and so is your gram_matrix (task 5.2) of feats[{layer}] "
                     "(normalize=True), which the style loss uses: fix test 5.2 first.\n"
                     "Where to look: " + WHERE + "style_loss.py, StyleLoss.gram_matrix")
    cases.check_loss(got, case["loss"], [case[f"grad{i}"] for i in range(5)],
                     name=f"style loss over style_layers {layers} (features of five layers, each its own shape)",
                     where=where + " (concept to check: eqs. (4) and (5) with the docstring's conventions; "
                                   "style_targets[i] and style_weights[i] belong to style_layers[i])")


@weight(5)
@number("5.4")
def test_tv_loss_batch_of_non_square_images(student, fixtures_dir):
    case = cases.load(fixtures_dir, "tv")
    got = student.run(probes.tv_loss, case["img"], case["weight"])
    cases.check_loss(got, case["loss"], [case["grad"]],
                     name=f"total-variation loss of 2 images of height 7 and width 9, weight {case['weight']:.4g}",
                     where=WHERE + "tv_loss.py, TotalVariationLoss.forward (concept to check: the regulariser "
                                   "with beta = 2 over the pairs of neighbouring pixels the docstring names)")


def check_parts(got, case):
    """The three losses of the first image, from the student's own modules: name the wrong one."""
    for part, task, where in (("content", "5.1", "content_loss.py, ContentLoss"),
                              ("style", "5.3", "style_loss.py, StyleLoss"),
                              ("tv", "5.4", "tv_loss.py, TotalVariationLoss")):
        value, expected = got["parts"][part], case[f"part_{part}"]
        if not (isinstance(value, float) and np.isclose(value, expected, rtol=1e-4)):
            fail(f"Your {where.split(', ')[1]} (task {task}) gives a wrong loss on the features of this image, "
                 f"and StyleTransfer.step adds it up: fix test {task} first.\nWhere to look: {WHERE}{where}")


@weight(6)
@number("5.5")
def test_style_transfer_three_sgd_steps(student, fixtures_dir, figures):
    case = cases.load(fixtures_dir, "step")
    config, steps = cases.step_config(case), case["steps"]
    content_target = cases.content_target(case["content"], case["seed"], config["content_layer"])
    targets = cases.style_targets(case["targets_seed"], case["seed"], config["style_layers"])
    got = student.run(probes.style_transfer_sgd_steps, case["img"], content_target, targets,
                      case["seed"], case["learning_rate"], config, steps)
    losses = got["losses"]
    expected = case["expected"]
    atol = 1e-5 * float(np.abs(expected).max())
    cases.show_perturbation(figures, f"What {steps} steps change in the image (grey: no change)", case["img"],
                            expected, got["img"])
    right = (isinstance(losses, list) and len(losses) == steps
             and all(isinstance(v, float) for v in losses) and np.allclose(losses, case["losses"], rtol=1e-4)
             and cases.close(got["img"], expected, 1e-4, atol))
    if not right:
        check_parts(got, case)
    assert_true(isinstance(losses, list) and len(losses) == steps,
                f"StyleTransfer.step should return the loss each time it is called.\nWhere to look: {cases.STEP}")
    settings = ", ".join(f"{k}={v}" for k, v in config.items())
    for i, (loss, want) in enumerate(zip(losses, case["losses"], strict=False)):  # lengths checked above
        assert_scalar(loss, float(want), rtol=1e-4, atol=1e-6,
                      name=f"the loss returned by call {i + 1} of step (content + style + total variation of "
                           f"the image before that update; StyleTransfer({settings}), SGD with "
                           f"lr={case['learning_rate']:g})",
                      where=cases.STEP + (" (concept to check: the settings stored on the object)" if i == 0
                                          else " (concept to check: each call's update comes from that call's "
                                               "loss alone, and each backward pass adds its gradient to what "
                                               "img.grad already holds)"))
    assert_true(not cases.close(got["img"], case["img"], 0, 0),
                f"After {steps} calls of step the image is unchanged: each call makes one update with the optimizer "
                f"it is given.\nWhere to look: {cases.STEP}")
    assert_array(got["img"], expected, rtol=1e-4, atol=atol,
                 name=f"the image after {steps} SGD steps (lr={case['learning_rate']:g}); the losses returned "
                      "are right",
                 where=cases.STEP + " (concept to check: one update per call, with the optimizer given, from the "
                                    "gradient of that call's loss)")
