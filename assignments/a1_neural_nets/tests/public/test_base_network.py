"""Task 1: activations, softmax, cross-entropy and accuracy of _baseNetwork (public)."""

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, assert_shape, assert_true

BASE = "models._base_network._baseNetwork"
WHERE = "models/_base_network.py, _baseNetwork."


@weight(1)
@number("1.1")
def test_sigmoid_matches_closed_form(student, rng):
    net = student.new(BASE)
    x = rng.uniform(-6, 6, size=(4, 5))
    expected = 0.5 * (1.0 + np.tanh(0.5 * x))      # the same function as 1 / (1 + exp(-x))
    assert_array(net.sigmoid(x), expected, rtol=1e-7, atol=1e-12,
                 name="sigmoid(X) for X of shape (4, 5)", where=WHERE + "sigmoid")


@weight(1)
@number("1.1")
def test_sigmoid_dev_matches_closed_form(student, rng):
    net = student.new(BASE)
    x = rng.uniform(-6, 6, size=(3, 7))
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    assert_array(net.sigmoid_dev(x), s * (1.0 - s), rtol=1e-7, atol=1e-12,
                 name="sigmoid_dev(x), the derivative at the input x", where=WHERE + "sigmoid_dev")


@weight(1)
@number("1.1")
def test_relu_matches_closed_form(student, rng):
    net = student.new(BASE)
    x = rng.standard_normal((4, 5))
    assert_array(net.ReLU(x), np.maximum(x, 0.0), name="ReLU(X) for X of shape (4, 5)",
                 where=WHERE + "ReLU")


@weight(1)
@number("1.1")
def test_relu_dev_is_step_function(student, rng):
    net = student.new(BASE)
    x = rng.standard_normal((6, 3))
    assert_array(net.ReLU_dev(x), (x > 0).astype(np.float64),
                 name="ReLU_dev(X): 1.0 where X > 0, else 0.0", where=WHERE + "ReLU_dev")


@weight(1)
@number("1.2")
def test_softmax_rows_sum_to_one(student, rng):
    net = student.new(BASE)
    scores = rng.standard_normal((5, 4)) * 3
    prob = net.softmax(scores)
    assert_shape(prob, (5, 4), name="softmax(scores) for scores of shape (5, 4)", where=WHERE + "softmax")
    assert_true(bool(np.all(np.isfinite(prob)) and np.all(prob > 0)),
                f"softmax(scores): every entry should be a positive probability, got min {np.min(prob)!r}. "
                f"Where to look: {WHERE}softmax")
    assert_array(prob.sum(axis=1), np.ones(5), rtol=0, atol=1e-10,
                 name="the sum of each row of softmax(scores)", where=WHERE + "softmax (normalise by row, axis=1)")


@weight(2)
@number("1.2")
def test_softmax_matches_closed_form(student, rng):
    net = student.new(BASE)
    scores = rng.standard_normal((3, 6)) * 2
    exp = np.exp(scores)
    expected = exp / exp.sum(axis=1, keepdims=True)
    assert_array(net.softmax(scores), expected, rtol=1e-7, atol=1e-12,
                 name="softmax(scores) for moderate scores of shape (3, 6)", where=WHERE + "softmax")


@weight(3)
@number("1.3")
def test_cross_entropy_matches_definition(student, rng):
    net = student.new(BASE)
    logits = rng.standard_normal((6, 4))
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, 4, size=6)
    expected = -np.mean(np.log(prob[np.arange(6), y]))
    assert_scalar(net.cross_entropy_loss(prob, y), expected, rtol=1e-8,
                  name="cross_entropy_loss(x_pred, y), the MEAN over a batch of 6",
                  where=WHERE + "cross_entropy_loss")


@weight(2)
@number("1.4")
def test_accuracy_counts_argmax_hits(student, rng):
    net = student.new(BASE)
    prob = rng.dirichlet(np.ones(5), size=10)        # (10, 5), rows sum to one
    y = np.argmax(prob, axis=1)
    y[[1, 4, 7]] = (y[[1, 4, 7]] + 1) % 5          # three wrong predictions out of ten
    assert_scalar(net.compute_accuracy(prob, y), 0.7, rtol=0, atol=1e-12,
                  name="compute_accuracy with 7 of 10 argmax predictions right",
                  where=WHERE + "compute_accuracy")
