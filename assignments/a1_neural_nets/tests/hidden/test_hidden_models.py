"""Tasks 2 and 3, hidden: forward and backward passes on random shapes, edge cases, side effects."""

import a1_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, numerical_gradient

SOFTMAX_REG = "models.softmax_regression.SoftmaxRegression"
TWO_LAYER = "models.two_layer_nn.TwoLayerNet"
WHERE_SR = "models/softmax_regression.py, SoftmaxRegression.forward"
WHERE_TL = "models/two_layer_nn.py, TwoLayerNet.forward"


def _labels(rng, N, C, absent=True):
    """Labels of N examples; with absent=True only a few of the C classes appear."""
    classes = rng.choice(C, size=max(1, C // 2), replace=False) if absent else np.arange(C)
    return rng.choice(classes, size=N)


def _sizes(rng):
    return int(rng.integers(2, 25)), int(rng.integers(2, 11)), int(rng.integers(1, 16))   # D, C, N


def _two_layer_params(rng, D, H, C, scale=1.0):
    return {"W1": scale * rng.standard_normal((D, H)), "b1": scale * rng.standard_normal(H),
            "W2": scale * rng.standard_normal((H, C)), "b2": scale * rng.standard_normal(C)}


@weight(3)
@number("2.1")
def test_softmax_regression_forward_random_shapes(student, rng):
    for trial in range(3):
        D, C, N = _sizes(rng)
        if trial == 1:
            N = max(N, 2)                       # a batch, in every draw
        net = student.new(SOFTMAX_REG, input_size=D, num_classes=C)
        W1 = rng.standard_normal((D, C))
        net.weights = {"W1": W1}
        X = rng.standard_normal((N, D))
        prob = refs.ref_softmax_regression_prob(W1, X)
        y = _labels(rng, N, C)
        y[0] = int(np.argmax(prob[0]))          # at least one example classified right, in every draw
        for mode in ("train", "valid"):
            loss, acc = net.forward(X, y, mode=mode)
            what = f"SoftmaxRegression with random input_size and num_classes, mode={mode!r}"
            assert_scalar(loss, refs.ref_mean_ce(prob, y), rtol=1e-8, name=f"loss of {what}", where=WHERE_SR)
            assert_scalar(acc, refs.ref_accuracy(prob, y), atol=1e-12, name=f"accuracy of {what}", where=WHERE_SR)


@weight(3)
@number("2.2")
def test_softmax_regression_gradient_random_shapes(student, rng):
    for trial in range(3):
        D, C, N = _sizes(rng)
        if trial == 0:
            N = 1
        elif trial == 1:
            N = max(N, 2)                       # a batch, in every draw
        net = student.new(SOFTMAX_REG, input_size=D, num_classes=C)
        W1 = rng.standard_normal((D, C))
        net.weights = {"W1": W1}
        X = rng.standard_normal((N, D))
        y = _labels(rng, N, C)
        net.forward(X, y, mode="train")
        grads = net.gradients
        expected = numerical_gradient(lambda w, X=X, y=y: _reference_loss(SOFTMAX_REG, {"W1": w}, X, y), W1)
        assert_array(grads.get("W1") if isinstance(grads, dict) else grads, expected, rtol=1e-5, atol=1e-8,
                     name="gradients['W1'] of SoftmaxRegression with random sizes" + (", one example" if N == 1 else "")
                          + ", some classes "
                          "absent from y, against a centred-difference gradient",
                     where=WHERE_SR + " (backward part; the number of classes is num_classes, whatever labels "
                           "the batch holds)")


def _check_no_side_effects(student, rng, path, params, X, y, where):
    net = student.new(path, *params["args"])
    weights = params["weights"]
    sentinel = {k: np.full(v.shape, 7.0) for k, v in weights.items()}
    net.weights = {k: v.copy() for k, v in weights.items()}
    net.gradients = {k: v.copy() for k, v in sentinel.items()}
    net.forward(X, y, mode="valid")
    grads = net.gradients
    for k in weights:
        assert_array(grads.get(k) if isinstance(grads, dict) else grads, sentinel[k], rtol=0, atol=0,
                     name=f"gradients['{k}'] after forward(mode='valid') (must be left untouched)",
                     where=where + " (compute gradients only when mode == 'train')")
    net.forward(X, y, mode="train")
    after = net.weights
    for k in weights:
        assert_array(after.get(k) if isinstance(after, dict) else after, weights[k], rtol=0, atol=0,
                     name=f"weights['{k}'] after forward(mode='train') (forward must not update weights; "
                          "the optimizer does)", where=where)
    grads = net.gradients
    for k in weights:    # the written gradient is this loss's, not any non-zero array
        def loss_of(value, k=k):
            return _reference_loss(path, {**weights, k: value}, X, y)

        assert_array(grads.get(k) if isinstance(grads, dict) else grads, numerical_gradient(loss_of, weights[k]),
                     rtol=1e-5, atol=1e-8,
                     name=f"gradients['{k}'] after forward(mode='train'), against a centred-difference gradient",
                     where=where + " (forward(mode='train') writes the gradient of this batch's loss)")


def _reference_loss(path, weights, X, y):
    """The staff reference's mean cross-entropy of the model at ``path`` with these weights."""
    prob = (refs.ref_softmax_regression_prob(weights["W1"], X) if path == SOFTMAX_REG
            else refs.ref_two_layer_prob(weights, X))
    return refs.ref_mean_ce(prob, y)


@weight(2)
@number("2.2")
def test_softmax_regression_valid_mode_has_no_side_effects(student, rng):
    D, C, N = 7, 4, 6
    params = {"args": (D, C), "weights": {"W1": rng.standard_normal((D, C))}}
    X = rng.standard_normal((N, D))
    _check_no_side_effects(student, rng, SOFTMAX_REG, params, X, rng.integers(0, C, size=N), WHERE_SR)


@weight(4)
@number("3.1")
def test_two_layer_forward_random_shapes_and_huge_scores(student, rng):
    for trial in range(3):
        D, C, N = _sizes(rng)
        H = int(rng.integers(2, 12))
        if trial > 0:
            N = max(N, 3)                       # a batch, in every draw
        net = student.new(TWO_LAYER, input_size=D, num_classes=C, hidden_size=H)
        X = rng.standard_normal((N, D))
        if trial == 0:      # the initialisation contract for sizes other than the defaults
            p = {"W1": refs.ref_init_weight((D, H)), "b1": np.zeros(H),
                 "W2": refs.ref_init_weight((H, C)), "b2": np.zeros(C)}
            what = "a fresh TwoLayerNet (default initialisation)"
        elif trial == 1:
            p = _two_layer_params(rng, D, H, C)
            net.weights = p
            what = "TwoLayerNet with given weights"
        else:               # scores of size ~1e4: softmax must not overflow
            for _ in range(100):            # rows whose highest scores lie far apart (in every draw)
                p = _two_layer_params(rng, D, H, C)
                p["W2"] *= 1e4
                top = np.max(refs.ref_sigmoid(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], axis=1)
                if np.ptp(top) > 2e3:
                    break
                X = rng.standard_normal((N, D)) * 3
            net.weights = p
            what = "TwoLayerNet with huge output scores (~1e4)"
        prob = refs.ref_two_layer_prob(p, X)
        y = np.argmax(prob, axis=1) if trial == 2 else _labels(rng, N, C)
        if trial == 1:
            y[0] = int(np.argmax(prob[0]))      # at least one example classified right
        loss, acc = net.forward(X, y, mode="valid")
        full = f"{what} (random sizes)"
        assert_scalar(loss, refs.ref_mean_ce(prob, y), rtol=1e-7, atol=1e-10, name=f"loss of {full}",
                      where=WHERE_TL + (" (a stable softmax)" if trial == 2 else ""))
        assert_scalar(acc, refs.ref_accuracy(prob, y), atol=1e-12, name=f"accuracy of {full}", where=WHERE_TL)


def _two_layer_grad_check(student, rng, D, H, C, N, absent):
    net = student.new(TWO_LAYER, input_size=D, num_classes=C, hidden_size=H)
    p = _two_layer_params(rng, D, H, C)
    net.weights = p
    X = rng.standard_normal((N, D))
    y = _labels(rng, N, C, absent=absent)
    net.forward(X, y, mode="train")
    grads = net.gradients
    for name in ("W1", "b1", "W2", "b2"):
        def loss_of(value, name=name):
            return _reference_loss(TWO_LAYER, {**p, name: value}, X, y)

        expected = numerical_gradient(loss_of, p[name])
        assert_array(grads.get(name) if isinstance(grads, dict) else grads, expected, rtol=1e-5, atol=1e-8,
                     name=f"gradients['{name}'] of TwoLayerNet with random sizes" + (", one example" if N == 1 else "")
                          + (", some classes absent from y" if absent else "") + " "
                          "against a centred-difference gradient", where=WHERE_TL + " (backward part)")


@weight(4)
@number("3.2")
def test_two_layer_gradients_random_shapes(student, rng):
    for _ in range(2):
        D, C, N = _sizes(rng)
        _two_layer_grad_check(student, rng, D, int(rng.integers(2, 10)), C, max(N, 2), absent=False)


@weight(1)
@number("3.2")
def test_two_layer_gradients_one_example_absent_classes(student, rng):
    _two_layer_grad_check(student, rng, 6, 5, 7, 1, absent=True)
    _two_layer_grad_check(student, rng, 4, 3, 9, 5, absent=True)


@weight(1)
@number("3.2")
def test_two_layer_valid_mode_has_no_side_effects(student, rng):
    D, H, C, N = 6, 5, 3, 4
    params = {"args": (D, C, H), "weights": _two_layer_params(rng, D, H, C)}
    X = rng.standard_normal((N, D))
    _check_no_side_effects(student, rng, TWO_LAYER, params, X, rng.integers(0, C, size=N), WHERE_TL)
