"""Tasks 2 and 3: forward and backward of SoftmaxRegression and TwoLayerNet (public)."""

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, numerical_gradient

SOFTMAX_REG = "models.softmax_regression.SoftmaxRegression"
TWO_LAYER = "models.two_layer_nn.TwoLayerNet"
WHERE_SR = "models/softmax_regression.py, SoftmaxRegression.forward"
WHERE_TL = "models/two_layer_nn.py, TwoLayerNet.forward"


# Oracles, written independently of any submission, in float64.
def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _mean_ce(prob, y):
    return float(-np.mean(np.log(prob[np.arange(len(y)), y])))


def _softmax_regression_loss(W1, X, y):
    return _mean_ce(_softmax(np.maximum(X @ W1, 0.0)), y)


def _two_layer_prob(p, X):
    hidden = 0.5 * (1.0 + np.tanh(0.5 * (X @ p["W1"] + p["b1"])))   # sigmoid
    return _softmax(hidden @ p["W2"] + p["b2"])


def _init_weight(shape):
    """The initialisation contract: seed 1024, then 0.001 * standard normal."""
    return 0.001 * np.random.RandomState(1024).randn(*shape)


def _accuracy(prob, y):
    return float(np.mean(np.argmax(prob, axis=1) == y))


@weight(2)
@number("2.1")
def test_softmax_regression_forward_default_init(student, rng):
    net = student.new(SOFTMAX_REG)
    X = rng.uniform(0, 1, size=(8, 784))
    y = rng.integers(0, 10, size=8)
    loss, acc = net.forward(X, y, mode="valid")
    W1 = _init_weight((784, 10))
    assert_scalar(loss, _softmax_regression_loss(W1, X, y), rtol=1e-8,
                  name="loss of a fresh SoftmaxRegression() on 8 images",
                  where=WHERE_SR + " (and _weight_init: seed 1024, then 0.001 * randn)")
    prob = _softmax(np.maximum(X @ W1, 0.0))
    assert_scalar(acc, _accuracy(prob, y), atol=1e-12, name="accuracy of a fresh SoftmaxRegression()",
                  where=WHERE_SR)


@weight(2)
@number("2.1")
def test_softmax_regression_forward_given_weights(student, rng):
    D, C, N = 6, 4, 5
    net = student.new(SOFTMAX_REG, input_size=D, num_classes=C)
    W1 = rng.standard_normal((D, C))
    net.weights = {"W1": W1}
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    loss, acc = net.forward(X, y, mode="train")
    assert_scalar(loss, _softmax_regression_loss(W1, X, y), rtol=1e-8,
                  name=f"loss of SoftmaxRegression({D}, {C}) on a batch of {N} (ReLU, softmax, mean cross-entropy)",
                  where=WHERE_SR)
    assert_scalar(acc, _accuracy(_softmax(np.maximum(X @ W1, 0.0)), y), atol=1e-12,
                  name="accuracy returned by forward", where=WHERE_SR)


@weight(6)
@number("2.2")
def test_softmax_regression_gradient_matches_numerical(student, rng):
    D, C, N = 6, 4, 5
    net = student.new(SOFTMAX_REG, input_size=D, num_classes=C)
    W1 = rng.standard_normal((D, C))
    net.weights = {"W1": W1}
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    net.forward(X, y, mode="train")
    grads = net.gradients
    expected = numerical_gradient(lambda w: _softmax_regression_loss(w, X, y), W1)
    assert_array(grads["W1"] if isinstance(grads, dict) and "W1" in grads else grads, expected,
                 rtol=1e-5, atol=1e-8, name="gradients['W1'] against a centred-difference gradient",
                 where=WHERE_SR + " (backward part: dL/dA = (P - one_hot(y)) / N, then ReLU, then X.T)")


def _random_two_layer(rng, D, H, C, scale=1.0):
    return {"W1": scale * rng.standard_normal((D, H)), "b1": scale * rng.standard_normal(H),
            "W2": scale * rng.standard_normal((H, C)), "b2": scale * rng.standard_normal(C)}


@weight(2)
@number("3.1")
def test_two_layer_forward_default_init(student, rng):
    net = student.new(TWO_LAYER)
    X = rng.uniform(0, 1, size=(8, 784))
    y = rng.integers(0, 10, size=8)
    loss, acc = net.forward(X, y, mode="valid")
    p = {"W1": _init_weight((784, 128)), "b1": np.zeros(128),
         "W2": _init_weight((128, 10)), "b2": np.zeros(10)}
    prob = _two_layer_prob(p, X)
    assert_scalar(loss, _mean_ce(prob, y), rtol=1e-8, name="loss of a fresh TwoLayerNet() on 8 images",
                  where=WHERE_TL + " (and _weight_init: seed 1024 before each weight matrix)")
    assert_scalar(acc, _accuracy(prob, y), atol=1e-12, name="accuracy of a fresh TwoLayerNet()",
                  where=WHERE_TL)


@weight(2)
@number("3.1")
def test_two_layer_forward_given_weights(student, rng):
    D, H, C, N = 5, 4, 3, 6
    net = student.new(TWO_LAYER, input_size=D, num_classes=C, hidden_size=H)
    p = _random_two_layer(rng, D, H, C)
    net.weights = p
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    loss, acc = net.forward(X, y, mode="train")
    prob = _two_layer_prob(p, X)
    assert_scalar(loss, _mean_ce(prob, y), rtol=1e-8,
                  name=f"loss of TwoLayerNet(D={D}, C={C}, H={H}) on a batch of {N} "
                       "(FC, sigmoid, FC, softmax, mean cross-entropy)", where=WHERE_TL)
    assert_scalar(acc, _accuracy(prob, y), atol=1e-12, name="accuracy returned by forward", where=WHERE_TL)


def _check_two_layer_grads(student, rng, names):
    D, H, C, N = 5, 4, 3, 6
    net = student.new(TWO_LAYER, input_size=D, num_classes=C, hidden_size=H)
    p = _random_two_layer(rng, D, H, C)
    net.weights = p
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    net.forward(X, y, mode="train")
    grads = net.gradients
    for name in names:
        def loss_of(value, name=name):
            return _mean_ce(_two_layer_prob({**p, name: value}, X), y)

        expected = numerical_gradient(loss_of, p[name])
        got = grads.get(name) if isinstance(grads, dict) else grads
        assert_array(got, expected, rtol=1e-5, atol=1e-8,
                     name=f"gradients['{name}'] against a centred-difference gradient",
                     where=WHERE_TL + " (backward part)")


@weight(4)
@number("3.2")
def test_two_layer_gradients_W2_b2(student, rng):
    _check_two_layer_grads(student, rng, ["W2", "b2"])


@weight(4)
@number("3.2")
def test_two_layer_gradients_W1_b1(student, rng):
    _check_two_layer_grads(student, rng, ["W1", "b1"])
