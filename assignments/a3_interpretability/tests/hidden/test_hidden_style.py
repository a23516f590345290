"""Hidden tests, part 5: style-transfer losses on other shapes and layer lists, steps with other
settings checked one at a time."""

import a3_cases as cases
import a3_probes as probes
import a3_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true

WHERE = cases.STYLE
#: Settings other than the defaults and the public test's.
STEP_CONFIG = {"content_layer": 6, "content_weight": 0.2, "style_layers": [3, 9],
               "style_weights": [300.0, 80.0], "tv_weight": 0.05}


@weight(1)
@number("5.2")
def test_gram_matrix_other_batch_and_shapes(student, rng):
    """Gram matrices of another batch size and feature shape, normalised and not"""
    features = rng.standard_normal((int(rng.integers(3, 5)), int(rng.integers(2, 8)), int(rng.integers(1, 8)),
                                    int(rng.integers(1, 8))))
    for normalize in (False, True):
        got = student.run(probes.gram_matrix, features, normalize)
        assert_array(got, refs.gram(features, normalize=normalize), rtol=1e-9, atol=1e-12, name="the Gram matrices",
                     where=WHERE + "style_loss.py, StyleLoss.gram_matrix")


@weight(1)
@number("5.3")
def test_style_loss_single_layer_and_repeated_layer(student, rng):
    """Style loss over a single layer, and over a list that names a layer twice"""
    shapes = [(1, int(rng.integers(2, 7)), int(rng.integers(2, 6)), int(rng.integers(2, 7))) for _ in range(5)]
    feats = [rng.standard_normal(s) for s in shapes]
    first, again, other = (int(i) for i in rng.permutation(5)[:3])
    for layers in ([first], [again, other, again]):
        targets = [refs.gram(rng.standard_normal(shapes[layer])) for layer in layers]
        weights = [float(w) for w in rng.uniform(0.5, 5.0, size=len(layers))]
        loss, grads = refs.style_loss_and_grads(feats, layers, targets, weights)
        got = student.run(probes.style_loss, feats, layers, targets, weights)
        cases.check_loss(got, loss, grads, name="style loss", where=WHERE + "style_loss.py, StyleLoss.forward")


@weight(1)
@number("5.4")
def test_tv_loss_thin_images(student, rng):
    """Total variation of images one pixel high or one pixel wide"""
    for shape in [(int(rng.integers(1, 4)), 3, 1, int(rng.integers(2, 9))),
                  (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 9)), 1)]:
        img = rng.standard_normal(shape)
        w = float(rng.uniform(0.1, 2.0))
        loss, grad = refs.tv_loss_and_grad(img, w)
        got = student.run(probes.tv_loss, img, w)
        cases.check_loss(got, loss, [grad], name="total-variation loss",
                         where=WHERE + "tv_loss.py, TotalVariationLoss.forward")


@weight(1)
@number("5.5")
def test_style_transfer_steps_other_settings(student, rng):
    """Style-transfer steps with other layers, weights and image size"""
    seed = int(rng.integers(1, 60))
    h, w = int(rng.integers(40, 57)), int(rng.integers(40, 57))
    img = cases.image(rng.integers(2**62), (1, 3, h, w))
    content = cases.image(rng.integers(2**62), (1, 3, h, w))
    style = cases.image(rng.integers(2**62), (1, 3, h + 8, w - 8))
    cnn = cases.network(seed).features
    content_target = cases.content_target(content, seed, STEP_CONFIG["content_layer"])
    style_feats = [cases.content_target(style, seed, layer).astype(np.float64) for layer in STEP_CONFIG["style_layers"]]
    targets = [refs.gram(f).astype(np.float32) for f in style_feats]
    learning_rate = 5e-3
    got = student.run(probes.style_transfer_sgd_steps, img, content_target, targets, seed, learning_rate,
                      STEP_CONFIG, 2)
    assert_true(isinstance(got["losses"], list) and len(got["losses"]) == 2,
                "StyleTransfer.step should return the loss each time it is called.\nWhere to look: " + cases.STEP)
    before = img
    for i in range(2):
        # call i + 1 from the student's own image before it: rounding never adds up over steps
        losses, expected = refs.sgd_style_steps(cnn, before, content_target, targets, learning_rate, STEP_CONFIG, 1)
        assert_scalar(got["losses"][i], float(losses[0]), rtol=1e-4, atol=1e-6, name="the loss step returns",
                      where=cases.STEP)
        assert_array(got["imgs"][i], expected, rtol=1e-4, atol=1e-5 * float(np.abs(expected).max()),
                     name="the image after the step", where=cases.STEP)
        before = got["imgs"][i]
