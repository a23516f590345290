"""Hidden tests, part 5: style-transfer losses on other shapes, a step with other settings."""

import a3_cases as cases
import a3_probes as probes
import a3_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar

WHERE = cases.STYLE


@weight(1)
@number("5.2")
def test_gram_matrix_batch_of_three_non_square(student, rng):
    features = rng.standard_normal((3, 5, 7, 2))
    for normalize in (False, True):
        got = student.run(probes.gram_matrix, features, normalize)
        assert_array(got, refs.gram(features, normalize=normalize), rtol=1e-9, atol=1e-12,
                     name=f"gram_matrix(features of shape (3, 5, 7, 2), normalize={normalize})",
                     where=WHERE + "style_loss.py, StyleLoss.gram_matrix")


@weight(1)
@number("5.3")
def test_style_loss_single_layer_and_repeated_layer(student, rng):
    shapes = [(1, 3, 5, 5), (1, 4, 3, 6), (1, 2, 2, 2), (1, 6, 4, 4), (1, 5, 3, 3)]
    feats = [rng.standard_normal(s) for s in shapes]
    for layers in ([4], [1, 3, 1]):
        targets = [refs.gram(rng.standard_normal(shapes[layer])) for layer in layers]
        weights = [float(w) for w in rng.uniform(0.5, 5.0, size=len(layers))]
        loss, grads = refs.style_loss_and_grads(feats, layers, targets, weights)
        got = student.run(probes.style_loss, feats, layers, targets, weights)
        cases.check_loss(got, loss, grads, name=f"style loss over style_layers {layers}",
                         where=WHERE + "style_loss.py, StyleLoss.forward")


@weight(1)
@number("5.4")
def test_tv_loss_thin_images(student, rng):
    for shape in [(3, 3, 1, 6), (1, 2, 5, 1)]:
        img = rng.standard_normal(shape)
        w = float(rng.uniform(0.1, 2.0))
        loss, grad = refs.tv_loss_and_grad(img, w)
        got = student.run(probes.tv_loss, img, w)
        cases.check_loss(got, loss, [grad], name=f"total-variation loss of images of shape {shape}",
                         where=WHERE + "tv_loss.py, TotalVariationLoss.forward")


@weight(1)
@number("5.5")
def test_style_transfer_steps_other_settings(student, fixtures_dir):
    case = cases.load(fixtures_dir, "step", hidden=True)
    config, steps = cases.step_config(case), case["steps"]
    targets = [case[f"style_target{i}"] for i in range(len(config["style_layers"]))]
    got = student.run(probes.style_transfer_sgd_steps, case["img"], case["content_target"], targets,
                      case["seed"], case["learning_rate"], config, steps)
    for i, expected in enumerate(case["losses"]):
        loss = got["losses"][i] if isinstance(got["losses"], list) and len(got["losses"]) > i else None
        assert_scalar(loss, float(expected), rtol=1e-4, atol=1e-6,
                      name=f"the loss returned by call {i + 1} of step with other settings", where=cases.STEP)
    assert_array(got["img"], case["expected"], rtol=1e-4, atol=1e-5 * float(np.abs(case["expected"]).max()),
                 name="the image after the steps", where=cases.STEP)
