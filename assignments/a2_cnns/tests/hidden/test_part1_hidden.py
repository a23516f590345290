"""Part 1 (NumPy), hidden: other shapes and settings, drawn for each submission (larger kernels and
strides, 1x1 kernels, a single input channel, pooling windows with gaps between them, a batch of
one, scores far from zero, more optimizer steps), against PyTorch in float64.

Shapes stay small so that a correct loop-based Conv2D finishes the whole suite quickly.
"""

import a2_probes as probes
import a2_torch_checks as torch_checks
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from a2_torch_checks import by_torch, check_pool
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar

CONV = "modules.convolution.Conv2D"


def conv_case(rng, kind):
    """(N, C, H, W, F, k, stride, padding) of one kind of case, its sizes drawn."""
    if kind == "large-kernel-stride-and-padding":
        return (1, 2, int(rng.integers(9, 13)), int(rng.integers(7, 11)), 3, 5, 3, 2)
    if kind == "pointwise-kernel":
        return (int(rng.integers(2, 4)), int(rng.integers(3, 5)), int(rng.integers(4, 7)), int(rng.integers(4, 7)),
                2, 1, 1, 0)
    return (3, 1, int(rng.integers(8, 11)), int(rng.integers(5, 8)), 2, 3, 2, 0)


CONV_KINDS = ["large-kernel-stride-and-padding", "pointwise-kernel", "single-input-channel"]


def run_conv(student, rng, kind):
    n, c, h, w_, f, k, s, p = conv_case(rng, kind)
    conv = student.new(CONV, c, f, kernel_size=k, stride=s, padding=p)
    w, b = rng.standard_normal((f, c, k, k)), rng.standard_normal(f)
    conv.weight, conv.bias = w, b
    x = rng.standard_normal((n, c, h, w_))
    dout = rng.standard_normal((n, f, (h + 2 * p - k) // s + 1, (w_ + 2 * p - k) // s + 1))
    out, grads = by_torch(lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=s, padding=p), [x, w, b], dout)
    got = conv.forward(x)
    conv.backward(dout)
    return (got, conv.dx, conv.dw, conv.db), [out] + grads


@weight(1)
@number("1.1")
def test_relu_hidden_shapes_and_zeros(student, rng):
    """ReLU forward and backward on four-dimensional inputs with many exact zeros"""
    relu = student.new("modules.relu.ReLU")
    x = rng.integers(-2, 3, size=(2, 3, 4, 5)).astype(np.float64)
    dout = rng.standard_normal(x.shape)
    out, (dx,) = by_torch(torch.relu, [x], dout)
    assert_array(relu.forward(x), out, name="ReLU.forward(x)", where="modules/relu.py forward")
    relu.backward(dout)
    assert_array(relu.dx, dx, name="ReLU.dx", where="modules/relu.py backward")


@weight(1)
@number("1.2")
def test_linear_hidden_random_shapes(student, rng):
    """Linear forward and backward on inputs of another rank"""
    n, a, b_ = int(rng.integers(2, 6)), int(rng.integers(2, 5)), int(rng.integers(3, 8))
    m = int(rng.integers(3, 7))
    x = rng.standard_normal((n, a, b_))
    lin = student.new("modules.linear.Linear", a * b_, m)
    w, b = rng.standard_normal((a * b_, m)), rng.standard_normal(m)
    lin.weight, lin.bias = w, b
    dout = rng.standard_normal((n, m))
    out, (dx, dw, db) = by_torch(lambda xt, wt, bt: F.linear(xt.reshape(n, -1), wt.T, bt), [x, w, b], dout)
    assert_array(lin.forward(x), out, name="Linear.forward(x)", where="modules/linear.py forward")
    lin.backward(dout)
    where = "modules/linear.py backward"
    assert_array(lin.dx, dx, name="Linear.dx", where=where)
    assert_array(lin.dw, dw, name="Linear.dw", where=where)
    assert_array(lin.db, db, name="Linear.db", where=where)


@weight(1)
@number("1.3")
@pytest.mark.parametrize("kind", CONV_KINDS, ids=["other-strides-and-padding", "other-kernel-sizes", "other-channels"])
def test_conv_forward_hidden(student, rng, kind):
    """Conv2D forward with other strides, paddings, kernels and channels"""
    got, expected = run_conv(student, rng, kind)
    assert_array(got[0], expected[0], rtol=1e-6, atol=1e-9, name="Conv2D.forward", where="modules/convolution.py forward")


@weight(1)
@number("1.4")
@pytest.mark.parametrize("kind", CONV_KINDS, ids=["other-strides-and-padding", "other-kernel-sizes", "other-channels"])
def test_conv_backward_hidden(student, rng, kind):
    """Conv2D backward with other strides, paddings, kernels and channels"""
    got, expected = run_conv(student, rng, kind)
    for name, g, e in zip(("dx", "dw", "db"), got[1:], expected[1:], strict=True):
        assert_array(g, e, rtol=1e-6, atol=1e-9, name=f"Conv2D.{name}", where="modules/convolution.py backward")


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
    where = "modules/convolution.py (forward and backward leave self.weight and self.bias as they were)"
    assert_array(conv.weight, w, rtol=0, atol=0, name="Conv2D.weight after forward and backward", where=where)
    assert_array(conv.bias, b, rtol=0, atol=0, name="Conv2D.bias after forward and backward", where=where)


@weight(1)
@number("1.5")
def test_maxpool_gaps_and_whole_image(student, rng):
    """MaxPooling with gaps between windows, and one window over the whole image"""
    check_pool(student, rng, rng.standard_normal((2, 2, int(rng.integers(7, 10)), int(rng.integers(9, 12)))), 2, 3,
               "stride larger than the window")
    side = int(rng.integers(3, 6))
    check_pool(student, rng, rng.standard_normal((3, 2, side, side)), side, side, "one window per channel")


@weight(1)
@number("1.5")
def test_maxpool_stride_one_ties(student, rng):
    """MaxPooling with windows overlapping at every step, and ties"""
    check_pool(student, rng, rng.integers(0, 2, size=(1, 3, 5, 6)).astype(np.float64), 2, 1, "stride 1, ties")


@weight(1)
@number("1.6")
def test_softmax_ce_very_negative_scores_batch_of_one(student, rng):
    """SoftmaxCrossEntropy on scores far below zero, and on a batch of one"""
    for x in (rng.standard_normal((4, 7)) * 10 - 1000, rng.standard_normal((1, 3))):
        crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
        y = rng.integers(0, x.shape[1], size=len(x))
        xt = torch.tensor(x, requires_grad=True)
        loss = F.cross_entropy(xt, torch.tensor(y))
        loss.backward()
        probs, got = crit.forward(x, y)
        where = "modules/softmax_ce.py"
        assert_array(probs, torch.softmax(xt.detach(), 1).numpy(), name="probs", where=where + " forward")
        assert_scalar(got, float(loss), name="loss", where=where + " forward")
        crit.backward()
        assert_array(crit.dx, xt.grad.numpy(), name="dx", where=where + " backward")


@weight(1)
@number("1.7")
def test_convnet_other_chains(student, rng):
    """ConvNet chains other numbers and shapes of layers, a batch of one included (stand-in layers)"""
    for x_shape, kinds, classes in (((1, 3, 2, 4), ("fold", "scale", "fold", "scale", "fold"), 3),
                                    ((int(rng.integers(2, 6)), 4, 3), ("scale", "fold", "fold", "scale"), 3)):
        chain, x, y = torch_checks.standin_chain(rng, x_shape, kinds, classes)
        probs, loss, grads, dxs = student.run(probes.convnet_with_standins, chain, x, y)
        e_probs, e_loss, e_grads, e_dxs = torch_checks.standin_chain_by_torch(chain, x, y)
        fwd, bwd = "modules/conv_classifier.py forward", "modules/conv_classifier.py backward"
        assert_array(probs, e_probs, name="probs", where=fwd)
        assert_scalar(loss, e_loss, name="loss", where=fwd)
        for i in reversed(range(len(chain))):
            assert_array(dxs[i], e_dxs[i], name="dx", where=bwd)
            if e_grads[i] is not None:
                assert_array(grads[i][0], e_grads[i][0], name="dw", where=bwd)
                assert_array(grads[i][1], e_grads[i][1], name="db", where=bwd)


SMALL_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_dim": 3 * 3 * 3, "out_dim": 4},
]


@weight(1)
@number("1.8")
def test_sgd_four_steps_other_settings(student, rng):
    """SGD over more steps, with other settings"""
    lr, reg, momentum = float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.02, 0.2)), float(rng.uniform(0.3, 0.8))
    params = [(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)), None, None,
              (rng.standard_normal((27, 4)), rng.standard_normal(4))]
    grads = [[None if p is None else (rng.standard_normal(p[0].shape), rng.standard_normal(p[1].shape))
              for p in params] for _ in range(4)]
    got = student.run(probes.sgd_steps, SMALL_NET, params, grads, lr, reg, momentum)
    expected = torch_checks.sgd_by_torch(params, grads, lr, reg, momentum)
    for k in range(4):
        for i, name in ((0, "Conv2D"), (3, "Linear")):
            where = "optimizer/sgd.py update"
            assert_array(got[k][i][0], expected[k][i][0], name=f"{name}.weight", where=where)
            assert_array(got[k][i][1], expected[k][i][1], name=f"{name}.bias", where=where)
