"""Part 1 (NumPy), hidden: new shapes and settings (kernel 5 with stride 3, 1x1 kernels, pooling
windows with gaps between them, a batch of one), against PyTorch in float64.

Shapes stay small so that a correct loop-based Conv2D finishes the whole suite quickly.
"""

import a2_probes as probes
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true, numerical_gradient

CONV = "modules.convolution.Conv2D"
POOL = "modules.max_pool.MaxPooling"
# (N, C, H, W, F, k, stride, padding)
CONV_CASES = {
    "stride3-pad2-k5": (1, 2, 11, 8, 3, 5, 3, 2),
    "k1-stride1": (3, 4, 5, 6, 2, 1, 1, 0),
    "one-channel-stride2": (3, 1, 10, 5, 2, 3, 2, 0),
}


def by_torch(fn, inputs, dout):
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out = fn(*leaves)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def run_conv(student, rng, case):
    n, c, h, w_, f, k, s, p = case
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
    """ReLU on a 4-D input of small integers"""
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
    """Linear on a 3-D input, forward and backward"""
    x = rng.standard_normal((5, 3, 7))
    lin = student.new("modules.linear.Linear", 21, 6)
    w, b = rng.standard_normal((21, 6)), rng.standard_normal(6)
    lin.weight, lin.bias = w, b
    dout = rng.standard_normal((5, 6))
    out, (dx, dw, db) = by_torch(lambda xt, wt, bt: F.linear(xt.reshape(5, -1), wt.T, bt), [x, w, b], dout)
    assert_array(lin.forward(x), out, name="Linear.forward(x)", where="modules/linear.py forward")
    lin.backward(dout)
    where = "modules/linear.py backward"
    assert_array(lin.dx, dx, name="Linear.dx", where=where)
    assert_array(lin.dw, dw, name="Linear.dw", where=where)
    assert_array(lin.db, db, name="Linear.db", where=where)


@weight(1)
@number("1.3")
@pytest.mark.parametrize("case", list(CONV_CASES), ids=list(CONV_CASES))
def test_conv_forward_hidden(student, rng, case):
    """Conv2D forward with other strides, kernels and channels"""
    got, expected = run_conv(student, rng, CONV_CASES[case])
    assert_array(got[0], expected[0], rtol=1e-6, atol=1e-9, name=f"Conv2D.forward ({case})",
                 where="modules/convolution.py forward (output size (H + 2p - k) // s + 1)")


@weight(1)
@number("1.4")
@pytest.mark.parametrize("case", list(CONV_CASES), ids=list(CONV_CASES))
def test_conv_backward_hidden(student, rng, case):
    """Conv2D backward with other strides, kernels and channels"""
    got, expected = run_conv(student, rng, CONV_CASES[case])
    for name, g, e in zip(("dx", "dw", "db"), got[1:], expected[1:], strict=True):
        assert_array(g, e, rtol=1e-6, atol=1e-9, name=f"Conv2D.{name} ({case})", where="modules/convolution.py backward")


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


def check_pool(student, rng, x, k, s, label):
    pool = student.new(POOL, k, s)
    dout = rng.standard_normal(x.shape[:2] + ((x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1))
    out, (dx,) = by_torch(lambda xt: F.max_pool2d(xt, k, s), [x], dout)
    assert_array(pool.forward(x), out, name=f"MaxPooling({k}, {s}).forward ({label})", where="modules/max_pool.py forward")
    pool.backward(dout)
    assert_array(pool.dx, dx, name=f"MaxPooling({k}, {s}).dx ({label})", where="modules/max_pool.py backward")


@weight(1)
@number("1.5")
def test_maxpool_gaps_and_whole_image(student, rng):
    """MaxPooling with gaps between windows, and one window over the whole image"""
    check_pool(student, rng, rng.standard_normal((2, 2, 8, 11)), 2, 3, "stride larger than the window")
    check_pool(student, rng, rng.standard_normal((3, 2, 4, 4)), 4, 4, "one window per channel")


@weight(1)
@number("1.5")
def test_maxpool_stride_one_ties(student, rng):
    """MaxPooling(2, 1) on an image with many ties"""
    check_pool(student, rng, rng.integers(0, 2, size=(1, 3, 5, 6)).astype(np.float64), 2, 1, "stride 1, ties")


@weight(1)
@number("1.6")
def test_softmax_ce_very_negative_scores_batch_of_one(student, rng):
    """SoftmaxCrossEntropy on scores near -1000, and on a batch of one"""
    for x in (rng.standard_normal((4, 7)) * 10 - 1000, rng.standard_normal((1, 3))):
        crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
        y = rng.integers(0, x.shape[1], size=len(x))
        xt = torch.tensor(x, requires_grad=True)
        loss = F.cross_entropy(xt, torch.tensor(y))
        loss.backward()
        probs, got = crit.forward(x, y)
        where = f"modules/softmax_ce.py, scores of shape {x.shape}"
        assert_array(probs, torch.softmax(xt.detach(), 1).numpy(), name="probs", where=where)
        assert_scalar(got, float(loss), name="loss", where=where)
        crit.backward()
        assert_array(crit.dx, xt.grad.numpy(), name="dx", where=where)


TINY_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 1},
    {"type": "Linear", "in_dim": 2 * 2 * 2, "out_dim": 3},
]


@weight(1)
@number("1.7")
def test_convnet_gradients_centred_differences(student, rng):
    """ConvNet parameter gradients against centred differences of its loss"""
    x = rng.standard_normal((2, 2, 5, 5))
    y = rng.integers(0, 3, size=2)
    params = [(rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2)), None, None,
              (rng.standard_normal((8, 3)), rng.standard_normal(3))]
    _, _, grads, _ = student.run(probes.convnet_forward_backward, TINY_NET, x, y, params)
    where = "modules/conv_classifier.py backward (and the layers it chains)"
    for i, j, name in ((0, 0, "Conv2D.dw"), (0, 1, "Conv2D.db"), (3, 0, "Linear.dw")):
        def loss_of(v, i=i, j=j):
            changed = [None if p is None else list(p) for p in params]
            changed[i][j] = v
            return student.run(probes.convnet_loss, TINY_NET, x, y, [None if p is None else tuple(p) for p in changed])

        num = numerical_gradient(loss_of, params[i][j])
        got = grads[i][j]
        assert_true(type(got) is np.ndarray and got.shape == num.shape,
                    f"{name}: expected an array of shape {num.shape}, got {type(got).__name__}.\nWhere to look: {where}")
        # relative to the gradient's scale: a unit that a draw leaves dead has exact zeros here,
        # against which the centred differences show only rounding
        err = float(np.max(np.abs(got - num)) / max(1e-8, float(np.max(np.abs(got) + np.abs(num)))))
        assert_true(err < 1e-5, f"{name}: relative error {err:.3g} against centred differences of the loss, "
                                f"expected below 1e-5.\nWhere to look: {where}")


SMALL_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_dim": 3 * 3 * 3, "out_dim": 4},
]


def sgd_by_torch(params, grads, lr, reg, momentum):
    tensors = [None if p is None else [torch.tensor(p[0]), torch.tensor(p[1])] for p in params]
    live = [t for t in tensors if t is not None]
    opt = torch.optim.SGD([{"params": [t[0] for t in live], "weight_decay": reg},
                           {"params": [t[1] for t in live], "weight_decay": 0.0}], lr=lr, momentum=momentum)
    history = []
    for step in grads:
        for t, g in zip(tensors, step, strict=True):
            if t is not None:
                t[0].grad, t[1].grad = torch.tensor(g[0]), torch.tensor(g[1])
        opt.step()
        history.append([None if t is None else (t[0].numpy().copy(), t[1].numpy().copy()) for t in tensors])
    return history


@weight(1)
@number("1.8")
def test_sgd_four_steps_other_settings(student, rng):
    """SGD over four steps with momentum 0.5 and reg 0.1"""
    params = [(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)), None, None,
              (rng.standard_normal((27, 4)), rng.standard_normal(4))]
    grads = [[None if p is None else (rng.standard_normal(p[0].shape), rng.standard_normal(p[1].shape))
              for p in params] for _ in range(4)]
    got = student.run(probes.sgd_steps, SMALL_NET, params, grads, 0.05, 0.1, 0.5)
    expected = sgd_by_torch(params, grads, 0.05, 0.1, 0.5)
    for k in range(4):
        for i, name in ((0, "Conv2D"), (3, "Linear")):
            where = f"optimizer/sgd.py update (learning_rate=0.05, reg=0.1, momentum=0.5), after step {k + 1}"
            assert_array(got[k][i][0], expected[k][i][0], name=f"{name}.weight", where=where)
            assert_array(got[k][i][1], expected[k][i][1], name=f"{name}.bias", where=where)
