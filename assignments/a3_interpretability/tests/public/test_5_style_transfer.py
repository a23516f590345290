"""Part 5: style-transfer losses against closed forms, and one update step."""

import a3_oracles as oracles
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, assert_true

WHERE = "style_modules/"
STEP_CONFIG = {"content_layer": 3, "content_weight": 6e-2, "style_layers": [1, 4, 6, 7],
               "style_weights": [300000.0, 1000.0, 15.0, 3.0], "tv_weight": 2e-2}


def check_loss(got, expected_loss, expected_grads, name, where):
    """got: what a3_probes._loss_and_grads returned for the student's loss."""
    assert_true(got["is_tensor"] is True and "grads" in got,
                f"{name}: expected a scalar torch tensor (so that loss.backward() works), got "
                f"{got['loss']!r}.\nWhere to look: {where}")
    assert_scalar(got["loss"], expected_loss, rtol=1e-9, atol=1e-12, name=name, where=where)
    for i, expected in enumerate(expected_grads):
        grad = got["grads"][i]
        if grad is None:
            grad = np.zeros_like(expected)   # no gradient reached this input
        assert_array(grad, expected, rtol=1e-8, atol=1e-10,
                     name=f"the gradient of the {name} with respect to input {i} (from loss.backward())",
                     where=where + " (build the loss from torch operations on the inputs)")


@weight(4)
@number("5.1")
def test_content_loss_matches_closed_form(student, rng):
    w = float(rng.uniform(0.1, 2.0))
    current = rng.standard_normal((1, 8, 5, 6))
    original = rng.standard_normal((1, 8, 5, 6))
    got = student.run(probes.content_loss, w, current, original)
    check_loss(got, w * np.sum((current - original) ** 2), [2 * w * (current - original)],
               name=f"content loss with weight {w:.4g}", where=WHERE + "content_loss.py, ContentLoss.forward")


@weight(4)
@number("5.2")
def test_gram_matrix_normalized_matches_closed_form(student, rng):
    features = rng.standard_normal((2, 6, 4, 5))
    got = student.run(probes.gram_matrix, features, True)
    assert_array(got, oracles.gram(features, normalize=True), rtol=1e-9, atol=1e-12,
                 name="gram_matrix(features of shape (2, 6, 4, 5), normalize=True), shape (N, C, C), "
                      "divided by H * W * C",
                 where=WHERE + "style_loss.py, StyleLoss.gram_matrix")


@weight(5)
@number("5.3")
def test_style_loss_matches_closed_form(student, rng):
    shapes = [(1, 4, 6, 6), (1, 5, 6, 6), (1, 6, 3, 3), (1, 3, 4, 2), (1, 7, 2, 2)]
    feats = [rng.standard_normal(s) for s in shapes]
    layers = [0, 2, 3]
    targets = [oracles.gram(rng.standard_normal(shapes[layer])) for layer in layers]
    weights = [float(w) for w in rng.uniform(0.5, 5.0, size=len(layers))]
    loss, grads = oracles.style_loss_and_grads(feats, layers, targets, weights)
    got = student.run(probes.style_loss, feats, layers, targets, weights)
    check_loss(got, loss, grads, name="style loss over layers [0, 2, 3]",
               where=WHERE + "style_loss.py, StyleLoss.forward")


@weight(5)
@number("5.4")
def test_tv_loss_matches_closed_form(student, rng):
    img = rng.standard_normal((1, 3, 7, 9))
    w = float(rng.uniform(0.1, 2.0))
    loss, grad = oracles.tv_loss_and_grad(img, w)
    got = student.run(probes.tv_loss, img, w)
    check_loss(got, loss, [grad], name=f"total-variation loss with weight {w:.4g}",
               where=WHERE + "tv_loss.py, TotalVariationLoss.forward")


@weight(6)
@number("5.5")
def test_style_transfer_step_matches_autograd(student, rng):
    seed, size, lr = 0, 48, 1e-3
    content = rng.standard_normal((1, 3, size, size)).astype(np.float32)
    style = rng.standard_normal((1, 3, size, size)).astype(np.float32)
    img = (content + 0.1 * rng.standard_normal(content.shape)).astype(np.float32)
    content_target = oracles.content_target_for(content, seed, STEP_CONFIG["content_layer"])
    style_targets = oracles.style_targets_for(style, seed, STEP_CONFIG["style_layers"])
    loss, new_img = oracles.style_transfer_sgd_step(img, content_target, style_targets, seed, lr,
                                                    STEP_CONFIG)
    got = student.run(probes.style_transfer_sgd_step, img, content_target, style_targets, seed, lr,
                      STEP_CONFIG)
    where = "style_transfer.py, StyleTransfer.step"
    assert_scalar(got["loss"], loss, rtol=1e-4, atol=1e-6,
                  name="the loss returned by step (content + style + total variation, before the update)",
                  where=where)
    assert_array(got["img"], new_img, rtol=1e-4, atol=1e-5 * float(np.abs(new_img).max()),
                 name="the image after one SGD step (lr=1e-3) on the total loss",
                 where=where + " (zero_grad, loss.backward(), optimizer.step())")
