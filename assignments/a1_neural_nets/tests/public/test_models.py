"""Tasks 2 and 3: forward and backward of SoftmaxRegression and TwoLayerNet (public).

Losses, accuracies and gradients are compared with values recorded from the reference
solution at build time (tests/fixtures/public/a1_public.safetensors), and gradients also
with centred differences of YOUR OWN forward pass.
"""

import functools

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, numerical_gradient

BASE = "models._base_network._baseNetwork"
SOFTMAX_REG = "models.softmax_regression.SoftmaxRegression"
TWO_LAYER = "models.two_layer_nn.TwoLayerNet"
WHERE_SR = "models/softmax_regression.py, SoftmaxRegression.forward"
WHERE_TL = "models/two_layer_nn.py, TwoLayerNet.forward"
TL_NAMES = ("W1", "b1", "W2", "b2")


@functools.lru_cache(maxsize=2)
def _load(path):
    from safetensors.numpy import load_file

    return load_file(path)


def recorded(fixtures_dir):
    return _load(str(fixtures_dir / "public" / "a1_public.safetensors"))


def wrong_helpers(student, rec):
    """Names of the _baseNetwork helpers whose recorded values the submission misses."""
    net = student.new(BASE)
    checks = {
        "sigmoid (test 1.1)": lambda: np.allclose(net.sigmoid(rec["act.x"]), rec["act.sigmoid"], rtol=1e-7, atol=1e-12),
        "ReLU (test 1.1)": lambda: np.array_equal(net.ReLU(rec["act.x"]), rec["act.relu"]),
        "ReLU_dev (test 1.1)": lambda: np.array_equal(net.ReLU_dev(rec["act.x"]), rec["act.relu_dev"]),
        "sigmoid_dev (test 1.1)": lambda: np.allclose(net.sigmoid_dev(rec["act.x"]), rec["act.sigmoid_dev"],
                                                      rtol=1e-6, atol=1e-12),
        "softmax (test 1.2)": lambda: np.allclose(net.softmax(rec["softmax.huge"]), rec["softmax.huge.out"],
                                                  rtol=1e-7, atol=1e-12),
        "cross_entropy_loss (test 1.3)": lambda: np.isclose(net.cross_entropy_loss(rec["ce.prob"], rec["ce.y"]),
                                                            rec["ce.loss"][0], rtol=1e-8),
    }
    wrong = []
    for name, check in checks.items():
        try:
            ok = bool(check())
        except Exception:
            ok = False
        if not ok:
            wrong.append(name)
    return wrong


def with_helper_hint(student, rec, check):
    """Run ``check``; when it fails, say which helpers it relies on are wrong too."""
    try:
        check()
    except AssertionError as exc:
        wrong = wrong_helpers(student, rec)
        if not wrong:
            raise
        raise AssertionError(f"{exc}\nThis forward pass uses helpers of _baseNetwork that are wrong: "
                             f"{', '.join(wrong)}. Fix those first.") from None


def _model(student, path, rec, key, names, **sizes):
    net = student.new(path, **sizes)
    net.weights = {name: rec[f"{key}.{name}"] for name in names}
    return net


def _check_forward(student, rec, net, key, what, where, mode="train"):
    loss, acc = net.forward(rec[f"{key}.X"], rec[f"{key}.y"], mode=mode)

    def check():
        assert_scalar(loss, float(rec[f"{key}.loss"][0]), rtol=1e-7, atol=1e-10,
                      name=f"loss of {what} (mode={mode!r})", where=where)
        assert_scalar(acc, float(rec[f"{key}.acc"][0]), atol=1e-12,
                      name=f"accuracy of {what} (mode={mode!r})", where=where)

    with_helper_hint(student, rec, check)


def _check_numerical(student, net, rec, key, names, where):
    """Gradients of a forward in train mode against centred differences of the same forward.

    Such a check is self-consistent: a forward that returns a constant loss and zero gradients
    would pass it. So it starts with a value check of the loss at the same point, against the
    recorded one.
    """
    X, y = rec[f"{key}.X"], rec[f"{key}.y"]
    weights = student.ref(net, "weights")
    start = {name: np.array(rec[f"{key}.{name}"]) for name in names}
    loss = net.forward(X, y, mode="valid")[0]
    with_helper_hint(student, rec, lambda: assert_scalar(
        loss, float(rec[f"{key}.loss"][0]), rtol=1e-7, atol=1e-10,
        name="the loss of your forward at the weights where the gradient is checked (the centred "
             "differences below use that loss, so it must be right first)", where=where))
    net.forward(X, y, mode="train")
    grads = net.gradients
    for name in names:
        def loss_of(value, name=name):
            weights[name] = value
            loss = net.forward(X, y, mode="valid")[0]
            weights[name] = start[name]
            return loss

        expected = numerical_gradient(loss_of, start[name])
        got = grads.get(name) if isinstance(grads, dict) else grads
        assert_array(got, expected, rtol=1e-5, atol=1e-8,
                     name=f"gradients['{name}'] against centred differences of your own forward (mode='valid')",
                     where=where + " (backward part)")


@weight(2)
@number("2.1")
def test_softmax_regression_forward_default_init(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(SOFTMAX_REG)
    _check_forward(student, rec, net, "sr.default", "a fresh SoftmaxRegression() on 8 images",
                   WHERE_SR + " (and _weight_init: seed 1024, then 0.001 * randn)", mode="valid")


@weight(2)
@number("2.1")
def test_softmax_regression_forward_given_weights(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = _model(student, SOFTMAX_REG, rec, "sr.given", ["W1"], input_size=6, num_classes=4)
    what = "SoftmaxRegression(6, 4) with given W1 (class 2 scores exactly 0) on a batch of 5"
    _check_forward(student, rec, net, "sr.given", what, WHERE_SR, mode="valid")
    _check_forward(student, rec, net, "sr.given", what, WHERE_SR, mode="train")


@weight(3)
@number("2.2")
def test_softmax_regression_gradient_recorded(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = _model(student, SOFTMAX_REG, rec, "sr.given", ["W1"], input_size=6, num_classes=4)
    sentinel = np.full((6, 4), 7.0)
    student.ref(net, "gradients")["W1"] = sentinel
    net.forward(rec["sr.given.X"], rec["sr.given.y"], mode="valid")
    grads = net.gradients
    assert_array(grads.get("W1") if isinstance(grads, dict) else grads, sentinel, rtol=0, atol=0,
                 name="gradients['W1'] after forward(mode='valid') (must be left untouched)",
                 where=WHERE_SR + " (compute gradients only when mode == 'train')")
    net.forward(rec["sr.given.X"], rec["sr.given.y"], mode="train")
    grads = net.gradients
    with_helper_hint(student, rec, lambda: assert_array(
        grads.get("W1") if isinstance(grads, dict) else grads, rec["sr.given.dW1"], rtol=1e-6, atol=1e-9,
        name="gradients['W1'] for given W1 whose class-2 scores are exactly 0 (ReLU's derivative at 0 is 0)",
        where=WHERE_SR + " (backward part)"))


@weight(3)
@number("2.2")
def test_softmax_regression_gradient_numerical(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = _model(student, SOFTMAX_REG, rec, "sr.smooth", ["W1"], input_size=6, num_classes=4)
    _check_numerical(student, net, rec, "sr.smooth", ["W1"], WHERE_SR)


@weight(1)
@number("3.1")
def test_two_layer_forward_default_init(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = student.new(TWO_LAYER)
    _check_forward(student, rec, net, "tl.default", "a fresh TwoLayerNet() on 8 images",
                   WHERE_TL + " (and _weight_init: seed 1024 before each weight matrix)", mode="valid")


@weight(2)
@number("3.1")
def test_two_layer_forward_given_weights(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = _model(student, TWO_LAYER, rec, "tl.given", TL_NAMES, input_size=5, num_classes=3, hidden_size=4)
    what = "TwoLayerNet(D=5, C=3, H=4) with given weights on a batch of 6"
    _check_forward(student, rec, net, "tl.given", what, WHERE_TL, mode="valid")
    _check_forward(student, rec, net, "tl.given", what, WHERE_TL, mode="train")


@weight(1)
@number("3.1")
def test_two_layer_forward_huge_scores(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = _model(student, TWO_LAYER, rec, "tl.huge", TL_NAMES, input_size=5, num_classes=3, hidden_size=4)
    _check_forward(student, rec, net, "tl.huge", "TwoLayerNet with class scores near 1e4 (no overflow, no NaN)",
                   WHERE_TL, mode="valid")


def _check_recorded_grads(student, rec, names):
    net = _model(student, TWO_LAYER, rec, "tl.given", TL_NAMES, input_size=5, num_classes=3, hidden_size=4)
    net.forward(rec["tl.given.X"], rec["tl.given.y"], mode="train")
    grads = net.gradients
    for name in names:
        got = grads.get(name) if isinstance(grads, dict) else grads
        with_helper_hint(student, rec, lambda got=got, name=name: assert_array(
            got, rec[f"tl.given.d{name}"], rtol=1e-6, atol=1e-9,
            name=f"gradients['{name}'] of TwoLayerNet(D=5, C=3, H=4) with given weights",
            where=WHERE_TL + " (backward part)"))


@weight(3)
@number("3.2")
def test_two_layer_gradients_W2_b2(student, fixtures_dir):
    _check_recorded_grads(student, recorded(fixtures_dir), ["W2", "b2"])


@weight(3)
@number("3.2")
def test_two_layer_gradients_W1_b1(student, fixtures_dir):
    _check_recorded_grads(student, recorded(fixtures_dir), ["W1", "b1"])


@weight(2)
@number("3.2")
def test_two_layer_gradients_numerical(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    net = _model(student, TWO_LAYER, rec, "tl.given", TL_NAMES, input_size=5, num_classes=3, hidden_size=4)
    _check_numerical(student, net, rec, "tl.given", list(TL_NAMES), WHERE_TL)
