"""Hidden tests, part 5: style-transfer losses on other shapes and layer orders."""

import a3_oracles as oracles
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, assert_true

WHERE = "style_modules/"


def check_loss(got, expected_loss, expected_grads, name, where):
    assert_true(got["is_tensor"] is True and "grads" in got,
                f"{name}: expected a scalar torch tensor, got a value of type {type(got['loss']).__name__}.\n"
                f"Where to look: {where}")
    assert_scalar(got["loss"], expected_loss, rtol=1e-9, atol=1e-12, name=name, where=where)
    for i, expected in enumerate(expected_grads):
        grad = got["grads"][i]
        grad = np.zeros_like(expected) if grad is None else grad
        assert_array(grad, expected, rtol=1e-8, atol=1e-10,
                     name=f"the gradient of the {name} with respect to input {i}", where=where)


@weight(2)
@number("5.2")
def test_gram_matrix_unnormalized_non_square_batch(student, rng):
    features = rng.standard_normal((3, 5, 7, 2))
    got = student.run(probes.gram_matrix, features, False)
    assert_array(got, oracles.gram(features, normalize=False), rtol=1e-9, atol=1e-12,
                 name="gram_matrix(features of shape (3, 5, 7, 2), normalize=False)",
                 where=WHERE + "style_loss.py, StyleLoss.gram_matrix (divide only when normalize=True)")


@weight(1)
@number("5.3")
def test_style_loss_layers_out_of_order(student, rng):
    shapes = [(1, 3, 5, 5), (1, 4, 3, 6), (1, 2, 2, 2), (1, 6, 4, 4), (1, 5, 3, 3)]
    feats = [rng.standard_normal(s) for s in shapes]
    layers = [4, 1]
    targets = [oracles.gram(rng.standard_normal(shapes[layer])) for layer in layers]
    weights = [float(w) for w in rng.uniform(0.5, 5.0, size=len(layers))]
    loss, grads = oracles.style_loss_and_grads(feats, layers, targets, weights)
    got = student.run(probes.style_loss, feats, layers, targets, weights)
    check_loss(got, loss, grads, name="style loss over layers [4, 1]",
               where=WHERE + "style_loss.py, StyleLoss.forward (style_targets[i] and style_weights[i] "
                             "belong to style_layers[i])")


@weight(1)
@number("5.4")
def test_tv_loss_non_square_batch(student, rng):
    img = rng.standard_normal((2, 3, 5, 11))
    w = float(rng.uniform(0.1, 2.0))
    loss, grad = oracles.tv_loss_and_grad(img, w)
    got = student.run(probes.tv_loss, img, w)
    check_loss(got, loss, [grad], name="total-variation loss of 2 images of height 5 and width 11",
               where=WHERE + "tv_loss.py, TotalVariationLoss.forward (both directions, every image)")
