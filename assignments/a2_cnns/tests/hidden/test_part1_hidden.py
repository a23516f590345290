"""Part 1 (NumPy), hidden: random shapes, strides, padding, odd sizes, ties, overlaps.

Shapes stay small so that a correct loop-based Conv2D finishes the whole suite quickly.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, numerical_gradient, rel_error, assert_true

import a2_probes as probes

CONV = "modules.convolution.Conv2D"
POOL = "modules.max_pool.MaxPooling"
# (N, C, H, W, F, k, stride, padding): odd and rectangular inputs, stride 2 and 3, padding 1 and 2
CONV_CASES = {
    "stride2-pad1-odd": (2, 3, 7, 9, 4, 3, 2, 1),
    "stride3-pad2-k5": (1, 2, 11, 8, 3, 5, 3, 2),
    "k1-stride1": (3, 4, 5, 6, 2, 1, 1, 0),
}


def conv_oracle(x, w, b, dout, stride, padding):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def run_conv(student, rng, case):
    n, c, h, w_, f, k, s, p = case
    conv = student.new(CONV, c, f, kernel_size=k, stride=s, padding=p)
    w, b = rng.standard_normal((f, c, k, k)), rng.standard_normal(f)
    conv.weight, conv.bias = w, b
    x = rng.standard_normal((n, c, h, w_))
    out_shape = (n, f, (h + 2 * p - k) // s + 1, (w_ + 2 * p - k) // s + 1)
    dout = rng.standard_normal(out_shape)
    expected = conv_oracle(x, w, b, dout, s, p)
    out = conv.forward(x)
    conv.backward(dout)
    return (out, conv.dx, conv.dw, conv.db), expected


@weight(1)
@number("1.1")
def test_relu_hidden_shapes_and_zeros(student, rng):
    """ReLU on a 4-D input with exact zeros (gradient 0 at 0)"""
    relu = student.new("modules.relu.ReLU")
    x = rng.integers(-2, 3, size=(2, 3, 4, 5)).astype(np.float64)
    assert_array(relu.forward(x), np.maximum(x, 0), name="ReLU.forward(x)", where="modules/relu.py forward")
    dout = rng.standard_normal(x.shape)
    relu.backward(dout)
    assert_array(relu.dx, dout * (x > 0), name="ReLU.dx (0 where x <= 0)", where="modules/relu.py backward")


@weight(1)
@number("1.2")
def test_linear_hidden_random_shapes(student, rng):
    """Linear on a 3-D input, forward and backward"""
    x = rng.standard_normal((5, 3, 7))
    lin = student.new("modules.linear.Linear", 21, 6)
    w, b = rng.standard_normal((21, 6)), rng.standard_normal(6)
    lin.weight, lin.bias = w, b
    assert_array(lin.forward(x), x.reshape(5, -1) @ w + b, name="Linear.forward(x)", where="modules/linear.py forward")
    dout = rng.standard_normal((5, 6))
    lin.backward(dout)
    where = "modules/linear.py backward"
    assert_array(lin.dx, (dout @ w.T).reshape(x.shape), name="Linear.dx", where=where)
    assert_array(lin.dw, x.reshape(5, -1).T @ dout, name="Linear.dw", where=where)
    assert_array(lin.db, dout.sum(axis=0), name="Linear.db", where=where)


@weight(1)
@number("1.3")
@pytest.mark.parametrize("case", list(CONV_CASES), ids=list(CONV_CASES))
def test_conv_forward_hidden(student, rng, case):
    """Conv2D forward with stride, padding and odd sizes"""
    got, expected = run_conv(student, rng, CONV_CASES[case])
    assert_array(got[0], expected[0], rtol=1e-6, atol=1e-9, name=f"Conv2D.forward ({case})",
                 where="modules/convolution.py forward (output size (H + 2p - k) // s + 1)")


@weight(1)
@number("1.4")
@pytest.mark.parametrize("case", list(CONV_CASES), ids=list(CONV_CASES))
def test_conv_backward_hidden(student, rng, case):
    """Conv2D backward with stride, padding and odd sizes"""
    got, expected = run_conv(student, rng, CONV_CASES[case])
    where = "modules/convolution.py backward"
    for name, g, e in zip(("dx", "dw", "db"), got[1:], expected[1:]):
        assert_array(g, e, rtol=1e-6, atol=1e-9, name=f"Conv2D.{name} ({case})", where=where)


@weight(1)
@number("1.4")
def test_conv_keeps_weights(student, rng):
    """Conv2D forward and backward leave weight and bias unchanged"""
    conv = student.new(CONV, 2, 3, kernel_size=3, stride=1, padding=1)
    w, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    conv.weight, conv.bias = w.copy(), b.copy()
    x = rng.standard_normal((2, 2, 5, 5))
    conv.forward(x)
    conv.backward(rng.standard_normal((2, 3, 5, 5)))
    where = "modules/convolution.py (forward and backward must not modify self.weight or self.bias)"
    assert_array(conv.weight, w, rtol=0, atol=0, name="Conv2D.weight after forward and backward", where=where)
    assert_array(conv.bias, b, rtol=0, atol=0, name="Conv2D.bias after forward and backward", where=where)


@weight(1)
@number("1.5")
def test_maxpool_ties_first_maximum(student, rng):
    """MaxPooling with ties: the gradient goes to the first maximum"""
    pool = student.new(POOL, 2, 2)
    x = rng.integers(0, 2, size=(2, 2, 6, 6)).astype(np.float64)
    dout = rng.standard_normal((2, 2, 3, 3))
    xt = torch.tensor(x, requires_grad=True)
    out = F.max_pool2d(xt, 2, 2)
    out.backward(torch.tensor(dout))
    assert_array(pool.forward(x), out.detach().numpy(), name="MaxPooling.forward with ties",
                 where="modules/max_pool.py forward")
    pool.backward(dout)
    assert_array(pool.dx, xt.grad.numpy(), name="MaxPooling.dx with ties (first maximum in row-major order wins)",
                 where="modules/max_pool.py backward")


@weight(1)
@number("1.5")
def test_maxpool_overlapping_windows(student, rng):
    """MaxPooling(3, 2): overlapping windows add their gradients"""
    pool = student.new(POOL, 3, 2)
    x = rng.standard_normal((2, 3, 7, 9))
    dout = rng.standard_normal((2, 3, 3, 4))
    xt = torch.tensor(x, requires_grad=True)
    out = F.max_pool2d(xt, 3, 2)
    out.backward(torch.tensor(dout))
    assert_array(pool.forward(x), out.detach().numpy(), name="MaxPooling(3, 2).forward",
                 where="modules/max_pool.py forward")
    pool.backward(dout)
    assert_array(pool.dx, xt.grad.numpy(), name="MaxPooling(3, 2).dx", where="modules/max_pool.py backward")


@weight(1)
@number("1.5")
def test_maxpool_odd_size_drops_border(student, rng):
    """MaxPooling(2, 2) on odd sizes ignores the last row and column"""
    pool = student.new(POOL, 2, 2)
    x = rng.standard_normal((1, 2, 5, 7))
    dout = rng.standard_normal((1, 2, 2, 3))
    xt = torch.tensor(x, requires_grad=True)
    out = F.max_pool2d(xt, 2, 2)
    out.backward(torch.tensor(dout))
    assert_array(pool.forward(x), out.detach().numpy(), name="MaxPooling(2, 2).forward, x (1, 2, 5, 7)",
                 where="modules/max_pool.py forward")
    pool.backward(dout)
    assert_array(pool.dx, xt.grad.numpy(), name="MaxPooling(2, 2).dx, x (1, 2, 5, 7)",
                 where="modules/max_pool.py backward")


@weight(1)
@number("1.6")
def test_softmax_ce_large_scores(student, rng):
    """SoftmaxCrossEntropy stays finite for scores near 1000"""
    crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
    x = rng.standard_normal((5, 7)) * 10 + 1000
    y = rng.integers(0, 7, size=5)
    xt = torch.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, torch.tensor(y))
    loss.backward()
    probs, got = crit.forward(x, y)
    where = "modules/softmax_ce.py (subtract the row maximum before exp)"
    assert_array(probs, torch.softmax(torch.tensor(x), 1).numpy(), name="probs", where=where)
    assert_scalar(got, float(loss), name="loss", where=where)
    crit.backward()
    assert_array(crit.dx, xt.grad.numpy(), name="dx", where=where)


TINY_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 1},
    {"type": "Linear", "in_dim": 2 * 2 * 2, "out_dim": 3},
]


@weight(2)
@number("1.7")
def test_convnet_gradients_centred_differences(student, rng):
    """ConvNet parameter gradients against centred differences of its loss"""
    x = rng.standard_normal((2, 2, 5, 5))
    y = rng.integers(0, 3, size=2)
    params = [(rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2)), None, None,
              (rng.standard_normal((8, 3)), rng.standard_normal(3))]
    _, _, grads, dx = student.run(probes.convnet_forward_backward, TINY_NET, x, y, params)
    where = "modules/conv_classifier.py backward (and the layers it chains)"
    for i, j, name in ((0, 0, "Conv2D.dw"), (0, 1, "Conv2D.db"), (3, 0, "Linear.dw")):
        def loss_of(v):
            changed = [None if p is None else list(p) for p in params]
            changed[i][j] = v
            return student.run(probes.convnet_loss, TINY_NET, x, y, [None if p is None else tuple(p) for p in changed])

        num = numerical_gradient(loss_of, params[i][j])
        got = grads[i][j]
        assert_true(type(got) is np.ndarray and got.shape == num.shape,
                    f"{name}: expected an array of shape {num.shape}, got {type(got).__name__}."
                    f"\nWhere to look: {where}")
        err = rel_error(got, num)
        assert_true(err < 1e-5, f"{name}: relative error {err:.3g} against centred differences of the loss, "
                                f"expected below 1e-5.\nWhere to look: {where}")


# the same closed form as in the public tests
SMALL_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_dim": 3 * 3 * 3, "out_dim": 4},
]


def small_net_params(rng):
    return [(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)), None, None,
            (rng.standard_normal((27, 4)), rng.standard_normal(4))]


def sgd_oracle(params, grads, lr, reg, momentum):
    """Closed form: v = momentum * v - lr * (dw + reg * w); w += v (biases: no reg)."""
    history = []
    current = [None if p is None else [p[0].copy(), p[1].copy()] for p in params]
    velocity = [None if p is None else [0.0, 0.0] for p in params]
    for step in grads:
        for i, g in enumerate(step):
            if g is None:
                continue
            w, b = current[i]
            velocity[i][0] = momentum * velocity[i][0] - lr * (g[0] + reg * w)
            velocity[i][1] = momentum * velocity[i][1] - lr * g[1]
            current[i] = [w + velocity[i][0], b + velocity[i][1]]
        history.append([None if c is None else (c[0].copy(), c[1].copy()) for c in current])
    return history


def check_sgd(student, rng, steps, lr, reg, momentum):
    params = small_net_params(rng)
    grads = [[None if p is None else (rng.standard_normal(p[0].shape), rng.standard_normal(p[1].shape))
              for p in params] for _ in range(steps)]
    got = student.run(probes.sgd_steps, SMALL_NET, params, grads, lr, reg, momentum)
    expected = sgd_oracle(params, grads, lr, reg, momentum)
    assert_true(isinstance(got, list) and len(got) == steps, f"internal: expected {steps} snapshots")
    for k in range(steps):
        for i, name in ((0, "Conv2D"), (3, "Linear")):
            where = (f"optimizer/sgd.py update (learning_rate={lr}, reg={reg}, momentum={momentum}), "
                     f"after step {k + 1}")
            assert_array(got[k][i][0], expected[k][i][0], name=f"{name}.weight", where=where)
            assert_array(got[k][i][1], expected[k][i][1], name=f"{name}.bias", where=where)


@weight(1)
@number("1.8")
def test_sgd_three_steps_other_settings(student, rng):
    """SGD over three steps with momentum 0.5 and reg 0.1"""
    check_sgd(student, rng, steps=3, lr=0.05, reg=0.1, momentum=0.5)
