"""Task 1: activations, softmax, cross-entropy and accuracy of _baseNetwork (public).

Expected values were recorded from the reference solution when the assignment was built
(tests/fixtures/public/a1_public.safetensors); the other checks are properties.
"""

import functools

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_shape, assert_true

BASE = "models._base_network._baseNetwork"
WHERE = "models/_base_network.py, _baseNetwork."
EDGES = "X holds exact zeros, +-1e-3, +-50 and +-800"


@functools.lru_cache(maxsize=2)
def _load(path):
    from safetensors.numpy import load_file

    return load_file(path)


def recorded(fixtures_dir):
    return _load(str(fixtures_dir / "public" / "a1_public.safetensors"))


@weight(1)
@number("1.1")
def test_sigmoid_recorded(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    assert_array(net.sigmoid(rec["act.x"]), rec["act.sigmoid"], rtol=1e-7, atol=1e-12,
                 name=f"sigmoid(X) for X of shape (5, 6); {EDGES}", where=WHERE + "sigmoid")


@weight(1)
@number("1.1")
def test_sigmoid_dev_recorded_and_numerical(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    x = rec["act.x"]
    assert_array(net.sigmoid_dev(x), rec["act.sigmoid_dev"], rtol=1e-6, atol=1e-12,
                 name=f"sigmoid_dev(X), the derivative at the input X; {EDGES}", where=WHERE + "sigmoid_dev")
    moderate = x[2:]                                   # no kinks, no saturation: centred differences work
    assert_array(net.sigmoid(moderate), rec["act.sigmoid"][2:], rtol=1e-7, atol=1e-12,
                 name="sigmoid(X) on the moderate rows, whose centred differences are checked next",
                 where=WHERE + "sigmoid")
    h = 1e-5
    slope = (net.sigmoid(moderate + h) - net.sigmoid(moderate - h)) / (2 * h)
    assert_array(net.sigmoid_dev(moderate), slope, rtol=1e-5, atol=1e-9,
                 name="sigmoid_dev(X) against the centred-difference slope of your own sigmoid",
                 where=WHERE + "sigmoid_dev (and sigmoid)")


@weight(1)
@number("1.1")
def test_relu_recorded(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    assert_array(net.ReLU(rec["act.x"]), rec["act.relu"], rtol=0, atol=0,
                 name=f"ReLU(X) for X of shape (5, 6); {EDGES}", where=WHERE + "ReLU")


@weight(1)
@number("1.1")
def test_relu_dev_recorded_including_zero(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    got = net.ReLU_dev(rec["act.x"])
    assert_array(got, rec["act.relu_dev"], rtol=0, atol=0,
                 name=f"ReLU_dev(X) for X of shape (5, 6); {EDGES} (the derivative at exactly 0 is 0)",
                 where=WHERE + "ReLU_dev")


@weight(1)
@number("1.2")
def test_softmax_rows_are_distributions(student, rng):
    net = student.new(BASE)
    scores = rng.standard_normal((5, 4)) * 3
    prob = net.softmax(scores)
    assert_shape(prob, (5, 4), name="softmax(scores) for scores of shape (5, 4)", where=WHERE + "softmax")
    assert_true(bool(np.all(np.isfinite(prob)) and np.all(prob > 0)),
                f"softmax(scores): every entry should be a positive probability, got min {np.min(prob)}. "
                f"Where to look: {WHERE}softmax")
    assert_array(prob.sum(axis=1), np.ones(5), rtol=0, atol=1e-10,
                 name="the sum of each row of softmax(scores)", where=WHERE + "softmax (one distribution per row)")
    shifted = net.softmax(scores + rng.uniform(-50, 50, size=(5, 1)))
    assert_array(shifted, prob, rtol=1e-9, atol=1e-12,
                 name="softmax(scores + c), a constant c added to each row (it should not change)",
                 where=WHERE + "softmax")


@weight(1)
@number("1.2")
def test_softmax_recorded_moderate_scores(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    assert_array(net.softmax(rec["softmax.moderate"]), rec["softmax.moderate.out"], rtol=1e-7, atol=1e-12,
                 name="softmax(scores) for moderate scores of shape (3, 6)", where=WHERE + "softmax")


@weight(1)
@number("1.2")
def test_softmax_recorded_huge_scores(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    assert_array(net.softmax(rec["softmax.huge"]), rec["softmax.huge.out"], rtol=1e-7, atol=1e-12,
                 name="softmax(scores) for rows of scores near 3e4, -7e4, 1e5 and a row of equal scores 2e4 "
                      "(no overflow, no NaN)", where=WHERE + "softmax (stay finite for huge scores of either sign)")


@weight(3)
@number("1.3")
def test_cross_entropy_recorded(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(BASE)
    assert_scalar(net.cross_entropy_loss(rec["ce.prob"], rec["ce.y"]), float(rec["ce.loss"][0]), rtol=1e-8,
                  name="cross_entropy_loss(x_pred, y), the MEAN over a batch of 6 (class 2 never appears in y)",
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
